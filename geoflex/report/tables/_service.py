"""Service-metric tables: one per place level, queue, channel and local hour.

Headers carry the unit and the denominator of each number; the glossary page defines them.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from geoflex.report._blocks import ColumnFormat, Table

__all__ = ["SERVICE_FORMATS", "service_labels", "service_table"]

SERVICE_FORMATS: dict[str, ColumnFormat] = {
    "service_level": "percent",
    "abandonment_rate": "percent",
    "share": "percent",
    "average_speed_of_answer": "seconds",
    "average_handle_time": "seconds",
    "handle_time": "hours",
}
# The metric columns shown, in order (the rest of `service_metrics`' output stays in the
# frame's CSV only when shown here: the counts behind the rates are shown too).
_SHOWN = (
    "conversations",
    "share",
    "segments",
    "offered",
    "service_level",
    "average_speed_of_answer",
    "abandonment_rate",
    "short_abandons",
    "average_handle_time",
    "handle_time",
)
# Per level: the key and name columns shown before the metrics, with their headers.
_LEAD: dict[str, tuple[tuple[str, str], ...]] = {
    "region": (("place", "Region"),),
    "country": (("place", "Country"), ("country", "ISO code")),
    "state": (("place", "State or province"), ("state_code", "ISO code"),
              ("country_name", "Country")),
    "city": (("place", "City"), ("state", "State or province"), ("country_name", "Country")),
    "area_code": (("area_code", "Area code"),),
    "queue": (("queue", "Queue"),),
    "channel": (("channel", "Channel"),),
    "local_hour": (("local_hour", "Customer's local hour"),),
    "overall": (),
}  # fmt: skip


def service_labels(threshold_s: float, short_abandon_s: float) -> dict[str, str]:
    """Headers of the metric columns: what each number is, its unit and its denominator."""
    return {
        "conversations": "Conversations",
        "share": "Share of all conversations",
        "segments": "Segments",
        "offered": "Offered",
        "answered": "Answered",
        "abandoned": "Abandoned",
        "short_abandons": f"Short abandons (< {short_abandon_s:g} s)",
        "service_level": f"Service level ({threshold_s:g} s)",
        "average_speed_of_answer": "Avg speed of answer",
        "abandonment_rate": "Abandonment rate",
        "average_handle_time": "Avg handle time",
        "handle_time": "Workload (hours)",
    }


def service_table(
    frame: pl.DataFrame,
    kind: str,
    *,
    caption: str,
    threshold_s: float,
    short_abandon_s: float,
    show_phone_numbers: bool = False,
    extra_labels: Mapping[str, str] | None = None,
) -> Table:
    """A `Table` of `geoflex.service_metrics` / `place_metrics` output for one kind of row
    (a place level, ``queue``, ``channel``, ``local_hour`` or ``overall``)."""
    lead = [(c, label) for c, label in _LEAD.get(kind, ((kind, kind),)) if c in frame.columns]
    columns = [c for c, _ in lead] + [c for c in _SHOWN if c in frame.columns]
    labels = {**dict(lead), **service_labels(threshold_s, short_abandon_s), **(extra_labels or {})}
    note = (
        f"Service level: segments answered within {threshold_s:g} s / offered segments. "
        "Abandonment rate: abandoned / offered. Offered = answered + abandoned segments, "
        f"short abandons (under {short_abandon_s:g} s) left out. Speed of answer and handle "
        "time: means over answered segments (h:mm:ss); workload: handle hours. Share: of all "
        "conversations. A conversation counts once in each row it reached. See the Glossary."
    )
    return Table(
        frame.select(columns),
        caption=caption,
        formats=SERVICE_FORMATS,
        labels=labels,
        note=note,
        show_phone_numbers=show_phone_numbers,
    )
