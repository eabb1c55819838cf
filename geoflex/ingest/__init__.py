"""TaskRouter events and Flex attributes -> segments, conversations, customers, agents."""

from __future__ import annotations

from geoflex.ingest._read import EventSource, FlexData, read_events

__all__ = ["EventSource", "FlexData", "read_events"]
