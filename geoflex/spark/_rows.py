"""The report's row tables on Spark: :class:`geoflex.report._rows.Rows` of Spark DataFrames.

``geoflex.report.build_all`` computes every frame of its pages through these operations,
each given geoflex's own polars functions, so no rule is restated in Spark SQL:

- ``map``: a ``mapInArrow`` stage running the function on each piece of a partition;
- ``groups``: the two stages of :mod:`geoflex.spark._aggregate` (rows hash-partitioned on
  the keys, the rule run on each partition's whole groups); only its results are collected;
- ``reduce``: the partial per piece of each partition (``mapInArrow``), its one-row results
  collected and combined here;
- ``left_join`` (by a unique key) and ``resolved`` (:func:`geoflex.spark.resolve`) are
  Spark's joins.

Spark holds Enum and categorical columns as strings: each function gets its rows back in
geoflex's types (the tables' polars schemas), so it sees what it sees on polars.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import polars as pl
import pyarrow as pa

from geoflex.report._rows import Group, Rule, Tables, present
from geoflex.spark._aggregate import _polars_schema, _run_many
from geoflex.spark._arrow import arrow_schema, batches, chunks, polars_frame, spark_schema
from geoflex.spark._executor import guarded, surfaced

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

    from geoflex.report._rows import Rows
    from geoflex.resolve._api import Regions
    from geoflex.spark._ingest import SparkFlexData

__all__ = ["SparkRows", "spark_tables"]


def _typed(frame: pl.DataFrame, dtypes: Mapping[str, pl.DataType]) -> pl.DataFrame:
    """``frame`` in geoflex's types (Spark gave Enums as strings, unsigned as signed)."""
    wanted = {c: t for c, t in dtypes.items() if c in frame.schema and frame.schema[c] != t}
    return frame.cast(wanted) if wanted else frame  # type: ignore[arg-type]


def _typed_rule(
    frame: pl.DataFrame, *, rule: Rule, dtypes: Mapping[str, pl.DataType]
) -> pl.DataFrame:
    return rule(_typed(frame, dtypes))


def _select(frame: pl.DataFrame, *, keys: Sequence[str]) -> pl.DataFrame:
    return frame.select(keys)


def _own_columns(frame: pl.DataFrame, *, rule: Rule, columns: Sequence[str]) -> pl.DataFrame:
    """``rule`` over the columns its request named (the batch carries every request's),
    as on polars: rules such as volume's counts look at which columns there are."""
    return rule(present(frame, columns))


def _mapped(
    source: Iterable[pa.RecordBatch], *, rule: Rule, arrow: pa.Schema
) -> Iterator[pa.RecordBatch]:
    """Executor side of ``map`` and ``reduce``: ``rule`` over each piece of the partition."""
    for frame in chunks(source):
        yield from batches(rule(frame), arrow)


@dataclass
class SparkRows:
    """:class:`~geoflex.report._rows.Rows` of a Spark DataFrame (see the module)."""

    sdf: DataFrame
    #: geoflex's polars types of the columns (those Spark holds differently).
    dtypes: dict[str, pl.DataType]
    #: The frames kept by ``cached``, shared by every table derived from one read.
    held: list[DataFrame] = field(default_factory=list, repr=False)

    @property
    def schema(self) -> dict[str, pl.DataType]:
        spark = _polars_schema(self.sdf)
        return {c: self.dtypes.get(c, t) for c, t in spark.items()}

    def _derived(self, sdf: DataFrame, dtypes: dict[str, pl.DataType]) -> SparkRows:
        return SparkRows(sdf, dtypes, self.held)

    def _rule(self, rule: Rule) -> Rule:
        return functools.partial(_typed_rule, rule=rule, dtypes=self.dtypes)

    def map(self, rule: Rule) -> SparkRows:
        typed = self._rule(rule)
        out = typed(pl.DataFrame(schema=self.schema))  # its errors, before Spark starts
        schema = spark_schema(dict(out.schema))
        sdf = self.sdf.mapInArrow(
            guarded(functools.partial(_mapped, rule=typed, arrow=arrow_schema(schema))), schema
        )
        return self._derived(sdf, dict(out.schema))

    def groups(self, requests: Sequence[Group]) -> list[pl.DataFrame]:
        if not requests:
            return []
        columns = {c: None for group in requests for c in (*group.columns, *group.keys)}
        asked = [
            (
                functools.partial(_select, keys=list(group.keys)),
                functools.partial(
                    _typed_rule,
                    rule=functools.partial(_own_columns, rule=group.rule, columns=group.columns),
                    dtypes=self.dtypes,
                ),
            )
            for group in requests
        ]
        return _run_many(self.sdf, list(columns), asked)

    def reduce(self, columns: Sequence[str], partial: Rule, combine: Rule) -> pl.DataFrame:
        wanted = set(columns)
        pruned = self.sdf.select(*(c for c in self.sdf.columns if c in wanted))
        typed = functools.partial(_typed_rule, rule=partial, dtypes=self.dtypes)
        empty = typed(polars_frame(arrow_schema(pruned.schema).empty_table()))
        schema = spark_schema(dict(empty.schema))
        parts = pruned.mapInArrow(
            guarded(functools.partial(_mapped, rule=typed, arrow=arrow_schema(schema))), schema
        )
        with surfaced():
            collected = polars_frame(parts.toArrow())
        collected = collected.cast(dict(empty.schema))  # type: ignore[arg-type]
        return combine(collected)

    def left_join(self, other: Rows, on: str, columns: Sequence[str]) -> SparkRows:
        assert isinstance(other, SparkRows)
        # ``on`` is unique in ``other`` (a conversation id): any copy is the copy.
        right = other.sdf.select(on, *columns).dropDuplicates([on])
        left = self.sdf.drop(*(c for c in columns if c in self.sdf.columns))
        dtypes = {c: t for c, t in self.dtypes.items() if c not in columns}
        dtypes.update({c: other.dtypes[c] for c in columns if c in other.dtypes})
        return self._derived(left.join(right, on=on, how="left"), dtypes)

    def resolved(
        self,
        phone: str,
        *,
        default_country: str,
        regions: Regions | None,
        overrides: Mapping[str, str] | None,
    ) -> SparkRows:
        from geoflex.resolve import GEO_SCHEMA
        from geoflex.spark._resolve import resolve

        sdf = resolve(
            self.sdf, phone, default_country=default_country, regions=regions, overrides=overrides
        )
        return self._derived(sdf, {**self.dtypes, **GEO_SCHEMA})

    def cached(self) -> SparkRows:
        from pyspark import StorageLevel

        self.held.append(self.sdf.persist(StorageLevel.MEMORY_AND_DISK))
        return self

    def count(self) -> int:
        return int(self.sdf.count())

    def collect(self) -> pl.DataFrame:
        with surfaced():
            return _typed(polars_frame(self.sdf.toArrow()), self.dtypes)


def spark_tables(data: SparkFlexData) -> Tables:
    """``data``'s tables as :class:`SparkRows` in geoflex's types (the events stay on the
    cluster; nothing is collected until an operation's results are)."""
    held: list[DataFrame] = []
    rows = {
        name: SparkRows(getattr(data, name), dict(data._schemas.get(name, {})), held)
        for name in ("conversations", "segments", "customers", "agents", "problems")
    }

    def release() -> None:
        for frame in held:
            frame.unpersist()
        held.clear()

    return Tables(
        conversations=rows["conversations"],
        segments=rows["segments"],
        customers=rows["customers"],
        agents=rows["agents"],
        problems=rows["problems"],
        truncated=dict(data.truncated),
        counts=dict(data.counts),
        release=release,
    )
