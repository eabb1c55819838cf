"""The public API is explicit (one sorted ``__all__`` per public module) and changes on purpose.

A change to what a public module exports, or to an exported signature, fails here until
tests/public_api.txt is regenerated in the same commit (see docs/explanation/stability.md:
additions are minor releases; removals and incompatible changes follow the deprecation rule).
"""

from __future__ import annotations

import difflib
import importlib

import pytest

from tests.public_api import SNAPSHOT, UPDATE_COMMAND, module_all, public_modules, render


def isort_order(name: str) -> tuple[int, str]:
    """ruff's RUF022 order: CONSTANTS, then Classes, then the rest, each alphabetical."""
    kind = 0 if len(name) > 1 and name.isupper() else 1 if name[:1].isupper() else 2
    return kind, name


@pytest.mark.parametrize("dotted", public_modules())
def test_public_module_has_one_sorted_all_of_existing_names(dotted: str) -> None:
    module = importlib.import_module(dotted)
    exported = module_all(module)
    assert exported == sorted(exported, key=isort_order), f"{dotted}.__all__ is not sorted"
    assert len(set(exported)) == len(exported), f"{dotted}.__all__ repeats a name"
    missing = [name for name in exported if not hasattr(module, name)]
    assert not missing, f"{dotted}.__all__ names what it does not define: {missing}"


def test_public_api_matches_the_snapshot() -> None:
    expected = SNAPSHOT.read_text(encoding="utf-8")
    actual = render()
    if actual != expected:
        diff = "\n".join(
            difflib.unified_diff(
                expected.splitlines(),
                actual.splitlines(),
                "tests/public_api.txt (snapshot)",
                "public API now",
                lineterm="",
                n=1,
            )
        )
        pytest.fail(
            "the public API changed. If that is deliberate, run\n"
            f"    {UPDATE_COMMAND}\n"
            "and commit tests/public_api.txt with the change (and a CHANGELOG.md line; a removal "
            "or an incompatible change needs the deprecation rule in docs/explanation/"
            f"stability.md).\n{diff}",
            pytrace=False,
        )
