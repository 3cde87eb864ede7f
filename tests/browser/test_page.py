"""The page's "Write a briefing" view (GET /write, service/web) in a real browser: paste the seed
articles, get the briefing, open a citation's evidence with the mouse and the keyboard, copy it as
Markdown, follow a job; the page's own checks and the service's errors shown in the viewport, in
plain words, beside their fields and in a summary that takes focus; dropped .html pages read as a
reader sees them; nothing an article carries runs as code; the page states its
Content-Security-Policy and keeps to it. The README's screenshot (docs/screenshot.png) is taken
here when NEWSBRIEF_SCREENSHOTS=1."""

from __future__ import annotations

import json
import re
import unicodedata

import pytest
from helpers.browsers import chromium_path
from helpers.paths import ROOT, SEEDS
from playwright.sync_api import expect

README_SCREENSHOT = ROOT / "docs" / "screenshot.png"
WRITE = "/write"


@pytest.fixture(scope="module")
def seed_articles() -> list[dict]:
    from helpers.payload import request_body

    return request_body([str(SEEDS)])["articles"]


def fold(text: str) -> str:
    """Text as the page compares it with the article: white space runs, curly quotes, dashes, case."""
    text = unicodedata.normalize("NFC", text).translate(
        str.maketrans("\u2018\u2019\u201c\u201d\u2013\u2014", "''\"\"--")
    )
    return re.sub(r"\s+", " ", text).strip().lower()


def paste(page, articles: list[dict]) -> None:
    """Fill one article's fields per article, adding fields as the page's button does."""
    fieldsets = page.locator("fieldset.article")
    while fieldsets.count() < len(articles):
        page.get_by_role("button", name="Add an article").click()
    for i, article in enumerate(articles):
        fieldset = fieldsets.nth(i)
        for label, key in (
            ("Title", "title"),
            ("Outlet", "source"),
            ("Link", "url"),
            ("Date", "published"),
            ("Text", "text"),
        ):
            if article.get(key):
                fieldset.get_by_label(label, exact=True).fill(article[key])


def brief(page, articles: list[dict], **options) -> dict:
    """Paste `articles`, submit, and return the API's answer once the page shows the briefing."""
    paste(page, articles)
    if "max_words" in options:
        page.get_by_label("Length (at most, in words)").fill(str(options["max_words"]))
    with page.expect_response(lambda r: r.url.endswith("/v1/briefings") and r.request.method == "POST") as answer:
        page.get_by_role("button", name="Write the briefing").click()
    assert answer.value.status in (200, 201), answer.value.text()
    expect(page.locator("#briefing-result")).to_be_visible()
    return answer.value.json()


def shown_evidence(page) -> tuple[str, str]:
    """The source sentence the evidence panel quotes, and the part of the article it highlights."""
    panel = page.locator("#evidence")
    expect(panel).to_be_visible()
    return panel.locator("blockquote.evidence-sentence").first.inner_text(), panel.locator(
        "mark.evidence-mark"
    ).first.inner_text()


def test_the_seed_briefing_cites_and_a_marker_opens_its_evidence_in_the_article(
    page_server, page, seed_articles, screenshot
):
    page.goto(page_server.url + WRITE)
    resource = brief(page, seed_articles, max_words=120)
    briefing = resource["briefing"]
    titles = {f"article-{i + 1}": article["title"] for i, article in enumerate(seed_articles)}
    sentences = page.locator("#briefing-text .sentence")
    expect(sentences).to_have_count(len(briefing["sentences"]))
    # Engine auto, offline: the fallback and its reason are on the page, not hidden.
    expect(page.locator("#warning-list")).to_contain_text("used the extractive engine")
    expect(page.locator("#source-list li")).to_have_count(len(briefing["sources"]))

    # A sentence citing another source than the first's, so the panel must change.
    firsts = [s for s in briefing["sentences"] if s["evidence"]]
    for n, sentence in enumerate(briefing["sentences"][:4]):
        if not sentence["evidence"]:
            continue
        citation = sentence["evidence"][0]
        source = briefing["sources"][citation["source"] - 1]
        page.locator(f"#sentence-{n + 1} .marker[data-source='{citation['source']}']").first.click()
        quoted, highlighted = shown_evidence(page)
        assert quoted == citation["text"]
        # The highlight is that sentence inside the article as it was pasted (curly quotes and all);
        # of a quotation given in its speaker's voice (Putin said: "..."), the words as written.
        assert fold(highlighted) == fold(citation["as_written"] or citation["text"])
        pasted = seed_articles[int(source["id"].removeprefix("article-")) - 1]["text"]
        assert highlighted in pasted
        expect(page.locator("#evidence h4").first).to_contain_text(titles[source["id"]])
    assert len({s["evidence"][0]["source"] for s in firsts[:4]}) > 1
    assert page.errors.errors == []

    # What a person sees: the seeds' briefing, the evidence of its first marker open.
    page.locator("#sentence-1 .marker").first.click()
    page.evaluate("document.querySelectorAll('textarea').forEach(box => { box.scrollTop = 0; })")
    screenshot(page, "write-briefing-desktop", README_SCREENSHOT)


def test_a_marker_reached_with_the_keyboard_shows_its_evidence(page_server, page, seed_articles):
    page.goto(page_server.url + WRITE)
    briefing = brief(page, seed_articles[:3])["briefing"]
    cited = [(i, s) for i, s in enumerate(briefing["sentences"]) if s["citations"]]
    # The page moves focus to the briefing; Tab goes on to its first marker, and the next.
    expect(page.locator("#briefing-section")).to_be_focused()
    for i, sentence in cited[:2]:
        page.keyboard.press("Tab")
        focused = page.locator(":focus")
        expect(focused).to_have_class(re.compile(r"\bmarker\b"))
        assert focused.evaluate("node => node.closest('.sentence').id") == f"sentence-{i + 1}"
        quoted, _ = shown_evidence(page)
        assert quoted == sentence["evidence"][0]["text"]
        expect(page.locator("#evidence-title")).to_have_text(
            f"Evidence for [{sentence['citations'][0]}] in sentence {i + 1}"
        )


def test_markup_in_articles_is_shown_as_text_and_never_runs(page_server, page):
    script = "<script>window.__xss = 'script'</script>"
    image = "<img src=x onerror=\"window.__xss = 'img'\">"
    body = (
        f"The city council approved the new budget on Monday after a long debate {script}. "
        f"The budget raises spending on schools by ten percent over last year {image}. "
        "Council members said the vote was the closest in a decade. "
        "The mayor welcomed the decision and promised to publish the full figures."
    )
    articles = [
        {
            "title": f"Council passes budget {script}",
            "source": f"Outlet {image}",
            "url": "javascript:window.__xss='link'",
            "text": body,
        },
        {"title": f"Budget vote {image}", "text": body.replace("Monday", "Monday evening")},
    ]
    page.goto(page_server.url + WRITE)
    # A dropped HTML page too: read by the page (DOMParser) to show its text.
    page.locator("#files").set_input_files(
        files=[
            {
                "name": "story.html",
                "mimeType": "text/html",
                "buffer": f"<html><head><title>Page {script}</title></head><body><p>{body}</p>{image}</body></html>".encode(),
            }
        ]
    )
    expect(page.locator("fieldset.article").first.get_by_label("Title", exact=True)).to_have_value(f"Page {script}")
    page.get_by_role("button", name="Add an article").click()
    fieldsets = page.locator("fieldset.article")
    for i, article in enumerate(articles, start=1):
        for label, key in (("Title", "title"), ("Outlet", "source"), ("Link", "url"), ("Text", "text")):
            if article.get(key):
                fieldsets.nth(i).get_by_label(label, exact=True).fill(article[key])
    with page.expect_response(lambda r: r.url.endswith("/v1/briefings")) as answer:
        page.get_by_role("button", name="Write the briefing").click()
    assert answer.value.status == 201, answer.value.text()
    expect(page.locator("#briefing-result")).to_be_visible()
    for marker in page.locator(".marker").all():
        marker.click()
    expect(page.locator("#source-list")).to_contain_text(f"Council passes budget {script}")
    expect(page.locator("#evidence")).to_be_visible()
    assert page.evaluate("window.__xss") is None
    # The text is there as text: no element was made from it, and no javascript: link.
    assert page.locator("main img, main script").count() == 0
    assert page.locator("a[href^='javascript']").count() == 0
    # Nothing failed; the only refusals are of the dropped page's handler, parsed to read its text.
    assert page.errors.errors == []
    assert all("inline event handler" in refused for refused in page.errors.refused)


def test_the_page_states_a_content_security_policy_and_keeps_to_it(page_server, page):
    response = page.goto(page_server.url + WRITE)
    headers = response.headers
    policy = {part.split()[0]: part.split()[1:] for part in headers["content-security-policy"].split("; ")}
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "unsafe-inline" not in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    # Enforced: a script added inline does not run, and the page itself broke no rule loading.
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.__inline = 1'; document.body.append(s); }"
    )
    assert page.evaluate("window.__inline") is None
    assert len(page.errors.refused) == 1 and "inline script" in page.errors.refused[0]
    assert page.errors.errors == []
    # Every view is the same shell, with the same policy.
    for path in ("/", "/stories/1", "/sources", "/jobs"):
        assert (
            page.request.get(page_server.url + path).headers["content-security-policy"]
            == headers["content-security-policy"]
        )


def test_copy_as_markdown_and_download_the_json(page_server, page, context, seed_articles):
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=page_server.url)
    page.goto(page_server.url + WRITE)
    resource = brief(page, seed_articles[:3])
    briefing = resource["briefing"]
    page.get_by_role("button", name="Copy as Markdown").click()
    expect(page.locator("#copy-status")).to_have_text("Copied the briefing as Markdown.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == page.locator("#markdown").input_value()
    assert copied.startswith("# Briefing\n")
    assert briefing["text"] in copied
    sources = copied.split("## Sources\n\n", 1)[1].splitlines()
    assert sources == [
        f"{s['index']}. {s['title']}" + (f" ({s['published']})" if s["published"] else "") for s in briefing["sources"]
    ]

    with page.expect_download() as download:
        page.get_by_role("button", name="Download the JSON").click()
    assert download.value.suggested_filename == f"briefing-{resource['id']}.json"
    assert json.loads(download.value.path().read_text(encoding="utf-8")) == resource


def test_a_job_started_from_the_page_is_followed_to_its_briefing(page_server, page, seed_articles):
    page.goto(page_server.url + WRITE)
    paste(page, seed_articles[:2])
    with page.expect_response(lambda r: r.url.endswith("/v1/jobs")) as answer:
        page.get_by_role("button", name="Run as a background job").click()
    assert answer.value.status == 202, answer.value.text()
    job_id = answer.value.json()["id"]
    card = page.locator("#job-list .job")
    expect(card.locator(".job-summary")).to_contain_text("done: 1 of 1 clusters done")
    expect(card.locator("progress")).to_have_attribute("value", "1")
    card.get_by_role("button", name=re.compile("Open the briefing")).click()
    expect(page.locator("#briefing-result")).to_be_visible()
    page.locator("#sentence-1 .marker").first.click()
    _, highlighted = shown_evidence(page)  # the page still knows the articles it sent
    assert highlighted

    # And by its id on the Jobs view, whose address then names it.
    other = page.context.new_page()
    other.goto(page_server.url + "/jobs")
    other.get_by_label("Job id").fill(job_id)
    other.get_by_role("button", name="Follow").click()
    expect(other).to_have_url(f"{page_server.url}/jobs?id={job_id}")
    expect(other.locator("#job-list .job-summary")).to_contain_text("done: 1 of 1 clusters done")
    other.get_by_role("button", name=re.compile("Open the briefing")).click()
    expect(other.locator("#briefing-section")).to_be_focused()
    other.get_by_label("Job id").fill("no-such-job")
    other.get_by_role("button", name="Follow").click()
    expect(other.locator("#job-list .job").first).to_contain_text("no job with id 'no-such-job'")


def test_a_service_with_api_keys_gets_a_key_field_and_the_key_is_sent(keyed_server, api_key, page, seed_articles):
    page.goto(keyed_server.url + WRITE)
    key = page.get_by_label(re.compile("^API key"))
    expect(key).to_be_visible()
    paste(page, seed_articles[:2])
    page.get_by_role("button", name="Write the briefing").click()
    expect(page.locator("#form-errors")).to_contain_text("API key is missing: enter this service's API key")
    expect(page.locator("#form-errors")).to_be_focused()
    expect(key).to_have_attribute("aria-invalid", "true")
    key.fill(api_key)
    page.get_by_role("button", name="Write the briefing").click()
    expect(page.locator("#briefing-result")).to_be_visible()
    expect(page.locator("#form-errors")).to_be_hidden()
    expect(key).not_to_have_attribute("aria-invalid", "true")
    # Kept in this tab: another view sends it too.
    page.get_by_role("link", name="Stories").click()
    expect(page.locator("#stories-status")).not_to_contain_text("API key")
    expect(page.get_by_label(re.compile("^API key"))).to_have_value(api_key)


def in_viewport(page, locator) -> bool:
    box = locator.bounding_box()
    size = page.viewport_size
    return box is not None and box["y"] >= 0 and box["y"] + min(box["height"], 100) <= size["height"]


def test_an_empty_form_shows_its_error_in_view_with_focus_on_the_summary(page_server, page):
    page.goto(page_server.url + WRITE)
    sent = []
    page.on("request", lambda request: sent.append(request.url) if "/v1/briefings" in request.url else None)
    page.get_by_role("button", name="Write the briefing").scroll_into_view_if_needed()
    page.get_by_role("button", name="Write the briefing").click()
    summary = page.locator("#form-errors")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    expect(summary.locator("li")).to_have_text(["Article 1's text is empty: paste an article, or add a file"])
    assert in_viewport(page, summary)
    text = page.locator("fieldset.article").first.get_by_label("Text", exact=True)
    expect(text).to_have_attribute("aria-invalid", "true")
    expect(text).to_have_accessible_description(
        re.compile("^Error: Article 1's text is empty: paste an article, or add a file")
    )
    # The summary's link goes to the field.
    summary.get_by_role("link").click()
    expect(text).to_be_focused()
    assert sent == []


def test_an_oversized_paste_is_stopped_on_the_page_with_the_services_limit(page_server, page):
    page.goto(page_server.url + WRITE)
    sent = []
    page.on("request", lambda request: sent.append(request.url) if "/v1/briefings" in request.url else None)
    limit = int(page.locator("#briefing-form").get_attribute("data-max-article-chars"))
    fieldset = page.locator("fieldset.article").nth(1)
    fieldset.get_by_label("Title", exact=True).fill("A very long article")
    fieldset.get_by_label("Text", exact=True).fill("Word " * 40_800)  # 204,000 characters
    page.get_by_role("button", name="Write the briefing").click()
    summary = page.locator("#form-errors")
    expect(summary).to_be_focused()
    message = f"is too long: 204,000 characters, and this service takes at most {limit:,}"
    expect(summary.locator("li")).to_have_text([f"Article 2's text {message}"])
    assert in_viewport(page, summary)
    expect(fieldset.locator(".field-error")).to_have_text(f"Error: Article 2's text {message}")
    assert sent == []
    # Put right, the errors go.
    fieldset.get_by_label("Text", exact=True).fill("Short enough.")
    page.get_by_label("Length (at most, in words)").fill("5")
    page.get_by_role("button", name="Write the briefing").click()
    expect(summary.locator("li")).to_have_text(["Length (at most, in words) must be a whole number from 10 to 2000"])
    expect(page.locator(".field-error")).to_have_count(1)


def test_the_services_errors_are_put_in_plain_words_on_their_fields(page_server, page, seed_articles):
    page.goto(page_server.url + WRITE)
    paste(page, [seed_articles[0], {"title": "A title with a bell \u0007 in it", "text": "Some text. More text here."}])
    with page.expect_response(lambda r: r.url.endswith("/v1/briefings")) as answer:
        page.get_by_role("button", name="Write the briefing").click()
    assert answer.value.status == 422
    assert answer.value.json()["errors"][0]["field"] == "articles[1].title"
    summary = page.locator("#form-errors")
    expect(summary).to_be_focused()
    expect(summary.locator("li")).to_have_text(
        ["Article 2's title holds an invisible control character (character 21): remove it"]
    )
    title = page.locator("fieldset.article").nth(1).get_by_label("Title", exact=True)
    expect(title).to_have_attribute("aria-invalid", "true")
    # Said once, in the page's words: not the API's field paths.
    expect(page.locator("#compose")).not_to_contain_text("articles[")
    expect(page.locator("#compose")).not_to_contain_text("NEWSBRIEF_")


def test_dropped_html_pages_read_as_a_reader_sees_them(page_server, page):
    page.goto(page_server.url + WRITE)
    page.locator("#files").set_input_files(
        files=[
            {
                "name": "river.html",
                "mimeType": "text/html",
                "buffer": b"<html><head><title>River Lee bursts its banks | The Echo</title>"
                b'<meta property="og:title" content="River Lee bursts its banks">'
                b'<meta property="og:site_name" content="The Echo">'
                b'<meta property="article:published_time" content="2026-12-01T07:30:00Z"></head>'
                b"<body><nav><a href='/'>Home</a> | <a href='/world'>World</a> | <a href='/sport'>Sport</a></nav>"
                b"<article><h1>River Lee bursts its banks</h1><p>The River Lee burst its banks on Monday.</p>"
                b"<p>Shops on the quay were flooded<br>and roads were closed.</p></article>"
                b"<footer>Copyright The Echo</footer></body></html>",
            },
            {
                "name": "mayor.html",
                "mimeType": "text/html",
                "buffer": b"<html><head><title>Mayor resigns - Daily Planet</title></head>"
                b"<body><div>The mayor resigned on Friday.</div><div>Elections follow in May.</div></body></html>",
            },
        ]
    )
    river, mayor = page.locator("fieldset.article").nth(0), page.locator("fieldset.article").nth(1)
    expect(river.get_by_label("Title", exact=True)).to_have_value("River Lee bursts its banks")
    expect(river.get_by_label("Outlet", exact=True)).to_have_value("The Echo")
    expect(river.get_by_label("Date", exact=True)).to_have_value("2026-12-01")
    expect(river.get_by_label("Text", exact=True)).to_have_value(
        "River Lee bursts its banks\n\nThe River Lee burst its banks on Monday.\n\n"
        "Shops on the quay were flooded\nand roads were closed."
    )
    expect(mayor.get_by_label("Title", exact=True)).to_have_value("Mayor resigns")
    expect(mayor.get_by_label("Outlet", exact=True)).to_have_value("Daily Planet")
    expect(mayor.get_by_label("Text", exact=True)).to_have_value(
        "The mayor resigned on Friday.\n\nElections follow in May."
    )


def test_without_chromium_the_browser_tests_fail_saying_how_to_install_it(tmp_path):
    with pytest.raises(pytest.fail.Exception, match=r"no chromium at .*apt-get install chromium.*install-chromium"):
        chromium_path({"NEWSBRIEF_TEST_CHROMIUM": str(tmp_path / "chromium")})
    with pytest.raises(pytest.fail.Exception, match="no chromium at /nonexistent/chromium"):
        chromium_path({"NEWSBRIEF_TEST_CHROMIUM": "/nonexistent/chromium"})


def test_dropped_files_fill_article_fields_and_fields_can_be_removed(page_server, page):
    page.goto(page_server.url + WRITE)
    # A drop as a person makes it: files in a DataTransfer, dropped on the drop zone.
    page.evaluate(
        """() => {
            const files = new DataTransfer();
            files.items.add(new File(["Breaking\\n\\nCouncil passes the new city budget\\nThe council voted on Monday."], "budget.txt", {type: "text/plain"}));
            files.items.add(new File(["<html><head><title>Mayor welcomes vote</title></head><body><p>The mayor spoke.</p></body></html>"], "mayor.html", {type: "text/html"}));
            files.items.add(new File(["%PDF-1.4"], "report.pdf", {type: "application/pdf"}));
            document.getElementById("drop-zone").dispatchEvent(new DragEvent("drop", {dataTransfer: files, bubbles: true, cancelable: true}));
        }"""
    )
    fieldsets = page.locator("fieldset.article")
    # The .txt file's title line follows `newsbrief summarize`'s rule: a short label is skipped.
    expect(fieldsets.nth(0).get_by_label("Title", exact=True)).to_have_value("Council passes the new city budget")
    expect(fieldsets.nth(0).get_by_label("Text", exact=True)).to_have_value("Breaking\n\nThe council voted on Monday.")
    expect(fieldsets.nth(1).get_by_label("Title", exact=True)).to_have_value("Mayor welcomes vote")
    expect(fieldsets.nth(1).get_by_label("Text", exact=True)).to_have_value("The mayor spoke.")
    expect(fieldsets.nth(1).get_by_label("Text", exact=True)).not_to_be_editable()  # the service reads the HTML
    expect(fieldsets).to_have_count(2)
    expect(page.locator("#form-status")).to_have_text(
        "Added 2 files: budget.txt, mayor.html; left out report.pdf: only .txt and .html files are read"
    )

    page.get_by_role("button", name="Add an article").click()
    expect(fieldsets).to_have_count(3)
    expect(page.locator(":focus")).to_have_id(re.compile(r"article-\d+-title"))
    page.get_by_role("button", name="Remove article 1").click()
    expect(fieldsets).to_have_count(2)
    expect(fieldsets.nth(0).locator("legend")).to_have_text("Article 1")
    expect(fieldsets.nth(0).get_by_label("Title", exact=True)).to_have_value("Mayor welcomes vote")
    page.get_by_role("button", name="Remove article 2").click()
    expect(page.get_by_role("button", name="Remove article 1")).to_be_disabled()  # one is always left


# WCAG 2 contrast of each visible text element's colour with the background it is drawn on (the
# nearest opaque one up the tree).
CONTRAST_OF_TEXT = """() => {
    const channel = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    const rgb = (css) => css.match(/[\\d.]+/g).map(Number);
    const luminance = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
    const background = (node) => {
        for (; node; node = node.parentElement) {
            const [r, g, b, a] = rgb(getComputedStyle(node).backgroundColor);
            if (a === undefined || a > 0) return [r, g, b];
        }
        return [255, 255, 255];
    };
    const found = [];
    for (const node of document.querySelectorAll("body *")) {
        const own = Array.from(node.childNodes).some((child) => child.nodeType === 3 && child.textContent.trim());
        if (!own || !node.getClientRects().length || getComputedStyle(node).visibility === "hidden") continue;
        const [fore, back] = [luminance(rgb(getComputedStyle(node).color)), luminance(background(node))];
        const ratio = (Math.max(fore, back) + 0.05) / (Math.min(fore, back) + 0.05);
        found.push([node.tagName.toLowerCase() + (node.className ? "." + node.className : ""), Math.round(ratio * 100) / 100]);
    }
    return found;
}"""


def test_text_on_the_page_has_readable_contrast(page_server, page, seed_articles):
    page.goto(page_server.url + WRITE)
    brief(page, seed_articles[:2])
    page.locator("#sentence-1 .marker").first.click()
    measured = page.evaluate(CONTRAST_OF_TEXT)
    assert len(measured) > 50  # the briefing, its warnings, sources and evidence included
    low = [(element, ratio) for element, ratio in measured if ratio < 4.5]
    assert low == [], low
