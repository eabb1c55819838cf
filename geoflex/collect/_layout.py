"""Where ``geoflex collect`` and ``geoflex fetch`` put things under ``--out DIR``.

``DIR/events/``   event files, and nothing else: ``geoflex.read_events(DIR/"events")`` reads
                  them unchanged, also while the receiver is appending to them
``DIR/flex/``     the Flex ``ui_attributes`` and the workspace's workers (``geoflex fetch``)
``DIR/.geoflex/`` state: the receiver's id index and lock, the fetcher's resume point

``geoflex report DIR`` recognises this layout (an ``events`` folder) and uses the Flex files
it finds. State files carry no suffix that ``read_events`` takes for events (``.json``,
``.ndjson``, ``.log``...), so even ``read_events(DIR)`` never reads them as events.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Layout", "fsync_directory"]


@dataclass(frozen=True)
class Layout:
    """The folders under one ``--out`` directory."""

    root: Path

    @property
    def events(self) -> Path:
        return self.root / "events"

    @property
    def flex(self) -> Path:
        return self.root / "flex"

    @property
    def state(self) -> Path:
        return self.root / ".geoflex"

    @property
    def ui_attributes(self) -> Path:
        return self.flex / "ui_attributes.json"

    @property
    def workers(self) -> Path:
        return self.flex / "workers.json"

    def create(self) -> None:
        """Make the folders, each made durable in its parent (a new entry of a folder is
        only on the disk once the folder itself is synced)."""
        for folder in (self.root, self.events, self.flex, self.state):
            if not folder.is_dir():
                folder.mkdir(parents=True, exist_ok=True)
                fsync_directory(folder.parent)

    @staticmethod
    def recognise(path: Path) -> Layout | None:
        """The layout rooted at ``path`` when ``path`` holds an ``events`` folder, else None."""
        return Layout(path) if (path / "events").is_dir() else None


def fsync_directory(path: Path) -> None:
    """Sync a directory, so that the files created or renamed in it survive a power cut."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
