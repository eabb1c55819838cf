"""The documentation site builds with warnings as errors (broken links, missing pages...)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.docs
def test_site_builds_strictly(tmp_path: Path) -> None:
    site = tmp_path / "site"
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},  # the theme's banner, not a warning
    )
    assert done.returncode == 0, done.stderr[-4000:]
    pages = {p.relative_to(site).as_posix() for p in site.rglob("index.html")}
    for page in ("index.html", "reference/cli/index.html", "reference/api/geoflex/index.html"):
        assert page in pages, sorted(pages)
    cli = (site / "reference/cli/index.html").read_text(encoding="utf-8")
    assert "--default-country" in cli  # generated from click, not written by hand
