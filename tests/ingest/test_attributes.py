"""Decoding task attributes: one pass, and a second chance that keeps rows aligned."""

from __future__ import annotations

import json

import polars as pl

from geoflex.ingest._attributes import cut_long_strings, decode_json_column
from geoflex.ingest._build import _decode_task_attributes


def test_failed_rows_are_retried_in_place() -> None:
    rows = [
        {"from": "+1", "customers": {"phone": "+1", "zip": "98101"}},
        {"from": "+2", "customers": "broken", "conversations": {"outcome": "x"}},
        None,
        {"from": "+4", "customers": {"phone": "+4"}, "conversations": ["not", "an", "object"]},
        {"from": "+5", "conversations": {"outcome": "y", "hold_time": 3}},
    ]
    values = pl.Series([json.dumps(r) if r is not None else None for r in rows])
    top, nested, failures = _decode_task_attributes(values)
    assert top["from"].to_list() == ["+1", "+2", None, "+4", "+5"]
    assert nested["customers"]["phone"].to_list() == ["+1", None, None, "+4", None]
    assert nested["customers"]["zip"].to_list() == ["98101", None, None, None, None]
    assert nested["conversations"]["outcome"].to_list() == [None, "x", None, None, "y"]
    assert nested["conversations"]["hold_time"].to_list() == [None, None, None, None, "3"]
    assert sorted((i, what) for i, what, _ in failures) == [
        (1, "task_attributes.customers"),
        (3, "task_attributes.conversations"),
    ]


def test_not_json_at_all() -> None:
    top, _nested, failures = _decode_task_attributes(pl.Series(['{"from": "+1"}', "{oops"]))
    assert top["from"].to_list() == ["+1", None]
    assert [(i, what) for i, what, _ in failures] == [(1, "task_attributes")]


def test_decode_json_column_chunks_keep_order(monkeypatch) -> None:
    import geoflex.ingest._attributes as attributes

    monkeypatch.setattr(attributes, "_CHUNK_ROWS", 3)
    values = pl.Series([json.dumps({"a": str(i)}) if i != 4 else "bad" for i in range(10)])
    decoded = decode_json_column(values, {"a": pl.String(), "b": pl.String()})
    assert decoded.frame.columns == ["a"]  # "b" occurs nowhere: pruned
    assert decoded.frame["a"].to_list() == [str(i) if i != 4 else None for i in range(10)]
    assert decoded.bad_rows == [4]


def test_cut_counts_characters_not_bytes() -> None:
    frame = pl.DataFrame({"a": ["é" * 255, "é" * 256]})
    out, counts = cut_long_strings(frame, ["a"])
    assert counts == {"a": 1}
    assert out["a"].str.len_chars().to_list() == [255, 255]


def test_cut_reports_only_columns_with_long_values() -> None:
    # "b" is over 255 bytes but not over 255 characters; "c" is short; "d" is all null.
    frame = pl.DataFrame(
        {"a": ["x" * 300, "ok"], "b": ["é" * 200, None], "c": ["s", "t"], "d": [None, None]},
        schema={"a": pl.String, "b": pl.String, "c": pl.String, "d": pl.String},
    )
    out, counts = cut_long_strings(frame, ["a", "b", "c", "d"])
    assert counts == {"a": 1}
    assert out["a"].str.len_chars().to_list() == [255, 2]
    assert out["b"].to_list() == ["é" * 200, None]
    assert out.equals(frame.with_columns(pl.col("a").str.slice(0, 255)))
    assert frame["a"].str.len_chars().to_list() == [300, 2]  # the input frame is left alone


_HOSTILE_VALUES = [
    '{"a": "x", "b": 1}',
    '{"a": "y"}',
    ' {"a": "padded"} ',
    '{\n "a": "multi\\nline",\n "b": 2\n}',
    "",
    "   ",
    None,
    '{"a": "one"}{"a": "two"}',
    '{"a": "one"} {"a": "two"}',
    "[1, 2]",
    "null",
    '"text"',
    '{"a": 1.5}',
    '{"a": true}',
    '{"a": {"nested": 1}}',
    '{"a": "\\ud800"}',
    '{"a": "é", "b": "ü"}',
    '{"a": ',
    "{}",
]


def test_each_value_is_decoded_as_if_alone() -> None:
    # The values are read back to back from one buffer; a neighbour must never change a
    # value's row or verdict.
    import random

    rng = random.Random(3)
    schema = {"a": pl.String(), "b": pl.String()}
    values = [rng.choice(_HOSTILE_VALUES[:2]) if rng.random() < 0.6 else rng.choice(_HOSTILE_VALUES)
              for _ in range(400)]  # fmt: skip
    together = decode_json_column(pl.Series(values, dtype=pl.String), schema, prune=False)
    for i, value in enumerate(values):
        alone = decode_json_column(pl.Series([value], dtype=pl.String), schema, prune=False)
        assert together.frame.row(i) == alone.frame.row(0), (i, value)
        assert (i in together.bad_rows) == bool(alone.bad_rows), (i, value)
