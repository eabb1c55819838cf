"""Every code example in README.md and docs/ runs, as written, on the embedded sample.

Each ```python block is one test, run in a fresh temporary directory shared by the blocks of
its page (in page order, so a page can build on its earlier blocks, as a reader would). A
```toml/```csv/... block preceded by ``<!-- file: NAME -->`` is written there as NAME first
(the page tells the reader to save it). The ``geoflex ...`` lines of ```bash blocks run too.
A block preceded by ``<!-- skip: REASON -->`` is skipped with that reason; that is only for
examples that need a system the tests do not have (a Spark session, a Twilio account).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
_FENCE = re.compile(
    r"(?:<!--\s*(?P<mark>file|skip):\s*(?P<arg>.*?)\s*-->\s*\n)?"
    r"^```(?P<lang>[\w-]*)[^\n]*\n(?P<body>.*?)^```\s*$",
    re.M | re.S,
)


@dataclass(frozen=True)
class Block:
    page: Path
    line: int
    lang: str
    body: str
    skip: str | None = None
    file: str | None = None

    @property
    def id(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def blocks(page: Path) -> list[Block]:
    text = page.read_text(encoding="utf-8")
    out = []
    for m in _FENCE.finditer(text):
        mark, arg = m["mark"], m["arg"]
        out.append(
            Block(
                page=page,
                line=text.count("\n", 0, m.start("lang")) + 1,
                lang=m["lang"],
                body=m["body"],
                skip=arg if mark == "skip" else None,
                file=arg if mark == "file" else None,
            )
        )
    return out


def _geoflex_lines(block: Block) -> list[str]:
    return [ln for ln in block.body.splitlines() if ln.startswith("geoflex ")]


RUNNABLE = [
    b
    for page in PAGES
    for b in blocks(page)
    if b.lang == "python" or (b.lang in ("bash", "sh", "console") and _geoflex_lines(b))
]


@dataclass
class PageRun:
    """A page's shared working directory and namespace, and how far its blocks have run."""

    workdir: Path
    namespace: dict[str, Any] = field(default_factory=lambda: {"__name__": "__main__"})
    done: int = 0
    failed: str | None = None


def _run_python(block: Block, run: PageRun) -> None:
    code = compile(block.body, block.id, "exec")
    with contextlib.redirect_stdout(io.StringIO()):
        exec(code, run.namespace)


def _run_bash(block: Block, run: PageRun) -> None:
    bindir = Path(sys.executable).parent  # the geoflex console script of this environment
    env = {**os.environ, "PATH": f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}"}
    for line in _geoflex_lines(block):
        command = line.split(" #", 1)[0].strip()
        done = subprocess.run(
            ["bash", "-c", command], cwd=run.workdir, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, (
            f"{block.id}: `{shlex.quote(command)}` exited {done.returncode}\n{done.stderr}"
        )


@pytest.fixture(scope="module")
def page_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[Path, PageRun]:
    return {}


def _page_run(
    page: Path, runs: dict[Path, PageRun], tmp_path_factory: pytest.TempPathFactory
) -> PageRun:
    if page not in runs:
        run = PageRun(tmp_path_factory.mktemp(page.stem))
        for b in blocks(page):  # the files the page asks the reader to save
            if b.file is not None:
                (run.workdir / b.file).write_text(b.body, encoding="utf-8")
        runs[page] = run
    return runs[page]


@pytest.mark.parametrize("block", RUNNABLE, ids=[b.id for b in RUNNABLE])
def test_example_runs(
    block: Block,
    page_runs: dict[Path, PageRun],
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if block.skip is not None:
        pytest.skip(block.skip)
    page_blocks = [b for b in RUNNABLE if b.page == block.page and b.skip is None]
    index = page_blocks.index(block)
    run = _page_run(block.page, page_runs, tmp_path_factory)
    if run.done > index:  # run again (e.g. pytest -k): start the page afresh
        del page_runs[block.page]
        run = _page_run(block.page, page_runs, tmp_path_factory)
    monkeypatch.chdir(run.workdir)
    for earlier in page_blocks[run.done : index + 1]:
        if run.failed is not None:
            pytest.fail(f"an earlier example of the page failed: {run.failed}")
        try:
            (_run_python if earlier.lang == "python" else _run_bash)(earlier, run)
        except BaseException:
            run.failed = earlier.id
            raise
        run.done += 1


def test_the_readme_and_docs_have_examples() -> None:
    """The extraction itself works: the README's ten lines are among the examples."""
    readme = [b for b in RUNNABLE if b.page.name == "README.md"]
    assert any("geoflex.resolve(calls" in b.body for b in readme)
    assert len(RUNNABLE) > 20
