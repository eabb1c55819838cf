"""The one jinja2 Environment every report renders with: sandboxed, autoescaping, strict.

Data only ever reaches it as template *variables*, never as template source; the sandbox
(``ImmutableSandboxedEnvironment``: no private attributes, no mutation of lists or dicts)
is defence in depth should that ever change.
"""

from __future__ import annotations

import json
from functools import cache
from typing import TYPE_CHECKING, Any

from geoflex._errors import require

if TYPE_CHECKING:
    import jinja2

__all__ = ["environment", "script_json"]


def script_json(value: Any) -> str:
    """JSON safe to place inside a ``<script>`` element.

    ``<``, ``>`` and ``&`` become ``\\u003c``... so a data string such as ``</script>`` cannot
    close the element; U+2028/U+2029 are escaped for old JavaScript parsers.

    >>> script_json({"name": "</script><b>"})
    '{"name": "\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e"}'
    """
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, default=str)
    for char, escaped in (
        ("&", "\\u0026"),
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escaped)
    return text


def _number(value: Any, digits: int = 0) -> str:
    """Thousands separators; None/NaN as an en dash."""
    if value is None or (isinstance(value, float) and value != value):
        return "\u2013"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{float(value):,.{digits}f}"


def _percent(value: Any, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "\u2013"
    return f"{100 * float(value):.{digits}f}%"


@cache
def environment() -> jinja2.Environment:
    """The shared Environment: templates from ``geoflex/report/templates`` in the package.

    Autoescaping is on for every template, so any string from data is escaped unless a
    block marks its own, already-escaped, output as safe.

    Examples
    --------
    >>> import jinja2.sandbox
    >>> isinstance(environment(), jinja2.sandbox.ImmutableSandboxedEnvironment)
    True
    """
    jinja = require("jinja2", "report")
    sandbox: Any = require("jinja2.sandbox", "report")
    env: jinja2.Environment = sandbox.ImmutableSandboxedEnvironment(
        loader=jinja.PackageLoader("geoflex.report", "templates"),  # type: ignore[attr-defined]
        autoescape=True,
        undefined=jinja.StrictUndefined,  # type: ignore[attr-defined]
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["number"] = _number
    env.filters["percent"] = _percent
    return env
