import traceback

import pytest

from sparkseal.core.token import TOKEN_RE, WithholdingSealer
from sparkseal.sealing.tracebacks import format_sealed, format_sealed_only, sealed_mirror

SECRET = "alice.secret@example.com"


def _raise_chain(value):
    try:
        {}[value]
    except KeyError as e:
        e.add_note(f"while looking up {value}")
        raise ValueError(f"{value} is an email address") from e


def _caught(fn, *args):
    try:
        fn(*args)
    except BaseException as exc:
        return exc
    raise AssertionError("did not raise")


def test_chain_notes_keyerror_sealed_types_and_frames_readable(sealer, opener):
    exc = _caught(_raise_chain, SECRET)
    text = format_sealed(exc, sealer)
    assert SECRET not in text
    assert "KeyError: [SEALED:" in text and "ValueError: [SEALED:" in text
    assert "direct cause of the following exception" in text
    assert "in _raise_chain" in text and "test_tracebacks.py" in text
    opened, problems = opener.unseal_text(text)
    assert problems == []
    assert opened == "".join(traceback.format_exception(exc))


def test_context_and_suppressed_context(sealer):
    def inner(v):
        try:
            raise TypeError(v)
        except TypeError:
            raise RuntimeError(v)  # noqa: B904 - implicit context on purpose

    text = format_sealed(_caught(inner, SECRET), sealer)
    assert "During handling of the above exception" in text and SECRET not in text

    def suppressed(v):
        try:
            raise TypeError(v)
        except TypeError:
            raise RuntimeError(v) from None

    text = format_sealed(_caught(suppressed, SECRET), sealer)
    assert "During handling" not in text and "TypeError" not in text


def test_exception_group_members(sealer, opener):
    def grp(v):
        raise ExceptionGroup(f"group {v}", [ValueError(v), KeyError(v)])

    exc = _caught(grp, SECRET)
    text = format_sealed(exc, sealer)
    assert SECRET not in text
    assert "ExceptionGroup: [SEALED:" in text and "ValueError: [SEALED:" in text
    assert opener.unseal_text(text)[0].count(SECRET) == 3


def test_syntax_error_text(sealer):
    exc = _caught(compile, f"{SECRET} = 1 +", "<data>", "exec")
    text = format_sealed(exc, sealer)
    assert SECRET not in text and "SyntaxError: [SEALED:" in text
    assert 'File "<data>", line 1' in text


def test_locals_are_sealed(sealer, opener):
    def with_local(v):
        customer = {"email": v}  # noqa: F841 - the local under test
        raise ValueError("boom")

    exc = _caught(with_local, SECRET)
    text = format_sealed(exc, sealer, capture_locals=True)
    assert SECRET not in text
    assert "customer = [SEALED:" in text
    assert SECRET in opener.unseal_text(text)[0]


def test_mirror_keeps_type_and_is_sealed(sealer):
    class CustomerError(LookupError):
        pass

    exc = CustomerError(SECRET)
    mirror = sealed_mirror(exc, sealer)
    assert isinstance(mirror, CustomerError)
    assert type(mirror).__qualname__ == CustomerError.__qualname__
    assert SECRET not in str(mirror) and SECRET not in repr(mirror)
    assert TOKEN_RE.fullmatch(str(mirror))
    assert sealed_mirror(mirror, sealer) is mirror


def test_exceptions_that_refuse_copying(sealer):
    class Weird(Exception):
        def __new__(cls, *args):
            if not args:
                raise RuntimeError("needs args")
            return super().__new__(cls, *args)

        def __str__(self):
            return f"weird {SECRET}"

    text = format_sealed_only(Weird("x"), sealer)
    assert SECRET not in text and "Weird: [SEALED:" in text

    class BadStr(Exception):
        def __str__(self):
            raise RuntimeError("no")

    assert "BadStr: [SEALED:" in format_sealed_only(BadStr(), sealer)


def test_pyspark_condition_stays_readable(sealer):
    from pyspark.errors import PySparkValueError

    exc = PySparkValueError(errorClass="CANNOT_BE_EMPTY", messageParameters={"item": SECRET})
    text = format_sealed_only(exc, sealer)
    assert text.startswith(
        "pyspark.errors.exceptions.base.PySparkValueError: [CANNOT_BE_EMPTY][SEALED:"
    )
    assert SECRET not in text


def test_user_brackets_are_not_trusted(sealer):
    text = format_sealed_only(ValueError(f"[ACME_CORP] {SECRET}"), sealer)
    assert "ACME_CORP" not in text


@pytest.mark.parametrize("reason", ["no public key"])
def test_withholding_sealer_in_tracebacks(reason):
    text = format_sealed(_caught(_raise_chain, SECRET), WithholdingSealer(reason))
    assert SECRET not in text
    assert f"ValueError: [WITHHELD by sparkseal: {reason}]" in text


def test_exceptions_that_delegate_attributes_are_sealed_not_withheld(sealer, opener):
    import io
    import urllib.error

    url = "http://host/delegate.canary@example.com"
    try:
        raise urllib.error.HTTPError(url, 404, "Not Found", {}, io.BytesIO(b""))
    except urllib.error.HTTPError as exc:
        text = format_sealed(exc, sealer)
    assert "delegate.canary" not in text and "HTTPError: [SEALED:2:X:" in text
    assert "HTTP Error 404: Not Found" in opener.unseal_text(text)[0]


def test_only_sparkseals_own_errors_keep_their_registered_code_readable(sealer, opener):
    from sparkseal.core.errors import SparkSealError
    from sparkseal.sealing.tracebacks import sealed_message

    own = sealed_message(SparkSealError("SS404: the server does not seal"), sealer)
    assert own.startswith("SS404: [SEALED:") and "server" not in own
    assert opener.unseal_text(own)[0] == "SS404: the server does not seal"
    for exc in (ValueError("SS404: a user's text"), SparkSealError("SS999: not a code")):
        assert sealed_message(exc, sealer).startswith("[SEALED:")
