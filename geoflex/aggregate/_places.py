"""Places keyed by identity, not by name: one row per place at each level, with a display name.

A city is (country, state code, city), so "Portland, US-OR" and "Portland, US-ME" are two
places and "New York, US-NY" is one whichever source named it; a state is (country, state
code); a country its ISO code. A row counts at a level only when that level is known for it:
a caller placed only to a state is in the states list, never in the cities list.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import polars as pl

from geoflex._errors import ConfigError
from geoflex.aggregate._frames import FrameT, check_columns, like_input
from geoflex.aggregate._service import (
    DEFAULT_SHORT_ABANDON_S,
    DEFAULT_THRESHOLD_S,
    service_metrics,
)
from geoflex.aggregate._volume import prepare_by

__all__ = ["PLACE_KEYS", "PlaceLevel", "display_name", "place_metrics"]

PlaceLevel = Literal["region", "country", "state", "area_code", "city"]

#: The identity of a place at each level: the columns that key it.
PLACE_KEYS: dict[str, tuple[str, ...]] = {
    "region": ("region",),
    "country": ("country",),
    "state": ("country", "state_code"),
    "area_code": ("area_code",),
    "city": ("country", "state_code", "city"),
}
# The column whose value must be known for a row to count at a level.
_DEFINING = {
    "region": "region",
    "country": "country",
    "state": "state_code",
    "area_code": "area_code",
    "city": "city",
}
# Lower-case words that stay lower case inside a place name ("Rio de Janeiro").
_PARTICLES = (
    "de", "del", "da", "do", "dos", "das", "di", "du", "la", "le", "les", "van", "von", "y",
    "and", "of", "upon", "on", "am", "im", "an", "der", "den", "el", "al",
)  # fmt: skip


def display_name(column: str | pl.Expr) -> pl.Expr:
    """A place name in consistent title case: each all-lower-case word gets a capital
    (except particles such as "de" or "upon" after the first word); words that already
    carry capitals keep them ("McAllen", "DeKalb").

    Examples
    --------
    >>> import polars as pl
    >>> df = pl.DataFrame({"city": ["Abu dhabi", "rio de janeiro", "McAllen", "new york", None]})
    >>> df.select(display_name("city"))["city"].to_list()
    ['Abu Dhabi', 'Rio de Janeiro', 'McAllen', 'New York', None]
    """
    expr = pl.col(column) if isinstance(column, str) else column

    def fix_word(word: str, first: bool) -> str:
        if not word or word != word.lower() or (not first and word in _PARTICLES):
            return word
        return word[:1].upper() + word[1:]

    def fix(name: str) -> str:
        parts = name.split(" ")
        return " ".join(fix_word(w, i == 0) for i, w in enumerate(parts))

    # Distinct names are few (thousands) even for millions of rows: map each once.
    return expr.map_elements(fix, return_dtype=pl.String, skip_nulls=True)


def _display_columns(level: str, names: Sequence[str]) -> list[pl.Expr]:
    """The display columns carried beside a level's keys (the least of a group's names:
    names of one place rarely differ, and the least one does not depend on row order)."""
    wanted = {
        "country": ["country_name"],
        "state": ["state", "country_name"],
        "city": ["state", "country_name"],
    }.get(level, [])
    return [pl.col(c).min().alias(c) for c in wanted if c in names]


def place_metrics(
    frame: FrameT,
    level: PlaceLevel | str,
    *,
    threshold_s: float = DEFAULT_THRESHOLD_S,
    short_abandon_s: float = DEFAULT_SHORT_ABANDON_S,
    business_hours_only: bool = False,
) -> FrameT:
    """Service metrics per place at one level, places keyed by identity.

    Parameters
    ----------
    frame
        Segments after :func:`geoflex.resolve` (see :func:`geoflex.service_metrics` for the
        columns the metrics need).
    level
        ``"region"``, ``"country"``, ``"state"``, ``"area_code"``, ``"city"``, or any other
        column (a custom region or area) used as its own key.
    threshold_s, short_abandon_s, business_hours_only
        As in :func:`geoflex.service_metrics`.

    Returns
    -------
    Same kind as ``frame``: the level's key columns (``PLACE_KEYS``), ``place`` (the
    display name: ``"Abu Dhabi"``, ``"Texas"``, ``"France"``), the state and country names
    where they apply, then the columns of :func:`geoflex.service_metrics`; only rows where
    the level is known; busiest first.

    Examples
    --------
    >>> import polars as pl
    >>> seg = pl.DataFrame({
    ...     "country": ["US", "US", "US", "US"], "country_name": ["United States"] * 4,
    ...     "state_code": ["US-OR", "US-ME", "US-OR", "US-OR"],
    ...     "state": ["Oregon", "Maine", "Oregon", "Oregon"],
    ...     "city": ["Portland", "Portland", "portland", None],
    ...     "wait_time": [5.0, 8.0, 40.0, 3.0], "abandoned": [False] * 4,
    ...     "handle_time": [60.0, 60.0, 60.0, 60.0]})
    >>> place_metrics(seg, "city").select("place", "state", "conversations").rows()
    [('Portland', 'Oregon', 2), ('Portland', 'Maine', 1)]
    """
    keys: list[str] = list(PLACE_KEYS.get(level, (level,)))
    defining = _DEFINING.get(level, level)
    lazy = prepare_by(frame, keys)
    names = lazy.collect_schema().names()
    check_columns(lazy, [defining], f"place_metrics({level!r})")
    if not keys:
        raise ConfigError("place_metrics: give a level")
    # Names differ in case between sources ("Abu dhabi", "Abu Dhabi"): one key per place.
    known = lazy.filter(pl.col(defining).is_not_null())
    if "city" in keys:
        known = known.with_columns(display_name("city"))
    metrics = service_metrics(
        known,
        keys,
        threshold_s=threshold_s,
        short_abandon_s=short_abandon_s,
        business_hours_only=business_hours_only,
    )
    shown = {
        "region": pl.col("region"),
        "country": pl.col("country_name") if "country_name" in names else pl.col("country"),
        "state": pl.col("state") if "state" in names else pl.col("state_code"),
        "area_code": pl.col("area_code"),
        "city": pl.col("city"),
    }.get(level, pl.col(level))
    labels = known.group_by(keys).agg(_display_columns(level, names))
    out = (
        metrics.join(labels, on=keys, how="left", nulls_equal=True)
        # Only cities are re-cased (the geocoder's "Abu dhabi"); region, country and state
        # names come from the reference data or the user's config and are shown as given.
        .with_columns(shown.cast(pl.String).alias("place"))
        .select(
            *keys,
            "place",
            # The country's name is its display name at the country level.
            *[
                c
                for c in ("state", "country_name")
                if c in labels.collect_schema().names()
                and (level, c) != ("country", "country_name")
            ],
            pl.exclude(*keys, "place", "state", "country_name"),
        )
        .sort(["conversations", *keys], descending=[True] + [False] * len(keys), nulls_last=True)
    )
    return like_input(out, frame)
