"""Each part's rows line up with their index rows: putting them back beside each other
gives the original events, for any mix of types (null and unknown ones too)."""

from __future__ import annotations

import datetime as dt
import random

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from geoflex.ingest._parts import aligned, concat_parts, split_events
from geoflex.ingest._schema import CANONICAL_SCHEMA

_TYPES = [
    "task.created", "task.completed", "task.canceled", "task.updated", "task.wrapup",
    "reservation.accepted", "reservation.created", "worker.activity.update", "odd", None,
]  # fmt: skip


def _events(rng: random.Random, n: int, first_line: int) -> pl.DataFrame:
    rows = []
    for i in range(n):
        kind = rng.choice(_TYPES)
        worker = rng.choice([None, "WK1", "WK2", "WK3"])
        rows.append(
            {
                "file": "f.ndjson",
                "line": first_line + i,
                "event_sid": f"EV{rng.randrange(n)}",
                "event_type": kind,
                "ts": dt.datetime(2026, 1, 5, tzinfo=dt.timezone.utc) + dt.timedelta(seconds=i),
                "task_sid": rng.choice([None, f"WT{rng.randrange(20)}"]),
                "task_attributes": rng.choice([None, f'{{"a": {i}}}']),
                "task_age": rng.choice([None, i]),
                "task_queue_name": rng.choice([None, "Sales"]),
                "task_channel_unique_name": rng.choice([None, "voice"]),
                "task_canceled_reason": rng.choice([None, "timeout"]),
                "worker_sid": worker,
                "worker_name": None if worker is None else worker.lower(),
                "worker_attributes": None if worker is None else f'{{"full_name": "{i}"}}',
            }
        )
    return pl.DataFrame(rows, schema=CANONICAL_SCHEMA)


@pytest.mark.parametrize("seed", range(5))
def test_parts_line_up_with_their_index_rows(seed: int) -> None:
    rng = random.Random(seed)
    batches = [_events(rng, rng.randrange(0, 60), 1 + 100 * k) for k in range(4)]
    categories = pl.Categories.random()
    parts = concat_parts([split_events(b, categories) for b in batches])
    events = pl.concat(batches)
    assert parts.index.height == events.height
    checks = {
        "attributes": pl.col("event_type").is_in(
            ["task.completed", "task.canceled", "task.updated"]
        ),
        "acceptances": pl.col("event_type") == "reservation.accepted",
        "workers": pl.col("worker_sid").is_not_null(),
    }
    for name, condition in checks.items():
        part = getattr(parts, name)
        got = aligned(parts.index, part, name, ["line", "event_sid"])
        want = events.filter(condition.fill_null(False)).select(
            ["line", "event_sid", *part.columns]
        )
        if name == "workers":  # worker attributes are categorical
            got = got.with_columns(pl.col("worker_attributes").cast(pl.String))
        assert_frame_equal(got, want)
    # The index says which events carry worker attributes.
    with_attributes = parts.index.filter(pl.col("has_worker_attributes"))
    assert with_attributes["line"].equals(
        events.filter(pl.col("worker_attributes").is_not_null())["line"]
    )
