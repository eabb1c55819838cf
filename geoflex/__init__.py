"""geoflex: contact-centre data into geography, and geography into decisions.

``import geoflex`` is light: polars only. Maps, charts and templates are imported when used.
"""

from __future__ import annotations

from geoflex._errors import (
    ColumnError,
    ConfigError,
    DataError,
    GeoflexError,
    MissingDependencyError,
)
from geoflex.resolve import resolve

__version__ = "0.1.0"

__all__ = [
    "ColumnError",
    "ConfigError",
    "DataError",
    "GeoflexError",
    "MissingDependencyError",
    "__version__",
    "resolve",
]
