"""GET /: the page for people (templates/index.html, static/page.js, static/page.css).

The page sends what a person pastes or drops to the same API as any client (POST /v1/briefings,
POST /v1/jobs, GET /v1/jobs/<id>, GET /v1/stories when the service has stories), so API keys and
rate limits apply to it alike; it asks for a key when the service needs one. Everything it shows
from a request or a briefing is written with textContent, and a Content-Security-Policy without
inline script or style stops anything that slipped through anyway. No build step and nothing
fetched from elsewhere: the page works offline.
"""

from __future__ import annotations

from typing import get_args

from flask import Blueprint, Response, current_app, render_template

from summarizer import MAX_WORDS_RANGE, Engine, SummaryOptions

from ..api.openapi import Responses, api
from ..settings import ServiceSettings

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


@bp.after_request
def add_security_headers(response: Response) -> Response:
    """On the page and its static files alike."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


@bp.get("/")
@api.validate(
    resp=Responses({200: (None, "The page for people")}, media_types={200: "text/html"}), operation_id="index"
)
def index() -> tuple[str, int, dict]:
    """A page to paste articles, read the cited briefing and follow jobs"""
    service_settings: ServiceSettings = current_app.extensions["newsbrief.settings"]
    defaults: SummaryOptions = current_app.config["SUMMARY_DEFAULTS"]
    page = render_template(
        "index.html",
        needs_key=bool(service_settings.api_keys),
        engines=get_args(Engine),
        default_engine=defaults.engine,
        max_words=defaults.max_words,
        max_words_range=MAX_WORDS_RANGE,
        keep_unsupported=defaults.keep_unsupported,
        max_articles=service_settings.max_articles,
        max_article_chars=service_settings.max_article_chars,
    )
    return page, 200, {"Content-Type": "text/html; charset=utf-8"}
