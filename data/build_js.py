"""Vendor the browser bundles reports inline into geoflex/_data/js/.

Vega, Vega-Lite and vega-embed (BSD-3-Clause; versions match what the installed Altair emits,
Vega-Lite schema v6) so charts draw with no network, and Leaflet (BSD-2-Clause; the version
folium 0.20 pins) so maps do too: its stylesheet's images are inlined as data URIs; and
tablesort (MIT) with its number sort, so every report table sorts by any column.

Run: ``python data/build_js.py`` (needs ``npm``; fetches through the npm registry).
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
    "leaflet": ("1.9.3", "dist/leaflet.js"),
    "tablesort": ("5.7.1", "dist/tablesort.min.js"),
}
# Further files of a package appended to its bundle (tablesort's sort types are plugins).
EXTRA_FILES = {"tablesort": ("dist/sorts/tablesort.number.min.js",)}
# Stylesheets to vendor too: package -> file inside it (its url(images/...) become data URIs).
STYLESHEETS = {"leaflet": "dist/leaflet.css"}


def _inline_images(css_path: Path) -> str:
    """The stylesheet with every ``url(images/x.png)`` replaced by a data URI."""
    import base64
    import re

    def data_uri(match: re.Match[str]) -> str:
        image = css_path.parent / match.group(1)
        encoded = base64.b64encode(image.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{encoded})"

    return re.sub(r"url\((images/[\w.-]+\.png)\)", data_uri, css_path.read_text("utf-8"))


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
        parts = [bundle, *EXTRA_FILES.get(name, ())]
        target.write_text(
            "\n".join((package / part).read_text("utf-8") for part in parts), encoding="utf-8"
        )
        licence = next(p for p in ("LICENSE", "LICENCE", "LICENSE.md") if (package / p).exists())
        shutil.copyfile(package / licence, OUT / f"{name}.LICENSE")
        if name in STYLESHEETS:
            css_path = package / STYLESHEETS[name]
            (OUT / f"{name}.min.css").write_text(_inline_images(css_path), encoding="utf-8")
        provenance[name] = {
            "version": version,
            "source": " + ".join(f"npm:{name}@{version}/{part}" for part in parts),
            "license": meta["license"],
            "bytes": target.stat().st_size,
            "sha256": hashlib.sha256(target.read_bytes()).hexdigest(),
        }
    (OUT / "provenance.json").write_text(json.dumps(provenance, indent=2) + "\n")
    total = sum(p["bytes"] for p in provenance.values())
    print(f"vendored {len(provenance)} bundles, {total / 1e6:.2f} MB, into {OUT}")


if __name__ == "__main__":
    main()
