"""The problems of a read: a closed vocabulary of kinds, and a log that lists at most
``max_problems`` of them and counts the rest.

Every input is untrusted, and a file of a billion bad lines must not become a billion rows
in memory: past the cap, problems are only counted, by file and kind, and each such count is
one row of its own (its ``count`` says how many problems it stands for). So
``problems["count"].sum()`` is always every problem found, listed or not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final

import polars as pl

__all__ = [
    "PROBLEM_KINDS",
    "PROBLEM_SCHEMA",
    "UNUSED_KINDS",
    "ProblemLog",
]

#: Every ``kind`` a row of ``FlexData.problems`` can have, and what it means.
PROBLEM_KINDS: Final = MappingProxyType(
    {
        "not_json": "The line (or an element of a line's array, or a whole-file document) is "
        "no JSON object: broken or cut-off JSON, text, bytes that are not UTF-8.",
        "too_long": "A line longer than max_line_bytes: skipped without being read.",
        "too_deep": "JSON nested deeper than max_depth levels: not read.",
        "too_large": "A JSON document or CSV file larger than max_document_bytes, or the part "
        "of a file past max_file_bytes (after decompression): not read.",
        "damaged_file": "The file ends in damage (a truncated or corrupt gzip stream, a read "
        "error): the lines before it are read, the rest is not.",
        "bad_csv": "A CSV record with the wrong number of fields or an unterminated quote: "
        "that record is not used, reading goes on at the next line.",
        "not_an_event": "A JSON object without an event type: not a TaskRouter event.",
        "bad_timestamp": "An event whose time is missing or no time of the years 1970-9999 "
        "(NaN, 1e30, 2**63, negative, text that is no date).",
        "no_sid": "A task or reservation event without a task sid, or a listed worker "
        "without a worker sid.",
        "bad_attributes": "Task or worker attributes (or a part of them, such as "
        "conversations) that are no JSON object: the event is used without them.",
        "bad_measure": "A conversation measure (hold time, say) that is no finite number: "
        "the segment is kept, the value is ignored.",
    }
)
#: The kinds whose line or event is not used at all (the others ignore one value of an
#: event that is used): ``counts["lines"]`` = events + blank lines + these problems' count.
UNUSED_KINDS: Final = frozenset(PROBLEM_KINDS) - {"bad_attributes", "bad_measure"}
PROBLEM_SCHEMA: Final = MappingProxyType(
    {
        "file": pl.String(),
        "line": pl.Int64(),
        "kind": pl.Enum(list(PROBLEM_KINDS)),
        "reason": pl.String(),
        "count": pl.Int64(),
    }
)


@dataclass(slots=True)
class ProblemLog:
    """Problems in the order found, at most ``cap`` of them listed (None: all); past the
    cap, counted by (file, kind) with the first line counted.

    Examples
    --------
    >>> log = ProblemLog(cap=2)
    >>> for line in (3, 5, 8, 9):
    ...     log.add("a.ndjson", line, "not_json", "broken")
    >>> len(log), log.full
    (4, True)
    >>> log.frame().select("line", "count").rows()
    [(3, 1), (5, 1), (8, 2)]
    """

    cap: int | None = None
    rows: list[tuple[str | None, int, str, str]] = field(default_factory=list)
    #: (file, kind) -> [how many, first line]
    more: dict[tuple[str | None, str], list[int]] = field(default_factory=dict)

    @property
    def full(self) -> bool:
        """Whether a problem added now would only be counted."""
        return self.cap is not None and len(self.rows) >= self.cap

    def __len__(self) -> int:
        return len(self.rows) + sum(n for n, _ in self.more.values())

    def add(self, file: str | None, line: int, kind: str, reason: str) -> None:
        if kind not in PROBLEM_KINDS:  # a programming error: the vocabulary is closed
            raise ValueError(f"unknown problem kind {kind!r}")
        if self.full:
            self.count(file, line, kind)
        else:
            self.rows.append((file, line, kind, reason))

    def count(self, file: str | None, line: int, kind: str, n: int = 1) -> None:
        """``n`` problems of ``kind`` from ``line`` on, counted without being listed."""
        counted = self.more.setdefault((file, kind), [0, line])
        counted[0] += n
        counted[1] = min(counted[1], line)

    def merge(self, other: ProblemLog, file: str | None, first_line: int = 1) -> None:
        """``other``'s problems (lines numbered from 1) as lines of ``file`` numbered from
        ``first_line``."""
        shift = first_line - 1
        for _, line, kind, reason in other.rows:
            self.add(file, line + shift, kind, reason)
        for (_, kind), (n, line) in other.more.items():
            self.count(file, line + shift, kind, n)

    def add_frame(self, frame: pl.DataFrame) -> None:
        """The problems of a frame (``file``, ``line``, ``kind``, ``reason``): as many
        listed as there is room for, the rest counted by file and kind."""
        room = frame.height if self.cap is None else max(0, self.cap - len(self.rows))
        for file, line, kind, reason in frame.head(room).iter_rows():
            self.add(file, line, kind, reason)
        rest = (
            frame.slice(room)
            .group_by("file", "kind", maintain_order=True)
            .agg(pl.len(), pl.col("line").min())
        )
        for file, kind, n, line in rest.iter_rows():
            self.count(file, line, kind, n)

    def sort_from(self, start: int) -> None:
        """Put the rows listed from ``start`` on in line order."""
        self.rows[start:] = sorted(self.rows[start:], key=lambda row: row[1])

    def frame(self) -> pl.DataFrame:
        """The listed rows (``count`` 1), then a row per counted (file, kind), in file and
        line order."""
        counted = [
            (
                file,
                line,
                kind,
                f"{n:,} more {kind} problem{'' if n == 1 else 's'} in this file from line "
                f"{line:,} on, not listed (max_problems={self.cap:,})",
                n,
            )
            for (file, kind), (n, line) in self.more.items()
        ]
        rows = [(*row, 1) for row in self.rows] + counted
        return pl.DataFrame(rows, schema=dict(PROBLEM_SCHEMA), orient="row").sort(
            "file", "line", maintain_order=True, nulls_last=True
        )
