"""Vectorized parsing of the common shapes, exactly as `_parse.parse` would parse them.

A string takes this path when, after full-width characters are read as ASCII and a plain
trailing extension (`` ext. 12``, `` x12``, `` #12``, ``;ext=12``) is set aside, it is ASCII
digits with ordinary punctuation (space, ``()``, ``.``, ``-``, ``/``), at most one leading
``+``, and optionally a ``tel:`` or ``whatsapp:`` prefix; and when the numbering plans
involved strip national prefixes by plain digit strings. That is nearly every real row.
Everything else (letters, RFC 3966 parameters, Argentina's or Mexico's prefix rewriting...)
is marked ``slow`` and parsed one unique string at a time by `_parse`.

After one pass over the text, numbers are integers: a digit string of length ``n`` is the
pair (``n``, its value), so calling codes, prefixes and table keys are integer arithmetic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import polars as pl

from geoflex.resolve import _tables
from geoflex.resolve._lookup import code_length, digits_key, interval_index, pow10
from geoflex.resolve._metadata import PhoneMetadata, RegionRules
from geoflex.resolve._parse import strip_national_prefix as strip_national_prefix_text
from geoflex.resolve._parse import zero_zero_lengths
from geoflex.resolve._schema import GEO_SCHEMA

_SIMPLE_SHAPE = r"^(?:tel:|whatsapp:)?[ (]*\+?[0-9 ().\-/]*$"
_BARE = r"^\+?[0-9]{1,250}$"
# Everything but digits and "+" that a simple-shaped string can hold (Aho-Corasick beats a regex).
_PUNCTUATION = ["tel:", "whatsapp:", " ", "(", ")", ".", "-", "/"]
_EXTENSION_TAIL = r"(?i)(?: ?(?:ext\.? ?|x ?|# ?)|;ext=)[0-9]{1,6}$"
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
#: The verdicts of a length a calling code has (`_parse._possible_length`).
_POSSIBLE = [_VERDICTS.index("possible"), _VERDICTS.index("local_only")]
_REFUSED_LENGTHS = (1, 3, 4)  # too_short, invalid_length, local_only
_MAX_LEN = 21
_MAX_DIGITS = 18  # what an Int64 holds; longer strings are left to `_parse`


def _is_simple(rules: RegionRules | None) -> bool:
    """Whether the region's national prefix (if any) is a set of plain digit strings."""
    return rules is None or not rules.np_parse or rules.np_literals is not None


@dataclass(frozen=True, eq=False)
class _Plans:
    """Per calling code facts about its main region, as lookup arrays."""

    cc_of_prefix: pl.Series  # Int32 calling code of each 3-digit start 0..999 (0: none)
    one_digit_prefix: pl.Series  # Int8 per code: its single one-digit national prefix, or -1
    other_prefixes: frozenset[int]  # cc * 10**7 + len * 10**6 + value of other literal prefixes
    other_lengths: tuple[int, ...]
    other_codes: tuple[int, ...]
    complex_codes: tuple[int, ...]  # main region rewrites its national prefix: `_parse` decides
    rewrite_rule: str  # ... with these national-prefix patterns, after "cc:" (see _needs_rewrite)
    verdicts: pl.Series  # Int8 verdict index at code * _MAX_LEN + length
    invalid_statuses: pl.Series  # geo_status of an invalid number, by verdict index
    general_main: pl.DataFrame  # general-pattern intervals of every main region


@lru_cache(maxsize=4)
def _plans(meta: PhoneMetadata) -> _Plans:
    codes = meta.calling_codes
    cc_of_prefix = [0] * 1000
    for p in range(100, 1000):
        for cc in (p // 100, p // 10, p):
            if cc in codes:
                cc_of_prefix[p] = cc
                break
    one = [-1] * 1000
    others: set[int] = set()
    lengths: set[int] = set()
    other_codes: list[int] = []
    complex_codes: list[int] = []
    complex_patterns: dict[int, str] = {}
    verdicts = [1] * (1000 * _MAX_LEN)  # unknown codes: "too_short" keeps a number as it is
    mains = []
    for cc in sorted(codes):
        rules = meta.rules_for_code(cc)
        if not _is_simple(rules):
            assert rules is not None
            assert rules.np_parse is not None
            complex_codes.append(cc)
            complex_patterns[cc] = rules.np_parse
        elif rules is not None and rules.np_literals:
            literals = rules.np_literals
            if len(literals) == 1 and len(literals[0]) == 1:
                one[cc] = int(literals[0])
            else:
                other_codes.append(cc)
                for lit in literals:
                    others.add(cc * 10**7 + len(lit) * 10**6 + int(lit))
                    lengths.add(len(lit))
        if rules is not None:
            mains.append(rules.region)
            for n in range(_MAX_LEN):
                verdicts[cc * _MAX_LEN + n] = _VERDICTS.index(rules.length_verdict("0" * n))
    return _Plans(
        cc_of_prefix=pl.Series(cc_of_prefix, dtype=pl.Int32),
        one_digit_prefix=pl.Series(one, dtype=pl.Int8),
        other_prefixes=frozenset(others),
        other_lengths=tuple(sorted(lengths)),
        other_codes=tuple(other_codes),
        complex_codes=tuple(complex_codes),
        rewrite_rule="^(?:"
        + "|".join(f"{cc}:(?:{pattern})" for cc, pattern in complex_patterns.items())
        + ")",
        verdicts=pl.Series(verdicts, dtype=pl.Int8),
        invalid_statuses=pl.Series(
            [v if v in ("too_short", "too_long") else "invalid" for v in _VERDICTS],
            dtype=GEO_SCHEMA["geo_status"],
        ),
        general_main=_tables.general().filter(pl.col("region").is_in(mains)).sort("lo"),
    )


def _head(value: pl.Expr, length: pl.Expr, k: int) -> pl.Expr:
    """The first ``k`` digits of a ``length``-digit number (null when shorter)."""
    return pl.when(length >= k).then(value // pow10(length - k))


def _general_match(frame: pl.DataFrame, cc: str, x: str, n: str, plans: _Plans) -> pl.Series:
    """Whether the national number (value ``x``, length ``n``) matches its region's pattern."""
    keys = frame.select(digits_key(pl.col(cc), pl.col(x), pl.col(n))).to_series()
    return interval_index(keys, plans.general_main).is_not_null()


def _verdict(cc: pl.Expr, n: pl.Expr, plans: _Plans) -> pl.Expr:
    index = cc.cast(pl.Int64) * _MAX_LEN + n.cast(pl.Int64).clip(0, _MAX_LEN - 1)
    return pl.lit(plans.verdicts).gather(index.fill_null(0))


def invalid_status(cc: pl.Expr, nl: pl.Expr, meta: PhoneMetadata) -> pl.Expr:
    """The ``geo_status`` of a parsed number that is not valid, as the Enum.

    ``too_short``/``too_long`` where the calling code's possible lengths say so
    (libphonenumber's possible-length verdict), else ``invalid``: looked up by the verdict's
    index, so no text is built or compared per row.
    """
    plans = _plans(meta)
    return pl.lit(plans.invalid_statuses).gather(_verdict(cc, nl, plans))


def _prefix_lengths(frame: pl.DataFrame, plans: _Plans) -> pl.Series:
    """Length of the national prefix each number (cc, nsn, nl) starts with (0: none)."""
    one = pl.lit(plans.one_digit_prefix).gather(pl.col("cc").cast(pl.Int64).fill_null(0))
    plen = frame.select(
        pl.when((pl.col("nl") >= 1) & (_head(pl.col("nsn"), pl.col("nl"), 1) == one))
        .then(1)
        .otherwise(0)
        .cast(pl.Int64)
    ).to_series()
    others = frame.get_column("cc").is_in(plans.other_codes)
    if others.any():
        rows = others.arg_true()
        sub = frame.select("cc", "nsn", "nl").gather(rows)
        found = pl.lit(0, pl.Int64)
        for k in plans.other_lengths:
            code = (
                pl.col("cc").cast(pl.Int64) * 10**7
                + k * 10**6
                + _head(pl.col("nsn"), pl.col("nl"), k)
            )
            known = pl.Series(sorted(plans.other_prefixes), dtype=pl.Int64)
            found = pl.when(code.is_in(known.implode())).then(k).otherwise(found)
        plen = plen.scatter(rows, sub.select(found).to_series())
    return plen


def strip_national_prefix(
    frame: pl.DataFrame, plans: _Plans, *, check_length: bool = True
) -> pl.DataFrame:
    """New ``nsn``/``nl`` with each number's national prefix stripped where `parse` would.

    ``frame`` has ``cc``, ``nsn`` (value) and ``nl`` (length). ``check_length``: also require
    the stripped number to have a possible length (as `parse` does once the calling code is
    known; its calling-code check does not).
    """
    plen = _prefix_lengths(frame, plans)
    has = plen > 0
    if not has.any():
        return frame.select("nsn", "nl")
    rows = has.arg_true()
    sub = frame.select("cc", "nsn", "nl").gather(rows).with_columns(p=plen.gather(rows))
    sub = sub.with_columns(cl=pl.col("nl") - pl.col("p")).with_columns(
        cand=pl.col("nsn") % pow10(pl.col("cl"))
    )
    # A number that was viable stays whole if stripping would make it unviable.
    keep = _general_match(sub, "cc", "nsn", "nl", plans) & ~_general_match(
        sub, "cc", "cand", "cl", plans
    )
    if check_length:
        keep = (
            keep
            | sub.select(
                _verdict(pl.col("cc"), pl.col("cl"), plans).is_in(_REFUSED_LENGTHS)
            ).to_series()
        )
    result = sub.with_columns(keep=keep).select(
        pl.when("keep").then("nsn").otherwise("cand").alias("nsn"),
        pl.when("keep").then("nl").otherwise("cl").alias("nl"),
    )
    return frame.select(
        frame.get_column("nsn").scatter(rows, result.get_column("nsn")),
        frame.get_column("nl").scatter(rows, result.get_column("nl")),
    )


def _readable(raw: pl.Series) -> pl.DataFrame:
    """``text`` to parse, whether it has the simple shape and whether it is bare digits.

    Bare ``+digits`` (E.164, what most exports hold) need no cleaning at all.
    """
    bare = raw.str.contains(_BARE).fill_null(False)
    simple = bare.clone()  # scatter writes in place
    rest = ~bare
    if rest.any():
        rows = rest.arg_true()
        sub = raw.gather(rows)
        simple = simple.scatter(
            rows, sub.str.contains(_SIMPLE_SHAPE) & (sub.str.len_bytes() <= 250)
        )
    frame = pl.DataFrame({"text": raw, "simple": simple, "bare": bare})
    # The other strings may be full-width or end in an extension: read them once more (up
    # to 250 characters, as libphonenumber does).
    rows = (~simple).fill_null(False).arg_true()
    sub = raw.gather(rows)
    short = sub.str.len_chars() <= 250
    rows, sub = rows.filter(short), sub.filter(short)
    if len(rows):
        wide = sub.str.contains(r"[^\x00-\x7F]")
        if wide.any():
            wide_rows = wide.arg_true()
            sub = sub.scatter(wide_rows, sub.gather(wide_rows).str.replace_many(_FULLWIDTH))
        # A plain extension after a number that ends in a digit (libphonenumber sets it aside).
        body = sub.str.replace(_EXTENSION_TAIL, "")
        sub = pl.select(
            pl.when(pl.lit(body).str.contains("[0-9]$")).then(pl.lit(body)).otherwise(pl.lit(sub))
        ).to_series()
        frame = frame.with_columns(
            frame.get_column("text").scatter(rows, sub),
            frame.get_column("simple").scatter(rows, sub.str.contains(_SIMPLE_SHAPE)),
        )
    return frame.with_columns(pl.col("simple").fill_null(False))


def _idd_columns(rules: RegionRules | None) -> list[pl.Expr]:
    """Length of the default region's international prefix at the start of ``digits`` (or null).

    As in `_parse`: a prefix followed by 0 does not count (calling codes never start with 0).
    """
    if rules is None or not rules.idd:
        return [pl.lit(None, pl.Int64).alias("idd_len")]
    v, nd = pl.col("v"), pl.col("nd")
    if re.fullmatch(r"\d+", rules.idd):
        # A plain prefix ("011"): its length is a constant, so the digit after it is one
        # division by a looked-up power (a length expression would be evaluated twice).
        k = len(rules.idd)
        found = (nd >= k) & (v // pow10(nd - k) == int(rules.idd))
        after_k = (v // pow10(nd - k - 1)) % 10
        stripped = found & ((nd == k) | (after_k != 0))
        return [pl.when(stripped).then(pl.lit(k, pl.Int64)).alias("idd_len")]
    length = pl.col("digits").str.extract(f"^(?:{rules.idd})", 0).str.len_bytes().cast(pl.Int64)
    after = (v // pow10(nd - length - 1)) % 10
    stripped = (nd == length) | ((nd > length) & (after != 0))
    return [pl.when(stripped).then(length).alias("idd_len")]


def fast_parse(raw: pl.Series, default_region: str, meta: PhoneMetadata) -> pl.DataFrame:
    """Parse what can be parsed in bulk.

    Returns ``status`` (null when parsed, else the geo_status), ``cc`` (Int32), ``nsn``
    (Int64 value) and ``nl`` (its digit count), and ``slow`` (true where `_parse` must
    decide; the other columns are then null). ``simple`` tells which strings had a plain shape.
    """
    plans = _plans(meta)
    rules = meta.rules(default_region)
    readable = _readable(raw)
    simple = readable.get_column("simple")
    n = len(raw)
    out = pl.DataFrame(
        {
            # Null columns made natively: a list of n Nones would hold the GIL for ~15 ms
            # per 500k strings, while the other thread waits.
            "status": pl.Series(dtype=pl.String).extend_constant(None, n),
            "cc": pl.Series(dtype=pl.Int32).extend_constant(None, n),
            "nsn": pl.Series(dtype=pl.Int64).extend_constant(None, n),
            "nl": pl.Series(dtype=pl.Int64).extend_constant(None, n),
            "slow": ~simple,
            "simple": simple,
        }
    )
    if not simple.any():
        return out
    rows = simple.arg_true()
    everything = len(rows) == n
    text = readable.get_column("text")
    bare = readable.get_column("bare")
    if not everything:
        text, bare = text.gather(rows), bare.gather(rows)
    if bare.all():
        pass
    elif not bare.any():
        text = text.str.replace_many(_PUNCTUATION, [""] * len(_PUNCTUATION))
    else:
        prow = (~bare).arg_true()
        text = text.scatter(
            prow, text.gather(prow).str.replace_many(_PUNCTUATION, [""] * len(_PUNCTUATION))
        )
    v, nd = pl.col("v"), pl.col("nd")
    # International: "+", the default region's international prefix, or 00 (see _parse).
    # A 00 number has a value below 10**(nd-2) and not below 10**(nd-3); its calling code
    # is looked up from the three digits after the 00 (clipped: other rows look up nothing).
    zz_cc = pl.lit(plans.cc_of_prefix).gather((v // pow10(nd - 5)).fill_null(0).clip(0, 999))
    skip = (
        pl.when(pl.col("plus"))
        .then(0)
        .when(pl.col("idd_len").is_not_null())
        .then(pl.col("idd_len"))
        .when(pl.col("zz"))
        .then(2)
    )
    il, iv = pl.col("il"), pl.col("iv")
    code = pl.lit(plans.cc_of_prefix).gather((iv // pow10(il - 3)).fill_null(0).clip(0, 999))
    # One lazy query: one plan for the chain, and common subexpressions computed once.
    f = (
        pl.LazyFrame({"d": text})
        .with_columns(
            plus=pl.col("d").str.starts_with("+"), digits=pl.col("d").str.strip_chars_start("+")
        )
        .with_columns(nd=pl.col("digits").str.len_bytes().cast(pl.Int64))
        .with_columns(v=pl.col("digits").str.slice(0, _MAX_DIGITS).cast(pl.Int64, strict=False))
        .with_columns(_idd_columns(rules))
        .with_columns(
            zz=pl.col("idd_len").is_null()
            & ~pl.col("plus")
            & (nd > 4)
            & (v < pow10(nd - 2))
            & (v >= pow10(nd - 3))
            & (zz_cc > 0)
        )
        .with_columns(skip=skip)
        .with_columns(il=nd - pl.col("skip"), iv=v % pow10(nd - pl.col("skip")))
        .with_columns(cc=pl.when((il >= 3) & (code > 0)).then(code))
        .with_columns(nl=il - code_length(pl.col("cc")))
        .with_columns(nsn=iv % pow10(pl.col("nl")))
        .collect()
    )

    # National numbers of the default region.
    national = (f.get_column("skip").is_null() & (f.get_column("nd") >= 3)).fill_null(False)
    national_ok = (
        rules is not None
        and meta.main_region(rules.calling_code) == rules.region
        and rules.calling_code not in plans.complex_codes
    )
    if national_ok and national.any():
        assert rules is not None
        f = _national(f, national, rules, plans)

    # The national prefix, stripped with the rules of the number's own region.
    strip = (
        f.get_column("cc").is_not_null()
        & ~f.get_column("cc").is_in(plans.complex_codes)
        & (f.get_column("nl") >= 2)
        & (f.get_column("nd") <= _MAX_DIGITS)
    ).fill_null(False)
    if strip.all():
        f = f.with_columns(strip_national_prefix(f.select("cc", "nsn", "nl"), plans))
    elif strip.any():
        srows = strip.arg_true()
        stripped = strip_national_prefix(f.select("cc", "nsn", "nl").gather(srows), plans)
        f = f.with_columns(
            f.get_column("nsn").scatter(srows, stripped.get_column("nsn")),
            f.get_column("nl").scatter(srows, stripped.get_column("nl")),
        )

    f = f.with_columns(rewrite=_needs_rewrite(f, plans))
    # The 00 reading stands where it leaves a length its calling code has (`_parse.parse`
    # keeps it then). Otherwise a longer 00 prefix (Australia's 0011) or the national
    # reading (Japan's 0077) may be meant: where one can be, `_parse` weighs the readings.
    # Judged only for those few numbers: a Python call each for every 00 number took 3 s
    # per 100k numbers.
    odd = f.select(pl.col("zz") & ~_verdict(pl.col("cc"), pl.col("nl"), plans).is_in(_POSSIBLE))
    unsure = odd.to_series().fill_null(False)
    if rules is not None and unsure.any():
        zrows = unsure.arg_true()
        judged = [_ambiguous(d, rules, meta) for d in f.get_column("digits").gather(zrows)]
        f = f.with_columns(ambiguous=pl.Series([False] * len(f)).scatter(zrows, judged))
    else:
        f = f.with_columns(ambiguous=pl.lit(False))
    intl = pl.col("skip").is_not_null()
    f = f.with_columns(
        status=pl.when(pl.col("nd") == 0)
        .then(pl.lit("empty"))
        .when(pl.col("nd") == 1)
        .then(pl.lit("too_short"))
        .when(pl.col("nd") == 2)
        .then(None)  # two digits are viable only unpunctuated: let _parse decide
        .when(pl.col("nd") > _MAX_DIGITS)
        .then(None)
        .when(intl & (pl.col("il") <= 2))
        .then(pl.lit("too_short"))
        .when(intl & pl.col("cc").is_null() & ~pl.col("plus"))
        .then(pl.lit("unknown_calling_code"))
        .when(pl.col("cc").is_null() | pl.col("rewrite") | pl.col("ambiguous"))
        .then(None)  # "+" with an unknown code is retried without the plus by _parse
        .when(pl.col("nl") < 2)
        .then(pl.lit("too_short"))
        .when(pl.col("nl") > 17)
        .then(pl.lit("too_long"))
    ).with_columns(
        slow=pl.col("status").is_null()
        & (
            (pl.col("nd") == 2)
            | (pl.col("nd") > _MAX_DIGITS)
            | pl.col("cc").is_null()
            | pl.col("rewrite")
            | pl.col("ambiguous")
        )
    )
    done = ~pl.col("slow") & pl.col("status").is_null()
    part = f.select(
        "status",
        pl.when(done).then("cc").alias("cc"),
        pl.when(done).then("nsn").alias("nsn"),
        pl.when(done).then("nl").alias("nl"),
        "slow",
    )
    if everything:
        return part.with_columns(simple=simple)
    return out.with_columns(
        out.get_column(c).scatter(rows, part.get_column(c)) for c in part.columns
    )


def _ambiguous(digits: str, rules: RegionRules, meta: PhoneMetadata) -> bool:
    """Whether `_parse.parse` may read a number the ``00`` rule made international otherwise:
    with a longer ``00…`` prefix, or nationally (it fits the default region's pattern)."""
    return (
        len(zero_zero_lengths(digits, meta)) > 1
        or rules.general_matches(digits)
        or rules.general_matches(strip_national_prefix_text(digits, rules)[0])
    )


def _needs_rewrite(f: pl.DataFrame, plans: _Plans) -> pl.Series:
    """Numbers whose region rewrites national prefixes and whose start matches that rule.

    When the rule matches nothing (or only the empty string) at the start of the national
    number, it changes nothing and the number is already parsed; otherwise `_parse` decides.
    """
    cc = f.get_column("cc")
    rewrite = cc.is_in(plans.complex_codes).fill_null(False)
    if not rewrite.any():
        return rewrite
    rows = rewrite.arg_true()
    # One pass for every such code: "54:" and the national number, read by the rule of the
    # code written before it (the colon keeps one code's rule off another's numbers).
    code, nsn, nl = pl.col("cc"), pl.col("nsn"), pl.col("nl")
    text = pl.concat_str(code.cast(pl.String), pl.lit(":"), nsn.cast(pl.String).str.zfill(nl))
    start = text.str.extract(plans.rewrite_rule, 0).str.len_bytes()
    matched = f.select("cc", "nsn", "nl").gather(rows).select(start > code_length(code) + 1)
    return rewrite.scatter(rows, matched.to_series().fill_null(False))


def _national(
    f: pl.DataFrame, national: pl.Series, rules: RegionRules, plans: _Plans
) -> pl.DataFrame:
    """Numbers in the default region's national format: its calling code, maybe written first."""
    rows = national.arg_true()
    dcc, dl = rules.calling_code, len(str(rules.calling_code))
    sub = (
        f.select("v", "nd")
        .gather(rows)
        .with_columns(cc=pl.lit(dcc, pl.Int32), nsn=pl.col("v"), nl=pl.col("nd"))
    )
    starts = sub.select(
        (pl.col("nd") > dl) & (_head(pl.col("v"), pl.col("nd"), dl) == dcc)
    ).to_series()
    if starts.any():
        srows = starts.arg_true()
        s = sub.gather(srows).with_columns(
            nl=pl.col("nd") - dl, nsn=pl.col("v") % pow10(pl.col("nd") - dl)
        )
        candidate = strip_national_prefix(s.select("cc", "nsn", "nl"), plans, check_length=False)
        s = s.with_columns(cand=candidate.get_column("nsn"), cl=candidate.get_column("nl"))
        take = (
            ~_general_match(s, "cc", "v", "nd", plans)
            & _general_match(s, "cc", "cand", "cl", plans)
        ) | s.select(_verdict(pl.col("cc"), pl.col("nd"), plans) == 2).to_series()
        s = s.with_columns(take=take)
        sub = sub.with_columns(
            sub.get_column("nsn").scatter(
                srows, s.select(pl.when("take").then("cand").otherwise("v")).to_series()
            ),
            sub.get_column("nl").scatter(
                srows, s.select(pl.when("take").then("cl").otherwise("nd")).to_series()
            ),
        )
    return f.with_columns(
        f.get_column("cc").scatter(rows, sub.get_column("cc")),
        f.get_column("nsn").scatter(rows, sub.get_column("nsn")),
        f.get_column("nl").scatter(rows, sub.get_column("nl")),
    )
