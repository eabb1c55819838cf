"""Real checks on the shipped reference tables (geoflex/_data)."""

from __future__ import annotations

import polars as pl
import pytest

from geoflex import ConfigError
from geoflex.reference import load_geojson, load_table

# The 50 states and DC with their official English names (ISO 3166-2:US).
US_STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
    "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan",
    "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri", "MT": "Montana",
    "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire", "NJ": "New Jersey",
    "NM": "New Mexico", "NY": "New York", "NC": "North Carolina", "ND": "North Dakota",
    "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania",
    "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee",
    "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington",
    "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
}  # fmt: skip
US_TERRITORIES = {
    "PR": "Puerto Rico", "GU": "Guam", "VI": "U.S. Virgin Islands",
    "AS": "American Samoa", "MP": "Northern Mariana Islands",
}  # fmt: skip
CA_PROVINCES = {
    "AB": "Alberta", "BC": "British Columbia", "MB": "Manitoba", "NB": "New Brunswick",
    "NL": "Newfoundland and Labrador", "NS": "Nova Scotia", "NT": "Northwest Territories",
    "NU": "Nunavut", "ON": "Ontario", "PE": "Prince Edward Island", "QC": "Quebec",
    "SK": "Saskatchewan", "YT": "Yukon",
}  # fmt: skip
FLEX_REGIONS = {"Africa", "Asia", "Australia", "Europe", "Latin America", "North America"}
# (south, west, north, east) boxes, generous by a few km.
CALIFORNIA = (32.4, -124.5, 42.1, -114.1)
NEW_YORK = (40.4, -79.8, 45.1, -71.8)


def _inside(lat: float, lon: float, box: tuple[float, float, float, float]) -> bool:
    south, west, north, east = box
    return south <= lat <= north and west <= lon <= east


def _bbox(geometry: dict) -> tuple[float, float, float, float]:
    polys = (
        geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    )
    xs = [x for poly in polys for ring in poly for x, _ in ring]
    ys = [y for poly in polys for ring in poly for _, y in ring]
    return min(ys) - 0.05, min(xs) - 0.05, max(ys) + 0.05, max(xs) + 0.05


# --- subdivisions --------------------------------------------------------------------------


def test_every_state_dc_territory_and_province_with_official_name() -> None:
    subs = load_table("subdivisions").filter(pl.col("state_code").str.contains("^(US|CA)-"))
    got = {r["state_code"]: r for r in subs.iter_rows(named=True)}
    expected = {
        **{f"US-{k}": ("US", k, v) for k, v in {**US_STATES, **US_TERRITORIES}.items()},
        **{f"CA-{k}": ("CA", k, v) for k, v in CA_PROVINCES.items()},
    }
    assert set(got) == set(expected)
    for code, (country, abbreviation, name) in expected.items():
        row = got[code]
        assert (row["country"], row["abbreviation"], row["state"]) == (country, abbreviation, name)
        assert row["timezone"]
        assert row["latitude"] is not None


def test_state_points_are_inside_their_state() -> None:
    subs = load_table("subdivisions").filter(country="US")
    states = {f["properties"]["state_code"]: f for f in load_geojson("us_states")["features"]}
    for row in subs.iter_rows(named=True):
        assert _inside(
            row["latitude"], row["longitude"], _bbox(states[row["state_code"]]["geometry"])
        )


def test_principal_timezones() -> None:
    tz = dict(load_table("subdivisions").select("state_code", "timezone").iter_rows())
    assert tz["US-CA"] == "America/Los_Angeles"
    assert tz["US-NY"] == "America/New_York"
    assert tz["US-TX"] == "America/Chicago"
    assert tz["US-AZ"] == "America/Phoenix"
    assert tz["US-HI"] == "Pacific/Honolulu"
    assert tz["CA-BC"] == "America/Vancouver"
    assert tz["CA-NL"] == "America/St_Johns"


# --- countries ------------------------------------------------------------------------------


def test_countries_cover_every_phonenumbers_region() -> None:
    phonenumbers = pytest.importorskip("phonenumbers")
    countries = set(load_table("countries")["country"])
    regions = set(phonenumbers.SUPPORTED_REGIONS)
    assert regions - countries == set()
    assert {"XK", "AC", "TA"} <= countries
    assert "001" not in countries


def test_country_rows_are_complete_and_unique() -> None:
    countries = load_table("countries")
    assert countries["country"].is_unique().all()
    assert countries.height >= 249
    for column in ("country_name", "continent", "region", "latitude", "longitude", "timezone"):
        assert countries[column].null_count() == 0, column
    assert countries["country"].str.contains("^[A-Z]{2}$").all()
    assert set(countries["continent"]) <= {"AF", "AS", "EU", "NA", "OC", "SA", "AN"}


def test_regions_follow_flex_defaults() -> None:
    region = dict(load_table("countries").select("country", "region").iter_rows())
    outside = {c: r for c, r in region.items() if r not in FLEX_REGIONS}
    assert outside == {"AQ": "Antarctica"}
    for code in ("PR", "VI", "DO", "JM", "BS", "BB", "TT", "AG", "MX", "BR", "AR", "CR"):
        assert region[code] == "Latin America", code
    for code in ("GU", "MP", "AS", "AU", "NZ", "FJ"):
        assert region[code] == "Australia", code
    assert {c for c, r in region.items() if r == "North America"} == {"US", "CA", "BM", "GL", "PM"}
    assert (region["GB"], region["RU"], region["JP"], region["NG"]) == (
        "Europe", "Europe", "Asia", "Africa",
    )  # fmt: skip


def test_country_names_are_what_people_write() -> None:
    name = dict(load_table("countries").select("country", "country_name").iter_rows())
    assert name["US"] == "United States"
    assert name["GB"] == "United Kingdom"
    assert name["KR"] == "South Korea"
    assert name["RU"] == "Russia"
    assert name["IR"] == "Iran"
    assert name["BO"] == "Bolivia"
    assert name["VN"] == "Vietnam"
    assert name["XK"] == "Kosovo"
    assert not [n for n in name.values() if "," in n and n != "Bonaire, Sint Eustatius and Saba"]


def test_country_points_inside_their_polygon_box() -> None:
    countries = load_table("countries")
    shapes = {f["properties"]["country"]: f for f in load_geojson("countries")["features"]}
    for row in countries.filter(pl.col("country").is_in(list(shapes))).iter_rows(named=True):
        assert _inside(row["latitude"], row["longitude"], _bbox(shapes[row["country"]]["geometry"]))
    us = countries.filter(country="US").row(0, named=True)
    assert _inside(us["latitude"], us["longitude"], (24, -125, 50, -66))  # the lower 48


# --- ZIPs -----------------------------------------------------------------------------------


def test_zip_94103() -> None:
    row = load_table("zips").filter(zip="94103").row(0, named=True)
    assert (row["city"], row["state_code"], row["timezone"]) == (
        "San Francisco",
        "US-CA",
        "America/Los_Angeles",
    )
    assert row["county"] == "San Francisco County"
    assert _inside(row["latitude"], row["longitude"], CALIFORNIA)


def test_zip_table_shape() -> None:
    zips = load_table("zips")
    assert zips.height > 41_000
    assert zips["zip"].is_unique().all()
    assert zips["zip"].str.contains("^[0-9]{5}$").all()
    assert zips["timezone"].null_count() == 0
    valid_states = {f"US-{s}" for s in [*US_STATES, *US_TERRITORIES]}
    assert set(zips["state_code"].drop_nulls()) <= valid_states


def test_territory_zips_carry_their_country_and_state_code() -> None:
    zips = load_table("zips")
    san_juan = zips.filter(zip="00901").row(0, named=True)
    assert (san_juan["country"], san_juan["state_code"]) == ("PR", "US-PR")
    assert san_juan["timezone"] == "America/Puerto_Rico"
    assert set(zips.filter(country="US")["state_code"].str.slice(3)) <= set(US_STATES)


# --- places ---------------------------------------------------------------------------------


def test_places_are_unique_per_country_state_key() -> None:
    places = load_table("places")
    assert places.select(pl.struct("country", "state_code", "key").is_unique().all()).item()
    us_ca = places.filter(pl.col("country").is_in(["US", "CA"]))
    assert us_ca["state_code"].null_count() == 0
    assert places["timezone"].null_count() == 0


@pytest.mark.parametrize(
    ("country", "state_code", "name", "timezone"),
    [
        ("US", "US-CA", "San Francisco", "America/Los_Angeles"),
        ("US", "US-CA", "Mountain View", "America/Los_Angeles"),
        ("US", "US-MO", "St. Louis", "America/Chicago"),
        ("GB", "GB-ENG", "London", "Europe/London"),
        ("DE", "DE-BY", "Munich", "Europe/Berlin"),
        ("CA", "CA-ON", "Toronto", "America/Toronto"),
    ],
)
def test_known_places(country: str, state_code: str | None, name: str, timezone: str) -> None:
    from geoflex.reference import place_key

    places = load_table("places").filter(
        pl.col("country") == country,
        pl.col("state_code").eq_missing(state_code),
        pl.col("key") == place_key(name),
    )
    assert places.height == 1
    assert places["timezone"][0] == timezone


# --- area codes -----------------------------------------------------------------------------


def _area_codes() -> dict[str, dict]:
    return {r["npa"]: r for r in load_table("area_codes").iter_rows(named=True)}


def test_area_code_415_is_in_california() -> None:
    row = _area_codes()["415"]
    assert (row["country"], row["state_code"], row["source"]) == ("US", "US-CA", "polygon")
    assert _inside(row["latitude"], row["longitude"], CALIFORNIA)
    assert row["timezone"] == "America/Los_Angeles"


def test_manhattan_overlays_share_a_group() -> None:
    codes = _area_codes()
    assert codes["212"]["overlay_group"] == codes["646"]["overlay_group"]
    assert codes["332"]["overlay_group"] == codes["212"]["overlay_group"]


@pytest.mark.parametrize("npa", ["332", "929", "628", "737"])
def test_overlays_missing_from_polygons_placed_from_zips(npa: str) -> None:
    row = _area_codes()[npa]
    assert row["source"] == "zip_area_codes"
    if npa in ("332", "929"):
        assert row["state_code"] == "US-NY"
        assert _inside(row["latitude"], row["longitude"], NEW_YORK)


def test_area_code_rows() -> None:
    table = load_table("area_codes")
    assert table["npa"].is_unique().all()
    assert table["npa"].str.contains("^[2-9][0-9]{2}$").all()
    assert set(table["source"]) == {"polygon", "zip_area_codes", "geocoder_city", "geocoder_state"}
    assert table.filter(source="polygon").height == 335
    assert table.filter(pl.col("country").is_in(["US", "CA"]))["state_code"].null_count() == 0
    assert table["timezone"].null_count() == 0


def test_canadian_overlays_join_their_parent() -> None:
    codes = _area_codes()
    # Toronto: libphonenumber names the city for the whole code.
    assert codes["437"]["source"] == "geocoder_city"
    assert codes["437"]["overlay_group"] == codes["416"]["overlay_group"]
    # Manitoba has a single area (204), so its overlays 431 and 584 share it.
    for npa in ("431", "584"):
        assert codes[npa]["source"] == "geocoder_state"
        assert codes[npa]["overlay_group"] == codes["204"]["overlay_group"]
        assert codes[npa]["state_code"] == "CA-MB"
    # US ZIPs near the border list 236 (British Columbia): it must not land in Washington.
    assert "236" not in codes or codes["236"]["country"] == "CA"


def test_us_area_code_points_inside_their_state() -> None:
    states = {f["properties"]["state_code"]: f for f in load_geojson("us_states")["features"]}
    for row in load_table("area_codes").filter(country="US").iter_rows(named=True):
        box = _bbox(states[row["state_code"]]["geometry"])
        assert _inside(row["latitude"], row["longitude"], box), row


# --- GeoJSON --------------------------------------------------------------------------------


def test_geojson_feature_counts_and_properties() -> None:
    countries = load_geojson("countries")["features"]
    assert len(countries) >= 240
    assert len({f["properties"]["country"] for f in countries}) == len(countries)
    assert set(countries[0]["properties"]) == {"country", "country_name"}

    states = load_geojson("us_states")["features"]
    assert len(states) == 56  # 50 states, DC, 5 territories
    assert {f["properties"]["state"] for f in states} >= set(US_STATES.values())

    areas = load_geojson("area_codes")["features"]
    groups = set(load_table("area_codes").filter(source="polygon")["overlay_group"])
    assert {f["properties"]["overlay_group"] for f in areas} == groups
    by_group = {f["properties"]["overlay_group"]: f["properties"] for f in areas}
    manhattan = by_group[_area_codes()["212"]["overlay_group"]]["codes"].split(", ")
    assert {"212", "332", "646"} <= set(manhattan)
    for feature in [*countries, *states, *areas]:
        assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")


def test_geojson_coordinates_rounded_to_3_decimals() -> None:
    for ring in load_geojson("us_states")["features"][0]["geometry"]["coordinates"][0][:1]:
        for x, y in ring:
            assert (round(x, 3), round(y, 3)) == (x, y)


# --- loader behaviour -----------------------------------------------------------------------


def test_callers_cannot_corrupt_the_cache() -> None:
    first = load_table("countries")
    first.drop_in_place("region")
    assert "region" in load_table("countries").columns
    fc = load_geojson("us_states")
    fc["features"].clear()
    assert load_geojson("us_states")["features"]


def test_unknown_names_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="choose one of"):
        load_table("cities")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="us_states"):
        load_geojson("states")  # type: ignore[arg-type]
