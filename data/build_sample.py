"""Write the committed sample: ``geoflex/_data/sample/events.ndjson.gz`` and ui_attributes.json.

Deterministic: rerunning gives the same bytes (gzip without a timestamp).
"""

from __future__ import annotations

import json
from pathlib import Path

import geoflex.sample

OUT = Path(__file__).resolve().parent.parent / "geoflex" / "_data" / "sample"


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    n = geoflex.sample.write(
        OUT / "events.ndjson.gz",
        geoflex.sample.SAMPLE_CONVERSATIONS,
        seed=geoflex.sample.SAMPLE_SEED,
    )
    (OUT / "ui_attributes.json").write_text(
        json.dumps(geoflex.sample.ui_attributes(), indent=2) + "\n", encoding="utf-8"
    )
    size = (OUT / "events.ndjson.gz").stat().st_size
    print(f"wrote {n} event lines ({size / 1e6:.2f} MB gzipped) to {OUT}")


if __name__ == "__main__":
    main()
