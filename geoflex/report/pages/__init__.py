"""The report pages, one module each. A page takes already-computed frames and lays them
out: nothing here aggregates raw data (`geoflex.report.build_all`, or a notebook, computes
the frames with `geoflex.aggregate` / `geoflex.staffing` and passes them in)."""

from __future__ import annotations

from geoflex.report.pages._common import REPORT_FILES
from geoflex.report.pages._glossary import glossary_entries, glossary_report
from geoflex.report.pages._overview import overview_report
from geoflex.report.pages._places import places_report
from geoflex.report.pages._spikes import spikes_report
from geoflex.report.pages._staffing import staffing_report

__all__ = [
    "REPORT_FILES",
    "glossary_entries",
    "glossary_report",
    "overview_report",
    "places_report",
    "spikes_report",
    "staffing_report",
]
