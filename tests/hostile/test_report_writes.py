"""Report writes are atomic and one run at a time per --out, with real concurrent processes.

A "holder" is a real Python process that takes ``--out`` through the same code as
``build_all`` (`geoflex.report._write.publish`) and then waits, in the middle of writing
its pages, until the test lets it go; the other side is a real ``geoflex report`` run.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import geoflex.sample
from geoflex._errors import GeoflexError
from geoflex.report import Paragraphs, Report, Section
from geoflex.report._write import publish

PAGES = ("index.html", "places.html", "staffing.html", "spikes.html")

# Writes half its pages into the staging directory, says so, and waits for "go".
_HOLDER = """
import sys, time
from pathlib import Path
from geoflex.report._write import publish

out, flag, go = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])

def write(staging):
    pages = []
    for name in ("places.html", "staffing.html", "spikes.html", "index.html"):
        page = staging / name
        page.write_text(f"<p>new {name}</p>", encoding="utf-8")
        pages.append(page)
        if name == "staffing.html":
            flag.write_text("writing")
            while not go.exists():
                time.sleep(0.05)
    return pages

publish(out, write)
"""


def _holder(tmp_path: Path, out: Path) -> tuple[subprocess.Popen[bytes], Path, Path]:
    flag, go = tmp_path / "holder-writing", tmp_path / "holder-go"
    process = subprocess.Popen([sys.executable, "-c", _HOLDER, str(out), str(flag), str(go)])
    deadline = time.monotonic() + 120
    while not flag.exists():
        assert process.poll() is None, "the holder process ended early"
        assert time.monotonic() < deadline, "the holder never started writing"
        time.sleep(0.05)
    return process, flag, go


def _old_pages(out: Path) -> dict[str, str]:
    out.mkdir(parents=True, exist_ok=True)
    pages = {name: f"<p>old {name}</p>" for name in PAGES}
    for name, text in pages.items():
        (out / name).write_text(text, encoding="utf-8")
    return pages


def _read(out: Path) -> dict[str, str]:
    return {name: (out / name).read_text(encoding="utf-8") for name in PAGES}


@pytest.fixture(scope="module")
def events(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("events") / "events.ndjson"
    path.write_text("\n".join(geoflex.sample.generate(60, seed=5)["line"]) + "\n")
    return path


def test_a_second_run_into_the_same_out_fails_clearly_and_mixes_nothing(tmp_path, events):
    out = tmp_path / "reports"
    old = _old_pages(out)
    holder, _, go = _holder(tmp_path, out)
    try:
        # Mid-run, readers of --out still see the complete old set.
        assert _read(out) == old
        second = subprocess.run(
            [sys.executable, "-m", "geoflex.cli", "report", str(events), "--out", str(out), "-q"],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert second.returncode != 0
        assert "another geoflex run is writing reports there" in second.stderr
        assert "Traceback" not in second.stderr
        assert _read(out) == old  # the second run wrote nothing
    finally:
        go.write_text("go")
        assert holder.wait(timeout=120) == 0
    assert _read(out) == {name: f"<p>new {name}</p>" for name in PAGES}
    assert not list(tmp_path.glob(".reports.*.partial"))  # staging removed


def test_a_killed_run_leaves_the_old_pages_and_the_next_run_succeeds(tmp_path, events):
    out = tmp_path / "reports"
    old = _old_pages(out)
    (out / "notes.txt").write_text("mine")  # a file the runs do not write
    holder, _, _ = _holder(tmp_path, out)
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=60)
    assert _read(out) == old
    assert list(tmp_path.glob(".reports.*.partial"))  # the killed run's staging is left
    # The lock died with the process: a real run proceeds and replaces the pages whole.
    done = subprocess.run(
        [sys.executable, "-m", "geoflex.cli", "report", str(events), "--out", str(out), "-q"],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    pages = _read(out)
    assert all(page.startswith("<!DOCTYPE html>") for page in pages.values())
    assert all(page.rstrip().endswith("</html>") for page in pages.values())
    assert (out / "notes.txt").read_text() == "mine"  # left as it was
    assert not list(tmp_path.glob(".reports.*.partial"))  # the leftover staging is gone
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_out_that_is_a_file_is_refused(tmp_path):
    out = tmp_path / "reports"
    out.write_text("not a directory")
    with pytest.raises(GeoflexError, match="not a directory"):
        publish(out, lambda staging: [])
    assert out.read_text() == "not a directory"


def test_a_failed_build_changes_nothing(tmp_path):
    out = tmp_path / "reports"
    old = _old_pages(out)

    def write(staging: Path) -> list[Path]:
        (staging / "index.html").write_text("half")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        publish(out, write)
    assert _read(out) == old
    assert not list(tmp_path.glob(".reports.*.partial"))


def test_report_save_is_atomic_and_keeps_the_umask_permissions(tmp_path):
    target = tmp_path / "page.html"
    target.write_text("old")
    Report("Title", [Section("S", [Paragraphs(["text"])])]).save(target)
    assert "<h1>Title</h1>" in target.read_text()
    assert [p.name for p in tmp_path.iterdir()] == ["page.html"]  # no temporary left
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask


def test_pages_report_lists_what_was_written_in_order(tmp_path):
    out = tmp_path / "reports"

    def write(staging: Path) -> list[Path]:
        return [Report(name, []).save(staging / name) for name in ("index.html", "places.html")]

    written = publish(out, write)
    assert written == [out / "index.html", out / "places.html"]
    assert sorted(p.name for p in out.iterdir()) == ["index.html", "places.html"]
