"""Exact, per-string parsing of phone numbers: libphonenumber's `parse` rules on shipped metadata.

This is the resolver's reference path. The vectorized path (`_fastparse`) handles the common
shapes in bulk and hands everything else here, one unique string at a time. The rules follow
libphonenumber's documented parsing behaviour (lenient extraction, extensions, RFC 3966,
vanity letters, IDD and national-prefix stripping) with one deliberate difference: after the
default region's own international prefix, ``00`` is also taken as one (see `_strip_idd`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from geoflex.resolve._metadata import PhoneMetadata, RegionRules

# --- character classes (facts of the E.164/RFC 3966 conventions libphonenumber accepts) ---
_PLUS_CHARS: Final = "+\uff0b"
_PUNCTUATION: Final = (
    "-x\u2010-\u2015\u2212\u30fc\uff0d-\uff0f \u00a0\u00ad\u200b\u2060\u3000()"
    "\uff08\uff09\uff3b\uff3d.\\[\\]/~\u2053\u223c\uff5e"
)
_KEYPAD: Final = {
    **dict.fromkeys("ABC", "2"),
    **dict.fromkeys("DEF", "3"),
    **dict.fromkeys("GHI", "4"),
    **dict.fromkeys("JKL", "5"),
    **dict.fromkeys("MNO", "6"),
    **dict.fromkeys("PQRS", "7"),
    **dict.fromkeys("TUV", "8"),
    **dict.fromkeys("WXYZ", "9"),
}
_KEYPAD_AND_DIGITS: Final = {**_KEYPAD, **{d: d for d in "0123456789"}}
_ALPHA: Final = "A-Za-z"

_START = re.compile(f"[{_PLUS_CHARS}\\d]")
_TRAILING_JUNK = re.compile(r"(?:_|[^#\w])+$")
_SECOND_NUMBER = re.compile(r"[\\/] *x")
_THREE_LETTERS = re.compile(r"(?:.*?[A-Za-z]){3}.*", re.DOTALL)
_LEADING_PLUS = re.compile(f"[{_PLUS_CHARS}]+")


def _ext_digits(limit: int) -> str:
    return f"(\\d{{1,{limit}}})"


def _extension_pattern() -> str:
    # Labels, separators and digit limits by how sure we are that what follows is an extension.
    sep = "[ \u00a0\\t,]*"
    after_label = "[:\\.\uff0e]?[ \u00a0\\t,-]*"
    explicit = (
        "(?:e?xt(?:ensi(?:o\u0301?|\u00f3))?n?|\uff45?\uff58\uff54\uff4e?|\u0434\u043e\u0431|anexo)"
    )
    ambiguous = "(?:[x\uff58#\uff03~\uff5e]|int|\uff49\uff4e\uff54)"
    forms = [
        ";ext=" + _ext_digits(20),
        sep + explicit + after_label + _ext_digits(20) + "#?",
        sep + ambiguous + after_label + _ext_digits(9) + "#?",
        "[- ]+" + _ext_digits(6) + "#",
        "[ \u00a0\\t]*(?:,{2}|;)" + after_label + _ext_digits(15) + "#?",
        "[ \u00a0\\t]*(?:,)+" + after_label + _ext_digits(9) + "#?",
    ]
    return "|".join(forms)


_EXTENSION: Final = _extension_pattern()
_EXTENSION_AT_END = re.compile(f"(?:{_EXTENSION})$", re.IGNORECASE)
_VIABLE = re.compile(
    f"\\d{{2}}|[{_PLUS_CHARS}]*(?:[{_PUNCTUATION}*]*\\d){{3,}}[{_PUNCTUATION}*{_ALPHA}\\d]*"
    f"(?:{_EXTENSION})?",
    re.IGNORECASE,
)
_ALNUM = f"{_ALPHA}\\d"
_DOMAIN = re.compile(f"^([{_ALNUM}]+((\\-)*[{_ALNUM}])*\\.)*[{_ALPHA}]+((\\-)*[{_ALNUM}])*\\.?$")
_GLOBAL_DIGITS = re.compile(r"^\+(\d|[\-\.\(\)]?)*\d(\d|[\-\.\(\)]?)*$")

MIN_NSN: Final = 2
MAX_NSN: Final = 17
MAX_INPUT: Final = 250


#: The default region that is none: only numbers written with their calling code parse.
NO_DEFAULT: Final = "ZZ"


def default_region(default_country: object) -> str:
    """The region national numbers are read in: an ISO 3166-1 alpha-2 code, or None for none."""
    if default_country is None:
        return NO_DEFAULT
    if not isinstance(default_country, str) or len(default_country) != 2:
        from geoflex._errors import ConfigError

        raise ConfigError(
            f"default_country must be an ISO 3166-1 alpha-2 code or None, got {default_country!r}"
        )
    return default_country.upper()


class ParseError(Exception):
    """A string libphonenumber would refuse; ``status`` is the resolver's geo_status for it."""

    def __init__(self, status: str) -> None:
        super().__init__(status)
        self.status = status


@dataclass(frozen=True, slots=True)
class Parsed:
    calling_code: int
    national_number: str  # the national significant number, leading zeros kept

    @property
    def e164(self) -> str:
        return f"+{self.calling_code}{self.national_number}"


def to_ascii_digits(text: str) -> str:
    """Every Unicode decimal digit as ASCII; everything else dropped."""
    out = []
    for ch in text:
        d = unicodedata.digit(ch, -1)
        if d != -1:
            out.append(str(d))
    return "".join(out)


def refusal_status(text: str) -> str:
    """Why a string that is not a viable number was refused: words, nothing, or too few digits."""
    rest = text.replace("tel:", "").replace("whatsapp:", "")
    extension = _EXTENSION_AT_END.search(rest)
    if extension:  # "0 ext. 12" is a (too short) number with an extension, not words
        rest = rest[: extension.start()]
    if any(ch.isalpha() for ch in rest) or "@" in rest:
        return "not_a_phone"
    n = len(to_ascii_digits(rest))
    if n == 0:
        return "empty"
    return "too_short" if n == 1 else "unparseable"


def _normalize(text: str) -> str:
    if _THREE_LETTERS.fullmatch(text):  # a vanity number such as 1-800-FLOWERS
        return "".join(_KEYPAD_AND_DIGITS.get(ch.upper(), "") for ch in text)
    return to_ascii_digits(text)


def _is_viable(text: str) -> bool:
    return len(text) >= MIN_NSN and _VIABLE.fullmatch(text) is not None


def _extract_candidate(text: str) -> str:
    """Cut leading text that cannot start a number, trailing junk and a second number."""
    m = _START.search(text)
    if not m:
        return ""
    text = text[m.start() :]
    junk = _TRAILING_JUNK.search(text)
    if junk:
        text = text[: junk.start()]
    second = _SECOND_NUMBER.search(text)
    if second:
        text = text[: second.start()]
    return text


def _national_part(text: str) -> str:
    """The part of the input to parse: RFC 3966 aware (tel:, ;phone-context=, ;isub=)."""
    ctx_at = text.find(";phone-context=")
    if ctx_at >= 0:
        start = ctx_at + len(";phone-context=")
        end = text.find(";", start)
        context = text[start:] if end < 0 else text[start:end]
        if not context or not (_GLOBAL_DIGITS.match(context) or _DOMAIN.match(context)):
            raise ParseError("unparseable")
        number = context if context[0] == "+" else ""
        tel_at = text.find("tel:")
        number += text[(tel_at + 4 if tel_at >= 0 else 0) : ctx_at]
    else:
        number = _extract_candidate(text)
    isub = number.find(";isub=")
    if isub > 0:
        number = number[:isub]
    return number


def _strip_extension(number: str) -> str:
    m = _EXTENSION_AT_END.search(number)
    if m and _is_viable(number[: m.start()]) and any(g is not None for g in m.groups()):
        return number[: m.start()]
    return number


def _strip_idd(
    number: str, rules: RegionRules | None, codes: frozenset[int], *, zero_zero: int = 2
) -> tuple[bool, str]:
    """Strip an international prefix; returns (stripped, normalized number).

    Deliberately better than libphonenumber: when the default region's own prefix is absent,
    ``00`` followed by a known calling code is taken as international too (it is the prefix
    in most of the world, and callers from abroad write it even in 011 regions).
    ``zero_zero`` is how many digits that prefix has (``0011`` in Australia: 4; see
    `zero_zero_lengths`), or 0 to read such a number nationally.
    """
    digits = _normalize(number)
    if rules is not None and rules.idd_re is not None:
        m = rules.idd_re.match(digits)
        # A calling code never starts with 0: such a "prefix" was part of the number.
        if m and digits[m.end() : m.end() + 1] != "0":
            return True, digits[m.end() :]
    if (
        zero_zero
        and digits.startswith("00")
        and len(digits) > zero_zero + 2
        and _calling_code(digits[zero_zero:], codes)[0]
    ):
        return True, digits[zero_zero:]
    return False, digits


def zero_zero_lengths(digits: str, meta: PhoneMetadata) -> list[int]:
    """Lengths of the international prefixes a number written with ``00`` may start with.

    ``00`` itself, then the longer ones some country dials (``0011`` in Australia, ``0021``
    in Brazil...), each followed by a digit that can start a calling code.
    """
    if not digits.startswith("00"):
        return []
    lengths = {2}
    for pattern in _idd_patterns(meta):
        m = pattern.match(digits)
        if m and m.end() > 2 and digits[m.end() : m.end() + 1] not in ("", "0"):
            lengths.add(m.end())
    return sorted(lengths)


@lru_cache(maxsize=4)
def _idd_patterns(meta: PhoneMetadata) -> tuple[re.Pattern[str], ...]:
    idds = {r.idd for r in meta.rules_by_region.values() if r.idd and r.idd.startswith("0")}
    return tuple(re.compile(idd) for idd in sorted(idds))


def _calling_code(digits: str, codes: frozenset[int]) -> tuple[int, str]:
    if not digits or digits[0] == "0":
        return 0, digits
    for n in range(1, min(len(digits), 3) + 1):
        cc = int(digits[:n])
        if cc in codes:
            return cc, digits[n:]
    return 0, digits


def strip_national_prefix(number: str, rules: RegionRules) -> tuple[str, bool]:
    """Remove a national prefix (and carrier code) as the region's rules say; (number, changed)."""
    if not number or rules.np_re is None:
        return number, False
    m = rules.np_re.match(number)
    if not m:
        return number, False
    viable_before = rules.general_matches(number)
    groups = m.groups()
    if rules.np_transform is None or not groups or groups[-1] is None:
        rest = number[m.end() :]
    else:
        rest = rules.np_re.sub(rules.np_transform, number, count=1)
    if viable_before and not rules.general_matches(rest):
        return number, False
    return rest, True


def _extract_calling_code(
    number: str, rules: RegionRules | None, meta: PhoneMetadata, *, zero_zero: int
) -> Parsed | None:
    """The calling code and national number, or None when the number has none of its own."""
    if not number:
        return None
    plus = _LEADING_PLUS.match(number)
    if plus:
        international, digits = True, _normalize(number[plus.end() :])
    else:
        international, digits = _strip_idd(number, rules, meta.calling_codes, zero_zero=zero_zero)
    if international:
        if len(digits) <= MIN_NSN:
            raise ParseError("too_short")
        cc, rest = _calling_code(digits, meta.calling_codes)
        if cc:
            return Parsed(cc, rest)
        raise ParseError("unknown_calling_code")
    if rules is not None:
        cc_text = str(rules.calling_code)
        if digits.startswith(cc_text):
            candidate, _ = strip_national_prefix(digits[len(cc_text) :], rules)
            if (
                not rules.general_matches(digits) and rules.general_matches(candidate)
            ) or rules.length_verdict(digits) == "too_long":
                return Parsed(rules.calling_code, candidate)
    return None


def parse(text: str, default_region: str, meta: PhoneMetadata) -> Parsed:
    """Parse one string as libphonenumber's ``parse(text, default_region)`` would.

    Raises `ParseError` with the resolver's status when it would refuse the string. Where
    the ``00`` rule (see `_strip_idd`) makes a number international but leaves it a length
    its calling code never has, a longer ``00…`` prefix (Australia's ``0011``) or the
    national reading (Japan's ``0077`` numbers) wins when that one is a valid number.
    """
    parsed = _parse(text, default_region, meta, zero_zero=2)
    rules = meta.rules(default_region)
    number = _strip_extension(_national_part(text))
    if (
        _LEADING_PLUS.match(number)
        or not _strip_idd(number, rules, meta.calling_codes)[0]
        or _strip_idd(number, rules, meta.calling_codes, zero_zero=0)[0]  # its own prefix
        or _possible_length(parsed, meta)
    ):
        return parsed
    for length in [*zero_zero_lengths(_normalize(number), meta)[1:], 0]:
        try:
            other = _parse(text, default_region, meta, zero_zero=length)
        except ParseError:
            continue
        if is_valid(other):
            return other
    return parsed


def _possible_length(parsed: Parsed, meta: PhoneMetadata) -> bool:
    rules = meta.rules_for_code(parsed.calling_code)
    return rules is not None and rules.length_verdict(parsed.national_number) in (
        "possible",
        "local_only",
    )


def is_valid(parsed: Parsed) -> bool:
    """Whether the shipped number tables hold ``parsed`` as a valid number."""
    from geoflex.resolve._tables import number_facts

    facts = number_facts(f"{parsed.calling_code}{parsed.national_number}")
    return facts is not None and bool(facts[2])


def _parse(text: str, default_region: str, meta: PhoneMetadata, *, zero_zero: int) -> Parsed:
    if len(text) > MAX_INPUT:
        raise ParseError("too_long")
    number = _national_part(text)
    if not _is_viable(number):
        raise ParseError(refusal_status(text))
    rules = meta.rules(default_region)
    number = _strip_extension(number)
    try:
        parsed = _extract_calling_code(number, rules, meta, zero_zero=zero_zero)
    except ParseError as exc:
        plus = _LEADING_PLUS.match(number)
        if exc.status != "unknown_calling_code" or plus is None:
            raise
        parsed = _extract_calling_code(number[plus.end() :], rules, meta, zero_zero=zero_zero)
        if parsed is None:
            raise
    if parsed is not None:
        cc, nsn = parsed.calling_code, parsed.national_number
        main = meta.main_region(cc)
        number_rules = rules if main == default_region else meta.rules_for_code(cc)
    else:
        if rules is None:
            raise ParseError("unparseable")
        cc, nsn, number_rules = rules.calling_code, _normalize(number), rules
    if len(nsn) < MIN_NSN:
        raise ParseError("too_short")
    if number_rules is not None:
        candidate, _ = strip_national_prefix(nsn, number_rules)
        if number_rules.length_verdict(candidate) not in (
            "too_short",
            "local_only",
            "invalid_length",
        ):
            nsn = candidate
    if len(nsn) < MIN_NSN:
        raise ParseError("too_short")
    if len(nsn) > MAX_NSN:
        raise ParseError("too_long")
    return Parsed(cc, nsn)


@lru_cache(maxsize=65536)
def parse_cached(text: str, default_region: str, meta: PhoneMetadata) -> Parsed | str:
    """`parse`, returning the status string instead of raising (cached for repeated inputs)."""
    try:
        return parse(text, default_region, meta)
    except ParseError as exc:
        return exc.status
