"""Put the geocoder's descriptions on the map: description → city, state, coordinates, zone.

libphonenumber's English geocoder names a place per number prefix: "Mountain View, CA"
(an exchange in North America), "California" (a whole area code), "Munich", "Berilo - MG",
"Shijiazhuang, Hebei". Here each (country, description) — and, for area-code-wide NANP
descriptions, each area code — becomes one place row with the most precise coordinates the
shipped gazetteer (geoflex/_data/places.parquet, built by build_geo.py) can give.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import Any

import polars as pl
from _phone_neighbours import settle
from _zones import own_zone

from geoflex.resolve._core import US_TERRITORIES

# libphonenumber's spellings of NANP states/provinces that are not the official English name.
STATE_NAME_FIXES = {
    "Washington State": "US-WA",
    "Washington D.C.": "US-DC",
    "British Colombia": "CA-BC",
    "Nova Scotia/Prince Edward Island": "CA-NS",
    "Newfoundland": "CA-NL",
    "Yukon": "CA-YT",
    "Northwest Territories/Nunavut": "CA-NT",
    "Yukon/Northwest Territories/Nunavut": "CA-YT",
}
NANP_TERRITORIES = set(US_TERRITORIES)
#: The columns of a place row (``_place``'s tuples), before its id and country.
PLACE_SCHEMA = {
    "place_city": pl.String,
    "place_state_code": pl.String,
    "place_lat": pl.Float64,
    "place_lon": pl.Float64,
    "place_level": pl.String,
    "place_zone": pl.String,
}
#: A city this big is what a description of its name means, even where a state has that name.
BIG_CITY = 100_000


def _nanp_region(npa: str, leading: list[tuple[str, re.Pattern[str]]]) -> str | None:
    for region, pattern in leading:
        if pattern.match(npa):
            return region
    return None


def build_places(
    geocode: list[tuple[int, int, str, str | None]],
    *,
    cc_to_regions: dict[int, list[str]],
    leading_digits: dict[str, str],
    tables: dict[str, pl.DataFrame],
    place_key: Any,
    timezone_at: Any,
    outlines: dict[str, list[tuple[str | None, Any]]],
) -> tuple[pl.DataFrame, list[int]]:
    """Places for the geocoder intervals, and the place id of each interval (same order).

    Each interval comes with the region of its numbers (``build_phone.geocode_regions``);
    outside NANP a place is one (region, description). NANP places are per area code, whose
    region is found here (leading digits, else the area-code table, else the state named).
    """
    subdivisions = tables["subdivisions"]
    by_name = dict(zip(subdivisions["state"], subdivisions["state_code"], strict=True))
    by_name.update(STATE_NAME_FIXES)
    abbreviations = set(subdivisions["state_code"])
    state_points = {r["state_code"]: r for r in subdivisions.iter_rows(named=True)}
    # (country, key of the name) → subdivision, for descriptions that name one.
    state_by_key = {(r["country"], place_key(r["state"])): r for r in state_points.values()}
    area_codes = {r["npa"]: r for r in tables["area_codes"].iter_rows(named=True)}
    gazetteer = _gazetteer_index(tables["places"])
    state_outlines: dict[str, list[Any]] = {}
    for own in outlines.values():
        for code, geom in own:
            if code is not None:
                state_outlines.setdefault(code, []).append(geom)
    country_names = dict(
        zip(tables["countries"]["country"], tables["countries"]["country_name"], strict=True)
    )
    nanp_leading = [
        (r, re.compile(leading_digits[r])) for r in cc_to_regions[1] if leading_digits.get(r)
    ]
    # The principal city of an area code: the city most of its exchanges are named after.
    npa_cities: dict[str, Counter[str]] = {}
    for lo, _hi, desc, _region in geocode:
        digits = str(lo)
        if digits.startswith("1") and ", " in desc:
            npa_cities.setdefault(digits[1:4], Counter())[desc.rsplit(", ", 1)[0]] += 1

    places: dict[tuple[str | None, str, str], int] = {}
    rows: list[dict[str, Any]] = []
    row_countries: list[str | None] = []
    ids: list[int] = []
    for lo, _hi, desc, number_region in geocode:
        digits = str(lo)
        if digits.startswith("1"):
            npa = digits[1:4]
            region = _nanp_region(npa, nanp_leading)
            abbr = desc.rpartition(", ")[2] if ", " in desc else ""
            if region is None and npa in area_codes:
                # The region libphonenumber gives the code's valid numbers (867 is Canada's).
                region = area_codes[npa]["country"]
            if region is None:
                region = (
                    "CA"
                    if f"CA-{abbr}" in abbreviations or by_name.get(desc, "").startswith("CA-")
                    else "US"
                )
            key: tuple[str | None, str, str] = (region, desc, npa)
        else:
            region = number_region
            key = (region, desc, "")
        if key not in places:
            places[key] = len(rows)
            row_countries.append(region)
            rows.append(
                _place(
                    key,
                    by_name,
                    abbreviations,
                    area_codes,
                    gazetteer,
                    country_names,
                    npa_cities,
                    place_key,
                    state_points,
                    state_by_key,
                    state_outlines,
                )
            )
        ids.append(places[key])

    # Where the description leaves the state open, the neighbouring numbers settle it.
    fixed = {
        i
        for (region, desc, npa), i in places.items()
        if npa or _named_state(desc, str(region), state_points, state_by_key, place_key)
    }
    rows, report = settle(
        rows,
        ids,
        row_countries,
        fixed,
        lambda country, state, name: (
            _city_place(hit, name)
            if (hit := _lookup(gazetteer, country, state, name, place_key)) is not None
            else None
        ),
    )
    print("neighbours' states (trials, right: known places voted on as if unknown):")
    print(report.filter("trusted").sort("trials", descending=True).write_csv(), end="")

    frame = pl.DataFrame(rows, schema=PLACE_SCHEMA, orient="row").with_row_index("place_id")
    frame = _onto_outlines(frame, row_countries, outlines)
    missing = frame.filter(pl.col("place_zone").is_null() & pl.col("place_lat").is_not_null())
    if len(missing):
        zones = {
            r["place_id"]: timezone_at(r["place_lat"], r["place_lon"])
            for r in missing.iter_rows(named=True)
        }
        frame = frame.with_columns(
            place_zone=pl.coalesce(
                "place_zone",
                pl.col("place_id").replace_strict(zones, default=None, return_dtype=pl.String),
            )
        )
    # One zone of the number's own country, by its current name (see _zones).
    frame = frame.with_columns(
        place_zone=pl.Series(
            [
                own_zone(zone, country, lat, lon)
                for zone, country, lat, lon in zip(
                    frame["place_zone"],
                    row_countries,
                    frame["place_lat"],
                    frame["place_lon"],
                    strict=True,
                )
            ],
            dtype=pl.String,
        )
    )
    return frame.with_columns(
        pl.col("place_id").cast(pl.Int32),
        place_country=pl.Series(row_countries, dtype=pl.String),
    ), ids


#: How far outside its shipped outlines a point may lie (degrees): they are simplified for maps
#: (0.03° subdivisions, 0.05° countries), so a coastal town can sit just off the drawn coast.
OUTLINE_MARGIN = 0.1
#: The farthest a point is moved onto its outline: it must stay near the city it names.
MAX_MOVE_KM = 25.0


def _onto_outlines(
    frame: pl.DataFrame,
    countries: list[str | None],
    outlines: dict[str, list[tuple[str | None, Any]]],
) -> pl.DataFrame:
    """Move each point that lies off its country's shipped outlines onto them.

    Natural Earth leaves out some islands a town stands on (Maniitsoq, Greenland, is 0.16°
    from both the 1:50m country and the 1:10m admin-1 outline): a point drawn in the sea
    and in no state is inconsistent with the maps and state tables built from the same
    outlines. Such a point (more than ``OUTLINE_MARGIN`` off, at most ``MAX_MOVE_KM`` from
    where it was) goes to the nearest point of its state's outline, else of its country's
    outlines; it takes the state it lands on when it had none.
    """
    import shapely

    lats = frame["place_lat"].to_list()
    lons = frame["place_lon"].to_list()
    states = frame["place_state_code"].to_list()
    for i, (lat, lon, country) in enumerate(zip(lats, lons, countries, strict=True)):
        own = outlines.get(country or "", [])
        if lat is None or not own:
            continue
        point = shapely.Point(lon, lat)
        if min(geom.distance(point) for _, geom in own) <= OUTLINE_MARGIN:
            continue
        # Its own state's outline; a place without a state: its country's subdivisions.
        targets = [o for o in own if o[0] is not None and o[0] == states[i]]
        targets = targets or [o for o in own if o[0] is not None] or own
        k, moved, km = _nearest([geom for _, geom in targets], point)
        if km > MAX_MOVE_KM:
            continue
        lats[i], lons[i] = round(moved.y, 4), round(moved.x, 4)
        states[i] = states[i] or targets[k][0]
    return frame.with_columns(
        place_lat=pl.Series(lats, dtype=pl.Float64),
        place_lon=pl.Series(lons, dtype=pl.Float64),
        place_state_code=pl.Series(states, dtype=pl.String),
    )


def _gazetteer_index(places: pl.DataFrame) -> dict[tuple[str, str | None, str], dict[str, Any]]:
    """(country, state_code or None, key) → the most populous place of that name."""
    index: dict[tuple[str, str | None, str], dict[str, Any]] = {}
    ordered = places.sort("population", descending=True, nulls_last=True)
    for row in ordered.iter_rows(named=True):
        for state in (row["state_code"], None):
            index.setdefault((row["country"], state, row["key"]), row)
    return index


def _place(
    key: tuple[str | None, str, str],
    by_name: dict[str, str],
    abbreviations: set[str],
    area_codes: dict[str, dict[str, Any]],
    gazetteer: dict[tuple[str, str | None, str], dict[str, Any]],
    country_names: dict[str, str],
    npa_cities: dict[str, Counter[str]],
    place_key: Any,
    state_points: dict[str, dict[str, Any]],
    state_by_key: dict[tuple[str, str], dict[str, Any]],
    state_outlines: dict[str, list[Any]],
) -> tuple[Any, ...]:
    region, desc, npa = key
    if npa:  # North America
        ac = area_codes.get(npa)
        # PR, VI, GU, AS and MP are countries of their own and also US subdivisions.
        territory = f"US-{region}" if region in NANP_TERRITORIES else None
        if ", " in desc:
            city, _, abbr = desc.rpartition(", ")
            own = f"{region}-{abbr}"
            state_code = territory or (own if own in abbreviations else None)
            exchange = _nanp_city(gazetteer, region, state_code, city, place_key, "exchange")
            if exchange is not None:
                return exchange
            # An exchange the gazetteer does not know: the area code's principal city.
            principal = _principal(npa, npa_cities, gazetteer, region, state_code, place_key)
            if principal is not None:
                return principal
            if ac is not None:
                return (
                    None,
                    state_code,
                    ac["latitude"],
                    ac["longitude"],
                    "area_code",
                    ac["timezone"],
                )
            return (city, state_code, None, None, "country", None)
        state_code = territory or by_name.get(desc)
        if state_code is not None and not (territory or state_code.startswith(f"{region}-")):
            state_code = None
        if state_code is not None and region not in ("US", "CA") and not territory:
            # A Caribbean parish or island ("New Providence"): the subdivision itself.
            return _state_place(state_points[state_code])
        if state_code is not None:
            # The area code's principal city, at that city (not elsewhere in the polygon).
            principal = _principal(npa, npa_cities, gazetteer, region, state_code, place_key)
            if principal is not None:
                return principal
        if ac is not None and state_code is not None:
            return (None, state_code, ac["latitude"], ac["longitude"], "area_code", ac["timezone"])
        if state_code is not None and state_code in state_points:
            # A code with no known point yet (a new overlay): the state's own point.
            s = state_points[state_code]
            return (None, state_code, s["latitude"], s["longitude"], "state", s["timezone"])
        hit = _lookup(gazetteer, region, None, desc, place_key)
        if hit is not None:
            return (
                _named(hit, desc),
                state_code,
                hit["latitude"],
                hit["longitude"],
                "city",
                hit["timezone"],
            )
        if ac is not None and region in ("US", "CA"):
            return (None, state_code, ac["latitude"], ac["longitude"], "area_code", ac["timezone"])
        # A Caribbean country's only code covers the country (its polygon's pole can be at
        # sea, as 869's is between St Kitts and Nevis): the country's own point.
        return (None, state_code, None, None, "country", None)
    # The country itself; another country's name is a town of this one if the gazetteer
    # has it ("Denmark", Western Australia).
    if desc == country_names.get(region) or (
        desc in country_names.values() and _lookup(gazetteer, region, None, desc, place_key) is None
    ):
        return (None, None, None, None, "country", None)
    # "Lusaka Province", "Damascus and rural areas": a subdivision, not a city.
    region_word = _REGION_WORDS.match(desc)
    if region_word:
        sub = state_by_key.get((region, place_key(region_word.group(1))))
        if sub is not None:
            return _state_place(sub)
    # "Shijiazhuang, Hebei", "Berilo - MG", "Aboyne/Ballater", "Havana City": the place first.
    city = re.split(r", | - ", desc, maxsplit=1)[0]
    names = [desc, city, *(n.strip() for n in city.split("/"))]
    names += [n[: -len(" City")] for n in names if n.endswith(" City")]
    qualified = _qualified_place(
        desc, region, names[1:], gazetteer, place_key, state_points, state_by_key, state_outlines
    )
    if qualified is not None:
        return qualified
    # A description that is a state's name names the state, unless the city of that name
    # lies in it (Berlin, Madrid) or is a big city (Sanaa, around which Sanaa governorate
    # lies): +55 27 "Espirito Santo" is not the town of that name in Rio Grande do Norte.
    named_state = state_by_key.get((region, place_key(desc)))
    for name in names:
        hit = _lookup(gazetteer, region, None, name, place_key)
        if (
            hit is not None
            and named_state is not None
            and hit["state_code"] != named_state["state_code"]
            and (hit["population"] or 0) < BIG_CITY
        ):
            return _state_place(named_state)
        if hit is not None:
            return _city_place(hit, name)
    for name in names:
        sub = state_by_key.get((region, place_key(name)))
        if sub is not None:
            return _state_place(sub)
    return (city, None, None, None, "country", None)


# A description naming a first-level subdivision by its kind ("Lusaka Province").
_REGION_WORDS = re.compile(
    r"^(.+?)\s+(?:Province|Region|Governorate|State|Department|Oblast|Prefecture|County"
    r"|and rural areas)$"
)


def _principal(
    npa: str,
    npa_cities: dict[str, Counter[str]],
    gazetteer: dict[tuple[str, str | None, str], dict[str, Any]],
    region: str,
    state_code: str | None,
    place_key: Any,
) -> tuple[Any, ...] | None:
    """The area code's principal city (the one most of its exchanges are named after) that the
    gazetteer knows in the code's state, at its own point."""
    if state_code is None:
        return None
    for city, _ in npa_cities.get(npa, Counter()).most_common():
        principal = _nanp_city(gazetteer, region, state_code, city, place_key, "area_code")
        if principal is not None:
            return principal
    return None


def _nanp_city(
    gazetteer: dict[tuple[str, str | None, str], dict[str, Any]],
    region: str,
    state_code: str | None,
    city: str,
    place_key: Any,
    level: str,
) -> tuple[Any, ...] | None:
    """A NANP city at its gazetteer point: in its state, or (PR, VI, GU, AS, MP, countries
    and US subdivisions both) in the territory's own rows, else the US rows of it."""
    territory = region in NANP_TERRITORIES
    hit = _lookup(gazetteer, region, None if territory else state_code, city, place_key)
    if hit is None and territory:
        hit = _lookup(gazetteer, "US", state_code, city, place_key)
    if hit is None:
        return None
    return (
        _named(hit, city),
        state_code,
        hit["latitude"],
        hit["longitude"],
        level,
        hit["timezone"],
    )


#: How far outside the state its description names a namesake may lie and still be the place
#: meant: some descriptions name a telephone region after its city ("Merlo, Buenos Aires" is
#: in the province around the city of Buenos Aires; "Ginchi, Addis Ababa" in Oromia).
NEAR_STATE_KM = 50.0
#: A state smaller than this around a big city of its name is that city's own (Buenos Aires
#: 317 km² as drawn, Kyiv 1,613, Sofia City 1,251, Addis Ababa 515, Tokyo 1,959; not Varna's
#: province, 3,820, nor São Paulo's state): a description naming it may mean the region
#: around the city.
CITY_STATE_KM2 = 2_500.0
#: States carved out of a state a description may still name: India's geocoder writes
#: "Bhongir, Andhra Pradesh" for a town of Telangana (2014), "Kurud, Madhya Pradesh" for one
#: of Chhattisgarh (2000). A place found in a successor is the place meant.
SUCCESSOR_STATES = {
    "IN-AP": ("IN-TS",),
    "IN-BR": ("IN-JH",),
    "IN-JK": ("IN-LA",),
    "IN-MP": ("IN-CG",),
    "IN-UP": ("IN-UK",),
}


def _qualified_place(
    desc: str,
    region: str,
    names: list[str],
    gazetteer: dict[tuple[str, str | None, str], dict[str, Any]],
    place_key: Any,
    state_points: dict[str, dict[str, Any]],
    state_by_key: dict[tuple[str, str], dict[str, Any]],
    state_outlines: dict[str, list[Any]],
) -> tuple[Any, ...] | None:
    """The place of a description that names its state ("Berilo - MG", "Jinan, Shandong",
    "Manastir, Plovdiv"): the city of that name in that state (or in a state since carved
    out of it, ``SUCCESSOR_STATES``); else a namesake within
    ``NEAR_STATE_KM`` of it; else the description's name in that state, without a point (a
    name and a point are always of one place). None when no state is named, or when the
    state named is a city's own (``CITY_STATE_KM2``: Buenos Aires, Kyiv, Sofia City, whose
    numbers' regions reach beyond them) and the place is not in it: the other rules decide.

    ``names``: the place's names, the part before the state first ("Berilo").

    Without this, the most populous namesake in the country won: "Canoas - SP" was placed
    in Rio Grande do Sul, 850 km away, and "Pinheiros - ES" in São Paulo.
    """
    state = _named_state(desc, region, state_points, state_by_key, place_key)
    if state is None:
        return None
    code = state["state_code"]
    for within in (code, *SUCCESSOR_STATES.get(code, ())):
        for name in names:
            hit = _lookup(gazetteer, region, within, name, place_key)
            if hit is not None:
                return _city_place(hit, name)
    own_city = _lookup(gazetteer, region, code, state["state"], place_key)
    if (
        own_city is not None
        and (own_city["population"] or 0) >= BIG_CITY
        and _km2(state_outlines.get(code, [])) < CITY_STATE_KM2
    ):
        return None
    for name in names:
        hit = _lookup(gazetteer, region, None, name, place_key)
        if hit is not None and _km_from(state_outlines.get(code, []), hit) <= NEAR_STATE_KM:
            return _city_place(hit, name)
    return (names[0], code, None, None, "state", state["timezone"])


def _named_state(
    desc: str,
    region: str,
    state_points: dict[str, dict[str, Any]],
    state_by_key: dict[tuple[str, str], dict[str, Any]],
    place_key: Any,
) -> dict[str, Any] | None:
    """The subdivision a description names after its place, by code or name ("Berilo - MG":
    BR-MG; "Jinan, Shandong": CN-SD), or None."""
    parts = re.split(r", | - ", desc, maxsplit=1)
    if len(parts) < 2:
        return None
    qualifier = parts[1].strip()
    return state_points.get(f"{region}-{qualifier}") or state_by_key.get(
        (region, place_key(qualifier))
    )


def _km2(outlines: list[Any]) -> float:
    """The area of ``outlines`` (square km; degrees scaled at each outline's latitude)."""
    return sum(geom.area * 111.32**2 * math.cos(math.radians(geom.centroid.y)) for geom in outlines)


def _km_from(outlines: list[Any], place: dict[str, Any]) -> float:
    """How far a gazetteer place lies from the nearest of ``outlines`` (0 inside one)."""
    import shapely

    if not outlines:
        return math.inf
    return _nearest(outlines, shapely.Point(place["longitude"], place["latitude"]))[2]


def _nearest(geoms: list[Any], point: Any) -> tuple[int, Any, float]:
    """Which of ``geoms`` lies nearest ``point`` (the first, on a tie), the nearest point on
    it, and how far that is in km (0 when ``point`` is inside it)."""
    from shapely.ops import nearest_points

    from geoflex.aggregate._accuracy import haversine_km_array

    k = min(range(len(geoms)), key=lambda n: geoms[n].distance(point))
    at = nearest_points(geoms[k], point)[0]
    return k, at, float(haversine_km_array(point.y, point.x, at.y, at.x))


def _city_place(hit: dict[str, Any], name: str) -> tuple[Any, ...]:
    return (
        _named(hit, name),
        hit["state_code"],
        hit["latitude"],
        hit["longitude"],
        "city",
        hit["timezone"],
    )


def _state_place(sub: dict[str, Any]) -> tuple[Any, ...]:
    return (
        None,
        sub["state_code"],
        sub["latitude"],
        sub["longitude"],
        "state",
        sub["timezone"],
    )


def _named(hit: dict[str, Any], name: str) -> str:
    """The place's name: the description's, unless it matched one of the city's other names
    (``alternate`` rows, see ``build_phone.alternate_places``): then the city's own, so
    that the name and the point are those of one gazetteer place."""
    return str(hit["name"]) if hit.get("alternate") else name


def _lookup(
    gazetteer: dict[tuple[str, str | None, str], dict[str, Any]],
    country: str | None,
    state_code: str | None,
    name: str,
    place_key: Any,
) -> dict[str, Any] | None:
    if country is None:
        return None
    return gazetteer.get((country, state_code, place_key(name)))
