"""Shared fixtures. Browser fixtures: see tests/report/browser.py."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.report.browser import CHROMIUM, Browser, OpenedPage


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    """One headless Chromium for the session (tests using it are marked ``browser``)."""
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    browser = Browser()
    yield browser
    browser.close()


@pytest.fixture
def open_report(
    chromium: Browser,
) -> Iterator[Callable[..., AbstractContextManager[OpenedPage]]]:
    """``with open_report(path) as page:`` opens a saved report offline (see OpenedPage).

    Whatever the test checks, it fails if a dialog (``alert``...) fired on any page.
    """
    opened: list[OpenedPage] = []

    @contextmanager
    def _open(path: Path, **kwargs: Any) -> Iterator[OpenedPage]:
        with chromium.open(path, **kwargs) as page:
            opened.append(page)
            yield page

    yield _open
    dialogs = [dialog for page in opened for dialog in page.dialogs]
    if dialogs:
        pytest.fail(f"a dialog fired in the browser (script from data ran?): {dialogs}")
