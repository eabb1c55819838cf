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
from geoflex.report._metrics import duration
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
    "csv_data_uri",
]

ColumnFormat = Literal["int", "float", "percent", "seconds", "hours", "text"]
"""How a number is shown: ``seconds`` is a duration as h:mm:ss (handle, talk, wait times),
``hours`` a workload in hours ("12.5 h"), ``percent`` a share in [0, 1] as "83.2%"."""


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
        return duration(float(value))
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


def _sort_key(value: Any) -> str | None:
    """What a cell sorts by (tablesort's ``data-sort``): the raw number or ISO time."""
    if value is None or isinstance(value, bool | str):
        return None
    if isinstance(value, int | float):
        return repr(value) if value == value else None
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return None


def csv_data_uri(frame: pl.DataFrame) -> str:
    """A ``data:`` URI of the frame as UTF-8 CSV (base64), for a download link."""
    import base64

    flat = frame.with_columns(
        pl.col(c).cast(pl.String)
        for c, t in frame.schema.items()
        if t.is_nested() or isinstance(t, pl.Object)
    )
    encoded = base64.b64encode(flat.write_csv().encode("utf-8")).decode("ascii")
    return "data:text/csv;charset=utf-8;base64," + encoded


def csv_name(caption: str | None, block_id: str) -> str:
    """A file name for a block's CSV: its caption in lower case, words joined by dashes.

    >>> csv_name("Busiest cities (by conversations)", "b3")
    'busiest-cities-by-conversations.csv'
    """
    words = "".join(ch if ch.isalnum() else " " for ch in (caption or "").lower()).split()
    return "-".join(words)[:80] + ".csv" if words else f"table-{block_id}.csv"


@dataclass(frozen=True)
class Table:
    """A frame as an HTML table (every cell escaped; phone numbers masked by default).

    Every row is on the page: the table sorts by any column (click a header), filters by
    the search box, and downloads as CSV (every row, raw numbers: seconds, shares in
    [0, 1]; headers as shown).

    Parameters
    ----------
    frame
        What to show, already aggregated.
    caption
        Shown above the table.
    formats
        Column -> how to format its numbers (default by dtype); durations are seconds.
    labels
        Column -> header text (default: the column name with spaces for underscores).
    note
        What the numbers are out of (their denominators), shown under the caption.
    collapsed
        Show the table folded under its caption (``<details>``).
    max_rows
        Show only this many rows on the page (the CSV still has all); None: all.
    csv_columns
        Head the CSV with the column names (for tools that import it) instead of the
        headers shown.
    """

    frame: pl.DataFrame
    caption: str | None = None
    max_rows: int | None = None
    formats: Mapping[str, ColumnFormat] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=dict)
    show_phone_numbers: bool = False
    collapsed: bool = False
    note: str | None = None
    csv_columns: bool = False
    needs_vega: bool = field(default=False, init=False)

    def header(self, column: str) -> str:
        """The header shown for a column (and used in the CSV)."""
        label = self.labels.get(column, column.replace("_", " "))
        return label[:1].upper() + label[1:]

    def render(self, *, block_id: str) -> str:
        frame = redact_frame(self.frame, show_phone_numbers=self.show_phone_numbers)
        shown = frame if self.max_rows is None else frame.head(self.max_rows)
        numeric = {c for c, t in shown.schema.items() if t.is_numeric() or t.is_temporal()}
        columns = [(self.header(c), "num" if c in numeric else "") for c in shown.columns]
        fmts = [self.formats.get(c) for c in shown.columns]
        rows = [
            [(_format(v, f), _sort_key(v)) for v, f in zip(row, fmts, strict=True)]
            for row in shown.iter_rows()
        ]
        headers = {c: c if self.csv_columns else self.header(c) for c in frame.columns}
        return _render(
            "blocks/table.html.j2",
            block_id=block_id,
            caption=self.caption,
            note=self.note,
            columns=columns,
            rows=rows,
            total=frame.height,
            collapsed=self.collapsed,
            csv_href=csv_data_uri(frame.rename(headers)) if frame.width else None,
            csv_name=csv_name(self.caption, block_id),
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

    def data(self) -> pl.DataFrame | None:
        """The chart's data (its first inline dataset), as the CSV download offers it."""
        spec = self.spec()
        records: Any = None
        if isinstance(spec.get("datasets"), dict) and spec["datasets"]:
            records = next(iter(spec["datasets"].values()))
        elif isinstance(spec.get("data"), dict):
            records = spec["data"].get("values")
        if not isinstance(records, list) or not records:
            return None
        try:
            return pl.DataFrame(records, infer_schema_length=None)
        except (TypeError, ValueError, pl.exceptions.PolarsError):
            return None

    def render(self, *, block_id: str) -> str:
        data = self.data()
        return _render(
            "blocks/chart.html.j2",
            block_id=block_id,
            caption=self.caption,
            spec=script_json(self.spec()),
            csv_href=None if data is None else csv_data_uri(data),
            csv_name=csv_name(self.caption or _chart_title(self.spec()), block_id),
            rows=0 if data is None else data.height,
        )


def _chart_title(spec: Mapping[str, Any]) -> str | None:
    title = spec.get("title")
    if isinstance(title, dict):
        title = title.get("text")
    return title if isinstance(title, str) else None


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
