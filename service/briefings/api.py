"""POST /v1/briefings and GET /v1/briefings/<id>.

A new request is summarised and stored: 201 Created. A request whose content hash is
already stored is answered with the stored briefing, without running the model: 200 OK.
Both carry `Location: /v1/briefings/<id>`.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Sequence
from typing import Literal

from flask import Blueprint, current_app, request, url_for
from pydantic import BaseModel
from werkzeug.wsgi import get_input_stream

from summarizer import Article, InputError, ModelUnavailable, SummaryOptions, merge_options, summarize
from summarizer.inputs import article_from_dict

from ..fingerprint import canonical_request, content_hash
from ..models.registry import get_registry
from ..monitoring import Metrics
from ..openapi import Responses, api
from ..problems import Problem, invalid
from ..schemas import CONTROL_CHARACTER
from ..schemas import Problem as ProblemDetails
from ..security import request_owner
from ..settings import current_settings, variable_name
from .schemas import BriefingRequest, BriefingResource
from .store import StoredBriefing, get_briefing_store

bp = Blueprint("briefings", __name__, url_prefix="/v1/briefings")

ARTICLE_KEYS = ("id", "title", "text", "html", "url", "source", "published", "content_type")
LOCATION = {"Location": "The briefing's address, /v1/briefings/{id}"}
UNPROCESSABLE = (
    "Invalid request fields; or articles with no complete sentence to summarise, which JSON Schema cannot "
    'tell (field "articles", message "the articles contain no complete sentences to summarise")'
)
# Bytes read at a time from a request body being thrown away.
DISCARD_CHUNK = 64 * 1024
# A refused body with a Content-Length is read and thrown away, to keep the connection usable, when
# it is at most this many times the limit; a larger one is left unread and the connection closes.
DISCARD_FACTOR = 4
# The settings that limit a request body (the type checker holds callers to these names).
BodyLimit = Literal["max_content_length", "max_job_content_length"]
# Only werkzeug's development server puts its socket in the WSGI environ.
DEVELOPMENT_SERVER_KEY = "werkzeug.socket"


def _reject_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


def read_body(limit_setting: BodyLimit) -> bytes:
    """The request body, or 413 when it is over `limit_setting` (a setting's name, max_content_length) bytes.

    The limit holds for the bytes actually read, whether the body came with a Content-Length or
    chunked (`Transfer-Encoding: chunked`, no length). werkzeug's own `max_content_length` stops
    reading a chunked body at the limit without a word, so one byte more is read here to tell a
    body that ends at the limit from one that goes on.
    """
    limit = getattr(current_settings(), limit_setting)
    if request.content_length is None or request.content_length <= limit:
        request.max_content_length = limit + 1
        try:
            data = request.get_data()
        except Exception as err:  # each server has its own errors for a broken chunk or a lost client
            raise Problem(
                400,
                "unreadable-body",
                "Unreadable request body",
                f"the request body could not be read: {err}".rstrip(": "),
                [("body", "could not be read (a malformed chunked body, or the client went away)")],
            ) from None
        if len(data) <= limit:
            return data
    discard_body(limit)
    raise Problem(
        413,
        "body-too-large",
        "Request body too large",
        f"the request body is over the {limit}-byte limit ({variable_name(limit_setting)})",
        [("body", f"over {limit} bytes")],
    )


def discard_body(limit: int) -> None:
    """Read what is left of a refused body and throw it away, so that the answer ends the exchange
    cleanly.

    gunicorn answers `Connection: keep-alive`, then throws away at most 64 KiB of a body the
    application left unread and, finding more, drops the connection: a client that reuses it (any
    HTTP library's connection pool) fails on its next request. So a body with a Content-Length of at
    most DISCARD_FACTOR times `limit` is read to its end, in bounded chunks; a larger one is left
    for gunicorn to refuse (an application cannot make it say `Connection: close`). A chunked body
    past the limit is not read further: its length is not known.

    The development server answers `Connection: close` and then reads whatever is left of a body,
    but with blocking reads of 10 MB that wait on the client, which waits on the server: the
    connection stayed open until the client gave up. Read to the body's end here, it finds nothing
    left and closes at once.
    """
    length = request.content_length
    if DEVELOPMENT_SERVER_KEY in request.environ:
        stream = get_input_stream(request.environ, max_content_length=None)
    elif length is not None and length <= DISCARD_FACTOR * limit:
        stream = get_input_stream(request.environ, max_content_length=length)
    else:
        return
    # Whatever reading raises (a client gone, a broken chunk) only means there is nothing more to
    # throw away; the answer is the refusal either way.
    with contextlib.suppress(Exception):
        while stream.read(DISCARD_CHUNK):
            pass


def check_json_body(limit_setting: BodyLimit) -> None:
    """Refuse, with a 4xx naming the part at fault, a POST body that is not JSON, empty, not an object,
    or over `limit_setting` (a setting's name) bytes. It runs before spectree, which parses the body
    too but takes one that does not parse for an empty one; the body read here stays cached for it."""
    if not request.is_json:
        got = request.mimetype or "no Content-Type"
        discard_body(getattr(current_settings(), limit_setting))
        raise Problem(
            415,
            "unsupported-media-type",
            "Unsupported Media Type",
            f"send the request as application/json, not {got}",
            [("Content-Type", "must be application/json")],
        )
    data = read_body(limit_setting)
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
        check_json_body("max_content_length")


def to_articles(items: Sequence[BaseModel], field: str = "articles") -> list[Article]:
    articles = []
    for i, item in enumerate(items):
        where = f"{field}[{i}]"
        try:
            articles.append(article_from_dict(item.model_dump(exclude_none=True), f"article-{i + 1}", where))
        except InputError as err:
            field = f"{where}.{err.field}" if err.field in ARTICLE_KEYS else where
            raise invalid([(field, err.message.removeprefix(f"{where}: "))]) from None
    return articles


def effective_options(given: BaseModel) -> SummaryOptions:
    """A request's options over the settings' defaults; 422 naming the option for a bad value."""
    try:
        return merge_options(current_settings(), **given.model_dump(exclude_none=True))
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
            422: (ProblemDetails, UNPROCESSABLE),
        },
        problems=(400, 413, 415, 503),
        headers={201: LOCATION, 200: LOCATION},
    ),
    operation_id="create_briefing",
)
def create_briefing(json: BriefingRequest) -> tuple[BriefingResource, int, dict[str, str]]:
    """Write (or find) the cited briefing of a cluster of articles"""
    articles = to_articles(json.articles)
    since = to_articles(json.since, "since") if json.since else []
    stored, created = find_or_write(articles, effective_options(json.options), since)
    return respond(stored, 201 if created else 200)


def find_or_write(
    articles: Sequence[Article], options: SummaryOptions, since: Sequence[Article] = (), made_by: str = "request"
) -> tuple[StoredBriefing, bool]:
    """The stored briefing of the articles (an update since `since`, when given) with these
    options, written and stored when there is none yet; and whether it was written now. Counted
    in /metrics as `made_by` ("request" or "story"); a request's is its API key's to read."""
    key = content_hash(articles, options, since)
    metrics: Metrics = current_app.extensions["newsbrief.metrics"]
    storage = get_briefing_store()

    stored = storage.find(key)
    if stored is None:
        try:
            generator = get_registry().generator_for(options)
            briefing = summarize(articles, options, generator=generator, since=since, settings=current_settings())
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
            raise invalid([("since" if err.field == "since" else "articles", err.message)]) from None
        stored, created = storage.add(key, canonical_request(articles, options, since), briefing.to_dict())
    else:
        created = False
    if made_by == "request":
        storage.grant(stored.id, request_owner())
    metrics.briefings.labels(
        engine=stored.briefing["engine"], outcome="created" if created else "reused", made_by=made_by
    ).inc()
    return stored, created


@bp.get("/<briefing_id>")
@api.validate(
    resp=Responses({200: (BriefingResource, "The briefing")}, problems=(404,), headers={200: LOCATION}),
    operation_id="get_briefing",
)
def get_briefing(briefing_id: str) -> tuple[BriefingResource, int, dict[str, str]]:
    """A stored briefing"""
    # No id holds a control character, and PostgreSQL cannot even be asked about one with NUL.
    storage = get_briefing_store()
    stored = None if CONTROL_CHARACTER.search(briefing_id) else storage.get(briefing_id)
    if stored is None or not storage.readable(stored.id, request_owner()):  # another key's is not found
        raise Problem(
            404, "not-found", "Not Found", f"no briefing with id {briefing_id!r}", [("id", "no such briefing")]
        )
    return respond(stored, 200)
