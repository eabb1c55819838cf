"""Pages name input files as given (or by base name), never by a path of the machine."""

from __future__ import annotations

import sysconfig
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

import geoflex
from geoflex.cli import main
from geoflex.report._compute import quality_frames


@pytest.fixture(scope="module")
def demo_pages(tmp_path_factory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("demo") / "reports"
    result = CliRunner().invoke(main, ["demo", "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(out.glob("*.html"))}


def test_demo_pages_hold_no_machine_path(demo_pages):
    machine = {
        "the package": str(Path(geoflex.__file__).parent),
        "site-packages": sysconfig.get_paths()["purelib"],
        "the home directory": str(Path.home()) + "/",
        "the working directory": str(Path.cwd()),
    }
    assert len(demo_pages) == 5  # with the glossary
    for name, html in demo_pages.items():
        for what, path in machine.items():
            assert path not in html, f"{name} shows {what} ({path})"


def test_demo_names_its_sample_file_by_base_name(demo_pages):
    assert "events.ndjson.gz" in demo_pages["index.html"]  # the input problems table


def _problems(*files: str) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "file": list(files),
            "line": list(range(1, len(files) + 1)),
            "reason": [f"{f}: not a usable JSON object" for f in files],
        }
    )


def test_problem_rows_name_files_as_given_or_by_base_name():
    from geoflex.report._compute import Located
    from geoflex.report._rows import PolarsRows, Tables

    conversations = PolarsRows(pl.DataFrame({"geo_status": ["ok"], "geo_level": ["city"]}))
    located = Located(conversations, "t", None)
    files = (
        "exports/day1.ndjson",  # relative: as given
        "/home/ann/exports/day2.ndjson",
        "/usr/lib/python3/site-packages/geoflex/_data/sample/events.ndjson.gz",
        "../../secret/day3.ndjson",
        "~/day4.ndjson",
        "C:\\Users\\ann\\day5.ndjson",
    )
    tables = Tables(None, None, None, None, problems=PolarsRows(_problems(*files)))
    shown = quality_frames(located, tables)["problems"]
    assert shown is not None
    shown = shown.sort("line")  # the files in the order given (their lines are 1, 2...)
    assert shown["file"].to_list() == [
        "exports/day1.ndjson",
        "day2.ndjson",
        "events.ndjson.gz",
        "day3.ndjson",
        "day4.ndjson",
        "day5.ndjson",
    ]
    assert shown["reason"].to_list() == [f"{f}: not a usable JSON object" for f in shown["file"]]
