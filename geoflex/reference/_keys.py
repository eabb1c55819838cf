"""The place-name match key, in plain Python and as a polars expression (identical results).

The key lets a geocoder description ("St. Louis, MO" → "St. Louis"), a gazetteer name
("Saint Louis") and a user's spelling ("ST LOUIS") meet on one string. Steps, in order:

1. apostrophes are dropped without a space (``O'Fallon`` → ``OFallon``,
   ``St. John's`` → ``St. Johns``);
2. Unicode NFKD decomposition, then every combining mark is dropped (``Zürich`` → ``Zurich``,
   ``ﬁ`` → ``fi``);
3. lower case, then a few letters NFKD does not decompose are spelled out (``ß`` → ``ss``,
   ``æ`` → ``ae``, ``ø`` → ``o``, ``ł`` → ``l``, ``đ``/``ð`` → ``d``, ``þ`` → ``th``, ...);
4. ``&`` becomes `` and ``; every other character that is not ``a-z`` or ``0-9`` becomes a space
   (hyphens, dots, commas, brackets, non-Latin scripts);
5. runs of spaces collapse to one, the ends are trimmed;
6. the abbreviations people write for a place's first words are spelled out as whole words:
   ``st`` → ``saint``, ``ste`` → ``sainte``, ``mt`` → ``mount``, ``ft`` → ``fort``. So
   "St. Louis", "ST LOUIS" and "Saint-Louis" share the key ``saint louis``.

A name in a non-Latin script has the empty key ``""``.
"""

from __future__ import annotations

import re
import unicodedata

import polars as pl

__all__ = ["place_key", "place_key_expr"]

# Apostrophe-like characters: removed before NFKD (which would turn U+00B4 into a space + mark).
_APOSTROPHES = "'\u2018\u2019\u02bc\u02bb\u0060\u00b4\u2032"
_APOSTROPHE_RE = "[" + re.escape(_APOSTROPHES) + "]"
# Lower-case letters that NFKD leaves whole but that have a usual Latin spelling.
_LETTERS: dict[str, str] = {
    "ß": "ss",
    "æ": "ae",
    "œ": "oe",
    "ø": "o",
    "đ": "d",
    "ð": "d",
    "ł": "l",
    "þ": "th",
    "ı": "i",
    "ħ": "h",
    "ŧ": "t",
    "ŋ": "ng",
    "&": " and ",
}
_ABBREVIATIONS: tuple[tuple[str, str], ...] = (
    ("st", "saint"),
    ("ste", "sainte"),
    ("mt", "mount"),
    ("ft", "fort"),
)
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_APOSTROPHE = re.compile(_APOSTROPHE_RE)
_WORDS = dict(_ABBREVIATIONS)


def place_key(s: str) -> str:
    """Normalize a place name to its match key (lowercase ASCII words, single spaces).

    Parameters
    ----------
    s
        A place name in any script or spelling.

    Returns
    -------
    str
        The key; ``""`` when nothing Latin is left.

    Examples
    --------
    >>> place_key("St. Louis")
    'saint louis'
    >>> place_key("Saint-Louis")
    'saint louis'
    >>> place_key("  MÜNCHEN ")
    'munchen'
    >>> place_key("Coeur d'Alene")
    'coeur dalene'
    >>> place_key("Straße & Ærø")
    'strasse and aero'
    >>> place_key("東京")
    ''
    """
    s = _APOSTROPHE.sub("", s)
    s = unicodedata.normalize("NFKD", s)
    s = "".join(ch for ch in s if not unicodedata.category(ch).startswith("M"))
    s = s.lower()
    s = "".join(_LETTERS.get(ch, ch) for ch in s)
    words = _NOT_ALNUM.sub(" ", s).split()
    return " ".join(_WORDS.get(word, word) for word in words)


def place_key_expr(expr: pl.Expr | str) -> pl.Expr:
    """The polars expression of :func:`place_key`: the same key for every string, null stays null.

    Parameters
    ----------
    expr
        A string expression or a column name.

    Returns
    -------
    polars.Expr
        A String expression of keys.

    Examples
    --------
    >>> import polars as pl
    >>> df = pl.DataFrame({"city": ["St. Louis", "Saint-Louis", "Zürich", None]})
    >>> df.select(place_key_expr("city"))["city"].to_list()
    ['saint louis', 'saint louis', 'zurich', None]
    """
    e = pl.col(expr) if isinstance(expr, str) else expr
    e = (
        e.str.replace_all(_APOSTROPHE_RE, "")
        .str.normalize("NFKD")
        .str.replace_all(r"\p{M}+", "")
        .str.to_lowercase()
        .str.replace_many(list(_LETTERS), list(_LETTERS.values()))
        .str.replace_all(r"[^a-z0-9]+", " ")
        .str.strip_chars(" ")
    )
    for short, long in _ABBREVIATIONS:
        # After the steps above the text is [a-z0-9 ] only, so \b is an ASCII word boundary.
        e = e.str.replace_all(rf"\b{short}\b", long)
    return e
