"""Smoke test of an installed geoflex wheel (run by .ci/wheel in a clean venv, outside the repo).

It checks that what it imports is the installed package, that every data file the manifest
lists shipped intact, and that the public entry points work on the embedded sample.
Usage: python smoke.py REPORTS_DIR  (the directory the README's first command wrote)
"""

from __future__ import annotations

import hashlib
import sys
from importlib import resources
from pathlib import Path

import polars as pl

import geoflex
import geoflex.sample
from geoflex.reference import manifest

reports = Path(sys.argv[1])
site = Path(geoflex.__file__).resolve().parent
assert "site-packages" in site.parts, f"imported geoflex from {site}, not from the wheel"

data = resources.files("geoflex._data")
for entry in manifest()["files"]:
    blob = data.joinpath(*entry["name"].split("/")).read_bytes()
    assert hashlib.sha256(blob).hexdigest() == entry["sha256"], f"{entry['name']} differs"

record = geoflex.lookup("+44 20 7946 0958")
assert (record.country, record.geo_status) == ("GB", "ok"), record

sample = geoflex.sample.load()
segments = geoflex.resolve(sample.segments, "phone", overrides={"zip": "customers_zip"})
assert segments.height == sample.segments.height
by_state = geoflex.volume(segments, "state")
assert isinstance(by_state, pl.DataFrame)
assert by_state.height > 10, by_state

index = reports / "index.html"
assert index.is_file(), index
assert index.stat().st_size > 10_000, index
pages = sorted(p.name for p in reports.glob("*.html"))
print(
    f"smoke: geoflex {geoflex.__version__} from {site}; {len(manifest()['files'])} data files "
    f"intact; {sample.segments.height:,} sample segments resolved; reports: {', '.join(pages)}"
)
