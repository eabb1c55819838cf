"""The ids of the events already written, kept across restarts, bounded.

Event Streams delivers at least once and retries a batch for up to four hours, so the same
CloudEvent can arrive many times, also after the receiver restarted. The most recent
``capacity`` ids are kept in memory (oldest forgotten first) and appended to a log in the
state folder, one JSON string a line. The log is not synced per batch: the event files are
the truth, and the ids of the newest event file (the only one a crash can leave ahead of
the log) are read back from it at start. The log is synced whenever a new event file is
started, and rewritten to its last ``capacity`` ids when it grows past twice that.
"""

from __future__ import annotations

import json
import os
from collections import deque
from collections.abc import Iterable
from pathlib import Path

from geoflex.collect._layout import fsync_directory

__all__ = ["SeenIds"]


class SeenIds:
    """A bounded, persisted set of event ids (first in, first forgotten)."""

    def __init__(self, log: Path, *, capacity: int = 1_000_000) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.log = log
        self.capacity = capacity
        self._order: deque[str] = deque()
        self._set: set[str] = set()
        self._logged = 0
        for line in _lines(log):
            try:
                value = json.loads(line)
            except ValueError:
                continue  # a line cut by a crash: the event file has the id
            if isinstance(value, str):
                self._remember(value)
            self._logged += 1
        self._handle = open(log, "ab")  # noqa: SIM115 - held open for the receiver's life

    def __contains__(self, event_id: object) -> bool:
        return event_id in self._set

    def __len__(self) -> int:
        return len(self._set)

    def add(self, ids: Iterable[str]) -> None:
        """Remember ids (already written to an event file) and append them to the log."""
        fresh = [i for i in ids if i not in self._set]
        for event_id in fresh:
            self._remember(event_id)
        if fresh:
            self._handle.write("".join(json.dumps(i) + "\n" for i in fresh).encode())
            self._handle.flush()
            self._logged += len(fresh)
            if self._logged > 2 * self.capacity:
                self._compact()

    def sync(self) -> None:
        """Make the log durable (before a new event file is started, and at exit)."""
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def close(self) -> None:
        self.sync()
        self._handle.close()

    def _remember(self, event_id: str) -> None:
        if event_id in self._set:
            return
        self._order.append(event_id)
        self._set.add(event_id)
        if len(self._order) > self.capacity:
            self._set.discard(self._order.popleft())

    def _compact(self) -> None:
        """Rewrite the log to the ids kept in memory (write, sync, rename, sync folder)."""
        fresh = self.log.with_name(self.log.name + ".new")
        with open(fresh, "wb") as handle:
            handle.write("".join(json.dumps(i) + "\n" for i in self._order).encode())
            handle.flush()
            os.fsync(handle.fileno())
        self._handle.close()
        os.replace(fresh, self.log)
        fsync_directory(self.log.parent)
        self._handle = open(self.log, "ab")  # noqa: SIM115
        self._logged = len(self._order)


def _lines(path: Path) -> list[bytes]:
    """A file's lines (none for a missing file). The log holds at most about twice the
    capacity: it is compacted past that."""
    try:
        return path.read_bytes().splitlines()
    except FileNotFoundError:
        return []
