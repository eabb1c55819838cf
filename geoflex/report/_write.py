"""Writing pages so that readers never see a half-written page or two runs' pages mixed.

* A run builds every page in a temporary directory beside ``out`` (same file system), and
  only when all are complete moves them into ``out``, each with an atomic rename, the
  overview (``index.html``) last so that whoever opens it finds the new pages behind it.
* One run at a time per ``out``: a lock file beside it (``filelock``: an OS lock, released
  when the process ends, even killed). A second run fails at once with a clear message
  rather than waiting unseen or interleaving its pages.
* Files in ``out`` that the run does not write are left as they are: ``out`` may be a
  directory the user keeps other things in, so geoflex never deletes or renames it whole.
  (So the set is replaced page by page, atomically each, within microseconds once all are
  built, not as one directory swap.) A killed run leaves ``out`` as it was; its staging
  directory is removed by the next run.
"""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from geoflex._errors import GeoflexError, require

__all__ = ["publish", "write_text_atomic"]


def write_text_atomic(path: Path, text: str) -> Path:
    """Write ``path`` through a temporary file beside it and an atomic rename.

    The temporary file is created like ``open(path, "w")`` would create ``path`` (mode
    0666 less the umask), so pages keep the permissions a plain write gives them.
    """
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.partial")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path


def _beside(out: Path) -> Path:
    """Where the lock and the staging directory go: beside ``out`` if that place can be
    written, else inside it (``--out .`` in a directory whose parent is not writable)."""
    parent = out.parent
    return parent if os.access(parent, os.W_OK | os.X_OK) else out


def publish(out_dir: str | os.PathLike[str], write: Callable[[Path], Sequence[Path]]) -> list[Path]:
    """Lock ``out_dir``, let ``write(staging)`` make the pages, move them in; their new paths.

    Raises
    ------
    GeoflexError
        ``out_dir`` is not a directory, or another run is writing to it.
    """
    out = Path(out_dir).absolute()
    if out.exists() and not out.is_dir():
        raise GeoflexError(f"{out_dir}: exists and is not a directory; choose another --out")
    out.mkdir(parents=True, exist_ok=True)
    filelock = require("filelock", "report")
    where = _beside(out)
    lock_path = where / f".{out.name or 'out'}.geoflex-lock"
    lock = filelock.FileLock(lock_path, timeout=0)  # type: ignore[attr-defined]
    try:
        lock.acquire()
    except filelock.Timeout:  # type: ignore[attr-defined]
        raise GeoflexError(
            f"{out_dir}: another geoflex run is writing reports there (lock: {lock_path}); "
            "wait for it to finish or choose another --out"
        ) from None
    try:
        prefix = f".{out.name or 'out'}."
        for leftover in where.glob(f"{glob.escape(prefix)}*.partial"):
            # A staging directory of a run that was killed (we hold the lock: no run is live).
            shutil.rmtree(leftover, ignore_errors=True)
        staging = Path(tempfile.mkdtemp(prefix=prefix, suffix=".partial", dir=where))
        try:
            written = list(write(staging))
            order = sorted(written, key=lambda p: p.name == "index.html")  # index last
            for page in order:
                os.replace(page, out / page.name)
            return [Path(out_dir) / p.name for p in written]
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    finally:
        lock.release()
