"""Vendor the Vega, Vega-Lite and vega-embed browser bundles into geoflex/_data/js/.

Reports inline these files so charts draw with no network (about 0.83 MB in total,
BSD-3-Clause). Versions match what the installed Altair emits (Vega-Lite schema v6).

Run: ``python data/build_vega_js.py`` (needs ``npm``; fetches through the npm registry).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "data" / "_cache" / "npm"
OUT = ROOT / "geoflex" / "_data" / "js"

# package -> (version, bundle inside the package)
PACKAGES = {
    "vega": ("6.4.0", "build/vega.min.js"),
    "vega-lite": ("6.4.1", "build/vega-lite.min.js"),
    "vega-embed": ("7.3.0", "build/vega-embed.min.js"),
}


def main() -> None:
    specs = [f"{name}@{version}" for name, (version, _) in PACKAGES.items()]
    subprocess.run(["npm", "install", "--no-save", "--prefix", str(CACHE), *specs], check=True)
    OUT.mkdir(parents=True, exist_ok=True)
    provenance = {}
    for name, (version, bundle) in PACKAGES.items():
        package = CACHE / "node_modules" / name
        meta = json.loads((package / "package.json").read_text())
        if meta["version"] != version:
            raise SystemExit(f"{name}: npm installed {meta['version']}, expected {version}")
        target = OUT / f"{name}.min.js"
        shutil.copyfile(package / bundle, target)
        shutil.copyfile(package / "LICENSE", OUT / f"{name}.LICENSE")
        provenance[name] = {
            "version": version,
            "source": f"npm:{name}@{version}/{bundle}",
            "license": meta["license"],
            "bytes": target.stat().st_size,
            "sha256": hashlib.sha256(target.read_bytes()).hexdigest(),
        }
    (OUT / "provenance.json").write_text(json.dumps(provenance, indent=2) + "\n")
    total = sum(p["bytes"] for p in provenance.values())
    print(f"vendored {len(provenance)} bundles, {total / 1e6:.2f} MB, into {OUT}")


if __name__ == "__main__":
    main()
