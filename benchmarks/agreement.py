"""How closely geoflex.resolve agrees with the `phonenumbers` package, measured on a corpus.

    python benchmarks/agreement.py [N] [--default US] [--seed 0]

Prints agreement rates for every column the contract compares (validity, E.164, country,
timezone where phonenumbers gives exactly one, NANP state and exchange city) and the
disagreeing rows by input shape. `tests/resolve/test_agreement.py` runs it on a smaller corpus
with the contract's thresholds.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import polars as pl

sys.path[:0] = [str(Path(__file__).parent), str(Path(__file__).parents[1] / "data")]
from _zones import canonical  # noqa: E402
from corpus import oracle, phone_corpus  # noqa: E402

import geoflex  # noqa: E402
from geoflex.resolve._metadata import load_metadata  # noqa: E402


def _implied_state(description: pl.Expr) -> pl.Expr:
    """The ISO 3166-2 code phonenumbers' NANP description implies ("City, ST" or a state name)."""
    from geoflex.reference import load_table

    subs = load_table("subdivisions").filter(pl.col("country").is_in(["US", "CA"]))
    names = dict(zip(subs["state"], subs["state_code"], strict=True))
    names.update(
        {"Washington State": "US-WA", "Washington D.C.": "US-DC", "British Colombia": "CA-BC"}
    )
    abbr = description.str.extract(r", ([A-Z]{2})$", 1)
    by_abbr = dict(zip(subs["abbreviation"], subs["state_code"], strict=True))
    return pl.coalesce(
        abbr.replace_strict(by_abbr, default=None, return_dtype=pl.String),
        description.replace_strict(names, default=None, return_dtype=pl.String),
    )


def description_names(description: str) -> list[str]:
    """The place names a geocoder description can stand for: itself, its first part (before
    ", " or " - "), each "/"-separated name of that part, and "X City" as X ("Havana City",
    "Caracas/Miranda/Vargas", "Barroso - MG")."""
    first = description.split(", ")[0].split(" - ")[0]
    names = [description, first, *(n.strip() for n in first.split("/"))]
    return names + [n[: -len(" City")] for n in names if n.endswith(" City")]


def _names_the_place(city: str | None, state: str | None, description: str) -> bool:
    """Whether geoflex's city is one of the description's names, or (a description naming a
    region: "Lusaka Province", "Vaavu") it gave no city and a state the description names."""
    from geoflex.reference import place_key

    keys = {place_key(n) for n in description_names(description)}
    if city is not None:
        return place_key(city) in keys
    return state is not None and any(place_key(state) in k for k in keys)


def compare(corpus: pl.DataFrame, *, default_country: str = "US") -> pl.DataFrame:
    """The corpus with geoflex's and phonenumbers' answers side by side."""
    truth = oracle(corpus["phone"].to_list(), default_country=default_country)
    ours = geoflex.resolve(corpus.select("phone"), default_country=default_country)
    return pl.concat(
        [
            corpus.rename({"region": "template_region"}),
            ours.drop("phone"),
            truth.rename(lambda c: f"pn_{c}"),
        ],
        how="horizontal",
    ).with_columns(
        pn_country=pl.col("pn_country").replace("001", None),
        pn_state=pl.when(pl.col("pn_phone_e164").str.starts_with("+1")).then(
            _implied_state(pl.col("pn_description"))
        ),
        pn_city=pl.col("pn_description").str.extract(r"^(.*), [A-Z]{2}$", 1),
        # A description that is only the country's name is no place.
        pn_place=pl.when(
            (pl.col("pn_description") != pl.col("pn_country_description"))
            & (pl.col("pn_description") != "")
            # a territory's own name (Isle of Man, Vatican City) is a country, not a place
            & pl.col("pn_description").ne_missing(pl.col("country_name"))
        ).then(
            pl.col("pn_description")
            .str.split_exact(", ", 1)
            .struct.field("field_0")
            .str.split(" - ")
            .list.first()
        ),
    )


def rates(frame: pl.DataFrame) -> dict[str, tuple[float, int, int]]:
    """metric → (agreement, rows compared, disagreements)."""

    def rate(name: str, mask: pl.Expr, same: pl.Expr) -> None:
        sub = frame.filter(mask)
        bad = sub.filter(~same).height
        out[name] = (1 - bad / sub.height if sub.height else 1.0, sub.height, bad)

    out: dict[str, tuple[float, int, int]] = {}
    everything = pl.lit(True)
    rate("valid", everything, pl.col("valid") == pl.col("pn_valid"))
    rate("phone_e164", everything, pl.col("phone_e164").eq_missing(pl.col("pn_phone_e164")))
    rate("country", everything, pl.col("country").eq_missing(pl.col("pn_country")))
    # phonenumbers' zone by its current name; where that zone is not one of the number's
    # own country (Libya → Europe/Bucharest ...), geoflex deliberately differs: counted apart.
    own = load_metadata().country_zones
    pn_zone = (
        pl.col("pn_timezones")
        .list.first()
        .map_elements(canonical, return_dtype=pl.String, skip_nulls=True)
    )
    in_country = pl.struct(zone=pn_zone, country=pl.col("country")).map_elements(
        lambda r: r["country"] not in own or r["zone"] in own[r["country"]],
        return_dtype=pl.Boolean,
    )
    one_zone = pl.col("pn_valid") & (pl.col("pn_timezones").list.len() == 1)
    # Outside NANP a number with a place takes the place's zone on purpose (Brisbane is
    # Australia/Brisbane, libphonenumber says Australia/Sydney for all of +61):
    # benchmarks/world_coverage.py compares those with the gazetteer city's zone instead.
    takes_pn_zone = pl.col("phone_e164").str.starts_with("+1") | pl.col("geo_level").is_in(
        ["country"]
    ).fill_null(True)
    rate(
        "timezone (one zone)",
        one_zone & in_country & takes_pn_zone,
        pl.col("timezone").eq_missing(pn_zone),
    )
    rate(
        "timezone is the country's own (valid)",
        pl.col("valid") & pl.col("country").is_in(list(own)),
        pl.struct(zone=pl.col("timezone"), country=pl.col("country")).map_elements(
            lambda r: r["zone"] in own[r["country"]], return_dtype=pl.Boolean
        ),
    )
    rate("timezone present (valid)", pl.col("valid"), pl.col("timezone").is_not_null())
    rate(
        "region present (valid, geographic)",
        pl.col("valid") & pl.col("country").is_not_null(),
        pl.col("region").is_not_null(),
    )
    nanp_state = pl.col("pn_valid") & pl.col("pn_state").is_not_null()
    rate("state (NANP)", nanp_state, pl.col("state_code").eq_missing(pl.col("pn_state")))
    nanp_city = pl.col("pn_valid") & pl.col("pn_city").is_not_null()
    rate("city (NANP exchange)", nanp_city, pl.col("city").eq_missing(pl.col("pn_city")))
    world_place = (
        pl.col("pn_valid")
        & pl.col("pn_place").is_not_null()
        & ~pl.col("pn_phone_e164").str.starts_with("+1")
    )
    rate(
        "city (other countries' geocoder places)",
        world_place,
        pl.struct("city", "state", "pn_description").map_elements(
            lambda r: _names_the_place(r["city"], r["state"], r["pn_description"]),
            return_dtype=pl.Boolean,
        ),
    )
    us_ca = pl.col("valid") & pl.col("country").is_in(["US", "CA"])
    rate("coordinates (valid US/CA)", us_ca, pl.col("latitude").is_not_null())
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, nargs="?", default=100_000)
    parser.add_argument("--default", default="US")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--nanp-share", type=float, default=0.2)
    parser.add_argument("--geo-share", type=float, default=0.4)
    args = parser.parse_args()
    corpus = phone_corpus(
        args.n,
        seed=args.seed,
        default_country=args.default,
        nanp_share=args.nanp_share,
        geo_share=args.geo_share,
    )
    frame = compare(corpus, default_country=args.default)
    print(f"{args.n} rows, default country {args.default}, seed {args.seed}")
    for name, (r, n, bad) in rates(frame).items():
        print(f"  {name:38s} {100 * r:8.3f}%  ({n} compared, {bad} differ)")
    diffs = frame.filter(
        (pl.col("valid") != pl.col("pn_valid"))
        | pl.col("phone_e164").ne_missing(pl.col("pn_phone_e164"))
        | pl.col("country").ne_missing(pl.col("pn_country"))
    )
    if diffs.height:
        print(diffs.group_by("shape").len().sort("len", descending=True))
        with pl.Config(fmt_str_lengths=40, tbl_rows=20):
            print(
                diffs.select(
                    "phone",
                    "shape",
                    "phone_e164",
                    "pn_phone_e164",
                    "valid",
                    "pn_valid",
                    "country",
                    "pn_country",
                ).head(20)
            )


if __name__ == "__main__":
    main()
