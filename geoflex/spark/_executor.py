"""geoflex's own errors across the executor/driver boundary.

A geoflex error raised in a Python worker reaches the driver as PySpark's
``PythonException``, whose text is the worker's whole traceback. The executor side
(:func:`guarded`) re-raises it with its type and message as one marked line of JSON; the
driver side (:func:`surfaced`) finds that line and raises the geoflex error again, with its
own message, where geoflex runs the action.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from geoflex import _errors

__all__ = ["ExecutorError", "guarded", "surfaced"]

_MARK = "geoflex-error:"
_MARKED = re.compile(re.escape(_MARK) + r"(\{.*\})\s*$", re.MULTILINE)
# The error types that may cross (a name from the worker is never looked up beyond these).
_TYPES: dict[str, type[_errors.GeoflexError]] = {
    cls.__name__: cls
    for cls in (_errors.ColumnError, _errors.ConfigError, _errors.DataError, _errors.GeoflexError)
}


class ExecutorError(RuntimeError):
    """A geoflex error raised in a Python worker, on its way to the driver."""


def _run(function: Callable[..., Iterator[Any]], *args: Any, **kwargs: Any) -> Iterator[Any]:
    try:
        yield from function(*args, **kwargs)
    except _errors.GeoflexError as exc:
        kind = next(c.__name__ for c in type(exc).__mro__ if c.__name__ in _TYPES)
        raise ExecutorError(_MARK + json.dumps({"type": kind, "message": str(exc)})) from None


def guarded(function: Callable[..., Iterator[Any]]) -> Callable[..., Iterator[Any]]:
    """``function`` (a ``mapInArrow`` function) raising geoflex errors so that
    :func:`surfaced` can raise them again on the driver."""
    return functools.partial(_run, function)


def _reraise(exc: BaseException) -> None:
    found = _MARKED.search(str(exc))
    if found is None:
        return None
    try:
        error = json.loads(found.group(1))
        cls, message = _TYPES[error["type"]], str(error["message"])
    except (ValueError, KeyError, TypeError):
        return None
    raise cls(message) from exc


@contextmanager
def surfaced() -> Iterator[None]:
    """Run Spark actions; a geoflex error raised on an executor is raised here as itself
    (:class:`~geoflex.DataError`, :class:`~geoflex.ConfigError`...), with its message."""
    from pyspark.errors import PythonException

    try:
        yield
    except PythonException as exc:
        _reraise(exc)
        raise
