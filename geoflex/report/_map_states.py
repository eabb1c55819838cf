"""The world's states and provinces on one map: which countries' states are drawn.

Every country's first-level subdivisions (``load_geojson("admin1")``) would put about 3 MB
of GeoJSON into a page. A states map therefore draws the states of the countries asked
for, else of the countries with data, busiest first, within a vertex budget; every other
country is drawn whole as a grey outline, so the map reads as the world and hovering a
country says why it has no states. What is left out is counted in the legend.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from geoflex.report._geometry import compact
from geoflex.report._map_data import Place, PlaceValues, country_of, features_of, load_shapes

__all__ = ["MAX_STATE_VERTICES", "StateSelection", "select_states"]

#: Vertices of state outlines one map draws unless countries are named: about 15 bytes
#: each in the page, so 60,000 are about 0.9 MB (the demo's 29 countries with states take
#: 57,000; all 3,294 shipped states 157,000, Russia's and Canada's 30,000 of them).
MAX_STATE_VERTICES = 60_000

NONE_KNOWN = "none known"
NOT_DRAWN = "not drawn, to keep the page small"
#: ISO 3166-2:US lists the outlying areas as subdivisions ("US-GU", as the resolver names
#: Guam's state); Natural Earth draws them as countries with their ISO 3166-1 codes ("GU").
US_OUTLYING = ("AS", "GU", "MP", "PR", "UM", "VI")


def _vertices(geometry: Any) -> int:
    if geometry and isinstance(geometry[0], (int, float)):
        return 1
    return sum(_vertices(part) for part in geometry)


@dataclass
class StateSelection:
    """The places a states map draws (country outlines first) and what it leaves out."""

    places: list[Place]
    drawn_countries: list[str]
    #: Countries with data whose states were left out to keep the page small.
    over_budget: list[str] = field(default_factory=list)


def _weight(values: Mapping[str, float | None]) -> float:
    return float(values.get("conversations") or 0.0)


def select_states(
    states: list[Place],
    values: PlaceValues,
    *,
    countries: Sequence[str] | None,
    metric: str,
    max_vertices: int = MAX_STATE_VERTICES,
) -> StateSelection:
    """The states to draw and the country outlines around them.

    With ``countries``, exactly those countries' states (no budget: the caller chose);
    otherwise the states of the countries with data, busiest first (by conversations, else
    by ``metric``), while their vertices fit ``max_vertices`` (the busiest always).
    """
    world = _country_outlines()
    by_country: dict[str, list[Place]] = {}
    for place in states:
        by_country.setdefault(place.country, []).append(place)
    known = {p.key for p in states}
    for area in US_OUTLYING if "US" in by_country else ():
        outline = world.get(area)
        if f"US-{area}" not in known and outline is not None:
            us_area = Place(f"US-{area}", outline.name, outline.geometry, country="US")
            by_country["US"].append(us_area)
    over_budget: list[str] = []
    if countries is not None:
        chosen = list(dict.fromkeys(c.strip().upper() for c in countries))
        unknown = [c for c in chosen if c not in by_country]
        if unknown:
            raise ValueError(
                f"no state or province shapes for {', '.join(unknown)}; countries with "
                f"shapes are ISO 3166-1 alpha-2 codes such as {', '.join(sorted(by_country)[:5])}"
            )
    else:
        totals: dict[str, float] = {}
        for key, here in values.by_place.items():
            country = country_of(key)
            if country in by_country:
                amount = _weight(here) if "conversations" in here else (here.get(metric) or 0.0)
                totals[country] = totals.get(country, 0.0) + abs(amount)
        chosen, used = [], 0
        for country in sorted(totals, key=lambda c: (-totals[c], c)):
            cost = sum(_vertices(p.geometry["coordinates"]) for p in by_country[country])
            if chosen and used + cost > max_vertices:
                over_budget.append(country)
                continue
            chosen.append(country)
            used += cost
    drawn = set(chosen)
    shown = [p for c in chosen for p in by_country[c]]
    # the US's states cover its outlying areas: no outline under them
    hidden = drawn | (set(US_OUTLYING) if "US" in drawn else set())
    left_out = set(over_budget)
    outlines = []
    for code, outline in world.items():
        if code in hidden:
            continue
        outline.detail = NOT_DRAWN if code in left_out else NONE_KNOWN
        outlines.append(outline)
    for place in shown:
        outline = world.get(place.country)
        place.detail = outline.name if outline else place.country
    return StateSelection(
        places=outlines + shown,
        drawn_countries=chosen,
        over_budget=over_budget,
    )


def _country_outlines() -> dict[str, Place]:
    """Every country whole, by ISO alpha-2 (its name: the detail of its states' tooltips)."""
    places = {}
    for feature in features_of(load_shapes("countries")):
        properties = feature.get("properties") or {}
        country = str(properties.get("country") or "").strip().upper()
        shape = compact(feature.get("geometry"))
        if not country or shape is None:
            continue
        name = str(properties.get("country_name") or country)
        places[country] = Place(country, name, shape, country=country, outline=True)
    return places
