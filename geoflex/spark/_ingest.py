"""``geoflex.spark.read_events``: TaskRouter event files -> Spark DataFrames, on executors.

Every rule is geoflex's own polars code (:mod:`geoflex.spark._stages`), run per partition;
Spark only moves the rows so that each rule sees every row it needs:

1. files are read whole (``binaryFile``: local, HDFS, S3, ABFS...) and parsed one a task;
2. events are partitioned by event sid (duplicates meet) and screened;
3. kept task events are partitioned by task sid: segments (end event, late-update window,
   attributes typed and cut);
4. segments by conversation id: conversations; conversations by customer key: customers;
5. worker events and segments by worker sid: agents.

Events are ordered as ``geoflex.read_events`` reads them: files in path order, rows in file
order. The stages' outputs are persisted (memory and disk): the counts, which attribute
columns occur and the problems are known once they ran, and the tables are then read from
the cache, not parsed again. :meth:`SparkFlexData.unpersist` frees them.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import polars as pl

from geoflex._errors import DataError
from geoflex.ingest import FlexData
from geoflex.ingest._build import _conversations, _customers
from geoflex.ingest._problems import PROBLEM_SCHEMA
from geoflex.ingest._workers import listed_workers
from geoflex.spark import _stages
from geoflex.spark._arrow import arrow_schema, plain, spark_schema
from geoflex.spark._executor import guarded, surfaced
from geoflex.spark._paths import event_files, literal

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

__all__ = ["SparkFlexData", "read_events"]

# The tables of SparkFlexData, in order.
_TABLES = ("segments", "conversations", "customers", "agents", "problems")


@dataclass
class SparkFlexData:
    """:class:`geoflex.FlexData` as Spark DataFrames: the same tables, columns and values
    (Enums and categoricals as strings; Spark keeps no row order)."""

    segments: DataFrame
    conversations: DataFrame
    customers: DataFrame
    agents: DataFrame
    problems: DataFrame
    truncated: dict[str, int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    # The cached stages the tables are read from, and geoflex's types of their columns.
    _persisted: list[DataFrame] = field(default_factory=list, repr=False, init=False)
    _schemas: dict[str, dict[str, pl.DataType]] = field(
        default_factory=dict, repr=False, init=False
    )

    def to_polars(self) -> FlexData:
        """The tables collected to the driver as :class:`geoflex.FlexData`, in geoflex's types.

        One row per segment, conversation, customer and agent reaches the driver: for data
        that fits on one machine once the events are read (the events themselves never do).
        """
        tables = {name: self.collect(name) for name in _TABLES}
        return FlexData(**tables, truncated=dict(self.truncated), counts=dict(self.counts))

    def collect(self, table: str, *, columns: Iterable[str] | None = None) -> pl.DataFrame:
        """One table (``"conversations"``...) collected to the driver, in geoflex's types:
        all its columns, or those of ``columns`` it has."""
        if table not in _TABLES:
            raise ValueError(f"table must be one of {', '.join(_TABLES)}, got {table!r}")
        sdf = getattr(self, table)
        if columns is not None:
            wanted = set(columns)
            sdf = sdf.select(*(c for c in sdf.columns if c in wanted))
        with surfaced():
            frame = pl.from_arrow(sdf.toArrow())
        assert isinstance(frame, pl.DataFrame)
        dtypes = self._schemas.get(table, {})
        return frame.cast({c: dtypes[c] for c in frame.columns if c in dtypes})

    def add_workers(self, path: str | os.PathLike[str]) -> SparkFlexData:
        """These tables with the workers of a ``{"workers": [...]}`` file (the TaskRouter
        Workers list ``geoflex fetch`` writes) merged into the agents, as for polars: an
        agent's attributes from events win, the list fills the rest and adds the workers
        no event named; unusable workers are problem rows. The file is read here (a small
        local file); the merge runs on the executors."""
        from pyspark.sql import functions as sf

        spark = self.agents.sparkSession
        listed, problems = listed_workers(path, PROBLEM_SCHEMA)
        listed = plain(listed)
        agents = self._schemas["agents"]
        rows = spark.createDataFrame(listed.rows(), schema=spark_schema(dict(listed.schema)))
        merged = _stage(
            self.agents.withColumn("__from", sf.lit("agent"))
            .unionByName(rows.withColumn("__from", sf.lit("listed")), allowMissingColumns=True)
            .repartition("worker_sid"),
            _stages.workers_stage,
            agents,
            agents=agents,
            listed=dict(listed.schema),
        )
        new_problems = spark.createDataFrame(
            plain(problems).rows(), schema=spark_schema(dict(PROBLEM_SCHEMA))
        )
        out = dataclasses.replace(
            self, agents=_rows(merged, agents), problems=self.problems.unionByName(new_problems)
        )
        out._persisted, out._schemas = self._persisted, self._schemas
        return out

    def unpersist(self) -> None:
        """Free the cached stages these tables are read from."""
        for frame in self._persisted:
            frame.unpersist()
        self._persisted.clear()


def _stage(
    frame: DataFrame, function: Any, output: dict[str, pl.DataType], **kwargs: Any
) -> DataFrame:
    """``function`` (a stage of :mod:`geoflex.spark._stages`) over ``frame``'s partitions;
    its data rows have the columns of ``output``."""
    out = spark_schema(_stages.with_stage_columns(output))
    return frame.mapInArrow(
        guarded(functools.partial(function, arrow=arrow_schema(out), **kwargs)), out
    )


def _rows(stage: DataFrame, schema: dict[str, pl.DataType]) -> DataFrame:
    return stage.filter(stage["__kind"] == "row").select(*schema)


def _problems(stage: DataFrame) -> DataFrame:
    from pyspark.sql import functions as sf

    return stage.filter(stage["__kind"] == "problem").select(
        sf.col("__file").alias("file"),
        sf.col("__line").alias("line"),
        sf.col("__problem").alias("kind"),
        sf.col("__reason").alias("reason"),
        sf.col("__count").alias("count"),
    )


def _metas(stage: DataFrame) -> list[dict[str, Any]]:
    """The stage's bookkeeping rows (one a partition: small) as dicts."""
    with surfaced():
        rows = stage.filter(stage["__kind"] == "meta").select("__meta").collect()
    return [json.loads(r[0]) for r in rows]


def _sum(metas: list[dict[str, Any]], key: str) -> int:
    return sum(int(m.get(key, 0)) for m in metas)


def _truncated(metas: list[dict[str, Any]], prefix: str = "") -> Counter[str]:
    total: Counter[str] = Counter()
    for m in metas:
        total.update({prefix + k: v for k, v in m.get("truncated", {}).items()})
    return total


def _schema_after(function: Any, frame_schema: dict[str, pl.DataType]) -> dict[str, pl.DataType]:
    """The schema a table builder gives a frame of ``frame_schema``."""
    return dict(function(pl.DataFrame(schema=frame_schema)).schema)


def read_events(spark: SparkSession, paths: str | Sequence[str]) -> SparkFlexData:
    """Read TaskRouter event files into Flex Insights-style Spark DataFrames.

    The same shapes, tables, columns, problems and Insights rules as
    :func:`geoflex.read_events` (5-minute late-update window, 255-character cut, duplicate
    events counted once, conversation_id grouping), computed on the executors by geoflex's
    own polars code; the driver collects only counts. Files are taken in path order.

    Parameters
    ----------
    spark
        The SparkSession (its time zone should be UTC: :func:`geoflex.spark.session` sets it).
    paths
        Files, directories or globs, as :func:`geoflex.read_events` takes them (a directory:
        its event files at any depth, ``*.json``, ``*.ndjson``, ``*.csv``, ``*.gz``...), in
        any file system Spark reads (``s3a://``, ``abfss://``, ``hdfs://``, local); gzipped
        or not. A file is read whole by one task (Spark's binary files are at most 2 GB).

    Returns
    -------
    SparkFlexData
        ``segments``, ``conversations``, ``customers``, ``agents``, ``problems`` (Spark
        DataFrames, persisted), ``truncated`` and ``counts``.
    """
    from pyspark import StorageLevel
    from pyspark.errors import AnalysisException
    from pyspark.sql import functions as sf

    spark.conf.set("spark.sql.session.timeZone", "UTC")
    wanted = event_files(spark, paths)
    try:
        files = (
            spark.read.format("binaryFile").load([literal(f) for f in wanted])
            if wanted
            else spark.createDataFrame([], "path string, content binary")  # empty tables
        )
    except AnalysisException as exc:  # a file removed since it was listed
        if "PATH_NOT_FOUND" in str(exc):
            raise DataError(f"no such file: {exc}") from None
        raise
    keep = StorageLevel.MEMORY_AND_DISK
    persisted: list[DataFrame] = []

    def persist(frame: DataFrame) -> DataFrame:
        persisted.append(frame.persist(keep))
        return frame

    events_schema = _stages.EVENT_SCHEMA
    parsed = persist(_stage(files.select("path", "content"), _stages.parse_files, events_schema))
    events = _rows(parsed, events_schema)
    # Screening: every copy of an event sid in one partition, in file order.
    screen_key = sf.coalesce(sf.col("event_sid"), sf.concat_ws("#", "file", "__seq"))
    screened = persist(
        _stage(
            events.repartition(screen_key).sortWithinPartitions("file", "__seq"),
            _stages.screen_stage,
            events_schema,
        )
    )
    kept = _rows(screened, events_schema)
    segment_schema = _stages.full_segment_schema()
    built = persist(
        _stage(
            kept.filter(sf.col("task_sid").isNotNull())
            .repartition("task_sid")
            .sortWithinPartitions("file", "__seq"),
            _stages.segments_stage,
            segment_schema,
            schema=segment_schema,
        )
    )
    all_segments = _rows(built, segment_schema)
    conversation_schema = _schema_after(_conversations, segment_schema)
    conversations_stage = _stage(
        all_segments.repartition("conversation_id"),
        _stages.table_stage,
        conversation_schema,
        table="conversations",
        rows=segment_schema,
        schema=conversation_schema,
    )
    all_conversations = persist(_rows(conversations_stage, conversation_schema))
    customer_schema = _schema_after(_customers, conversation_schema)
    key = sf.coalesce("customers_phone", "phone", "customers_name")
    customers_stage = _stage(
        all_conversations.repartition(key),
        _stages.table_stage,
        customer_schema,
        table="customers",
        rows=conversation_schema,
        schema=customer_schema,
    )
    agents_input = (
        kept.filter(sf.col("worker_sid").isNotNull())
        .withColumn("__from", sf.lit("event"))
        .unionByName(
            all_segments.filter(sf.col("worker_sid").isNotNull())
            .select(*_stages.AGENT_SEGMENT_COLUMNS)
            .withColumn("__from", sf.lit("segment")),
            allowMissingColumns=True,
        )
    )
    agent_schema = _stages.agent_schema(segment_schema)
    agents_stage = persist(
        _stage(
            agents_input.repartition("worker_sid").sortWithinPartitions("file", "__seq"),
            _stages.agents_stage,
            agent_schema,
            segments=segment_schema,
            schema=agent_schema,
        )
    )
    parse_meta, screen_meta, built_meta = _metas(parsed), _metas(screened), _metas(built)
    agent_meta = _metas(agents_stage)
    present = {c for m in built_meta for c in m.get("columns", [])}
    shown = [c for c in segment_schema if c in present or c in _core_segment_columns()]
    counts = {
        "lines": _sum(parse_meta, "lines"),
        "events": _sum(screen_meta, "events"),
        "duplicates": _sum(screen_meta, "duplicates"),
        "other_events": _sum(screen_meta, "other_events"),
        "blank_lines": _sum(parse_meta, "blank_lines"),
        "late_updates_ignored": _sum(built_meta, "late_updates_ignored"),
        "open_tasks": _sum(built_meta, "open_tasks"),
    }
    truncated = {**_truncated(built_meta), **_truncated(agent_meta, "agents_")}
    segments = all_segments.select(*shown)
    conversations = all_conversations.select(
        *(c for c in conversation_schema if not c.startswith("customers_") or c in shown)
    )
    customers_rows = _rows(customers_stage, customer_schema)
    customers = customers_rows.select(
        *(c for c in customer_schema if not c.startswith("customers_") or c in shown)
    )
    problems = (
        _problems(parsed)
        .unionByName(_problems(screened))
        .unionByName(_problems(built))
        .unionByName(_problems(agents_stage))
    )
    out = SparkFlexData(
        segments=segments,
        conversations=conversations,
        customers=customers,
        agents=_rows(agents_stage, agent_schema),
        problems=problems,
        truncated=dict(truncated),
        counts=counts,
    )
    out._persisted = persisted
    out._schemas = {
        "segments": segment_schema,
        "conversations": conversation_schema,
        "customers": customer_schema,
        "agents": agent_schema,
        "problems": dict(PROBLEM_SCHEMA),
    }
    return out


def _core_segment_columns() -> set[str]:
    """Segment columns present whatever the data (those of an empty read)."""
    return set(_stages.empty_segment_columns())
