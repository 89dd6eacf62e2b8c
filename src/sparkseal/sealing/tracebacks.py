"""Sealed tracebacks: exception text sealed, exception types and frames readable.

The central idea is the *sealed mirror*: a copy of an exception chain in which
every piece of text that can carry data (messages, ``__notes__``, ``SyntaxError``
source text, ``KeyError`` reprs, ``ExceptionGroup`` members, causes and
contexts) is replaced by a sealed token, while each mirror still is an instance
of (a subclass of) the original exception type with the original name, module
and traceback. Any formatter -- ``traceback``, ``logging``, PySpark's JSON
logger, a third-party JSON formatter -- can then be handed the mirror and prints
readable types and frames with sealed text, without knowing about sparkseal.

Frame locals (``capture_locals=True``) come from the real frames, so
:func:`format_sealed` seals them after capture.
"""

from __future__ import annotations

import traceback
from types import TracebackType
from typing import Any

from sparkseal.core.codes import CODES
from sparkseal.core.errors import SparkSealError
from sparkseal.core.token import TextSealer

_MIRROR_CLASSES: dict[tuple[type, bool], type] = {}


def _safe_str(obj: object) -> str:
    try:
        return str(obj)
    except Exception:
        return "<str() failed>"


def _readable_prefix(exc: BaseException) -> tuple[str, str]:
    """Split off what the exception object says is a code, never parsed from arbitrary text:
    the Spark error condition a PySpark exception starts with (``[DIVIDE_BY_ZERO]``), or the
    registered sparkseal code of one of sparkseal's own errors (``SS404: ``). A user's
    ``ValueError("[ACME_CORP] ...")`` or ``ValueError("SS404: ...")`` stays sealed.
    """
    text = _safe_str(exc)
    if isinstance(exc, SparkSealError):
        code = text[:5]
        if code in CODES and text[5:7] == ": ":
            return text[:7], text[7:]
        return "", text
    get_condition = getattr(exc, "getCondition", None)
    if get_condition is None or not callable(get_condition):
        return "", text
    try:
        condition = get_condition()
    except Exception:
        return "", text
    if isinstance(condition, str) and condition and text.startswith(f"[{condition}]"):
        head = f"[{condition}]"
        return head, text[len(head) :]
    return "", text


def sealed_message(exc: BaseException, sealer: TextSealer) -> str:
    """``str(exc)`` with data sealed; a PySpark error condition or a sparkseal code stays
    readable."""
    head, rest = _readable_prefix(exc)
    sealed = sealer.seal_text(rest)
    return f"{head}{sealed}" if head else sealed


def _no_delegation(self: BaseException, name: str) -> Any:
    # Some exceptions forward unknown attributes to a wrapped object (urllib's HTTPError
    # to its response file), which a mirror does not have: plain attribute errors instead.
    raise AttributeError(name)


def _mirror_class(cls: type[BaseException], subclass: bool = True) -> type[BaseException]:
    """A class named like ``cls``; a subclass of it unless ``subclass`` is False or refused."""
    mirror = _MIRROR_CLASSES.get((cls, subclass))
    if mirror is not None:
        return mirror
    namespace: dict[str, Any] = {
        "__module__": cls.__module__,
        "__qualname__": cls.__qualname__,
        "__str__": lambda self: self._sparkseal_str,
        "__repr__": lambda self: f"{type(self).__qualname__}({self._sparkseal_str!r})",
        "__init__": lambda self, *a, **k: None,
        "__getattr__": _no_delegation,
        # A mirror holds none of the original's state: a finalizer of the original class
        # (gRPC's errors are also calls, with a __del__) would fail on it, every time.
        "__del__": lambda self: None,
        "_sparkseal_sealed": True,
    }
    plain_base = Exception if issubclass(cls, Exception) else BaseException
    try:
        mirror = type(cls.__name__, (cls if subclass else plain_base,), namespace)
    except TypeError:  # a type that refuses subclassing: keep its name only
        mirror = type(cls.__name__, (plain_base,), namespace)
    _MIRROR_CLASSES[(cls, subclass)] = mirror
    return mirror


def _new_instance(exc: BaseException, members: list[BaseException]) -> BaseException:
    mirror_cls = _mirror_class(type(exc))
    if isinstance(exc, BaseExceptionGroup) and issubclass(mirror_cls, BaseExceptionGroup):
        return mirror_cls.__new__(mirror_cls, "sealed", members)  # type: ignore[call-arg]
    try:
        return mirror_cls.__new__(mirror_cls)
    except Exception:  # a __new__ that needs arguments: fall back to a look-alike
        plain = _mirror_class(type(exc), subclass=False)
        return plain.__new__(plain)


def sealed_mirror(
    exc: BaseException, sealer: TextSealer, _memo: dict[int, BaseException] | None = None
) -> BaseException:
    """Return a copy of ``exc`` (and its whole chain) with every text sealed."""
    memo = {} if _memo is None else _memo
    if getattr(exc, "_sparkseal_sealed", False):
        return exc
    if id(exc) in memo:
        return memo[id(exc)]
    members: list[BaseException] = []
    if isinstance(exc, BaseExceptionGroup):
        members = [sealed_mirror(e, sealer, memo) for e in exc.exceptions]
    mirror = _new_instance(exc, members)
    memo[id(exc)] = mirror
    mirror._sparkseal_str = sealed_message(exc, sealer)  # type: ignore[attr-defined]
    mirror.args = (mirror._sparkseal_str,)  # type: ignore[attr-defined]
    mirror.__traceback__ = exc.__traceback__
    mirror.__suppress_context__ = exc.__suppress_context__
    if exc.__cause__ is not None:
        mirror.__cause__ = sealed_mirror(exc.__cause__, sealer, memo)
    if exc.__context__ is not None:
        mirror.__context__ = sealed_mirror(exc.__context__, sealer, memo)
    notes = getattr(exc, "__notes__", None)
    if notes is not None:
        if isinstance(notes, list | tuple):
            mirror.__notes__ = [sealer.seal_text(_safe_str(n)) for n in notes]
        else:
            mirror.__notes__ = [sealer.seal_text(_safe_str(notes))]
    if isinstance(exc, SyntaxError) and isinstance(mirror, SyntaxError):
        mirror.filename = exc.filename
        mirror.lineno = exc.lineno
        mirror.end_lineno = exc.end_lineno
        mirror.msg = sealer.seal_text(_safe_str(exc.msg)) if exc.msg is not None else None
        mirror.text = sealer.seal_text(exc.text) if exc.text else exc.text
        mirror.offset = mirror.end_offset = None  # a caret into a token means nothing
    return mirror


def _seal_locals(te: traceback.TracebackException, sealer: TextSealer, seen: set[int]) -> None:
    if id(te) in seen:
        return
    seen.add(id(te))
    for frame in te.stack:
        if frame.locals:
            frame.locals = {k: sealer.seal_text(v) for k, v in frame.locals.items()}
    for nxt in (te.__cause__, te.__context__, *(getattr(te, "exceptions", None) or ())):
        if nxt is not None:
            _seal_locals(nxt, sealer, seen)


def sealed_traceback_exception(
    exc: BaseException,
    sealer: TextSealer,
    tb: TracebackType | None = None,
    *,
    capture_locals: bool = False,
    compact: bool = True,
) -> traceback.TracebackException:
    """A :class:`traceback.TracebackException` of ``exc`` with all text (and locals) sealed."""
    mirror = sealed_mirror(exc, sealer)
    te = traceback.TracebackException(
        type(mirror),
        mirror,
        tb if tb is not None else exc.__traceback__,
        capture_locals=capture_locals,
        compact=compact,
    )
    if capture_locals:
        _seal_locals(te, sealer, set())
    return te


def format_sealed(
    exc: BaseException,
    sealer: TextSealer,
    tb: TracebackType | None = None,
    *,
    capture_locals: bool = False,
) -> str:
    """The full traceback of ``exc`` as Python prints it, with all text sealed."""
    te = sealed_traceback_exception(exc, sealer, tb, capture_locals=capture_locals)
    return "".join(te.format())


def format_sealed_only(exc: BaseException, sealer: TextSealer) -> str:
    """Like :func:`traceback.format_exception_only`, sealed."""
    mirror = sealed_mirror(exc, sealer)
    return "".join(traceback.format_exception_only(type(mirror), mirror))


WITHHELD = "[WITHHELD by sparkseal: SS003 the exception text could not be sealed]"


def withheld_traceback(exc: BaseException) -> str:
    """What a hook prints when sealing itself failed: the type name and a fixed placeholder.

    Only the class's qualified name is read (never ``str(exc)``), so nothing of the
    original text can come out, whatever went wrong.
    """
    try:
        name = type(exc).__qualname__
    except BaseException:
        name = "BaseException"
    return f"{name}: {WITHHELD}\n"
