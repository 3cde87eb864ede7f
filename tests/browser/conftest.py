"""Fixtures of the browser tier: `newsbrief serve` on a loopback port, and Debian's chromium
driven by Playwright (helpers/browsers.py: without that browser the tests fail, saying how to
install it)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.browsers import chromium_path
from helpers.processes import Server, clean_environ, free_port, start_server, stop_server
from playwright.sync_api import expect, sync_playwright

# Read now: make_app clears NEWSBRIEF_* variables for each test.
ENVIRON = dict(os.environ)
API_KEY = "page-test-key-0123456789"
# A briefing takes a few seconds on a loaded machine (the model's load is tried first, offline).
WAIT_MS = 60_000
expect.set_options(timeout=WAIT_MS)


def serve(workdir: Path, **settings: str) -> Iterator[Server]:
    """`newsbrief serve` (the development server) on SQLite, offline: engine auto falls back to
    the extractive engine, with its warning, as on any machine without the model."""
    port = free_port()
    env = clean_environ(
        NEWSBRIEF_INSTANCE_PATH=str(workdir / "instance"),
        NEWSBRIEF_DATABASE_URL=f"sqlite:///{workdir / 'briefings.sqlite3'}",
        **settings,
    )
    server = start_server([sys.executable, "-m", "service.cli", "serve", "--port", str(port)], env, port, workdir)
    yield server
    stop_server(server)


@pytest.fixture(scope="session")
def page_server(tmp_path_factory) -> Iterator[Server]:
    yield from serve(tmp_path_factory.mktemp("page-server"))


@pytest.fixture(scope="session")
def api_key() -> str:
    return API_KEY


@pytest.fixture(scope="module")
def keyed_server(tmp_path_factory) -> Iterator[Server]:
    yield from serve(tmp_path_factory.mktemp("keyed-server"), NEWSBRIEF_API_KEYS=API_KEY)


@pytest.fixture(scope="session")
def browser():
    executable = chromium_path(ENVIRON)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable)
        yield launched
        launched.close()


# Asked on every load, to find out whether the service has stories: a 404 is an answer.
EXPECTED_404 = "/v1/stories"


class PageErrors:
    """What the page reported: uncaught errors and console errors, and apart from them the
    Content-Security-Policy's refusals (Chromium reports one for an inline event handler even in
    an inert document made by DOMParser, where it would never run)."""

    def __init__(self, page) -> None:
        self.errors: list[str] = []
        self.refused: list[str] = []
        page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))
        page.on("console", self.console)
        page.on("dialog", lambda dialog: (self.errors.append(f"dialog: {dialog.message}"), dialog.dismiss()))

    def console(self, message) -> None:
        if message.type != "error":
            return
        if "404" in message.text and message.location.get("url", "").endswith(EXPECTED_404):
            return
        seen = f"{message.text} ({message.location.get('url')})"
        (self.refused if "Content Security Policy" in message.text else self.errors).append(seen)


@pytest.fixture
def context(browser):
    # The size the README's screenshot is taken at.
    made = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    made.set_default_timeout(WAIT_MS)
    yield made
    made.close()


@pytest.fixture
def page(context):
    opened = context.new_page()
    opened.errors = PageErrors(opened)
    return opened
