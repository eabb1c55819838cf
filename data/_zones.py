"""IANA zone names: canonical spellings and each country's own zones (from PyPI `tzdata`).

libphonenumber's timezone map still writes legacy names (Asia/Calcutta, America/Godthab,
Asia/Rangoon ...) and, for a few calling codes, a neighbour's zone (Libya and Estonia →
Europe/Bucharest, Belarus → Europe/Moscow). The tz database's own files say which names are
current and which zones belong to which country:

- ``zone.tab``: per country (ISO 3166 alpha-2), the zones a user of that country picks from,
  with each zone's principal location. These names are the canonical ones here (they include
  a few that tzdata now links to a zone of another country, such as Europe/Oslo: a Norwegian
  number keeps a Norwegian name).
- ``tzdata.zi``: ``L target alias`` lines; an alias that zone.tab does not list is a legacy
  spelling (the ``backward`` file) and is replaced by its target.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files

from geoflex.aggregate._accuracy import haversine_km_array


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, list[tuple[str, float, float]]], dict[str, str]]:
    root = files("tzdata").joinpath("zoneinfo")
    by_country: dict[str, list[tuple[str, float, float]]] = {}
    for line in root.joinpath("zone.tab").read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        country, coords, zone = line.split("\t")[:3]
        by_country.setdefault(country, []).append((zone, *_iso6709(coords)))
    listed = {z for zones in by_country.values() for z, _, _ in zones}
    links: dict[str, str] = {}
    for line in root.joinpath("tzdata.zi").read_text(encoding="utf-8").splitlines():
        if line.startswith("L "):
            _, target, alias = line.split()
            if alias not in listed:
                links[alias] = target
    return by_country, links


def _iso6709(text: str) -> tuple[float, float]:
    """zone.tab's ±DDMM[SS]±DDDMM[SS] as (lat, lon) degrees."""
    split = max(text.rfind("+"), text.rfind("-"))
    lat, lon = text[:split], text[split:]

    def degrees(part: str, deg_digits: int) -> float:
        sign = -1.0 if part[0] == "-" else 1.0
        digits = part[1:]
        d = int(digits[:deg_digits])
        m = int(digits[deg_digits : deg_digits + 2])
        s = int(digits[deg_digits + 2 :] or 0)
        return sign * (d + m / 60 + s / 3600)

    return degrees(lat, 2), degrees(lon, 3)


def canonical(zone: str | None) -> str | None:
    """The current name of ``zone`` (Asia/Calcutta → Asia/Kolkata); others unchanged."""
    if zone is None:
        return None
    links = _tables()[1]
    seen = 0
    while zone in links and seen < 5:  # links point at zones, but be safe against chains
        zone = links[zone]
        seen += 1
    return zone


def country_zones() -> dict[str, list[str]]:
    """Country (ISO2) → its zones, in zone.tab's order."""
    return {c: [z for z, _, _ in zones] for c, zones in sorted(_tables()[0].items())}


def own_zone(
    zone: str | None, country: str | None, lat: float | None, lon: float | None
) -> str | None:
    """A canonical zone of ``country`` for a place: ``zone`` when it is one of the country's,
    else the country's zone whose principal location is nearest the place (a point on a
    border or at sea: tzfpy answers with the neighbour's zone or Etc/GMT±N).

    Countries zone.tab does not list (XK, AC, TA) keep ``zone``. A place with neither zone nor
    point stays without one (the resolver then uses the number's own zone list): guessing
    would give the first zone.tab zone (Australia/Lord_Howe for any Australian locality the
    gazetteer lacks).
    """
    if zone is None and (lat is None or lon is None):
        return None
    zone = canonical(zone)
    zones = _tables()[0].get(country or "")
    if not zones or zone in {z for z, _, _ in zones}:
        return zone
    if len(zones) == 1 or lat is None or lon is None:
        return zones[0][0]
    return min(zones, key=lambda z: float(haversine_km_array(lat, lon, z[1], z[2])))[0]
