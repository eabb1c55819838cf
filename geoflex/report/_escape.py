"""Escaping of data strings on their way into HTML.

folium's ``GeoJsonTooltip``/``GeoJsonPopup`` put feature properties into the page with
``innerHTML``, so a place name such as ``<img src=x onerror=alert(1)>`` would run as script.
Every string that comes from data goes through :func:`text` before it reaches a map; the
markup around it (``<b>``, ``<br>``, tables) is written by geoflex itself.

:func:`text` also writes ``{`` and ``}`` as character references: branca compiles a map's
rendered HTML as a jinja2 template (see `geoflex.report._map_render`), so braces from data
must not reach it as template delimiters. They display the same in HTML.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["inert_feature", "lines", "text"]

_BRACES = str.maketrans({"{": "&#123;", "}": "&#125;"})


def text(value: object) -> str:
    """Return ``value`` as HTML-escaped text (quotes and braces included); None becomes "".

    Examples
    --------
    >>> text("<img src=x onerror=alert(1)>")
    '&lt;img src=x onerror=alert(1)&gt;'
    >>> text("{{ 7*7 }}")
    '&#123;&#123; 7*7 &#125;&#125;'
    >>> text(None)
    ''
    """
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    return html.escape(str(value), quote=True).translate(_BRACES)


def _inert(value: Any) -> Any:
    if isinstance(value, str):
        return value.translate(_BRACES)
    if isinstance(value, Mapping):
        return {_inert(k): _inert(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_inert(v) for v in value]
    return value


def inert_feature(feature: Mapping[str, Any]) -> dict[str, Any]:
    """A GeoJSON feature for folium with braces in its id and properties as character
    references (properties hold HTML; geometry is rebuilt by geoflex and holds numbers).

    The last guard on the way into branca, whatever built the properties.

    Examples
    --------
    >>> inert_feature({"type": "Feature", "id": "0", "properties": {"tooltip": "{{x}}"},
    ...                "geometry": None})["properties"]
    {'tooltip': '&#123;&#123;x&#125;&#125;'}
    """
    return {
        "type": "Feature",
        "id": _inert(feature.get("id")),
        "properties": _inert(feature.get("properties") or {}),
        "geometry": feature.get("geometry"),
    }


def lines(title: str, rows: Iterable[tuple[str, str]]) -> str:
    """Build tooltip HTML from a title and (label, value) rows, escaping every part.

    Examples
    --------
    >>> lines("A&B", [("Conversations", "1,200")])
    '<b>A&amp;B</b><br>Conversations: 1,200'
    """
    parts = [f"<b>{text(title)}</b>"]
    parts.extend(f"{text(label)}: {text(value)}" for label, value in rows)
    return "<br>".join(parts)
