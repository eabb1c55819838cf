"""How well geoflex places numbers outside (and inside) North America, against libphonenumber's
geocoder and the shipped GeoNames gazetteer.

    python benchmarks/world_coverage.py [N] [--seed 0] [--table 30]

For each valid number whose libphonenumber description names a place the gazetteer knows
(the description's first part, each "/"-separated name, "Havana City" as Havana; the most
populous gazetteer city of that name in the number's country), it measures: a state, the
state that city lies in, a city, the city named, a point within 50 km of the city and the
city's timezone (the same zone, or the same UTC offsets in January and July in the same
country). For numbers placed at area-code level (NANP, and elsewhere the area code's
principal place): the point within 50 km of the named principal city. Then the
per-country table (rows with state / city / point) for the largest countries of the corpus.
`tests/resolve/test_world.py` holds the bars.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl

sys.path.insert(0, str(Path(__file__).parent))
from agreement import compare, description_names
from corpus import phone_corpus

from geoflex.aggregate._accuracy import haversine_km, haversine_km_array
from geoflex.reference import load_table, place_key

NEAR_KM = 50.0
#: Countries whose gazetteer rows carry the state libphonenumber's descriptions name.
NANP_STATES = {"US", "CA"}


@lru_cache(maxsize=1)
def _gazetteer() -> dict[tuple[str, str | None, str], dict[str, object]]:
    index: dict[tuple[str, str | None, str], dict[str, object]] = {}
    places = load_table("places").sort("population", descending=True)
    for row in places.iter_rows(named=True):
        for state in (row["state_code"], None):
            index.setdefault((row["country"], state, row["key"]), row)
    return index


@lru_cache(maxsize=1)
def _subdivisions() -> dict[tuple[str, str], str]:
    """(country, key of a subdivision's name or the code after "XX-") → its ISO 3166-2 code."""
    out: dict[tuple[str, str], str] = {}
    for country, code, name in (
        load_table("subdivisions").select("country", "state_code", "state").iter_rows()
    ):
        out[(country, place_key(name))] = code
        out.setdefault((country, place_key(code.split("-", 1)[1])), code)
    return out


def _named_state(country: str, description: str) -> str | None:
    """The subdivision a description names after its place ("Berilo - MG", "Jinan, Shandong")."""
    for sep in (", ", " - "):
        if sep in description:
            return _subdivisions().get((country, place_key(description.split(sep, 1)[1])))
    return None


def _known_city(
    country: str | None, state: str | None, description: str | None
) -> dict[str, object] | None:
    """The gazetteer city a description names, in the state it names (NANP's "City, ST";
    elsewhere "City - UF", "City, Province"): "Canoas - SP" is no Canoas of another state."""
    if not country or not description:
        return None
    gazetteer = _gazetteer()
    state = state or _named_state(country, description)
    for name in description_names(description):
        hit = gazetteer.get((country, state, place_key(name)))
        if hit is not None:
            return {**hit, "named": place_key(name)}
    return None


def _same_clock(a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return False
    if a == b:
        return True
    try:
        za, zb = ZoneInfo(a), ZoneInfo(b)
    except (KeyError, ValueError):
        return False
    moments = (datetime(2026, 1, 15, 12), datetime(2026, 7, 15, 12))
    return all(za.utcoffset(m) == zb.utcoffset(m) for m in moments)


def measure(frame: pl.DataFrame) -> pl.DataFrame:
    """Per row of ``compare``'s frame: the gazetteer city its description names, and checks."""
    valid = frame.filter(pl.col("pn_valid") & pl.col("valid"))
    cities = [
        _known_city(c, s if c in NANP_STATES else None, d)
        for c, s, d in zip(
            valid["country"], valid["pn_state"], valid["pn_description"], strict=True
        )
    ]
    gaz = pl.DataFrame(
        {
            "g_key": [c["named"] if c else None for c in cities],
            "g_state": [c["state_code"] if c else None for c in cities],
            "g_lat": [c["latitude"] if c else None for c in cities],
            "g_lon": [c["longitude"] if c else None for c in cities],
            "g_zone": [c["timezone"] if c else None for c in cities],
        },
        schema={
            "g_key": pl.String,
            "g_state": pl.String,
            "g_lat": pl.Float64,
            "g_lon": pl.Float64,
            "g_zone": pl.String,
        },
    )
    out = pl.concat([valid, gaz], how="horizontal").with_columns(
        nanp=pl.col("phone_e164").str.starts_with("+1"),
        km=haversine_km(pl.col("latitude"), pl.col("longitude"), pl.col("g_lat"), pl.col("g_lon")),
    )
    return out.with_columns(
        same_clock=pl.Series(
            [_same_clock(a, b) for a, b in zip(out["timezone"], out["g_zone"], strict=True)],
            dtype=pl.Boolean,
        ),
        city_key=pl.col("city").map_elements(place_key, return_dtype=pl.String),
        named_state=pl.Series(
            [
                _named_state(c, d) if c and d else None
                for c, d in zip(out["country"], out["pn_description"], strict=True)
            ],
            dtype=pl.String,
        ),
    )


def rates(rows: pl.DataFrame) -> dict[str, tuple[float, int]]:
    """metric → (share, rows compared)."""
    out: dict[str, tuple[float, int]] = {}

    def rate(name: str, mask: pl.Expr, ok: pl.Expr) -> None:
        sub = rows.filter(mask)
        n = sub.height
        out[name] = (sub.filter(ok).height / n if n else 1.0, n)

    # A description that is only the country's name ("Singapore") names no place.
    world = ~pl.col("nanp") & pl.col("g_key").is_not_null() & pl.col("pn_place").is_not_null()
    rate("state (world, known city)", world, pl.col("state_code").is_not_null())
    rate(
        "state is the city's (world)",
        world & pl.col("g_state").is_not_null(),
        pl.col("state_code").eq_missing(pl.col("g_state")),
    )
    rate("city (world, known city)", world, pl.col("city").is_not_null())
    rate("city is the place named (world)", world, pl.col("city_key") == pl.col("g_key"))
    rate("point within 50 km (world)", world, pl.col("km") <= NEAR_KM)
    rate("timezone is the city's (world)", world, pl.col("same_clock"))
    # Whether or not the gazetteer knows the place: "Canoas - SP" is in São Paulo. (The rest
    # are a big city's own state named for the region around it, "Merlo, Buenos Aires", and
    # India's states of before 2000 and 2014: "Bhongir, Andhra Pradesh" is in Telangana.)
    rate(
        "state is the one named (world)",
        ~pl.col("nanp") & pl.col("named_state").is_not_null(),
        pl.col("state_code").eq_missing(pl.col("named_state")),
    )
    nanp = pl.col("nanp") & pl.col("g_key").is_not_null()
    rate("timezone is the city's (NANP)", nanp, pl.col("same_clock"))
    return out


def area_code_points(frame: pl.DataFrame) -> tuple[float, int]:
    """Rows at area-code level (NANP, and elsewhere the area code's principal place): share
    whose point is within 50 km of the named city."""
    rows = frame.filter(
        pl.col("valid") & (pl.col("geo_level") == "area_code") & pl.col("city").is_not_null()
    )
    gazetteer = _gazetteer()
    ok = 0
    for r in rows.iter_rows(named=True):
        hit = gazetteer.get((r["country"], r["state_code"], place_key(r["city"])))
        if hit is None:
            continue
        d = haversine_km_array(r["latitude"], r["longitude"], hit["latitude"], hit["longitude"])
        ok += float(d) <= NEAR_KM
    return (ok / rows.height if rows.height else 1.0), rows.height


def country_table(frame: pl.DataFrame, top: int) -> pl.DataFrame:
    """Per country (the ``top`` largest by valid rows): rows, rows whose number libphonenumber
    names a place, and the shares of those with a state / city / a point finer than the
    country's."""
    valid = frame.filter(pl.col("valid"))
    placed = pl.col("pn_place").is_not_null()
    return (
        valid.group_by("country")
        .agg(
            rows=pl.len(),
            with_place=placed.sum(),
            state=pl.col("state_code").filter(placed).is_not_null().mean(),
            city=pl.col("city").filter(placed).is_not_null().mean(),
            point=(pl.col("latitude").is_not_null() & (pl.col("geo_level") != "country"))
            .filter(placed)
            .mean(),
        )
        .sort(["rows", "country"], descending=[True, False])
        .head(top)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, nargs="?", default=40_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--table", type=int, default=30)
    args = parser.parse_args()
    corpus = phone_corpus(args.n, seed=args.seed, nanp_share=0.2, geo_share=0.6)
    frame = compare(corpus)
    rows = measure(frame)
    print(f"{args.n} rows, seed {args.seed}")
    for name, (share, n) in rates(rows).items():
        print(f"  {name:36s} {100 * share:7.2f}%  of {n}")
    share, n = area_code_points(frame)
    print(f"  {'area-code point at its city':36s} {100 * share:7.2f}%  of {n}")
    with pl.Config(tbl_rows=args.table, float_precision=3):
        print(country_table(frame, args.table))


if __name__ == "__main__":
    main()
