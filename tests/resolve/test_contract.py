"""The resolver's contract: kinds in and out, rows kept, columns and dtypes, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

import geoflex
from geoflex.resolve import GEO_COLUMNS, GEO_SCHEMA, GEO_STATUSES

PHONES = ["+1 415 555 0132", None, "garbage", "020 7946 0958", "+44 20 7946 0958", ""]
NASTY = [
    json.loads(line)
    for line in (Path(__file__).parent / "nasty_inputs.jsonl").read_text("utf-8").splitlines()
]


def test_dataframe_rows_kept_in_order_with_exactly_the_contract_columns() -> None:
    df = pl.DataFrame({"id": range(len(PHONES)), "phone": PHONES})
    out = geoflex.resolve(df)
    assert out.columns == ["id", "phone", *GEO_COLUMNS]
    assert out["id"].to_list() == list(range(len(PHONES)))
    assert out["phone"].to_list() == PHONES
    for name, dtype in GEO_SCHEMA.items():
        assert out.schema[name] == dtype, name


def test_lazyframe_stays_lazy_and_matches_eager() -> None:
    df = pl.DataFrame({"phone": PHONES})
    lazy = geoflex.resolve(df.lazy())
    assert isinstance(lazy, pl.LazyFrame)
    assert_frame_equal(lazy.collect(), geoflex.resolve(df))


def test_pandas_and_arrow_round_trip() -> None:
    df = pl.DataFrame({"phone": PHONES})
    expected = geoflex.resolve(df)
    out_pd = geoflex.resolve(pd.DataFrame({"phone": PHONES}))
    assert isinstance(out_pd, pd.DataFrame)
    assert out_pd["phone_e164"].tolist()[0] == "+14155550132"
    assert list(out_pd.columns) == expected.columns
    out_pa = geoflex.resolve(pa.table({"phone": PHONES}))
    assert isinstance(out_pa, pa.Table)
    assert out_pa.column("country").to_pylist() == expected["country"].to_list()


def test_repeated_numbers_resolve_like_unique_ones() -> None:
    phones = ["+1 212 555 0199", "+33 1 23 45 67 89"] * 50
    out = geoflex.resolve(pl.DataFrame({"phone": phones}))
    single = geoflex.resolve(pl.DataFrame({"phone": phones[:2]}))
    assert_frame_equal(out.head(2), single)
    assert out["country"].to_list() == ["US", "FR"] * 50


def test_a_null_among_repeated_numbers_shifts_no_row() -> None:
    # Many repeats take the distinct-values path; a null there once moved every number
    # after it onto the next number's geography.
    phones = ["client:bob", "+14155550132", "+442079460958", "garbage"] * 400
    phones[7] = None
    out = geoflex.resolve(pl.DataFrame({"phone": phones}))
    one_by_one = pl.concat([geoflex.resolve(pl.DataFrame({"phone": [p]})) for p in phones[:12]])
    assert_frame_equal(out.head(12), one_by_one)
    assert out.filter(pl.col("phone") == "client:bob")["geo_status"].unique().to_list() == [
        "not_a_phone"
    ]


def test_missing_column_names_it_and_lists_the_available_ones() -> None:
    with pytest.raises(
        geoflex.ColumnError, match=r"'msisdn' not found; available columns: id, phone"
    ):
        geoflex.resolve(pl.DataFrame({"id": [1], "phone": ["+1"]}), "msisdn")


def test_non_string_column_is_a_clear_error() -> None:
    with pytest.raises(geoflex.ColumnError, match=r"'phone' has type Int64, expected text"):
        geoflex.resolve(pl.DataFrame({"phone": [14155550132]}))


def test_existing_geo_column_is_refused_unless_used_as_override() -> None:
    df = pl.DataFrame({"phone": ["+1 415 555 0132"], "zip": ["10001"]})
    with pytest.raises(geoflex.ColumnError, match="already has column"):
        geoflex.resolve(df)
    out = geoflex.resolve(df, overrides={"zip": "zip"})
    assert out["zip"].to_list() == ["10001"]


def test_bad_default_country_is_a_config_error() -> None:
    with pytest.raises(geoflex.ConfigError, match="default_country"):
        geoflex.resolve(pl.DataFrame({"phone": ["1"]}), default_country="USA")


def test_unsupported_input_kind_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="polars DataFrame"):
        geoflex.resolve([{"phone": "+1"}])  # type: ignore[type-var]


def test_categorical_and_all_null_columns_are_accepted() -> None:
    cat = pl.DataFrame({"phone": pl.Series(["+1 415 555 0132"], dtype=pl.Categorical)})
    assert geoflex.resolve(cat)["valid"].to_list() == [True]
    nulls = pl.DataFrame({"phone": pl.Series([None, None], dtype=pl.Null)})
    assert geoflex.resolve(nulls)["geo_status"].to_list() == ["empty", "empty"]


@pytest.mark.parametrize("case", NASTY, ids=lambda c: repr(c["input"])[:40])
def test_nasty_inputs_get_their_status(case: dict[str, str | None]) -> None:
    out = geoflex.resolve(
        pl.DataFrame({"phone": [case["input"]]}, schema={"phone": pl.String}),
        default_country=str(case["default_country"]),
    )
    assert out["geo_status"][0] == case["geo_status"]
    assert out["phone_e164"][0] == case["phone_e164"]
    assert out["valid"][0] == (case["geo_status"] == "ok")


def test_nasty_inputs_in_one_frame_keep_every_row() -> None:
    frame = pl.DataFrame(
        {"phone": [c["input"] for c in NASTY if c["default_country"] == "US"]},
        schema={"phone": pl.String},
    )
    out = geoflex.resolve(frame)
    assert out.height == frame.height
    assert out["geo_status"].null_count() == 0


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=60)), min_size=1, max_size=20))
def test_any_text_never_raises_and_every_row_has_a_status(phones: list[str | None]) -> None:
    out = geoflex.resolve(pl.DataFrame({"phone": phones}, schema={"phone": pl.String}))
    assert out.height == len(phones)
    assert set(out["geo_status"].to_list()) <= set(GEO_STATUSES)
    ok = out.filter(pl.col("geo_status") == "ok")
    assert ok["valid"].all()
    assert ok["phone_e164"].str.contains(r"^\+[1-9]\d{3,18}$").all()
    assert out.filter(pl.col("geo_status") != "ok")["valid"].not_().all()


def test_valid_numbers_have_region_country_timezone_and_level() -> None:
    out = geoflex.resolve(
        pl.DataFrame(
            {"phone": ["+1 415 555 0132", "+81 3-1234-5678", "+27 21 123 4567", "+55 11 3456 7890"]}
        )
    )
    assert out["region"].to_list() == ["North America", "Asia", "Africa", "Latin America"]
    assert out["timezone"].to_list() == [
        "America/Los_Angeles",
        "Asia/Tokyo",
        "Africa/Johannesburg",
        "America/Sao_Paulo",
    ]
    assert out["geo_level"].null_count() == 0
    assert set(out["geo_source"].to_list()) == {"phone"}


def test_huge_and_control_character_strings_get_statuses() -> None:
    phones = [
        "1" * 100_000,
        "+" + "4" * 100_000,
        "a" * 100_000,
        "+1 415 555 0132\n+1 415 555 0199",
        "\u202e+1 415 555 0132",
        "+1 415\t555\r0132",
        "\x00+14155550132",
    ]
    out = geoflex.resolve(pl.DataFrame({"phone": phones}))
    assert out["geo_status"].to_list()[:3] == ["too_long", "too_long", "too_long"]
    assert out.height == len(phones)
    assert out["geo_status"].null_count() == 0


def test_vocabularies_are_defined_once_with_their_meanings() -> None:
    """The Literal types, the value tuples and the documented meanings name the same values."""
    from typing import get_args

    from geoflex.resolve import GEO_LEVELS, GEO_SOURCES, GeoLevel, GeoSource, GeoStatus
    from geoflex.resolve._schema import COLUMN_MEANINGS

    assert get_args(GeoStatus) == GEO_STATUSES
    assert get_args(GeoLevel) == GEO_LEVELS
    assert get_args(GeoSource) == GEO_SOURCES
    assert tuple(COLUMN_MEANINGS) == GEO_COLUMNS
