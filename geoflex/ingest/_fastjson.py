"""A faster NDJSON reader for runs of clean lines (pyarrow), exact or nothing.

pyarrow's JSON reader parses these events about twice as fast as polars' (its cost barely
grows with the number of fields read), and it names the row of a syntax error, so a bad
line costs one extra parse of the lines before it instead of a bisection. It is stricter
than polars in places (a number where the schema has a string, a repeated key or an
invalid surrogate fails it) and laxer in others (two objects on one line, bytes that are
not UTF-8), which are checked for. Its result is used only when it parsed every line into
exactly one row and every value has the type polars would have read; anything else raises
:class:`FastJSONError` (with the failing row when pyarrow named it), and the caller parses
those lines with polars as before. So the tables do not depend on which reader parsed a
line (``tests/ingest/test_fastjson.py`` checks this on hostile lines).

Leaves are strings in the polars schema. JSON integers read into a string column come out
of polars as their decimal text; pyarrow reads them as int64 (the field types are guessed
from a sample of lines) and the cast to string gives the same text. Floats, booleans and
nested values in a string column are left to polars.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import polars as pl

from geoflex.ingest._limits import DEFAULT_LIMITS, loads

if TYPE_CHECKING:  # pyarrow is imported when parsing, to keep `import geoflex` light
    import pyarrow as pa

__all__ = ["SAMPLE_BYTES", "FastJSONError", "arrow_schema", "read_fast"]

#: Lines within this many leading bytes are the sample the field types are guessed from.
SAMPLE_BYTES = 1 << 14
_ERROR_ROW = re.compile(r"in row (\d+)\s*$")


class FastJSONError(Exception):
    """pyarrow could not give polars' result; ``row`` is the failing row when it said."""

    def __init__(self, row: int | None) -> None:
        super().__init__(row)
        self.row = row


def _decoded(lines: Sequence[bytes | bytearray | memoryview]) -> list[Any]:
    """The lines decoded as JSON (lines that fail are skipped)."""
    values = []
    for line in lines:
        try:
            # A sample for guessing types: a line nested deeper than the default limit is
            # skipped here, and judged (with the caller's limit) where it is parsed.
            values.append(loads(line, DEFAULT_LIMITS.max_depth))
        except ValueError:
            continue
    return values


def _arrow_type(dtype: Any, values: Sequence[Any]) -> pa.DataType | None:
    import pyarrow as pa

    if isinstance(dtype, pl.Struct):
        objects = [v for v in values if isinstance(v, dict)]
        children = []
        for f in dtype.fields:
            child = _arrow_type(f.dtype, [v.get(f.name) for v in objects])
            if child is None:
                return None
            children.append(pa.field(f.name, child))
        return pa.struct(children)
    if dtype != pl.String:
        return None
    seen = [v for v in values if v is not None]
    # type(v) is int: a bool is an int in Python but not in JSON.
    if seen and all(type(v) is int for v in seen):
        return pa.int64()
    # Views, as polars holds strings: taking them over costs no conversion.
    return pa.string_view()


def arrow_schema(
    sample: Sequence[bytes | bytearray | memoryview], schema: Mapping[str, Any]
) -> pa.Schema | None:
    """The pyarrow schema for ``schema`` with types guessed from ``sample`` (some lines).

    ``None`` when the schema has leaves other than strings (no fast path then).
    """
    import pyarrow as pa

    values = [v for v in _decoded(sample) if isinstance(v, dict)]
    fields = []
    for name, dtype in schema.items():
        arrow = _arrow_type(dtype, [v.get(name) for v in values])
        if arrow is None:
            return None
        fields.append(pa.field(name, arrow))
    return pa.schema(fields)


def read_fast(
    chunk: bytes | bytearray | memoryview, lines: int, schema: Mapping[str, Any], arrow: pa.Schema
) -> pl.DataFrame:
    """Parse ``lines`` non-blank lines of ``chunk`` into polars' types, or raise FastJSONError."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.json as pj

    # pyarrow does not check that strings are UTF-8; polars rejects a line that is not.
    # Arrow's validator is fast (a few milliseconds for 32 MB).
    buffer = pa.py_buffer(chunk)
    offsets = pa.py_buffer(np.array([0, len(chunk)], dtype=np.int64))
    text = pa.Array.from_buffers(pa.large_string(), 1, [None, offsets, buffer])
    try:
        text.validate(full=True)
    except pa.ArrowInvalid:
        raise FastJSONError(None) from None
    try:
        table = pj.read_json(
            pa.BufferReader(buffer),
            read_options=pj.ReadOptions(use_threads=False, block_size=len(chunk) + 64),
            parse_options=pj.ParseOptions(
                explicit_schema=arrow, unexpected_field_behavior="ignore"
            ),
        )
    except Exception as exc:  # pyarrow raises several error types for bad JSON
        found = _ERROR_ROW.search(str(exc))
        raise FastJSONError(int(found.group(1)) if found else None) from None
    if table.num_rows != lines:  # e.g. two objects on one line
        raise FastJSONError(None)
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    return frame.cast(dict(schema))  # type: ignore[arg-type]
