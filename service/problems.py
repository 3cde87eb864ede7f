"""Errors as RFC 9457 `application/problem+json` bodies.

Every error response has `type`, `title`, `status`, `detail`, and `fields`: the request parts
at fault, spelled like `articles[2].text`, `options.max_words`, `body` or `Content-Type`
(empty when no single part is to blame). `errors` pairs each field with its own message.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

from flask import Flask, Response, request
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from .schemas import CONTROL_CHARACTER
from .schemas import Problem as ProblemDetails

log = logging.getLogger(__name__)

MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:newsbrief:problem:"


class Problem(Exception):
    """Raise in a view to answer with a problem+json body."""

    def __init__(self, status: int, slug: str, title: str, detail: str, errors: Sequence[tuple[str, str]] = ()):
        super().__init__(detail)
        self.status = status
        self.slug = slug
        self.title = title
        self.detail = detail
        self.errors = list(errors)

    def body(self) -> ProblemDetails:
        return ProblemDetails.model_validate(
            {
                "type": TYPE_PREFIX + self.slug if self.slug else "about:blank",
                "title": self.title,
                "status": self.status,
                "detail": self.detail,
                "fields": list(dict.fromkeys(field for field, _ in self.errors)),
                "errors": [{"field": field, "message": message} for field, message in self.errors],
            }
        )

    def response(self, headers: Iterable[tuple[str, str]] = ()) -> Response:
        response = Response(self.body().model_dump_json(), status=self.status, mimetype=MEDIA_TYPE)
        for name, value in headers:
            response.headers[name] = value
        return response


def invalid(fields_and_messages: Sequence[tuple[str, str]], detail: str | None = None) -> Problem:
    """422: the request is well-formed JSON but some fields are wrong."""
    if detail is None:
        detail = "; ".join(f"{field}: {message}" for field, message in fields_and_messages)
    return Problem(422, "invalid-request", "Invalid request", detail, fields_and_messages)


def field_path(loc: Sequence[str | int]) -> str:
    """('articles', 2, 'text') -> 'articles[2].text'; () -> 'body'."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "body"


def from_validation_error(err: ValidationError) -> Problem:
    errors = []
    for item in err.errors(include_url=False):
        message = item["msg"]
        if item["type"] == "extra_forbidden":
            message = "unknown field"
        errors.append((field_path(item["loc"]), message))
    return invalid(errors)


def _http_problem(err: HTTPException) -> Response:
    if isinstance(err, RequestEntityTooLarge):
        problem = Problem(
            413, "body-too-large", "Request body too large", err.description or "", [("body", "too large")]
        )
    else:
        problem = Problem(err.code or 500, "", err.name, err.description or err.name)
    # Keep headers such as Allow on 405, but not the HTML content type.
    headers = [(k, v) for k, v in err.get_headers() if k.lower() != "content-type"]
    return problem.response(headers)


def _unexpected(err: Exception) -> Response:
    log.exception("unhandled error", exc_info=err)
    return Problem(500, "", "Internal Server Error", "the server failed to handle this request").response()


def refuse_control_characters_in_the_query() -> None:
    """A query parameter is text like a body's field: a control character in its name or value is
    a 422 naming it, on every route (Python's ISO time parser, for one, stops at a NUL)."""
    errors = [
        (name, f"must not contain control characters (U+{ord(found.group()):04X})")
        for name, value in request.args.items(multi=True)
        if (found := CONTROL_CHARACTER.search(name + value))
    ]
    if errors:
        raise invalid(errors)


def init_app(app: Flask) -> None:
    app.before_request(refuse_control_characters_in_the_query)
    app.register_error_handler(Problem, lambda err: err.response())
    app.register_error_handler(HTTPException, _http_problem)
    app.register_error_handler(Exception, _unexpected)
