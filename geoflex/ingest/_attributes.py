"""Decoding JSON attribute strings (task and worker attributes) in bulk, and the 255 cut."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl

from geoflex.ingest._ndjson import LINE_COLUMN, parse_ndjson

__all__ = ["MAX_ATTRIBUTE_CHARS", "DecodedAttributes", "cut_long_strings", "decode_json_column"]

#: Flex Insights keeps at most this many characters of a string attribute value.
MAX_ATTRIBUTE_CHARS = 255


@dataclass
class DecodedAttributes:
    """Decoded attribute columns (one row per input row, in order) and the rows that failed."""

    frame: pl.DataFrame
    bad_rows: list[int]
    reasons: list[str]


_CHUNK_ROWS = 250_000


def _keys_in(text: pl.Series) -> set[str]:
    """Every object key that occurs in a column of JSON texts (one regex pass)."""
    found = (
        text.str.extract_all(r'"[A-Za-z_0-9]+"\s*:')
        .explode()
        .str.strip_chars('":\t\n\r ')
        .unique()
        .drop_nulls()
    )
    return set(found.to_list())


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
    # One object per line: whitespace newlines between tokens become spaces (inside a valid
    # JSON string a raw newline cannot occur), nulls and empty strings become "{}".
    text = (
        values.cast(pl.String)
        .str.replace_all(r"[\r\n]", " ")
        .str.strip_chars()
        .replace("", None)
        .fill_null("{}")
    )
    chunks = [text.slice(i, _CHUNK_ROWS) for i in range(0, max(len(text), 1), _CHUNK_ROWS)]
    if prune:
        keys: set[str] = set()
        for chunk in chunks:
            keys |= _keys_in(chunk)
        schema = _pruned(schema, keys)
    frames, bad, reasons = [], [], []
    # In chunks, so the joined text of a million attribute objects is never in memory at once.
    for k, chunk in enumerate(chunks):
        data = (chunk.str.join("\n").item() or "").encode() + b"\n"
        parsed = parse_ndjson(data, schema)
        frames.append(
            pl.DataFrame({LINE_COLUMN: pl.int_range(1, len(chunk) + 1, eager=True)})
            .join(parsed.frame, on=LINE_COLUMN, how="left")
            .sort(LINE_COLUMN)
            .drop(LINE_COLUMN)
        )
        bad += [k * _CHUNK_ROWS + p.line - 1 for p in parsed.problems]
        reasons += [p.reason for p in parsed.problems]
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
    counts_row = frame.select(
        (pl.col(c).str.len_chars() > MAX_ATTRIBUTE_CHARS).sum().alias(c) for c in present
    ).row(0, named=True)
    counts = {c: int(n) for c, n in counts_row.items() if n}
    if counts:
        frame = frame.with_columns(pl.col(c).str.slice(0, MAX_ATTRIBUTE_CHARS) for c in counts)
    return frame, counts
