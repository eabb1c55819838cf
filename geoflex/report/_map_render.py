"""folium maps to HTML with data kept as data: nothing from a map is rendered as a template.

branca (folium's base) renders a map in two passes. Each element's macros are rendered
with jinja2 (data enters them as variables: safe), and their *output* is wrapped in a new
``branca.element.Element``, whose constructor compiles that text as a jinja2 template and
whose ``render()`` evaluates it. A tooltip, popup, legend or layer name holding
``{{ 7*7 }}`` came out as ``49``; ``{{ cycler.__init__.__globals__.os.popen(...) }}`` ran
a shell command; ``{{`` alone raised TemplateSyntaxError.

Two independent defences, either enough against evaluation:

* **Sections that emit text.** :func:`isolate` gives the map's root figure header, body and
  script sections that write a finished, plain ``Element``'s text out verbatim instead of
  rendering it as a template, so text reaches the page as data whatever it contains. Every
  map geoflex draws is isolated (also one passed in with ``m=``), so ``render()``,
  ``save()`` and Jupyter's ``_repr_html_`` all take this path.
* **No braces in data.** Every data string geoflex gives folium is escaped by
  `geoflex.report._escape` with ``{`` and ``}`` as HTML character references (they display
  the same in tooltips, popups, legends and the layer control, all of which Leaflet inserts
  as HTML), so branca's compile step sees no template delimiter either and cannot fail.
"""

from __future__ import annotations

from functools import cache
from typing import Any, TypeVar

from geoflex._errors import require

__all__ = ["isolate", "render_map"]

_SECTIONS = ("header", "html", "script")
_M = TypeVar("_M")


@cache
def _section_class() -> type[Any]:
    """The section class, built on first use (folium/branca are optional dependencies)."""
    branca: Any = require("branca.element", "report")
    element: type[Any] = branca.Element

    class DataSection(element):  # type: ignore[misc]
        """A figure section whose finished-text children are written out, not rendered."""

        def render(self, **kwargs: Any) -> str:
            return _emit(self, kwargs)

    def _emit(parent: Any, kwargs: dict[str, Any]) -> str:
        parts = []
        for child in parent._children.values():
            if type(child) is not element:  # its own template (CssLink...): render as usual
                parts.append(child.render(**kwargs))
            elif child._template_str is not None:
                # Finished text (a macro's output, inlined CSS/JS): written out as data;
                # rendering it would evaluate any template syntax it carries.
                parts.append(child._template_str)
            else:  # a plain container
                parts.append(_emit(child, kwargs))
        return "\n".join(parts)

    return DataSection


def isolate(m: _M) -> _M:
    """Make ``m``'s root figure write text as data (idempotent); returns ``m``.

    Examples
    --------
    >>> import folium
    >>> from branca.element import Element
    >>> m = isolate(folium.Map(tiles=None))
    >>> _ = m.get_root().html.add_child(Element("<p>{{ 7*7 }}</p>"))
    >>> "<p>{{ 7*7 }}</p>" in m.get_root().render()
    True
    """
    section = _section_class()
    figure = m.get_root()  # type: ignore[attr-defined]
    for name in _SECTIONS:
        current = getattr(figure, name)
        if isinstance(current, section):
            continue
        replacement = section()
        replacement._parent = figure
        for key, child in current._children.items():
            replacement.add_child(child, name=key)
        setattr(figure, name, replacement)
    return m


def render_map(m: Any) -> str:
    """The complete HTML document of a folium map, its text kept as data (see module doc)."""
    return str(isolate(m).get_root().render())
