"""What the page does with the parts of a briefing and the endpoints other work adds: verdicts,
evidence spans and disagreements (the trust work), an evidence's speaker (the content work), and a
story's timeline and update since a version (the stories work's contract). A real briefing of
the seeds is answered with those fields added, by Playwright's routing, in the shapes that work
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
    page.goto(page_server.url + "/write")
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
    expect(section.get_by_role("heading")).to_have_text("Sources disagree")
    expect(section.locator(".claim")).to_have_text("When the visit takes place")
    section.locator(".marker[data-source='2']").click()
    expect(page.locator("#evidence-title")).to_have_text("Source [2]'s version")
    expect(page.locator("#evidence blockquote.evidence-sentence")).to_have_text("Putin will arrive later in the week.")
    assert "## Where sources disagree" in page.locator("#markdown").input_value()


def test_the_timeline_and_what_is_new_since_the_last_visit(page_server, page, real_briefing):
    """The story page against the timeline and update APIs' contract (GET
    /v1/stories/<id>/timeline, GET /v1/stories/<id>/briefings/<v>?since=<k>), answered here by
    routing: version 1 was read in this browser, version 2 is the story now."""
    briefing = real_briefing["briefing"]
    sentences = briefing["sentences"]
    story = {
        "id": 7,
        "url": "/v1/stories/7",
        "headline": "Putin visits North Korea",
        "article_count": 5,
        "outlets": ["kyivindependent.com", "apnews.com"],
        "first_seen": "2024-06-17T08:00:00Z",
        "last_seen": "2024-06-19T10:00:00Z",
        "briefing_versions": 2,
        "articles": [],
        "briefing": {
            "version": 2,
            "created_at": "2024-06-19T10:00:00Z",
            "article_count": 5,
            "status": "done",
            "job_url": "/v1/jobs/x",
            "briefing_id": real_briefing["id"],
            "briefing_url": f"/v1/briefings/{real_briefing['id']}",
            "briefing": briefing,
            "error": None,
        },
    }
    timeline = {
        "story_id": 7,
        "versions": [
            {
                "version": 1,
                "created_at": "2024-06-17T08:00:00Z",
                "articles": 2,
                "added": [{"text": sentences[0]["text"], "citations": sentences[0]["citations"]}],
            },
            {
                "version": 2,
                "created_at": "2024-06-19T10:00:00Z",
                "articles": 5,
                "added": [{"text": sentences[1]["text"], "citations": [2, 3]}],
            },
        ],
    }
    update = copy.deepcopy(briefing)
    for i, sentence in enumerate(update["sentences"]):
        sentence["novelty"] = ["known", "new", "update"][min(i, 2)]
    asked = []
    page.route("**/v1/stories/7", lambda route: route.fulfill(json=story))
    page.route("**/v1/stories/7/timeline", lambda route: route.fulfill(json=timeline))
    page.route(
        "**/v1/stories/7/briefings/2?since=1",
        lambda route: (asked.append(route.request.url), route.fulfill(json=update)),
    )
    page.goto(page_server.url + "/stories/7")
    # The first visit has stored its version (2) once the timeline is shown: go back to having read 1.
    expect(page.locator("#timeline .timeline-version")).to_have_count(2)
    assert page.evaluate("localStorage.getItem('newsbrief.seen.story.7')") == "2"
    page.evaluate("localStorage.setItem('newsbrief.seen.story.7', '1')")
    page.reload()

    versions = page.locator("#timeline .timeline-version")
    expect(versions.locator("h3")).to_have_text(["Version 2", "Version 1"])  # newest first
    expect(versions.nth(0).locator(".added li")).to_have_text([f"{sentences[1]['text']} [2][3]"])
    expect(versions.nth(1)).to_contain_text("The first briefing:")
    expect(versions.nth(1).locator("time")).to_have_attribute("datetime", "2024-06-17T08:00:00.000Z")
    expect(versions.nth(0)).to_contain_text("5 articles")

    new_since = page.locator("#new-since")
    expect(new_since.get_by_role("heading")).to_have_text("New since your last visit")
    expect(new_since.locator("#new-since-meta")).to_have_text("You last read version 1; this is version 2.")
    changed = [s for s in update["sentences"] if s["novelty"] != "known"]
    expect(new_since.locator("li .tag")).to_have_text(["New"] + ["Updated"] * (len(changed) - 1))
    expect(new_since.locator("li").first).to_contain_text(changed[0]["text"])
    assert len(asked) == 1
    # This browser has now seen version 2: the next visit shows nothing as new.
    assert page.evaluate("localStorage.getItem('newsbrief.seen.story.7')") == "2"
    page.reload()
    expect(page.locator("#timeline .timeline-version")).to_have_count(2)
    expect(new_since).to_be_hidden()
    assert len(asked) == 1

    # A service without the update API: the rest of the page, and a note instead.
    page.unroute("**/v1/stories/7/briefings/2?since=1")
    page.route("**/v1/stories/7/briefings/2?since=1", lambda route: route.fulfill(status=404, json={"status": 404}))
    page.evaluate("localStorage.setItem('newsbrief.seen.story.7', '1')")
    page.reload()
    expect(page.locator("#updates-note")).to_have_text(
        "This service does not say what is new since your last visit yet."
    )
    expect(new_since).to_be_hidden()
    expect(page.locator("#timeline .timeline-version")).to_have_count(2)
    assert page.errors.errors == []
