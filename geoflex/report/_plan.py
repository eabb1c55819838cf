"""Staffing plans from the report's small frames (the driver side of the staffing page):
required agents (Erlang C and A), coverage by the shifts, the gap, where to add people,
the schedule export, and the timezone heatmap's folding."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from geoflex.report._compute import ReportFrames
from geoflex.report._config import ReportConfig
from geoflex.staffing import (
    recommendations,
    required_agents,
    scheduled_coverage,
    staffing_gap,
)

__all__ = ["MAX_HEATMAP_ZONES", "fold_zones", "staffing_frames"]

#: The timezone heatmap shows this many zones at most; the rest are folded into one row.
MAX_HEATMAP_ZONES = 30


def fold_zones(local: pl.DataFrame, limit: int = MAX_HEATMAP_ZONES) -> tuple[pl.DataFrame, int]:
    """Every zone with volume (busiest first); beyond ``limit`` the quietest are summed into
    one row named "Other (N zones)". Returns the frame and how many zones were folded."""
    totals = (
        local.group_by("timezone")
        .agg(pl.col("total").sum())
        .filter(pl.col("total") > 0)
        .sort("total", "timezone", descending=[True, False], nulls_last=True)
    )
    kept = totals.head(limit - 1 if totals.height > limit else limit)["timezone"]
    folded = totals.height - kept.len()
    shown = local.filter(pl.col("timezone").is_in(totals["timezone"].implode()))
    if not folded:
        return shown, 0
    label = f"Other ({folded} zones)"
    return (
        shown.with_columns(
            timezone=pl.when(pl.col("timezone").is_in(kept.implode()))
            .then(pl.col("timezone"))
            .otherwise(pl.lit(label))
        )
        .group_by("timezone", "hour_of_week", maintain_order=True)
        .agg(pl.col("conversations").sum(), pl.col("total").sum()),
        folded,
    )


def staffing_frames(
    frames: ReportFrames, agents: pl.DataFrame | None, config: ReportConfig
) -> dict[str, Any]:
    """Demand, required agents (Erlang C, and Erlang A when the segments told the callers'
    patience), coverage, gap, recommendations and the per-interval schedule export."""
    from geoflex.staffing import requirement_schedule

    demand = frames.demand_utc
    local = frames.demand_local
    top_zones = (
        local.group_by("timezone")
        .agg(pl.col("total").sum())
        .sort(["total", "timezone"], descending=[True, False], nulls_last=True)
        .head(config.top)["timezone"]
    )
    local, folded_zones = fold_zones(local)
    patience = frames.patience_s
    default_aht = frames.default_aht_s
    if "aht_s" not in demand.columns:
        demand = demand.with_columns(aht_s=pl.lit(default_aht))
    required = required_agents(
        demand,
        interval_s=3600,
        target_answer_s=config.target_answer_s,
        service_level=config.service_level,
        shrinkage=config.shrinkage,
        max_occupancy=config.max_occupancy,
        default_aht_s=default_aht,
        patience_s=patience,
    )
    last = frames.last_start
    week_of = last.date() if isinstance(last, dt.datetime) else dt.date.today()
    if agents is None or not {"flex_location", "timezone"} <= set(agents.columns):
        agents = pl.DataFrame(schema={"flex_location": pl.String, "timezone": pl.String})
    coverage = scheduled_coverage(agents, shifts=config.shifts, week_of=week_of)
    gap = staffing_gap(required, coverage)
    # Existing sites first (they win ties), then where customers are: a block no site can
    # cover in daytime goes to the customers' own timezone (a new site or remote agents).
    sites = coverage.select("location", "timezone").unique(maintain_order=True).drop_nulls()
    zones = top_zones.drop_nulls().head(8)
    customers = pl.DataFrame({"location": zones, "timezone": zones}).filter(
        ~pl.col("timezone").is_in(sites["timezone"].implode())
    )
    candidates = pl.concat([sites, customers])
    recs = recommendations(gap, candidates=candidates, week_of=week_of)
    target = (
        f"{config.service_level:.0%} of conversations answered within "
        f"{config.target_answer_s:g} s, occupancy at most {config.max_occupancy:.0%}, "
        f"shrinkage {config.shrinkage:.0%}"
    )
    return {
        "demand_utc": demand,
        "demand_local": local,
        "demand_centre": frames.demand_centre,
        "required": required.select(
            "hour_of_week",
            "conversations",
            "aht_s",
            "traffic_erlangs",
            "agents",
            "scheduled",
            "service_level",
            "occupancy",
            *(
                [
                    "agents_erlang_a",
                    "scheduled_erlang_a",
                    "service_level_erlang_a",
                    "abandon_probability",
                ]
                if patience is not None
                else []
            ),
        ),
        "patience_s": patience,
        "folded_zones": folded_zones,
        # The requirement for the week after the data, as scheduling tools import it.
        "schedule": requirement_schedule(
            required, week_of=week_of + dt.timedelta(days=7), timezone=config.centre_timezone
        ),
        "coverage": coverage,
        "gap": gap,
        "recommendations": recs,
        "target": target,
        "week_of": week_of,
    }
