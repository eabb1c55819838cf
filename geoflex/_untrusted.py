"""Untrusted text in messages: short, one line, no control characters or terminal escapes.

Error messages quote values from data and configuration files (keys, names, values) and
texts of other libraries' exceptions that may quote data in turn. A value could be a
megabyte long, or carry terminal escape sequences (``\\x1b]...``) that retitle, clear or
rewrite the user's terminal, or bidi overrides that reorder what is shown. Every value
quoted in a message goes through :func:`quote`; every message the command line prints goes
through :func:`one_line`.
"""

from __future__ import annotations

import re

__all__ = ["one_line", "quote"]

# ESC [ ... final (CSI), ESC ] ... BEL/ST (OSC), and two-character ESC sequences.
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-_])")
_SPACE = re.compile(r"\s+")


def quote(value: object, limit: int = 40) -> str:
    """``repr`` of a value, cut to about ``limit`` characters, every unprintable escaped.

    Examples
    --------
    >>> quote("Seattle")
    "'Seattle'"
    >>> quote("\\x1b[2J" + "x" * 100)
    "'\\\\x1b[2Jxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…' (104 characters)"
    >>> quote(0.8)
    '0.8'
    """
    if isinstance(value, str):
        if len(value) <= limit:
            return repr(value)
        cut = repr(value[:limit])
        return f"{cut[:-1]}…{cut[-1]} ({len(value):,} characters)"
    text = repr(value)
    if len(text) > limit:
        text = text[:limit] + "…"
    return _printable(text)


def one_line(message: str, limit: int = 600) -> str:
    """A message as one printable line of at most about ``limit`` characters.

    Terminal escape sequences are removed, other unprintable characters escaped and runs of
    white space (newlines included) become one space.

    Examples
    --------
    >>> one_line("bad value\\n\\x1b[31mred\\x1b[0m\\u202eevil")
    'bad value red\\\\u202eevil'
    >>> len(one_line("x" * 10_000))
    601
    """
    text = _SPACE.sub(" ", _ANSI.sub("", message)).strip()
    text = _printable(text)
    return text if len(text) <= limit else text[:limit] + "…"


def _printable(text: str) -> str:
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)
