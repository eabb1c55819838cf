"""Durable, rotating NDJSON event files: a batch is on the disk before it is acknowledged.

Each batch is one ``write`` of whole lines followed by ``fsync``; only then does the
receiver answer 200. The active file has its final name from the start (``events-<UTC
time>.ndjson``, names sort by time), so ``read_events`` sees every acknowledged event at
once. A crash can leave at most one torn line, at the end of the newest file (a batch whose
write did not finish, never acknowledged): :meth:`EventFiles.recover` cuts it off (keeping
its bytes under the state folder) before anything is appended, and every process starts a
new file, so records are never glued together. A failed write is cut back off the file
for the same reason.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from geoflex.collect._layout import fsync_directory

__all__ = ["EventFiles", "Recovered"]

_PREFIX = "events-"
_SUFFIX = ".ndjson"


@dataclass(frozen=True)
class Recovered:
    """What :meth:`EventFiles.recover` found in the newest file."""

    file: str | None
    torn_bytes: int
    ids: list[str]


class EventFiles:
    """Appends batches of NDJSON lines to rotating files in ``directory``.

    Parameters
    ----------
    directory
        The events folder (it holds event files only).
    torn_dir
        Where the bytes of a torn last line are kept after a crash.
    rotate_bytes, rotate_seconds
        Start a new file once the active one is this big or this old.
    durable
        ``fsync`` every batch (off only to measure what durability costs).
    before_new_file
        Called before each new file is started (the id index syncs its log there).
    """

    def __init__(
        self,
        directory: Path,
        *,
        torn_dir: Path,
        rotate_bytes: int = 64 << 20,
        rotate_seconds: float = 3600.0,
        durable: bool = True,
        before_new_file: Callable[[], None] | None = None,
    ) -> None:
        self.directory = directory
        self.torn_dir = torn_dir
        self.rotate_bytes = rotate_bytes
        self.rotate_seconds = rotate_seconds
        self.durable = durable
        self.before_new_file = before_new_file
        self._fd: int | None = None
        self._name: str | None = None
        self._size = 0
        self._opened_at = 0.0
        # One writer at a time: a batch's lines must not interleave with another's.
        self._lock = threading.Lock()

    @property
    def active(self) -> str | None:
        """The base name of the file being appended to (None before the first batch)."""
        return self._name

    def files(self) -> list[Path]:
        """The event files, oldest first."""
        return sorted(
            p
            for p in self.directory.iterdir()
            if p.name.startswith(_PREFIX) and p.name.endswith(_SUFFIX)
        )

    def recover(self) -> Recovered:
        """Cut a torn last line off the newest file and return that file's event ids.

        Run once at start, before anything is appended. Only the newest file can be torn:
        every process appends to a file of its own, and a file is only ever appended to.
        """
        files = self.files()
        if not files:
            return Recovered(None, 0, [])
        newest = files[-1]
        torn = 0
        with open(newest, "r+b") as handle:
            data = handle.read()
            end = data.rfind(b"\n") + 1
            if end < len(data):
                torn = len(data) - end
                self.torn_dir.mkdir(parents=True, exist_ok=True)
                keep = self.torn_dir / f"{newest.name}.{end}.torn"
                keep.write_bytes(data[end:])
                handle.truncate(end)
                handle.flush()
                os.fsync(handle.fileno())
        return Recovered(newest.name, torn, list(_ids(data[:end])))

    def append(self, lines: Sequence[bytes]) -> None:
        """Write whole lines (each ending in a newline) and make them durable.

        Raises OSError when the lines could not be made durable; the file is then cut back
        to where it was, or, if even that fails, left for a new one.
        """
        payload = b"".join(lines)
        with self._lock:
            fd = self._file(len(payload))
            start = self._size
            try:
                view = memoryview(payload)
                while view:
                    view = view[os.write(fd, view) :]
                if self.durable:
                    os.fsync(fd)
            except OSError:
                self._undo(fd, start)
                raise
            self._size += len(payload)

    def close(self) -> None:
        with self._lock:
            if self._fd is not None:
                if self.durable:
                    os.fsync(self._fd)
                os.close(self._fd)
                self._fd = None

    def _file(self, incoming: int) -> int:
        """The active file's descriptor, after starting a new file when it is due."""
        fd = self._fd
        if fd is not None:
            full = self._size > 0 and self._size + incoming > self.rotate_bytes
            old = time.monotonic() - self._opened_at >= self.rotate_seconds
            if not (full or old):
                return fd
            os.close(fd)
            self._fd = None
        return self._open_new()

    def _open_new(self) -> int:
        if self.before_new_file is not None:
            self.before_new_file()
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        for attempt in range(1000):
            name = f"{_PREFIX}{stamp}{f'-{attempt}' if attempt else ''}{_SUFFIX}"
            try:
                fd = os.open(
                    self.directory / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o644
                )
            except FileExistsError:
                continue
            break
        else:  # pragma: no cover - a thousand files in one microsecond
            raise FileExistsError(f"cannot name a new event file in {self.directory}")
        # The new name must survive a power cut before any batch in it is acknowledged.
        fsync_directory(self.directory)
        self._fd, self._name, self._size = fd, name, 0
        self._opened_at = time.monotonic()
        return fd

    def _undo(self, fd: int, size: int) -> None:
        """Cut a failed batch off the file, so no torn line stays between good ones; when
        that fails too, the next batch goes to a new file."""
        try:
            os.ftruncate(fd, size)
            if self.durable:
                os.fsync(fd)
        except OSError:
            os.close(fd)
            self._fd = None


def _ids(data: bytes) -> Iterator[str]:
    """The ``id`` of every line this module wrote (one CloudEvent object per line)."""
    for line in data.splitlines():
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict) and isinstance(value.get("id"), str):
            yield value["id"]
