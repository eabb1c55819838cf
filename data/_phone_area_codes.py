"""Outside North America, place the numbers the geocoder leaves at the country by their area code.

libphonenumber's English geocoder describes some valid fixed-line numbers only by their
country ("Australia" for parts of +61 3, "France" for much of +33 1): it has no entry for
them, or an entry naming only the country. Such a number still has an area code, as
libphonenumber itself defines one (``length_of_geographical_area_code``), and the area code
names a part of the country: here it takes the area code's *principal place*. NANP's area
codes are placed by build_phone's ``_area_code_fallbacks`` and ``_phone_places`` instead.

The principal place of an area code (per region: +61 8 holds Australia's and the Cocos
Islands' numbers) is the most populous GeoNames city among the places the geocoder names for
that area code's numbers (ties by name): 02 Sydney, 03 Melbourne, France's 01 Paris. It stands
for the area code only when its state holds at least ``MIN_STATE_SHARE`` of the numbers the
geocoder places in the area code (each prefix weighted by how many numbers it covers), the
most populous city being taken in the state that holds most: Australia's 08, spread over
Western Australia, South Australia and the Northern Territory and two clocks, keeps the
country, and so does an area code without a single placed city (or one that holds all of its
region's fixed lines, ``area_codes``).

Each principal place becomes one place row: the city's name, state, point and zone, at level
``area_code``. Within the area code, for numbers of its region only, it replaces no geocoder
entry and an entry naming only the country. A named place the gazetteer does not know keeps
its name and no point (a name and a point are always of one place), and a description naming
a state keeps that state: the geocoder said where the number is, and a city guessed from the
area code would be less certain than the state it named.
"""

from __future__ import annotations

import itertools
from collections import Counter
from typing import Any

import polars as pl
from _regex_intervals import BLOCK, WIDTH

#: The share of an area code's placed prefixes that must lie in its principal place's state.
MIN_STATE_SHARE = 2 / 3
#: Number types whose numbers have a geographical area code by libphonenumber's rules (mobiles
#: of the countries that geolocate them share the fixed lines' area codes).
_SAMPLED_TYPES = ("fixed_line", "fixed_line_or_mobile")


def area_codes(rows: list[tuple[int, int, str, str, bool]]) -> set[str]:
    """E.164 prefixes (calling code + area code) of every non-NANP region's fixed lines.

    libphonenumber decides each area code's length from example numbers: every interval of
    valid fixed lines is walked from its first number, one area code at a time (the next
    example is the first number past the current area code). A region without area codes
    (a closed dialling plan: Spain, Denmark) gives none, and so does a region whose fixed
    lines all share one (Benin's 01, Morocco's 5, San Marino's 0549): it says no more than
    the country.
    """
    import phonenumbers

    codes: dict[str, set[str]] = {}
    for lo, hi, region, kind, valid in rows:
        length = lo // BLOCK
        if not valid or kind not in _SAMPLED_TYPES or length > WIDTH or region == "001":
            continue
        base = length * BLOCK
        cursor = lo
        while cursor <= hi:
            e164 = str(cursor - base).zfill(WIDTH)[:length]
            if e164.startswith("1"):
                break  # NANP
            number = phonenumbers.parse("+" + e164)
            cc = len(str(number.country_code))
            size = phonenumbers.length_of_geographical_area_code(number)
            # With no area code, try again a little further on (a closed plan has none).
            prefix = e164[: cc + (size or 3)]
            if size:
                codes.setdefault(region, set()).add(prefix)
            cursor = base + (int(prefix) + 1) * 10 ** (WIDTH - len(prefix))
    return {code for own in codes.values() if len(own) > 1 for code in own}


def city_populations(
    places: pl.DataFrame, gazetteer: pl.DataFrame, place_key: Any
) -> dict[int, int]:
    """The GeoNames population of each city-level place: its most populous namesake in its
    state (else in its country), as the place was matched (``_phone_places``)."""
    best: dict[tuple[str, str | None, str], int] = {}
    for country, state, key, population in gazetteer.select(
        "country", "state_code", "key", "population"
    ).iter_rows():
        for at in ((country, state, key), (country, None, key)):
            best[at] = max(best.get(at, 0), population or 0)
    out: dict[int, int] = {}
    for row in places.filter(pl.col("place_level") == "city").iter_rows(named=True):
        key = place_key(row["place_city"])
        country = row["place_country"]
        found = best.get((country, row["place_state_code"], key), best.get((country, None, key)))
        if found is not None:
            out[row["place_id"]] = found
    return out


def with_area_code_places(
    merged: list[tuple[int, tuple[int | None, str | None, str | None]]],
    places: pl.DataFrame,
    populations: dict[int, int],
) -> tuple[pl.DataFrame, list[tuple[int, int | None]]]:
    """The place table with the area codes' places added, and the geocoder's segments
    pointing to them.

    ``merged``: segments over padded prefixes, (start, (place_id or None where the geocoder
    has no entry, area code prefix or None, the region of the valid numbers there or None));
    ``populations``: ``city_populations``. Returns the places and (start, place_id) segments.
    """
    by_id = {r["place_id"]: r for r in places.iter_rows(named=True)}
    # (area code, region) → its placed cities: place_id → how many numbers (padded keys)
    # the geocoder names after it.
    cities: dict[tuple[str, str], Counter[int]] = {}
    for (lo, (pid, code, region)), (end, _) in itertools.pairwise(merged):
        row = by_id.get(pid) if pid is not None else None
        if code is None or region is None or row is None or row["place_level"] != "city":
            continue
        if row["place_country"] == region and pid in populations:
            cities.setdefault((code, region), Counter())[pid] += end - lo
    principal = {
        key: pid
        for key, counts in cities.items()
        if (pid := _principal(counts, by_id, populations)) is not None
    }

    new_rows: list[dict[str, Any]] = []
    new_id: dict[int, int] = {}
    out: list[tuple[int, int | None]] = []
    for lo, (pid, code, region) in merged:
        chosen = principal.get((code, region)) if code and region else None
        current = by_id.get(pid) if pid is not None else None
        if chosen is not None and region and _replaceable(current, region):
            if chosen not in new_id:
                new_id[chosen] = places.height + len(new_rows)
                new_rows.append(
                    {**by_id[chosen], "place_id": new_id[chosen], "place_level": "area_code"}
                )
            pid = new_id[chosen]
        if not out or out[-1][1] != pid:
            out.append((lo, pid))
    added = pl.DataFrame(new_rows, schema=places.schema)
    return pl.concat([places, added]), out


def _principal(
    counts: Counter[int], by_id: dict[int, dict[str, Any]], populations: dict[int, int]
) -> int | None:
    """The most populous city of the area code's main state, if that state holds at least
    ``MIN_STATE_SHARE`` of the numbers the geocoder places in the area code."""
    states: Counter[str] = Counter()
    for pid, n in counts.items():
        states[by_id[pid]["place_state_code"] or ""] += n
    state, n = min(states.items(), key=lambda item: (-item[1], item[0]))
    if n < MIN_STATE_SHARE * states.total():
        return None
    return min(
        (pid for pid in counts if (by_id[pid]["place_state_code"] or "") == state),
        key=lambda pid: (-populations[pid], by_id[pid]["place_city"]),
    )


def _replaceable(row: dict[str, Any] | None, region: str) -> bool:
    """Whether a segment's place gives way to its area code's principal place: no geocoder
    entry, or one naming only the number's country (not a name the gazetteer lacks)."""
    if row is None:
        return True
    return (
        row["place_country"] == region
        and row["place_level"] == "country"
        and row["place_city"] is None
    )
