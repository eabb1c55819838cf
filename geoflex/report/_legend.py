"""Colour classes and the map legend (written by geoflex, no CDN needed).

branca's colormap legend needs d3 from a CDN and has no "no data" entry, so geoflex draws
its own: one swatch per class, a grey "No data" swatch, and notes on data that could not be
placed. Each map has one legend, a panel below the map, holding a section per layer on the
map. All text in it is escaped.
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
body {display: flex; flex-direction: column;}
body > .folium-map {flex: 1 1 auto; min-height: 0; height: auto !important;}
.geoflex-legend {flex: 0 0 auto; max-height: 40%; overflow: auto; display: flex;
  flex-wrap: wrap; gap: 4px 28px; padding: 6px 10px; border-top: 1px solid #d5dbe0;
  background: #fff; font: 12px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, Arial,
  sans-serif; color: #222;}
.geoflex-legend:empty {display: none;}
.geoflex-legend-section {display: flex; flex-wrap: wrap; align-items: baseline;
  gap: 2px 12px; max-width: 100%;}
.geoflex-legend-title {font-weight: 600;}
.geoflex-legend i {display: inline-block; width: 14px; height: 12px; margin-right: 5px;
  vertical-align: -1px; border: 1px solid #999;}
.geoflex-legend-note {flex-basis: 100%; color: #555; font-size: 11px;}
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
        """One section of the map's single legend, shown while its layer is on the map.

        The legend is one panel per map, below the map (not over it): it can hide no data,
        no layer control and no other legend, on any page and at any size. Sections of
        layers switched off leave it; base layers (one coloured layer at a time) swap theirs.
        """

        _template = Template(
            """
            {% macro script(this, kwargs) %}
            (function() {
                var map = {{ this._parent.get_name() }};
                var legend = map._geoflexLegend;
                if (!legend) {
                    var div = document.createElement("div");
                    div.className = "geoflex-legend";
                    div.setAttribute("role", "group");
                    div.setAttribute("aria-label", "Legend");
                    var container = map.getContainer();
                    container.parentNode.insertBefore(div, container.nextSibling);
                    legend = map._geoflexLegend = {div: div, sections: [], pending: false};
                    legend.refresh = function() {
                        legend.pending = false;
                        var html = "";
                        legend.sections.forEach(function(section) {
                            if (section.layer === null || map.hasLayer(section.layer)) {
                                html += '<div class="geoflex-legend-section">'
                                    + section.html + "</div>";
                            }
                        });
                        if (div.innerHTML !== html) {
                            div.innerHTML = html;
                            map.invalidateSize({pan: false});
                        }
                    };
                    // one refresh after a burst of layer events (a layer's every feature)
                    legend.schedule = function() {
                        if (!legend.pending) {
                            legend.pending = true;
                            setTimeout(legend.refresh, 0);
                        }
                    };
                    map.on("layeradd layerremove", legend.schedule);
                }
                legend.sections.push({
                    html: {{ this.html|tojson }},
                    layer: {{ this.layer_name or "null" }}
                });
                // now, not later: the map's fitBounds (a script after this one) must see
                // the map's height without the legend, or it cuts off the edge it fits
                legend.refresh();
            })();
            {% endmacro %}
            """
        )

        def __init__(self, html: str, *, layer_name: str | None) -> None:
            super().__init__()
            self._name = "GeoflexLegend"
            self.html = html
            self.layer_name = layer_name

        def render(self, **kwargs: Any) -> Any:
            figure: Any = self.get_root()
            figure.header.add_child(element(_CSS), name="geoflex_legend_css")
            return super().render(**kwargs)

    return Legend


_LEGEND: type[Any] | None = None


def Legend(html: str, *, layer_name: str | None) -> Any:  # noqa: N802
    """A section of the map's one legend (a panel below the map), shown with its layer
    (``layer_name``; None: always); ``html`` must already be escaped (see legend_html)."""
    global _LEGEND
    if _LEGEND is None:
        _LEGEND = _legend_class()
    return _LEGEND(html, layer_name=layer_name)
