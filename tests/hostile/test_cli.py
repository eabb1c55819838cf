"""Careless and hostile command lines: one line on stderr, the right exit status, no traceback.

Every case runs the installed ``geoflex`` command as a real subprocess (in a thread pool,
so the whole table costs a few seconds). Exit status 2 is a mistake in the command line or
the config, 1 is input that cannot be used.
"""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import polars as pl
import pytest

GEOFLEX = shutil.which("geoflex", path=str(Path(sys.executable).parent)) or "geoflex"
USAGE, INPUT = 2, 1
ALIAS_BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True)
)
# Readable by nobody, not even root (write-only sysctl), and a file that fails with EIO.
UNREADABLE = "/proc/sys/vm/drop_caches"
UNWRITABLE_DIR = "/sys/geoflex-out"


def _unreadable() -> bool:
    try:
        with open(UNREADABLE, "rb") as handle:
            handle.read(1)
    except PermissionError:
        return True
    except OSError:
        return False
    return False


def _unwritable() -> bool:
    try:
        os.mkdir(UNWRITABLE_DIR)
    except OSError:
        return True
    os.rmdir(UNWRITABLE_DIR)
    return False


def _files(root: Path) -> None:
    from geoflex.sample._generator import write

    write(root / "events.ndjson.gz", 50, seed=3)
    (root / "utf16.toml").write_bytes('title = "Acme"\n'.encode("utf-16"))
    (root / "latin1.toml").write_bytes('title = "Caf\xe9"\n'.encode("latin-1"))
    (root / "invalid.toml").write_text("title = \n")
    (root / "deep.toml").write_text("a = " + "[" * 5000 + "]" * 5000 + "\n")
    (root / "huge.toml").write_text("# padding\n" * 200_000)
    (root / "bomb.yaml").write_text(ALIAS_BOMB)
    (root / "bomb.yml").write_text(ALIAS_BOMB)
    (root / "settings.ini").write_text("[x]\n")
    (root / "ansi.toml").write_text('"\\u001b]0;pwned\\u0007\\u001b[2J" = 1\n')
    (root / "type.toml").write_text('service_level = "high"\n')
    (root / "range.toml").write_text("service_level = 80\n")
    (root / "zone.toml").write_text('centre_timezone = "../../../etc/passwd"\n')
    (root / "nan.toml").write_text("shrinkage = nan\n")
    (root / "ui.toml").write_text('ui_attributes = "missing.json"\n')
    (root / "a_file").write_text("x\n")
    (root / "not_gzip.ndjson.gz").write_bytes(b"not gzip at all\n")
    whole = gzip.compress(b'{"a": 1}\n' * 2000)
    (root / "truncated.ndjson.gz").write_bytes(whole[: len(whole) // 2])
    (root / "not_events.json").write_text('[{"a": 1}]\n')
    (root / "empty.ndjson").write_bytes(b"")
    (root / "other.csv").write_text("name,amount\nada,1\nbob,2\n")
    (root / "random.ndjson").write_bytes(bytes(range(256)) * 40)
    (root / "no_events_dir").mkdir()
    (root / "no_events_dir" / "notes.txt").write_text("x\n")
    (root / "in_dir").mkdir()
    os.symlink("/dev/zero", root / "zero.toml")
    os.symlink("/proc/self/mem", root / "eio.ndjson")
    os.symlink(UNREADABLE, root / "unreadable.toml")
    os.symlink(UNREADABLE, root / "unreadable.ndjson")
    os.symlink(UNREADABLE, root / "unreadable.csv")
    pl.DataFrame({"id": ["1"], "phone": ["+14155550132"]}).write_csv(root / "in.csv")
    (root / "latin1.csv").write_bytes("phone,city\n+14155550132,Z\xfcrich\n".encode("latin-1"))
    (root / "empty.csv").write_bytes(b"")
    (root / "fake.parquet").write_text("phone\n+14155550132\n")
    pl.DataFrame({"phone": [14155550132]}).write_parquet(root / "int_phone.parquet")


REPORT = ["report", "events.ndjson.gz", "--out", "site", "-q"]

# (id, arguments, exit status, words the one line must contain)
CASES: list[tuple[str, list[str], int, str]] = [
    # configuration files
    ("config-utf16", [*REPORT, "--config", "utf16.toml"], USAGE, "not UTF-8"),
    ("config-latin1", [*REPORT, "--config", "latin1.toml"], USAGE, "not UTF-8"),
    ("config-invalid-toml", [*REPORT, "--config", "invalid.toml"], USAGE, "invalid TOML"),
    ("config-deep-nesting", [*REPORT, "--config", "deep.toml"], USAGE, "nested too deeply"),
    ("config-over-1-mib", [*REPORT, "--config", "huge.toml"], USAGE, "larger than 1 MiB"),
    ("config-dev-zero", [*REPORT, "--config", "zero.toml"], USAGE, "larger than 1 MiB"),
    ("config-yaml-alias-bomb", [*REPORT, "--config", "bomb.yaml"], USAGE, "YAML"),
    ("config-yml-alias-bomb", ["demo", "--config", "bomb.yml"], USAGE, "YAML"),
    ("config-ini", [*REPORT, "--config", "settings.ini"], USAGE, ".toml"),
    ("config-missing", [*REPORT, "--config", "nope.toml"], USAGE, "nope.toml"),
    ("config-directory", [*REPORT, "--config", "in_dir"], USAGE, "--config"),
    ("config-unreadable", [*REPORT, "--config", "unreadable.toml"], USAGE, "--config"),
    ("config-ansi-key", [*REPORT, "--config", "ansi.toml"], USAGE, "unknown setting"),
    ("config-wrong-type", [*REPORT, "--config", "type.toml"], USAGE, "service_level"),
    ("config-out-of-range", [*REPORT, "--config", "range.toml"], USAGE, "service_level"),
    ("config-nan", [*REPORT, "--config", "nan.toml"], USAGE, "shrinkage"),
    ("config-zone-path", [*REPORT, "--config", "zone.toml"], USAGE, "centre_timezone"),
    ("config-ui-missing", ["demo", "--out", "site", "--config", "ui.toml"], USAGE, "missing.json"),
    # --out
    ("out-under-a-file", ["demo", "--out", "a_file/site"], USAGE, "a_file is not a directory"),
    ("out-dev-null", ["demo", "--out", "/dev/null"], USAGE, "--out /dev/null"),
    ("out-is-a-file", [*REPORT[:2], "--out", "a_file"], USAGE, "--out"),
    ("out-unwritable", ["demo", "--out", UNWRITABLE_DIR], USAGE, f"--out {UNWRITABLE_DIR}"),
    # report inputs
    ("input-missing", ["report", "nope.ndjson", "--out", "site"], USAGE, "nope.ndjson"),
    ("input-glob-no-match", ["report", "nope*.ndjson", "--out", "site"], USAGE, "no file matches"),
    ("input-dir-no-events", ["report", "no_events_dir"], INPUT, "no TaskRouter events"),
    ("input-not-gzip", ["report", "not_gzip.ndjson.gz", "-q"], INPUT, "not_gzip.ndjson.gz"),
    ("input-truncated-gzip", ["report", "truncated.ndjson.gz"], INPUT, "truncated.ndjson.gz"),
    ("input-not-events", ["report", "not_events.json"], INPUT, "no TaskRouter events"),
    ("input-empty", ["report", "empty.ndjson"], INPUT, "in 'empty.ndjson' (no lines)"),
    ("input-other-csv", ["report", "other.csv"], INPUT, "no TaskRouter events"),
    ("input-random-bytes", ["report", "random.ndjson"], INPUT, "random.ndjson"),
    ("input-unreadable", ["report", "unreadable.ndjson"], INPUT, "unreadable.ndjson"),
    ("input-eio", ["report", "eio.ndjson"], INPUT, "eio.ndjson"),
    # the command line itself
    ("unknown-option", ["report", "--bogus"], USAGE, "--bogus"),
    ("missing-argument", ["report"], USAGE, "INPUTS"),
    ("unknown-command", ["frobnicate"], USAGE, "frobnicate"),
    ("resolve-no-out", ["resolve", "in.csv"], USAGE, "--out"),
    # resolve
    ("resolve-missing", ["resolve", "nope.csv", "--out", "o.csv"], USAGE, "nope.csv"),
    ("resolve-input-suffix", ["resolve", "a_file", "--out", "o.csv"], USAGE, ".csv or .parquet"),
    ("resolve-out-suffix", ["resolve", "in.csv", "--out", "o.txt"], USAGE, ".csv or .parquet"),
    ("resolve-input-dir", ["resolve", "in_dir", "--out", "o.csv"], USAGE, "in_dir"),
    ("resolve-latin1-csv", ["resolve", "latin1.csv", "--out", "o.csv"], INPUT, "latin1.csv"),
    ("resolve-empty-csv", ["resolve", "empty.csv", "--out", "o.csv"], INPUT, "empty.csv"),
    ("resolve-unreadable", ["resolve", "unreadable.csv", "--out", "o.csv"], INPUT, "unreadable"),
    ("resolve-fake-parquet", ["resolve", "fake.parquet", "--out", "o.csv"], INPUT, "fake.parquet"),
    ("resolve-int-phone", ["resolve", "int_phone.parquet", "--out", "o.csv"], INPUT, "String"),
    ("resolve-no-column", ["resolve", "in.csv", "--out", "o.csv", "--phone", "tel"], USAGE, "tel"),
    ("resolve-out-under-file", ["resolve", "in.csv", "--out", "a_file/o.csv"], USAGE, "a_file is"),
    (
        "resolve-bad-country",
        ["resolve", "in.csv", "--out", "o.csv", "--default-country", "USA"],
        USAGE,
        "default_country",
    ),
]
NEEDS = {
    "config-unreadable": _unreadable,
    "input-unreadable": _unreadable,
    "resolve-unreadable": _unreadable,
    "out-unwritable": _unwritable,
    "input-eio": lambda: os.path.exists("/proc/self/mem"),
}


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [GEOFLEX, *args],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        errors="backslashreplace",
        timeout=300,
        check=False,
        env={**os.environ, "COLUMNS": "200"},
    )


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Every case, run concurrently in its own copy-free directory of hostile files."""
    root = tmp_path_factory.mktemp("hostile_cli")
    _files(root)
    todo = {name: args for name, args, _, _ in CASES if NEEDS.get(name, lambda: True)()}
    todo["debug"] = [*REPORT, "--config", "invalid.toml", "--debug"]
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = {name: pool.submit(_run, args, root) for name, args in todo.items()}
    return root, {name: future.result() for name, future in futures.items()}


@pytest.mark.parametrize(("name", "args", "status", "says"), CASES, ids=[c[0] for c in CASES])
def test_mistake_is_one_line_and_an_exit_status(runs, name, args, status, says):
    root, results = runs
    if name not in results:
        pytest.skip(f"this machine cannot make the file for {name}")
    result = results[name]
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    assert says in lines[0]
    assert "\x1b" not in result.stderr  # no terminal escapes from data reach the terminal
    assert len(lines[0]) < 800
    assert result.returncode == status, result.stderr
    assert not (root / "site").exists() or not any((root / "site").iterdir())
    assert not list(root.glob(".o.csv*"))
    assert not (root / "o.csv").exists()


def test_debug_shows_the_traceback(runs):
    _, results = runs
    result = results["debug"]
    assert "Traceback" in result.stderr
    assert "invalid TOML" in result.stderr
    assert result.returncode == 1
