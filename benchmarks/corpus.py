"""Phone-number corpora for the resolver's agreement checks and benchmarks.

Numbers come from libphonenumber's own example numbers for every region and type, with their
last digits randomized (most stay valid, some do not), written in the shapes real exports
contain. Deterministic for a seed. Needs the `phonenumbers` package (a dev dependency).
"""

from __future__ import annotations

import random
from collections.abc import Callable

import polars as pl

FULLWIDTH = str.maketrans("0123456789+", "０１２３４５６７８９＋")


def _templates() -> list[tuple[str, object]]:
    import phonenumbers as pn
    from phonenumbers import PhoneNumberType as T

    types = [
        T.FIXED_LINE,
        T.MOBILE,
        T.TOLL_FREE,
        T.PREMIUM_RATE,
        T.SHARED_COST,
        T.VOIP,
        T.PERSONAL_NUMBER,
        T.PAGER,
        T.UAN,
        T.VOICEMAIL,
    ]
    out = []
    for region in sorted(pn.SUPPORTED_REGIONS):
        for t in types:
            ex = pn.example_number_for_type(region, t)
            if ex is not None:
                out.append((region, ex))
    return out


def _variant(rng: random.Random, region: str, ex: object) -> tuple[str, object]:
    import phonenumbers as pn

    nsn = pn.national_significant_number(ex)  # type: ignore[arg-type]
    keep = max(1, len(nsn) - rng.choice([1, 2, 3, 4, 4, 5]))
    new = nsn[:keep] + "".join(rng.choice("0123456789") for _ in range(len(nsn) - keep))
    num = pn.parse("+" + str(ex.country_code) + new)  # type: ignore[attr-defined]
    return region, num


def _geo_prefixes() -> tuple[list[str], list[str]]:
    """Geocoder prefixes (NANP, rest of the world): numbers built on them have named places."""
    from phonenumbers.geodata import GEOCODE_DATA

    keys = sorted(k for k, v in GEOCODE_DATA.items() if "en" in v)
    return [k for k in keys if k.startswith("1")], [k for k in keys if not k.startswith("1")]


def _geo_variant(rng: random.Random, prefix: str) -> tuple[str, object]:
    """A number on a geocoder prefix, as long as its region's example fixed-line number."""
    import phonenumbers as pn

    for n in (1, 2, 3):
        regions = pn.COUNTRY_CODE_TO_REGION_CODE.get(int(prefix[:n]))
        if regions:
            cc, region = prefix[:n], regions[0]
            break
    ex = pn.example_number_for_type(region, pn.PhoneNumberType.FIXED_LINE)
    length = len(pn.national_significant_number(ex)) if ex else 9
    nsn = prefix[len(cc) :]
    nsn += "".join(rng.choice("0123456789") for _ in range(max(0, length - len(nsn))))
    return region, pn.parse("+" + cc + nsn)


def _shapes() -> list[tuple[str, Callable[[object, str, random.Random], str]]]:
    import phonenumbers as pn

    fmt = pn.PhoneNumberFormat

    def e164(n, r, g):
        return pn.format_number(n, fmt.E164)

    def intl(n, r, g):
        return pn.format_number(n, fmt.INTERNATIONAL)

    def national(n, r, g):
        return pn.format_number(n, fmt.NATIONAL)

    def rfc(n, r, g):
        return pn.format_number(n, fmt.RFC3966)

    def whatsapp(n, r, g):
        return "whatsapp:" + pn.format_number(n, fmt.E164)

    def idd011(n, r, g):
        return "011 " + pn.format_number(n, fmt.INTERNATIONAL)[1:]

    def idd00(n, r, g):
        return "00" + pn.format_number(n, fmt.E164)[1:]

    def dotted(n, r, g):
        return pn.format_number(n, fmt.INTERNATIONAL).replace(" ", ".")

    def ext(n, r, g):
        return (
            pn.format_number(n, fmt.E164)
            + g.choice([" ext. ", " x", ";ext=", " #"])
            + str(g.randint(1, 9999))
        )

    def fullwidth(n, r, g):
        return pn.format_number(n, fmt.INTERNATIONAL).translate(FULLWIDTH)

    def digits_only(n, r, g):
        return pn.format_number(n, fmt.E164)[1:]

    return [
        ("e164", e164),
        ("international", intl),
        ("national", national),
        ("rfc3966", rfc),
        ("whatsapp", whatsapp),
        ("idd011", idd011),
        ("idd00", idd00),
        ("dotted", dotted),
        ("extension", ext),
        ("fullwidth", fullwidth),
        ("digits_only", digits_only),
    ]


def phone_corpus(
    n: int,
    *,
    seed: int = 0,
    default_country: str = "US",
    nanp_share: float = 0.0,
    geo_share: float = 0.0,
    shapes: list[str] | None = None,
) -> pl.DataFrame:
    """``n`` rows: ``phone`` (as written), ``region`` (the template's), ``shape``.

    ``nanp_share`` of the rows are drawn from NANP example-number templates and ``geo_share``
    from the geocoder's prefixes (half NANP exchanges, half elsewhere), since real data is
    heavy on places; the rest spread evenly over every region and number type. ``shapes``
    restricts the written forms (names as in ``_shapes``).
    """
    rng = random.Random(seed)
    templates = _templates()
    nanp = [t for t in templates if t[1].country_code == 1]  # type: ignore[attr-defined]
    geo_nanp, geo_world = _geo_prefixes() if geo_share else ([], [])
    all_shapes = _shapes()
    chosen = [s for s in all_shapes if shapes is None or s[0] in shapes]
    phones, regions, shape_names = [], [], []
    for i in range(n):
        draw = rng.random()
        if draw < geo_share:
            region, num = _geo_variant(
                rng, rng.choice(geo_nanp if draw < geo_share / 2 else geo_world)
            )
        else:
            pool = nanp if rng.random() < nanp_share else templates
            region, ex = pool[i % len(pool)] if pool is templates else rng.choice(pool)
            region, num = _variant(rng, region, ex)
        name, fmt = rng.choice(chosen)
        phones.append(fmt(num, default_country, rng))
        regions.append(region)
        shape_names.append(name)
    return pl.DataFrame({"phone": phones, "region": regions, "shape": shape_names})


def oracle(phones: list[str], *, default_country: str = "US") -> pl.DataFrame:
    """What `phonenumbers` says of each string (one Python call per string: the baseline).

    ``00`` prefixes are read as ``+`` first: geoflex's documented, deliberate difference.
    """
    import phonenumbers as pn
    from phonenumbers import geocoder, timezone

    out: dict[str, list[object]] = {
        k: []
        for k in (
            "phone_e164",
            "valid",
            "country",
            "description",
            "country_description",
            "timezones",
        )
    }
    for s in phones:
        text = "+" + s[2:] if _double_zero_is_idd(s, default_country) else s
        try:
            num = pn.parse(text, default_country)
        except pn.NumberParseException:
            for v in out.values():
                v.append(None)
            out["valid"][-1] = False
            continue
        valid = pn.is_valid_number(num)
        out["phone_e164"].append(pn.format_number(num, pn.PhoneNumberFormat.E164))
        out["valid"].append(valid)
        out["country"].append(pn.region_code_for_number(num))
        out["description"].append(geocoder.description_for_number(num, "en") if valid else None)
        out["country_description"].append(
            geocoder.country_name_for_number(num, "en") if valid else None
        )
        out["timezones"].append(list(timezone.time_zones_for_number(num)) if valid else None)
    return pl.DataFrame(
        out,
        schema={
            "phone_e164": pl.String,
            "valid": pl.Boolean,
            "country": pl.String,
            "description": pl.String,
            "country_description": pl.String,
            "timezones": pl.List(pl.String),
        },
    )


def _double_zero_is_idd(s: str, default_country: str) -> bool:
    """Whether geoflex's extra rule (00 as an international prefix) applies to ``s``."""
    import re

    from phonenumbers import COUNTRY_CODE_TO_REGION_CODE
    from phonenumbers.phonemetadata import PhoneMetadata

    if not s.startswith("00") or len(s) <= 4 or s[2] == "0":
        return False
    idd = PhoneMetadata.metadata_for_region(default_country).international_prefix
    if idd and re.match(idd, s) and s[re.match(idd, s).end() :][:1] != "0":
        return False
    return any(int(s[2 : 2 + k]) in COUNTRY_CODE_TO_REGION_CODE for k in (1, 2, 3))
