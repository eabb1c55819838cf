"""LazyFrame in -> LazyFrame out: the small plumbing every aggregation shares."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

import polars as pl

from geoflex._errors import ColumnError

__all__ = ["FrameT", "as_list", "check_columns", "like_input"]

FrameT = TypeVar("FrameT", pl.DataFrame, pl.LazyFrame)


def as_list(columns: str | Sequence[str] | None) -> list[str]:
    """``None`` -> [], a name -> [name], a sequence -> list."""
    if columns is None:
        return []
    if isinstance(columns, str):
        return [columns]
    return list(columns)


def check_columns(frame: pl.DataFrame | pl.LazyFrame, columns: Sequence[str], what: str) -> None:
    """Raise a ColumnError naming every missing column and what needed it."""
    names = frame.collect_schema().names()
    missing = [c for c in columns if c not in names]
    if missing:
        hint = ""
        geo = {"region", "country", "state", "state_code", "area", "city", "zip", "timezone"}
        if set(missing) & geo:
            hint = " (add geography first: geoflex.resolve(segments, phone='phone'))"
        raise ColumnError(
            f"{what}: missing column(s) {', '.join(map(repr, missing))}{hint}; "
            f"the frame has {', '.join(names[:12])}{'...' if len(names) > 12 else ''}"
        )


def like_input(result: pl.LazyFrame, original: FrameT) -> FrameT:
    """Collect ``result`` when the caller gave an eager frame."""
    if isinstance(original, pl.DataFrame):
        return result.collect()
    return result
