"""Browser fixtures: the real service (or CINEGRAPH_E2E_URL) and headless Chromium via Playwright.

The fixtures are package-scoped, not session-scoped: Playwright's sync API keeps an event loop running
while it is open, and the async tests of other packages need it closed.
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright import sync_api as playwright_sync

from tests.frontend.live_service import CHROMIUM, CHROMIUM_ARGS, FRONTEND_DIR, running_service

DESKTOP = {"width": 1280, "height": 800}
EXPECT_TIMEOUT_MS = 20_000

playwright_sync.expect.set_options(timeout=EXPECT_TIMEOUT_MS)


def require_chromium() -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: install Debian's chromium or set CINEGRAPH_CHROMIUM")


@pytest.fixture(scope="package")
def base_url(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[str]:
    """The service serving API and UI: CINEGRAPH_E2E_URL if set, else a fresh one on a temporary data dir."""
    require_chromium()  # session fixtures start first: no browser, no reason to start a service
    if url := os.environ.get("CINEGRAPH_E2E_URL"):
        yield url.rstrip("/")
        return
    dataset_cache = request.getfixturevalue("data_dir") / "datasets"
    request.getfixturevalue("ml100k")  # fetched once per session into the shared cache
    with running_service(tmp_path_factory.mktemp("e2e-service"), dataset_cache=dataset_cache) as url:
        yield url


@pytest.fixture(scope="package")
def static_ui_url() -> Iterator[str]:
    """The UI from a plain static file server, with no API of its own (as any static host would serve it)."""
    handler = functools.partial(QuietHandler, directory=str(FRONTEND_DIR))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".js": "text/javascript"}

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="package")
def browser() -> Iterator[playwright_sync.Browser]:
    require_chromium()
    with playwright_sync.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: playwright_sync.Browser) -> Iterator[playwright_sync.Page]:
    """A fresh context per test (no shared storage or session); fails the test on uncaught page errors."""
    context = browser.new_context(viewport=DESKTOP)
    context.set_default_timeout(EXPECT_TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, f"uncaught errors in the page: {errors}"
