"""The geoflex command, through click's CliRunner and once as a real subprocess."""

from __future__ import annotations

import subprocess
import sys

import polars as pl
import pytest
from click.testing import CliRunner

import geoflex
from geoflex.cli import main


@pytest.fixture(scope="module")
def events_file(tmp_path_factory):
    from geoflex.sample._generator import write

    path = tmp_path_factory.mktemp("events") / "events.ndjson.gz"
    write(path, 300, seed=5)
    return path


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_version():
    result = run("--version")
    assert result.exit_code == 0
    assert geoflex.__version__ in result.output


def test_help_lists_commands():
    result = run("--help")
    assert result.exit_code == 0
    for command in ("demo", "report", "resolve"):
        assert command in result.output


def test_report_writes_all_pages(tmp_path, events_file):
    out = tmp_path / "site"
    result = run("report", str(events_file), "--out", str(out), "--quiet")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "glossary.html",
        "index.html",
        "places.html",
        "spikes.html",
        "staffing.html",
    ]
    assert "Wrote 5 reports" in result.output


def test_report_with_config(tmp_path, events_file):
    config = tmp_path / "geoflex.toml"
    config.write_text('title = "Acme <b>care</b>"\nservice_level = 0.9\n')
    out = tmp_path / "site"
    result = run("report", str(events_file), "--out", str(out), "--config", str(config), "-q")
    assert result.exit_code == 0, result.output
    index = (out / "index.html").read_text()
    assert "Acme &lt;b&gt;care&lt;/b&gt;" in index
    assert "90% of conversations" in (out / "staffing.html").read_text()


def test_demo_builds_every_report_from_the_committed_sample(tmp_path):
    result = run("demo", "--out", str(tmp_path), "--quiet")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "glossary.html",
        "index.html",
        "places.html",
        "spikes.html",
        "staffing.html",
    ]
    staffing = (tmp_path / "staffing.html").read_text()
    assert "Flex Locations and their agents" in staffing  # the sample's ui_attributes
    assert "Primary edge" in staffing


def test_missing_input_is_a_clear_error(tmp_path):
    result = run("report", str(tmp_path / "nope.ndjson"), "--out", str(tmp_path))
    assert result.exit_code == 2
    assert "nope.ndjson': no such file" in result.output
    assert "Traceback" not in result.output


def test_bad_config_exits_2_with_the_reason(tmp_path, events_file):
    config = tmp_path / "bad.toml"
    config.write_text("service_level = 80\n")
    result = run("report", str(events_file), "--out", str(tmp_path), "--config", str(config))
    assert result.exit_code == 2
    assert "service_level" in result.output
    assert "service_level = 0.8" in result.output
    missing = run("report", str(events_file), "--config", str(tmp_path / "none.toml"))
    assert missing.exit_code == 2
    assert "none.toml: No such file" in missing.output


def test_resolve_csv_and_parquet(tmp_path):
    src = tmp_path / "in.csv"
    pl.DataFrame({"id": [1, 2, 3], "phone": ["+1 415-555-0132", "client:bob", ""]}).write_csv(src)
    out = tmp_path / "out.parquet"
    result = run("resolve", str(src), "--out", str(out))
    assert result.exit_code == 0, result.output
    frame = pl.read_parquet(out)
    assert frame["id"].to_list() == ["1", "2", "3"]  # read as text: phones keep their zeros
    assert frame["geo_status"].cast(pl.String).to_list()[:2] == ["ok", "not_a_phone"]
    csv_out = tmp_path / "out.csv"
    assert run("resolve", str(src), "--out", str(csv_out)).exit_code == 0
    assert pl.read_csv(csv_out).height == 3


def test_resolve_errors(tmp_path):
    src = tmp_path / "in.txt"
    src.write_text("x")
    result = run("resolve", str(src), "--out", str(tmp_path / "o.csv"))
    assert result.exit_code == 2
    assert ".csv or .parquet" in result.output
    csv = tmp_path / "in.csv"
    csv.write_text("number\n123\n")
    result = run("resolve", str(csv), "--out", str(tmp_path / "o.csv"))
    assert result.exit_code == 2
    assert "phone" in result.output


def test_real_subprocess(tmp_path, events_file):
    version = subprocess.run(
        [sys.executable, "-m", "geoflex.cli", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert version.returncode == 0
    assert geoflex.__version__ in version.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "geoflex.cli", "report", str(tmp_path / "missing.ndjson")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2
    assert "Traceback" not in bad.stderr
    assert "missing.ndjson': no such file" in bad.stderr


def test_debug_on_the_group_or_the_command_shows_the_traceback(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text("title = \n")
    for args in (
        ["--debug", "demo", "--config", str(config)],
        ["demo", "--config", str(config), "--debug"],
    ):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 1
        assert isinstance(result.exception, geoflex.ConfigError)  # raised, not turned into a line
    plain = run("demo", "--config", str(config))
    assert plain.exit_code == 2
    assert plain.output.startswith("Error: ")
    assert plain.output.count("\n") == 1


def test_a_bug_is_one_line_that_asks_for_debug(tmp_path, monkeypatch):
    import geoflex.report

    def broken(*_args, **_kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(geoflex.report, "build_all", broken)
    result = run("demo", "--out", str(tmp_path), "-q")
    assert result.exit_code == 1
    assert "unexpected ZeroDivisionError" in result.output
    assert "--debug" in result.output
    assert "Traceback" not in result.output


def test_problems_are_counted_in_the_summary(tmp_path, events_file):
    mixed = tmp_path / "mixed.ndjson"
    import gzip

    mixed.write_bytes(gzip.decompress(events_file.read_bytes()) + b"not json\n")
    result = run("report", str(mixed), "--out", str(tmp_path / "site"), "-q")
    assert result.exit_code == 0, result.output
    assert "lines could not be used" in result.output or "line could not be used" in result.output


def test_resolve_takes_the_config_and_the_options_of_the_api(tmp_path):
    src = tmp_path / "in.csv"
    pl.DataFrame(
        {
            "phone": ["+1 415-555-0132", "+44 20 7946 0958", "+33 1 42 68 53 00", "020 7946 0958"],
            "customer_zip": ["98101", None, None, None],
        }
    ).write_csv(src)
    config = tmp_path / "geoflex.toml"
    config.write_text(
        'default_country = "GB"\nregions_fallback = "continents"\n'
        '[regions]\nGB = "EMEA"\n[overrides]\nzip = "customer_zip"\n'
    )
    out = tmp_path / "out.parquet"
    result = run("resolve", str(src), "--out", str(out), "--config", str(config))
    assert result.exit_code == 0, result.output
    frame = pl.read_parquet(out)
    assert frame["state"].to_list()[0] == "Washington"  # the ZIP override beat the phone
    assert frame["region"].to_list() == ["North America", "EMEA", "Europe", "EMEA"]
    assert frame["country"].to_list()[3] == "GB"  # national format read as GB
    # options beat the config; --region adds to [regions]; a fallback name fills the rest
    named = run(
        "resolve", str(src), "--out", str(out), "--config", str(config),
        "--region", "FR=France", "--regions-fallback", "Elsewhere", "--default-country", "US",
    )  # fmt: skip
    assert named.exit_code == 0, named.output
    frame = pl.read_parquet(out)
    assert frame["region"].to_list()[:3] == ["Elsewhere", "EMEA", "France"]
    assert frame["country"][3] != "GB"  # --default-country US beat the config's GB


def test_resolve_masks_phones_only_when_asked(tmp_path):
    src = tmp_path / "in.csv"
    pl.DataFrame({"phone": ["+1 415-555-0132"], "name": ["+14155550132"]}).write_csv(src)
    out = tmp_path / "out.csv"
    assert run("resolve", str(src), "--out", str(out)).exit_code == 0
    kept = pl.read_csv(out, infer_schema=False)
    assert kept["phone_e164"][0] == "+14155550132"
    assert run("resolve", str(src), "--out", str(out), "--mask-phones").exit_code == 0
    masked = pl.read_csv(out, infer_schema=False).row(0, named=True)
    for column in ("phone", "phone_e164", "name"):
        assert "555" not in masked[column]
        assert masked[column].endswith("32")
    assert masked["country"] == "US"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--override", "zip"], "--override 'zip': write FIELD=COLUMN"),
        (["--region", "=x"], "--region '=x': write COUNTRY=REGION"),
        (["--region", "US=Americas"], "regions_fallback"),
        (["--override", "postcode=zip"], "unknown field 'postcode'"),
        (["--override", "zip=nope"], "column 'nope'"),
        (["--default-country", "ZZ"], "default_country"),
        (["--region", "XX=Nowhere", "--regions-fallback", "continents"], "'XX' is not an ISO"),
    ],
)
def test_resolve_option_mistakes_name_the_option(tmp_path, args, says):
    src = tmp_path / "in.csv"
    src.write_text("phone\n+14155550132\n")
    result = run("resolve", str(src), "--out", str(tmp_path / "o.csv"), *args)
    assert result.exit_code == 2, result.output
    assert says in result.output
    assert result.output.count("\n") == 1
    assert not (tmp_path / "o.csv").exists()


def _settings_table() -> str:
    """The README's table of config settings, as config_schema() defines them."""
    from geoflex.report import config_schema

    rows = [
        "| Setting | Type | Default | Allowed | Read by | What it does |",
        "|---|---|---|---|---|---|",
    ]
    for s in config_schema():
        rows.append(
            f"| `{s.name}` | {s.type} | {s.default_shown} | {s.limits or 'any'} | "
            f"{', '.join(s.commands)} | {s.description} |"
        )
    return "\n".join(rows)


def test_readme_lists_every_setting_as_the_schema_defines_it():
    from pathlib import Path

    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    start = readme.index("<!-- settings: start -->\n") + len("<!-- settings: start -->\n")
    end = readme.index("<!-- settings: end -->")
    expected = _settings_table()
    assert readme[start:end].strip() == expected, "update README.md's table to:\n" + expected
