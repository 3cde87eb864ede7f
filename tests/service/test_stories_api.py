"""The stories API: POST /v1/articles, POST|GET /v1/feeds, GET /v1/stories[/<id>[/briefings]].

URLs and feeds are fetched from a server on 127.0.0.1 (helpers/story_server.py), which counts the requests
it gets: the tests that allow it list 127.0.0.1 in NEWSBRIEF_FETCH_ALLOW_NETWORKS; the others show
that a refused URL gets a 422 naming it and that the server saw no request. Background work
(fetches, polls, briefings) runs on the app's own threads; every wait is bounded.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from helpers.databases import fresh_postgres, migrated
from helpers.news_server import NewsServer, Page
from helpers.story_server import (
    ALLOW_LOCAL,
    DEADLINE_S,
    FLOODS_LOCAL,
    FLOODS_RADIO,
    FLOODS_WIRE,
    RATES,
    TOPICS,
    briefed,
    ingest,
    page,
    rss,
    wait_for,
)
from sqlalchemy import event

from service.settings import ConfigError


@pytest.fixture
def server() -> Iterator[NewsServer]:
    with NewsServer().running() as found:
        yield found


@pytest.fixture(params=["sqlite", "postgresql"])
def database_settings(request) -> dict:
    """SQLite (make_app's default) or the test PostgreSQL server, emptied and migrated."""
    return {} if request.param == "sqlite" else {"DATABASE_URL": migrated(fresh_postgres())}


def test_the_same_article_twice_is_stored_once(stories_app, database_settings):
    client = stories_app(**database_settings).test_client()
    first = ingest(client, FLOODS_WIRE, RATES, status=201)
    assert (first["new"], first["duplicates"], first["queued"]) == (2, 0, 0)
    [wire, rates] = first["articles"]
    assert wire["status"] == rates["status"] == "new" and wire["story_id"] != rates["story_id"]

    # The same canonical URL (case, www. and a trailing slash aside), with other text: a duplicate.
    again = {**FLOODS_WIRE, "url": "https://WWW.wire.example/world/floods-north/", "text": "Changed later. " * 3}
    second = ingest(client, again, status=200)
    assert second["articles"][0] | {"index": 0} == {**wire, "status": "duplicate"}

    # Without a URL, the same text (spacing and case aside) is the same article.
    no_url = {"title": "Rates", "text": RATES["text"]}
    assert ingest(client, no_url, status=201)["articles"][0]["status"] == "new"
    same_text = {"title": "Other title", "text": "  " + RATES["text"].upper().replace(" ", "  ")}
    twice = ingest(client, same_text, no_url, status=200)
    assert [a["status"] for a in twice["articles"]] == ["duplicate", "duplicate"]
    assert len({a["article_id"] for a in twice["articles"]}) == 1

    stories = client.get("/v1/stories").get_json()["stories"]
    assert sum(story["article_count"] for story in stories) == 3


def test_articles_about_one_event_join_one_story(stories_app):
    client = stories_app().test_client()
    answer = ingest(client, FLOODS_WIRE, RATES, FLOODS_LOCAL, status=201)
    wire, rates, local = answer["articles"]
    assert wire["story_id"] == local["story_id"] != rates["story_id"]
    assert wire["story_url"] == f"/v1/stories/{wire['story_id']}"

    story = client.get(wire["story_url"]).get_json()
    assert story["article_count"] == 2
    assert {a["id"] for a in story["articles"]} == {wire["article_id"], local["article_id"]}
    # The outlet is the article's source, else its URL's site.
    assert set(story["outlets"]) == {"Wire", "local.example"}
    assert "flood" in story["headline"].lower()
    listed = client.get("/v1/stories").get_json()["stories"]
    assert {s["id"]: s["article_count"] for s in listed} == {wire["story_id"]: 2, rates["story_id"]: 1}


def test_a_briefing_is_made_at_two_outlets_and_remade_when_the_story_grows(stories_app):
    client = stories_app().test_client()
    [wire] = ingest(client, FLOODS_WIRE, status=201)["articles"]
    story_id = wire["story_id"]
    lone = client.get(f"/v1/stories/{story_id}").get_json()
    assert lone["briefing"] is None and lone["briefing_versions"] == 0  # one outlet: no briefing

    assert ingest(client, FLOODS_LOCAL, status=201)["articles"][0]["story_id"] == story_id
    first = briefed(client, story_id, 1)["briefing"]
    assert first["status"] == "done" and first["article_count"] == 2
    assert first["briefing"]["text"] and len(first["briefing"]["sources"]) == 2
    assert client.get(first["briefing_url"]).status_code == 200
    assert client.get(first["job_url"]).get_json()["status"] == "done"

    assert ingest(client, FLOODS_RADIO, status=201)["articles"][0]["story_id"] == story_id
    second = briefed(client, story_id, 2)["briefing"]
    assert second["status"] == "done" and second["article_count"] == 3
    assert len(second["briefing"]["sources"]) == 3

    versions = client.get(f"/v1/stories/{story_id}/briefings").get_json()["versions"]
    assert [(v["version"], v["article_count"]) for v in versions] == [(2, 3), (1, 2)]
    assert versions[1]["briefing"] == first["briefing"]  # the earlier version is kept as it was
    # A duplicate does not grow the story: no new version.
    ingest(client, FLOODS_RADIO, status=200)
    assert client.get(f"/v1/stories/{story_id}").get_json()["briefing_versions"] == 2


def test_urls_are_fetched_in_the_background_once(stories_app, server):
    server.pages["/floods"] = Page(
        page(FLOODS_LOCAL["title"], [FLOODS_LOCAL["text"]], "Local"), "text/html; charset=utf-8"
    )
    client = stories_app(**ALLOW_LOCAL).test_client()
    [wire] = ingest(client, FLOODS_WIRE, status=201)["articles"]

    answer = ingest(client, {"url": server.url("/floods")}, status=202)
    [queued] = answer["articles"]
    assert queued["status"] == "queued" and queued["article_id"] is None
    fetch = wait_for(
        lambda: client.get(queued["fetch_url"]).get_json(), lambda f: f["status"] in ("done", "failed"), "fetch"
    )
    assert fetch["status"] == "done" and fetch["error"] is None, fetch
    assert fetch["duplicate"] is False and fetch["story_id"] == wire["story_id"]
    story = client.get(fetch["story_url"]).get_json()
    assert "Local" in story["outlets"] and story["article_count"] == 2

    # A URL fetched before is answered from the store, without a request.
    again = ingest(client, {"url": server.url("/floods")}, status=200)["articles"][0]
    assert (again["status"], again["article_id"], again["story_id"]) == (
        "duplicate",
        fetch["article_id"],
        wire["story_id"],
    )
    assert server.hits["/floods"] == 1


def test_a_failed_fetch_says_why(stories_app, server):
    client = stories_app(**ALLOW_LOCAL).test_client()
    [queued] = ingest(client, {"url": server.url("/gone")}, status=202)["articles"]
    fetch = wait_for(lambda: client.get(queued["fetch_url"]).get_json(), lambda f: f["status"] == "failed", "fetch")
    assert "404" in fetch["error"]["message"] and fetch["error"]["field"] == "articles[0].url"
    assert fetch["article_id"] is None and server.hits["/gone"] == 1

    # A host that does not resolve now is not refused: the fetch tries, and says why it failed.
    [unknown] = ingest(client, {"url": "http://newsbrief-test.invalid/x"}, status=202)["articles"]
    fetch = wait_for(lambda: client.get(unknown["fetch_url"]).get_json(), lambda f: f["status"] == "failed", "fetch")
    assert "cannot resolve newsbrief-test.invalid" in fetch["error"]["message"]


def test_urls_on_this_machines_network_are_refused_without_a_request(stories_app, server):
    server.pages["/floods"] = Page(page("Floods", ["Floods killed 12 people on Monday."], "Local"), "text/html")
    server.pages["/feed.xml"] = Page(rss([]), "application/rss+xml")
    client = stories_app().test_client()  # no allow-list

    refused = client.post("/v1/articles", json={"articles": [FLOODS_WIRE, {"url": server.url("/floods")}]})
    assert refused.status_code == 422 and refused.mimetype == "application/problem+json"
    problem = refused.get_json()
    assert problem["fields"] == ["articles[1].url"]
    assert server.url("/floods") in problem["detail"] and "loopback" in problem["detail"]

    feed = client.post("/v1/feeds", json={"url": server.url("/feed.xml")})
    assert feed.status_code == 422 and feed.get_json()["fields"] == ["url"]
    assert server.url("/feed.xml") in feed.get_json()["detail"] and "loopback" in feed.get_json()["detail"]

    for url, reason in [
        ("http://10.1.2.3/x", "private"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://[::1]/x", "loopback"),
        ("file:///etc/passwd", "only http and https"),
        ("http://user:secret@example.com/", "credentials"),
    ]:
        answer = client.post("/v1/articles", json={"articles": [{"url": url}]})
        assert answer.status_code == 422 and reason in answer.get_json()["detail"], (url, answer.get_json())
        assert answer.get_json()["fields"] == ["articles[0].url"]

    assert server.total_hits == 0
    # Nothing was stored: the whole request was refused.
    assert client.get("/v1/stories").get_json()["stories"] == []


def test_a_redirect_to_a_refused_address_is_not_followed(stories_app, server):
    """The allow-list names the host `localhost`; its page redirects to 127.0.0.1, which it does not name."""
    with NewsServer().running() as target:
        target.pages["/secret"] = Page(page("Secret", ["Internal data that must stay inside."], "Inside"), "text/html")
        server.pages["/moved"] = Page(status=302, headers={"Location": target.url("/secret")})
        client = stories_app(FETCH_ALLOW_NETWORKS=["localhost"]).test_client()
        moved = server.url("/moved").replace("127.0.0.1", "localhost")
        [queued] = ingest(client, {"url": moved}, status=202)["articles"]
        fetch = wait_for(lambda: client.get(queued["fetch_url"]).get_json(), lambda f: f["status"] == "failed", "fetch")
        assert "loopback" in fetch["error"]["message"] and target.url("/secret") in fetch["error"]["message"]
        assert server.hits["/moved"] == 1 and target.total_hits == 0


def test_feeds_are_subscribed_listed_and_polled_on_a_schedule(stories_app, server, database_settings):
    server.pages["/floods"] = Page(page(FLOODS_RADIO["title"], [FLOODS_RADIO["text"]], "Radio"), "text/html")
    entries = [
        {"title": FLOODS_LOCAL["title"], "link": server.url("/a/floods-local"), "content": FLOODS_LOCAL["text"]},
        {"title": RATES["title"], "link": server.url("/a/rates"), "content": RATES["text"]},
        {"title": FLOODS_RADIO["title"], "link": server.url("/floods")},  # no content: its page is fetched
    ]
    server.pages["/feed.xml"] = Page(rss(entries), "application/rss+xml")
    client = stories_app(**ALLOW_LOCAL, **database_settings, FEED_POLL_INTERVAL=1.0).test_client()

    created = client.post("/v1/feeds", json={"url": server.url("/feed.xml")})
    assert created.status_code == 201, created.get_json()
    feed = created.get_json()
    assert created.headers["Location"] == f"/v1/feeds/{feed['id']}"
    again = client.post("/v1/feeds", json={"url": server.url("/feed.xml")})
    assert again.status_code == 200 and again.get_json()["id"] == feed["id"]

    polled = wait_for(
        lambda: client.get(f"/v1/feeds/{feed['id']}").get_json(), lambda f: f["articles_added"] == 3, "poll"
    )
    assert polled["title"] == "Local News" and polled["last_error"] is None
    assert [f["id"] for f in client.get("/v1/feeds").get_json()["feeds"]] == [feed["id"]]
    stories = client.get("/v1/stories").get_json()["stories"]
    assert sorted(s["article_count"] for s in stories) == [1, 2]

    # A new entry: the next scheduled poll takes it, and fetches no page seen before.
    entries.append({"title": FLOODS_WIRE["title"], "link": server.url("/a/wire"), "content": FLOODS_WIRE["text"]})
    server.pages["/feed.xml"] = Page(rss(entries), "application/rss+xml")
    wait_for(lambda: client.get(f"/v1/feeds/{feed['id']}").get_json(), lambda f: f["articles_added"] == 4, "next poll")
    assert server.hits["/floods"] == 1 and server.hits["/feed.xml"] >= 2
    assert sorted(s["article_count"] for s in client.get("/v1/stories").get_json()["stories"]) == [1, 3]


def test_a_feed_that_is_not_one_is_reported(stories_app, server):
    server.pages["/page"] = Page(page("Not a feed", ["Just a page with a paragraph of text."], "Site"), "text/html")
    client = stories_app(**ALLOW_LOCAL).test_client()
    feed = client.post("/v1/feeds", json={"url": server.url("/page")}).get_json()
    polled = wait_for(lambda: client.get(f"/v1/feeds/{feed['id']}").get_json(), lambda f: f["last_polled_at"], "poll")
    assert "not an RSS or Atom feed" in polled["last_error"] and polled["articles_added"] == 0


def test_stories_are_listed_newest_first_in_pages_and_by_time(stories_app):
    client = stories_app().test_client()
    ids = []
    for title, text in TOPICS:
        ids.append(ingest(client, {"title": title, "text": text}, status=201)["articles"][0]["story_id"])
    assert len(set(ids)) == len(TOPICS)

    seen, cursor, pages = [], None, 0
    while True:
        answer = client.get("/v1/stories", query_string={"limit": 2, **({"cursor": cursor} if cursor else {})})
        assert answer.status_code == 200
        body = answer.get_json()
        seen += [s["id"] for s in body["stories"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
        assert body["next_url"].startswith("/v1/stories?") and pages < 10
    assert pages == 3 and seen == list(reversed(ids))

    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    past = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    assert client.get("/v1/stories", query_string={"since": future}).get_json()["stories"] == []
    assert client.get("/v1/stories", query_string={"until": past}).get_json()["stories"] == []
    window = client.get("/v1/stories", query_string={"since": past, "until": future}).get_json()["stories"]
    assert len(window) == len(TOPICS)


# The floods as wire.example reports them, but with 15 dead: the sources disagree.
FLOODS_HERALD = {
    "title": "State of emergency after deadly floods in the northern province",
    "text": "Floods killed 15 people in the northern province on Monday, officials said. "
    "The governor declared a state of emergency on Monday night as the river kept rising. "
    "Schools in the flooded province will stay closed until Friday, rescue teams said.",
    "url": "https://herald.example/floods",
    "source": "Herald",
}
RATES_MONEY = {
    "title": "Central bank lifts interest rates to fight inflation",
    "text": "The central bank lifted its main interest rate by half a point on Thursday to fight inflation. "
    "Inflation reached five percent last month, the statistics office said. "
    "Mortgage holders will pay more from next month, the largest banks said.",
    "url": "https://money.example/rates",
    "source": "Money",
}


def test_listed_stories_carry_their_briefings_gist_and_whether_disputed(stories_app, database_settings):
    client = stories_app(**database_settings).test_client()
    [lone] = ingest(client, {"title": TOPICS[0][0], "text": TOPICS[0][1]}, status=201)["articles"]
    floods = ingest(client, FLOODS_WIRE, FLOODS_HERALD, status=201)["articles"][0]["story_id"]
    rates = ingest(client, RATES, RATES_MONEY, status=201)["articles"][0]["story_id"]
    single = {story_id: briefed(client, story_id, 1) for story_id in (floods, rates)}
    single[lone["story_id"]] = client.get(lone["story_url"]).get_json()

    listed = {story["id"]: story for story in client.get("/v1/stories").get_json()["stories"]}
    assert set(listed) == set(single)
    for story_id, story in single.items():
        briefing = story["briefing"]["briefing"] if story["briefing"] else None
        expected = {
            "briefing_status": story["briefing"]["status"] if briefing else None,
            "gist": briefing["sentences"][0]["text"] if briefing else None,
            "disputed": bool(briefing and briefing["disagreements"]),
        }
        assert {key: listed[story_id][key] for key in expected} == expected
        # The story's own resource carries the same fields, alike.
        assert {key: story[key] for key in expected} == expected
    assert listed[floods]["disputed"] is True and "15" in str(single[floods]["briefing"]["briefing"]["disagreements"])
    assert listed[rates]["disputed"] is False and listed[rates]["gist"].startswith("The central bank")
    assert (
        listed[lone["story_id"]] | {"briefing_versions": 0, "briefing_status": None, "gist": None}
        == listed[lone["story_id"]]
    )


def test_listing_stories_takes_as_many_queries_for_one_story_as_for_many(stories_app):
    app = stories_app()
    client = app.test_client()
    for title, text in TOPICS:
        ingest(client, {"title": title, "text": text}, status=201)
    # The newest stories have briefings, the disputed one among them.
    for pair in ((RATES, RATES_MONEY), (FLOODS_WIRE, FLOODS_HERALD)):
        briefed(client, ingest(client, *pair, status=201)["articles"][0]["story_id"], 1)
    statements: list[str] = []
    engine = app.extensions["newsbrief.story_stores"].stories.engine

    def count(limit: int) -> int:
        statements.clear()
        with recording(engine, statements):
            stories = client.get("/v1/stories", query_string={"limit": limit}).get_json()["stories"]
        assert len(stories) == limit and stories[0]["gist"]
        return len(statements)

    many = len(TOPICS) + 2
    assert count(1) == count(2) == count(many), statements
    assert count(many) == 3, statements  # the page, the versions' statuses, the current briefings' gists


@contextmanager
def recording(engine, statements: list[str]) -> Iterator[None]:
    """Every SQL statement the engine runs meanwhile, appended to `statements`."""

    def record(connection, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", record)


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/v1/stories?limit=0", "limit"),
        ("/v1/stories?limit=lots", "limit"),
        ("/v1/stories?since=yesterday", "since"),
        ("/v1/stories?until=72.0", "until"),
        ("/v1/stories?cursor=not-a-cursor", "cursor"),
        ("/v1/stories?colour=red", "colour"),
    ],
)
def test_bad_story_queries_are_422_naming_the_parameter(client, path, field):
    answer = client.get(path)
    assert answer.status_code == 422 and answer.mimetype == "application/problem+json"
    assert answer.get_json()["fields"] == [field]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"articles": []}, "articles"),
        ({"articles": [{"title": "Only a title"}]}, "articles[0]"),
        ({"articles": [{"published": "today", "url": None}]}, "articles[0].url"),
        ({"articles": [{"text": "A line.\u0000"}]}, "articles[0].text"),
        ({"articles": [{"text": "Fine text here.", "colour": "red"}]}, "articles[0].colour"),
        ({"articles": [{"html": "<html><body><script>x()</script></body></html>"}]}, "articles[0].html"),
        ({"articles": [{"text": 12}]}, "articles[0].text"),
        ({"stories": []}, "stories"),
    ],
)
def test_bad_articles_are_422_naming_the_field(client, body, field):
    answer = client.post("/v1/articles", json=body)
    assert answer.status_code == 422 and answer.mimetype == "application/problem+json", answer.get_json()
    assert field in answer.get_json()["fields"]


def test_other_bad_requests_are_4xx_problems(client):
    assert client.post("/v1/articles", data="x", content_type="text/plain").status_code == 415
    assert client.post("/v1/articles", data="{", content_type="application/json").status_code == 400
    assert client.post("/v1/feeds", json={"url": "ftp://example.com/feed"}).get_json()["fields"] == ["url"]
    assert client.post("/v1/feeds", json={}).get_json()["fields"] == ["url"]
    for path in (
        "/v1/stories/99",
        "/v1/stories/abc",
        "/v1/stories/99/briefings",
        "/v1/feeds/5",
        "/v1/articles/fetches/x",
    ):
        answer = client.get(path)
        assert answer.status_code == 404 and answer.get_json()["fields"] == ["id"], path


def test_two_processes_share_one_set_of_stories(stories_app, database_settings, tmp_path):
    """Two apps on one database stand for two processes: each sees the stories of the other."""
    settings = database_settings or {"DATABASE_URL": f"sqlite:///{tmp_path / 'shared.sqlite3'}"}
    first, second = stories_app(**settings).test_client(), stories_app(**settings).test_client()
    [wire] = ingest(first, FLOODS_WIRE, RATES, status=201)["articles"][:1]
    [local] = ingest(second, FLOODS_LOCAL, status=201)["articles"]
    assert local["story_id"] == wire["story_id"]
    assert ingest(second, FLOODS_WIRE, status=200)["articles"][0]["article_id"] == wire["article_id"]

    # Both at once: each sends its own copy of every topic; every article is stored once, and the
    # two copies of a topic join one story.
    errors: list[BaseException] = []

    def send(client, variant: str) -> None:
        try:
            for title, text in TOPICS:
                ingest(client, {"title": title, "text": text + variant}, status=201)
        except BaseException as err:  # reported below: a thread's exception would otherwise vanish
            errors.append(err)

    threads = [threading.Thread(target=send, args=args) for args in ((first, ""), (second, " Reported again."))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=DEADLINE_S)
    assert errors == []
    stories = first.get("/v1/stories", query_string={"limit": 100}).get_json()["stories"]
    assert sum(s["article_count"] for s in stories) == 3 + 2 * len(TOPICS)
    assert sorted(s["article_count"] for s in stories) == [1] + [2] * (1 + len(TOPICS))
    # Each index was built once, then kept up with the other's articles without starting over.
    assert [c.application.extensions["newsbrief.story_ingestion"].index.rebuilds for c in (first, second)] == [1, 1]


def test_the_openapi_document_describes_the_stories_api(client):
    spec = client.get("/openapi.json").get_json()
    assert {"/v1/articles", "/v1/feeds", "/v1/stories", "/v1/stories/{story_id}"} <= set(spec["paths"])
    assert spec["components"]["schemas"]["IngestRequest"]["properties"]["articles"]["maxItems"] == 500
    assert {"200", "201", "202", "422"} <= set(spec["paths"]["/v1/articles"]["post"]["responses"])


def test_a_bad_allow_list_stops_the_start(make_app):
    with pytest.raises(ConfigError, match="NEWSBRIEF_FETCH_ALLOW_NETWORKS: allow-list entry '10.0.0.0/99'"):
        make_app(FETCH_ALLOW_NETWORKS=["10.0.0.0/99"])
