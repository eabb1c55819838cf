"""Vectorized parsing of the common shapes, exactly as `_parse.parse` would parse them.

A string takes this path when it is ASCII digits with ordinary punctuation (space, ``()``,
``.``, ``-``, ``/``), at most one leading ``+``, and optionally a ``tel:`` or ``whatsapp:``
prefix, and when the numbering plans involved have no national-prefix rule beyond a fixed
digit string. That is nearly every real row. Everything else (extensions, letters, full-width
digits, RFC 3966 parameters, Argentina's or Mexico's prefix rewriting...) is marked ``slow``
and parsed one unique string at a time by `_parse`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import polars as pl

from geoflex.resolve import _tables
from geoflex.resolve._lookup import interval_index, length_key
from geoflex.resolve._metadata import PhoneMetadata, RegionRules

_SIMPLE_SHAPE = r"^(?:tel:|whatsapp:)?[ (]*\+?[0-9 ().\-/]*$"
_PLUS_FIRST = r"^(?:tel:|whatsapp:)?[ (]*\+"
_VERDICTS = ("possible", "too_short", "too_long", "invalid_length", "local_only")
_MAX_LEN = 21


def _is_simple(rules: RegionRules | None) -> bool:
    """Whether the region's national prefix (if any) is a set of plain digit strings."""
    return rules is None or not rules.np_parse or rules.np_literals is not None


@dataclass(frozen=True, eq=False)
class _Plans:
    """Per calling code facts about its main region, as lookup Series."""

    codes: pl.Series  # Int32 calling codes
    prefixes: dict[int, pl.Series]  # length -> "cc:prefix" strings of simple national prefixes
    complex_codes: frozenset[int]  # main region has a rewriting national-prefix rule
    verdicts: pl.Series  # Int8 verdict index at code * _MAX_LEN + length
    general_main: pl.DataFrame  # general-pattern intervals of every main region


@lru_cache(maxsize=4)
def _plans(meta: PhoneMetadata) -> _Plans:
    prefixes: dict[int, list[str]] = {}
    complex_codes: set[int] = set()
    verdicts = [1] * (1000 * _MAX_LEN)  # unknown codes: "too_short" keeps the number as is
    mains = []
    for cc in meta.calling_codes:
        rules = meta.rules_for_code(cc)
        if not _is_simple(rules):
            complex_codes.add(cc)
        elif rules is not None and rules.np_literals:
            for lit in rules.np_literals:
                prefixes.setdefault(len(lit), []).append(f"{cc}:{lit}")
        if rules is not None:
            mains.append(rules.region)
            for n in range(_MAX_LEN):
                verdicts[cc * _MAX_LEN + n] = _VERDICTS.index(rules.length_verdict("0" * n))
    general = _tables.general()
    return _Plans(
        codes=pl.Series(sorted(meta.calling_codes), dtype=pl.Int32),
        prefixes={k: pl.Series(sorted(v)) for k, v in sorted(prefixes.items())},
        complex_codes=frozenset(complex_codes),
        verdicts=pl.Series(verdicts, dtype=pl.Int8),
        general_main=general.filter(pl.col("region").is_in(mains)).sort("lo"),
    )


def _calling_code(digits: pl.Expr, codes: pl.Series) -> pl.Expr:
    """The leading calling code (1-3 digits, never starting with 0), or null."""
    c1, c2, c3 = (digits.str.slice(0, n).cast(pl.Int32, strict=False) for n in (1, 2, 3))
    n = digits.str.len_bytes()
    return (
        pl.when(digits.str.starts_with("0") | (n == 0))
        .then(None)
        .when(c1.is_in(codes))
        .then(c1)
        .when((n >= 2) & c2.is_in(codes))
        .then(c2)
        .when((n >= 3) & c3.is_in(codes))
        .then(c3)
    )


def _general_match(cc: pl.Series, x: pl.Series, table: pl.DataFrame) -> pl.Series:
    e = pl.select(pl.concat_str(cc.cast(pl.String), x)).to_series()
    keys = pl.select(length_key(pl.lit(e))).to_series()
    return interval_index(keys, table).is_not_null()


def _verdict(cc: pl.Series, x: pl.Series, plans: _Plans) -> pl.Series:
    n = x.str.len_bytes().cast(pl.Int64).clip(upper_bound=_MAX_LEN - 1)
    idx = cc.cast(pl.Int64) * _MAX_LEN + n
    return plans.verdicts.gather(idx.fill_null(0))


def _strip_national_prefix(
    cc: pl.Series, nsn: pl.Series, plans: _Plans, *, check_length: bool = True
) -> pl.Series:
    """Strip each row's simple national prefix where libphonenumber would keep the result.

    ``check_length``: also require the stripped number to have a possible length (as `parse`
    does after the calling code is known; the calling-code check itself does not).
    """
    # The prefixes of one region are prefix-free, so at most one length matches.
    frame = pl.DataFrame({"cc": cc.cast(pl.String), "nsn": nsn})
    plen = pl.lit(0, pl.Int64)
    for k, keys in plans.prefixes.items():
        probe = pl.concat_str(pl.col("cc"), pl.lit(":"), pl.col("nsn").str.slice(0, k))
        plen = pl.when((pl.col("nsn").str.len_bytes() >= k) & probe.is_in(keys)).then(k).otherwise(plen)
    plen_s = frame.select(plen).to_series()
    has = plen_s > 0
    cand = nsn.str.slice(plen_s)
    before = _general_match(cc, nsn, plans.general_main)
    after = _general_match(cc, cand, plans.general_main)
    stripped = has & ~(before & ~after)
    cand = pl.select(pl.when(stripped).then(cand).otherwise(nsn)).to_series()
    if not check_length:
        return cand
    ok = ~_verdict(cc, cand, plans).is_in([1, 3, 4])  # too_short, invalid_length, local_only
    return pl.select(pl.when(ok).then(cand).otherwise(nsn)).to_series()


def fast_parse(raw: pl.Series, default_region: str, meta: PhoneMetadata) -> pl.DataFrame:
    """Parse what can be parsed in bulk.

    Returns ``status`` (null when parsed, else the geo_status), ``cc`` (Int32), ``nsn`` and
    ``slow`` (true where `_parse` must decide; the other columns are then null).
    """
    plans = _plans(meta)
    rules = meta.rules(default_region)
    main_default = rules is not None and meta.main_region(rules.calling_code) == rules.region
    national_ok = (
        rules is not None
        and main_default
        and rules.calling_code not in plans.complex_codes
    )
    frame = pl.DataFrame({"raw": raw}).with_columns(
        simple=pl.col("raw").str.contains(_SIMPLE_SHAPE) & (pl.col("raw").str.len_bytes() <= 250),
        plus=pl.col("raw").str.contains(_PLUS_FIRST),
        digits=pl.col("raw").str.replace_all(r"[^0-9]", ""),
    ).with_columns(nd=pl.col("digits").str.len_bytes())

    idd_re = rules.idd if rules is not None and rules.idd else None
    idd = pl.col("digits").str.extract(f"^({idd_re})", 1) if idd_re else pl.lit(None, pl.String)
    frame = frame.with_columns(idd=idd).with_columns(
        idd_ok=pl.col("idd").is_not_null()
        & (pl.col("digits").str.slice(pl.col("idd").str.len_bytes().fill_null(0), 1) != "0"),
    )
    zz_cc = _calling_code(pl.col("digits").str.slice(2), plans.codes)
    frame = frame.with_columns(
        zz=~pl.col("idd_ok")
        & pl.col("digits").str.starts_with("00")
        & (pl.col("nd") > 4)
        & zz_cc.is_not_null()
    )
    intl_digits = (
        pl.when(pl.col("plus"))
        .then(pl.col("digits"))
        .when(pl.col("idd_ok"))
        .then(pl.col("digits").str.slice(pl.col("idd").str.len_bytes()))
        .when(pl.col("zz"))
        .then(pl.col("digits").str.slice(2))
    )
    frame = frame.with_columns(intl=intl_digits).with_columns(
        intl_cc=_calling_code(pl.col("intl"), plans.codes)
    )
    intl = frame.get_column("intl").is_not_null()

    # National numbers of the default region.
    digits = frame.get_column("digits")
    n = len(frame)
    if national_ok:
        assert rules is not None
        dcc = pl.Series([rules.calling_code] * n, dtype=pl.Int32)
        cc_text = str(rules.calling_code)
        potential = digits.str.slice(len(cc_text))
        candidate = _strip_national_prefix(dcc, potential, plans, check_length=False)
        take = digits.str.starts_with(cc_text) & (
            (~_general_match(dcc, digits, plans.general_main)
             & _general_match(dcc, candidate, plans.general_main))
            | (_verdict(dcc, digits, plans) == 2)
        )
        national_nsn = pl.select(pl.when(take).then(candidate).otherwise(digits)).to_series()
    else:
        dcc = pl.Series([None] * n, dtype=pl.Int32)
        national_nsn = pl.Series([None] * n, dtype=pl.String)

    intl_cc = frame.get_column("intl_cc")
    intl_nsn = frame.select(
        pl.col("intl").str.slice(pl.col("intl_cc").cast(pl.String).str.len_bytes())
    ).to_series()
    cc = pl.select(pl.when(intl).then(intl_cc).otherwise(dcc)).to_series()
    nsn = pl.select(pl.when(intl).then(intl_nsn).otherwise(national_nsn)).to_series()
    complex_cc = cc.is_in(list(plans.complex_codes))
    nsn = pl.select(
        pl.when(cc.is_not_null() & ~complex_cc & (nsn.str.len_bytes() >= 2))
        .then(_strip_national_prefix(cc.fill_null(0), nsn.fill_null(""), plans))
        .otherwise(nsn)
    ).to_series()

    out = frame.select("simple", "plus", "nd", "intl", "zz", "idd_ok").with_columns(
        cc=cc, nsn=nsn, complex_cc=complex_cc, intl_cc=intl_cc
    )
    nsn_len = pl.col("nsn").str.len_bytes()
    status = (
        pl.when(~pl.col("simple"))
        .then(None)
        .when(pl.col("nd") == 0)
        .then(pl.lit("empty"))
        .when(pl.col("nd") == 1)
        .then(pl.lit("too_short"))
        .when(pl.col("nd") == 2)
        .then(None)  # two digits are viable only unpunctuated: let _parse decide
        .when(pl.col("intl").is_not_null() & (pl.col("intl").str.len_bytes() <= 2))
        .then(pl.lit("too_short"))
        .when(pl.col("intl").is_not_null() & pl.col("intl_cc").is_null() & ~pl.col("plus"))
        .then(pl.lit("unknown_calling_code"))
        .when(pl.col("intl").is_not_null() & pl.col("intl_cc").is_null())
        .then(None)  # "+" with an unknown code: libphonenumber retries without the plus
        .when(pl.col("cc").is_null() | pl.col("complex_cc"))
        .then(None)
        .when(nsn_len < 2)
        .then(pl.lit("too_short"))
        .when(nsn_len > 17)
        .then(pl.lit("too_long"))
    )
    out = out.with_columns(status=status)
    slow = (
        ~pl.col("simple")
        | (pl.col("status").is_null()
           & ((pl.col("nd") == 2) | pl.col("cc").is_null() | pl.col("complex_cc")))
    )
    return out.select(
        "status",
        pl.when(pl.col("status").is_null() & ~slow).then(pl.col("cc")).alias("cc"),
        pl.when(pl.col("status").is_null() & ~slow).then(pl.col("nsn")).alias("nsn"),
        slow.alias("slow"),
    )
