"""One writer thread that commits batches in groups: dedup, append, fsync, then answer.

Requests hand their batch to :class:`Committer` and wait for its verdict. The thread takes
every batch waiting, drops events already written (the persisted id index, and repeats
within the group), appends the rest in one write, syncs once, records their ids, and only
then resolves each request's future. One ``fsync`` thus acknowledges every batch that
arrived while the previous one ran (group commit): durability costs one disk sync per
group, not one per request. The single thread is also what keeps appends and the id index
consistent; no two batches are ever written at the same time.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass

from geoflex.collect._dedup import SeenIds
from geoflex.collect._writer import EventFiles

__all__ = ["BusyError", "Committed", "Committer", "Event"]

# A batch's events: (CloudEvent id, its NDJSON line).
Event = tuple[str, bytes]


class BusyError(Exception):
    """Too many batches are waiting to be written; the sender should retry later."""


@dataclass(frozen=True)
class Committed:
    """A batch's verdict: events written now, and events already written before."""

    written: int
    duplicates: int


@dataclass
class _Pending:
    events: Sequence[Event]
    future: Future[Committed]


class Committer:
    """The writer thread (see the module docstring); ``max_pending`` bounds the queue."""

    def __init__(self, files: EventFiles, seen: SeenIds, *, max_pending: int = 1024) -> None:
        self.files = files
        self.seen = seen
        self._queue: queue.Queue[_Pending | None] = queue.Queue(maxsize=max_pending)
        self._thread = threading.Thread(target=self._run, name="geoflex-commit", daemon=True)
        self.groups = 0
        self._thread.start()

    def submit(self, events: Sequence[Event]) -> Future[Committed]:
        """Queue a batch; its future resolves once it is durable (or raises OSError)."""
        future: Future[Committed] = Future()
        try:
            self._queue.put_nowait(_Pending(events, future))
        except queue.Full:
            raise BusyError from None
        return future

    def close(self) -> None:
        """Write what is queued, then stop the thread."""
        self._queue.put(None)
        self._thread.join()

    def _run(self) -> None:
        stop = False
        while not stop:
            first = self._queue.get()
            if first is None:
                break
            group = [first]
            while True:  # everything that arrived meanwhile joins this group
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stop = True
                    break
                group.append(item)
            self._commit(group)

    def _commit(self, group: list[_Pending]) -> None:
        lines: list[bytes] = []
        ids: list[str] = []
        verdicts: list[Committed] = []
        taken: set[str] = set()
        for pending in group:
            written = 0
            for event_id, line in pending.events:
                if event_id in self.seen or event_id in taken:
                    continue
                taken.add(event_id)
                ids.append(event_id)
                lines.append(line)
                written += 1
            verdicts.append(Committed(written, len(pending.events) - written))
        try:
            if lines:
                self.files.append(lines)
                self.seen.add(ids)
        except OSError as exc:
            for pending in group:
                pending.future.set_exception(exc)
            return
        self.groups += 1
        for pending, verdict in zip(group, verdicts, strict=True):
            pending.future.set_result(verdict)
