"""Erlang C (and Erlang A) over a frame of intervals: required agents per interval."""

from __future__ import annotations

from functools import lru_cache
from typing import TypeVar

import polars as pl

from geoflex._errors import ColumnError, ConfigError
from geoflex.staffing._erlang import ErlangResult, erlang_c
from geoflex.staffing._erlang_a import ErlangAResult, erlang_a

__all__ = ["ERLANG_A_SCHEMA", "REQUIRED_SCHEMA", "required_agents"]

FrameT = TypeVar("FrameT", pl.DataFrame, pl.LazyFrame)

#: Columns `required_agents` appends, with their dtypes.
REQUIRED_SCHEMA: dict[str, pl.DataType] = {
    "traffic_erlangs": pl.Float64(),
    "agents": pl.Int64(),
    "scheduled": pl.Int64(),
    "service_level": pl.Float64(),
    "occupancy": pl.Float64(),
    "wait_probability": pl.Float64(),
}
#: Columns `required_agents` appends besides, when given a patience (Erlang A).
ERLANG_A_SCHEMA: dict[str, pl.DataType] = {
    "agents_erlang_a": pl.Int64(),
    "scheduled_erlang_a": pl.Int64(),
    "service_level_erlang_a": pl.Float64(),
    "abandon_probability": pl.Float64(),
    "occupancy_erlang_a": pl.Float64(),
}


def required_agents(
    frame: FrameT,
    *,
    volume: str = "conversations",
    aht: str = "aht_s",
    interval_s: float,
    target_answer_s: float,
    service_level: float,
    shrinkage: float = 0.0,
    max_occupancy: float = 1.0,
    default_aht_s: float | None = None,
    patience_s: float | None = None,
) -> FrameT:
    """Append Erlang C (and Erlang A) staffing columns to a frame with one row per interval.

    Parameters
    ----------
    frame
        One row per interval with a volume column and an average-handle-time column.
    volume, aht
        Column names: conversations in the interval, average handle time in seconds.
    interval_s, target_answer_s, service_level, shrinkage, max_occupancy
        As in `erlang_c`.
    default_aht_s
        Handle time for intervals whose ``aht`` is null (e.g. no contact was handled);
        without it such rows with volume > 0 raise.
    patience_s
        Callers' mean patience in seconds (`patience_from_waits`): when given, Erlang A's
        answer is appended too (`ERLANG_A_SCHEMA`), beside Erlang C's.

    Returns
    -------
    DataFrame or LazyFrame
        The input (same kind, same rows, same order) with the columns of
        `REQUIRED_SCHEMA` (Erlang C) [and `ERLANG_A_SCHEMA`] appended.

    Examples
    --------
    >>> import polars as pl
    >>> df = pl.DataFrame({"conversations": [100, 0, 20], "aht_s": [180.0, None, 300.0]})
    >>> out = required_agents(df, interval_s=1800, target_answer_s=20, service_level=0.8)
    >>> out["agents"].to_list()
    [14, 0, 6]
    >>> out = required_agents(df, interval_s=1800, target_answer_s=20, service_level=0.8,
    ...                       patience_s=120)
    >>> out["agents_erlang_a"].to_list()
    [12, 0, 5]
    """
    # Validate the scalar options once (also catches bad options on an empty frame).
    erlang_c(
        0,
        aht_s=default_aht_s or 1.0,
        interval_s=interval_s,
        target_answer_s=target_answer_s,
        service_level=service_level,
        shrinkage=shrinkage,
        max_occupancy=max_occupancy,
    )
    names = frame.collect_schema().names()
    for column in (volume, aht):
        if column not in names:
            raise ColumnError(f"required_agents needs a column {column!r}; the frame has {names}")

    if patience_s is not None:
        erlang_a(
            0,
            aht_s=1.0,
            patience_s=patience_s,
            interval_s=interval_s,
            target_answer_s=target_answer_s,
            service_level=service_level,
        )

    @lru_cache(maxsize=65536)
    def solve(vol: float, handle: float | None) -> tuple[ErlangResult, ErlangAResult | None]:
        if vol == 0:
            handle = handle or 1.0
        elif handle is None:
            if default_aht_s is None:
                raise ConfigError(
                    f"an interval with volume {vol} has no handle time in column {aht!r}; "
                    "pass default_aht_s= to fill it"
                )
            handle = default_aht_s
        options = {
            "aht_s": handle,
            "interval_s": interval_s,
            "target_answer_s": target_answer_s,
            "service_level": service_level,
            "shrinkage": shrinkage,
            "max_occupancy": max_occupancy,
        }
        with_abandons = (
            None if patience_s is None else erlang_a(vol, patience_s=patience_s, **options)
        )
        return erlang_c(vol, **options), with_abandons

    schema = REQUIRED_SCHEMA | (ERLANG_A_SCHEMA if patience_s is not None else {})
    dtype = pl.Struct(schema)

    def batch(pairs: pl.Series) -> pl.Series:
        rows: list[dict[str, float] | None] = []
        for vol, handle in zip(
            pairs.struct.field("v").to_list(), pairs.struct.field("a").to_list(), strict=True
        ):
            if vol is None:
                rows.append(None)
                continue
            r, a = solve(float(vol), None if handle is None else float(handle))
            row: dict[str, float] = {
                "traffic_erlangs": r.traffic_erlangs,
                "agents": r.agents,
                "scheduled": r.scheduled,
                "service_level": r.service_level,
                "occupancy": r.occupancy,
                "wait_probability": r.wait_probability,
            }
            if a is not None:
                row |= {
                    "agents_erlang_a": a.agents,
                    "scheduled_erlang_a": a.scheduled,
                    "service_level_erlang_a": a.service_level,
                    "abandon_probability": a.abandon_probability,
                    "occupancy_erlang_a": a.occupancy,
                }
            rows.append(row)
        return pl.Series(rows, dtype=dtype)

    staffing = (
        pl.struct(
            v=pl.col(volume).cast(pl.Float64),
            a=pl.col(aht).cast(pl.Float64),
        )
        .map_batches(batch, return_dtype=dtype)
        .alias("__geoflex_staffing")
    )
    return frame.with_columns(staffing).unnest("__geoflex_staffing")
