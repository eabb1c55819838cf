"""Row tables of the report's computation half, on whichever engine holds them.

The report derives every frame it shows from row tables (conversations, segments,
customers) through four operations, each given geoflex's own polars functions:

- ``map``: a row-wise function (new columns, a filter) applied to every piece of rows;
- ``groups``: a rule (``volume``, ``service_metrics``...) that gives one row per group of
  the ``keys`` columns, run where every group is whole; the caller orders the result;
- ``reduce``: a ``partial`` over every piece of rows whose small results ``combine`` adds
  up (counts, sums, first and last times);
- ``left_join``: another table's columns beside each row, by a unique key.

:class:`PolarsRows` runs them on a polars DataFrame here (a piece of rows is the whole
frame, one group holds every row). ``geoflex.spark`` runs the same functions on Spark's
executors and collects only their (small) results, so a rule is written once, in polars,
for both engines.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

import polars as pl

if TYPE_CHECKING:
    from geoflex.resolve._api import Regions

__all__ = [
    "Batch",
    "Group",
    "PolarsRows",
    "Rows",
    "Rule",
    "Tables",
    "polars_tables",
    "present",
]

Rule = Callable[[pl.DataFrame], pl.DataFrame]


class Group(NamedTuple):
    """An aggregation asked of `Rows.groups`: ``rule`` over the rows' ``columns``, each
    group of ``keys`` whole."""

    columns: Sequence[str]
    keys: Sequence[str]
    rule: Rule


class Rows(Protocol):
    """A row table the report's computation half reads (see the module)."""

    @property
    def schema(self) -> dict[str, pl.DataType]:
        """Column names and geoflex's polars types."""
        ...

    def map(self, rule: Rule) -> Rows:
        """``rule`` over every piece of rows: it must look at each row alone."""
        ...

    def groups(self, requests: Sequence[Group]) -> list[pl.DataFrame]:
        """Each request's rule over the rows (only those of its ``columns`` they have),
        each group of its ``keys`` whole where it runs: the results of every group, in no
        set order, a frame per request (all in one pass over the rows)."""
        ...

    def reduce(self, columns: Sequence[str], partial: Rule, combine: Rule) -> pl.DataFrame:
        """``combine`` over ``partial``'s results for every piece of rows."""
        ...

    def left_join(self, other: Rows, on: str, columns: Sequence[str]) -> Rows:
        """Each row with ``other``'s ``columns`` of its ``on`` value (unique there)."""
        ...

    def resolved(
        self,
        phone: str,
        *,
        default_country: str,
        regions: Regions | None,
        overrides: Mapping[str, str] | None,
    ) -> Rows:
        """The rows with geoflex.resolve's geo columns (replacing any they had)."""
        ...

    def cached(self) -> Rows:
        """The same rows, kept where they are computed (read by many operations)."""
        ...

    def count(self) -> int:
        """How many rows."""
        ...

    def collect(self) -> pl.DataFrame:
        """Every row, here: only for tables of one row per worker or per problem."""
        ...


def present(frame: pl.DataFrame, columns: Sequence[str]) -> pl.DataFrame:
    """``frame``'s columns of ``columns`` (in its order)."""
    wanted = set(columns)
    return frame.select(c for c in frame.columns if c in wanted)


@dataclass(frozen=True)
class PolarsRows:
    """:class:`Rows` of a polars DataFrame: every operation is its rule on the frame."""

    frame: pl.DataFrame

    @property
    def schema(self) -> dict[str, pl.DataType]:
        return dict(self.frame.schema)

    def map(self, rule: Rule) -> PolarsRows:
        return PolarsRows(rule(self.frame))

    def groups(self, requests: Sequence[Group]) -> list[pl.DataFrame]:
        # Only ``columns`` here too: a rule reading another column fails on both engines.
        return [rule(present(self.frame, columns)) for columns, _, rule in requests]

    def reduce(self, columns: Sequence[str], partial: Rule, combine: Rule) -> pl.DataFrame:
        return combine(partial(present(self.frame, columns)))

    def left_join(self, other: Rows, on: str, columns: Sequence[str]) -> PolarsRows:
        assert isinstance(other, PolarsRows)
        right = other.frame.select(on, *columns).unique(on, keep="first")
        return PolarsRows(
            self.frame.drop([c for c in columns if c in self.frame.columns]).join(
                right, on=on, how="left"
            )
        )

    def resolved(
        self,
        phone: str,
        *,
        default_country: str,
        regions: Regions | None,
        overrides: Mapping[str, str] | None,
    ) -> PolarsRows:
        from geoflex.resolve import GEO_COLUMNS, resolve

        frame = self.frame.drop([c for c in GEO_COLUMNS if c in self.frame.columns])
        return PolarsRows(
            resolve(
                frame, phone, default_country=default_country, regions=regions, overrides=overrides
            )
        )

    def cached(self) -> PolarsRows:
        return self

    def count(self) -> int:
        return self.frame.height

    def collect(self) -> pl.DataFrame:
        return self.frame


class Batch:
    """Aggregations of one table asked for first and run together on the first result
    wanted (on Spark: one job, one pass over the rows)."""

    def __init__(self, rows: Rows) -> None:
        self.rows = rows
        self._asked: list[Group] = []
        self._results: list[pl.DataFrame] = []

    def add(
        self, columns: Sequence[str], keys: Sequence[str], rule: Rule
    ) -> Callable[[], pl.DataFrame]:
        """Ask for ``rule`` (see `Rows.groups`); the returned function gives its result."""
        number = len(self._asked)
        self._asked.append(Group(list(columns), list(keys), rule))
        return lambda: self._result(number)

    def _result(self, number: int) -> pl.DataFrame:
        if number >= len(self._results):
            self._results += self.rows.groups(self._asked[len(self._results) :])
        return self._results[number]


@dataclass
class Tables:
    """The tables of ingested data as :class:`Rows` (None: the data has no such table),
    and read_events' bookkeeping."""

    conversations: Rows | None
    segments: Rows | None
    customers: Rows | None
    agents: Rows | None
    problems: Rows | None
    truncated: Any = None
    counts: Any = None
    #: Frees what the tables' operations kept (`Rows.cached`); called once they are done.
    release: Callable[[], None] = lambda: None


def _polars(value: Any) -> PolarsRows | None:
    if isinstance(value, pl.LazyFrame):
        value = value.collect()
    return PolarsRows(value) if isinstance(value, pl.DataFrame) else None


def polars_tables(data: Any) -> Tables:
    """The polars frames of ``data`` (a FlexData, or anything with such attributes)."""
    return Tables(
        conversations=_polars(getattr(data, "conversations", None)),
        segments=_polars(getattr(data, "segments", None)),
        customers=_polars(getattr(data, "customers", None)),
        agents=_polars(getattr(data, "agents", None)),
        problems=_polars(getattr(data, "problems", None)),
        truncated=getattr(data, "truncated", None),
        counts=getattr(data, "counts", None),
    )
