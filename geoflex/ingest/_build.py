"""Canonical events -> segments (tasks), conversations, customers and agents.

Flex Insights semantics, applied here:

* a segment is a task that ended: ``task.completed`` or ``task.canceled`` (the first by time
  when a task has several);
* the attributes that count are those of that end event, replaced by the latest
  ``task.updated`` that arrives within 5 minutes after it; updates later than that are
  ignored and counted (``late_updates_ignored``);
* durations: wait = acceptance - creation (or end - creation when never accepted), talk =
  wrap-up start (or end) - acceptance, wrap-up = end - wrap-up start, handle = end -
  acceptance; ``hold_time`` and ``ivr_time`` come from ``conversations`` attributes;
* tasks sharing ``conversations.conversation_id`` form one conversation; a task without it
  is its own conversation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from geoflex._sums import ordered_sum
from geoflex.ingest._attributes import cut_long_strings, decode_json_column
from geoflex.ingest._parts import EventParts, aligned
from geoflex.ingest._schema import (
    CONVERSATION_ATTRIBUTES,
    CONVERSATION_MEASURES,
    CUSTOMER_ATTRIBUTES,
    TASK_ATTRIBUTES_SCHEMA,
    WORKER_ATTRIBUTES,
    WORKER_ATTRIBUTES_SCHEMA,
)

__all__ = ["UPDATE_WINDOW", "Built", "build"]

#: Updates this long after completion or cancellation still count (Flex Insights' rule).
UPDATE_WINDOW = dt.timedelta(minutes=5)
_END_TYPES = ("task.completed", "task.canceled")
SEGMENT_STATUS = pl.Enum(["completed", "canceled"])
# What the end event of a task gives its segment.
_END_COLUMNS = (
    "task_sid", "ts", "line", "event_type", "task_attributes", "task_age",
    "task_queue_name", "task_channel_unique_name", "task_canceled_reason", "file",
)  # fmt: skip


@dataclass
class Built:
    """Output of :func:`build`."""

    segments: pl.DataFrame
    conversations: pl.DataFrame
    customers: pl.DataFrame
    agents: pl.DataFrame
    #: (file, line, kind, reason) of every value ignored.
    problems: list[tuple[str, int, str, str]] = field(default_factory=list)
    truncated: dict[str, int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


def _seconds(end: str, start: str) -> pl.Expr:
    return (pl.col(end) - pl.col(start)).dt.total_milliseconds() / 1000.0


def _kept(events: pl.DataFrame, condition: pl.Expr, columns: Sequence[str]) -> pl.DataFrame:
    """``columns`` of the kept events (screening's ``_keep``) that meet ``condition``.

    Lazy, so only those columns are filtered: copying every column of the chosen rows
    would cost more than the rest of the step.
    """
    return events.lazy().filter(pl.col("_keep") & condition).select(columns).collect()


def _split_repeated(rows: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The rows whose task has no other row here, and the rows of tasks that have several.

    Nearly every task has one end and one acceptance: only the few repeated ones need
    sorting by time to pick theirs, not a million rows.
    """
    repeated = rows.get_column("task_sid").is_duplicated()
    return rows.filter(~repeated), rows.filter(repeated)


def _task_frames(events: EventParts) -> tuple[pl.DataFrame, int, int]:
    """One row per ended task with its timeline, worker, and the attributes that count;
    the number of late updates ignored; the number of distinct task sids."""
    # Kept events (``_keep``, from screening): every task and reservation event among them
    # has a task sid (worker events have none), so filtering by type picks task events.
    # Tasks are grouped and joined by their sid as a categorical (one hash of each sid,
    # made while the batches were read: the index holds it so), several times faster than
    # by the 34-character strings; the segments get it back as a string at the end.
    # Each part selects its columns before filtering and sorting: moving the other columns
    # of millions of events around costs time and changes nothing.
    tasks = events.index
    ends_and_updates = aligned(
        tasks,
        events.attributes,
        "attributes",
        ("_keep", "task_sid", "ts", "line", "event_type", "file"),
    )
    single, repeated = _split_repeated(
        _kept(ends_and_updates, pl.col("event_type").is_in(_END_TYPES), _END_COLUMNS)
    )
    ends = pl.concat(
        [single, repeated.sort("ts", "line").group_by("task_sid", maintain_order=True).first()]
    ).select(
        "task_sid",
        pl.col("ts").alias("ended_at"),
        pl.col("event_type").str.strip_prefix("task.").alias("status"),
        pl.col("task_attributes").alias("end_attributes"),
        "task_age",
        "task_queue_name",
        "task_channel_unique_name",
        "task_canceled_reason",
        pl.col("file").alias("source_file"),
        pl.col("line").alias("source_line"),
    )
    created = (
        _kept(tasks, pl.col("event_type") == "task.created", ("task_sid", "ts"))
        .group_by("task_sid")
        .agg(pl.col("ts").min().alias("created_at"))
    )
    single, repeated = _split_repeated(
        _kept(
            aligned(tasks, events.acceptances, "acceptances", ("_keep", "task_sid", "ts", "line")),
            pl.lit(True),
            ("task_sid", "ts", "line", "worker_sid", "worker_name"),
        )
    )
    accepted = pl.concat(
        [
            single.select(
                "task_sid", pl.col("ts").alias("accepted_at"), "worker_sid", "worker_name"
            ),
            repeated.sort("ts", "line")
            .group_by("task_sid")
            .agg(
                pl.col("ts").first().alias("accepted_at"),
                pl.col("worker_sid").last(ignore_nulls=True).alias("worker_sid"),
                pl.col("worker_name").last(ignore_nulls=True).alias("worker_name"),
            ),
        ]
    )
    wrapup = (
        _kept(tasks, pl.col("event_type") == "task.wrapup", ("task_sid", "ts"))
        .group_by("task_sid")
        .agg(pl.col("ts").min().alias("wrapup_at"))
    )
    updates = (
        _kept(
            ends_and_updates,
            pl.col("event_type") == "task.updated",
            ("task_sid", "ts", "line", "task_attributes"),
        )
        .join(ends.select("task_sid", "ended_at"), on="task_sid", how="inner")
        .filter(pl.col("ts") >= pl.col("ended_at"))
        .with_columns(in_window=pl.col("ts") <= pl.col("ended_at") + UPDATE_WINDOW)
    )
    late = int(updates["in_window"].not_().sum())
    task_sids = (
        tasks.get_column("task_sid").filter(tasks.get_column("_keep")).drop_nulls().n_unique()
    )
    latest_update = (
        updates.filter(pl.col("in_window") & pl.col("task_attributes").is_not_null())
        .sort("ts", "line")
        .group_by("task_sid")
        .agg(pl.col("task_attributes").last().alias("update_attributes"))
    )
    frame = (
        ends.join(created, on="task_sid", how="left")
        .join(accepted, on="task_sid", how="left")
        .join(wrapup, on="task_sid", how="left")
        .join(latest_update, on="task_sid", how="left")
        .with_columns(
            # Without a task.created event, the end event's age tells when the task began.
            created_at=pl.coalesce(
                "created_at",
                pl.col("ended_at") - pl.duration(seconds=pl.col("task_age")),
            ),
            attributes=pl.coalesce("update_attributes", "end_attributes"),
            status=pl.col("status").cast(SEGMENT_STATUS),
            task_sid=pl.col("task_sid").cast(pl.String),
        )
        .drop("update_attributes", "end_attributes", "task_age")
        # The segments' order, given here while the frame is narrow: sorting the finished
        # segments would copy all of their columns.
        .sort("created_at", "task_sid")
    )
    return frame, late, task_sids


_TOP_LEVEL = ("from", "to", "caller", "called", "name", "channelType", "direction")
# Columns segments always have, present in the data or not; other Insights attributes
# become columns only when some task carries them (there are about a hundred).
_CORE_CONVERSATION = (
    "conversation_id", "communication_channel", "direction", "queue", "outcome",
    "hold_time", "ivr_time",
)  # fmt: skip
_CORE_CUSTOMER = (
    "name", "phone", "email", "zip", "city", "state", "area", "country", "region", "category",
    "market_segment", "organization",
)  # fmt: skip


def _column(frame: pl.DataFrame, name: str, alias: str, dtype: type[pl.DataType]) -> pl.Series:
    if name not in frame.columns:
        return pl.Series(alias, dtype=dtype).extend_constant(None, frame.height)
    return frame[name].cast(dtype, strict=False).alias(alias)


def _repair_nested(text: pl.Series) -> pl.Series:
    """Make polars' re-serialized nested objects valid JSON again.

    Reading an object into a String column, polars 2.1 writes escaped control characters
    raw and a ``\\\\`` escape as a single backslash; both make the text invalid JSON. Control
    characters become spaces and lone backslashes are escaped again.
    """
    return text.str.replace_all(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", " ").str.replace_all(
        r'\\([^"\\/bfnrtu])', r"\\${1}"
    )


_NESTED = ("conversations", "customers")


def _nested_frame(frame: pl.DataFrame, name: str) -> pl.DataFrame:
    if name in frame.columns and isinstance(frame.schema[name], pl.Struct):
        return frame[name].struct.unnest()
    return pl.DataFrame(height=frame.height)


def _two_stage(values: pl.Series) -> tuple[pl.DataFrame, dict[str, pl.DataFrame], list[Any]]:
    """Decode the top level first (nested objects kept as text), then each nested object.

    Slower than one pass, so it is only the second chance for rows whose one-pass decode
    failed: one malformed part (say ``"customers": "x"``) then loses only that part.
    """
    top_schema = {k: pl.String() for k in TASK_ATTRIBUTES_SCHEMA}
    stage = decode_json_column(values, top_schema, prune=False)
    failures: list[Any] = [
        (i, "task_attributes", r) for i, r in zip(stage.bad_rows, stage.reasons, strict=True)
    ]
    top = stage.frame
    nested: dict[str, pl.DataFrame] = {}
    for name in _NESTED:
        dtype = TASK_ATTRIBUTES_SCHEMA[name]
        assert isinstance(dtype, pl.Struct)
        source = (
            _repair_nested(top[name])
            if name in top.columns
            else pl.Series(dtype=pl.String).extend_constant(None, top.height)
        )
        part = decode_json_column(source, {f.name: f.dtype for f in dtype.fields})
        failures += [
            (i, f"task_attributes.{name}", r)
            for i, r in zip(part.bad_rows, part.reasons, strict=True)
        ]
        nested[name] = part.frame
    return top.drop(_NESTED, strict=False), nested, failures


def _decode_task_attributes(
    values: pl.Series,
) -> tuple[pl.DataFrame, dict[str, pl.DataFrame], list[Any]]:
    """Top-level columns, the nested objects' columns, and (row, part, reason) failures."""
    full = decode_json_column(values, TASK_ATTRIBUTES_SCHEMA)
    top = full.frame.drop(_NESTED, strict=False)
    nested = {name: _nested_frame(full.frame, name) for name in _NESTED}
    if not full.bad_rows:
        return top, nested, []
    bad = pl.Series("__row", full.bad_rows, dtype=pl.UInt32)
    retry_top, retry_nested, failures = _two_stage(values.gather(bad))
    failures = [(full.bad_rows[i], what, reason) for i, what, reason in failures]

    def merge(first: pl.DataFrame, second: pl.DataFrame) -> pl.DataFrame:
        # Rows of the retry replace the (all-null) failed rows, in place.
        keep = first.with_row_index("__row").filter(~pl.col("__row").is_in(bad.implode()))
        fixed = second.with_columns(bad)
        merged = pl.concat([keep, fixed], how="diagonal_relaxed").sort("__row")
        return merged.drop("__row")

    return (
        merge(top, retry_top),
        {name: merge(nested[name], retry_nested[name]) for name in _NESTED},
        failures,
    )


def _finite(
    measure: pl.Series,
    given: pl.Series,
    what: str,
    tasks: pl.DataFrame,
    problems: list[tuple[str, int, str, str]],
) -> pl.Series:
    """``measure`` with the values that are no finite number (text, NaN, infinity) made
    null, each one a ``bad_measure`` problem at its task's end event."""
    text = given.cast(pl.String).str.strip_chars()
    if given.dtype == pl.String:  # numbers written as text, " 12.5 " too
        measure = text.cast(pl.Float64, strict=False).alias(measure.name)
    stated = text.fill_null("") != ""
    unusable = stated & (measure.is_null() | ~measure.is_finite().fill_null(False))
    if not unusable.any():
        return measure
    for i in unusable.arg_true().to_list():
        shown = str(given[i])[:40]
        problems.append(
            (
                tasks["source_file"][i],
                int(tasks["source_line"][i]),
                "bad_measure",
                f"{what} of {tasks['task_sid'][i]} ignored: {shown!r} is no finite number",
            )
        )
    return pl.select(pl.when(~unusable).then(measure)).to_series().alias(measure.name)


def _typed_attributes(
    tasks: pl.DataFrame,
) -> tuple[pl.DataFrame, list[tuple[str, int, str, str]], dict[str, int]]:
    values = tasks["attributes"]
    top, nested, failures = _decode_task_attributes(values)
    problems = [
        (
            tasks["source_file"][i],
            int(tasks["source_line"][i]),
            "bad_attributes",
            f"{what} of {tasks['task_sid'][i]} ignored: {reason}",
        )
        for i, what, reason in failures
    ]
    attrs = top

    def fields(name: str) -> pl.DataFrame:
        return nested[name]

    conv, cust = fields("conversations"), fields("customers")
    columns: list[pl.Series] = []
    for c in _TOP_LEVEL:
        columns.append(_column(attrs, c, f"attr_{c}", pl.String))
    for c in CONVERSATION_ATTRIBUTES:
        if c in conv.columns or c in _CORE_CONVERSATION:
            columns.append(_column(conv, c, f"conversations_{c}", pl.String))
    for c in CONVERSATION_MEASURES:
        if c in conv.columns or c in _CORE_CONVERSATION:
            measure = _column(conv, c, f"conversations_{c}", pl.Float64)
            if c in conv.columns:
                measure = _finite(measure, conv[c], f"conversations.{c}", tasks, problems)
            columns.append(measure)
    for c in CUSTOMER_ATTRIBUTES:
        if c in cust.columns or c in _CORE_CUSTOMER:
            columns.append(_column(cust, c, f"customers_{c}", pl.String))
    typed = pl.DataFrame(columns, height=attrs.height)
    string_columns = [c for c, t in typed.schema.items() if t == pl.String]
    typed, truncated = cut_long_strings(typed, string_columns)
    return typed, problems, truncated


def _segments(tasks: pl.DataFrame, typed: pl.DataFrame) -> pl.DataFrame:
    """``tasks`` (sorted by creation time and sid) with their typed attributes, as segments."""
    frame = pl.concat([tasks, typed], how="horizontal")
    direction = pl.coalesce("conversations_direction", "attr_direction").str.to_lowercase()
    channel = (
        pl.coalesce(
            "conversations_communication_channel", "attr_channelType", "task_channel_unique_name"
        )
        .str.to_lowercase()
        # Flex's channelType for web chat is "web"; Insights calls the channel chat.
        .replace("web", "chat")
    )
    # The customer's address: the CRM phone first, else whoever is on the other end.
    phone = pl.coalesce(
        pl.col("customers_phone"),
        pl.when(direction == "outbound").then(pl.col("attr_to")),
        pl.col("attr_from"),
        pl.col("attr_caller"),
    )
    segments = frame.select(
        pl.col("task_sid").alias("segment_id"),
        pl.coalesce("conversations_conversation_id", "task_sid").alias("conversation_id"),
        "status",
        "created_at",
        "accepted_at",
        "wrapup_at",
        "ended_at",
        channel.alias("channel"),
        pl.coalesce("task_queue_name", "conversations_queue").alias("queue"),
        direction.alias("direction"),
        "worker_sid",
        "worker_name",
        phone.alias("phone"),
        pl.when(pl.col("accepted_at").is_not_null())
        .then(_seconds("accepted_at", "created_at"))
        .otherwise(_seconds("ended_at", "created_at"))
        .alias("wait_time"),
        (pl.coalesce("wrapup_at", "ended_at") - pl.col("accepted_at"))
        .dt.total_milliseconds()
        .truediv(1000.0)
        .alias("talk_time"),
        _seconds("ended_at", "wrapup_at").alias("wrapup_time"),
        _seconds("ended_at", "accepted_at").alias("handle_time"),
        pl.col("conversations_hold_time").fill_null(0.0).alias("hold_time"),
        pl.col("conversations_ivr_time").fill_null(0.0).alias("ivr_time"),
        (pl.col("status") == "canceled").alias("abandoned"),
        pl.col("conversations_outcome").alias("outcome"),
        pl.col("task_canceled_reason").alias("canceled_reason"),
        pl.col("attr_from").alias("from"),
        pl.col("attr_to").alias("to"),
        pl.col("^conversations_.*$").exclude(
            "conversations_conversation_id", "conversations_hold_time", "conversations_ivr_time"
        ),
        pl.col("^customers_.*$"),
        "attributes",
        "source_file",
        "source_line",
    )
    return segments  # in the tasks' order: by creation time, then segment id


def _conversations(segments: pl.DataFrame) -> pl.DataFrame:
    """One row per conversation; ``segments`` come sorted by creation time and segment id
    (a unique key, so sorting again would change nothing)."""
    customer_cols = [c for c in segments.columns if c.startswith("customers_")]
    return (
        # Grouped by a categorical key (one hash of each id) rather than by the id strings.
        # The groups' order is free (the sort below fixes it); within a group polars keeps
        # the segments' order, which first/last rely on.
        segments.group_by(pl.col("conversation_id").cast(pl.Categorical).alias("_key"))
        .agg(
            pl.col("conversation_id").first(),
            pl.col("created_at").min().alias("started_at"),
            pl.col("ended_at").max().alias("ended_at"),
            pl.len().cast(pl.Int64).alias("segments"),
            (pl.len().cast(pl.Int64) - 1).alias("transfers"),
            pl.col("channel").first(),
            pl.col("queue").first(),
            pl.col("queue").last().alias("last_queue"),
            pl.col("direction").first(),
            pl.col("phone").first(ignore_nulls=True),
            pl.col("worker_sid").first(ignore_nulls=True).alias("first_worker_sid"),
            pl.col("worker_sid").last(ignore_nulls=True).alias("last_worker_sid"),
            pl.col("abandoned").all().alias("abandoned"),
            pl.col("outcome").last(ignore_nulls=True),
            ordered_sum("wait_time"),
            ordered_sum("talk_time"),
            ordered_sum("wrapup_time"),
            ordered_sum("handle_time"),
            ordered_sum("hold_time"),
            ordered_sum("ivr_time"),
            *(pl.col(c).first(ignore_nulls=True) for c in customer_cols),
        )
        .drop("_key")
        .sort("started_at", "conversation_id")
    )


def _customers(conversations: pl.DataFrame) -> pl.DataFrame:
    """One row per customer: keyed by phone, else name; attributes: the latest given."""
    key = pl.coalesce("customers_phone", "phone", "customers_name")
    customer_cols = [c for c in conversations.columns if c.startswith("customers_")]
    return (
        conversations.with_columns(customer=key)
        .sort("started_at")
        .group_by("customer", maintain_order=True)
        .agg(
            pl.col("phone").last(ignore_nulls=True),
            pl.len().cast(pl.Int64).alias("conversations"),
            pl.col("segments").sum(),
            pl.col("started_at").min().alias("first_contact"),
            pl.col("started_at").max().alias("last_contact"),
            ordered_sum("handle_time"),
            *(pl.col(c).last(ignore_nulls=True) for c in customer_cols),
        )
    )


def _snapshots(events: EventParts) -> pl.DataFrame:
    """Each worker's latest name and attributes, and the file and line of the event those
    attributes came from (a later event without attributes does not move them)."""
    from_attributes = pl.col("worker_attributes").is_not_null()
    return (
        _kept(
            aligned(events.index, events.workers, "workers", ("_keep", "ts", "line", "file")),
            pl.lit(True),
            ("worker_sid", "ts", "line", "worker_name", "worker_attributes", "file"),
        )
        .sort("ts", "line")
        .group_by("worker_sid", maintain_order=True)
        .agg(
            pl.col("worker_name").last(ignore_nulls=True),
            pl.col("worker_attributes").last(ignore_nulls=True).cast(pl.String),
            pl.col("file").filter(from_attributes).last(),
            pl.col("line").filter(from_attributes).last(),
        )
    )


def worker_attribute_columns(
    attributes: pl.Series,
) -> tuple[pl.DataFrame, list[tuple[int, str]], dict[str, int]]:
    """Worker attributes (JSON text) -> one string column per known attribute, the rows
    that could not be decoded (row, reason) and how many values were cut, per column."""
    decoded = decode_json_column(attributes, WORKER_ATTRIBUTES_SCHEMA)
    attrs = decoded.frame.select(_column(decoded.frame, c, c, pl.String) for c in WORKER_ATTRIBUTES)
    attrs, truncated = cut_long_strings(attrs, list(WORKER_ATTRIBUTES))
    # Flex stores roles as a JSON list; Insights shows them comma-separated.
    attrs = attrs.with_columns(
        roles=pl.col("roles").str.replace_all(r'[\[\]"]', "").str.replace_all(r"\s*,\s*", ", ")
    )
    bad = list(zip(decoded.bad_rows, decoded.reasons, strict=True))
    return attrs, bad, truncated


def _agents(
    snapshots: pl.DataFrame, segments: pl.DataFrame
) -> tuple[pl.DataFrame, list[tuple[str, int, str, str]], dict[str, int]]:
    attrs, bad, truncated = worker_attribute_columns(snapshots["worker_attributes"])
    problems = [
        (
            snapshots["file"][i],
            int(snapshots["line"][i]),
            "bad_attributes",
            f"worker_attributes of {snapshots['worker_sid'][i]} ignored: {reason}",
        )
        for i, reason in bad
    ]
    stats = (
        segments.lazy()  # lazy: the filter copies only the five columns used, not all 47
        .filter(pl.col("worker_sid").is_not_null())
        .group_by("worker_sid")
        .agg(
            pl.len().cast(pl.Int64).alias("segments"),
            ordered_sum("handle_time"),
            ordered_sum("talk_time"),
            pl.col("created_at").min().alias("first_task_at"),
            pl.col("ended_at").max().alias("last_task_at"),
        )
        .collect()
    )
    agents = (
        pl.concat([snapshots.select("worker_sid", "worker_name"), attrs], how="horizontal")
        .join(stats, on="worker_sid", how="full", coalesce=True)
        .with_columns(pl.col("segments").fill_null(0))
        .sort("worker_sid")
    )
    return agents, problems, {f"agents_{k}": v for k, v in truncated.items()}


def build(events: list[EventParts], keep: pl.Series) -> Built:
    """Build the Insights tables from the events and screening's verdict (``keep``: one
    flag per ``index`` row, duplicates and unusable events excluded).

    ``events`` is a one-element list that is emptied: the events (gigabytes for millions of
    them) are let go as soon as what is needed from them is taken, before the attributes
    are decoded.
    """
    parts = events.pop()
    parts.index = parts.index.with_columns(keep.alias("_keep"))
    tasks, late, task_sids = _task_frames(parts)
    snapshots = _snapshots(parts)
    del parts
    typed, problems, truncated = _typed_attributes(tasks)
    segments = _segments(tasks, typed)
    del tasks, typed
    conversations = _conversations(segments)
    customers = _customers(conversations)
    agents, agent_problems, agent_truncated = _agents(snapshots, segments)
    return Built(
        segments=segments,
        conversations=conversations,
        customers=customers,
        agents=agents,
        problems=problems + agent_problems,
        truncated={**truncated, **agent_truncated},
        counts={
            "late_updates_ignored": late,
            "open_tasks": task_sids - segments.height,
        },
    )
