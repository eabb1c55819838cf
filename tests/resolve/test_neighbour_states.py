"""Where a description names no state, the neighbouring numbers settle it (issue 15 items 1
and 3; data/_phone_neighbours.py): stray namesakes are moved, missing states filled in, and
only in countries where the neighbours have proved right."""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl
import pytest

import geoflex

phonenumbers = pytest.importorskip("phonenumbers")
sys.path.insert(0, str(Path(__file__).parents[2] / "data"))
from _phone_neighbours import MIN_TRIALS, settle  # noqa: E402

# (phone, the geocoder's description, state, placed at a point, zone)
CASES = [
    # The gazetteer's only Mansfield is a Brisbane suburb, 1,164 km from the Victorian
    # exchanges around these numbers; it lacks the Victorian town: the name, in Victoria.
    ("+61 3 4700 8123", "Mansfield", "AU-VIC", False, "Australia/Melbourne"),
    ("+61 3 4201 5123", "Queenscliff", "AU-VIC", False, "Australia/Melbourne"),
    # An exchange GeoNames lists without 500 people, among Victorian ones.
    ("+61 3 5350 1234", "Lake Bolac", "AU-VIC", False, "Australia/Melbourne"),
    ("+49 39601 12345", "Friedland", "DE-MV", False, "Europe/Berlin"),
    # Another country's name is a town of this one when the gazetteer has it.
    ("+61 8 9848 1234", "Denmark", "AU-WA", True, "Australia/Perth"),
]


@pytest.mark.parametrize(("phone", "description", "state", "placed", "zone"), CASES)
def test_the_neighbouring_numbers_give_the_state(
    phone: str, description: str, state: str, placed: bool, zone: str
) -> None:
    from phonenumbers import geocoder

    assert geocoder.description_for_number(phonenumbers.parse(phone), "en") == description
    row = geoflex.resolve(pl.DataFrame({"phone": [phone]})).row(0, named=True)
    assert (row["city"], row["state_code"], row["timezone"]) == (description, state, zone)
    assert (row["latitude"] is not None) is placed
    assert row["geo_level"] == ("city" if placed else "state")


def test_great_britains_neighbours_are_not_trusted() -> None:
    # UK area codes follow old dialling letters, not the map: a name the gazetteer lacks
    # keeps no state there rather than a neighbour's.
    places = pl.read_parquet(
        Path(geoflex.__file__).parent / "_data" / "phone" / "places.parquet"
    ).filter(pl.col("place_country") == "GB", pl.col("place_lat").is_null())
    assert places.height > 0
    assert places["place_state_code"].null_count() == places.height


def _row(city: str | None, state: str | None, lat: float | None = None) -> tuple[object, ...]:
    lon = None if lat is None else 0.0
    level = "city" if lat is not None else "country"
    return (city, state, lat, lon, level, f"Zone/{state}" if state else None)


def _country(n_known: int, *, wrong_every: int = 0) -> tuple[list, list[int]]:
    """Rows and interval ids of one country: known cities in runs of one state (A, then B),
    an unknown name in the middle of each run; every ``wrong_every``-th known city sits in
    the other state (its neighbours would name the wrong one)."""
    rows: list[tuple[object, ...]] = []
    ids: list[int] = []
    for k in range(n_known):
        state = "X-A" if k < n_known // 2 else "X-B"
        if wrong_every and k % wrong_every == 1:
            state = "X-B" if state == "X-A" else "X-A"
        rows.append(_row(f"town{k}", state, 0.01 * k))
        ids.append(len(rows) - 1)
        if k % 10 == 5:
            rows.append(_row(f"village{k}", None))
            ids.append(len(rows) - 1)
    return rows, ids


def test_a_name_the_gazetteer_lacks_takes_its_neighbours_state() -> None:
    rows, ids = _country(2 * MIN_TRIALS + 20)
    out, report = settle(rows, ids, ["X"] * len(rows), set(), lambda c, s, n: None)
    villages = [r for r in out if str(r[0]).startswith("village")]
    assert villages
    assert all(r[1] in ("X-A", "X-B") and r[2] is None and r[4] == "state" for r in villages)
    assert all(r[5] == f"Zone/{r[1]}" for r in villages)
    assert report.row(0, named=True)["trusted"] is True


def test_neighbours_that_were_often_wrong_give_nothing() -> None:
    rows, ids = _country(2 * MIN_TRIALS + 20, wrong_every=5)
    out, report = settle(rows, ids, ["X"] * len(rows), set(), lambda c, s, n: None)
    assert report.row(0, named=True)["trusted"] is False
    assert [r for r in out if str(r[0]).startswith("village")] == [
        r for r in rows if str(r[0]).startswith("village")
    ]


def test_a_stray_namesake_moves_to_the_state_its_neighbours_name() -> None:
    rows, ids = _country(2 * MIN_TRIALS + 20)
    # town3's point is 5,000 km from its neighbours, in the other state.
    rows[ids[3]] = ("town3", "X-B", 45.0, 0.0, "city", "Zone/X-B")
    there = ("town3", "X-A", 0.03, 0.0, "city", "Zone/X-A")
    out, report = settle(
        rows, ids, ["X"] * len(rows), set(), lambda c, s, n: there if s == "X-A" else None
    )
    assert out[ids[3]] == there
    assert report.row(0, named=True)["moved"] == 1
    # A row whose state its description settles is never touched.
    out, _ = settle(rows, ids, ["X"] * len(rows), {ids[3]}, lambda c, s, n: there)
    assert out[ids[3]] == rows[ids[3]]


def test_the_walk_stops_at_another_countrys_numbers() -> None:
    rows, ids = _country(2 * MIN_TRIALS + 20)
    countries = ["X"] * len(rows)
    village = next(i for i, r in enumerate(rows) if str(r[0]).startswith("village"))
    other = len(rows)
    rows.append(_row("abroad", None))
    countries.append("Y")
    # Above the village: a block of country Y, then X's towns again.
    ids.insert(ids.index(village) + 1, other)
    out, _ = settle(rows, ids, countries, set(), lambda c, s, n: None)
    assert out[village] == rows[village]  # one neighbour left: no state
    assert out[other] == rows[other]
