"""GET /metrics: request latency, briefings by engine, model load time, generated tokens."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families


def samples(client) -> dict[tuple[str, frozenset], float]:
    response = client.get("/metrics")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(response.get_data(as_text=True))
        for s in family.samples
    }


def value(found, name, **labels) -> float:
    return found.get((name, frozenset(labels.items())), 0.0)


def test_request_latency_is_recorded_by_route(client):
    client.get("/healthz")
    client.get("/v1/briefings/nope")
    found = samples(client)
    assert (
        value(found, "newsbrief_http_request_duration_seconds_count", method="GET", route="/healthz", status="200") == 1
    )
    assert (
        value(
            found,
            "newsbrief_http_request_duration_seconds_count",
            method="GET",
            route="/v1/briefings/<briefing_id>",
            status="404",
        )
        == 1
    )
    assert (
        value(
            found,
            "newsbrief_http_request_duration_seconds_bucket",
            method="GET",
            route="/healthz",
            status="200",
            le="+Inf",
        )
        == 1
    )


def test_briefings_are_counted_by_engine_and_outcome(client, seed_request):
    client.post("/v1/briefings", json=seed_request)
    client.post("/v1/briefings", json=seed_request)
    client.post("/v1/briefings", json={"articles": []})
    found = samples(client)
    assert value(found, "newsbrief_briefings_total", engine="extractive", outcome="created", made_by="request") == 1
    assert value(found, "newsbrief_briefings_total", engine="extractive", outcome="reused", made_by="request") == 1
    assert (
        value(
            found, "newsbrief_http_request_duration_seconds_count", method="POST", route="/v1/briefings", status="422"
        )
        == 1
    )


def test_model_load_time_and_generated_tokens(client, seed_request, tiny_model):
    client.post("/v1/briefings", json={**seed_request, "options": {"model": tiny_model, "engine": "abstractive"}})
    found = samples(client)
    assert value(found, "newsbrief_model_load_seconds", model=tiny_model, int8="true") > 0
    assert value(found, "newsbrief_generated_tokens_total", model=tiny_model) > 0


def test_each_app_has_its_own_counts(make_app, seed_request):
    # Both apps share one database, so the second app's request is answered from storage too.
    first, second = make_app().test_client(), make_app().test_client()
    assert [first.post("/v1/briefings", json=seed_request).status_code for _ in range(2)] == [201, 200]
    assert second.post("/v1/briefings", json=seed_request).status_code == 200

    def counts(client):
        found = samples(client)
        return {
            outcome: value(found, "newsbrief_briefings_total", engine="extractive", outcome=outcome, made_by="request")
            for outcome in ("created", "reused")
        }

    # The first app counts its own two requests (the second one reused), not the second app's.
    assert counts(first) == {"created": 1, "reused": 1}
    assert counts(second) == {"created": 0, "reused": 1}


def test_every_briefing_is_counted_by_how_it_was_made(make_app, seed_request):
    """POST /v1/briefings, a job's clusters and a story's versions each count, labelled so."""
    from helpers.story_server import FLOODS_LOCAL, FLOODS_WIRE, briefed, ingest, wait_for

    app = make_app()
    client = app.test_client()
    assert client.post("/v1/briefings", json=seed_request).status_code == 201
    articles = [{"title": a["title"], "text": a["text"]} for a in (FLOODS_WIRE, FLOODS_LOCAL)]
    job = client.post("/v1/jobs", json={"clusters": [{"articles": articles}, {"articles": seed_request["articles"]}]})
    wait_for(lambda: client.get(job.headers["Location"]).get_json(), lambda j: j["status"] == "done", "job")
    [wire] = ingest(client, FLOODS_WIRE, status=201)["articles"]
    ingest(client, FLOODS_LOCAL, status=201)
    assert briefed(client, wire["story_id"], 1)["briefing"]["status"] == "done"
    app.extensions["newsbrief.story_scheduler"].close()

    found = samples(client)
    counted = {
        (made_by, outcome): value(
            found, "newsbrief_briefings_total", engine="extractive", outcome=outcome, made_by=made_by
        )
        for made_by in ("request", "job", "story")
        for outcome in ("created", "reused")
    }
    # The job's second cluster is the posted request's briefing, found again.
    assert counted == {
        ("request", "created"): 1,
        ("request", "reused"): 0,
        ("job", "created"): 1,
        ("job", "reused"): 1,
        ("story", "created"): 1,
        ("story", "reused"): 0,
    }
