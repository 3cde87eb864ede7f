"""POST /v1/briefings and GET /v1/briefings/<id>.

A new request is summarised and stored: 201 Created. A request whose content hash is
already stored is answered with the stored briefing, without running the model: 200 OK.
Both carry `Location: /v1/briefings/<id>`.
"""

from __future__ import annotations

import json
from dataclasses import asdict

from flask import Blueprint, Flask, Response, current_app, request, url_for
from pydantic import BaseModel, ValidationError
from werkzeug.exceptions import RequestEntityTooLarge

from summarizer import Article, InputError, ModelUnavailable, SummaryOptions, summarize
from summarizer.inputs import article_from_dict

from ..fingerprint import canonical_request, content_hash
from ..monitoring import Metrics
from ..openapi import Body, document
from ..problems import Problem, from_validation_error, invalid
from ..registry import get_registry
from ..schemas import BriefingResource, request_model
from ..storage import StoredBriefing, get_storage

bp = Blueprint("briefings", __name__, url_prefix="/v1/briefings")

ARTICLE_KEYS = ("id", "title", "text", "html", "url", "source", "published", "content_type")
LOCATION = {"Location": "The briefing's address, /v1/briefings/{id}"}


def request_schema(app: Flask) -> type[BaseModel]:
    """The POST body model for this app's limits and models (built once per app)."""
    if "newsbrief.request_model" not in app.extensions:
        app.extensions["newsbrief.request_model"] = request_model(
            app.config["MODELS"], app.config["MAX_ARTICLES"], app.config["MAX_ARTICLE_CHARS"]
        )
    return app.extensions["newsbrief.request_model"]


def _reject_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


def read_json(limit_setting: str = "MAX_CONTENT_LENGTH") -> object:
    """The JSON body, at most `limit_setting` bytes long (a setting's name)."""
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
        data = request.get_data(cache=False)
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
        return json.loads(data, parse_constant=_reject_constant)
    except json.JSONDecodeError as err:
        detail = f"the body is not valid JSON: {err.msg} at line {err.lineno} column {err.colno}"
    except UnicodeDecodeError:
        detail = "the body is not UTF-8 text"
    except (ValueError, RecursionError) as err:
        detail = f"the body is not valid JSON: {err if isinstance(err, ValueError) else 'nested too deeply'}"
    raise Problem(400, "malformed-json", "Malformed JSON", detail, [("body", "not valid JSON")])


def to_articles(items: list[BaseModel]) -> list[Article]:
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


def resource(stored: StoredBriefing) -> dict:
    return {
        "id": stored.id,
        "content_hash": stored.content_hash,
        "created_at": stored.created_at.isoformat().replace("+00:00", "Z"),
        "options": stored.request["options"],
        "briefing": stored.briefing,
    }


def respond(stored: StoredBriefing, status: int) -> Response:
    response = current_app.json.response(resource(stored))
    response.status_code = status
    response.headers["Location"] = url_for("briefings.get_briefing", briefing_id=stored.id)
    return response


@bp.post("")
@document(
    "Write (or find) the cited briefing of a cluster of articles",
    request=request_schema,
    responses={
        201: Body("A new briefing, stored", BriefingResource, headers=LOCATION),
        200: Body("The briefing stored earlier for the same articles and options", BriefingResource, headers=LOCATION),
    },
    errors=(400, 413, 415, 422, 503),
)
def create_briefing() -> Response:
    try:
        body = request_schema(current_app).model_validate(read_json())
    except ValidationError as err:
        raise from_validation_error(err) from None
    articles = to_articles(body.articles)
    options = effective_options(body.options)
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
@document("A stored briefing", responses={200: Body("The briefing", BriefingResource)}, errors=(404,))
def get_briefing(briefing_id: str) -> Response:
    stored = get_storage().get(briefing_id)
    if stored is None:
        raise Problem(
            404, "not-found", "Not Found", f"no briefing with id {briefing_id!r}", [("id", "no such briefing")]
        )
    return respond(stored, 200)
