"""A protect policy with fresh file secrets, for the shared local[2] session."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sparkseal.core.policy import Policy, load_policy


@pytest.fixture(scope="session")
def secrets(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("protect-secrets")
    paths = {}
    for name in ("pepper", "token_key", "other_key"):
        paths[name] = root / name
        paths[name].write_text(os.urandom(24).hex())
    return paths


@pytest.fixture(scope="session")
def make_policy(private_key, secrets) -> Callable[..., Policy]:
    def make(columns: list[dict[str, Any]], **protect: Any) -> Policy:
        section = {
            "pepper": f"file:{secrets['pepper']}",
            "token_key": f"file:{secrets['token_key']}",
            "unprotect_roles": ["fraud"],
            "columns": columns,
            **protect,
        }
        return load_policy(
            {"seal": {"public_key": private_key.public.to_text()}, "protect": section}
        )

    return make
