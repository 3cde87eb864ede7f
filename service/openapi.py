"""The spectree instance the views declare themselves to: it validates their requests and JSON
responses with the pydantic models of service/schemas.py and generates /openapi.json.

    @bp.post("")
    @api.validate(resp=Responses({201: (BriefingResource, "A new briefing")}, problems=(422,)), operation_id=...)
    def create_briefing(json: BriefingRequest): ...   # spectree passes the validated body

A request that fails validation raises a 422 problem+json naming the fields; a JSON response
that fails its model is logged and answered 500. `Responses` adds what spectree's Response does
not describe: problem+json bodies, response headers and bodies that are not JSON. The spectree
mode is strict, so a route without `@api.validate` is missing from the spec (a test checks that
every route is there).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask import Flask
from pydantic import BaseModel, ValidationError
from spectree import Response, SpecTree
from spectree.utils import get_model_key

from . import security
from .fingerprint import summarizer_version
from .problems import MEDIA_TYPE as PROBLEM_MEDIA_TYPE
from .problems import from_validation_error
from .schemas import Problem, with_settings
from .settings import current_settings

ERROR_TITLES = {
    400: "Malformed request body",
    404: "Not found",
    413: "Request body too large",
    415: "Wrong content type",
    422: "Invalid request fields",
    503: "The requested model cannot be loaded",
}


def _problem_for_invalid_request(req: Any, resp: Any, error: Exception | None, instance: Any, adapter: Any) -> None:
    if isinstance(error, ValidationError):
        raise from_validation_error(error) from None


def _fail_on_invalid_response(req: Any, resp: Any, error: Exception | None, instance: Any, adapter: Any) -> None:
    # Raised, it reaches the app's error handler: logged, and answered 500 problem+json.
    if error is not None:
        raise error


api = SpecTree(
    "flask",
    mode="strict",
    annotations=True,
    before=_problem_for_invalid_request,
    after=_fail_on_invalid_response,
    # Components named by their class alone, nested ones too: one Article schema for briefings and jobs.
    naming_strategy=lambda model: model.__name__,
    nested_naming_strategy=lambda _parent, child: child,
    title="newsbrief",
    version=summarizer_version(),
    description="Cited briefings from clusters of news articles. Errors are application/problem+json.",
)


class Responses(Response):
    """spectree's Response from {status: (model or None, description)}, with `problems` (statuses
    answered with a problem+json body, described by ERROR_TITLES), `headers` ({status: {name:
    description}}) and `media_types` ({status: media type} for a body without a model)."""

    def __init__(
        self,
        described: Mapping[int, tuple[type[BaseModel] | None, str]],
        *,
        problems: Sequence[int] = (),
        headers: Mapping[int, Mapping[str, str]] | None = None,
        media_types: Mapping[int, str] | None = None,
    ):
        statuses = {status: (Problem, ERROR_TITLES[status]) for status in problems} | dict(described)
        super().__init__(**{f"HTTP_{status}": model_and_text for status, model_and_text in statuses.items()})
        self.headers = headers or {}
        self.media_types = media_types or {}

    def add_model(self, code: int, model: Any, replace: bool = True, description: str | None = None) -> None:
        # spectree adds its validation-error response to every operation, even those that take no
        # input; each of ours lists the problems it answers with instead.
        if replace:
            super().add_model(code, model, replace, description)

    def generate_spec(self, naming_strategy: Any = get_model_key) -> dict[str, Any]:
        responses = super().generate_spec(naming_strategy)
        for code, response in responses.items():
            status = int(code)
            if self.find_model(status) is Problem:
                response["content"] = {PROBLEM_MEDIA_TYPE: response["content"]["application/json"]}
            elif status in self.media_types:
                media_type = self.media_types[status]
                schema = {"type": "object" if media_type.endswith("json") else "string"}
                response["content"] = {media_type: {"schema": schema}}
            if status in self.headers:
                response["headers"] = {
                    name: {"description": text, "schema": {"type": "string"}}
                    for name, text in self.headers[status].items()
                }
        return responses


# OpenAPI links, which spectree cannot declare: {operation: (the operation that reads back what it
# answered with, that operation's path parameter)}. Each success response of the first gets a link
# passing its body's `id`, for clients and for schemathesis's stateful tests
# (tests/integration/test_schemathesis.py), which follow them.
READ_BACK = {"create_briefing": ("get_briefing", "briefing_id"), "create_job": ("get_job", "job_id")}


def with_links(spec: dict) -> dict:
    """`spec` with the READ_BACK links added to its 2xx responses (in place)."""
    for operations in spec["paths"].values():
        for operation in operations.values():
            if (read_back := READ_BACK.get(operation.get("operationId"))) is None:
                continue
            target, parameter = read_back
            for status, response in operation["responses"].items():
                if status.startswith("2"):
                    response["links"] = {
                        target: {"operationId": target, "parameters": {parameter: "$response.body#/id"}}
                    }
    return spec


# gunicorn answers a request line longer than its limit_request_line (4094 bytes) itself, with a
# text/html 414, before the app sees the request: any operation can get it (a query string or path
# that long), so every operation documents it.
REQUEST_LINE_TOO_LONG = {
    "description": "Request line too long (over 4094 bytes): answered by gunicorn before the app, as text/html",
    "content": {"text/html": {"schema": {"type": "string"}}},
}


def with_request_line_limit(spec: dict) -> dict:
    """`spec` with gunicorn's 414 documented on every operation (in place)."""
    for operations in spec["paths"].values():
        for operation in operations.values():
            operation["responses"].setdefault("414", REQUEST_LINE_TOO_LONG)
    return spec


def app_spec(app: Flask) -> dict:
    """The OpenAPI document of `app` (call it in the app's context), with the app's own limits.

    spectree builds its document once, from the first app's URL map: every app registers the
    same blueprints, so only the settings differ between apps, and `with_settings` fills them in.
    """
    return security.document(with_request_line_limit(with_links(with_settings(api.spec, current_settings(app)))), app)
