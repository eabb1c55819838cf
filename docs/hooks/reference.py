"""MkDocs hook: the reference pages, generated from the code's own definitions at build time.

Nothing here is written by hand, so the site cannot drift from the code: the API pages list
exactly what each public module's ``__all__`` exports (the modules and names the public-API
snapshot test guards, tests/public_api.py), the contract columns come from ``GEO_SCHEMA``
and the frames ``read_events`` returns, statuses and levels from their definitions in
``geoflex.resolve``, configuration keys from the report configuration, and the command line
from click's own command objects. CHANGELOG.md (and SECURITY.md, when there is one) are
published as pages from the repository root.
"""

from __future__ import annotations

import importlib
import inspect
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # tests.public_api: one definition of the public API
    sys.path.insert(0, str(ROOT))

from mkdocs.config.defaults import MkDocsConfig  # noqa: E402
from mkdocs.structure.files import File, Files  # noqa: E402

from tests.public_api import module_all, public_modules  # noqa: E402

API_DIR = "reference/api"


def _cell(value: object) -> str:
    """A value as a Markdown table cell (pipes escaped, newlines flattened)."""
    return str(value).replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: list[list[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _code(value: object) -> str:
    return f"`{value}`" if value not in (None, "") else ""


# --- API ---------------------------------------------------------------------------------


def api_page(dotted: str) -> str:
    module = importlib.import_module(dotted)
    members = module_all(module)
    summary = (module.__doc__ or "").strip().splitlines()[0] if module.__doc__ else ""
    lines = [f"# `{dotted}`", "", summary, ""]
    for name in members:
        lines += [f"::: {dotted}.{name}", "    options:", "      show_root_heading: true", ""]
    return "\n".join(lines)


def api_index() -> str:
    rows = []
    for dotted in public_modules():
        module = importlib.import_module(dotted)
        doc = (module.__doc__ or "").strip().splitlines()
        rows.append([f"[`{dotted}`]({dotted}.md)", doc[0] if doc else "", len(module_all(module))])
    return (
        "# API reference\n\nEvery public module and every name its `__all__` exports, "
        "generated from the docstrings. What is public, and how it may change, is in "
        "[Stability and deprecations](../../explanation/stability.md).\n\n"
        + _table(["module", "what it holds", "names"], rows)
    )


# --- contract columns, statuses ------------------------------------------------------------


def columns_page() -> str:
    import geoflex.sample
    from geoflex.resolve import GEO_SCHEMA
    from geoflex.resolve._schema import COLUMN_MEANINGS

    out = [
        "# Contract columns\n",
        "## What `resolve` adds\n",
        "`geoflex.resolve` returns its input with these columns added, in this order "
        "(`geoflex.resolve.GEO_SCHEMA`); `lookup` returns the same fields as a `GeoRecord`.\n",
        _table(
            ["column", "dtype", "meaning"],
            [[f"`{c}`", f"`{t}`", COLUMN_MEANINGS[c]] for c, t in GEO_SCHEMA.items()],
        ),
        "\n## What `read_events` returns\n",
        "The frames of `geoflex.FlexData`, with the columns and dtypes they have when the "
        "embedded sample is read (`geoflex.sample.load()`); what each frame holds is in the "
        "[FlexData reference](api/geoflex.md#geoflex.FlexData).\n",
    ]
    data = geoflex.sample.load()
    for part in ("segments", "conversations", "customers", "agents", "problems"):
        frame = getattr(data, part)
        out.append(f"\n### `{part}`\n")
        out.append(
            _table(["column", "dtype"], [[f"`{c}`", f"`{t}`"] for c, t in frame.schema.items()])
        )
    return "\n".join(out)


def statuses_page() -> str:
    from geoflex.ingest import PLACE_STATUSES
    from geoflex.resolve import GEO_LEVELS, GEO_SOURCES, GEO_STATUSES
    from geoflex.resolve._schema import LEVEL_MEANINGS, SOURCE_MEANINGS, STATUS_MEANINGS

    def rows(values: tuple[str, ...], meanings: dict[str, str]) -> list[list[object]]:
        return [[f"`{v}`", meanings[v]] for v in values]

    return "\n".join(
        [
            "# Statuses and precision levels\n",
            "## `geo_status`\n",
            "Every row `resolve` returns has one (`geoflex.resolve.GEO_STATUSES`, the "
            "`GeoStatus` type); it says why the row has, or has no, geography.\n",
            _table(["value", "meaning"], rows(GEO_STATUSES, STATUS_MEANINGS)),
            "\n## `geo_level`\n",
            "How precise the row's place is (`geoflex.resolve.GEO_LEVELS`, least precise "
            "first); null when nothing is known.\n",
            _table(["value", "meaning"], rows(GEO_LEVELS, LEVEL_MEANINGS)),
            "\n## `geo_source`\n",
            _table(["value", "meaning"], rows(GEO_SOURCES, SOURCE_MEANINGS)),
            "\n## `place_status` (agents)\n",
            "How `geoflex.place_agents` placed each agent (`geoflex.ingest.PLACE_STATUSES`): "
            + ", ".join(f"`{s}`" for s in PLACE_STATUSES)
            + ".\n",
        ]
    )


def problems_page() -> str:
    from geoflex.ingest import PROBLEM_KINDS, UNUSED_KINDS
    from geoflex.ingest._problems import PROBLEM_SCHEMA

    def used(kind: str) -> str:
        return "not used" if kind in UNUSED_KINDS else "used, without the value"

    return "\n".join(
        [
            "# Problems\n",
            "`FlexData.problems` has one row per line, event or value `read_events` could "
            'not use, so every input line is accounted for: `counts["lines"]` = events + '
            "blank lines + the `count` of the problems whose line or event is not used. "
            "`read_events(..., strict=True)` raises a `geoflex.DataError` at the first one "
            "instead.\n",
            _table(["column", "dtype"], [[f"`{c}`", f"`{t}`"] for c, t in PROBLEM_SCHEMA.items()]),
            "\n`reason` is a sentence naming what was wrong (its wording may change in any "
            "release); `kind` is one of the closed list below (`geoflex.ingest.PROBLEM_KINDS`, "
            "stable: match on it). Past `max_problems` (default 100,000) problems are no "
            "longer listed one a row: one row per file and kind counts them (`count` > 1, "
            "`line` the first of them), so a flood of bad lines cannot take the memory.\n",
            "## `kind`\n",
            _table(
                ["kind", "the line or event is", "meaning"],
                [[f"`{k}`", used(k), meaning] for k, meaning in PROBLEM_KINDS.items()],
            ),
        ]
    )


# --- configuration ---------------------------------------------------------------------------


def config_page() -> str:
    from geoflex.report import config_schema

    rows = [
        [
            f"`{s.name}`",
            s.type,
            s.default_shown,
            s.limits or "any",
            ", ".join(f"`{c}`" for c in s.commands),
            s.description,
        ]
        for s in config_schema()
    ]
    return (
        "# Configuration\n\nThe keys a TOML configuration file (`--config FILE`) may hold, "
        "every one optional, from the one schema that validates them "
        "(`geoflex.report.config_schema()`): an unknown key, a wrong type or a value out of "
        "range is refused in one line naming the key. In Python the same settings are "
        "`geoflex.report.ReportConfig`'s fields; `load_config` reads a file.\n\n"
        + _table(["key", "type", "default", "allowed", "read by", "what it does"], rows)
    )


# --- command line ---------------------------------------------------------------------------


def _param_row(param: Any) -> list[object]:
    import click

    if isinstance(param, click.Argument):
        name = f"`{param.human_readable_name}`"
        kind = "argument" + (", repeatable" if param.nargs == -1 else "")
    else:
        name = ", ".join(f"`{o}`" for o in [*param.opts, *param.secondary_opts])
        kind = "flag" if getattr(param, "is_flag", False) else "option"
    default = param.default
    plain = isinstance(default, (str, int, float, os.PathLike)) and not isinstance(default, bool)
    if not plain or param.required:  # click's "no default" sentinel, flags, callables
        default = None
    return [
        name,
        kind,
        param.type.name,
        "yes" if param.required else "",
        _code(default),
        getattr(param, "help", None) or "",
    ]


def cli_page() -> str:
    import click

    from geoflex.cli import main

    out = [
        "# Command line\n",
        "Generated from the `geoflex` command's own definition (`geoflex --help` and "
        "`geoflex COMMAND --help` print the same). Errors are one line on stderr with a "
        "non-zero exit status.\n",
    ]
    ctx = click.Context(main, info_name="geoflex")
    group_rows = [_param_row(p) for p in main.get_params(ctx)]
    out += ["## `geoflex`\n", inspect.cleandoc(main.help or "") + "\n"]
    out.append(_table(["name", "kind", "type", "required", "default", "help"], group_rows))
    for name in main.list_commands(ctx):
        command = main.get_command(ctx, name)
        if command is None:
            continue
        sub = click.Context(command, info_name=name, parent=ctx)
        usage = " ".join([f"geoflex {name}", *command.collect_usage_pieces(sub)])
        out += [f"\n## `geoflex {name}`\n", inspect.cleandoc(command.help or "") + "\n"]
        out.append(f"```\n{usage}\n```\n")
        rows = [_param_row(p) for p in command.get_params(sub)]
        out.append(_table(["name", "kind", "type", "required", "default", "help"], rows))
    return "\n".join(out)


# --- pages from the repository root ---------------------------------------------------------


def root_page(name: str) -> str | None:
    path = ROOT / name
    if not path.exists():
        return None
    # Links in these files are written from the repository root; the site's root is docs/.
    return path.read_text(encoding="utf-8").replace("](docs/", "](")


def generated_pages() -> dict[str, str]:
    pages = {
        "reference/columns.md": columns_page(),
        "reference/statuses.md": statuses_page(),
        "reference/problems.md": problems_page(),
        "reference/config.md": config_page(),
        "reference/cli.md": cli_page(),
        f"{API_DIR}/index.md": api_index(),
    }
    pages.update({f"{API_DIR}/{m}.md": api_page(m) for m in public_modules()})
    for name, page in (("CHANGELOG.md", "changelog.md"), ("SECURITY.md", "security.md")):
        text = root_page(name)
        if text is not None:
            pages[page] = text
    return pages


# --- MkDocs events ---------------------------------------------------------------------------


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """Expand the nav's API entry to one page per public module; add the security page."""
    api = [{"Overview": f"{API_DIR}/index.md"}] + [
        {m: f"{API_DIR}/{m}.md"} for m in public_modules()
    ]
    for section in config.nav or []:
        if isinstance(section, dict) and "Reference" in section:
            entries = section["Reference"]
            for i, entry in enumerate(entries):
                if isinstance(entry, dict) and "API" in entry:
                    entries[i] = {"API": api}
        if (
            isinstance(section, dict)
            and "Explanation" in section
            and (ROOT / "SECURITY.md").exists()
        ):
            section["Explanation"].append({"Security policy": "security.md"})
    return config


def on_files(files: Files, config: MkDocsConfig) -> Files:
    for path, content in generated_pages().items():
        files.append(File.generated(config, path, content=content))
    return files
