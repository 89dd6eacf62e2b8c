import os
import stat

import pytest

from sparkseal.core.errors import SparkSealError
from sparkseal.verify.private import open_private, private_dir, restrict


def _mode(path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_private_dir_is_owner_only_whatever_the_umask(tmp_path):
    old = os.umask(0)
    try:
        made = private_dir(tmp_path / "a" / "kept")
        assert _mode(made) == 0o700
        (tmp_path / "empty").mkdir(mode=0o777)
        assert _mode(private_dir(tmp_path / "empty")) == 0o700
    finally:
        os.umask(old)


@pytest.mark.parametrize("kind", ["non-empty", "file", "symlink"])
def test_private_dir_refuses_what_is_not_new(tmp_path, kind):
    target = tmp_path / "kept"
    if kind == "non-empty":
        target.mkdir()
        (target / "old.log").write_text("x")
    elif kind == "file":
        target.write_text("x")
    else:
        (tmp_path / "elsewhere").mkdir()
        target.symlink_to(tmp_path / "elsewhere")
    with pytest.raises(SparkSealError, match="SS105: "):
        private_dir(target)


def test_restrict_makes_everything_owner_only(tmp_path):
    root = tmp_path / "kept"
    (root / "events" / "deep").mkdir(parents=True)
    (root / "events" / "deep").chmod(0o777)
    (root / "events" / "app.zstd").write_text("e")
    (root / "events" / "app.zstd").chmod(0o770)  # as Spark's event log writer leaves it
    (root / "result.json").write_text("{}")
    (root / "result.json").chmod(0o644)
    outside = tmp_path / "outside"
    outside.write_text("not ours")
    outside.chmod(0o644)
    (root / "link").symlink_to(outside)
    restrict(root)
    for dirpath, _dirnames, filenames in os.walk(root):
        assert _mode(dirpath) == 0o700
        for name in filenames:
            path = os.path.join(dirpath, name)
            if not os.path.islink(path):
                assert _mode(path) == 0o600, path
    assert _mode(outside) == 0o644  # a symlink's target is left alone


def test_open_private_never_follows_or_reuses(tmp_path):
    fd = open_private(tmp_path / "result.json")
    os.close(fd)
    assert _mode(tmp_path / "result.json") == 0o600
    with pytest.raises(FileExistsError):
        open_private(tmp_path / "result.json")
    (tmp_path / "planted").symlink_to(tmp_path / "target")
    with pytest.raises(OSError):
        open_private(tmp_path / "planted")
    assert not (tmp_path / "target").exists()
