"""Fixtures of the browser tier: `newsbrief serve` on a loopback port (empty, or with stories read
from a local feed), and Debian's chromium driven by Playwright (helpers/browsers.py: without that
browser the tests fail, saying how to install it) on a desktop and a phone's screen."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from helpers.browsers import chromium_path
from helpers.news_server import NewsServer
from helpers.page_stories import FEED_PATH, serve_news
from helpers.paths import ROOT
from helpers.processes import Server, clean_environ, free_port, start_server, stop_server
from helpers.story_server import wait_for
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


@dataclass
class StoriesServer:
    """The service, its stories read from `news`'s feed (stories.py), and `news`, which serves
    more pages and feeds as a test adds them."""

    url: str
    news: NewsServer
    feed_id: int


@pytest.fixture(scope="session")
def stories_server(tmp_path_factory) -> Iterator[StoriesServer]:
    """A service subscribed to a local feed of several events, each story's first briefing done."""
    with NewsServer().running() as news:
        serve_news(news)
        service = serve(
            tmp_path_factory.mktemp("stories-server"),
            NEWSBRIEF_FETCH_ALLOW_NETWORKS="127.0.0.1/32",
            NEWSBRIEF_ENGINE="extractive",
        )
        server = next(service)
        try:
            feed = requests.post(server.url + "/v1/feeds", json={"url": news.url(FEED_PATH)}, timeout=30)
            assert feed.status_code == 201, feed.text
            feed_id = feed.json()["id"]
            wait_for(lambda: get(server, f"/v1/feeds/{feed_id}"), lambda f: f["last_polled_at"] is not None, "poll")
            wait_for(lambda: get(server, "/v1/stories"), all_briefed(server), "briefings")
            yield StoriesServer(server.url, news, feed_id)
        finally:
            next(service, None)


def get(server: Server, path: str) -> dict:
    response = requests.get(server.url + path, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def all_briefed(server: Server):
    """Whether every story with two outlets has its briefing done."""

    def done(listed: dict) -> bool:
        for story in listed["stories"]:
            if len(story["outlets"]) < 2:
                continue
            briefing = get(server, f"/v1/stories/{story['id']}")["briefing"]
            if briefing is None or briefing["status"] != "done":
                return False
        return bool(listed["stories"])

    return done


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


# A story's page says so when there is no such story, and when the service does not give its
# timeline or updates (yet): a 404 is an answer, not an error.
EXPECTED_404 = re.compile(r"/v1/stories/\d+(/timeline|/briefings/\d+\?since=\d+)?$")


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
        if "404" in message.text and EXPECTED_404.search(message.location.get("url", "")):
            return
        seen = f"{message.text} ({message.location.get('url')})"
        (self.refused if "Content Security Policy" in message.text else self.errors).append(seen)


# A desktop (the size the README's screenshot is taken at) and a phone (an iPhone 12 to 15's
# width in CSS pixels, the widest of the 320-390 px the page must fit without scrolling sideways).
SCREENS = {
    "desktop": {"viewport": {"width": 1400, "height": 1000}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}


def new_context(browser, screen: str):
    made = browser.new_context(**SCREENS[screen], accept_downloads=True)
    made.set_default_timeout(WAIT_MS)
    return made


@pytest.fixture
def context(browser):
    made = new_context(browser, "desktop")
    yield made
    made.close()


@pytest.fixture
def page_on(browser):
    """page_on(screen): a new page on the desktop or the phone's screen."""
    contexts = []

    def open_page(screen: str):
        contexts.append(new_context(browser, screen))
        opened = contexts[-1].new_page()
        opened.errors = PageErrors(opened)
        return opened

    yield open_page
    for made in contexts:
        made.close()


@pytest.fixture
def page(context):
    opened = context.new_page()
    opened.errors = PageErrors(opened)
    return opened


SCREENSHOTS = ROOT / "docs" / "screenshots"


@pytest.fixture(scope="session")
def screenshot():
    """screenshot(page, name): the whole page into docs/screenshots/<name>.png, only when
    NEWSBRIEF_SCREENSHOTS=1 (the docs' pictures come from a real run, and a plain run leaves the
    tracked files alone)."""
    wanted = ENVIRON.get("NEWSBRIEF_SCREENSHOTS") == "1"

    def take(page, name: str, *also: Path) -> None:
        if wanted:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            for path in (SCREENSHOTS / f"{name}.png", *also):
                page.screenshot(path=str(path), full_page=True, animations="disabled")

    return take
