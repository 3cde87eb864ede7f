"""Fetched pages and feed entries hold whatever their servers send: control characters are cleaned
from them as a request's text is refused with them, and an error while storing what was fetched
marks the fetch or the poll failed, with why, instead of leaving it running."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from helpers.databases import fresh_postgres, migrated
from helpers.news_server import NewsServer, Page, article_page
from helpers.story_server import ALLOW_LOCAL, FLOODS_LOCAL, RATES, ingest, rss, wait_for
from sqlalchemy.exc import DataError

from service.stories.scheduling import FETCH_TASK
from service.stories.store import QUEUED, RUNNING, FetchRow


@pytest.fixture
def server() -> Iterator[NewsServer]:
    with NewsServer().running() as found:
        yield found


@pytest.fixture(params=["sqlite", "postgresql"])
def stories_client(request, make_app):
    settings = {} if request.param == "sqlite" else {"DATABASE_URL": migrated(fresh_postgres())}
    app = make_app(**ALLOW_LOCAL, FEED_POLL_INTERVAL=3600.0, **settings)
    yield app.test_client()
    app.extensions["newsbrief.story_scheduler"].close()


def finished(client, fetch_url: str) -> dict:
    return wait_for(lambda: client.get(fetch_url).get_json(), lambda f: f["status"] in ("done", "failed"), "fetch")


def test_a_nul_byte_in_a_fetched_page_is_cleaned_out(stories_client, server):
    server.pages["/nul"] = Page(
        b"Storm\x00 hits the coast.\x07 Officials said the storm\x1b hit the coast on Monday.", "text/plain"
    )
    [queued] = ingest(stories_client, {"url": server.url("/nul")}, status=202)["articles"]
    fetch = finished(stories_client, queued["fetch_url"])
    assert fetch["status"] == "done", fetch
    story = stories_client.get(fetch["story_url"]).get_json()
    [article] = story["articles"]
    text = stories_client.get(f"/v1/stories/{story['id']}").get_json()["headline"] + str(article)
    assert not any(c in text for c in "\x00\x07\x1b")


def test_a_feed_entry_with_a_nul_character_reference_is_stored_cleaned(stories_client, server):
    entries = [
        {"title": "Storm &#0; hits coast", "link": server.url("/a/storm"), "content": FLOODS_LOCAL["text"]},
        {"title": RATES["title"], "link": server.url("/a/rates"), "content": RATES["text"]},
        {"title": "Storm\x00 again", "link": server.url("/a/again"), "content": "A storm\x00 hit the coast again."},
    ]
    # The first title is written as the character reference itself, not as an escaped ampersand.
    body = rss(entries).replace(b"Storm &amp;#0; hits coast", b"Storm &#0; hits coast").replace(b"\x00", b"&#0;")
    server.pages["/feed.xml"] = Page(body, "application/rss+xml")
    feed = stories_client.post("/v1/feeds", json={"url": server.url("/feed.xml")}).get_json()
    polled = wait_for(
        lambda: stories_client.get(f"/v1/feeds/{feed['id']}").get_json(), lambda f: f["last_polled_at"], "poll"
    )
    assert (polled["articles_added"], polled["last_error"]) == (3, None), polled
    headlines = [s["headline"] for s in stories_client.get("/v1/stories").get_json()["stories"]]
    assert not any("\x00" in h for h in headlines)


def refuse_to_store(monkeypatch, app) -> None:
    """Make storing an article fail as PostgreSQL refuses a NUL (a database error that no retry mends)."""

    def refuse(store, incoming):
        raise DataError("INSERT INTO articles ...", {}, ValueError("PostgreSQL text fields cannot contain NUL"))

    monkeypatch.setattr(app.extensions["newsbrief.story_ingestion"].index, "ingest", refuse)


def test_an_error_while_storing_marks_the_fetch_and_the_poll_failed_with_why(make_app, server, monkeypatch):
    app = make_app(**ALLOW_LOCAL, FEED_POLL_INTERVAL=3600.0)
    client = app.test_client()
    refuse_to_store(monkeypatch, app)
    server.pages["/page"] = Page(b"Storm hits the coast. Officials said the storm hit on Monday.", "text/plain")
    [queued] = ingest(client, {"url": server.url("/page")}, status=202)["articles"]
    fetch = finished(client, queued["fetch_url"])
    assert fetch["status"] == "failed" and fetch["article_id"] is None
    assert (
        fetch["error"]["message"]
        == "could not store the article: ValueError: PostgreSQL text fields cannot contain NUL"
    )

    entries = [{"title": RATES["title"], "link": server.url("/a/rates"), "content": RATES["text"]}]
    server.pages["/feed.xml"] = Page(rss(entries), "application/rss+xml")
    feed = client.post("/v1/feeds", json={"url": server.url("/feed.xml")}).get_json()
    polled = wait_for(lambda: client.get(f"/v1/feeds/{feed['id']}").get_json(), lambda f: f["last_polled_at"], "poll")
    assert polled["articles_added"] == 0
    assert (
        polled["last_error"]
        == "could not store the 1 new entries: ValueError: PostgreSQL text fields cannot contain NUL"
    )
    app.extensions["newsbrief.story_scheduler"].close()


def test_recovery_sends_stuck_fetches_again_under_celery(make_app, monkeypatch):
    """Under Celery, a fetch claimed by a task that never finished it, or queued long ago and never
    sent, is sent to the broker again at the next start; one queued just now waits for its message."""
    app = make_app(REDIS_URL="redis://127.0.0.1:1/0")
    stories = app.extensions["newsbrief.story_scheduler"]
    sent: list[tuple] = []
    monkeypatch.setattr(stories.celery, "send_task", lambda name, args: sent.append((name, *args)))
    now = datetime.now(UTC)
    rows = {
        "stuck": FetchRow(status=RUNNING, created_at=now - timedelta(hours=1), claimed_at=now - timedelta(hours=1)),
        "unsent": FetchRow(status=QUEUED, created_at=now - timedelta(hours=1)),
        "running": FetchRow(status=RUNNING, created_at=now, claimed_at=now),
        "just-queued": FetchRow(status=QUEUED, created_at=now),
    }
    with app.extensions["newsbrief.database"].sessions.begin() as session:
        for fetch_id, row in rows.items():
            row.id, row.url, row.attempts, row.field = fetch_id, "https://example.com/", 1, "articles[0].url"
            session.add(row)
    stories.recover()
    assert sorted(sent) == [(FETCH_TASK, "stuck"), (FETCH_TASK, "unsent")]


def test_a_page_cannot_claim_another_sites_url_as_its_canonical_one(make_app):
    """A page on one host declaring another host's article as its canonical URL does not stop that
    article from being fetched: the victim's URL is fetched and stored as itself."""
    victim_text = "The harbour reopened on Friday after the storm, the port authority said in a statement."
    with NewsServer("127.0.0.1").running() as evil, NewsServer("127.0.0.2").running() as victim:
        victim_url = victim.url("/article-victim")
        victim.pages["/article-victim"] = Page(article_page("Harbour reopens", [victim_text], "Victim Times"))
        evil.pages["/evil"] = Page(
            article_page(
                "Harbour reopens", ["Fake news about the harbour, written to take its place."], "Evil", victim_url
            )
        )
        app = make_app(FETCH_ALLOW_NETWORKS=["127.0.0.0/8"])
        client = app.test_client()
        [first] = ingest(client, {"url": evil.url("/evil")}, status=202)["articles"]
        assert finished(client, first["fetch_url"])["status"] == "done"
        [second] = ingest(client, {"url": victim_url}, status=202)["articles"]
        fetch = finished(client, second["fetch_url"])
        assert (fetch["status"], fetch["duplicate"]) == ("done", False), fetch
        assert victim.hits["/article-victim"] == 1
        story = client.get(fetch["story_url"]).get_json()
        assert victim_url in [article["url"] for article in story["articles"]]
        app.extensions["newsbrief.story_scheduler"].close()
