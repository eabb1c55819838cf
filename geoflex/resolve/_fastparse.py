"""Vectorized parsing of the common shapes, exactly as `_parse.parse` would parse them.

A string takes this path when, after full-width characters are read as ASCII and a plain
trailing extension (`` ext. 12``, `` x12``, `` #12``, ``;ext=12``) is set aside, it is ASCII
digits with ordinary punctuation (space, ``()``, ``.``, ``-``, ``/``), at most one leading
``+``, and optionally a ``tel:`` or ``whatsapp:`` prefix; and when the numbering plans
involved strip national prefixes by plain digit strings. That is nearly every real row.
Everything else (letters, RFC 3966 parameters, Argentina's or Mexico's prefix rewriting...)
is marked ``slow`` and parsed one unique string at a time by `_parse`.

Each step works on the subset of rows it concerns, so rare branches cost little.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import polars as pl

from geoflex.resolve import _tables
from geoflex.resolve._lookup import interval_index, length_key
from geoflex.resolve._metadata import PhoneMetadata, RegionRules

_SIMPLE_SHAPE = r"^(?:tel:|whatsapp:)?[ (]*\+?[0-9 ().\-/]*$"
_PLUS_FIRST = r"^(?:tel:|whatsapp:)?[ (]*\+"
_EXTENSION = r"^(.*[0-9])(?i:(?: ?(?:ext\.? ?|x ?|# ?)|;ext=))[0-9]{1,6}$"
# Full-width forms are the same characters to libphonenumber (digit, plus, punctuation).
_FULLWIDTH = {chr(0xFF10 + d): str(d) for d in range(10)} | {
    "\uff0b": "+",
    "\uff0d": "-",
    "\uff08": "(",
    "\uff09": ")",
    "\uff0e": ".",
    "\uff0f": "/",
    "\u3000": " ",
}
_VERDICTS = ("possible", "too_short", "too_long", "invalid_length", "local_only")
_REFUSED_LENGTHS = (1, 3, 4)  # too_short, invalid_length, local_only
_MAX_LEN = 21


def _is_simple(rules: RegionRules | None) -> bool:
    """Whether the region's national prefix (if any) is a set of plain digit strings."""
    return rules is None or not rules.np_parse or rules.np_literals is not None


@dataclass(frozen=True, eq=False)
class _Plans:
    """Per calling code facts about its main region, as lookup tables."""

    codes: pl.Series  # Int32 calling codes
    one_digit_prefix: dict[int, str]  # the usual case: one national prefix of one digit
    other_prefixes: dict[int, pl.Series]  # length -> "cc:prefix" for every other literal set
    other_codes: list[int]
    complex_codes: list[int]  # main region rewrites its national prefix: `_parse` decides
    verdicts: pl.Series  # Int8 verdict index at code * _MAX_LEN + length
    general_main: pl.DataFrame  # general-pattern intervals of every main region


@lru_cache(maxsize=4)
def _plans(meta: PhoneMetadata) -> _Plans:
    one: dict[int, str] = {}
    other: dict[int, list[str]] = {}
    other_codes: list[int] = []
    complex_codes: list[int] = []
    verdicts = [1] * (1000 * _MAX_LEN)  # unknown codes: "too_short" keeps a number as it is
    mains = []
    for cc in sorted(meta.calling_codes):
        rules = meta.rules_for_code(cc)
        if not _is_simple(rules):
            complex_codes.append(cc)
        elif rules is not None and rules.np_literals:
            literals = rules.np_literals
            if len(literals) == 1 and len(literals[0]) == 1:
                one[cc] = literals[0]
            else:
                other_codes.append(cc)
                for lit in literals:
                    other.setdefault(len(lit), []).append(f"{cc}:{lit}")
        if rules is not None:
            mains.append(rules.region)
            for n in range(_MAX_LEN):
                verdicts[cc * _MAX_LEN + n] = _VERDICTS.index(rules.length_verdict("0" * n))
    return _Plans(
        codes=pl.Series(sorted(meta.calling_codes), dtype=pl.Int32),
        one_digit_prefix=one,
        other_prefixes={k: pl.Series(sorted(v)) for k, v in sorted(other.items())},
        other_codes=other_codes,
        complex_codes=complex_codes,
        verdicts=pl.Series(verdicts, dtype=pl.Int8),
        general_main=_tables.general().filter(pl.col("region").is_in(mains)).sort("lo"),
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


def _general_match(cc: pl.Series, x: pl.Series, plans: _Plans) -> pl.Series:
    """Whether ``x`` fully matches the general pattern of the main region of ``cc``."""
    keys = pl.select(length_key(pl.concat_str(pl.lit(cc).cast(pl.String), pl.lit(x)))).to_series()
    return interval_index(keys, plans.general_main).is_not_null()


def _length_refused(cc: pl.Series, x: pl.Series, plans: _Plans) -> pl.Series:
    """Lengths `parse` will not strip down to (too short, invalid, local only)."""
    n = x.str.len_bytes().cast(pl.Int64).clip(upper_bound=_MAX_LEN - 1)
    verdict = plans.verdicts.gather((cc.cast(pl.Int64) * _MAX_LEN + n).fill_null(0))
    return verdict.is_in(_REFUSED_LENGTHS)


def _too_long(cc: pl.Series, x: pl.Series, plans: _Plans) -> pl.Series:
    n = x.str.len_bytes().cast(pl.Int64).clip(upper_bound=_MAX_LEN - 1)
    return plans.verdicts.gather((cc.cast(pl.Int64) * _MAX_LEN + n).fill_null(0)) == 2


def _prefix_lengths(cc: pl.Series, nsn: pl.Series, plans: _Plans) -> pl.Series:
    """Length of the national prefix each number starts with (0: none)."""
    one = cc.replace_strict(plans.one_digit_prefix, default=None, return_dtype=pl.String)
    plen = pl.select(
        pl.when(pl.lit(nsn).str.slice(0, 1) == pl.lit(one)).then(1).otherwise(0).cast(pl.Int64)
    ).to_series()
    others = cc.is_in(plans.other_codes)
    if others.any():
        rows = others.arg_true()
        sub = pl.DataFrame({"cc": cc.gather(rows).cast(pl.String), "nsn": nsn.gather(rows)})
        found = pl.lit(0, pl.Int64)
        for k, keys in plans.other_prefixes.items():
            probe = pl.concat_str(pl.col("cc"), pl.lit(":"), pl.col("nsn").str.slice(0, k))
            found = pl.when(probe.is_in(keys)).then(k).otherwise(found)
        plen = plen.scatter(rows, sub.select(found).to_series())
    return plen


def _strip_national_prefix(
    cc: pl.Series, nsn: pl.Series, plans: _Plans, *, check_length: bool = True
) -> pl.Series:
    """Strip each row's national prefix where libphonenumber would keep the result.

    ``check_length``: also require the stripped number to have a possible length (as `parse`
    does once the calling code is known; its calling-code check does not).
    """
    plen = _prefix_lengths(cc, nsn, plans)
    has = plen > 0
    if not has.any():
        return nsn
    rows = has.arg_true()
    sub_cc, sub_nsn = cc.gather(rows), nsn.gather(rows)
    cand = sub_nsn.str.slice(plen.gather(rows))
    # A number that was viable stays whole if stripping would make it unviable.
    keep = _general_match(sub_cc, sub_nsn, plans) & ~_general_match(sub_cc, cand, plans)
    if check_length:
        keep = keep | _length_refused(sub_cc, cand, plans)
    result = pl.select(pl.when(keep).then(sub_nsn).otherwise(cand)).to_series()
    return nsn.scatter(rows, result)


def _readable(raw: pl.Series) -> pl.DataFrame:
    """``text`` to parse and whether it has the simple shape, for every raw string."""
    frame = pl.DataFrame({"text": raw}).with_columns(
        simple=pl.col("text").str.contains(_SIMPLE_SHAPE) & (pl.col("text").str.len_bytes() <= 250)
    )
    retry = ~frame.get_column("simple") & (raw.str.len_chars() <= 250)
    if retry.any():
        rows = retry.arg_true()
        sub = raw.gather(rows).str.replace_many(_FULLWIDTH)
        body = sub.str.extract(_EXTENSION, 1)
        sub = pl.select(pl.coalesce(pl.lit(body), pl.lit(sub))).to_series()
        ok = sub.str.contains(_SIMPLE_SHAPE)
        frame = frame.with_columns(
            frame.get_column("text").scatter(rows, sub),
            frame.get_column("simple").scatter(rows, ok),
        )
    return frame


def fast_parse(raw: pl.Series, default_region: str, meta: PhoneMetadata) -> pl.DataFrame:
    """Parse what can be parsed in bulk.

    Returns ``status`` (null when parsed, else the geo_status), ``cc`` (Int32), ``nsn`` and
    ``slow`` (true where `_parse` must decide; the other columns are then null).
    """
    plans = _plans(meta)
    rules = meta.rules(default_region)
    n = len(raw)
    readable = _readable(raw)
    simple = readable.get_column("simple")
    out = pl.DataFrame(
        {
            "status": pl.Series([None] * n, dtype=pl.String),
            "cc": pl.Series([None] * n, dtype=pl.Int32),
            "nsn": pl.Series([None] * n, dtype=pl.String),
            "slow": ~simple,
        }
    )
    if not simple.any():
        return out
    rows = simple.arg_true()
    text = readable.get_column("text").gather(rows)
    f = (
        pl.DataFrame({"text": text})
        .with_columns(
            plus=pl.col("text").str.contains(_PLUS_FIRST),
            digits=pl.col("text").str.replace_all(r"[^0-9]", ""),
        )
        .with_columns(nd=pl.col("digits").str.len_bytes())
    )

    # International: "+", the default region's international prefix, or 00 (see _parse).
    idd = rules.idd if rules is not None and rules.idd else None
    idd_match = pl.col("digits").str.extract(f"^(?:{idd})", 0) if idd else pl.lit(None, pl.String)
    f = f.with_columns(idd=idd_match).with_columns(
        idd_len=pl.when(
            pl.col("idd").is_not_null()
            & (pl.col("digits").str.slice(pl.col("idd").str.len_bytes(), 1) != "0")
        ).then(pl.col("idd").str.len_bytes())
    )
    f = f.with_columns(
        zz=pl.col("idd_len").is_null()
        & ~pl.col("plus")
        & pl.col("digits").str.starts_with("00")
        & (pl.col("nd") > 4)
        & _calling_code(pl.col("digits").str.slice(2), plans.codes).is_not_null()
    )
    f = f.with_columns(
        intl=pl.when(pl.col("plus"))
        .then(pl.col("digits"))
        .when(pl.col("idd_len").is_not_null())
        .then(pl.col("digits").str.slice(pl.col("idd_len")))
        .when(pl.col("zz"))
        .then(pl.col("digits").str.slice(2))
    ).with_columns(cc=_calling_code(pl.col("intl"), plans.codes))
    f = f.with_columns(nsn=pl.col("intl").str.slice(pl.col("cc").cast(pl.String).str.len_bytes()))

    # National numbers of the default region.
    national = f.get_column("intl").is_null() & (f.get_column("nd") >= 3)
    national_ok = (
        rules is not None
        and meta.main_region(rules.calling_code) == rules.region
        and rules.calling_code not in plans.complex_codes
    )
    if national_ok and national.any():
        assert rules is not None
        nat_rows = national.arg_true()
        digits = f.get_column("digits").gather(nat_rows)
        nsn = digits
        cc_text = str(rules.calling_code)
        starts = digits.str.starts_with(cc_text)
        if starts.any():
            srows = starts.arg_true()
            sdigits = digits.gather(srows)
            dcc = pl.Series([rules.calling_code] * len(srows), dtype=pl.Int32)
            candidate = _strip_national_prefix(
                dcc, sdigits.str.slice(len(cc_text)), plans, check_length=False
            )
            take = (
                ~_general_match(dcc, sdigits, plans) & _general_match(dcc, candidate, plans)
            ) | _too_long(dcc, sdigits, plans)
            nsn = nsn.scatter(
                srows, pl.select(pl.when(take).then(candidate).otherwise(sdigits)).to_series()
            )
        f = f.with_columns(
            f.get_column("cc").scatter(
                nat_rows, pl.Series([rules.calling_code] * len(nat_rows), dtype=pl.Int32)
            ),
            f.get_column("nsn").scatter(nat_rows, nsn),
        )

    # The national prefix, stripped with the rules of the number's own region.
    cc = f.get_column("cc")
    nsn = f.get_column("nsn")
    strip = cc.is_not_null() & ~cc.is_in(plans.complex_codes) & (nsn.str.len_bytes() >= 2)
    if strip.any():
        srows = strip.arg_true()
        nsn = nsn.scatter(srows, _strip_national_prefix(cc.gather(srows), nsn.gather(srows), plans))
        f = f.with_columns(nsn)

    nsn_len = pl.col("nsn").str.len_bytes()
    intl = pl.col("intl").is_not_null()
    f = f.with_columns(
        status=pl.when(pl.col("nd") == 0)
        .then(pl.lit("empty"))
        .when(pl.col("nd") == 1)
        .then(pl.lit("too_short"))
        .when(pl.col("nd") == 2)
        .then(None)  # two digits are viable only unpunctuated: let _parse decide
        .when(intl & (pl.col("intl").str.len_bytes() <= 2))
        .then(pl.lit("too_short"))
        .when(intl & pl.col("cc").is_null() & ~pl.col("plus"))
        .then(pl.lit("unknown_calling_code"))
        .when(pl.col("cc").is_null() | pl.col("cc").is_in(plans.complex_codes))
        .then(None)  # "+" with an unknown code is retried without the plus by _parse
        .when(nsn_len < 2)
        .then(pl.lit("too_short"))
        .when(nsn_len > 17)
        .then(pl.lit("too_long"))
    ).with_columns(
        slow=pl.col("status").is_null()
        & ((pl.col("nd") == 2) | pl.col("cc").is_null() | pl.col("cc").is_in(plans.complex_codes))
    )
    done = ~pl.col("slow") & pl.col("status").is_null()
    part = f.select(
        "status",
        pl.when(done).then("cc").alias("cc"),
        pl.when(done).then("nsn").alias("nsn"),
        "slow",
    )
    return out.with_columns(
        out.get_column(c).scatter(rows, part.get_column(c)) for c in out.columns
    )
