"""POST /v1/briefings and GET /v1/briefings/<id>.

A new request is summarised and stored: 201 Created. A request whose content hash is
already stored is answered with the stored briefing, without running the model: 200 OK.
Both carry `Location: /v1/briefings/<id>`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict

from flask import Blueprint, current_app, request, url_for
from pydantic import BaseModel
from werkzeug.exceptions import RequestEntityTooLarge

from summarizer import Article, InputError, ModelUnavailable, SummaryOptions, summarize
from summarizer.inputs import article_from_dict

from ..fingerprint import canonical_request, content_hash
from ..monitoring import Metrics
from ..problems import Problem, invalid
from ..registry import get_registry
from ..schemas import BriefingRequest, BriefingResource
from ..storage import StoredBriefing, get_storage
from .openapi import Responses, api

bp = Blueprint("briefings", __name__, url_prefix="/v1/briefings")

ARTICLE_KEYS = ("id", "title", "text", "html", "url", "source", "published", "content_type")
LOCATION = {"Location": "The briefing's address, /v1/briefings/{id}"}


def _reject_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


def check_json_body(limit_setting: str) -> None:
    """Refuse, with a 4xx naming the part at fault, a POST body that is not JSON, empty, not an object,
    or over `limit_setting` (a setting's name) bytes. It runs before spectree, which parses the body
    too but takes one that does not parse for an empty one; the body read here stays cached for it."""
    if not request.is_json:
        got = request.mimetype or "no Content-Type"
        raise Problem(
            415,
            "unsupported-media-type",
            "Unsupported Media Type",
            f"send the request as application/json, not {got}",
            [("Content-Type", "must be application/json")],
        )
    limit = request.max_content_length = current_app.config[limit_setting]
    try:
        data = request.get_data()
    except RequestEntityTooLarge:
        raise Problem(
            413,
            "body-too-large",
            "Request body too large",
            f"the request body is over the {limit}-byte limit (NEWSBRIEF_{limit_setting})",
            [("body", f"over {limit} bytes")],
        ) from None
    if not data.strip():
        raise Problem(400, "malformed-json", "Malformed JSON", "the request body is empty", [("body", "empty")])
    try:
        parsed = json.loads(data, parse_constant=_reject_constant)
    except json.JSONDecodeError as err:
        detail = f"the body is not valid JSON: {err.msg} at line {err.lineno} column {err.colno}"
    except UnicodeDecodeError:
        detail = "the body is not UTF-8 text"
    except (ValueError, RecursionError) as err:
        detail = f"the body is not valid JSON: {err if isinstance(err, ValueError) else 'nested too deeply'}"
    else:
        if not isinstance(parsed, dict):
            raise invalid([("body", f"must be a JSON object, not {type(parsed).__name__}")])
        return
    raise Problem(400, "malformed-json", "Malformed JSON", detail, [("body", "not valid JSON")])


@bp.before_request
def check_briefing_request() -> None:
    if request.method == "POST":
        check_json_body("MAX_CONTENT_LENGTH")


def to_articles(items: Sequence[BaseModel]) -> list[Article]:
    articles = []
    for i, item in enumerate(items):
        where = f"articles[{i}]"
        try:
            articles.append(article_from_dict(item.model_dump(exclude_none=True), f"article-{i + 1}", where))
        except InputError as err:
            field = f"{where}.{err.field}" if err.field in ARTICLE_KEYS else where
            raise invalid([(field, err.message.removeprefix(f"{where}: "))]) from None
    return articles


def effective_options(given: BaseModel) -> SummaryOptions:
    defaults: SummaryOptions = current_app.config["SUMMARY_DEFAULTS"]
    try:
        return SummaryOptions(**{**asdict(defaults), **given.model_dump(exclude_none=True)})
    except InputError as err:
        raise invalid([(f"options.{err.field}" if err.field else "options", err.message)]) from None


def respond(stored: StoredBriefing, status: int) -> tuple[BriefingResource, int, dict[str, str]]:
    resource = BriefingResource.model_validate(
        {
            "id": stored.id,
            "content_hash": stored.content_hash,
            "created_at": stored.created_at,
            "options": stored.request["options"],
            "briefing": stored.briefing,
        }
    )
    return resource, status, {"Location": url_for("briefings.get_briefing", briefing_id=stored.id)}


@bp.post("")
@api.validate(
    resp=Responses(
        {
            201: (BriefingResource, "A new briefing, stored"),
            200: (BriefingResource, "The briefing stored earlier for the same articles and options"),
        },
        problems=(400, 413, 415, 422, 503),
        headers={201: LOCATION, 200: LOCATION},
    ),
    operation_id="create_briefing",
)
def create_briefing(json: BriefingRequest) -> tuple[BriefingResource, int, dict[str, str]]:
    """Write (or find) the cited briefing of a cluster of articles"""
    articles = to_articles(json.articles)
    options = effective_options(json.options)
    key = content_hash(articles, options)
    metrics: Metrics = current_app.extensions["newsbrief.metrics"]
    storage = get_storage()

    stored = storage.find(key)
    if stored is None:
        try:
            generator = get_registry().generator_for(options)
            briefing = summarize(articles, options, generator=generator)
        except ModelUnavailable as err:
            raise Problem(
                503,
                "model-unavailable",
                "Model unavailable",
                f'{err}; ask for engine "auto" or "extractive" to get an extractive briefing',
                [("options.model", "cannot be loaded")],
            ) from None
        except InputError as err:
            # The pipeline's input errors are about the articles as a whole ("no sentences").
            raise invalid([("articles", err.message)]) from None
        stored, created = storage.add(key, canonical_request(articles, options), briefing.to_dict())
    else:
        created = False
    metrics.briefings.labels(engine=stored.briefing["engine"], outcome="created" if created else "reused").inc()
    return respond(stored, 201 if created else 200)


@bp.get("/<briefing_id>")
@api.validate(
    resp=Responses({200: (BriefingResource, "The briefing")}, problems=(404,), headers={200: LOCATION}),
    operation_id="get_briefing",
)
def get_briefing(briefing_id: str) -> tuple[BriefingResource, int, dict[str, str]]:
    """A stored briefing"""
    stored = get_storage().get(briefing_id)
    if stored is None:
        raise Problem(
            404, "not-found", "Not Found", f"no briefing with id {briefing_id!r}", [("id", "no such briefing")]
        )
    return respond(stored, 200)
