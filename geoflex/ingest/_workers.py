"""The workspace's workers (TaskRouter Workers list, as ``geoflex fetch`` writes it) merged
into the agents read from events.

Events carry a worker's attributes only when the worker handled a task or changed in the
period read; the Workers list has every worker's current attributes. An agent's attributes
from events win (they are what held in the period); the list fills attributes the events
did not give and adds the workers no event named (with no segments).
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Mapping
from pathlib import Path

import polars as pl

from geoflex._errors import DataError
from geoflex.ingest._build import worker_attribute_columns
from geoflex.ingest._read import FlexData
from geoflex.ingest._schema import WORKER_ATTRIBUTES

__all__ = ["add_workers", "listed_workers", "merge_workers"]


def add_workers(data: FlexData, path: str | os.PathLike[str]) -> FlexData:
    """``data`` with the workers of a ``{"workers": [...]}`` file merged into its agents;
    a worker whose attributes cannot be read is a problem row (file, position, reason)."""
    listed, problems = listed_workers(path, data.problems.schema)
    return dataclasses.replace(
        data,
        agents=merge_workers(data.agents, listed),
        problems=pl.concat([data.problems, problems]),
    )


def listed_workers(
    path: str | os.PathLike[str], problem_schema: Mapping[str, pl.DataType]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The workers of a ``{"workers": [...]}`` file (``worker_sid``, ``worker_name`` and
    their attribute columns, one row per sid) and the problems of the ones not usable."""
    name = os.fspath(path)
    try:
        document = json.loads(Path(name).read_bytes())
    except ValueError as exc:
        raise DataError(f"{name}: not valid JSON: {exc}") from None
    workers = document.get("workers") if isinstance(document, dict) else None
    if not isinstance(workers, list):
        raise DataError(f'{name}: expected {{"workers": [...]}} (the TaskRouter Workers list)')
    rows = [w if isinstance(w, dict) else {} for w in workers]
    listed = pl.DataFrame(
        {
            "worker_sid": [_text(w.get("sid")) for w in rows],
            "worker_name": [_text(w.get("friendly_name")) for w in rows],
            "attributes": [_text(w.get("attributes")) for w in rows],
        },
        schema={"worker_sid": pl.String, "worker_name": pl.String, "attributes": pl.String},
    )
    attrs, bad, _truncated = worker_attribute_columns(listed["attributes"])
    problems = [
        (name, i + 1, "bad_attributes", f"worker #{i + 1}: attributes ignored: {r}", 1)
        for i, r in bad
    ]
    problems += [
        (name, i + 1, "no_sid", f"worker #{i + 1}: no worker sid", 1)
        for i, w in enumerate(rows)
        if not w.get("sid")
    ]
    listed = (
        pl.concat([listed.drop("attributes"), attrs], how="horizontal")
        .filter(pl.col("worker_sid").is_not_null())
        .unique("worker_sid", keep="first", maintain_order=True)
    )
    return listed, pl.DataFrame(sorted(problems), schema=problem_schema, orient="row")


def merge_workers(agents: pl.DataFrame, listed: pl.DataFrame) -> pl.DataFrame:
    """``agents`` with the ``listed`` workers merged in: an agent's own attributes win, the
    list fills the others and adds the workers no event named (with 0 segments)."""
    merged = agents.join(listed, on="worker_sid", how="full", coalesce=True, suffix="_listed")
    own = ["worker_name", *WORKER_ATTRIBUTES]
    merged = merged.with_columns(
        pl.coalesce(c, f"{c}_listed").alias(c) for c in own if f"{c}_listed" in merged.columns
    ).drop(f"{c}_listed" for c in own if f"{c}_listed" in merged.columns)
    merged = merged.with_columns(pl.col("segments").fill_null(0)).select(agents.columns)
    return merged.sort("worker_sid")


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value)  # attributes given as an object rather than JSON text
