"""`lookup` (the single-number path) agrees with `resolve` and is a small immutable record."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import polars as pl
import pytest

import geoflex
from geoflex.resolve import GEO_COLUMNS

PHONES = [
    "+1 415 555 0132",
    "(206) 555 0100",
    "+44 20 7946 0958",
    "+49 89 1234567",
    "+61 2 9876 5432",
    "+54 9 11 2345 6789",
    "+1 787 555 0123",
    "+1 684 733 1159",
    "+800 1234 5678",
    "+1 800 356 9377",
    "+81 3-1234-5678",
    "+86 10 1234 5678",
    "+91 22 1234 5678",
    "+7 495 123 4567",
    "+1 555 867 5309",
    "anonymous",
    "",
    "12",
    "+999 1234",
    "011 33 1 23 45 67 89",
    "0044 20 7946 0958",
] + [
    json.loads(line)["input"]
    for line in (Path(__file__).parent / "nasty_inputs.jsonl").read_text("utf-8").splitlines()
]


def test_lookup_agrees_with_resolve_on_every_column() -> None:
    frame = geoflex.resolve(pl.DataFrame({"phone": PHONES}, schema={"phone": pl.String}))
    for phone, row in zip(PHONES, frame.iter_rows(named=True), strict=True):
        record = dataclasses.asdict(geoflex.lookup(phone))
        expected = {c: row[c] for c in GEO_COLUMNS}
        assert record == expected, phone


def test_record_is_frozen_and_has_the_contract_fields() -> None:
    record = geoflex.lookup("+1 415 555 0132")
    assert [f.name for f in dataclasses.fields(record)] == list(GEO_COLUMNS)
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.city = "Elsewhere"  # type: ignore[misc]


def test_lookup_respects_default_country() -> None:
    assert geoflex.lookup("020 7946 0958", default_country="GB").country == "GB"
    assert geoflex.lookup("020 7946 0958", default_country="US").valid is False
