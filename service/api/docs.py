"""GET /openapi.json (generated from the routes and schemas) and GET / (a page for people)."""

from __future__ import annotations

from flask import Blueprint, current_app

from ..openapi import Body, build_spec, document

bp = Blueprint("docs", __name__)

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>newsbrief</title></head>
<body>
<h1>newsbrief</h1>
<p>Cited briefings from clusters of news articles.</p>
<ul>
<li><code>POST /v1/briefings</code> with <code>{"articles": [{"title": "...", "text": "..."}], "options": {"max_words": 120}}</code></li>
<li><code>GET /v1/briefings/&lt;id&gt;</code>, <code>GET /v1/models</code></li>
<li><code>POST /v1/jobs</code> with <code>{"clusters": [{"id": "...", "articles": [...]}], "options": {...}}</code>
(many clusters, in the background), then <code>GET /v1/jobs/&lt;id&gt;</code></li>
<li><a href="/openapi.json">/openapi.json</a>, <a href="/healthz">/healthz</a>, <a href="/readyz">/readyz</a>,
<a href="/metrics">/metrics</a></li>
</ul>
</body></html>
"""


@bp.get("/openapi.json")
@document("This API's OpenAPI 3.1 description", responses={200: Body("The OpenAPI document")})
def openapi() -> dict:
    if "newsbrief.openapi" not in current_app.extensions:
        current_app.extensions["newsbrief.openapi"] = build_spec(current_app)
    return current_app.extensions["newsbrief.openapi"]


@bp.get("/")
@document("A short page for people", responses={200: Body("An HTML page", media_type="text/html")})
def index() -> tuple[str, int, dict]:
    return PAGE, 200, {"Content-Type": "text/html; charset=utf-8"}
