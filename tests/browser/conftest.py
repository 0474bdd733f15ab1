"""Browser tests: Playwright drives Debian's Chromium against a live server.

Outside CI a missing browser skips these tests with a message saying how to
install it; with ``CI`` or ``ASAMBLEA_REQUIRE_BROWSER`` set it fails instead.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest
from playwright.sync_api import sync_playwright

# Playwright's sync API runs an event loop in this thread; the Django ORM calls
# made by the tests themselves are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def _browser_required() -> bool:
    return bool(os.environ.get("CI") or os.environ.get("ASAMBLEA_REQUIRE_BROWSER"))


def find_chromium() -> str | None:
    explicit = os.environ.get("ASAMBLEA_CHROMIUM")
    if explicit:
        return explicit
    for name in CHROMIUM_CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = find_chromium()
    if path is None:
        message = (
            "Chromium not found: install it with `apt-get install chromium` "
            "(or set ASAMBLEA_CHROMIUM to its path) to run the browser tests."
        )
        if _browser_required():
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[object]:
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_FLAGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser, live_server, tmp_path) -> Iterator[object]:
    context = browser.new_context(locale="es-PE", viewport={"width": 390, "height": 844})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    tab.base_url = live_server.url  # type: ignore[attr-defined]
    tab.artifacts_dir = tmp_path  # type: ignore[attr-defined]
    yield tab
    context.close()
