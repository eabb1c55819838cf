"""Flex Locations (``ui_attributes.locations``) and placing agents on the map.

A Flex Location is ``{"name": ..., "edge": [voice edges in fallback order]}``; workers name
theirs in the ``flex_location`` attribute and their place in ``location`` ("Seattle, WA, US").
Agents are placed from coordinates the user gives per location, else from the shipped
gazetteer, and get a ``place_status`` saying which (or why not).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import polars as pl

from geoflex._errors import ColumnError, ConfigError

__all__ = ["EDGES", "PLACE_STATUSES", "PUBLIC_EDGES", "place_agents", "read_ui_attributes"]

#: Twilio's public edge locations.
PUBLIC_EDGES: tuple[str, ...] = (
    "ashburn", "dublin", "frankfurt", "sao-paulo", "singapore", "sydney", "tokyo", "umatilla",
)  # fmt: skip
#: Twilio edge locations a Flex Location may use: public edges, ``roaming`` (Global Low
#: Latency) and the private Interconnect edges (both spellings of San Jose are in use).
EDGES: tuple[str, ...] = (
    *PUBLIC_EDGES,
    "roaming", "ashburn-ix", "san-jose-ix", "sanjose-ix", "sao-paulo-ix", "london-ix",
    "frankfurt-ix", "singapore-ix", "tokyo-ix", "sydney-ix",
)  # fmt: skip
#: ``place_status`` values: how (or whether) an agent was placed.
PLACE_STATUSES: tuple[str, ...] = ("coordinates", "gazetteer", "unknown_place", "no_location")
_LOCATION_SCHEMA = {"name": pl.String(), "edges": pl.List(pl.String()), "primary_edge": pl.String()}


def _load(source: str | os.PathLike[str] | Mapping[str, Any]) -> Any:
    if isinstance(source, Mapping):
        return source
    text = os.fspath(source)
    if text.lstrip().startswith("{"):
        try:
            return json.loads(text)
        except ValueError as exc:
            raise ConfigError(f"ui_attributes is not valid JSON: {exc}") from None
    path = Path(text)
    if not path.is_file():
        raise ConfigError(f"no such ui_attributes file: {text!r}")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise ConfigError(f"{text}: not valid JSON: {exc}") from None


def read_ui_attributes(source: str | os.PathLike[str] | Mapping[str, Any]) -> pl.DataFrame:
    """Read and validate the Flex Locations of a Flex ``ui_attributes`` document.

    Parameters
    ----------
    source
        The ``ui_attributes`` object (as the Flex Configuration API returns it, or just
        ``{"locations": [...]}``), its JSON text, or a path to a JSON file.

    Returns
    -------
    polars.DataFrame
        One row per location: ``name``, ``edges`` (list, fallback order), ``primary_edge``.
        Empty when the document defines no locations.

    Raises
    ------
    ConfigError
        Malformed JSON, a location without a name, a repeated name, an empty or unknown
        edge; the message names the location and the edge.

    Examples
    --------
    >>> ui = {"locations": [{"name": "Seattle", "edge": ["umatilla", "roaming"]},
    ...                     {"name": "Dublin", "edge": ["dublin"]}]}
    >>> read_ui_attributes(ui).rows()
    [('Seattle', ['umatilla', 'roaming'], 'umatilla'), ('Dublin', ['dublin'], 'dublin')]
    >>> read_ui_attributes({"locations": [{"name": "Lima", "edge": ["lima"]}]})
    Traceback (most recent call last):
    ...
    geoflex._errors.ConfigError: location 'Lima': unknown edge 'lima'; expected one of ashburn, dublin, frankfurt, sao-paulo, singapore, sydney, tokyo, umatilla, roaming, ashburn-ix, san-jose-ix, sanjose-ix, sao-paulo-ix, london-ix, frankfurt-ix, singapore-ix, tokyo-ix, sydney-ix
    """  # noqa: E501
    doc = _load(source)
    if not isinstance(doc, Mapping):
        raise ConfigError("ui_attributes must be a JSON object")
    locations = doc.get("locations")
    if locations is None:
        return pl.DataFrame(schema=_LOCATION_SCHEMA)
    if not isinstance(locations, list):
        raise ConfigError("ui_attributes.locations must be a list of {name, edge} objects")
    rows: list[tuple[str, list[str], str]] = []
    seen: set[str] = set()
    for i, loc in enumerate(locations):
        if not isinstance(loc, Mapping):
            raise ConfigError(f"locations[{i}] must be an object with name and edge")
        name = loc.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(f"locations[{i}] has no name")
        name = name.strip()
        if name.casefold() in seen:
            raise ConfigError(f"location {name!r} is defined twice; names must be unique")
        seen.add(name.casefold())
        edges = loc.get("edge")
        if isinstance(edges, str):
            edges = [edges]
        if not isinstance(edges, list) or not edges:
            raise ConfigError(f"location {name!r}: edge must be a non-empty list of edges")
        clean: list[str] = []
        for edge in edges:
            value = edge.strip().lower() if isinstance(edge, str) else edge
            if value not in EDGES:
                raise ConfigError(
                    f"location {name!r}: unknown edge {edge!r}; expected one of {', '.join(EDGES)}"
                )
            if value in clean:
                raise ConfigError(f"location {name!r}: edge {value!r} is listed twice")
            clean.append(value)
        rows.append((name, clean, clean[0]))
    return pl.DataFrame(rows, schema=_LOCATION_SCHEMA, orient="row")


def _parse_location(
    text: str, known_countries: set[str]
) -> list[tuple[str, str | None, str | None]]:
    """Readings of "City[, ST][, CC]" as (city, country, state_code), most likely first."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts:
        return []
    city, rest = parts[0], [p.upper() for p in parts[1:]]
    readings: list[tuple[str, str | None, str | None]] = []
    if len(rest) >= 2:
        country = rest[-1]
        readings.append((city, country, f"{country}-{rest[0]}"))
        readings.append((city, country, None))
    elif len(rest) == 1:
        code = rest[0]
        if code in known_countries:
            readings.append((city, code, None))
        # "Portland, OR" / "Los Angeles, CA": a US state (CA is also Canada: try both).
        readings.append((city, "US", f"US-{code}"))
    readings.append((city, None, None))
    return readings


def place_agents(
    agents: pl.DataFrame,
    *,
    locations: pl.DataFrame | None = None,
    coordinates: Mapping[str, tuple[float, float]] | None = None,
    location: str = "location",
    flex_location: str = "flex_location",
) -> pl.DataFrame:
    """Add ``latitude``, ``longitude``, ``timezone``, ``place``, ``place_status`` to agents.

    Each agent is placed, in order of preference:

    1. from ``coordinates`` given for its ``flex_location`` or its ``location`` text
       (``place_status`` "coordinates"; timezone from the shipped zone polygons);
    2. from its ``location`` attribute ("City, ST, CC", "City, CC" or "City") matched in the
       shipped gazetteer, the most populous match in the named country/state
       ("gazetteer");
    3. else "unknown_place" (a location nobody can place) or "no_location" (none given).

    Parameters
    ----------
    agents
        ``FlexData.agents`` or any frame with the ``location``/``flex_location`` columns.
    locations
        The frame of :func:`read_ui_attributes`; adds each agent's ``primary_edge`` and
        marks a ``flex_location`` that is not defined there (``flex_location_known``).
    coordinates
        ``{name: (latitude, longitude)}`` for Flex Location names or location texts.
    location, flex_location
        Column names.

    Examples
    --------
    >>> import polars as pl
    >>> agents = pl.DataFrame({"worker_sid": ["WK1", "WK2", "WK3"],
    ...                        "location": ["Seattle, WA, US", "Home office", None],
    ...                        "flex_location": ["Seattle", "Remote", "Remote"]})
    >>> placed = place_agents(agents, coordinates={"Remote": (53.35, -6.26)})
    >>> placed.select("place_status", "timezone").rows()
    [('gazetteer', 'America/Los_Angeles'), ('coordinates', 'Europe/Dublin'), ('coordinates', 'Europe/Dublin')]
    """  # noqa: E501
    from geoflex.reference import load_table, place_key, timezone_at

    for col in (location, flex_location):
        if col not in agents.columns:
            raise ColumnError(f"place_agents: missing column {col!r}")
    coords = {k.strip().casefold(): v for k, v in (coordinates or {}).items()}
    for name, point in (coordinates or {}).items():
        if not (-90 <= point[0] <= 90 and -180 <= point[1] <= 180):
            raise ConfigError(f"coordinates for {name!r} are out of range: {tuple(point)}")
    places = load_table("places")
    texts = [t for t in agents[location].unique().to_list() if t]
    countries = set(places["country"].unique().drop_nulls().to_list())
    readings = {t: _parse_location(t, countries) for t in texts}
    keys = {place_key(city) for rs in readings.values() for city, _, _ in rs}
    candidates = (
        places.filter(pl.col("key").is_in(list(keys)))
        .sort("population", descending=True, nulls_last=True)
        .to_dicts()
    )
    by_key: dict[str, list[dict[str, Any]]] = {}
    for row in candidates:
        by_key.setdefault(row["key"], []).append(row)
    found: dict[str, dict[str, Any]] = {}
    for text, rs in readings.items():
        for city, country, state in rs:
            match = next(
                (
                    r
                    for r in by_key.get(place_key(city), [])
                    if (country is None or r["country"] == country)
                    and (state is None or r["state_code"] == state)
                ),
                None,
            )
            if match is not None:
                found[text] = match
                break
    lat: list[float | None] = []
    lon: list[float | None] = []
    tz: list[str | None] = []
    place: list[str | None] = []
    status: list[str] = []
    for loc_text, flex in zip(
        agents[location].to_list(), agents[flex_location].to_list(), strict=True
    ):
        given = coords.get((flex or "").strip().casefold()) or coords.get(
            (loc_text or "").strip().casefold()
        )
        if given is not None:
            lat.append(float(given[0]))
            lon.append(float(given[1]))
            tz.append(timezone_at(given[0], given[1]))
            place.append(flex or loc_text)
            status.append("coordinates")
        elif loc_text and loc_text in found:
            m = found[loc_text]
            lat.append(m["latitude"])
            lon.append(m["longitude"])
            tz.append(m["timezone"])
            place.append(f"{m['name']}, {m['state_code'] or m['country']}")
            status.append("gazetteer")
        else:
            lat.append(None)
            lon.append(None)
            tz.append(None)
            place.append(None)
            status.append("unknown_place" if loc_text else "no_location")
    out = agents.with_columns(
        pl.Series("latitude", lat, dtype=pl.Float64),
        pl.Series("longitude", lon, dtype=pl.Float64),
        pl.Series("timezone", tz, dtype=pl.String),
        pl.Series("place", place, dtype=pl.String),
        pl.Series("place_status", status, dtype=pl.Enum(PLACE_STATUSES)),
    )
    if locations is not None:
        out = out.join(
            locations.select(pl.col("name").alias(flex_location), "primary_edge").with_columns(
                flex_location_known=pl.lit(True)
            ),
            on=flex_location,
            how="left",
            maintain_order="left",
        ).with_columns(pl.col("flex_location_known").fill_null(False))
    return out
