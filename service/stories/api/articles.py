"""POST /v1/articles (articles into stories) and GET /v1/articles/fetches/<id> (a URL being fetched).

Each item is an article's content or a URL. Content is stored and clustered in the request (it
takes milliseconds), so the answer names the story each article joined. A URL is checked at once
(scheme, and every address its host resolves to must be public unless NEWSBRIEF_FETCH_ALLOW_NETWORKS
lists it: a refusal is a 422 naming `articles[i].url`, and nothing is fetched), then fetched in the
background: the answer gives the fetch's address, which says what came of it. The same article sent
again (the same canonical URL or text), or a URL fetched before, is not stored twice: its item says
`duplicate`, with the story the first copy joined.

Status: 202 when some URL is queued, else 201 when some article is new, else 200 (all duplicates).
"""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, request, url_for

from summarizer import InputError
from summarizer.inputs import article_from_dict
from summarizer.stories import FetchFailed, FetchRefused, check_url, site_of

from ...briefings.api import check_json_body
from ...database import visible_to
from ...jobs.runner import DispatchError
from ...openapi import Responses, api
from ...problems import Problem, invalid
from ...schemas import CONTROL_CHARACTER
from ...schemas import Problem as ProblemDetails
from ...security import request_owner
from ..ingestion import Incoming, get_ingestion, plain_article, short
from ..scheduling import FETCH_TASK, get_scheduler
from ..schemas import FetchResource, IngestArticle, IngestRequest, IngestResponse
from ..store import FAILED, get_story_stores

bp = Blueprint("articles", __name__, url_prefix="/v1/articles")

CONTENT_KEYS = ("title", "text", "html", "url", "source", "published", "content_type")


@bp.before_request
def check_article_request() -> None:
    if request.method == "POST":
        check_json_body("max_job_content_length")


def to_incoming(index: int, item: IngestArticle) -> Incoming:
    where = f"articles[{index}]"
    given = item.model_dump(exclude_none=True)
    try:
        article = article_from_dict(given, f"article-{index + 1}", where)
        if article.source is None and (site := site_of(article.url)):
            article = replace(article, source=site)
        return Incoming(plain_article(article))
    except InputError as err:
        field = err.field if err.field in CONTENT_KEYS else None
        if field == "html" and "html" not in given:
            field = "text"  # HTML sent in `text` with content_type "html"
        raise invalid([(f"{where}.{field}" if field else where, err.message.removeprefix(f"{where}: "))]) from None


def check_fetchable(index: int, url: str) -> None:
    """422 naming articles[index].url when the fetch policy refuses the URL (nothing is sent). A
    host that does not resolve now is left to the fetch, which may find it later and says why not."""
    try:
        check_url(url, get_ingestion().policy)
    except FetchRefused as err:
        raise invalid([(f"articles[{index}].url", refusal(err))]) from None
    except FetchFailed:
        pass


def refusal(err: FetchRefused) -> str:
    return f"may not be fetched: {err.reason} ({err.url})"


def story_url(story_id: int | None) -> str | None:
    return url_for("stories.get_story", story_id=story_id) if story_id is not None else None


@bp.post("")
@api.validate(
    resp=Responses(
        {
            201: (IngestResponse, "Some articles were new: stored and clustered"),
            200: (IngestResponse, "Every article was stored before"),
            202: (IngestResponse, "Some URLs are being fetched (follow each item's fetch_url)"),
            422: (
                ProblemDetails,
                "Invalid fields; an item with neither content nor URL; a URL that may not be fetched "
                "(a non-public address, not http(s)) or whose host does not resolve",
            ),
        },
        problems=(400, 413, 415),
    ),
    operation_id="ingest_articles",
)
def ingest_articles(json: IngestRequest) -> tuple[IngestResponse, int]:
    """Add articles (content, or URLs to fetch) to the stories"""
    ingestion, fetches = get_ingestion(), get_story_stores().fetches
    content: list[tuple[int, Incoming]] = []
    urls: list[tuple[int, str]] = []
    for index, item in enumerate(json.articles):
        if item.text is None and item.html is None:
            if item.url is None:
                raise invalid([(f"articles[{index}]", 'give "text" or "html", or a "url" to fetch')])
            check_fetchable(index, item.url)
            urls.append((index, item.url))
        else:
            content.append((index, to_incoming(index, item)))

    results: dict[int, dict] = {}
    ingested = ingestion.ingest([incoming for _, incoming in content]) if content else []
    for (index, _), outcome in zip(content, ingested, strict=True):
        results[index] = {
            "status": "duplicate" if outcome.duplicate else "new",
            "article_id": outcome.article_id,
            "story_id": outcome.story_id,
        }
    for index, url in urls:
        known = ingestion.known_url(url)
        if known is not None:
            results[index] = {"status": "duplicate", "article_id": known.article_id, "story_id": known.story_id}
            continue
        fetch_id = fetches.create(url, f"articles[{index}].url", request_owner())
        try:
            get_scheduler().submit(FETCH_TASK, fetch_id)
        except DispatchError as err:
            fetches.fail_queued(fetch_id, short(f"could not be queued: {err}; send it again"))
        results[index] = {"status": "queued", "article_id": None, "story_id": None, "fetch_id": fetch_id}

    items = []
    for index in range(len(json.articles)):
        result = results[index]
        queued_id = result.get("fetch_id")
        items.append(
            {
                "index": index,
                **result,
                "fetch_id": queued_id,
                "story_url": story_url(result["story_id"]),
                "fetch_url": url_for("articles.get_fetch", fetch_id=queued_id) if queued_id else None,
            }
        )
    counts = {status: sum(item["status"] == status for item in items) for status in ("new", "duplicate", "queued")}
    body = IngestResponse.model_validate(
        {"new": counts["new"], "duplicates": counts["duplicate"], "queued": counts["queued"], "articles": items}
    )
    return body, 202 if counts["queued"] else 201 if counts["new"] else 200


@bp.get("/fetches/<fetch_id>")
@api.validate(resp=Responses({200: (FetchResource, "The fetch")}, problems=(404,)), operation_id="get_fetch")
def get_fetch(fetch_id: str) -> FetchResource:
    """A URL being fetched: its status, and the article and story it gave"""
    stores = get_story_stores()
    row = None
    if not CONTROL_CHARACTER.search(fetch_id):
        row = stores.fetches.get(fetch_id)
        story_id = stores.stories.story_of(row.article_id) if row is not None and row.article_id is not None else None
    if row is None or not visible_to(row.owner, request_owner()):  # another key's fetch is not found
        raise Problem(404, "not-found", "Not Found", f"no fetch with id {fetch_id!r}", [("id", "no such fetch")])
    return FetchResource.model_validate(
        {
            "id": row.id,
            "url": row.url,
            "status": row.status,
            "attempts": row.attempts,
            "created_at": row.created_at,
            "finished_at": row.finished_at,
            "article_id": row.article_id,
            "story_id": story_id,
            "story_url": story_url(story_id),
            "duplicate": row.duplicate,
            "error": {"message": row.error, "field": row.field} if row.status == FAILED else None,
        }
    )
