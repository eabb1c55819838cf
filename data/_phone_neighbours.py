"""Where the geocoder's description does not say the state, ask the neighbouring numbers.

Numbering plans hand out their blocks by area: in most countries the blocks on either side
of a town's block belong to towns of the same state. Outside North America, for the places
whose description names no state, the nearest placed block below and the nearest above each
of a place's blocks vote with their state. Their agreement settles two things:

- **A namesake far from its numbers.** The gazetteer's most populous place of a name is
  taken first; when it lies more than ``STRAY_KM`` from every neighbour and the neighbours
  all name another state, it is not the place meant: Australia's Mansfield exchange is the
  Victorian town, not the Brisbane suburb 1,164 km away. The place becomes the gazetteer's
  namesake in that state, or, where the gazetteer has none there, the name in that state
  without a point.
- **A name the gazetteer lacks** (an exchange or village GeoNames lists without 500
  people): it keeps its name and no point, and takes the state its neighbours all name, on
  the clock most of them keep.

Both only in countries where the neighbours have proved right (``MIN_RIGHT`` of at least
``MIN_TRIALS`` places): each place the gazetteer knows, near its neighbours, is voted on as if
it were unknown, and the vote is compared with its state (``settle``'s report; printed by the
build and recorded in data/README.md). Great Britain, whose area codes follow old dialling
letters rather than the map, is one that does not pass.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from typing import Any

import polars as pl

#: A country's neighbours must name the right state for this share of its known places...
MIN_RIGHT = 0.97
#: ... over at least this many places, before they move or fill in any place there.
MIN_TRIALS = 30
#: A city farther than this from every neighbour is not where its numbers are.
STRAY_KM = 300.0
#: Levels whose state is a place's own, so whose blocks vote.
_VOTING_LEVELS = ("city", "exchange", "state")
# A place row, as _phone_places builds it: (city, state_code, lat, lon, level, zone).
_CITY, _STATE, _LAT, _LON, _LEVEL, _ZONE = range(6)

Row = tuple[Any, ...]


def settle(
    rows: list[Row],
    ids: list[int],
    countries: list[str | None],
    fixed: set[int],
    namesake: Callable[[str, str, str], Row | None],
) -> tuple[list[Row], pl.DataFrame]:
    """The place rows with stray namesakes moved and missing states filled in.

    ``ids``: the place of each geocoder interval, in key order; ``countries``: each row's
    region; ``fixed``: rows whose state the description settles (North America, a description
    naming its state); ``namesake(country, state, name)``: the gazetteer's place of that name
    in that state as a row, or None. Returns the rows and, per country, the holdout (trials,
    right), whether it is trusted, the places moved and the states given.
    """
    rows = list(rows)
    cities = {
        i
        for i, row in enumerate(rows)
        if row[_LEVEL] == "city" and row[_STATE] is not None and i not in fixed
    }
    # A city far from every neighbour is suspect: it neither votes nor counts in the
    # holdout (two strays side by side, Glenorchy in Tasmania and Landsborough in Queensland
    # among Victorian exchanges, would otherwise keep each other's votes split).
    near = _votes(rows, ids, countries, cities, _state_and_point)
    suspects = {i for i, cast in near.items() if _km_to_nearest(rows[i], cast) > STRAY_KM}
    trials: Counter[str] = Counter()
    right: Counter[str] = Counter()
    strays: dict[int, str] = {}
    for i, cast in _votes(rows, ids, countries, cities, _state, suspects).items():
        state = _unanimous(cast)
        country = countries[i]
        if state is None or country is None:
            continue
        if i not in suspects:
            trials[country] += 1
            right[country] += state == rows[i][_STATE]
        elif state != rows[i][_STATE]:
            strays[i] = state
    trusted = {c for c, n in trials.items() if n >= MIN_TRIALS and right[c] >= MIN_RIGHT * n}

    moved: Counter[str] = Counter()
    for i, state in strays.items():
        country = str(countries[i])
        if country in trusted:
            found = namesake(country, state, rows[i][_CITY])
            # Without a namesake there, the name alone; its state is given below.
            rows[i] = found or (rows[i][_CITY], None, None, None, "country", None)
            moved[country] += 1
    unknown = {
        i
        for i, row in enumerate(rows)
        if row[_LEVEL] == "country"
        and row[_CITY] is not None
        and row[_STATE] is None
        and row[_LAT] is None
        and countries[i] in trusted
    }
    given: Counter[str] = Counter()
    for i, cast in _votes(rows, ids, countries, unknown, _state_and_zone, suspects).items():
        state = _unanimous([s for s, _ in cast])
        if state is not None:
            zones = Counter(zone for _, zone in cast if zone is not None)
            zone = min(zones.items(), key=lambda kv: (-kv[1], kv[0]))[0] if zones else None
            rows[i] = (rows[i][_CITY], state, None, None, "state", zone)
            given[str(countries[i])] += 1

    names = sorted(set(trials) | set(moved) | set(given))
    report = pl.DataFrame(
        {
            "country": names,
            "trials": [trials[c] for c in names],
            "right": [right[c] for c in names],
            "trusted": [c in trusted for c in names],
            "moved": [moved[c] for c in names],
            "states_given": [given[c] for c in names],
        },
        schema={
            "country": pl.String,
            "trials": pl.Int64,
            "right": pl.Int64,
            "trusted": pl.Boolean,
            "moved": pl.Int64,
            "states_given": pl.Int64,
        },
    )
    return rows, report


def _state(row: Row) -> Any:
    return row[_STATE]


def _state_and_point(row: Row) -> tuple[Any, ...]:
    return row[_STATE], row[_LAT], row[_LON]


def _state_and_zone(row: Row) -> tuple[Any, ...]:
    return row[_STATE], row[_ZONE]


def _votes(
    rows: list[Row],
    ids: list[int],
    countries: list[str | None],
    candidates: set[int],
    vote: Callable[[Row], Any],
    silent: frozenset[int] | set[int] = frozenset(),
) -> dict[int, list[Any]]:
    """For each candidate, ``vote`` of the nearest voting place of its country below and
    above each of its blocks; a place never votes for itself, nor do ``silent`` ones."""
    votes: dict[int, list[Any]] = {}
    for n, place in enumerate(ids):
        if place not in candidates:
            continue
        country = countries[place]
        for step in (-1, 1):
            j = n + step
            while 0 <= j < len(ids) and countries[ids[j]] == country:
                row = rows[ids[j]]
                if (
                    ids[j] != place
                    and ids[j] not in silent
                    and row[_LEVEL] in _VOTING_LEVELS
                    and row[_STATE]
                ):
                    votes.setdefault(place, []).append(vote(row))
                    break
                j += step
    return votes


def _unanimous(states: list[str]) -> str | None:
    """The one state every vote names (two votes at least), else None."""
    if len(states) < 2 or len(set(states)) != 1:
        return None
    return states[0]


def _km_to_nearest(row: Row, cast: list[tuple[Any, ...]]) -> float:
    """Great-circle km from a place to the nearest of its voters."""
    from geoflex.aggregate._accuracy import haversine_km_array

    points = [(lat, lon) for _, lat, lon in cast if lat is not None]
    if row[_LAT] is None or not points:
        return math.inf
    lats, lons = zip(*points, strict=True)
    return float(haversine_km_array(row[_LAT], row[_LON], list(lats), list(lons)).min())
