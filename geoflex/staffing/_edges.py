"""Flex Locations against Twilio edges: which edge is nearest each location's agents.

A Flex Location lists voice edges in fallback order; media should go through the edge
nearest the agents. A location whose first edge is far from its agents while another
edge is much nearer is likely misconfigured (e.g. Manila agents on ``umatilla``).
"""

from __future__ import annotations

import polars as pl

from geoflex._errors import ColumnError
from geoflex._sums import ordered_mean
from geoflex.aggregate._accuracy import haversine_km_array
from geoflex.ingest._locations import PUBLIC_EDGES

__all__ = ["EDGE_COORDINATES", "review_flex_locations"]

#: Approximate coordinates of Twilio's public edge locations (the cities they are named
#: after; interconnect "-ix" edges sit in the same metros).
EDGE_COORDINATES: dict[str, tuple[float, float]] = {
    "ashburn": (39.04, -77.49),
    "dublin": (53.35, -6.26),
    "frankfurt": (50.11, 8.68),
    "sao-paulo": (-23.55, -46.63),
    "singapore": (1.35, 103.82),
    "sydney": (-33.87, 151.21),
    "tokyo": (35.68, 139.69),
    "umatilla": (45.92, -119.34),
    "ashburn-ix": (39.04, -77.49),
    "san-jose-ix": (37.34, -121.89),
    "sanjose-ix": (37.34, -121.89),
    "sao-paulo-ix": (-23.55, -46.63),
    "london-ix": (51.51, -0.13),
    "frankfurt-ix": (50.11, 8.68),
    "singapore-ix": (1.35, 103.82),
    "tokyo-ix": (35.68, 139.69),
    "sydney-ix": (-33.87, 151.21),
}
# A primary edge this much farther than the nearest one is flagged.
_SLACK_KM = 1500.0


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(haversine_km_array(*a, *b))


def review_flex_locations(
    agents: pl.DataFrame, locations: pl.DataFrame | None = None
) -> pl.DataFrame:
    """One row per Flex Location: agents, where they sit, nearest edge, and any problem.

    Parameters
    ----------
    agents
        Placed agents (`geoflex.place_agents`): ``flex_location``, ``latitude``,
        ``longitude`` (null when unknown).
    locations
        `geoflex.read_ui_attributes` output (``name``, ``edges``, ``primary_edge``);
        without it only the nearest edge is shown.

    Returns
    -------
    DataFrame
        ``flex_location``, ``agents``, ``placed_agents``, ``edges`` (fallback order, as
        text), ``primary_edge``, ``nearest_edge``, ``primary_edge_km``, ``nearest_edge_km``
        and ``issue`` (null when nothing looks wrong).

    Examples
    --------
    >>> agents = pl.DataFrame({"flex_location": ["Manila", "Manila"],
    ...                        "latitude": [14.6, 14.6], "longitude": [121.0, 121.0]})
    >>> locs = pl.DataFrame({"name": ["Manila"], "edges": [["umatilla"]],
    ...                      "primary_edge": ["umatilla"]})
    >>> review_flex_locations(agents, locs).select("nearest_edge", "issue").row(0)
    ('singapore', 'primary edge umatilla is 11,000 km from the agents; singapore is 2,400 km')
    """
    needed = ("flex_location", "latitude", "longitude")
    missing = [c for c in needed if c not in agents.columns]
    if missing:
        raise ColumnError(f"review_flex_locations needs agent columns {missing}")
    groups = agents.group_by("flex_location", maintain_order=True).agg(
        pl.len().alias("agents"),
        pl.col("latitude").is_not_null().sum().alias("placed_agents"),
        ordered_mean("latitude"),
        ordered_mean("longitude"),
    )
    defined: dict[str, tuple[list[str], str | None]] = {}
    if locations is not None and locations.height:
        for name, edges, primary in locations.select("name", "edges", "primary_edge").rows():
            defined[name] = (list(edges or []), primary)
    rows = []
    for name, count, placed, lat, lon in groups.rows():
        edges, primary = defined.get(name, ([], None))
        nearest = nearest_km = primary_km = None
        if lat is not None and lon is not None:
            distances = {e: _km((lat, lon), EDGE_COORDINATES[e]) for e in PUBLIC_EDGES}
            nearest = min(distances, key=distances.__getitem__)
            nearest_km = distances[nearest]
            if primary in EDGE_COORDINATES:
                primary_km = _km((lat, lon), EDGE_COORDINATES[primary])
        issue = _issue(name, defined, locations, primary, primary_km, nearest, nearest_km, placed)
        rows.append(
            (name, count, placed, ", ".join(edges) or None, primary, nearest,
             _round(primary_km), _round(nearest_km), issue)
        )  # fmt: skip
    schema = {
        "flex_location": pl.String,
        "agents": pl.Int64,
        "placed_agents": pl.Int64,
        "edges": pl.String,
        "primary_edge": pl.String,
        "nearest_edge": pl.String,
        "primary_edge_km": pl.Float64,
        "nearest_edge_km": pl.Float64,
        "issue": pl.String,
    }
    return pl.DataFrame(rows, schema=schema, orient="row").sort("agents", descending=True)


def _round(km: float | None) -> float | None:
    return None if km is None else float(round(km, -2))


def _issue(
    name: str | None,
    defined: dict[str, tuple[list[str], str | None]],
    locations: pl.DataFrame | None,
    primary: str | None,
    primary_km: float | None,
    nearest: str | None,
    nearest_km: float | None,
    placed: int,
) -> str | None:
    if name is None:
        return "agents without a flex_location attribute"
    if locations is not None and name not in defined:
        return "not defined in ui_attributes.locations"
    if placed == 0:
        return "no agent of this location could be placed"
    if primary == "roaming":
        return "first edge is roaming (Twilio picks per call); consider a fixed nearest edge"
    if (
        primary_km is not None
        and nearest_km is not None
        and nearest is not None
        and primary_km - nearest_km > _SLACK_KM
    ):
        return (
            f"primary edge {primary} is {round(primary_km, -3):,.0f} km from the agents; "
            f"{nearest} is {round(nearest_km, -2):,.0f} km"
        )
    return None
