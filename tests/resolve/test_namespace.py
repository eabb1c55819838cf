"""The expression namespace and the package surface."""

from __future__ import annotations

import os
import subprocess
import sys

import polars as pl

import geoflex  # noqa: F401  (registers pl.Expr.geoflex)


def test_expression_namespace_returns_a_struct_of_the_phone_columns() -> None:
    df = pl.DataFrame({"phone": ["+44 20 7946 0958", None]})
    out = df.select(geo=pl.col("phone").geoflex.resolve(), e164=pl.col("phone").geoflex.e164())
    assert out.schema["geo"].to_schema()["country"] == pl.String  # type: ignore[attr-defined]
    assert out["e164"].to_list() == ["+442079460958", None]
    assert out["geo"].struct.field("geo_status").to_list() == ["ok", "empty"]


def test_other_namespaces_are_untouched() -> None:
    assert pl.col("a").str.len_chars() is not None
    assert hasattr(pl.Expr, "geoflex")


def test_import_is_light() -> None:
    code = (
        # CPU time, not wall time: a loaded machine must not fail the check.
        "import sys, time; t = time.process_time(); import geoflex; "
        "print(time.process_time() - t); "
        "print(','.join(m for m in ('phonenumbers', 'folium', 'geopandas', 'shapely', 'jinja2', "
        "'altair', 'pandas', 'pyarrow', 'pyspark', 'numpy', 'geoflex.resolve._core', "
        "'geoflex.ingest', 'geoflex.aggregate', 'geoflex.staffing') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    seconds, heavy = out.stdout.strip().splitlines() + [""] * (
        2 - len(out.stdout.strip().splitlines())
    )
    assert heavy == "", f"import geoflex pulled in {heavy}"
    assert float(seconds) < 1.0  # the 0.3 s budget is measured by benchmarks/bench_resolve.py


def _run(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_public_names_load_on_first_use_whatever_was_imported_before() -> None:
    # Importing the report first imports the geoflex.resolve subpackage: the package's name
    # ``resolve`` must still be the function, and the subpackage still importable.
    code = (
        "import geoflex.report, geoflex, geoflex.resolve as r; "
        "from geoflex.resolve import GEO_COLUMNS, resolve; "
        "print(callable(geoflex.resolve), r is geoflex.resolve, resolve is geoflex.resolve, "
        "geoflex.erlang_c.__module__, 'volume' in dir(geoflex), len(GEO_COLUMNS) > 5)"
    )
    assert _run(code) == "True True True geoflex.staffing._erlang True True"


def test_an_unknown_name_is_an_attribute_error() -> None:
    code = (
        "import geoflex\ntry:\n    geoflex.no_such_thing\nexcept AttributeError as e:\n    print(e)"
    )
    assert _run(code) == "module 'geoflex' has no attribute 'no_such_thing'"


def test_several_large_resolves_in_one_select_do_not_wait_on_each_other() -> None:
    # Each expression runs on a thread of polars' pool; were each to spread its work over
    # helper threads that need that pool, two of them could take both pool threads and wait
    # forever (they did, before only one call at a time was allowed to spread).
    code = (
        "import polars as pl, geoflex\n"
        "n = 250_000\n"
        "a = [f'+1 415 555 {i % 10_000:04d}' if i % 2 else f'+44 20 7946 {i % 10_000:04d}'"
        " for i in range(n)]\n"
        "b = [f'+61 3 5{i:07d}'[:15] for i in range(n)]\n"
        "df = pl.DataFrame({'a': a, 'b': b, 'c': list(reversed(a))})\n"
        "out = df.select(pl.col(c).geoflex.resolve().struct.field('country').alias(c)"
        " for c in 'abc')\n"
        "print(out.height, out['a'].null_count(), out['b'].null_count(), out['c'].null_count())\n"
    )
    env = {**os.environ, "POLARS_MAX_THREADS": "2"}
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env=env,
    )
    assert out.stdout.split() == ["250000", "0", "0", "0"]
