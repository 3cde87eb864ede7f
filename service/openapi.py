"""/openapi.json, generated from the app's own routes and pydantic schemas.

Each view declares its operation with `@document(...)`; the spec walks the app's URL map,
so a route without a declaration, or a declaration without a route, cannot go unnoticed
(a test checks that every route is documented).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from .fingerprint import summarizer_version
from .problems import MEDIA_TYPE as PROBLEM_MEDIA_TYPE
from .schemas import Problem

REF_TEMPLATE = "#/components/schemas/{model}"
ERROR_TITLES = {
    400: "Malformed request body",
    404: "Not found",
    413: "Request body too large",
    415: "Wrong content type",
    422: "Invalid request fields",
    503: "The requested model cannot be loaded",
}


@dataclass(frozen=True)
class Body:
    description: str
    model: type[BaseModel] | None = None
    media_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)  # header name -> description


@dataclass(frozen=True)
class RequestHeader:
    """An optional request header the operation reads."""

    name: str
    description: str
    schema: dict


@dataclass(frozen=True)
class Operation:
    summary: str
    responses: dict[int, Body]
    # A function of the app: the request body model depends on settings.
    request: Callable[[Flask], type[BaseModel]] | None = None
    headers: tuple[RequestHeader, ...] = ()


def document(
    summary: str,
    responses: dict[int, Body],
    errors: tuple[int, ...] = (),
    request: Callable[[Flask], type[BaseModel]] | None = None,
    headers: tuple[RequestHeader, ...] = (),
):
    """Attach an OpenAPI operation to a view; `errors` are problem+json statuses (a problem
    response with its own description or headers goes in `responses`, as Body(..., Problem))."""
    problems = {status: Body(ERROR_TITLES[status], Problem, PROBLEM_MEDIA_TYPE) for status in errors}

    def decorate(view):
        view.openapi = Operation(summary, {**problems, **responses}, request, headers)
        return view

    return decorate


def _path(rule: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def _content(body: Body, refs: dict) -> dict:
    if body.model is None:
        return {body.media_type: {"schema": {"type": "object" if body.media_type.endswith("json") else "string"}}}
    return {body.media_type: {"schema": refs[(body.model, "serialization")]}}


def build_spec(app: Flask) -> dict:
    documented = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        operation = getattr(app.view_functions[rule.endpoint], "openapi", None)
        if operation is None:
            raise LookupError(f"route {rule.rule} ({rule.endpoint}) has no @document(...) declaration")
        documented.append((rule, operation))

    models = {(op.request(app), "validation") for _, op in documented if op.request}
    models |= {(b.model, "serialization") for _, op in documented for b in op.responses.values() if b.model}
    refs, definitions = models_json_schema(sorted(models, key=lambda m: m[0].__name__), ref_template=REF_TEMPLATE)

    paths: dict[str, dict] = {}
    for rule, op in documented:
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            entry: dict = {
                "operationId": rule.endpoint.replace(".", "_"),
                "summary": op.summary,
                "responses": {
                    str(status): {
                        "description": body.description,
                        "content": _content(body, refs),
                        **(
                            {
                                "headers": {
                                    name: {"description": text, "schema": {"type": "string"}}
                                    for name, text in body.headers.items()
                                }
                            }
                            if body.headers
                            else {}
                        ),
                    }
                    for status, body in sorted(op.responses.items())
                },
            }
            parameters = [
                {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                for name in sorted(rule.arguments)
            ] + [
                {
                    "name": header.name,
                    "in": "header",
                    "required": False,
                    "description": header.description,
                    "schema": header.schema,
                }
                for header in op.headers
            ]
            if parameters:
                entry["parameters"] = parameters
            if op.request:
                entry["requestBody"] = {
                    "required": True,
                    "content": {"application/json": {"schema": refs[(op.request(app), "validation")]}},
                }
            paths.setdefault(_path(rule.rule), {})[method.lower()] = entry
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "newsbrief",
            "version": summarizer_version(),
            "description": "Cited briefings from clusters of news articles. Errors are application/problem+json.",
        },
        "paths": dict(sorted(paths.items())),
        "components": {"schemas": definitions.get("$defs", {})},
    }
