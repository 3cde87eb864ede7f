"""With API keys configured, what one key made is its own: an Idempotency-Key is scoped to the API
key that sent it, and a job, a briefing or a fetch made under one key is not found under another
(404, as for an id that does not exist: an error never names another caller's resource)."""

from __future__ import annotations

import pytest
from helpers.story_server import wait_for

KEY, OTHER_KEY = "alice-0123456789-abcdef", "bob-9876543210-fedcba"
NO_LIMITS = {"RATE_LIMIT_BRIEFINGS": "off", "RATE_LIMIT_JOBS": "off", "RATE_LIMIT_DEFAULT": "off"}


def as_key(key: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}", **headers}


def job_body(seed_request, name: str) -> dict:
    return {"clusters": [{"id": name, "articles": seed_request["articles"]}]}


@pytest.fixture
def keyed(make_app):
    app = make_app(API_KEYS=f"{KEY}, {OTHER_KEY}", **NO_LIMITS)
    yield app.test_client()
    app.extensions["newsbrief.story_scheduler"].close()


def test_an_idempotency_key_belongs_to_the_api_key_that_sent_it(keyed, seed_request):
    idempotency = {"Idempotency-Key": "2026-12-06-batch-1"}
    first = keyed.post("/v1/jobs", json=job_body(seed_request, "one"), headers=as_key(KEY, **idempotency))
    assert first.status_code == 202
    job_id = first.get_json()["id"]

    # Another caller may use the same Idempotency-Key for its own request: a new job of its own.
    other = keyed.post("/v1/jobs", json=job_body(seed_request, "two"), headers=as_key(OTHER_KEY, **idempotency))
    assert other.status_code == 202, other.get_json()
    assert other.get_json()["id"] != job_id and job_id not in other.get_data(as_text=True)

    # Each caller's retry finds its own job; a different body under one's own key is still a 422.
    again = keyed.post("/v1/jobs", json=job_body(seed_request, "one"), headers=as_key(KEY, **idempotency))
    assert (again.status_code, again.get_json()["id"]) == (200, job_id)
    changed = keyed.post("/v1/jobs", json=job_body(seed_request, "three"), headers=as_key(OTHER_KEY, **idempotency))
    assert changed.status_code == 422 and job_id not in changed.get_data(as_text=True)


def test_a_job_and_its_briefing_are_read_only_with_the_key_that_made_them(keyed, seed_request):
    job = keyed.post("/v1/jobs", json=job_body(seed_request, "one"), headers=as_key(KEY)).get_json()
    done = wait_for(
        lambda: keyed.get(f"/v1/jobs/{job['id']}", headers=as_key(KEY)).get_json(),
        lambda j: j["status"] in ("done", "failed"),
        "job",
    )
    assert done["status"] == "done", done
    stolen = keyed.get(f"/v1/jobs/{job['id']}", headers=as_key(OTHER_KEY))
    assert stolen.status_code == 404 and stolen.mimetype == "application/problem+json"

    briefing_url = done["clusters"][0]["briefing_url"]
    assert keyed.get(briefing_url, headers=as_key(KEY)).status_code == 200
    assert keyed.get(briefing_url, headers=as_key(OTHER_KEY)).status_code == 404

    posted = keyed.post("/v1/briefings", json=seed_request, headers=as_key(KEY))
    assert posted.status_code in (200, 201)
    location = posted.headers["Location"]
    assert keyed.get(location, headers=as_key(OTHER_KEY)).status_code == 404
    # The other key asking for the same briefing gets it as its own, and then may read it.
    assert keyed.post("/v1/briefings", json=seed_request, headers=as_key(OTHER_KEY)).status_code in (200, 201)
    assert keyed.get(location, headers=as_key(OTHER_KEY)).status_code == 200


def test_a_fetch_is_read_only_with_the_key_that_asked_for_it(keyed):
    answer = keyed.post(
        "/v1/articles", json={"articles": [{"url": "http://newsbrief-test.invalid/x"}]}, headers=as_key(KEY)
    )
    assert answer.status_code == 202
    fetch_url = answer.get_json()["articles"][0]["fetch_url"]
    assert keyed.get(fetch_url, headers=as_key(KEY)).status_code == 200
    assert keyed.get(fetch_url, headers=as_key(OTHER_KEY)).status_code == 404
