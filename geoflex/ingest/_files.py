"""Event files as batches of whole lines (about 32 MB each, every one ending just after a
newline but the last), read in the cheapest way the file allows; frames of events as the
same batches.

* A regular file in the page cache is memory-mapped: the parser reads the cached pages where
  they are, and nothing is copied.
* A regular file that is not (or only partly) in the page cache is read with ``O_DIRECT``,
  straight from the disk into a few buffers used in turn. Filling the page cache costs the
  kernel CPU time (on the benchmark machine, 6.6 s of it for a 3.7 GB file read cold, against
  0.1 s direct), and the parser needs those cores; the direct reads themselves take the
  disk's time, which overlaps the parsing.
* Anything else (a pipe, a gzip stream, a file system without ``O_DIRECT``) is read as a
  stream.
"""

from __future__ import annotations

import contextlib
import errno
import gzip
import io
import mmap
import os
import stat
import zlib
from collections.abc import Iterator
from typing import IO, Protocol, cast

import polars as pl

from geoflex._errors import DataError
from geoflex.ingest._limits import DEFAULT_LIMITS, skipped
from geoflex.ingest._ndjson import Buffer

__all__ = [
    "Guarded",
    "Prefixed",
    "file_batches",
    "frame_batches",
    "mapped_batches",
    "open_events",
    "stream_batches",
]

# Bigger batches cost less per byte (fewer calls, plans and chunks): the 1M benchmark took
# 21.2-21.4 s with 8 MB, 19.9-20.2 s with 16 MB, 18.8-18.9 s with 32 MB and 18.1-19.2 s with
# 64 MB, at the same peak memory.
_READ_BYTES = 32 << 20
# Room before a direct read for the end of the previous batch's last, unfinished line; a
# longer line is joined in a new buffer instead.
_CARRY_BYTES = 1 << 20
# Pages looked at to tell whether a file is in the page cache.
_PROBES = 8


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class Guarded:
    """A file's bytes (gunzipped), at most ``max_bytes`` of them, that never raises while
    reading: damage (a truncated or corrupt gzip stream, a read error) and the limit end
    the stream, and ``problem`` says why. The bytes read before it stay usable.

    ``raw`` is the open file when it is not gzip (it may then be read in cheaper ways).
    """

    def __init__(self, stream: IO[bytes], *, gzipped: bool, max_bytes: int) -> None:
        self._stream = stream
        self.raw: IO[bytes] | None = None if gzipped else stream
        self._gzipped = gzipped
        self._max_bytes = max_bytes
        self.read_bytes = 0
        self.problem: str | None = None
        #: The problem's kind: damage, or the max_bytes limit.
        self.problem_kind = "damaged_file"

    def read(self, size: int = -1, /) -> bytes:
        if size < 0:  # the rest, read piece by piece (a size is allocated up front)
            pieces = []
            while piece := self.read(_READ_BYTES):
                pieces.append(piece)
            return b"".join(pieces)
        if self.problem is not None:
            return b""
        room = self._max_bytes - self.read_bytes + 1  # one byte more tells it goes on
        want = min(size, room)
        parts: list[bytes] = []
        got = 0
        try:
            if not self._gzipped:
                parts.append(self._stream.read(want))
            else:
                # Piece by piece: a gzip read that fails loses what it had decompressed,
                # and the bytes before the damage are to be kept.
                while got < want:
                    piece = cast("gzip.GzipFile", self._stream).read1(want - got)
                    if not piece:
                        break
                    parts.append(piece)
                    got += len(piece)
        except (EOFError, OSError, zlib.error) as exc:  # gzip.BadGzipFile is an OSError
            what = "gzip data" if self._gzipped else "file"
            got = sum(map(len, parts))
            self.problem = (
                f"unreadable {what} after {self.read_bytes + got:,} bytes ({_short(exc)}): "
                "the rest of the file was not read"
            )
        block = parts[0] if len(parts) == 1 else b"".join(parts)
        if self.read_bytes + len(block) > self._max_bytes:
            block = block[: self._max_bytes - self.read_bytes]
            self.problem_kind = "too_large"
            self.problem = (
                f"more than max_file_bytes={self._max_bytes:,} bytes"
                f"{' after decompression' if self._gzipped else ''}: "
                "the rest of the file was not read"
            )
        self.read_bytes += len(block)
        return block

    def limit_reached(self, size: int) -> None:
        """Record that a file of ``size`` bytes was read only up to the limit."""
        self.problem_kind = "too_large"
        self.problem = (
            f"{size:,} bytes, more than max_file_bytes={self._max_bytes:,}: "
            "the rest of the file was not read"
        )


def _short(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else type(exc).__name__


@contextlib.contextmanager
def open_events(path: str, *, max_bytes: int) -> Iterator[Guarded]:
    """The file's bytes, gunzipped when it is gzip (told by its magic number, not its name),
    guarded (see :class:`Guarded`).

    The file is opened once and its magic number peeked at, not read: a named pipe (say, a
    shell's ``<(zcat ...)``) gives its bytes only once. A file that cannot be opened is a
    :class:`~geoflex.DataError` naming it.
    """
    try:
        raw = open(path, "rb")  # noqa: SIM115 (closed below, after the error is named)
    except OSError as exc:
        raise DataError(f"{path}: cannot open: {exc.strerror or exc}") from None
    with raw:
        try:
            magic = raw.peek(2)[:2]
        except OSError as exc:  # e.g. a directory opened on a system that allows it
            raise DataError(f"{path}: cannot read: {exc.strerror or exc}") from None
        if magic == b"\x1f\x8b":
            with gzip.GzipFile(fileobj=raw, mode="rb") as unzipped:
                yield Guarded(cast("IO[bytes]", unzipped), gzipped=True, max_bytes=max_bytes)
        else:
            yield Guarded(raw, gzipped=False, max_bytes=max_bytes)


class Prefixed:
    """A stream that first returns ``head`` (already read to sniff the format), then the rest."""

    def __init__(self, head: bytes, rest: Readable) -> None:
        self._head = head
        self._rest = rest

    def read(self, size: int = -1) -> bytes:
        if self._head:
            out, self._head = self._head, b""
            return out
        return self._rest.read(size)


def stream_batches(
    stream: Readable, *, max_line_bytes: int = DEFAULT_LIMITS.max_line_bytes
) -> Iterator[bytearray]:
    """A stream's bytes in batches (writable: the parser may use them as scratch space).

    A line longer than ``max_line_bytes`` is not held: once that many bytes without a
    newline have come, the rest of the line is read past, and a short line that says so
    (:func:`~geoflex.ingest._limits.skipped`) stands in its place.
    """
    # The bytes after the last newline so far; grown in place while a line goes on, so a
    # line of many reads costs one copy of it, not one per read.
    rest = bytearray()
    skipping = -1  # bytes of an over-long line read past so far (-1: none)
    while True:
        block = stream.read(_READ_BYTES)
        if not block:
            if skipping >= 0:
                yield bytearray(skipped(skipping, max_line_bytes))
            elif rest:
                yield rest
            return
        if skipping >= 0:
            end = block.find(b"\n")
            if end < 0:
                skipping += len(block)
                continue
            yield bytearray(skipped(skipping + end, max_line_bytes) + b"\n")
            skipping = -1
            block = block[end + 1 :]
        cut = block.rfind(b"\n")  # rest has no newline: the batch ends in this block
        if cut < 0:
            rest += block
            if len(rest) > max_line_bytes:
                skipping, rest = len(rest), bytearray()
            continue
        batch = rest
        batch += block[: cut + 1]
        yield batch
        rest = bytearray(block[cut + 1 :])


def frame_batches(frame: pl.DataFrame, *, lines: str | None = None) -> Iterator[Buffer]:
    """A frame's rows as NDJSON in batches of about the same size as a file's, one line a row.

    With ``lines``, the name of a string column holding one JSON text a row, those texts are
    the lines (a null is a blank line; line breaks inside a text become spaces, so that it
    stays one line: a pretty-printed document is fine); else each row is written as a JSON
    object. Each batch is made when it is asked for: the whole frame as text at once would
    take as much memory again.
    """
    if not frame.height:
        return
    rows = max(1, _READ_BYTES * frame.height // max(1, int(frame.estimated_size())))
    for start in range(0, frame.height, rows):
        part = frame.slice(start, rows)
        if lines is None:
            buffer = io.BytesIO()
            part.write_ndjson(buffer)
            yield buffer.getbuffer()
            continue
        text = part.get_column(lines).fill_null("").str.replace_all(r"[\r\n]", " ")
        batch = bytearray(text.str.join("\n").cast(pl.Binary).item())
        batch += b"\n"
        yield batch


def file_batches(
    path: str,
    stream: IO[bytes] | None,
    reuse_after: int,
    *,
    max_bytes: int,
    max_line_bytes: int = DEFAULT_LIMITS.max_line_bytes,
) -> Iterator[Buffer] | None:
    """Batches of the regular file ``stream`` (open at ``path``, not gzip), or None when it is
    to be read as a stream: not a regular file, a file that says it is empty (``/proc`` files
    do, and have content), one larger than ``max_bytes`` (the stream stops at the limit),
    or one that cannot be memory-mapped.

    A batch read directly is overwritten ``reuse_after`` batches later: by then the caller
    must be done with it (the parser copies what it keeps).
    """
    if not isinstance(stream, io.BufferedReader):
        return None
    fd = stream.fileno()
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        return None
    size = info.st_size
    if not 0 < size <= max_bytes or not _mappable(fd, size):
        return None
    if not _cached(fd, size):
        direct = _open_direct(path)
        if direct is not None:
            return _direct_batches(direct, fd, reuse_after, max_line_bytes)
    return mapped_batches(fd, max_line_bytes)


def mapped_batches(
    fd: int, max_line_bytes: int = DEFAULT_LIMITS.max_line_bytes
) -> Iterator[memoryview]:
    """A regular file (open as ``fd``) in batches that are windows of private memory maps:
    pyarrow reads the page cache directly, and the kernel copies nothing. A window is
    copy-on-write, so the parser may blank lines in it while the file stays as it is; it is
    unmapped once the last view of it goes.

    Like any memory-mapped reader (polars' among them), this assumes the file is not cut
    shorter while it is read; data appended meanwhile is not read. A line longer than
    ``max_line_bytes`` is read past, and stands as in :func:`stream_batches`.
    """
    size = os.fstat(fd).st_size
    pos = 0
    while pos < size:
        base = pos - pos % mmap.ALLOCATIONGRANULARITY  # a map starts at such an offset
        want = _READ_BYTES
        searched = pos - base  # where this batch's bytes start; none so far held a newline
        while True:
            length = min(size - base, pos - base + want)
            window = mmap.mmap(fd, length, access=mmap.ACCESS_COPY, offset=base)
            if base + length == size:
                end = length
                break
            cut = window.rfind(b"\n", searched, length)
            searched = length
            if cut >= 0:
                end = cut + 1
                break
            window.close()  # no newline yet: a longer window, as stream_batches reads further
            if length - (pos - base) > max_line_bytes:
                break
            want += _READ_BYTES
        if window.closed:  # the line at pos is too long: read past it
            newline = _next_newline(fd, base + length, size)
            stop = size if newline < 0 else newline
            line = skipped(stop - pos, max_line_bytes) + (b"\n" if newline >= 0 else b"")
            yield memoryview(bytearray(line))
            pos = stop + 1
            continue
        yield memoryview(window)[pos - base : end]
        pos = base + end


def _next_newline(fd: int, start: int, size: int) -> int:
    """The offset of the first newline at or after ``start``, or -1; read a window at a
    time (each unmapped before the next)."""
    while start < size:
        base = start - start % mmap.ALLOCATIONGRANULARITY
        length = min(size - base, start - base + _READ_BYTES)
        with mmap.mmap(fd, length, access=mmap.ACCESS_READ, offset=base) as window:
            found = window.find(b"\n", start - base)
        if found >= 0:
            return base + found
        start = base + length
    return -1


def _mappable(fd: int, size: int) -> bool:
    """Whether the file's first page can be memory-mapped (some special files cannot)."""
    try:
        mmap.mmap(fd, min(size, mmap.PAGESIZE), access=mmap.ACCESS_COPY).close()
    except (OSError, ValueError):
        return False
    return True


def _cached(fd: int, size: int) -> bool:
    """Whether pages spread over the file are all in the page cache (asked without waiting
    for the disk; where the system cannot tell, the answer is yes: the file is mapped)."""
    nowait = getattr(os, "RWF_NOWAIT", None)
    if nowait is None:
        return True
    probe = bytearray(1)
    for k in range(_PROBES):
        try:
            if os.preadv(fd, [probe], (size - 1) * k // (_PROBES - 1), nowait) != 1:
                return False
        except BlockingIOError:  # that page is on the disk only
            return False
        except OSError:  # the file system cannot say
            return True
    return True


def _open_direct(path: str) -> int | None:
    """``path`` opened for direct reads, or None where the system or file system has none."""
    flag = getattr(os, "O_DIRECT", None)
    if flag is None:
        return None
    try:
        return os.open(path, os.O_RDONLY | flag)
    except OSError as exc:
        if exc.errno in (errno.EINVAL, errno.EOPNOTSUPP):
            return None
        raise


def _direct_batches(
    direct: int, fd: int, reuse_after: int, max_line_bytes: int = DEFAULT_LIMITS.max_line_bytes
) -> Iterator[memoryview]:
    """Batches read with ``O_DIRECT`` (file descriptor ``direct``, closed at the end) into
    ``reuse_after + 1`` page-aligned buffers used in turn.

    Each buffer holds, before the 32 MB read into it, the unfinished line the previous batch
    ended with. Should a direct read be refused (an alignment this file system does not
    take), the rest is read through the page cache (``fd``). Data appended while the file
    is read may be read. A line longer than ``max_line_bytes`` is read past, and stands as
    in :func:`stream_batches`.
    """
    ring = [mmap.mmap(-1, _CARRY_BYTES + _READ_BYTES) for _ in range(reuse_after + 1)]
    reading = direct  # becomes fd should a direct read be refused

    def fill(area: memoryview, pos: int) -> int:
        """Read the file from ``pos`` into ``area`` until it is full or the file ends."""
        nonlocal reading
        got = 0
        while got < len(area):
            try:
                n = os.preadv(reading, [area[got:]], pos + got)
            except OSError as exc:
                if exc.errno != errno.EINVAL or reading == fd:
                    raise
                reading = fd
                continue
            if n == 0:
                break
            got += n
        return got

    pos = 0
    # The bytes after the last newline so far. A line longer than the room before a read
    # grows in a buffer of its own, in place, until its newline comes.
    carry: bytes | bytearray = b""
    skipping = -1  # bytes of an over-long line read past so far (-1: none)
    turn = 0
    try:
        while True:
            buffer = ring[turn % len(ring)]
            n = fill(memoryview(buffer)[_CARRY_BYTES:], pos)
            pos += n
            data: mmap.mmap | bytearray = buffer
            end = _CARRY_BYTES + n
            begin = _CARRY_BYTES  # where this batch's bytes start in the buffer
            if skipping >= 0:
                newline = buffer.find(b"\n", _CARRY_BYTES, end)
                if newline < 0:
                    skipping += n
                    if n < _READ_BYTES:
                        yield memoryview(bytearray(skipped(skipping, max_line_bytes)))
                        return
                    continue
                line = skipped(skipping + newline - _CARRY_BYTES, max_line_bytes) + b"\n"
                yield memoryview(bytearray(line))
                skipping, carry, begin = -1, b"", newline + 1
            if begin > _CARRY_BYTES:
                start = begin
            elif len(carry) <= _CARRY_BYTES:
                start = _CARRY_BYTES - len(carry)
                buffer[start:_CARRY_BYTES] = carry
            else:
                data = carry if isinstance(carry, bytearray) else bytearray(carry)
                data += memoryview(buffer)[_CARRY_BYTES:end]
                start, end = 0, len(data)
            if n < _READ_BYTES:  # the end of the file
                if end > start:
                    yield memoryview(data)[start:end]
                return
            # Only the bytes just read can hold a newline: the carried ones had none.
            cut = data.rfind(b"\n", max(start, end - n), end)
            if cut < 0:  # no newline yet: all of it is carried, and the buffer read into again
                carry = data if isinstance(data, bytearray) else bytes(data[start:end])
                if len(carry) > max_line_bytes:
                    skipping, carry = len(carry), b""
                continue
            carry = bytes(data[cut + 1 : end])
            turn += 1
            yield memoryview(data)[start : cut + 1]
    finally:
        os.close(direct)
