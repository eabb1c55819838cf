"""`Report`: a titled page of sections, rendered to one self-contained HTML file."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from geoflex.report._blocks import Block, Table, iframe
from geoflex.report._env import environment
from geoflex.report._vendored import inline_script
from geoflex.report._write import write_text_atomic

__all__ = ["Report", "Section", "vega_scripts"]

_VEGA_BUNDLES = ("vega.min.js", "vega-lite.min.js", "vega-embed.min.js")


def vega_scripts() -> tuple[str, ...]:
    """The vendored Vega, Vega-Lite and vega-embed bundles as ``<script>`` elements.

    Inlining (about 0.83 MB) makes every report draw its charts offline.
    """
    return tuple(inline_script(name) for name in _VEGA_BUNDLES)


@dataclass(frozen=True)
class Section:
    """A titled part of a report holding blocks (tables, charts, maps, text)."""

    title: str
    blocks: Sequence[Block] = ()
    intro: str | None = None


@dataclass(frozen=True)
class Report:
    """A report page: a title, sections and links to sibling reports.

    ``html()`` is the complete, self-contained page; ``_repr_html_()`` shows it inline in
    Jupyter (inside an iframe, so its scripts and styles stay isolated); ``save(path)``
    writes it.

    Examples
    --------
    >>> from geoflex.report import Paragraphs, Report, Section
    >>> r = Report("Hello <world>", [Section("Intro", [Paragraphs(["a & b"])])])
    >>> "Hello &lt;world&gt;" in r.html() and "a &amp; b" in r.html()
    True
    >>> r._repr_html_().startswith("<iframe")
    True
    """

    title: str
    sections: Sequence[Section] = ()
    subtitle: str | None = None
    links: Sequence[tuple[str, str]] = ()
    filename: str = "report.html"
    generated: dt.datetime | None = field(default=None, compare=False)

    def html(self) -> str:
        """Render the full page."""
        blocks: list[list[str]] = []
        counter = 0
        for section in self.sections:
            rendered = []
            for block in section.blocks:
                counter += 1
                rendered.append(block.render(block_id=f"b{counter}"))
            blocks.append(rendered)
        needs_vega = any(b.needs_vega for s in self.sections for b in s.blocks)
        has_tables = any(isinstance(b, Table) for s in self.sections for b in s.blocks)
        return (
            environment()
            .get_template("page.html.j2")
            .render(
                title=self.title,
                subtitle=self.subtitle,
                sections=list(zip(self.sections, blocks, strict=True)),
                links=self.links,
                current=self.filename,
                generated=self.generated,
                vega=vega_scripts() if needs_vega else (),
                tablesort=inline_script("tablesort.min.js") if has_tables else None,
            )
        )

    def _repr_html_(self) -> str:
        return iframe(self.html(), title=self.title)

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the page to ``path`` (a file, or a directory to put ``filename`` in).

        The page is written to a temporary file and renamed into place, so a reader never
        sees it half-written.
        """
        target = Path(path)
        if target.is_dir():
            target = target / self.filename
        target.parent.mkdir(parents=True, exist_ok=True)
        return write_text_atomic(target, self.html())
