"""Every view of the page, on a desktop and on a phone: it fits the screen (no sideways scrolling
from 390 px down to 320 px), every control is a 44 x 44 px target, lines stay readable on a
desktop, and axe-core finds no serious or critical accessibility violation. Each view's
screenshot (docs/screenshots/<view>-<screen>.png) is taken here when NEWSBRIEF_SCREENSHOTS=1."""

from __future__ import annotations

import pytest
import requests
from helpers.axe import axe_violations, blocking, summary
from helpers.page_stories import EVENTS
from helpers.story_server import wait_for
from playwright.sync_api import expect

# Controls smaller than 44 x 44 px. A link inside a sentence of text is exempt, as WCAG 2.5.5
# exempts it; a checkbox's target is its label, which the checkbox is part of.
SMALL_TARGETS = """() => {
    const small = [];
    for (const node of document.querySelectorAll("a[href], button, input, select, textarea, summary")) {
        const shown = node.getBoundingClientRect();
        if (!shown.width || !shown.height || shown.right <= 0 || getComputedStyle(node).visibility === "hidden") continue;
        if (node.matches("a") && node.parentElement.closest("p")) continue;
        const target = node.matches("input[type=checkbox]") ? node.labels[0] : node;
        const box = target.getBoundingClientRect();
        if (box.width < 43.5 || box.height < 43.5) {
            small.push(`${node.tagName.toLowerCase()}#${node.id}.${node.className} "${(node.textContent || node.value || "").trim().slice(0, 30)}" ${Math.round(box.width)}x${Math.round(box.height)}`);
        }
    }
    return small;
}"""

VIEWS = ["front", "story", "sources", "write", "write-errors", "job", "missing-story"]


@pytest.fixture(scope="module")
def story_id(stories_server) -> int:
    """The disputed story (its briefing has a disagreement)."""
    for listed in requests.get(stories_server.url + "/v1/stories", timeout=30).json()["stories"]:
        story = requests.get(f"{stories_server.url}/v1/stories/{listed['id']}", timeout=30).json()
        if story["briefing"] and story["briefing"]["briefing"]["disagreements"]:
            return story["id"]
    raise AssertionError("no disputed story")


@pytest.fixture(scope="module")
def job_id(stories_server) -> str:
    """A finished job of one cluster: the rates story's two articles."""
    articles = [{"title": title, "text": text, "source": site} for site, title, text in EVENTS[1]]
    answer = requests.post(
        stories_server.url + "/v1/jobs", json={"clusters": [{"id": "rates", "articles": articles}]}, timeout=30
    )
    assert answer.status_code == 202, answer.text
    job = answer.json()["id"]
    wait_for(
        lambda: requests.get(f"{stories_server.url}/v1/jobs/{job}", timeout=30).json(),
        lambda j: j["status"] == "done",
        "job",
    )
    return job


def open_view(page, server, view: str, story_id: int, job_id: str) -> None:
    """The view as a reader leaves it: loaded, and for some a step taken."""
    if view == "front":
        page.goto(server.url + "/")
        expect(page.locator(".story-card").first).to_be_visible()
    elif view == "story":
        page.goto(f"{server.url}/stories/{story_id}")
        page.locator("#sentence-1 .marker").first.click()
        expect(page.locator("#evidence")).to_be_visible()
    elif view == "sources":
        page.goto(server.url + "/sources")
        expect(page.locator("#feed-list li").first).to_be_visible()
    elif view == "write":
        page.goto(server.url + "/write")
        expect(page.locator("fieldset.article")).to_have_count(2)
    elif view == "write-errors":
        page.goto(server.url + "/write")
        page.get_by_role("button", name="Write the briefing").click()
        expect(page.locator("#form-errors")).to_be_focused()
    elif view == "job":
        page.goto(f"{server.url}/jobs?id={job_id}")
        page.get_by_role("button", name="Open the briefing of rates").click()
        expect(page.locator("#briefing-result")).to_be_visible()
    elif view == "missing-story":
        page.goto(server.url + "/stories/987654")
        expect(page.get_by_role("heading", level=1)).to_have_text("No such story")


@pytest.mark.parametrize("screen", ["desktop", "phone"])
@pytest.mark.parametrize("view", VIEWS)
def test_every_view_fits_has_large_targets_and_passes_axe(
    stories_server, page_on, story_id, job_id, view, screen, screenshot
):
    page = page_on(screen)
    open_view(page, stories_server, view, story_id, job_id)
    width = page.viewport_size["width"]
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width
    assert page.evaluate(SMALL_TARGETS) == []
    violations = axe_violations(page)
    print(summary(f"{view}-{screen}", violations))
    assert blocking(violations) == []
    assert page.errors.errors == []
    screenshot(page, f"{view}-{screen}")
    if screen == "phone":
        # The narrowest phones in use: still no sideways scrolling.
        page.set_viewport_size({"width": 320, "height": 640})
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 320
    else:
        # Lines of about 75 characters at most: the text column stops growing on a wide screen.
        column = page.locator("main").evaluate("main => main.getBoundingClientRect().width")
        font = page.locator("main").evaluate("main => parseFloat(getComputedStyle(main).fontSize)")
        assert column <= 46 * font < width
