"""Tables of the report pages: which columns, headers (with units and denominators), formats."""

from __future__ import annotations

from geoflex.report.tables._quality import (
    accuracy_table,
    level_table,
    problem_table,
    status_table,
    truncation_table,
)
from geoflex.report.tables._service import service_table

__all__ = [
    "accuracy_table",
    "level_table",
    "problem_table",
    "service_table",
    "status_table",
    "truncation_table",
]
