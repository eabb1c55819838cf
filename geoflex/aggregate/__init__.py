"""Aggregations: volume, service metrics and handling time by place and local-time interval,
spikes, accuracy.

All take polars frames (a LazyFrame in gives a LazyFrame out, except where noted) such as
``FlexData.segments`` after :func:`geoflex.resolve` added the geography columns.
"""

from __future__ import annotations

from geoflex.aggregate._accuracy import (
    DISTANCE_BINS_KM,
    GeoAccuracy,
    geolocation_accuracy,
    haversine_km,
)
from geoflex.aggregate._places import PLACE_KEYS, PlaceLevel, display_name, place_metrics
from geoflex.aggregate._service import (
    DEFAULT_SHORT_ABANDON_S,
    DEFAULT_THRESHOLD_S,
    SERVICE_COLUMNS,
    service_metrics,
)
from geoflex.aggregate._spikes import Season, spikes
from geoflex.aggregate._time import Clock, Every, local_time
from geoflex.aggregate._volume import (
    DEFAULT_MEASURES,
    by_interval,
    hour_of_week,
    volume,
    with_area_code,
)

__all__ = [
    "DEFAULT_MEASURES",
    "DEFAULT_SHORT_ABANDON_S",
    "DEFAULT_THRESHOLD_S",
    "DISTANCE_BINS_KM",
    "PLACE_KEYS",
    "SERVICE_COLUMNS",
    "Clock",
    "Every",
    "GeoAccuracy",
    "PlaceLevel",
    "Season",
    "by_interval",
    "display_name",
    "geolocation_accuracy",
    "haversine_km",
    "hour_of_week",
    "local_time",
    "place_metrics",
    "service_metrics",
    "spikes",
    "volume",
    "with_area_code",
]
