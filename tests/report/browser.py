"""Open saved HTML reports in headless Chromium, offline, the way a person would see them.

* Chromium is Debian's ``/usr/bin/chromium`` (override with ``GEOFLEX_CHROMIUM``), driven
  by Playwright, with a fresh user-data directory and no background networking.
* Every http(s) request is routed: the report itself is served from its directory under a
  fake origin (``http://report.geoflex.invalid/``), CDN files that folium and altair pages
  load are served from local npm packages (``tests/report/install_browser_assets.sh``
  installs them into ``tests/_assets``, override with ``GEOFLEX_BROWSER_ASSETS``), and
  everything else is aborted and recorded, so a test can assert nothing unexpected was
  requested (a tile server, a tracking pixel, or an ``<img src=x>`` injected from data).
* Console errors, uncaught page errors and dialogs (``alert``...) are recorded; a dialog
  is dismissed, and :meth:`OpenedPage.problems` reports it.
* Screenshots go to ``tests/_artifacts/`` (gitignored; CI keeps them as artifacts).
"""

from __future__ import annotations

import json
import mimetypes
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

TESTS = Path(__file__).resolve().parent.parent
ASSETS = Path(os.environ.get("GEOFLEX_BROWSER_ASSETS", TESTS / "_assets")) / "node_modules"
ARTIFACTS = TESTS / "_artifacts"
CHROMIUM = Path(os.environ.get("GEOFLEX_CHROMIUM", "/usr/bin/chromium"))
ORIGIN = "http://report.geoflex.invalid"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]

#: folium defaults with no npm source: pages that keep folium's full CDN list request
#: them and get them aborted (geoflex maps load Leaflet only). Tests may allow them.
UNSERVED_FOLIUM_DEFAULTS = frozenset(
    {
        "https://netdna.bootstrapcdn.com/bootstrap/3.0.0/css/bootstrap-glyphicons.css",
        "https://cdn.jsdelivr.net/gh/python-visualization/folium/folium/templates/"
        "leaflet.awesome.rotate.min.css",
    }
)

_JSDELIVR_NPM = re.compile(r"^/npm/+(?P<pkg>(?:@[^/@]+/)?[^/@]+)@(?P<version>[^/]+)(?P<path>/.*)?$")
_JQUERY = re.compile(r"^/jquery-(?P<version>[\d.]+)(?P<min>\.min)?\.js$")
_CDNJS = re.compile(r"^/ajax/libs/(?P<lib>[^/]+)/(?P<version>[^/]+)/(?P<path>.+)$")
# cdnjs libraries -> (npm package, version it must have, {cdnjs folder prefix: npm folder}).
_CDNJS_PACKAGES = {
    "Leaflet.awesome-markers": (
        "drmonty-leaflet-awesome-markers",
        {"": "", "leaflet.awesome-markers.js": "js/", "leaflet.awesome-markers.css": "css/"},
    ),
}


class AssetsMissingError(RuntimeError):
    """The npm assets are not installed; the message says how to install them."""


def assets_available() -> bool:
    return (ASSETS / "leaflet" / "package.json").is_file()


def _package_version(package: str) -> str | None:
    manifest = ASSETS / package / "package.json"
    if not manifest.is_file():
        return None
    version: str = json.loads(manifest.read_text())["version"]
    return version


def _version_matches(installed: str, wanted: str) -> bool:
    """An exact version, or a major/minor prefix such as jsdelivr's ``vega@6``."""
    return installed == wanted or installed.startswith(wanted + ".")


def _inside(root: Path, relative: str) -> Path | None:
    candidate = (root / relative.lstrip("/")).resolve()
    if root.resolve() in candidate.parents and candidate.is_file():
        return candidate
    return None


def _package_entry(package: str) -> str:
    """The file jsdelivr serves for ``/npm/pkg@version`` with no path."""
    manifest = json.loads((ASSETS / package / "package.json").read_text())
    for key in ("jsdelivr", "unpkg", "browser", "main"):
        entry = manifest.get(key)
        if isinstance(entry, str):
            return entry
    return "index.js"


def local_asset(url: str) -> Path | None:
    """The local npm file standing in for a CDN ``url``, or None if there is none.

    A version mismatch returns None too: serving another version would hide a change in
    what folium/altair pages request.
    """
    parts = urlsplit(url)
    path = unquote(parts.path)
    if parts.netloc == "cdn.jsdelivr.net" and (match := _JSDELIVR_NPM.match(path)):
        package, version = match["pkg"], match["version"]
        installed = _package_version(package)
        if installed is None or not _version_matches(installed, version):
            return None
        inner = match["path"] or "/" + _package_entry(package)
        if inner.endswith("/+esm"):
            return None
        return _inside(ASSETS / package, inner)
    if parts.netloc == "code.jquery.com" and (match := _JQUERY.match(path)):
        installed = _package_version("jquery")
        if installed != match["version"]:
            return None
        return _inside(ASSETS / "jquery", f"dist/jquery{match['min'] or ''}.js")
    if parts.netloc == "cdnjs.cloudflare.com" and (match := _CDNJS.match(path)):
        known = _CDNJS_PACKAGES.get(match["lib"])
        if known is None:
            return None
        package, folders = known
        if _package_version(package) is None or match["version"] != "2.0.2":
            return None
        inner = match["path"]
        folder = folders.get(inner, "css/" if inner.startswith("images/") else "")
        return _inside(ASSETS / package, folder + inner)
    return None


_SETTLE = """() => new Promise((done) => {
    const maps = Object.keys(window).filter(
        (k) => k.startsWith("map_") && window.L && window[k] instanceof L.Map);
    const idle = () => maps.every(
        (k) => !window[k]._animatingZoom && !window[k]._panAnim?._inProgress);
    const wait = () => requestAnimationFrame(() => requestAnimationFrame(
        () => (idle() ? done(true) : setTimeout(wait, 50))));
    wait();
})"""


@dataclass
class OpenedPage:
    """A report opened in the browser, with everything it did recorded."""

    page: Any  # playwright.sync_api.Page
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    served: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)

    def problems(self, *, allow_blocked: frozenset[str] = frozenset()) -> list[str]:
        """Everything a clean page must not do: errors, dialogs, unexpected requests."""
        unexpected = [u for u in self.blocked if u not in allow_blocked]
        # A blocked request also logs "Failed to load resource: net::ERR_BLOCKED_BY_CLIENT";
        # it is reported below by its URL instead (or allowed).
        console = [e for e in self.console_errors if "ERR_BLOCKED_BY_CLIENT" not in e]
        return (
            [f"dialog: {d}" for d in self.dialogs]
            + [f"page error: {e}" for e in self.page_errors]
            + [f"console error: {e}" for e in console]
            + [f"unexpected request: {u}" for u in unexpected]
        )

    def frames(self) -> list[Any]:
        return list(self.page.frames)

    def wait_for_map(self, *, shapes: bool = True, timeout_ms: float = 15_000) -> Any:
        """Wait until Leaflet has drawn (its interactive paths, if ``shapes``) in some frame.

        Returns the frame holding the map (the page itself, or a srcdoc iframe).
        """
        selector = "path.leaflet-interactive" if shapes else ".leaflet-container"
        self.page.wait_for_load_state("load")
        deadline_step = 100
        waited = 0.0
        while waited < timeout_ms:
            for frame in self.page.frames:
                if frame.locator(selector).count() > 0:
                    # let fitBounds/zoom animations finish before anyone hovers
                    frame.evaluate(_SETTLE)
                    return frame
            self.page.wait_for_timeout(deadline_step)
            waited += deadline_step
        raise AssertionError(
            f"Leaflet drew no {selector!r} within {timeout_ms / 1000:.0f} s; "
            f"problems: {self.problems()}"
        )

    def hover_latlng(self, frame: Any, lat: float, lon: float) -> None:
        """Move the mouse over a geographic point of the (first) Leaflet map in ``frame``."""
        x, y = frame.evaluate(
            """([lat, lon]) => {
                const name = Object.keys(window).find(
                    (k) => k.startsWith("map_") && window[k] instanceof L.Map);
                const map = window[name];
                const point = map.latLngToContainerPoint([lat, lon]);
                const box = map.getContainer().getBoundingClientRect();
                return [box.left + point.x, box.top + point.y];
            }""",
            [lat, lon],
        )
        offset_x, offset_y = 0.0, 0.0
        element = frame.frame_element() if frame.parent_frame else None
        if element is not None:
            box = element.bounding_box()
            offset_x, offset_y = box["x"], box["y"]
        self.page.mouse.move(offset_x + x, offset_y + y)
        self.page.mouse.move(offset_x + x + 1, offset_y + y + 1)  # sticky tooltips follow moves

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


_LAYOUT = """() => {
    const box = (e) => { const r = e.getBoundingClientRect();
        return {left: r.left, top: r.top, right: r.right, bottom: r.bottom}; };
    const visible = (e) => e.getBoundingClientRect().height > 0;
    const map = document.querySelector(".leaflet-container");
    const control = document.querySelector(".leaflet-control-layers");
    return {
        viewport: {left: 0, top: 0, right: window.innerWidth, bottom: window.innerHeight},
        map: box(map),
        control: control ? box(control) : null,
        legends: [...document.querySelectorAll(".geoflex-legend")].filter(visible).map(box),
        sections: [...document.querySelectorAll(".geoflex-legend-section")].map(
            (e) => e.innerText),
    };
}"""


def map_layout(frame: Any) -> dict[str, Any]:
    """Where a frame's Leaflet map, layer control and legends are (client rectangles)."""
    return dict(frame.evaluate(_LAYOUT))


def overlaps(a: dict[str, float], b: dict[str, float]) -> bool:
    """Whether two client rectangles share any area."""
    return (
        a["left"] < b["right"]
        and b["left"] < a["right"]
        and a["top"] < b["bottom"]
        and b["top"] < a["bottom"]
    )


def assert_one_clear_legend(frame: Any) -> dict[str, Any]:
    """The map has one legend, inside the frame (nothing cut off) and over none of the map
    (so over no data, no layer control and no other legend)."""
    layout = map_layout(frame)
    (legend,) = layout["legends"]
    assert not overlaps(legend, layout["map"]), layout
    if layout["control"] is not None:
        assert not overlaps(legend, layout["control"]), layout
    view = layout["viewport"]
    assert view["left"] <= legend["left"], layout
    assert legend["right"] <= view["right"] + 0.5, layout
    assert view["top"] <= legend["top"], layout
    assert legend["bottom"] <= view["bottom"] + 0.5, layout
    return layout


class Browser:
    """One headless Chromium with a fresh profile; :meth:`open` loads one report."""

    def __init__(self) -> None:
        if not CHROMIUM.exists():
            raise FileNotFoundError(f"Chromium not found at {CHROMIUM}")
        if not assets_available():
            raise AssetsMissingError(
                f"browser test assets missing in {ASSETS}; install them with "
                "tests/report/install_browser_assets.sh (npm)"
            )
        from playwright.sync_api import sync_playwright

        self._profile = tempfile.mkdtemp(prefix="geoflex-chromium-")
        self._playwright = sync_playwright().start()
        self.context = self._playwright.chromium.launch_persistent_context(
            self._profile,
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1200, "height": 800},
            service_workers="block",
        )

    def close(self) -> None:
        try:
            self.context.close()
            self._playwright.stop()
        finally:
            shutil.rmtree(self._profile, ignore_errors=True)

    @contextmanager
    def open(self, html_file: Path, *, timeout_ms: float = 20_000) -> Iterator[OpenedPage]:
        """Open ``html_file`` (siblings are reachable by relative links) and record it all."""
        root = html_file.resolve().parent
        page = self.context.new_page()
        opened = OpenedPage(page)

        def route(route: Any, request: Any) -> None:
            url = request.url
            if url.startswith(ORIGIN + "/"):
                local = _inside(root, unquote(urlsplit(url).path))
            else:
                local = local_asset(url) if url.startswith(("http://", "https://")) else None
            if local is None:
                opened.blocked.append(url)
                route.abort("blockedbyclient")
                return
            opened.served.append(url)
            content_type = mimetypes.guess_type(local.name)[0] or "application/octet-stream"
            route.fulfill(path=str(local), content_type=content_type, status=200)

        def on_console(message: Any) -> None:
            if message.type == "error":
                opened.console_errors.append(message.text)

        def on_dialog(dialog: Any) -> None:
            opened.dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        page.route("**/*", route)
        page.on("console", on_console)
        page.on("pageerror", lambda error: opened.page_errors.append(str(error)))
        page.on("dialog", on_dialog)
        page.set_default_timeout(timeout_ms)
        try:
            page.goto(f"{ORIGIN}/{html_file.name}", wait_until="load")
            yield opened
        finally:
            page.close()


def main(argv: list[str] | None = None) -> int:
    """``python -m tests.report.browser REPORT.html...``: screenshot reports, list problems."""
    import sys

    paths = [Path(p) for p in (sys.argv[1:] if argv is None else argv)]
    browser = Browser()
    failed = 0
    try:
        for path in paths:
            with browser.open(path) as opened:
                opened.page.wait_for_timeout(500)  # let maps and charts draw
                shot = opened.screenshot(path.stem)
                problems = opened.problems(allow_blocked=UNSERVED_FOLIUM_DEFAULTS)
                failed += bool(problems)
                print(f"{path}: {shot}", *[f"  {p}" for p in problems], sep="\n")
    finally:
        browser.close()
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
