"""Staffing: Erlang C and Erlang A, shifts in local time, coverage, gaps, recommendations."""

from __future__ import annotations

from geoflex.staffing._coverage import recommendations, scheduled_coverage, staffing_gap
from geoflex.staffing._demand import hour_of_week_expr, weekly_demand
from geoflex.staffing._distance import nearest_sites
from geoflex.staffing._edges import EDGE_COORDINATES, review_flex_locations
from geoflex.staffing._erlang import ErlangResult, erlang_c
from geoflex.staffing._erlang_a import ErlangAResult, erlang_a, patience_from_waits
from geoflex.staffing._export import requirement_schedule
from geoflex.staffing._required import required_agents
from geoflex.staffing._shifts import WEEKDAYS, Shift, ShiftPlan, Weekday, hour_label, parse_shifts

__all__ = [
    "EDGE_COORDINATES",
    "WEEKDAYS",
    "ErlangAResult",
    "ErlangResult",
    "Shift",
    "ShiftPlan",
    "Weekday",
    "erlang_a",
    "erlang_c",
    "hour_label",
    "hour_of_week_expr",
    "nearest_sites",
    "parse_shifts",
    "patience_from_waits",
    "recommendations",
    "required_agents",
    "requirement_schedule",
    "review_flex_locations",
    "scheduled_coverage",
    "staffing_gap",
    "weekly_demand",
]
