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
    fields (strings, an empty cell null) and ``_line``; the other lines are counted."""

    frame: pl.DataFrame
    problems: list[tuple[int, str]]
    blank_lines: int
    lines: int


def read_csv_rows(data: bytes) -> CsvRows:
    """The rows of CSV ``data``: polars' reader where it gives the csv module's rows, else
    the csv module's.

    Examples
    --------
    >>> rows = read_csv_rows(b'EventType,TaskSid\\ntask.created,WT1\\n\\ntask.completed\\n')
    >>> rows.frame.rows(), rows.problems, rows.blank_lines, rows.lines
    ([('task.created', 'WT1', 2)], [(4, '1 fields, the header has 2')], 1, 3)
    """
    return _fast(data) or _exact(data)


def _frame(header: list[str], columns: dict[int, pl.Series], lines: pl.Series) -> pl.DataFrame:
    # A name the header repeats takes its last column, as a dict of the csv module's would.
    chosen = {name: i for i, name in enumerate(header) if name in RAW_SCHEMA}
    return pl.DataFrame(
        [columns[i].alias(name) for name, i in chosen.items()] + [lines.alias(LINE_COLUMN)]
    )


def _exact(data: bytes) -> CsvRows:
    text = data.decode("utf-8", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:  # an empty file
        return CsvRows(_frame([], {}, pl.Series(dtype=pl.Int64)), [], 0, 0)
    width = len(header)
    rows: list[list[str]] = []
    numbers: list[int] = []
    out = CsvRows(pl.DataFrame(), [], 0, 0)
    line = reader.line_num
    for row in reader:
        out.lines += 1
        if not row or not any(cell.strip() for cell in row):
            out.blank_lines += 1
        elif len(row) != width:
            out.problems.append((line + 1, f"{len(row)} fields, the header has {width}"))
        else:
            rows.append(row)
            numbers.append(line + 1)
        line = reader.line_num
    columns = {
        i: pl.Series([r[i] or None for r in rows], dtype=pl.String)
        for i, name in enumerate(header)
        if name in RAW_SCHEMA
    }
    out.frame = _frame(header, columns, pl.Series(numbers, dtype=pl.Int64))
    return out


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


def _fast(data: bytes) -> CsvRows | None:
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
    problems = [
        (line, f"{n} fields, the header has {width}")
        for line, n in zip(
            numbers.gather(odd_rows).filter(wrong).to_list(),
            fields.filter(wrong).to_list(),
            strict=True,
        )
    ]
    return CsvRows(
        frame=_frame(header, {i: kept.to_series(i) for i in range(width)}, numbers.filter(usable)),
        problems=problems,
        blank_lines=int(blank.sum()),
        lines=len(body),
    )
