"""The browser bundles shipped in ``geoflex/_data/js`` (built by data/build_js.py), ready to
inline: reports carry them so charts and maps draw with no network. Versions and licences:
``geoflex/_data/js/provenance.json``."""

from __future__ import annotations

from functools import cache
from importlib import resources

__all__ = ["inline_script", "inline_style"]


@cache
def _text(name: str) -> str:
    return (resources.files("geoflex") / "_data" / "js" / name).read_text(encoding="utf-8")


@cache
def inline_script(name: str) -> str:
    """A ``<script>`` element holding the bundle (a "</script" inside could not end it)."""
    return "<script>" + _text(name).replace("</script", "<\\/script") + "</script>"


@cache
def inline_style(name: str) -> str:
    """A ``<style>`` element holding the stylesheet."""
    return "<style>" + _text(name).replace("</style", "<\\/style") + "</style>"
