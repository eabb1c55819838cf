"""Sample Flex data: a deterministic generator and a small committed sample.

``generate`` / ``write`` make TaskRouter Event Streams events for any number of
conversations; ``events_path`` is the committed sample (a few thousand conversations, the
default input of the README's main command) and ``load`` reads it.
"""

from __future__ import annotations

import importlib.resources
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from geoflex.ingest import FlexData, read_events
from geoflex.sample._catalog import CENTRE_TIMEZONE, FLEX_LOCATIONS, ui_attributes
from geoflex.sample._generator import generate, phone_templates, write

__all__ = [
    "CENTRE_TIMEZONE",
    "FLEX_LOCATIONS",
    "SAMPLE_CONVERSATIONS",
    "SAMPLE_SEED",
    "events_path",
    "generate",
    "load",
    "phone_templates",
    "ui_attributes",
    "write",
]

#: How the committed sample was made: ``write(path, SAMPLE_CONVERSATIONS, seed=SAMPLE_SEED)``.
SAMPLE_CONVERSATIONS = 2500
SAMPLE_SEED = 2026


def events_path() -> AbstractContextManager[Path]:
    """The committed sample events file (NDJSON, gzipped), as a context-managed path.

    Examples
    --------
    >>> with events_path() as path:
    ...     path.name
    'events.ndjson.gz'
    """
    ref = importlib.resources.files("geoflex._data").joinpath("sample", "events.ndjson.gz")
    return importlib.resources.as_file(ref)


def load(**kwargs: Any) -> FlexData:
    """Read the committed sample with :func:`geoflex.read_events` (keywords passed on).

    Examples
    --------
    >>> data = load()
    >>> data.conversations.height == SAMPLE_CONVERSATIONS - data.counts["open_tasks"]
    True
    """
    with events_path() as path:
        return read_events(path, **kwargs)
