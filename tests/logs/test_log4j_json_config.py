"""Which log4j2 configuration the JVMs get, and the shape of the sealed JSON one."""

import json

from sparkseal.conf import STRUCTURED_LOGGING, jvm_conf
from sparkseal.core.policy import load_policy
from sparkseal.jvm import LOG4J_CONFIG, LOG4J_JSON_CONFIG


def _props(path) -> dict[str, str]:
    """A .properties file's keys and values, with continuation lines joined."""
    out, key, buf = {}, None, ""
    for raw in path.read_text().splitlines():
        line = raw.strip() if key is None else raw.lstrip()
        if key is None and (not line or line.startswith("#")):
            continue
        if key is None:
            key, _, line = (p.strip() for p in line.partition("="))
        if line.endswith("\\"):
            buf += line[:-1]
            continue
        out[key], key, buf = buf + line, None, ""
    return out


def _java_opts(private_key, **options) -> str:
    policy = load_policy({"seal": {"public_key": private_key.public.to_text()}})
    return jvm_conf(policy, options)["spark.executor.extraJavaOptions"]


def test_structured_logging_selects_the_sealed_json_configuration(private_key):
    assert f"-Dlog4j.configurationFile={LOG4J_CONFIG} " in _java_opts(private_key)
    on = _java_opts(private_key, **{STRUCTURED_LOGGING: "true"})
    assert f"-Dlog4j.configurationFile={LOG4J_JSON_CONFIG} " in on
    off = _java_opts(private_key, **{STRUCTURED_LOGGING: "false"})
    assert f"-Dlog4j.configurationFile={LOG4J_CONFIG} " in off


def test_a_policy_log4j_config_wins(private_key, tmp_path):
    own = tmp_path / "mine.properties"
    policy = load_policy(
        {
            "seal": {"public_key": private_key.public.to_text()},
            "jvm": {"log4j_config": str(own)},
        }
    )
    opts = jvm_conf(policy, {STRUCTURED_LOGGING: "true"})["spark.driver.extraJavaOptions"]
    assert f"-Dlog4j.configurationFile={own} " in opts


def test_json_configuration_seals_every_free_text_field():
    props = _props(LOG4J_JSON_CONFIG)
    text = _props(LOG4J_CONFIG)
    assert props["filter.sparkseal.type"] == "SparksealFilter"
    assert props["appender.console.layout.type"] == "JsonTemplateLayout"
    template = json.loads(props["appender.console.layout.eventTemplate"])
    assert set(template) == {"ts", "level", "msg", "context", "exception", "logger"}
    sealed = {"$resolver": "sparkseal"}
    assert template["msg"] == {**sealed, "field": "message"}
    assert template["context"] == {**sealed, "field": "context"}
    assert template["exception"]["msg"] == {**sealed, "field": "exceptionMessage"}
    # The same loggers and levels as the pattern-layout configuration.
    loggers = {k: v for k, v in text.items() if k.startswith(("logger.", "rootLogger."))}
    assert loggers and all(props.get(k) == v for k, v in loggers.items())
