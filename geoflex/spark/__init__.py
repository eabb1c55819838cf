"""geoflex on Apache Spark: the same answers as the polars functions, on a cluster.

Needs the ``spark`` extra (``pip install 'geoflex[spark]'``, pyspark 3.5 or later) and a
Java runtime. ``import geoflex`` never imports this module or pyspark.
"""

from __future__ import annotations

from geoflex._errors import require

require("pyspark", "spark")

from geoflex.spark._aggregate import (  # noqa: E402
    by_interval,
    hour_of_week,
    service_metrics,
    spikes,
    volume,
)
from geoflex.spark._ingest import SparkFlexData, read_events  # noqa: E402
from geoflex.spark._resolve import Join, resolve  # noqa: E402
from geoflex.spark._session import check_java, session  # noqa: E402

__all__ = [
    "Join",
    "SparkFlexData",
    "by_interval",
    "check_java",
    "hour_of_week",
    "read_events",
    "resolve",
    "service_metrics",
    "session",
    "spikes",
    "volume",
]
