"""What the page does with the parts of a briefing and the endpoints other work adds: verdicts,
evidence spans and disagreements (the trust work), an evidence's speaker (the content work), and
stories (GET /v1/stories). A real briefing
of the seeds is answered with those fields added, by Playwright's routing, in the shapes that work
gives them, so the page reads them before they land and tolerates their absence after."""

from __future__ import annotations

import copy

import pytest
from helpers.paths import SEEDS
from playwright.sync_api import expect


@pytest.fixture(scope="module")
def seed_request() -> dict:
    from helpers.payload import request_body

    return request_body([str(SEEDS)])


@pytest.fixture
def real_briefing(page_server, page, seed_request) -> dict:
    """The service's own answer for the seeds (POST /v1/briefings from the page's context), their
    articles named as the page names what it sends."""
    articles = [{**article, "id": f"article-{i + 1}"} for i, article in enumerate(seed_request["articles"])]
    answer = page.request.post(page_server.url + "/v1/briefings", data={**seed_request, "articles": articles})
    assert answer.status in (200, 201), answer.text()
    return answer.json()


def with_trust_fields(resource: dict) -> dict:
    """`resource` with a verdict on every sentence, a span on each evidence, the second sentence
    contradicted, and one disagreement between sources 1 and 2."""
    changed = copy.deepcopy(resource)
    for i, sentence in enumerate(changed["briefing"]["sentences"]):
        sentence["verdict"] = "contradicted" if i == 1 else "supported"
        sentence["score"] = 0.2 if i == 1 else 0.9
        sentence["reason"] = "source 3 gives another date" if i == 1 else None
        for citation in sentence["evidence"]:
            citation["span"] = [0, citation["text"].index(" ", 10)]
    changed["briefing"]["sentences"][0]["evidence"][0]["speaker"] = "Dmitry Peskov"
    changed["briefing"]["disagreements"] = [
        {
            "claim": "When the visit takes place",
            "versions": [
                {"text": changed["briefing"]["sentences"][0]["evidence"][0]["text"], "sources": [1]},
                {"text": "Putin will arrive later in the week.", "sources": [2]},
            ],
        }
    ]
    return changed


def test_verdicts_spans_and_disagreements_are_shown(page_server, page, seed_request, real_briefing):
    trusted = with_trust_fields(real_briefing)
    page.route("**/v1/briefings", lambda route: route.fulfill(status=201, json=trusted))
    page.goto(page_server.url + "/")
    articles = seed_request["articles"]
    fieldsets = page.locator("fieldset.article")
    for _ in range(len(articles) - 2):
        page.get_by_role("button", name="Add an article").click()
    for i, article in enumerate(articles):
        fieldsets.nth(i).get_by_label("Title", exact=True).fill(article["title"])
        fieldsets.nth(i).get_by_label("Text", exact=True).fill(article["text"])
    page.get_by_role("button", name="Write the briefing").click()

    sentences = trusted["briefing"]["sentences"]
    second = page.locator("#sentence-2")
    expect(second).to_have_class("sentence verdict-contradicted")
    second.get_by_role("button", name="Sentence 2 is contradicted: why").click()
    expect(page.locator("#evidence .verdict")).to_have_text(
        "Verdict: contradicted, score 0.20: source 3 gives another date"
    )

    # The span is highlighted more strongly, in the quoted sentence and inside the article.
    first = sentences[0]["evidence"][0]
    page.locator("#sentence-1 .marker").first.click()
    start, end = first["span"]
    spans = page.locator("#evidence strong.span")
    expect(spans).to_have_count(2)
    expect(spans.first).to_have_text(first["text"][start:end])
    expect(page.locator("#evidence mark strong.span")).to_have_text(first["text"][start:end])
    expect(page.locator("#evidence .label").nth(1)).to_have_text(
        f"Source sentence (similarity {first['score']:.2f}, said by Dmitry Peskov)"
    )

    section = page.locator("#disagreements")
    expect(section).to_be_visible()
    expect(section.get_by_role("heading")).to_have_text("Where sources disagree")
    expect(section.locator(".claim")).to_have_text("When the visit takes place")
    section.locator(".marker[data-source='2']").click()
    expect(page.locator("#evidence-title")).to_have_text("Source [2]'s version")
    expect(page.locator("#evidence blockquote.evidence-sentence")).to_have_text("Putin will arrive later in the week.")
    assert "## Where sources disagree" in page.locator("#markdown").input_value()


def test_stories_are_listed_and_open_their_briefing(page_server, page, real_briefing):
    briefing = real_briefing["briefing"]
    story = {
        "id": 7,
        "url": "/v1/stories/7",
        "headline": "Putin visits North Korea",
        "article_count": 5,
        "outlets": ["kyivindependent.com", "apnews.com"],
        "first_seen": "2024-06-17T08:00:00Z",
        "last_seen": "2024-06-19T10:00:00Z",
        "briefing_versions": 2,
    }
    detail = {
        **story,
        "articles": [
            {
                "id": i + 1,
                "title": s["title"],
                "url": None,
                "source": None,
                "published": None,
                "seen_at": "2024-06-19T10:00:00Z",
            }
            for i, s in enumerate(briefing["sources"])
        ],
        "briefing": {
            "version": 2,
            "status": "done",
            "briefing_id": real_briefing["id"],
            "briefing": briefing,
            "error": None,
        },
    }
    page.route(
        "**/v1/stories", lambda route: route.fulfill(json={"stories": [story], "next_cursor": None, "next_url": None})
    )
    page.route("**/v1/stories/7", lambda route: route.fulfill(json=detail))
    page.goto(page_server.url + "/")
    stories = page.locator("#stories")
    expect(stories).to_be_visible()
    expect(page.get_by_role("link", name="Stories")).to_be_visible()
    expect(stories.locator("li h3")).to_have_text("Putin visits North Korea")
    expect(stories.locator("li .meta")).to_have_text(
        "5 articles · from kyivindependent.com, apnews.com · first seen 2024-06-17T08:00:00Z · last seen 2024-06-19T10:00:00Z"
    )
    stories.get_by_role("button", name="Open the briefing of: Putin visits North Korea").click()
    expect(page.locator("#briefing-text .sentence")).to_have_count(len(briefing["sentences"]))
    page.locator("#sentence-1 .marker").first.click()
    # Stories list their articles without text: the source sentence is shown on its own.
    expect(page.locator("#evidence blockquote.evidence-sentence")).to_have_text(
        briefing["sentences"][0]["evidence"][0]["text"]
    )
    expect(page.locator("#evidence")).to_contain_text("does not have the article's text")
