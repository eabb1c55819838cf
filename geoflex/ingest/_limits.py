"""The limits that keep a hostile input from exhausting memory or the stack, and the one
JSON decoder geoflex calls itself (bounded nesting).

Every input is untrusted. What a limit stops becomes a ``problems`` row naming the limit
(and the rows before it are kept), never an out-of-memory kill or a RecursionError.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

__all__ = [
    "DEFAULT_LIMITS",
    "SKIPPED_LINE",
    "Limits",
    "TooDeepError",
    "loads",
    "skipped",
    "too_deep",
]

# A JSON string (its escapes included): what is inside one is text, not nesting.
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)


@dataclass(frozen=True)
class Limits:
    """What ``read_events`` accepts from one input (see its docstring)."""

    #: A line longer than this is a problem and is skipped without being held.
    max_line_bytes: int = 16 << 20
    #: Bytes read from one file after decompression; the rest is a problem.
    max_file_bytes: int = 64 << 30
    #: JSON nested deeper than this (objects and arrays) is a problem.
    max_depth: int = 64
    #: A whole-file JSON document (an array of events, a REST page) or CSV larger than this
    #: is refused: those are parsed whole (a JSON array takes about 7 times its size).
    max_document_bytes: int = 64 << 20
    #: Problems listed (each a row); the rest are counted, one row per file and kind.
    max_problems: int = 100_000

    def __post_init__(self) -> None:
        for name in (
            "max_line_bytes",
            "max_file_bytes",
            "max_depth",
            "max_document_bytes",
            "max_problems",
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer, not {value!r}")


DEFAULT_LIMITS = Limits()

#: How a line the reader skipped (too long to hold) starts: NUL bytes, which no JSON text
#: starts with; the rest says why (ASCII).
SKIPPED_LINE = b"\x00geoflex\x00"


def skipped(length: int, max_line_bytes: int) -> bytes:
    """The line that stands for a line of ``length`` bytes the reader skipped."""
    why = f"a line of {length:,} bytes, longer than max_line_bytes={max_line_bytes:,}: not read"
    return SKIPPED_LINE + why.encode("ascii")


def too_deep(text: bytes | bytearray | memoryview, max_depth: int) -> bool:
    """Whether the JSON ``text`` nests objects and arrays deeper than ``max_depth``.

    Cheap for the usual text: it cannot be deeper than its count of ``{`` and ``[``.

    Examples
    --------
    >>> too_deep(b'{"a": [1, {"b": "[[[["}]}', 3), too_deep(b'[[[]]]', 2)
    (False, True)
    """
    data = bytes(text)
    if data.count(b"{") + data.count(b"[") <= max_depth:
        return False
    import numpy as np

    bare = np.frombuffer(_STRING.sub(b'""', data), dtype=np.uint8)
    opening = (bare == ord("{")) | (bare == ord("["))
    brackets = bare[opening | (bare == ord("}")) | (bare == ord("]"))]
    step = np.where((brackets == ord("{")) | (brackets == ord("[")), 1, -1).astype(np.int32)
    return bool(len(step)) and int(np.cumsum(step, dtype=np.int32).max()) > max_depth


class TooDeepError(ValueError):
    """JSON nested deeper than the limit (a ValueError, as json's own errors are)."""


def loads(text: bytes | bytearray | memoryview | str, max_depth: int, **options: Any) -> Any:
    """``json.loads`` that refuses text nested deeper than ``max_depth`` (ValueError)
    instead of recursing until Python's stack gives out."""
    raw = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else bytes(text)
    if too_deep(raw, max_depth):
        raise TooDeepError(f"JSON nested deeper than max_depth={max_depth}")
    try:
        return json.loads(text if isinstance(text, str) else raw, **options)
    except RecursionError:  # max_depth set above what Python's stack allows
        raise TooDeepError("JSON nested deeper than Python's stack allows") from None
