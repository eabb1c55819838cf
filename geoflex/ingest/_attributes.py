"""Decoding JSON attribute strings (task and worker attributes) in bulk, and the 255 cut."""

from __future__ import annotations

import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import polars as pl

from geoflex.ingest._ndjson import LINE_COLUMN, parse_lines
from geoflex.ingest._problems import ProblemLog

__all__ = ["MAX_ATTRIBUTE_CHARS", "DecodedAttributes", "cut_long_strings", "decode_json_column"]

#: Flex Insights keeps at most this many characters of a string attribute value.
MAX_ATTRIBUTE_CHARS = 255


@dataclass
class DecodedAttributes:
    """Decoded attribute columns (one row per input row, in order) and the rows that failed."""

    frame: pl.DataFrame
    bad_rows: list[int]
    reasons: list[str]


# Rows decoded at a time: small enough for the two threads to finish together and to reuse
# memory (1.1M task attributes: 12 chunks took 2.8-3.1 s, 6 chunks 3.2-3.4 s).
_CHUNK_ROWS = 100_000
_MIN_SPLIT_ROWS = 20_000
_KEY_SAMPLE_ROWS = 2_000
_KEY_SLICE_ROWS = 50_000
_THREADS = max(1, min(2, os.cpu_count() or 1))


def _all_keys(text: pl.Series) -> set[str]:
    """Every object key that occurs in a column of JSON texts (a regex, in slices)."""
    found: set[str] = set()
    for i in range(0, len(text), _KEY_SLICE_ROWS):
        found |= set(
            text.slice(i, _KEY_SLICE_ROWS)
            .str.extract_all(r'"[A-Za-z_0-9]+"\s*:')
            .explode()
            .str.strip_chars('":\t\n\r ')
            .unique()
            .drop_nulls()
            .to_list()
        )
    return found


def _keys_in(text: pl.Series, names: set[str]) -> set[str]:
    """Which of ``names`` occur as an object key (``"name":``) somewhere in ``text``.

    The regex over every row is slow and its matches fill memory; but keys repeat from row
    to row. So the first rows are searched with it, and for the names not found there, one
    multi-pattern scan picks the rows that hold ``"name"`` at all (usually none), which the
    regex then searches. Same answer as the regex over every row.
    """
    found = _all_keys(text.head(_KEY_SAMPLE_ROWS)) & names
    missing = sorted(names - found)
    if missing and len(text) > _KEY_SAMPLE_ROWS:
        rest = text.slice(_KEY_SAMPLE_ROWS)
        hit = rest.str.contains_any([f'"{k}"' for k in missing]).fill_null(False)
        if hit.any():
            found |= _all_keys(rest.filter(hit)) & names
    return found


def _names(schema: Mapping[str, Any]) -> set[str]:
    """Every field name in ``schema``, nested ones too."""
    out: set[str] = set()
    for name, dtype in schema.items():
        out.add(name)
        if isinstance(dtype, pl.Struct):
            out |= _names({f.name: f.dtype for f in dtype.fields})
    return out


def _pruned(schema: Mapping[str, Any], keys: set[str]) -> dict[str, Any]:
    """``schema`` without the keys that never occur.

    A wide schema of mostly absent keys (Insights defines ~100 attributes) costs polars a
    null per row per key; one regex pass over the text to find the keys is far cheaper.
    """

    def prune(dtype: Any) -> Any:
        if isinstance(dtype, pl.Struct):
            kept = {f.name: prune(f.dtype) for f in dtype.fields if f.name in keys}
            # polars needs at least one field; an empty object then reads as all-null.
            return pl.Struct(kept or {dtype.fields[0].name: pl.String()})
        return dtype

    pruned = {k: prune(v) for k, v in schema.items() if k in keys}
    return pruned or {next(iter(schema)): pl.String()}


def _as_objects(values: pl.Series) -> pl.Series:
    """Values ready to be read as one object each.

    A null or blank value becomes ``{}`` and surrounding whitespace goes; newlines between
    tokens become spaces (inside a valid JSON string a raw newline cannot occur), so a value
    polars must judge can be given to it on a line of its own. Only values that need it are
    rewritten: copying a million strings is not free.
    """
    values = values.fill_null("{}")
    if values.str.contains(r"[\r\n]").any():
        values = values.str.replace_all(r"[\r\n]", " ")
    odd = ~(values.str.starts_with("{") & values.str.ends_with("}"))
    if odd.any():
        rows = odd.arg_true()
        fixed = values.gather(rows).str.strip_chars().replace("", "{}")
        values = values.scatter(rows, fixed)
    return values


def _chunk_rows(n: int) -> int:
    """Rows per chunk: at most _CHUNK_ROWS, and a multiple of _THREADS chunks when it is big."""
    if n < _MIN_SPLIT_ROWS:
        return max(n, 1)
    chunks = -(-n // _CHUNK_ROWS)
    chunks = -(-chunks // _THREADS) * _THREADS
    return -(-n // chunks)


def _parse_chunk(chunk: pl.Series, schema: Mapping[str, Any]) -> tuple[pl.DataFrame, ProblemLog]:
    """One row per value of ``chunk`` (nulls where it failed) and the failed lines."""
    import numpy as np
    import pyarrow as pa

    # The values back to back in one buffer, as an Arrow large_string column holds them:
    # line i is data[offsets[i]:offsets[i + 1]]. The reader takes the offsets, so no copy
    # joined with newlines (hundreds of megabytes for a million tasks) is made.
    arrow = chunk.to_arrow().cast(pa.large_string())
    _, offsets_buffer, data_buffer = arrow.buffers()
    assert offsets_buffer is not None
    offsets = np.frombuffer(offsets_buffer, dtype=np.int64)[
        arrow.offset : arrow.offset + len(arrow) + 1
    ]
    data = memoryview(data_buffer) if data_buffer is not None else memoryview(b"")
    parsed = parse_lines(data, offsets[:-1], offsets[1:], schema)
    if parsed.frame.height == len(chunk):
        # Every line gave its row, in order: no need to line them up.
        return parsed.frame.drop(LINE_COLUMN), parsed.problems
    frame = (
        pl.DataFrame({LINE_COLUMN: pl.int_range(1, len(chunk) + 1, eager=True)})
        .join(parsed.frame, on=LINE_COLUMN, how="left")
        .sort(LINE_COLUMN)
        .drop(LINE_COLUMN)
    )
    return frame, parsed.problems


def decode_json_column(
    values: pl.Series, schema: Mapping[str, Any], *, prune: bool = True
) -> DecodedAttributes:
    """Decode a column of JSON object strings with ``schema``, one output row per input row.

    With ``prune``, keys that occur nowhere in the text are left out of the parse (and of
    the result). Null or empty strings give a row of nulls; a value that is not a JSON
    object (or has a value where the schema has a nested object) gives nulls too and is
    listed in ``bad_rows`` with its reason.

    Examples
    --------
    >>> import polars as pl
    >>> s = pl.Series(['{"a": "x", "b": 2}', None, '{"a": ', '{\\n "a": "y"\\n}'])
    >>> d = decode_json_column(s, {"a": pl.String(), "b": pl.String()})
    >>> d.frame.rows(), d.bad_rows
    ([('x', '2'), (None, None), (None, None), ('y', None)], [2])
    """
    values = values.cast(pl.String)
    size = _chunk_rows(len(values))
    slices = [values.slice(i, size) for i in range(0, max(len(values), 1), size)]
    # Chunks are cleaned, searched and parsed on two threads (polars and pyarrow release
    # the GIL); only the chunks in flight have their joined text in memory.
    with ThreadPoolExecutor(max_workers=_THREADS) as pool:
        chunks = list(pool.map(_as_objects, slices))
        del slices
        if prune:
            names = _names(schema)
            keys: set[str] = set().union(*pool.map(lambda chunk: _keys_in(chunk, names), chunks))
            schema = _pruned(schema, keys)
        parsed_chunks = list(pool.map(lambda chunk: _parse_chunk(chunk, schema), chunks))
    frames, bad, reasons = [], [], []
    for k, (frame, problems) in enumerate(parsed_chunks):
        frames.append(frame)
        bad += [k * size + line - 1 for _, line, _, _ in problems.rows]
        reasons += [reason for _, _, _, reason in problems.rows]
    frame = pl.concat(frames).head(len(values))
    return DecodedAttributes(frame, bad, reasons)


def cut_long_strings(
    frame: pl.DataFrame, columns: list[str]
) -> tuple[pl.DataFrame, dict[str, int]]:
    """Cut string values longer than 255 characters; return the frame and counts per column.

    Examples
    --------
    >>> import polars as pl
    >>> df = pl.DataFrame({"a": ["x" * 300, "ok"], "b": [None, "y"]})
    >>> out, counts = cut_long_strings(df, ["a", "b"])
    >>> out["a"].str.len_chars().to_list(), counts
    ([255, 2], {'a': 1})
    """
    present = [c for c in columns if c in frame.columns and frame.schema[c] == pl.String]
    if not present:
        return frame, {}
    # A value longer than 255 characters is longer than 255 bytes: the byte length is known
    # without reading the text, so only the values that long have their characters counted
    # and are cut (a few in a million, typically: counting every value took 0.1-0.2 s).
    long_bytes = frame.select(
        (pl.col(c).str.len_bytes() > MAX_ATTRIBUTE_CHARS).any().alias(c) for c in present
    ).row(0, named=True)
    counts: dict[str, int] = {}
    cut: list[pl.Series] = []
    for c in present:
        if not long_bytes[c]:
            continue
        column = frame.get_column(c)
        rows = (column.str.len_bytes() > MAX_ATTRIBUTE_CHARS).arg_true()
        values = column.gather(rows)
        over = values.str.len_chars() > MAX_ATTRIBUTE_CHARS
        if over.any():
            counts[c] = int(over.sum())
            shorter = values.filter(over).str.slice(0, MAX_ATTRIBUTE_CHARS)
            cut.append(column.clone().scatter(rows.filter(over), shorter))
    return (frame.with_columns(cut) if cut else frame), counts
