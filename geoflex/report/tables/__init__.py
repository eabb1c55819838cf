"""Tables of the report pages: which columns, headers (with units and denominators), formats."""

from __future__ import annotations

from geoflex.report.tables._service import service_table

__all__ = ["service_table"]
