"""Charts as Vega-Lite specs built with Altair.

Why Altair/Vega-Lite: a declarative grammar whose output is a JSON spec (data included),
so a chart is plain data we can escape and embed in a static page, it draws as SVG in any
browser with the vendored Vega bundles (no server, no network), and Vega draws labels as
text nodes, so strings from data never become markup. Altair only builds the spec here.

Every function takes an aggregated polars frame and returns an Altair chart; rows are
converted to JSON values here (datetimes as ISO strings), so Altair never needs pandas.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from geoflex._errors import require
from geoflex.staffing._shifts import WEEKDAYS

__all__ = [
    "bar_chart",
    "hour_of_week_heatmap",
    "staffing_chart",
    "timeline_chart",
    "timezone_heatmap",
]

_WIDTH = 900


def _altair() -> None:
    """Raise MissingDependencyError naming the extra when Altair is not installed."""
    require("altair", "report")


def _values(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts: temporal values as ISO strings, NaN as null."""
    casts = []
    for name, dtype in frame.schema.items():
        if dtype == pl.Datetime or dtype == pl.Date:
            casts.append(pl.col(name).dt.to_string("%Y-%m-%dT%H:%M:%S"))
        elif dtype.is_float():
            casts.append(pl.col(name).fill_nan(None))
        elif dtype == pl.Categorical or isinstance(dtype, pl.Enum):
            casts.append(pl.col(name).cast(pl.String))
    rows = frame.with_columns(casts).to_dicts() if casts else frame.to_dicts()
    return [
        {k: (v.isoformat() if isinstance(v, dt.time) else v) for k, v in r.items()} for r in rows
    ]


def _inline(frame: pl.DataFrame) -> Any:
    """Inline Vega-Lite data for a frame."""
    import altair as alt

    return alt.Data(values=_values(frame))  # type: ignore[no-untyped-call]


def bar_chart(
    frame: pl.DataFrame,
    *,
    category: str,
    value: str,
    title: str,
    value_title: str | None = None,
    top: int = 15,
) -> Any:
    """Horizontal bars of ``value`` per ``category``, largest first (top ``top``)."""
    _altair()
    import altair as alt

    data = frame.select(pl.col(category).cast(pl.String).fill_null("(unknown)"), value)
    data = data.sort(value, descending=True, nulls_last=True).head(top)
    return (
        alt.Chart(_inline(data), title=title)
        .mark_bar(color="#2f6fb0")
        .encode(
            x=alt.X(f"{value}:Q", title=value_title or value.replace("_", " ")),
            y=alt.Y(f"{category}:N", sort="-x", title=None),
            tooltip=[
                alt.Tooltip(f"{category}:N", title=category.replace("_", " ")),
                alt.Tooltip(f"{value}:Q", title=value_title or value, format=",.0f"),
            ],
        )
        .properties(width=_WIDTH * 0.6, height=alt.Step(18))
    )


def hour_of_week_heatmap(
    frame: pl.DataFrame,
    *,
    value: str,
    title: str,
    value_title: str | None = None,
    diverging: bool = False,
    clock: str = "UTC",
) -> Any:
    """Weekday x hour heatmap from a frame with ``hour_of_week`` (0 = Monday 00:00).

    ``clock`` names the clock the hours are in (axis and tooltip labels).
    """
    _altair()
    import altair as alt

    data = frame.select(
        day=pl.col("hour_of_week").cast(pl.Int32) // 24,
        hour=pl.col("hour_of_week").cast(pl.Int32) % 24,
        value=pl.col(value).cast(pl.Float64),
    ).with_columns(day=pl.col("day").replace_strict(range(7), WEEKDAYS, return_dtype=pl.String))
    if diverging:
        limit = max(1.0, float(data.select(pl.col("value").abs().max()).item() or 0.0))
        scale = alt.Scale(scheme="redblue", reverse=True, domain=[-limit, limit], domainMid=0)
    else:
        scale = alt.Scale(scheme="blues")
    label = value_title or value.replace("_", " ")
    return (
        alt.Chart(_inline(data), title=title)
        .mark_rect()
        .encode(
            x=alt.X("hour:O", title=f"Hour ({clock})"),
            y=alt.Y("day:N", sort=list(WEEKDAYS), title=None),
            color=alt.Color("value:Q", title=label, scale=scale),
            tooltip=[
                alt.Tooltip("day:N", title="Day"),
                alt.Tooltip("hour:O", title=f"Hour ({clock})"),
                alt.Tooltip("value:Q", title=label, format=",.1f"),
            ],
        )
        .properties(width=_WIDTH * 0.75, height=alt.Step(22))
    )


def timezone_heatmap(
    frame: pl.DataFrame,
    *,
    zone: str,
    value: str,
    title: str,
    value_title: str | None = None,
) -> Any:
    """One row per timezone, one column per local hour-of-week (0 = Monday 00:00 local)."""
    _altair()
    import altair as alt

    data = frame.select(
        pl.col(zone).cast(pl.String).fill_null("(unknown)").alias("zone"),
        pl.col("hour_of_week").cast(pl.Int32),
        pl.col(value).cast(pl.Float64).alias("value"),
    ).with_columns(
        when=pl.col("hour_of_week")
        .floordiv(24)
        .replace_strict(range(7), WEEKDAYS, return_dtype=pl.String)
        + pl.format(" {}:00", (pl.col("hour_of_week") % 24).cast(pl.String).str.zfill(2))
    )
    label = value_title or value.replace("_", " ")
    return (
        alt.Chart(_inline(data), title=title)
        .mark_rect()
        .encode(
            x=alt.X(
                "hour_of_week:O",
                title="Local hour of the week (Mon 00:00 → Sun 23:00)",
                axis=alt.Axis(
                    values=list(range(0, 168, 24)),
                    labelExpr="['Mon','Tue','Wed',"
                    "'Thu','Fri','Sat','Sun'][floor(datum.value / 24)]",
                ),
            ),
            y=alt.Y("zone:N", title=None, sort=None),
            color=alt.Color("value:Q", title=label, scale=alt.Scale(scheme="blues")),
            tooltip=[
                alt.Tooltip("zone:N", title="Timezone"),
                alt.Tooltip("when:N", title="Local time"),
                alt.Tooltip("value:Q", title=label, format=",.1f"),
            ],
        )
        .properties(width=_WIDTH, height=alt.Step(16))
    )


def timeline_chart(
    frame: pl.DataFrame,
    *,
    time: str,
    value: str,
    title: str,
    color: str | None = None,
    marks: pl.DataFrame | None = None,
    mark_label: str | None = None,
    value_title: str | None = None,
) -> Any:
    """A line of ``value`` over ``time`` (one line per ``color``), with optional points.

    ``marks`` (same ``time``/``value`` columns, plus ``mark_label``) is drawn as red dots,
    e.g. detected spikes.
    """
    _altair()
    import altair as alt

    label = value_title or value.replace("_", " ")
    cols = [time, value] + ([color] if color else [])
    base = frame.select(cols).sort(time)
    encoding: dict[str, Any] = {
        "x": alt.X(f"{time}:T", title="Time (UTC)"),
        "y": alt.Y(f"{value}:Q", title=label),
        "tooltip": [
            alt.Tooltip(f"{time}:T", title="Time (UTC)", format="%Y-%m-%d %H:%M"),
            alt.Tooltip(f"{value}:Q", title=label, format=",.0f"),
        ],
    }
    if color:
        encoding["color"] = alt.Color(f"{color}:N", title=color.replace("_", " "))
        encoding["tooltip"].insert(0, alt.Tooltip(f"{color}:N"))
    line = (
        alt.Chart(_inline(base), title=title)
        .mark_line(strokeWidth=1.2)
        .encode(**encoding)
        .properties(width=_WIDTH, height=260)
    )
    if marks is None or marks.is_empty():
        return line
    extra = [mark_label] if mark_label else []
    points_data = marks.select([time, value, *extra])
    tooltip = [
        alt.Tooltip(f"{time}:T", title="Time (UTC)", format="%Y-%m-%d %H:%M"),
        alt.Tooltip(f"{value}:Q", title=label, format=",.0f"),
    ] + [alt.Tooltip(f"{m}:N", title=m.replace("_", " ")) for m in extra]
    points = (
        alt.Chart(_inline(points_data))
        .mark_point(color="#c0392b", filled=True, size=70)
        .encode(x=f"{time}:T", y=f"{value}:Q", tooltip=tooltip)
    )
    return alt.layer(line, points)


def staffing_chart(frame: pl.DataFrame, *, title: str) -> Any:
    """Required vs scheduled agents across the 168 UTC hours of the week."""
    _altair()
    import altair as alt

    data = frame.select(
        pl.col("hour_of_week").cast(pl.Int32),
        pl.col("required").cast(pl.Float64),
        pl.col("scheduled").cast(pl.Float64),
    ).unpivot(index="hour_of_week", variable_name="series", value_name="agents")
    return (
        alt.Chart(_inline(data), title=title)
        .mark_line(interpolate="step-after")
        .encode(
            x=alt.X(
                "hour_of_week:Q",
                title="Hour of the week (UTC)",
                scale=alt.Scale(domain=[0, 168]),
                axis=alt.Axis(
                    values=list(range(0, 169, 24)),
                    labelExpr="['Mon','Tue','Wed',"
                    "'Thu','Fri','Sat','Sun','Mon'][floor(datum.value / 24)]",
                ),
            ),
            y=alt.Y("agents:Q", title="Agents"),
            color=alt.Color(
                "series:N",
                title=None,
                scale=alt.Scale(domain=["required", "scheduled"], range=["#c0392b", "#2f6fb0"]),
            ),
            tooltip=[
                alt.Tooltip("series:N"),
                alt.Tooltip("hour_of_week:Q", title="Hour of week"),
                alt.Tooltip("agents:Q", format=",.1f"),
            ],
        )
        .properties(width=_WIDTH, height=240)
    )
