"""Report pages added beside the four in ``geoflex.report._pages``: the glossary."""

from __future__ import annotations

from geoflex.report.pages._glossary import glossary_entries, glossary_report

__all__ = ["glossary_entries", "glossary_report"]
