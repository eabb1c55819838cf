"""Reading a built page the way a browser shows it, for the hostile-input tests.

A report page holds text three ways: as HTML text, inside a map's ``<iframe srcdoc>``
(a whole document), and inside that document's scripts as JSON strings of HTML that
Leaflet inserts (tooltips, popups, legends, layer names). :func:`shown_text` decodes all
three, so a test can ask "does this payload show as text?" without a browser.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

# A JavaScript/JSON double-quoted string literal.
_JS_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.documents: list[str] = []
        self.scripts: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self._in_script = False
        self._in_data = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        values = dict(attrs)
        if tag == "iframe" and values.get("srcdoc"):
            self.documents.append(values["srcdoc"] or "")
        # A script of data for another renderer (a Vega spec) is neither text nor HTML.
        script = tag == "script"
        self._in_script = script and values.get("type") in (None, "text/javascript")
        self._in_data = script and not self._in_script

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = self._in_data = False

    def handle_data(self, data: str) -> None:
        if not self._in_data:
            (self.scripts if self._in_script else self.texts).append(data)


def read(html: str) -> _Reader:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader


def _script_html(script: str) -> list[str]:
    """Text of the HTML held in a script's string literals (what Leaflet would insert)."""
    texts = []
    for literal in _JS_STRING.findall(script):
        try:
            value = json.loads(literal)
        except ValueError:
            continue
        if isinstance(value, str) and value:
            texts.extend(read(value).texts)
    return texts


def shown_text(html: str) -> str:
    """Every piece of text a person can see on the page and in its maps, one a line."""
    page = read(html)
    texts = list(page.texts)
    for document in page.documents:
        texts.append(shown_text(document))
    for script in page.scripts:
        texts.extend(_script_html(script))
    return "\n".join(texts)


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    """Every element of the page, of its srcdoc documents and of HTML in their scripts."""
    page = read(html)
    found = list(page.tags)
    for document in page.documents:
        found.extend(elements(document))
    for script in page.scripts:
        for literal in _JS_STRING.findall(script):
            try:
                value = json.loads(literal)
            except ValueError:
                continue
            if isinstance(value, str) and "<" in value:
                found.extend(read(value).tags)
    return found
