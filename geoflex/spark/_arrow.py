"""Between polars frames and Spark's Arrow batches: schemas and batch conversion.

Spark rejects Arrow dictionaries (polars Enum/Categorical columns) and wants exactly the
types of the schema it was promised, so frames are cast to plain strings and the batches
to the promised Arrow schema before they are handed back.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import polars as pl
import pyarrow as pa

if TYPE_CHECKING:
    from pyspark.sql.types import StructType

__all__ = [
    "arrow_schema",
    "batches",
    "chunks",
    "plain",
    "plain_schema",
    "polars_frame",
    "spark_schema",
]

# Rows resolved or parsed per polars call: a call has a fixed cost of ~10 ms, so Spark's
# default Arrow batches (10,000 rows) are gathered into larger pieces.
CHUNK_ROWS = 250_000


def plain_schema(schema: pl.Schema | dict[str, pl.DataType]) -> dict[str, pl.DataType]:
    """``schema`` with Enum/Categorical types as String (what Spark's Arrow reader takes)."""
    return {
        name: pl.String() if isinstance(dtype, (pl.Enum, pl.Categorical)) else dtype
        for name, dtype in dict(schema).items()
    }


def plain(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with Enum/Categorical columns cast to String."""
    return frame.cast(plain_schema(frame.schema))  # type: ignore[arg-type]


def spark_schema(schema: pl.Schema | dict[str, pl.DataType]) -> StructType:
    """The Spark schema of frames of this polars schema (after :func:`plain`)."""
    from pyspark.sql.pandas.types import from_arrow_type
    from pyspark.sql.types import StructField, StructType

    # Spark has no unsigned integers (polars counts are UInt32): they travel as Int64.
    signed = {
        name: pl.Int64() if dtype.is_unsigned_integer() else dtype
        for name, dtype in plain_schema(schema).items()
    }
    empty = pl.DataFrame(schema=signed).to_arrow()
    return StructType(
        [StructField(f.name, from_arrow_type(f.type), nullable=True) for f in empty.schema]
    )


def arrow_schema(schema: StructType) -> pa.Schema:
    """The Arrow schema Spark expects of batches of this Spark schema."""
    from pyspark.sql.pandas.types import to_arrow_schema

    try:
        return to_arrow_schema(schema, timezone="UTC")
    except TypeError:  # pyspark 3.5 takes no zone: its timestamps are UTC
        return to_arrow_schema(schema)


def polars_frame(batch: pa.RecordBatch | pa.Table) -> pl.DataFrame:
    """A Spark Arrow batch as a polars DataFrame."""
    frame = pl.from_arrow(batch)
    assert isinstance(frame, pl.DataFrame)
    return frame


def batches(frame: pl.DataFrame, schema: pa.Schema) -> Iterator[pa.RecordBatch]:
    """``frame`` as record batches of exactly ``schema`` (columns in its order)."""
    table = plain(frame).select(schema.names).to_arrow().cast(schema)
    yield from table.to_batches()


def chunks(source: Iterable[pa.RecordBatch], rows: int = CHUNK_ROWS) -> Iterator[pl.DataFrame]:
    """Spark's record batches gathered into polars frames of about ``rows`` rows."""
    pending: list[Any] = []
    count = 0
    for batch in source:
        if batch.num_rows == 0:
            continue
        pending.append(batch)
        count += batch.num_rows
        if count >= rows:
            yield polars_frame(pa.Table.from_batches(pending))
            pending, count = [], 0
    if pending:
        yield polars_frame(pa.Table.from_batches(pending))
