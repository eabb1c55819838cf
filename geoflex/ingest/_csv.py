"""Event Callback posts logged as CSV -> raw rows with their line numbers, blank rows counted,
and a problem for every row whose number of fields differs from the header's.

Python's csv module is the reference (its rows, its line numbers), but it makes a Python
list per row: 10 µs an event. When every line is a record of its own (RFC 4180 quoting, no
line break inside a cell), rows and lines are the same and both readers give the same
cells, so polars' reader reads them and regular expressions over the lines give what the
csv module would have said of each: blank, or how many fields (2 µs an event in all). Any
other file is read by the csv module.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import polars as pl

from geoflex.ingest._ndjson import LINE_COLUMN, line_bounds
from geoflex.ingest._problems import ProblemLog
from geoflex.ingest._schema import RAW_SCHEMA

__all__ = ["CsvRows", "read_csv_rows"]

# Python's str.isspace() is true for these besides Unicode's White_Space (the regex's \s).
_SPACE = r"[\s\x1c-\x1f]"
_QUOTED = r'"(?:[^"]|"")*"'
_FIELD = rf'(?:[^,"\r\n]*|{_QUOTED})'
# A record on one line, as RFC 4180 writes it (the lines below keep their "\n").
_RECORD = rf"^{_FIELD}(?:,{_FIELD})*\r?\n?$"
# A record whose every cell is empty or white space: a blank row to the csv module.
_BLANK = rf'^(?:{_SPACE}*|"{_SPACE}*")(?:,(?:{_SPACE}*|"{_SPACE}*"))*\r?\n?$'


def _record_of(width: int) -> str:
    """A record of ``width`` fields on one line."""
    return rf"^{_FIELD}(?:,{_FIELD}){{{width - 1}}}\r?\n?$"


@dataclass
class CsvRows:
    """The rows of a CSV of events: ``frame`` holds the header's columns that name event
    fields (strings, an empty cell null) and ``_line``; the other lines are counted, each
    a ``bad_csv`` problem (no file: lines numbered from 1)."""

    frame: pl.DataFrame
    problems: ProblemLog
    blank_lines: int
    lines: int


def read_csv_rows(data: bytes, max_problems: int | None = None) -> CsvRows:
    """The rows of CSV ``data``: polars' reader where it gives the csv module's rows, else
    the csv module's. Past ``max_problems`` problems, the others are counted, not listed.

    Examples
    --------
    >>> rows = read_csv_rows(b'EventType,TaskSid\\ntask.created,WT1\\n\\ntask.completed\\n')
    >>> rows.frame.rows(), rows.problems.rows, rows.blank_lines, rows.lines
    ([('task.created', 'WT1', 2)], [(None, 4, 'bad_csv', '1 fields, the header has 2')], 1, 3)
    """
    return _fast(data, max_problems) or _exact(data, max_problems)


def _frame(header: list[str], columns: dict[int, pl.Series], lines: pl.Series) -> pl.DataFrame:
    # A name the header repeats takes its last column, as a dict of the csv module's would.
    chosen = {name: i for i, name in enumerate(header) if name in RAW_SCHEMA}
    return pl.DataFrame(
        [columns[i].alias(name) for name, i in chosen.items()] + [lines.alias(LINE_COLUMN)]
    )


def _exact(data: bytes, max_problems: int | None = None) -> CsvRows:
    """The csv module's rows, with the damage of a bad record confined to it: a record
    that spans several lines and has the wrong number of fields or swallowed a line that
    is a record of its own (an unterminated quote swallows the lines after it), or that
    the csv module refuses (a field over its size limit), is one problem at its first
    line, and reading goes on at the next line."""
    problems = ProblemLog(max_problems)
    text = data.decode("utf-8", errors="replace")
    lines = io.StringIO(text, newline="").readlines()  # ends: \n, \r\n or \r, as csv's
    reader = csv.reader(lines)
    try:
        header = next(reader, None)
    except csv.Error:
        header = None
    if header is None:  # an empty file (or a header it cannot read)
        return CsvRows(_frame([], {}, pl.Series(dtype=pl.Int64)), problems, 0, 0)
    width = len(header)
    rows: list[list[str]] = []
    numbers: list[int] = []
    out = CsvRows(pl.DataFrame(), problems, 0, 0)
    pos = reader.line_num  # lines before the reader now reading
    while pos < len(lines):
        reader = csv.reader(lines[i] for i in range(pos, len(lines)))
        used = 0  # lines this reader has read
        restart = None
        while True:
            try:
                row = next(reader, None)
            except csv.Error as exc:
                restart, problem = used + 1, f"unreadable CSV record ({exc})"
            else:
                if row is None:
                    break
                span = reader.line_num - used
                if span > 1 and (
                    len(row) != width or _holds_records(lines, pos + used + 1, span - 1, width)
                ):
                    restart = used + 1
                    problem = (
                        f"{len(row)} fields over {span} lines, the header has {width} "
                        "(an unterminated quote?): read again from the next line"
                    )
            line = pos + used + 1
            out.lines += 1
            if restart is not None:
                out.problems.add(None, line, "bad_csv", problem)
                break
            assert row is not None
            if not row or not any(cell.strip() for cell in row):
                out.blank_lines += 1
            elif len(row) != width:
                out.problems.add(
                    None, line, "bad_csv", f"{len(row)} fields, the header has {width}"
                )
            else:
                rows.append(row)
                numbers.append(line)
            used = reader.line_num
        pos += restart if restart is not None else len(lines)
    columns = {
        i: pl.Series([r[i] or None for r in rows], dtype=pl.String)
        for i, name in enumerate(header)
        if name in RAW_SCHEMA
    }
    out.frame = _frame(header, columns, pl.Series(numbers, dtype=pl.Int64))
    return out


def _holds_records(lines: list[str], first: int, count: int, width: int) -> bool:
    """Whether any of ``count`` lines from ``first``, swallowed by a quoted cell, is a record
    of ``width`` fields on its own: then the quote was never closed (a cell with line
    breaks in it, JSON written on several lines say, does not hold such lines)."""
    for line in lines[first : first + count]:
        try:
            row = next(csv.reader([line]), [])
        except csv.Error:
            continue
        if len(row) == width:
            return True
    return False


def _lines(data: bytes) -> pl.Series | None:
    """The lines of ``data`` as strings, each with its newline (no copy is joined), or None
    when ``data`` is not UTF-8."""
    import numpy as np
    import pyarrow as pa

    starts, _ = line_bounds(data)
    offsets = np.append(starts, len(data)).astype(np.int64)
    buffers = [None, pa.py_buffer(offsets), pa.py_buffer(data)]
    lines = pa.Array.from_buffers(pa.large_string(), len(starts), buffers)
    try:
        lines.validate(full=True)
    except pa.ArrowInvalid:
        return None
    series = pl.from_arrow(lines)
    assert isinstance(series, pl.Series)
    return series


def _fast(data: bytes, max_problems: int | None = None) -> CsvRows | None:
    """The rows by polars' reader, or None when a line is not a record of its own."""
    if b"\r" in data and data.count(b"\r") != data.count(b"\r\n"):
        return None  # a lone carriage return ends a row for the csv module
    lines = _lines(data)  # None: not UTF-8, which the csv module reads with replacements
    if lines is None or lines.is_empty() or not lines.head(1).str.contains(_RECORD).all():
        return None
    header = next(csv.reader([lines[0]]), [])
    width = len(header)
    if not width:
        return None
    body = lines.slice(1)
    # One pass finds the usual lines: a record of the header's width. The others must still
    # be records on one line, blank (the csv module's verdict comes first) or of another width.
    regular = body.str.contains(_record_of(width))
    odd_rows = regular.not_().arg_true()
    odd = body.gather(odd_rows)
    if not odd.str.contains(_RECORD).all():
        return None
    blank = body.str.contains(_BLANK)
    try:
        cells = pl.read_csv(
            data,
            has_header=False,
            skip_rows=1,
            schema={f"_{i}": pl.String() for i in range(width)},
            truncate_ragged_lines=True,  # short and long rows are problems, found above
            missing_columns="insert",
            raise_if_empty=False,
        )
    except pl.exceptions.PolarsError:
        return None
    if cells.height != len(body):
        return None
    numbers = pl.int_range(2, len(body) + 2, dtype=pl.Int64, eager=True)
    usable = regular & ~blank
    # An empty cell is null, quoted ("") or not, as the csv module's rows are read.
    kept = cells.filter(usable).select(pl.when(pl.all() != "").then(pl.all()).name.keep())
    fields = odd.str.replace_all(_QUOTED, "").str.count_matches(",", literal=True) + 1
    wrong = ~blank.gather(odd_rows)
    problems = ProblemLog(max_problems)
    for line, n in zip(
        numbers.gather(odd_rows).filter(wrong).to_list(),
        fields.filter(wrong).to_list(),
        strict=True,
    ):
        problems.add(None, line, "bad_csv", f"{n} fields, the header has {width}")
    return CsvRows(
        frame=_frame(header, {i: kept.to_series(i) for i in range(width)}, numbers.filter(usable)),
        problems=problems,
        blank_lines=int(blank.sum()),
        lines=len(body),
    )
