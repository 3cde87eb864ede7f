"""The reader's path in a real browser: the front page of stories read from a local feed (newest
change first, outlets, when it changed, the gist, a badge where sources disagree, pages), a
story's own page (its briefing with evidence and inline disputed marks, where sources disagree,
its articles; the back button; its timeline and what is new since the last visit once it grows),
adding a URL or a feed with its progress, and the empty state."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlsplit

import pytest
import requests
from helpers.news_server import Page, rss
from helpers.page_stories import BRIDGE_PATH, BRIDGE_TITLE, EVENTS, RATES_GROWTH, STORIES_WITH_BRIEFINGS
from helpers.story_server import wait_for
from playwright.sync_api import expect

from service.stories.api import stories as stories_api

RECENTLY = re.compile(r"^updated (just now|\d+ minutes? ago)$")


def api(server, path: str) -> dict:
    response = requests.get(server.url + path, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def disputed_story(server) -> dict:
    """The story whose briefing has a disagreement (the floods: 12 dead or 15)."""
    for listed in api(server, "/v1/stories?limit=100")["stories"]:
        story = api(server, f"/v1/stories/{listed['id']}")
        if story["briefing"] and story["briefing"]["briefing"]["disagreements"]:
            return story
    raise AssertionError("no story with a disagreement")


def story_with(server, title: str) -> dict:
    """The story that has the article titled `title`."""
    for listed in api(server, "/v1/stories?limit=100")["stories"]:
        story = api(server, f"/v1/stories/{listed['id']}")
        if any(article["title"] == title for article in story["articles"]):
            return story
    raise AssertionError(f"no story has {title!r}")


def test_the_front_page_lists_the_feeds_stories_newest_change_first(stories_server, page):
    listed = api(stories_server, "/v1/stories")["stories"]
    briefed = {s["id"]: api(stories_server, f"/v1/stories/{s['id']}")["briefing"] for s in listed}
    assert sum(b is not None for b in briefed.values()) >= STORIES_WITH_BRIEFINGS
    asked = api_requests(page)
    page.goto(stories_server.url + "/")
    cards = page.locator(".story-card")
    expect(cards.locator("h2")).to_have_text([s["headline"] for s in listed])  # the API's order: last seen first
    for card, story in zip(cards.all(), listed, strict=True):
        outlets = story["outlets"]
        meta = card.locator(".meta")
        expect(meta).to_contain_text(f"{story['article_count']} article")
        expect(meta).to_contain_text(f"from {len(outlets)} outlet{'s' if len(outlets) > 1 else ''}: ")
        for outlet in outlets:
            expect(meta).to_contain_text(outlet)
        when = meta.locator("time")
        expect(when).to_have_text(RECENTLY)
        moment = datetime.fromisoformat(when.get_attribute("datetime"))
        assert abs((moment - datetime.fromisoformat(story["last_seen"])).total_seconds()) < 0.001
        assert when.get_attribute("title")  # the exact time, on hover
        version = briefed[story["id"]]
        if version is None:
            expect(card.locator(".gist")).to_have_text(
                "No briefing yet: it is written once a second outlet reports this."
            )
            continue
        briefing = version["briefing"]
        expect(card.locator(".gist")).to_have_text(briefing["sentences"][0]["text"])
        expect(card.locator(".tag-disputed")).to_have_count(1 if briefing["disagreements"] else 0)
    expect(page.locator(".tag-disputed")).to_have_text(["Sources disagree"])
    expect(page.locator("#stories-empty")).to_be_hidden()
    # The list alone draws every card: one request for the page, not one more per story.
    page.wait_for_load_state("networkidle")
    assert asked == ["/v1/stories"]
    assert page.errors.errors == []


def api_requests(page) -> list[str]:
    """The paths (with queries) of the API requests the page makes from now on."""
    asked: list[str] = []

    def note(request) -> None:
        address = urlsplit(request.url)
        if address.path.startswith("/v1/"):
            asked.append(address.path + (f"?{address.query}" if address.query else ""))

    page.on("request", note)
    return asked


def listed_story(story_id: int, **fields) -> dict:
    return {
        "id": story_id,
        "url": f"/v1/stories/{story_id}",
        "headline": f"Story {story_id}",
        "article_count": 2,
        "outlets": ["wire.example", "herald.example"],
        "first_seen": "2026-12-01T10:00:00Z",
        "last_seen": "2026-12-01T11:00:00Z",
        "briefing_versions": 1,
        "briefing_status": "done",
        "gist": None,
        "disputed": False,
    } | fields


def test_each_card_says_how_far_its_briefing_is_from_the_list_alone(page_server, page):
    """Every state the list can give, each story's own resource unasked (answered with a 500)."""
    stories = [
        listed_story(1, gist="Floods killed 12 people, officials said.", disputed=True),
        listed_story(2, gist="The central bank raised its main rate."),
        listed_story(3, briefing_status="running"),
        listed_story(4, briefing_status="queued"),
        listed_story(5, briefing_status="failed"),
        listed_story(6, briefing_versions=0, briefing_status=None, outlets=["geo.example"], article_count=1),
        listed_story(7, briefing_versions=0, briefing_status=None),
    ]
    page.route(
        "**/v1/stories", lambda route: route.fulfill(json={"stories": stories, "next_cursor": None, "next_url": None})
    )
    page.route("**/v1/stories/*", lambda route: route.fulfill(status=500, json={"status": 500}))
    asked = api_requests(page)
    page.goto(page_server.url + "/")
    cards = page.locator(".story-card")
    expect(cards.locator(".gist")).to_have_text(
        [
            "Floods killed 12 people, officials said.",
            "The central bank raised its main rate.",
            "The briefing is being written.",
            "The briefing is being written.",
            "No briefing yet.",
            "No briefing yet: it is written once a second outlet reports this.",
            "No briefing yet.",
        ]
    )
    # A gist reads as text, the states as help; the badge sits between the outlets and the gist.
    expect(cards.locator(".gist:not(.help)")).to_have_count(2)
    expect(cards.nth(0).locator(".meta + .tags + .gist")).to_have_count(1)
    expect(page.locator(".tag-disputed")).to_have_count(1)
    expect(cards.nth(0).locator(".tag-disputed")).to_have_text("Sources disagree")
    page.wait_for_load_state("networkidle")
    assert asked == ["/v1/stories"]
    assert page.errors.errors == []


def test_stories_come_in_pages_that_the_address_names(stories_server, page):
    listed = [s["headline"] for s in api(stories_server, "/v1/stories?limit=100")["stories"]]
    assert len(listed) > 2
    page.goto(stories_server.url + "/?limit=2")
    headlines = page.locator(".story-card h2")
    expect(headlines).to_have_text(listed[:2])
    expect(page.get_by_role("link", name="Newest stories")).to_be_hidden()
    page.get_by_role("link", name="Older stories").click()
    expect(headlines).to_have_text(listed[2:4])
    assert "cursor=" in page.url and "limit=2" in page.url
    page.go_back()
    expect(headlines).to_have_text(listed[:2])
    page.go_forward()
    page.get_by_role("link", name="Newest stories").click()
    expect(headlines).to_have_text(listed[:2])


def test_a_story_has_its_own_page_with_evidence_inline_disputes_and_articles(stories_server, page):
    story = disputed_story(stories_server)
    briefing = story["briefing"]["briefing"]
    page.goto(stories_server.url + "/")
    page.get_by_role("link", name=story["headline"]).click()
    expect(page).to_have_url(f"{stories_server.url}/stories/{story['id']}")
    expect(page.get_by_role("heading", level=1)).to_have_text(story["headline"])
    expect(page).to_have_title(f"{story['headline']} · newsbrief")
    sentences = page.locator("#briefing-text .sentence")
    expect(sentences).to_have_count(len(briefing["sentences"]))

    # A citation opens its evidence: the source sentence (stories keep no text to show it in).
    first = briefing["sentences"][0]
    page.locator("#sentence-1 .marker").first.click()
    # The first marker is the first cited source: its evidence is that source's sentence.
    cited = next(e for e in first["evidence"] if e["source"] == first["citations"][0])
    expect(page.locator("#evidence blockquote.evidence-sentence").first).to_have_text(cited["text"])
    expect(page.locator("#evidence h4").first).to_contain_text(briefing["sources"][first["citations"][0] - 1]["title"])

    # The disputed sentence is marked in the text as the API's text marks it, naming the others.
    disputed_by = re.findall(r"\[disputed by ([\d, ]+)\]", briefing["text"])
    assert disputed_by, briefing["text"]
    marks = page.locator(".sentence.disputed .badge-disputed")
    expect(marks).to_have_text(["disputed by " + "".join(f"[{n}]" for n in d.split(", ")) for d in disputed_by])
    disagreement = briefing["disagreements"][0]
    outlets = [briefing["sources"][n - 1]["source"] for version in disagreement["versions"] for n in version["sources"]]
    mark_label = marks.first.get_attribute("aria-label")
    assert mark_label.startswith("disputed by [") and " is disputed, " in mark_label and outlets[-1] in mark_label
    marks.first.click()
    expect(page.locator("#evidence-title")).to_have_text("Sources disagree")
    for version in disagreement["versions"]:
        expect(page.locator("#evidence")).to_contain_text(version["text"])

    # Where sources disagree: each version with its outlets.
    section = page.locator("#disagreements")
    expect(section.get_by_role("heading")).to_have_text("Sources disagree")
    for version, item in zip(disagreement["versions"], section.locator(".versions > li").all(), strict=True):
        expect(item.locator("q")).to_have_text(version["text"])
        for n in version["sources"]:
            expect(item).to_contain_text(briefing["sources"][n - 1]["source"])

    # Its articles, with outlet and date, the cited ones with their source number.
    articles = page.locator("#article-list li")
    expect(articles).to_have_count(len(story["articles"]))
    for item, article in zip(articles.all(), story["articles"], strict=True):
        expect(item).to_contain_text(article["title"])
        expect(item).to_contain_text(article["source"])
        expect(item.locator("time")).to_have_attribute("datetime", re.compile(r"^\d{4}-\d\d-\d\dT[\d:.]+Z$"))
    for source in briefing["sources"]:
        expect(page.locator(f"#source-{source['index']}")).to_contain_text(f"[{source['index']}] {source['title']}")

    # Shareable, and the back button goes back to the front page.
    page.go_back()
    expect(page).to_have_url(stories_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Stories")
    assert page.errors.errors == []


def test_without_the_timeline_api_the_story_page_says_so_and_hides_those_parts(stories_server, page):
    """A service without the timeline and update APIs (an older one) answers them with a 404."""
    story = disputed_story(stories_server)
    missing = {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "not here",
        "fields": [],
        "errors": [],
    }
    page.route("**/v1/stories/*/timeline", lambda route: route.fulfill(status=404, json=missing))
    page.goto(f"{stories_server.url}/stories/{story['id']}")
    expect(page.locator("#updates-note")).to_have_text("This service does not give a story's timeline yet.")
    expect(page.locator("#timeline")).to_be_hidden()
    expect(page.locator("#new-since")).to_be_hidden()
    expect(page.locator("#briefing-text .sentence").first).to_be_visible()
    assert page.errors.errors == []


def test_a_story_that_is_not_there_says_so(stories_server, page):
    page.goto(stories_server.url + "/stories/987654")
    expect(page.get_by_role("heading", level=1)).to_have_text("No such story")
    expect(page.locator("#story-status")).to_contain_text("There is no story 987654")
    page.get_by_role("link", name="See the stories").click()
    expect(page).to_have_url(stories_server.url + "/")


def test_an_article_added_by_its_url_is_fetched_and_joins_a_story(stories_server, page):
    page.goto(stories_server.url + "/sources")
    address = page.get_by_label("The article's address")
    # Checked on the page first, then by the service (a local network address is refused unasked).
    address.fill("not a web address")
    page.get_by_role("button", name="Add the article").click()
    expect(page.locator("#article-url-error")).to_have_text(
        "Error: Enter a web address that starts with http:// or https://."
    )
    expect(address).to_be_focused()
    address.fill("http://10.11.12.13/news")
    page.get_by_role("button", name="Add the article").click()
    expect(page.locator("#article-url-error")).to_contain_text("The service did not take it: may not be fetched")
    expect(address).to_have_attribute("aria-invalid", "true")

    url = stories_server.news.url(BRIDGE_PATH)
    address.fill(url)
    page.get_by_role("button", name="Add the article").click()
    expect(page.locator("#article-url-error")).to_have_count(0)
    item = page.locator("#fetch-list li").first
    expect(item.locator(".progress-url")).to_have_text(url)
    expect(item.locator(".progress-state")).to_have_text(re.compile(r"^: added to story \d+\.$"))
    item.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(BRIDGE_TITLE)
    expect(page.locator("#article-list li")).to_contain_text(["Bay Post"])
    # One outlet: no briefing yet, and the page says why.
    expect(page.locator("#story-status")).to_have_text("No briefing yet: a story gets one once two outlets report it.")
    # The refusal's 422, which the browser logs; nothing else went wrong.
    [refused] = page.errors.errors
    assert "status of 422" in refused and refused.endswith("/v1/articles)")


def test_a_feed_subscribed_on_the_page_is_read_and_listed(stories_server, page):
    stories_server.news.pages["/news/more.xml"] = Page(
        rss(
            "More News",
            [
                {
                    "title": "Chess champion retires at forty",
                    "link": "https://chess.example/retires",
                    "content": "The chess world champion announced his retirement at forty on Tuesday. "
                    "He held the title for nine years.",
                }
            ],
        ),
        "application/rss+xml",
    )
    page.goto(stories_server.url + "/sources")
    page.get_by_label("The feed's address (RSS or Atom)").fill(stories_server.news.url("/news/more.xml"))
    page.get_by_role("button", name="Subscribe").click()
    expect(page.locator("#feeds-status")).to_have_text("Read the feed: 1 article added. See the stories")
    feed = page.locator("#feed-list li").filter(has_text="More News")
    expect(feed).to_contain_text("1 article added")
    expect(feed.locator("time")).to_have_text(re.compile(r"^read (just now|\d+ seconds? ago)$"))
    # The feed the stories came from is listed too, and subscribing again says so.
    expect(page.locator("#feed-list li").filter(has_text="Local News")).to_be_visible()
    page.get_by_label("The feed's address (RSS or Atom)").fill(stories_server.news.url("/news/more.xml"))
    page.get_by_role("button", name="Subscribe").click()
    expect(page.locator("#feeds-status")).to_contain_text("Read the feed: 1 article added.")
    assert page.errors.errors == []


def test_the_empty_front_page_says_how_to_add_sources(page_server, page):
    assert api(page_server, "/v1/stories")["stories"] == []
    page.goto(page_server.url + "/")
    empty = page.locator("#stories-empty")
    expect(empty.get_by_role("heading")).to_have_text("No stories yet")
    expect(empty.get_by_role("link")).to_have_text(
        [
            "Add an article by its URL",
            "Subscribe to a news feed (RSS or Atom)",
            "Paste articles to write a briefing now",
        ]
    )
    empty.get_by_role("link", name="Subscribe to a news feed (RSS or Atom)").click()
    expect(page).to_have_url(page_server.url + "/sources#add-feed")
    expect(page.get_by_label("The feed's address (RSS or Atom)")).to_be_visible()


# The timeline and update APIs come from the stories work (GET /v1/stories/<id>/timeline,
# GET /v1/stories/<id>/briefings/<v>?since=<k>); until it is merged this test is expected to fail,
# and strictly: once the endpoints are there it runs as any other.
TIMELINE_API = hasattr(stories_api, "get_story_timeline")


@pytest.mark.xfail(not TIMELINE_API, reason="the stories work's timeline API is not merged yet", strict=True)
def test_the_timeline_and_new_since_the_last_visit_after_the_story_grows(stories_server, page, screenshot):
    rates = story_with(stories_server, EVENTS[1][0][1])
    before = api(stories_server, f"/v1/stories/{rates['id']}")["briefing"]["version"]
    page.goto(f"{stories_server.url}/stories/{rates['id']}")
    expect(page.locator("#timeline .timeline-version h3")).to_have_text([f"Version {before}"])
    expect(page.locator("#new-since")).to_be_hidden()  # the first visit: all of it is new
    assert page.evaluate(f"localStorage.getItem('newsbrief.seen.story.{rates['id']}')") == str(before)

    grown = requests.post(stories_server.url + "/v1/articles", json={"articles": [RATES_GROWTH]}, timeout=30)
    assert grown.status_code == 201 and grown.json()["articles"][0]["story_id"] == rates["id"], grown.text
    wait_for(
        lambda: api(stories_server, f"/v1/stories/{rates['id']}")["briefing"],
        lambda b: b["version"] == before + 1 and b["status"] == "done",
        "the next briefing version",
    )
    page.reload()
    versions = page.locator("#timeline .timeline-version")
    expect(versions.locator("h3")).to_have_text([f"Version {before + 1}", f"Version {before}"])
    expect(versions.first.locator("time")).to_have_attribute("datetime", re.compile(r"Z$"))
    new_since = page.locator("#new-since")
    expect(new_since.locator("#new-since-meta")).to_have_text(
        f"You last read version {before}; this is version {before + 1}."
    )
    expect(new_since.locator("li").first).to_be_visible()
    expect(new_since).to_contain_text("percent")  # the new article's facts: shares fell, again in March
    screenshot(page, "story-updated-desktop")
    page.reload()
    expect(versions).to_have_count(2)
    expect(new_since).to_be_hidden()
    assert page.errors.errors == []
