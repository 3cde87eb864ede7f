"""A real client against gunicorn, started with the Docker image's command line on a loopback port."""

from __future__ import annotations

import requests
from helpers.paths import BROKEN_MODEL
from prometheus_client.parser import text_string_to_metric_families

TIMEOUT = 120


def counter(server, name: str, **labels) -> float:
    text = requests.get(server.url + "/metrics", timeout=TIMEOUT).text
    return sum(
        s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name == name and all(s.labels.get(k) == v for k, v in labels.items())
    )


def test_health_and_readiness(live_server):
    assert requests.get(live_server.url + "/healthz", timeout=TIMEOUT).json() == {"status": "ok"}
    ready = requests.get(live_server.url + "/readyz", timeout=TIMEOUT)
    assert ready.status_code == 200 and ready.json()["database"] == "ok"


def test_post_then_get_a_briefing(live_server, seed_request):
    request = {**seed_request, "options": {"max_words": 70}}
    created = requests.post(live_server.url + "/v1/briefings", json=request, timeout=TIMEOUT)
    assert created.status_code == 201, created.text
    location = created.headers["Location"]
    assert location == f"/v1/briefings/{created.json()['id']}"
    briefing = created.json()["briefing"]
    assert briefing["engine"] == "extractive" and "[1]" in briefing["text"]
    assert any("used the extractive engine" in w for w in briefing["warnings"])  # no weights here
    fetched = requests.get(live_server.url + location, timeout=TIMEOUT)
    assert fetched.status_code == 200 and fetched.json() == created.json()
    again = requests.post(live_server.url + "/v1/briefings", json=request, timeout=TIMEOUT)
    assert again.status_code == 200 and again.json()["id"] == created.json()["id"]


def test_problems_over_http(live_server):
    url = live_server.url + "/v1/briefings"
    bad_json = requests.post(url, data=b"{", headers={"Content-Type": "application/json"}, timeout=TIMEOUT)
    assert bad_json.status_code == 400 and bad_json.headers["Content-Type"] == "application/problem+json"
    assert bad_json.json()["fields"] == ["body"]
    # NEWSBRIEF_MAX_CONTENT_LENGTH is 2 MiB on this server.
    too_big = requests.post(
        url, data=b"{" + b" " * (3 * 1024 * 1024) + b"}", headers={"Content-Type": "application/json"}, timeout=TIMEOUT
    )
    assert too_big.status_code == 413 and too_big.json()["fields"] == ["body"]
    unloadable = requests.post(
        url,
        json={
            "articles": [{"text": "Floods hit the north on Monday. Twelve died."}],
            "options": {"engine": "abstractive", "model": BROKEN_MODEL},
        },
        timeout=TIMEOUT,
    )
    assert unloadable.status_code == 503 and unloadable.json()["fields"] == ["options.model"]
    # A request line over gunicorn's limit is answered by gunicorn, as /openapi.json documents.
    overlong = requests.get(live_server.url + "/v1/stories", params={"cursor": "x" * 5000}, timeout=TIMEOUT)
    assert overlong.status_code == 414
    documented = requests.get(live_server.url + "/openapi.json", timeout=TIMEOUT).json()
    assert "414" in documented["paths"]["/v1/stories"]["get"]["responses"]


def test_metrics_add_up_across_workers(live_server):
    body = {"articles": [{"text": "The bridge reopened on Friday after repairs. Traffic resumed at noon."}]}
    before = counter(live_server, "newsbrief_briefings_total", outcome="reused")
    before_requests = counter(live_server, "newsbrief_http_request_duration_seconds_count", route="/v1/briefings")
    for _ in range(6):  # spread over both workers; only the first one is created
        assert requests.post(live_server.url + "/v1/briefings", json=body, timeout=TIMEOUT).status_code in (200, 201)
    assert counter(live_server, "newsbrief_briefings_total", outcome="reused") - before >= 5
    assert (
        counter(live_server, "newsbrief_http_request_duration_seconds_count", route="/v1/briefings") - before_requests
        == 6
    )
