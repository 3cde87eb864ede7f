"""Every kind of bad request gets a 4xx application/problem+json body naming the fields at fault."""

from __future__ import annotations

import json

import pytest
from helpers.paths import BROKEN_MODEL

TEXT = "Russian President Vladimir Putin will visit North Korea on June 18 and 19. The Kremlin said so on Monday."


def post(client, body=None, *, data=None, content_type="application/json"):
    if data is None:
        data = json.dumps(body)
    return client.post("/v1/briefings", data=data, content_type=content_type)


def assert_problem(response, status: int, fields: list[str]) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    problem = response.get_json(force=True)
    assert problem["status"] == status
    assert problem["title"] and problem["detail"] and problem["type"]
    assert problem["fields"] == fields
    assert [e["field"] for e in problem["errors"]] == fields
    return problem


def article(**fields):
    return {"title": "Putin to visit North Korea", "text": TEXT, **fields}


MALFORMED = [
    pytest.param('{"articles": [', id="truncated"),
    pytest.param("{'articles': []}", id="single-quotes"),
    pytest.param('{"articles": [{"text": NaN}]}', id="nan"),
    pytest.param(b'{"articles": [{"text": "caf\xe9"}]}', id="not-utf8"),
    pytest.param("[" * 100_000, id="nested-too-deeply"),
    pytest.param("", id="empty"),
    pytest.param("   \n", id="blank"),
]


@pytest.mark.parametrize("data", MALFORMED)
def test_malformed_json_is_400_naming_the_body(client, data):
    problem = assert_problem(post(client, data=data), 400, ["body"])
    assert problem["type"] == "urn:newsbrief:problem:malformed-json"


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml", None])
def test_wrong_content_type_is_415(client, content_type):
    response = client.post("/v1/briefings", data=json.dumps({"articles": [article()]}), content_type=content_type)
    problem = assert_problem(response, 415, ["Content-Type"])
    assert "application/json" in problem["detail"]


def test_json_suffix_media_types_are_accepted(client):
    assert post(client, {"articles": [article()]}, content_type="application/merge-patch+json").status_code == 201


INVALID = [
    pytest.param({}, ["articles"], id="missing-articles"),
    pytest.param({"articles": []}, ["articles"], id="empty-articles"),
    pytest.param([article()], ["body"], id="body-is-a-list"),
    pytest.param("articles", ["body"], id="body-is-a-string"),
    pytest.param({"articles": "text"}, ["articles"], id="articles-not-a-list"),
    pytest.param({"articles": ["just text"]}, ["articles[0]"], id="article-not-an-object"),
    pytest.param({"articles": [article(), {"title": "no body"}]}, ["articles[1].text"], id="article-without-text"),
    pytest.param({"articles": [article(text="")]}, ["articles[0].text"], id="empty-text"),
    pytest.param({"articles": [article(text=" \n\t ")]}, ["articles[0].text"], id="blank-text"),
    pytest.param({"articles": [article(text=None)]}, ["articles[0].text"], id="null-text"),
    pytest.param({"articles": [article(text=42)]}, ["articles[0].text"], id="text-is-a-number"),
    pytest.param({"articles": [article(title=["a"])]}, ["articles[0].title"], id="title-is-a-list"),
    pytest.param({"articles": [article(content_type="pdf")]}, ["articles[0].content_type"], id="bad-content-type"),
    pytest.param({"articles": [article(author="X")]}, ["articles[0].author"], id="unknown-article-field"),
    pytest.param({"articles": [article()], "format": "md"}, ["format"], id="unknown-top-level-field"),
    pytest.param({"articles": [article()], "options": []}, ["options"], id="options-not-an-object"),
    pytest.param(
        {"articles": [article()], "options": {"max_words": "150"}}, ["options.max_words"], id="number-as-string"
    ),
    pytest.param(
        {"articles": [article()], "options": {"max_words": 12.5}}, ["options.max_words"], id="fractional-number"
    ),
    pytest.param({"articles": [article()], "options": {"max_words": True}}, ["options.max_words"], id="bool-as-number"),
    pytest.param(
        {"articles": [article()], "options": {"max_words": 5}}, ["options.max_words"], id="max-words-too-small"
    ),
    pytest.param(
        {"articles": [article()], "options": {"budget_tokens": 10**9}}, ["options.budget_tokens"], id="budget-too-big"
    ),
    pytest.param(
        {"articles": [article()], "options": {"keep_unsupported": 1}}, ["options.keep_unsupported"], id="int-as-bool"
    ),
    pytest.param({"articles": [article()], "options": {"engine": "gpt"}}, ["options.engine"], id="unknown-engine"),
    pytest.param({"articles": [article()], "options": {"profile": "turbo"}}, ["options.profile"], id="unknown-profile"),
    pytest.param({"articles": [article()], "options": {"model": "gpt2"}}, ["options.model"], id="unconfigured-model"),
    pytest.param(
        {"articles": [article()], "options": {"colour": "red", "temperature": 0.2}},
        ["options.colour", "options.temperature"],
        id="unknown-options",
    ),
    pytest.param(
        {"articles": [article()], "options": {"tokenizer": "/etc"}}, ["options.tokenizer"], id="server-only-option"
    ),
    pytest.param({"articles": [{"text": "hello"}, {"text": "world"}]}, ["articles"], id="no-sentences"),
    pytest.param(
        {"articles": [{"html": "<html><body><nav>Home</nav></body></html>"}]}, ["articles"], id="html-without-prose"
    ),
]


@pytest.mark.parametrize(("body", "fields"), INVALID)
def test_invalid_fields_are_422_naming_them(client, body, fields):
    problem = assert_problem(post(client, body), 422, fields)
    assert problem["type"] == "urn:newsbrief:problem:invalid-request"


@pytest.mark.parametrize(
    "articles",
    [
        pytest.param([{"html": "0"}], id="html-0"),
        pytest.param([{"text": "0"}], id="text-0"),
        pytest.param([{"text": "hello"}, {"text": "world"}], id="no-sentences"),
    ],
)
def test_articles_without_a_sentence_are_the_documented_422(client, articles):
    problem = assert_problem(post(client, {"articles": articles}), 422, ["articles"])
    assert problem["errors"][0]["message"].startswith("the articles contain no complete sentences to summarise")
    # The schema accepts such articles (JSON Schema cannot tell a sentence), and says why they are refused.
    operation = client.get("/openapi.json").get_json()["paths"]["/v1/briefings"]["post"]
    assert "the articles contain no complete sentences to summarise" in operation["responses"]["422"]["description"]
    schema = client.get("/openapi.json").get_json()["components"]["schemas"]["Article"]["properties"]
    assert all("complete sentence" in schema[field]["description"] for field in ("text", "html"))


def test_several_wrong_fields_are_all_named(client):
    body = {"articles": [article(text=""), article(url=3)], "options": {"engine": "x", "speed": 1}}
    problem = assert_problem(
        post(client, body), 422, ["articles[0].text", "articles[1].url", "options.engine", "options.speed"]
    )
    assert "Extra inputs" not in problem["detail"] and "options.speed: unknown field" in problem["detail"]


def test_unknown_model_lists_the_configured_ones(client, tiny_model):
    problem = assert_problem(
        post(client, {"articles": [article()], "options": {"model": "t5-large"}}), 422, ["options.model"]
    )
    assert tiny_model in problem["detail"]


def test_too_many_articles(make_app):
    client = make_app(MAX_ARTICLES=3).test_client()
    problem = assert_problem(post(client, {"articles": [article()] * 4}), 422, ["articles"])
    assert "at most 3" in problem["detail"]
    assert post(client, {"articles": [article()] * 3}).status_code == 201


def test_the_default_article_limit_is_50(client):
    assert_problem(post(client, {"articles": [article()] * 51}), 422, ["articles"])


def test_an_article_over_the_size_limit(make_app):
    client = make_app(MAX_ARTICLE_CHARS=500).test_client()
    big = article(text=TEXT + " " + "More words follow here. " * 30)
    problem = assert_problem(post(client, {"articles": [article(), big]}), 422, ["articles[1].text"])
    assert "500" in problem["detail"]


def test_limits_from_the_settings_are_named_with_the_other_wrong_fields(make_app):
    client = make_app(MAX_ARTICLES=1, MAX_ARTICLE_CHARS=50).test_client()
    body = {"articles": [article(), article(title=3)], "options": {"model": "gpt2"}}
    fields = ["articles[0].text", "articles[1].title", "articles[1].text", "options.model"]
    assert "at most 50 characters" in assert_problem(post(client, body), 422, fields)["detail"]
    body = {"articles": [article(text="Short."), article(text="Short too.")], "options": {"model": "gpt2"}}
    assert "at most 1 items" in assert_problem(post(client, body), 422, ["articles", "options.model"])["detail"]


def test_a_body_over_the_request_limit_is_413(make_app):
    client = make_app(MAX_CONTENT_LENGTH=2000).test_client()
    body = {"articles": [article(text=TEXT * 30)]}
    problem = assert_problem(post(client, body), 413, ["body"])
    assert "2000" in problem["detail"]


def post_chunked(client, path: str, data: bytes):
    """`data` sent as gunicorn and the development server hand a chunked body to the app: no
    Content-Length, and a stream that ends where the body ends (wsgi.input_terminated)."""
    return client.post(
        path,
        data=data,
        content_type="application/json",
        headers={"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )


def padded(body: dict, size: int) -> bytes:
    """`body` as JSON, followed by spaces up to `size` bytes: still valid JSON, whatever is cut off."""
    data = json.dumps(body).encode()
    assert len(data) <= size
    return data + b" " * (size - len(data))


@pytest.mark.parametrize(
    ("path", "setting", "body"),
    [
        pytest.param("/v1/briefings", "MAX_CONTENT_LENGTH", {"articles": [article()]}, id="briefings"),
        pytest.param("/v1/jobs", "MAX_JOB_CONTENT_LENGTH", {"clusters": [{"articles": [article()]}]}, id="jobs"),
    ],
)
def test_a_chunked_body_is_held_to_the_limit_on_the_bytes_read(make_app, path, setting, body):
    limit = 4000
    client = make_app(**{setting: limit, "MAX_CONTENT_LENGTH": limit}).test_client()
    assert post_chunked(client, path, padded(body, limit)).status_code in (201, 202)
    # One byte over: before, werkzeug's limit cut the body at the limit without a word, and the
    # valid JSON that happened to end there was summarised.
    problem = assert_problem(post_chunked(client, path, padded(body, limit + 1)), 413, ["body"])
    assert f"{limit}-byte limit (NEWSBRIEF_{setting})" in problem["detail"]
    assert_problem(post_chunked(client, path, padded(body, 3 * limit)), 413, ["body"])


def test_a_model_that_cannot_load_is_503_for_abstractive(client):
    body = {"articles": [article()], "options": {"model": BROKEN_MODEL, "engine": "abstractive"}}
    problem = assert_problem(post(client, body), 503, ["options.model"])
    assert BROKEN_MODEL in problem["detail"] and "extractive" in problem["detail"]


def test_unknown_briefing_is_404(client):
    problem = assert_problem(client.get("/v1/briefings/0123456789abcdef"), 404, ["id"])
    assert "0123456789abcdef" in problem["detail"]


def test_unknown_route_and_wrong_method_are_problems_too(client):
    assert_problem(client.get("/v2/nothing"), 404, [])
    response = client.delete("/v1/briefings")
    assert_problem(response, 405, [])
    assert "POST" in response.headers["Allow"]
