"""GET /openapi.json is generated from the routes and the pydantic schemas, and is valid."""

from __future__ import annotations

import re

import pytest
import schemathesis

from summarizer import InputError, SummaryOptions
from summarizer.options import BUDGET_TOKENS_RANGE, MAX_WORDS_RANGE


@pytest.fixture
def spec(client) -> dict:
    response = client.get("/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()


def test_every_route_is_documented(app, spec):
    routes = {
        (re.sub(r"<([^<>]+)>", r"{\1}", rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    documented = {(path, method) for path, operations in spec["paths"].items() for method in operations}
    assert documented == routes
    assert ("/v1/briefings", "post") in documented and ("/metrics", "get") in documented


def test_it_is_a_valid_openapi_31_document(spec):
    assert spec["openapi"] == "3.1.0"
    schema = schemathesis.openapi.from_dict(spec)
    assert {op.ok().path for op in schema.get_all_operations()} == set(spec["paths"])


def test_the_request_schema_follows_the_settings(make_app, tiny_model):
    spec = make_app(MAX_ARTICLES=7, MAX_ARTICLE_CHARS=1234).test_client().get("/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    assert schemas["BriefingRequest"]["properties"]["articles"]["maxItems"] == 7
    assert schemas["Article"]["properties"]["text"]["maxLength"] == 1234
    model = schemas["BriefingOptions"]["properties"]["model"]["anyOf"][0]
    assert tiny_model in model["enum"]
    assert schemas["BriefingOptions"]["additionalProperties"] is False


def test_errors_and_location_are_documented(spec):
    post = spec["paths"]["/v1/briefings"]["post"]
    assert set(post["responses"]) == {"200", "201", "400", "413", "415", "422", "503"}
    assert "Location" in post["responses"]["201"]["headers"]
    problem = post["responses"]["422"]["content"]["application/problem+json"]["schema"]
    assert problem == {"$ref": "#/components/schemas/Problem"}
    assert set(spec["components"]["schemas"]["Problem"]["required"]) >= {"type", "title", "status", "detail", "fields"}


def test_the_briefing_schema_is_the_summarizers_own_type(spec):
    from dataclasses import fields

    from summarizer import Briefing

    briefing = spec["components"]["schemas"]["Briefing"]
    assert set(briefing["properties"]) == {f.name for f in fields(Briefing)}


@pytest.mark.parametrize(("name", "bounds"), [("max_words", MAX_WORDS_RANGE), ("budget_tokens", BUDGET_TOKENS_RANGE)])
def test_documented_bounds_are_the_summarizers_bounds(spec, name, bounds):
    low, high = bounds
    documented = spec["components"]["schemas"]["BriefingOptions"]["properties"][name]["anyOf"][0]
    assert (documented["minimum"], documented["maximum"]) == bounds
    SummaryOptions(**{name: low})
    SummaryOptions(**{name: high})
    for outside in (low - 1, high + 1):
        with pytest.raises(InputError):
            SummaryOptions(**{name: outside})
