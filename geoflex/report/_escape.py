"""Escaping of data strings on their way into HTML.

folium's ``GeoJsonTooltip``/``GeoJsonPopup`` put feature properties into the page with
``innerHTML``, so a place name such as ``<img src=x onerror=alert(1)>`` would run as script.
Every string that comes from data goes through :func:`text` before it reaches a map; the
markup around it (``<b>``, ``<br>``, tables) is written by geoflex itself.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable

__all__ = ["lines", "text"]


def text(value: object) -> str:
    """Return ``value`` as HTML-escaped text (quotes included); None becomes "".

    Examples
    --------
    >>> text("<img src=x onerror=alert(1)>")
    '&lt;img src=x onerror=alert(1)&gt;'
    >>> text(None)
    ''
    """
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    return html.escape(str(value), quote=True)


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
