"""SS507, SS508, SS520: the web UI -- access control, reachability, and sparkseal's
sealing filter (grouped: all three are about who sees ``spark.ui.*``)."""

from __future__ import annotations

from collections.abc import Iterator

from sparkseal.rules.doctor.check import check
from sparkseal.rules.doctor.conf import EffectiveConf
from sparkseal.rules.model import Finding, Rule

UI = "spark.ui.enabled"
ACLS = "spark.acls.enable"
FILTERS = "spark.ui.filters"
SEALING_FILTER = "io.sparkseal.ui.SealingUiFilter"

OPEN_UI = Rule(
    code="SS507",
    tool="doctor",
    family="security-conf",
    title="the web UI has no access control",
    severity="warning",
    rationale=(
        "The UI and its REST API (port 4040 and up) show jobs, SQL, plans, environment "
        "and executor logs to anyone who can reach the port: spark.acls.enable is off "
        "and no authentication filter is in spark.ui.filters. A warning: sparkseal seals "
        "what the UI shows, but names, sizes and timing still leak, and view ACLs are "
        "what keep other users out."
    ),
    fix=(
        f"Set {ACLS}=true with spark.ui.view.acls (or groups) and an authentication "
        f"filter in {FILTERS}, or {UI}=false where nobody needs the UI."
    ),
)

REACHABLE = Rule(
    code="SS508",
    tool="doctor",
    family="security-conf",
    title="the UI's REST API answered without credentials",
    severity="warning",
    rationale=(
        "doctor --url read the application's environment without any credentials: "
        "whoever can reach that address can too, including the executors' logs."
    ),
    fix=f"Put the UI behind authentication ({FILTERS} and {ACLS}), or a proxy, or bind it "
    "to an address only operators reach.",
)

NOT_SEALED = Rule(
    code="SS520",
    tool="doctor",
    family="sealing",
    title="the UI is on without sparkseal's sealing filter",
    severity="error",
    rationale=(
        "The live UI renders exception messages, SQL text and plan strings of the job: "
        f"without {SEALING_FILTER} in {FILTERS} sparkseal cannot seal what it serves."
    ),
    fix=f"Build the session with sparkseal.harden() / sparkseal.session() (it adds the "
    f"filter), or set {UI}=false.",
)


def _filters(conf: EffectiveConf) -> list[str]:
    return [f.strip() for f in (conf.get(FILTERS) or "").split(",") if f.strip()]


@check(OPEN_UI, example="spark.ui.enabled true\nspark.acls.enable false")
def open_ui(conf: EffectiveConf) -> Iterator[Finding]:
    if not conf.flag(UI, True) or conf.flag(ACLS, False):
        return
    if [f for f in _filters(conf) if f != SEALING_FILTER]:
        return  # an authentication filter is the user's to vouch for
    yield conf.finding(
        OPEN_UI.code, f"{UI} is on, {ACLS} is off and {FILTERS} has no authentication filter", ACLS
    )


@check(
    REACHABLE,
    example="# sparkseal doctor --url http://driver:4040 read the environment anonymously",
)
def reachable(conf: EffectiveConf) -> Iterator[Finding]:
    if conf.ui_answered_anonymously is not None:
        yield Finding(
            code=REACHABLE.code,
            message="the application's environment was read without credentials",
            path=None,
            conf_key=UI,
            extra={"url": conf.ui_answered_anonymously},
        )


@check(NOT_SEALED, example="spark.ui.enabled true\nspark.ui.filters com.example.AuthFilter")
def not_sealed(conf: EffectiveConf) -> Iterator[Finding]:
    if conf.flag(UI, True) and SEALING_FILTER not in _filters(conf):
        yield conf.finding(
            NOT_SEALED.code, f"{UI} is on and {FILTERS} lacks sparkseal's sealing filter", FILTERS
        )
