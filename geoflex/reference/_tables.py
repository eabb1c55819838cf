"""Reading the shipped reference tables, GeoJSON and manifest from ``geoflex._data``."""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any, Literal, get_args

import polars as pl

from geoflex._errors import ConfigError, DataError

__all__ = [
    "GeoJsonName",
    "TableName",
    "data_versions",
    "load_geojson",
    "load_table",
    "manifest",
]

TableName = Literal["countries", "subdivisions", "zips", "places", "area_codes"]
GeoJsonName = Literal["countries", "us_states", "area_codes", "admin1"]

_DATA_PACKAGE = "geoflex._data"


def _read_bytes(*parts: str) -> bytes:
    resource = resources.files(_DATA_PACKAGE).joinpath(*parts)
    try:
        return resource.read_bytes()
    except FileNotFoundError as exc:
        raise DataError(
            f"shipped data file {'/'.join(parts)!r} is missing from geoflex._data; "
            "reinstall geoflex or rebuild the data with: python data/build.py"
        ) from exc


def _check_name(name: str, choices: tuple[str, ...], what: str) -> None:
    if name not in choices:
        raise ConfigError(f"unknown {what} {name!r}; choose one of: {', '.join(choices)}")


@functools.cache
def _table(name: str) -> pl.DataFrame:
    import io

    return pl.read_parquet(io.BytesIO(_read_bytes(f"{name}.parquet")))


def load_table(name: TableName) -> pl.DataFrame:
    """Load one shipped reference table (read once, then served from memory).

    Parameters
    ----------
    name
        ``"countries"``, ``"subdivisions"``, ``"zips"``, ``"places"`` or ``"area_codes"``.
        The columns of each are described in ``data/README.md``.

    Returns
    -------
    polars.DataFrame
        A fresh frame (a cheap clone of the cached one, so changing it changes no other caller's).

    Examples
    --------
    >>> countries = load_table("countries")
    >>> countries.filter(country="PR").select("country_name", "region").row(0)
    ('Puerto Rico', 'Latin America')
    >>> load_table("zips").filter(zip="94103").select("city", "state_code").row(0)
    ('San Francisco', 'US-CA')
    """
    _check_name(name, get_args(TableName), "table")
    return _table(name).clone()


@functools.cache
def _geojson_bytes(name: str) -> bytes:
    import gzip

    # Shipped gzip-compressed: GeoJSON text is mostly digits and compresses about 4:1.
    return gzip.decompress(_read_bytes("geo", f"{name}.geojson.gz"))


def load_geojson(name: GeoJsonName) -> dict[str, Any]:
    """Load one shipped GeoJSON FeatureCollection for maps.

    Parameters
    ----------
    name
        ``"countries"`` (property ``country``, ``country_name``), ``"us_states"``
        (``state_code``, ``state``), ``"area_codes"`` (``npa``, ``codes``, ``overlay_group``,
        ``state_code``, ``country``; one feature per overlay group) or ``"admin1"`` (every
        country's first-level subdivisions: ``country``, ``state_code``, ``state``).

    Returns
    -------
    dict
        A new parsed FeatureCollection on every call, so callers may change it freely.

    Examples
    --------
    >>> fc = load_geojson("us_states")
    >>> fc["type"], len(fc["features"]) > 50
    ('FeatureCollection', True)
    """
    _check_name(name, get_args(GeoJsonName), "GeoJSON")
    parsed: dict[str, Any] = json.loads(_geojson_bytes(name))
    return parsed


@functools.cache
def _manifest_text() -> str:
    return _read_bytes("manifest.json").decode("utf-8")


def manifest() -> dict[str, Any]:
    """The build manifest: build date, sources (name, registry, version, licence), files.

    Returns
    -------
    dict
        ``{"built": ISO date, "sources": [...], "files": [{"name", "sha256", "bytes", "rows"}]}``.

    Examples
    --------
    >>> sorted(manifest())[:3]
    ['built', 'files', 'sources']
    """
    parsed: dict[str, Any] = json.loads(_manifest_text())
    return parsed


def data_versions() -> dict[str, str]:
    """The version of every source the shipped data was compiled from.

    Returns
    -------
    dict[str, str]
        Source name → version, e.g. ``{"world-atlas": "2.0.2", "zipcodes": "3.0.0", ...}``.

    Examples
    --------
    >>> "world-atlas" in data_versions()
    True
    """
    return {str(s["name"]): str(s["version"]) for s in manifest()["sources"]}
