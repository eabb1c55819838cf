"""TaskRouter events and Flex attributes -> segments, conversations, customers, agents."""

from __future__ import annotations

from geoflex.ingest._build import UPDATE_WINDOW
from geoflex.ingest._locations import EDGES, PLACE_STATUSES, place_agents, read_ui_attributes
from geoflex.ingest._problems import PROBLEM_KINDS, UNUSED_KINDS
from geoflex.ingest._read import EventSource, FlexData, read_events

__all__ = [
    "EDGES",
    "PLACE_STATUSES",
    "PROBLEM_KINDS",
    "UNUSED_KINDS",
    "UPDATE_WINDOW",
    "EventSource",
    "FlexData",
    "place_agents",
    "read_events",
    "read_ui_attributes",
]
