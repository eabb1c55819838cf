"""Colour classes and the map legend (a Leaflet control written by geoflex, no CDN needed).

branca's colormap legend needs d3 from a CDN and has no "no data" entry, so geoflex draws
its own: one swatch per class, a grey "No data" swatch, and notes on data that could not be
placed. All text in it is escaped.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Sequence
from typing import Any

from geoflex.report._escape import text
from geoflex.report._metrics import MetricSpec

__all__ = ["NO_DATA", "Legend", "class_labels", "colour_for", "legend_html", "palette"]

#: Sequential light-to-dark palette (ColorBrewer YlOrRd, 6 classes).
_PALETTE = ("#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026")
#: Places without data: a neutral grey, clearly not part of the palette.
NO_DATA = "#d0d0d0"


def palette(classes: int) -> list[str]:
    """``classes`` colours spread over the palette, lightest first.

    Examples
    --------
    >>> palette(2)
    ['#ffffb2', '#bd0026']
    """
    if classes <= 1:
        return [_PALETTE[-2]]
    last = len(_PALETTE) - 1
    return [_PALETTE[round(i * last / (classes - 1))] for i in range(classes)]


def colour_for(value: float | None, breaks: Sequence[float], colours: Sequence[str]) -> str:
    """Colour of ``value`` for classes ``[b0, b1), [b1, b2), ... [bn-1, bn]``; grey if missing.

    Examples
    --------
    >>> colour_for(5.0, [0.0, 10.0, 20.0], ["#a", "#b"])
    '#a'
    >>> colour_for(20.0, [0.0, 10.0, 20.0], ["#a", "#b"])
    '#b'
    >>> colour_for(None, [0.0, 10.0, 20.0], ["#a", "#b"])
    '#d0d0d0'
    """
    if value is None or value != value or not colours:
        return NO_DATA
    index = bisect.bisect_right(breaks, value) - 1
    return colours[min(max(index, 0), len(colours) - 1)]


def class_labels(breaks: Sequence[float], spec: MetricSpec) -> list[str]:
    """Legend labels, one per class; integer counts read "1 to 9", "10 to 49".

    Examples
    --------
    >>> from geoflex.report._metrics import metric_spec
    >>> class_labels([1.0, 10.0, 50.0], metric_spec("conversations", [1, 50]))
    ['1 to 9', '10 to 50']
    """
    if len(breaks) < 2:
        return []
    if len(breaks) == 2 and breaks[0] == breaks[1]:
        return [spec.format(breaks[0])]
    counts = spec.scale == 1 and spec.decimals == 0 and not spec.hms
    integral = counts and all(b.is_integer() for b in breaks)
    labels = []
    for i, (low, high) in enumerate(itertools.pairwise(breaks)):
        last = i == len(breaks) - 2
        upper = high if last or not integral else high - 1
        if upper == low:
            labels.append(spec.format(low))
        else:
            labels.append(f"{spec.format(low)} to {spec.format(upper)}")
    return labels


def legend_html(
    title: str,
    entries: Sequence[tuple[str, str]],
    *,
    notes: Sequence[str] = (),
    no_data: bool = True,
) -> str:
    """Legend markup: an escaped title, (colour, label) swatches, a "No data" swatch, notes."""
    rows = [f'<div class="geoflex-legend-title">{text(title)}</div>']
    swatches = list(entries) + ([(NO_DATA, "No data")] if no_data else [])
    for colour, label in swatches:
        rows.append(f'<div><i style="background:{text(colour)}"></i>{text(label)}</div>')
    rows.extend(f'<div class="geoflex-legend-note">{text(note)}</div>' for note in notes)
    return "".join(rows)


_CSS = """
<style>
.geoflex-legend {background: rgba(255,255,255,0.92); padding: 6px 9px; border-radius: 4px;
  box-shadow: 0 1px 4px rgba(0,0,0,0.3); font: 12px/1.4 system-ui, -apple-system, "Segoe UI",
  Roboto, Arial, sans-serif; color: #222; max-width: 260px;}
.geoflex-legend-title {font-weight: 600; margin-bottom: 4px;}
.geoflex-legend i {display: inline-block; width: 14px; height: 12px; margin-right: 6px;
  vertical-align: -1px; border: 1px solid #999;}
.geoflex-legend-note {margin-top: 4px; color: #555; font-size: 11px;}
.leaflet-container {background: #eef2f5;}
</style>
"""


def _legend_class() -> type[Any]:
    """Build the folium element class lazily (folium is an optional dependency)."""
    from branca import element as branca
    from folium.template import Template

    macro_element: Any = branca.MacroElement
    element: Any = branca.Element

    class Legend(macro_element):  # type: ignore[misc]
        """A Leaflet control holding pre-escaped legend HTML, shown with its layer."""

        _template = Template(
            """
            {% macro script(this, kwargs) %}
            (function() {
                var map = {{ this._parent.get_name() }};
                var legend = L.control({position: {{ this.position|tojson }}});
                legend.onAdd = function() {
                    var div = L.DomUtil.create("div", "geoflex-legend");
                    div.innerHTML = {{ this.html|tojson }};
                    L.DomEvent.disableScrollPropagation(div);
                    return div;
                };
                legend.addTo(map);
                {%- if this.layer_name %}
                var layer = {{ this.layer_name }};
                if (!map.hasLayer(layer)) { legend.remove(); }
                map.on("overlayadd", function(e) { if (e.layer === layer) legend.addTo(map); });
                map.on("overlayremove", function(e) { if (e.layer === layer) legend.remove(); });
                {%- endif %}
            })();
            {% endmacro %}
            """
        )

        def __init__(self, html: str, *, layer_name: str | None, position: str) -> None:
            super().__init__()
            self._name = "GeoflexLegend"
            self.html = html
            self.layer_name = layer_name
            self.position = position

        def render(self, **kwargs: Any) -> Any:
            figure: Any = self.get_root()
            figure.header.add_child(element(_CSS), name="geoflex_legend_css")
            return super().render(**kwargs)

    return Legend


_LEGEND: type[Any] | None = None


def Legend(html: str, *, layer_name: str | None, position: str = "bottomright") -> Any:  # noqa: N802
    """A legend control for a folium map; ``html`` must already be escaped (see legend_html)."""
    global _LEGEND
    if _LEGEND is None:
        _LEGEND = _legend_class()
    return _LEGEND(html, layer_name=layer_name, position=position)
