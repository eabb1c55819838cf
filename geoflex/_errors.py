"""The error hierarchy: every error geoflex raises on purpose is a GeoflexError."""

from __future__ import annotations

__all__ = ["ColumnError", "ConfigError", "DataError", "GeoflexError", "MissingDependencyError"]


class GeoflexError(Exception):
    """Base class of every error geoflex raises on purpose."""


class ColumnError(GeoflexError, KeyError):
    """A required column is missing or has the wrong type."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class DataError(GeoflexError, ValueError):
    """Input data cannot be used; the message says where (file, line, row) and why."""


class ConfigError(GeoflexError, ValueError):
    """A configuration value (regions, overrides, shifts, locations...) is invalid."""


class MissingDependencyError(GeoflexError, ImportError):
    """An optional dependency is needed; the message names the extra to install."""


def require(module: str, extra: str) -> object:
    """Import an optional dependency, or raise naming the extra that provides it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingDependencyError(
            f"{module!r} is needed for this; install it with: pip install 'geoflex[{extra}]'"
        ) from exc
