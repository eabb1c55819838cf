"""Static HTML reports: Report pages built from blocks (tables, Vega-Lite charts, maps).

Imports only polars here; jinja2, altair and folium load when a report renders.
"""

from __future__ import annotations

from geoflex.report._base import Report, Section
from geoflex.report._blocks import (
    Block,
    Bullets,
    Chart,
    Embed,
    Links,
    Metric,
    Metrics,
    Paragraphs,
    Table,
)
from geoflex.report._build import BUILD_STEPS, build_all
from geoflex.report._config import ReportConfig, config_schema, load_config
from geoflex.report._privacy import mask_phone_numbers, redact_frame
from geoflex.report._settings import ConfigSetting
from geoflex.report.pages import (
    REPORT_FILES,
    overview_report,
    places_report,
    spikes_report,
    staffing_report,
)

__all__ = [
    "BUILD_STEPS",
    "REPORT_FILES",
    "Block",
    "Bullets",
    "Chart",
    "ConfigSetting",
    "Embed",
    "Links",
    "Metric",
    "Metrics",
    "Paragraphs",
    "Report",
    "ReportConfig",
    "Section",
    "Table",
    "build_all",
    "config_schema",
    "load_config",
    "mask_phone_numbers",
    "overview_report",
    "places_report",
    "redact_frame",
    "spikes_report",
    "staffing_report",
]
