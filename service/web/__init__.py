"""The page for people: a front page of stories (GET /), a page per story (GET /stories/<id>),
sources to add (GET /sources), a form to write a briefing (GET /write) and jobs (GET /jobs).

Each view is its own address, so it can be shared and the back button works; each is the same
shell (templates/base.html) that static/page.js fills from the same API as any client
(/v1/stories, /v1/articles, /v1/feeds, /v1/briefings, /v1/jobs), so API keys and rate limits
apply to the page alike; it asks for a key when the service needs one. Everything it shows from a
request, an article or a briefing is written with textContent, and a Content-Security-Policy
without inline script or style stops anything that slipped through anyway. No build step and
nothing fetched from elsewhere: the page works offline. docs/page.md describes it.
"""

from __future__ import annotations

from typing import get_args

from flask import Blueprint, Response, render_template

from summarizer import MAX_WORDS_RANGE, Engine

from ..openapi import Responses, api
from ..settings import briefing_defaults, current_settings

bp = Blueprint("web", __name__, template_folder="templates", static_folder="static", static_url_path="/assets")

# Only the page's own files: no inline script or style, no plugins, no framing, no <base> tricks.
# img-src allows nothing at all, so even an <img> that escaped escaping could not load or call home.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    # Article links open other sites: they learn nothing of this page's address.
    "Referrer-Policy": "no-referrer",
    # frame-ancestors' older spelling, for browsers that predate CSP 2.
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}

HTML = {200: "text/html"}


@bp.after_request
def add_security_headers(response: Response) -> Response:
    """On the page and its static files alike."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def view(template: str, **context: object) -> tuple[str, int, dict]:
    service_settings = current_settings()
    page = render_template(template, needs_key=bool(service_settings.api_keys), **context)
    return page, 200, {"Content-Type": "text/html; charset=utf-8"}


@bp.get("/")
@api.validate(resp=Responses({200: (None, "The front page: stories")}, media_types=HTML), operation_id="index")
def index() -> tuple[str, int, dict]:
    """The front page: stories, the most recently changed first"""
    return view("front.html", view="front")


@bp.get("/stories/<story_id>")
@api.validate(resp=Responses({200: (None, "A story's page")}, media_types=HTML), operation_id="story_page")
def story_page(story_id: str) -> tuple[str, int, dict]:
    """A story's page: its briefing with evidence, disagreements, articles and timeline"""
    # The page asks the API for the story and says so when there is none: the id is only data here.
    return view("story.html", view="story", story_id=story_id)


@bp.get("/sources")
@api.validate(resp=Responses({200: (None, "Add sources")}, media_types=HTML), operation_id="sources_page")
def sources_page() -> tuple[str, int, dict]:
    """Add a page's URL or subscribe to a feed, and follow their fetching"""
    return view("sources.html", view="sources")


@bp.get("/write")
@api.validate(resp=Responses({200: (None, "Write a briefing")}, media_types=HTML), operation_id="write_page")
def write_page() -> tuple[str, int, dict]:
    """Paste or drop articles, read the cited briefing"""
    service_settings = current_settings()
    defaults = briefing_defaults()
    return view(
        "write.html",
        view="write",
        engines=get_args(Engine),
        default_engine=defaults.engine,
        max_words=defaults.max_words,
        max_words_range=MAX_WORDS_RANGE,
        keep_unsupported=defaults.keep_unsupported,
        max_articles=service_settings.max_articles,
        max_article_chars=service_settings.max_article_chars,
    )


@bp.get("/jobs")
@api.validate(resp=Responses({200: (None, "Follow a job")}, media_types=HTML), operation_id="jobs_page")
def jobs_page() -> tuple[str, int, dict]:
    """Follow a background job (?id=) to its briefings"""
    return view("jobs.html", view="jobs")
