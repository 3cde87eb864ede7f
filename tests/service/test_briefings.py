"""POST /v1/briefings and GET /v1/briefings/<id> through the Flask test client."""

from __future__ import annotations

import re

import pytest

import service.briefings.api
from service.briefings.schemas import BriefingResource


@pytest.fixture
def summarize_calls(monkeypatch):
    """Count how often the service runs the summariser."""
    calls = []
    real = service.briefings.api.summarize

    def counting(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(service.briefings.api, "summarize", counting)
    return calls


def test_posting_the_seeds_stores_a_cited_briefing(client, seed_request):
    response = client.post("/v1/briefings", json=seed_request)
    assert response.status_code == 201
    body = response.get_json()
    assert response.headers["Location"] == f"/v1/briefings/{body['id']}"
    BriefingResource.model_validate(body)  # the documented response schema
    briefing = body["briefing"]
    assert briefing["engine"] == "extractive"
    assert len(briefing["sources"]) == 5
    assert [s["id"] for s in briefing["sources"]] == [a["id"] for a in seed_request["articles"]]
    assert briefing["sentences"], "a briefing with no sentences"
    for sentence in briefing["sentences"]:
        assert sentence["citations"] and all(1 <= c <= 5 for c in sentence["citations"])
        assert f"{sentence['text']} " + "".join(f"[{c}]" for c in sentence["citations"]) in briefing["text"]
    assert re.fullmatch(r"[0-9a-f]{64}", body["content_hash"])
    assert body["options"]["engine"] == "extractive" and body["options"]["max_words"] == 150


def test_the_location_serves_the_same_briefing(client, seed_request):
    created = client.post("/v1/briefings", json=seed_request)
    fetched = client.get(created.headers["Location"])
    assert fetched.status_code == 200
    assert fetched.get_json() == created.get_json()
    assert fetched.headers["Location"] == created.headers["Location"]


def test_the_same_request_again_returns_the_stored_briefing_without_summarising(client, seed_request, summarize_calls):
    first = client.post("/v1/briefings", json=seed_request)
    assert len(summarize_calls) == 1
    again = client.post("/v1/briefings", json=seed_request)
    assert again.status_code == 200
    assert again.headers["Location"] == first.headers["Location"]
    assert again.get_json() == first.get_json()
    assert len(summarize_calls) == 1


def test_spelling_out_the_defaults_is_the_same_request(client, seed_request, summarize_calls):
    first = client.post("/v1/briefings", json={"articles": seed_request["articles"]})
    explicit = {
        "articles": seed_request["articles"],
        "options": {"max_words": 150, "engine": "extractive", "profile": "default"},
    }
    again = client.post("/v1/briefings", json=explicit)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json()["id"] == first.get_json()["id"]
    assert len(summarize_calls) == 1


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda r: r["options"].update(max_words=60), id="options"),
        pytest.param(lambda r: r["articles"].pop(), id="fewer-articles"),
        pytest.param(
            lambda r: r["articles"][0].update(text=r["articles"][0]["text"] + " One more sentence here."), id="text"
        ),
        pytest.param(lambda r: r["articles"].reverse(), id="order"),
    ],
)
def test_a_different_request_is_a_new_briefing(client, seed_request, change):
    import copy

    first = client.post("/v1/briefings", json=seed_request).get_json()
    other = copy.deepcopy(seed_request)
    change(other)
    second = client.post("/v1/briefings", json=other)
    assert second.status_code == 201
    assert second.get_json()["id"] != first["id"]
    assert second.get_json()["content_hash"] != first["content_hash"]


def test_briefings_outlive_the_app(make_app, seed_request):
    created = make_app().test_client().post("/v1/briefings", json=seed_request)
    fresh = make_app().test_client()  # a new process would see the same database file
    assert fresh.get(created.headers["Location"]).get_json() == created.get_json()
    assert fresh.post("/v1/briefings", json=seed_request).status_code == 200


def test_max_words_shortens_the_briefing(client, seed_request):
    short = client.post("/v1/briefings", json={**seed_request, "options": {"max_words": 40}}).get_json()
    long = client.post("/v1/briefings", json={**seed_request, "options": {"max_words": 300}}).get_json()
    assert len(short["briefing"]["sentences"]) < len(long["briefing"]["sentences"])


def test_html_articles_are_cleaned(client):
    page = (
        "<html><body><nav>Home | World</nav><article><h1>Floods</h1><p>Floods killed 12 people in the northern "
        "province on Monday, officials said.</p><p>Rescue teams reached the villages on Tuesday.</p></article>"
        "<footer>Leave a Comment</footer></body></html>"
    )
    body = {
        "articles": [
            {"html": page, "url": "https://example.org/floods"},
            {"text": "Officials said floods killed 12 people in the northern province on Monday."},
        ]
    }
    response = client.post("/v1/briefings", json=body)
    assert response.status_code == 201
    briefing = response.get_json()["briefing"]
    assert "Leave a Comment" not in briefing["text"] and "Home | World" not in briefing["text"]
    assert briefing["sources"][0]["id"] == "article-1" and briefing["sources"][0]["url"] == "https://example.org/floods"


def test_auto_with_the_default_model_falls_back_to_extractive_and_says_why(make_app, seed_request):
    client = make_app(ENGINE="auto").test_client()
    briefing = client.post("/v1/briefings", json=seed_request).get_json()["briefing"]
    assert briefing["engine"] == "extractive"
    assert any("used the extractive engine" in w and "could not load" in w for w in briefing["warnings"])


def test_a_tiny_model_runs_and_its_noise_is_replaced(client, seed_request, tiny_model):
    request = {**seed_request, "options": {"model": tiny_model, "engine": "abstractive", "profile": "fast"}}
    response = client.post("/v1/briefings", json=request)
    assert response.status_code == 201
    briefing = response.get_json()["briefing"]
    # The random model's output has no support in the sources: the guard drops it.
    assert briefing["engine"] == "extractive"
    assert any("no supported sentence" in w for w in briefing["warnings"])
    assert briefing["stats"]["token_counter"] == tiny_model
    assert response.get_json()["options"]["model"] == tiny_model


def test_keep_unsupported_keeps_the_tiny_models_output_flagged(client, seed_request, tiny_model):
    request = {**seed_request, "options": {"model": tiny_model, "engine": "abstractive", "keep_unsupported": True}}
    briefing = client.post("/v1/briefings", json=request).get_json()["briefing"]
    assert briefing["engine"] == "abstractive" and briefing["model"] == tiny_model
    assert "[unsupported]" in briefing["text"]


def test_an_html_article_without_a_title_is_listed_with_its_pages_title(client):
    page = (
        "<html><head><title>Storm hits the southern coast</title></head><body><article>"
        "<p>The storm made landfall on the southern coast on {when}, bringing winds of 150 km/h.</p>"
        "<p>More than 20,000 homes lost power, the utility company said in a statement on Monday.</p>"
        "</article></body></html>"
    )
    articles = [
        {"id": "page", "html": page.format(when="Sunday night")},
        {"id": "other", "html": page.format(when="Sunday")},
    ]
    response = client.post("/v1/briefings", json={"articles": articles})
    assert response.status_code == 201, response.get_data(as_text=True)
    sources = response.get_json()["briefing"]["sources"]
    assert [(s["id"], s["title"]) for s in sources] == [
        ("page", "Storm hits the southern coast"),
        ("other", "Storm hits the southern coast"),
    ]


def test_a_whole_number_written_with_a_point_is_that_number(client, seed_request):
    # JSON Schema's `integer` (the spec's type for these options) includes 60.0; strings and fractions are no numbers.
    first = client.post("/v1/briefings", json={**seed_request, "options": {"max_words": 60, "budget_tokens": 512}})
    again = client.post("/v1/briefings", json={**seed_request, "options": {"max_words": 60.0, "budget_tokens": 512.0}})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json()["id"] == first.get_json()["id"]
    for wrong in ("60", 60.5, True):
        refused = client.post("/v1/briefings", json={**seed_request, "options": {"max_words": wrong}})
        assert refused.status_code == 422 and refused.get_json()["fields"] == ["options.max_words"]
