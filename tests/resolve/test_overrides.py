"""Customer attributes override the phone (precedence in geoflex.resolve._overrides)."""

from __future__ import annotations

import polars as pl
import pytest

import geoflex


def _one(**columns: object) -> dict[str, object]:
    data = {"phone": ["+1 415 555 0132"], **{k: [v] for k, v in columns.items()}}
    overrides = {k.removeprefix("c_"): k for k in columns}
    return geoflex.resolve(pl.DataFrame(data), overrides=overrides).row(0, named=True)


def test_zip_fills_city_state_county_coordinates_timezone() -> None:
    row = _one(c_zip="10001-1234")
    assert row["zip"] == "10001"
    assert (row["city"], row["state"], row["state_code"]) == ("New York", "New York", "US-NY")
    assert row["area"] == "New York County"
    assert row["timezone"] == "America/New_York"
    assert (row["geo_level"], row["geo_source"]) == ("zip", "customer_attributes")
    assert 40.6 < row["latitude"] < 40.9


def test_coordinates_win_and_give_their_own_timezone() -> None:
    row = _one(c_zip="10001", c_latitude=47.61, c_longitude=-122.33)
    assert row["geo_level"] == "coordinates"
    assert (row["latitude"], row["longitude"]) == (47.61, -122.33)
    assert row["timezone"] == "America/Los_Angeles"


def test_coordinates_name_their_country_and_state() -> None:
    out = geoflex.resolve(
        pl.DataFrame(
            {
                "phone": ["+1 415 555 0132", "+1 415 555 0132", "+44 20 7946 0958", None],
                "lat": [40.7128, 51.5074, 48.8566, 29.7604],
                "lon": [-74.006, -0.1278, 2.3522, -95.3698],
            }
        ),
        overrides={"latitude": "lat", "longitude": "lon"},
    )
    assert out["country"].to_list() == ["US", "GB", "FR", "US"]
    assert out["state_code"].to_list() == ["US-NY", None, None, "US-TX"]
    assert out["state"].to_list() == ["New York", None, None, "Texas"]
    assert out["timezone"].to_list() == [
        "America/New_York",
        "Europe/London",
        "Europe/Paris",
        "America/Chicago",
    ]
    assert out["region"].to_list() == ["North America", "Europe", "Europe", "North America"]
    assert out["city"].to_list() == [None, None, None, None]


def test_out_of_range_or_text_coordinates_are_ignored() -> None:
    row = _one(c_latitude="north", c_longitude=500.0)
    assert row["geo_source"] == "phone"
    assert row["geo_level"] == "exchange"


def test_city_override_is_placed_within_the_country() -> None:
    row = _one(c_city="Seattle", c_state="WA")
    assert (row["city"], row["state_code"], row["geo_level"]) == ("Seattle", "US-WA", "city")
    assert row["timezone"] == "America/Los_Angeles"


def test_state_override_by_name_abbreviation_or_code() -> None:
    for value in ("Texas", "TX", "US-TX", "  texas "):
        row = _one(c_state=value)
        assert (row["state"], row["geo_level"]) == ("Texas", "state"), value
        assert row["city"] is None
        assert row["timezone"] == "America/Chicago"


def test_agreeing_country_keeps_the_phone_places() -> None:
    row = _one(c_country="United States")
    assert (row["country"], row["city"], row["geo_level"]) == ("US", "San Francisco", "exchange")


def test_other_country_replaces_the_phone_geography() -> None:
    row = _one(c_country="DE")
    assert (row["country"], row["region"], row["city"], row["state"]) == (
        "DE",
        "Europe",
        None,
        None,
    )
    assert (row["geo_level"], row["timezone"]) == ("country", "Europe/Berlin")


def test_region_and_area_are_set_as_given() -> None:
    row = _one(c_region="West Coast", c_area="Bay Area")
    assert (row["region"], row["area"]) == ("West Coast", "Bay Area")


def test_null_or_blank_overrides_leave_the_phone_alone() -> None:
    out = geoflex.resolve(
        pl.DataFrame({"phone": ["+1 415 555 0132"] * 3, "zip": [None, "  ", "nope"]}),
        overrides={"zip": "zip"},
    )
    assert out["geo_source"].to_list() == ["phone"] * 3
    assert out["city"].to_list() == ["San Francisco"] * 3


def test_huge_hostile_override_values_are_cut_and_do_not_break() -> None:
    evil = "<script>alert(1)</script>" * 100
    row = _one(c_city=evil, c_area="x" * 10_000)
    assert len(row["area"]) == 255
    assert len(row["city"]) == 255


def test_override_errors_name_the_field_and_the_columns() -> None:
    df = pl.DataFrame({"phone": ["+1"], "postcode": ["1"]})
    with pytest.raises(geoflex.ConfigError, match="unknown field 'postcode'"):
        geoflex.resolve(df, overrides={"postcode": "postcode"})
    with pytest.raises(
        geoflex.ConfigError, match=r"column 'zipcode'.*available columns: phone, postcode"
    ):
        geoflex.resolve(df, overrides={"zip": "zipcode"})
    with pytest.raises(geoflex.ConfigError, match="together"):
        geoflex.resolve(df, overrides={"latitude": "postcode"})


def test_custom_regions_by_country_state_and_expression() -> None:
    df = pl.DataFrame(
        {"phone": ["+1 415 555 0132", "+1 212 555 0199", "+44 20 7946 0958", "+81 3-1234-5678"]}
    )
    out = geoflex.resolve(df, regions={("US", "CA"): "West", "US": "USA", "GB": "EMEA"})
    assert out["region"].to_list() == ["West", "USA", "EMEA", "Asia"]
    expr = pl.when(pl.col("timezone").str.starts_with("America/")).then(pl.lit("Americas"))
    out = geoflex.resolve(df, regions=expr)
    assert out["region"].to_list() == ["Americas", "Americas", "Europe", "Asia"]


def test_bad_regions_are_config_errors() -> None:
    df = pl.DataFrame({"phone": ["+1"]})
    with pytest.raises(geoflex.ConfigError, match="unknown state"):
        geoflex.resolve(df, regions={("US", "Atlantis"): "X"})
    with pytest.raises(geoflex.ConfigError, match="keys are ISO"):
        geoflex.resolve(df, regions={"USA": "X"})
