"""The building blocks of a report page: metrics, tables, charts, maps, text, links.

Each block renders itself with a template of the shared Environment (autoescape on) and
returns markup. Blocks only present what they are given; they compute nothing.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import polars as pl

from geoflex.report._env import environment, script_json
from geoflex.report._privacy import redact_frame, redact_value

__all__ = [
    "Block",
    "Bullets",
    "Chart",
    "Embed",
    "Links",
    "Metric",
    "Metrics",
    "Paragraphs",
    "Table",
]

ColumnFormat = Literal["int", "float", "percent", "seconds", "hours", "text"]


class Block(Protocol):
    """Anything a section can hold."""

    @property
    def needs_vega(self) -> bool:
        """True when the block needs the Vega scripts on the page."""
        ...

    def render(self, *, block_id: str) -> str:
        """Return the block's HTML; ``block_id`` is unique on the page."""
        ...


def _render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)


@dataclass(frozen=True)
class Metric:
    """One headline number: a label, a value and an optional note."""

    label: str
    value: Any
    note: str | None = None
    format: ColumnFormat = "int"


@dataclass(frozen=True)
class Metrics:
    """A row of headline numbers."""

    items: Sequence[Metric]
    needs_vega: bool = field(default=False, init=False)

    def render(self, *, block_id: str) -> str:
        items = [(m.label, _format(m.value, m.format), m.note) for m in self.items]
        return _render("blocks/metrics.html.j2", items=items, block_id=block_id)


def _format(value: Any, how: ColumnFormat | None) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "\u2013"
    if how == "percent":
        return f"{100 * float(value):.1f}%"
    if how == "seconds":
        return f"{float(value):,.0f} s"
    if how == "hours":
        return f"{float(value) / 3600:,.1f} h"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int) and how in (None, "int", "float"):
        return f"{value:,}"
    if isinstance(value, float):
        if how == "int":
            return f"{value:,.0f}"
        return f"{value:,.1f}"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True)
class Table:
    """A frame as an HTML table (every cell escaped; phone numbers masked by default).

    Parameters
    ----------
    frame
        What to show, already aggregated; only the first ``max_rows`` rows are shown.
    caption
        Shown above the table.
    formats
        Column -> how to format its numbers (default by dtype); durations are seconds.
    labels
        Column -> header text (default: the column name with spaces for underscores).
    collapsed
        Show the table folded under its caption (``<details>``).
    """

    frame: pl.DataFrame
    caption: str | None = None
    max_rows: int = 50
    formats: Mapping[str, ColumnFormat] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=dict)
    show_phone_numbers: bool = False
    collapsed: bool = False
    needs_vega: bool = field(default=False, init=False)

    def render(self, *, block_id: str) -> str:
        frame = redact_frame(self.frame, show_phone_numbers=self.show_phone_numbers)
        shown = frame.head(self.max_rows)
        numeric = {c for c, t in shown.schema.items() if t.is_numeric()}
        columns = [
            (self.labels.get(c, c.replace("_", " ")), "num" if c in numeric else "")
            for c in shown.columns
        ]
        fmts = [self.formats.get(c) for c in shown.columns]
        rows = [
            [_format(v, f) for v, f in zip(row, fmts, strict=True)] for row in shown.iter_rows()
        ]
        return _render(
            "blocks/table.html.j2",
            block_id=block_id,
            caption=self.caption,
            columns=columns,
            rows=rows,
            total=frame.height,
            collapsed=self.collapsed,
        )


def _redact_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """Mask phone numbers in a Vega-Lite spec's inline data (top level and nested)."""
    out = dict(spec)
    if "datasets" in out:
        out["datasets"] = {k: redact_value(v) for k, v in out["datasets"].items()}
    data = out.get("data")
    if isinstance(data, dict) and "values" in data:
        out["data"] = {**data, "values": redact_value(data["values"])}
    for key in ("layer", "hconcat", "vconcat", "concat"):
        if isinstance(out.get(key), list):
            out[key] = [_redact_spec(s) if isinstance(s, dict) else s for s in out[key]]
    return out


@dataclass(frozen=True)
class Chart:
    """A Vega-Lite chart (an Altair chart or a spec dict) drawn by vega-embed as SVG.

    The spec is embedded as JSON with ``<``, ``>`` and ``&`` escaped, so no data string
    can end the script element; Vega draws text as SVG text and its tooltip plugin escapes
    HTML, so labels from data never become markup.
    """

    chart: Any
    caption: str | None = None
    show_phone_numbers: bool = False
    needs_vega: bool = field(default=True, init=False)

    def spec(self) -> dict[str, Any]:
        spec = self.chart if isinstance(self.chart, dict) else self.chart.to_dict()
        return spec if self.show_phone_numbers else _redact_spec(spec)

    def render(self, *, block_id: str) -> str:
        return _render(
            "blocks/chart.html.j2",
            block_id=block_id,
            caption=self.caption,
            spec=script_json(self.spec()),
        )


@dataclass(frozen=True)
class Embed:
    """A complete HTML page (a folium map) shown in a sandbox-free iframe via ``srcdoc``.

    The page is one attribute value, escaped as a whole; its own content must already be
    safe (the maps module escapes every data string it puts in tooltips and popups).
    """

    page: str
    caption: str | None = None
    height: int = 520
    needs_vega: bool = field(default=False, init=False)

    def render(self, *, block_id: str) -> str:
        return _render(
            "blocks/embed.html.j2",
            block_id=block_id,
            caption=self.caption,
            height=self.height,
            srcdoc=self.page,
        )


@dataclass(frozen=True)
class Paragraphs:
    """Plain text paragraphs (escaped)."""

    texts: Sequence[str]
    needs_vega: bool = field(default=False, init=False)

    def render(self, *, block_id: str) -> str:
        return _render("blocks/paragraphs.html.j2", block_id=block_id, texts=self.texts)


@dataclass(frozen=True)
class Bullets:
    """A bulleted list of plain-text items (escaped)."""

    items: Sequence[str]
    caption: str | None = None
    show_phone_numbers: bool = False
    needs_vega: bool = field(default=False, init=False)

    def render(self, *, block_id: str) -> str:
        items = [redact_value(i, show_phone_numbers=self.show_phone_numbers) for i in self.items]
        return _render(
            "blocks/bullets.html.j2", block_id=block_id, caption=self.caption, items=items
        )


@dataclass(frozen=True)
class Links:
    """Links to the other reports (relative file names)."""

    links: Sequence[tuple[str, str]]
    needs_vega: bool = field(default=False, init=False)

    def render(self, *, block_id: str) -> str:
        return _render("blocks/links.html.j2", block_id=block_id, links=self.links)


def iframe(page: str, *, height: int = 640, title: str = "report") -> str:
    """A whole page inside an iframe's ``srcdoc`` (for Jupyter's ``_repr_html_``)."""
    return (
        f'<iframe title="{html.escape(title, quote=True)}" srcdoc="{html.escape(page, quote=True)}"'
        f' style="width:100%;height:{int(height)}px;border:1px solid #ddd"></iframe>'
    )
