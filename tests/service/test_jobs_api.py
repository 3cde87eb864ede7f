"""POST /v1/jobs and GET /v1/jobs/<id> with no broker: jobs run on the API process's own threads.

The same task function runs here as on the Celery workers (test_jobs_celery.py); this module
covers the API's side: validation, idempotency, back-pressure, per-cluster failures, retries,
and clusters taken up again by the next start.
"""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from helpers.fakes import record_generation_batches
from helpers.paths import BROKEN_MODEL
from helpers.processes import free_port
from sqlalchemy import update
from sqlalchemy.exc import OperationalError

import service.jobs.runner
from service.jobs.runner import DispatchError
from service.jobs.schemas import JobResource
from service.jobs.store import JobClusterRow
from service.settings import ConfigError
from summarizer import InputError, SummaryOptions, summarize
from summarizer.inputs import article_from_dict

JOB_DEADLINE_S = 120


@pytest.fixture(autouse=True, scope="module")
def transformers_imported_once():
    # Two threads that import transformers' AutoTokenizer for the first time at once can get
    # "ImportError: cannot import name 'AutoTokenizer'" (its lazy module is not thread-safe),
    # and the extractive engine imports it to count tokens. Reported upstream of this module;
    # importing it once here keeps that library bug out of these tests of the job machinery.
    from transformers import AutoTokenizer  # noqa: F401


def cluster(seed_request, name: str, articles: int | None = None) -> dict:
    """A cluster of the seed articles whose ids carry `name`, so that its content hash is its own."""
    chosen = seed_request["articles"][:articles] if articles else seed_request["articles"]
    return {"id": name, "articles": [{**a, "id": f"{name}-{a['id']}"} for a in chosen]}


NO_SENTENCES = {"id": "empty", "articles": [{"text": "…… ——"}]}


def wait_for_job(client, location: str) -> dict:
    deadline = time.monotonic() + JOB_DEADLINE_S
    while time.monotonic() < deadline:
        job = client.get(location).get_json()
        if job["status"] == "done":
            return job
        time.sleep(0.05)
    raise AssertionError(f"the job did not finish in {JOB_DEADLINE_S} s: {job}")


class HeldDispatcher:
    """Accepts clusters and runs none: a process that stopped before its threads got to them."""

    takeover = False

    def __init__(self):
        self.dispatched: list[tuple[str, int]] = []

    def dispatch(self, job_id, indexes):
        self.dispatched += [(job_id, i) for i in indexes]

    def close(self):
        pass


class BrokenBroker(HeldDispatcher):
    def dispatch(self, job_id, indexes):
        raise DispatchError("the broker cannot be reached: Error 111 connecting to 127.0.0.1:6379")


def assert_problem(response, status: int, fields: list[str]) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    problem = response.get_json(force=True)
    assert problem["status"] == status and problem["title"] and problem["detail"]
    assert problem["fields"] == fields
    return problem


def test_a_job_runs_every_cluster_and_links_the_stored_briefings(client, seed_request):
    body = {
        "clusters": [cluster(seed_request, "whole"), NO_SENTENCES, cluster(seed_request, "two", 2)],
        "options": {"max_words": 60},
    }
    accepted = client.post("/v1/jobs", json=body)
    assert accepted.status_code == 202
    job = accepted.get_json()
    assert accepted.headers["Location"] == f"/v1/jobs/{job['id']}"
    JobResource.model_validate(job)
    assert job["counts"]["total"] == 3 and job["options"]["max_words"] == 60

    job = wait_for_job(client, accepted.headers["Location"])
    JobResource.model_validate(job)
    assert job["counts"] == {"total": 3, "queued": 0, "running": 0, "done": 2, "failed": 1}
    assert job["finished_at"] >= job["created_at"]
    whole, empty, two = job["clusters"]
    assert [c["index"] for c in job["clusters"]] == [0, 1, 2]
    assert (whole["id"], empty["id"], two["id"]) == ("whole", "empty", "two")
    # The cluster without sentences failed alone, with the summariser's message and its field.
    assert empty["status"] == "failed" and empty["briefing_url"] is None
    with pytest.raises(InputError) as expected:
        summarize([article_from_dict(NO_SENTENCES["articles"][0], "article-1", "articles[0]")], SummaryOptions())
    assert empty["error"] == {"message": expected.value.message, "field": f"clusters[1].{expected.value.field}"}
    for result, size in ((whole, 5), (two, 2)):
        assert result["status"] == "done" and result["error"] is None and result["attempts"] == 1
        assert result["briefing_url"] == f"/v1/briefings/{result['briefing_id']}"
        stored = client.get(result["briefing_url"]).get_json()
        assert [s["id"] for s in stored["briefing"]["sources"]] == [
            f"{result['id']}-{a['id']}" for a in seed_request["articles"][:size]
        ]
        assert stored["options"]["max_words"] == 60


def test_a_cluster_already_briefed_reuses_the_stored_briefing(client, seed_request, monkeypatch):
    earlier = client.post("/v1/briefings", json=seed_request).get_json()
    calls = []
    real = service.jobs.runner.summarize_many
    monkeypatch.setattr(
        service.jobs.runner,
        "summarize_many",
        lambda clusters, *a, **k: calls.extend(clusters) or real(clusters, *a, **k),
    )
    body = {"clusters": [{"articles": seed_request["articles"]}, cluster(seed_request, "other")]}
    job = wait_for_job(client, client.post("/v1/jobs", json=body).headers["Location"])
    assert job["clusters"][0]["briefing_id"] == earlier["id"] and job["clusters"][0]["id"] == "cluster-1"
    assert job["clusters"][1]["briefing_id"] != earlier["id"]
    assert len(calls) == 1  # only the new cluster was summarised


def test_the_same_idempotency_key_and_body_return_the_same_job(client, seed_request):
    body = {"clusters": [cluster(seed_request, "a", 2)]}
    first = client.post("/v1/jobs", json=body, headers={"Idempotency-Key": "order-42"})
    again = client.post(
        "/v1/jobs",
        data=json.dumps(body, indent=2),
        content_type="application/json",
        headers={"Idempotency-Key": "order-42"},
    )
    assert (first.status_code, again.status_code) == (202, 200)
    assert again.get_json()["id"] == first.get_json()["id"]
    assert again.headers["Location"] == first.headers["Location"]
    other = client.post("/v1/jobs", json=body, headers={"Idempotency-Key": "order-43"})
    assert other.status_code == 202 and other.get_json()["id"] != first.get_json()["id"]
    no_key = client.post("/v1/jobs", json=body)
    assert no_key.status_code == 202 and no_key.get_json()["id"] not in (first.get_json()["id"], other.get_json()["id"])


def test_the_same_idempotency_key_with_another_body_is_422(client, seed_request):
    client.post("/v1/jobs", json={"clusters": [cluster(seed_request, "a", 2)]}, headers={"Idempotency-Key": "k"})
    reused = client.post(
        "/v1/jobs", json={"clusters": [cluster(seed_request, "b", 2)]}, headers={"Idempotency-Key": "k"}
    )
    problem = assert_problem(reused, 422, ["Idempotency-Key"])
    assert "different request body" in problem["errors"][0]["message"]


@pytest.mark.parametrize("key", ["", "has space", "x" * 256, "naïve"])
def test_a_malformed_idempotency_key_is_422(client, seed_request, key):
    response = client.post(
        "/v1/jobs",
        json={"clusters": [cluster(seed_request, "a", 1)]},
        headers={"Idempotency-Key": key.encode().decode("latin-1")},
    )
    assert_problem(response, 422, ["Idempotency-Key"])


def test_racing_posts_with_one_key_make_one_job(app, seed_request):
    body = {"clusters": [cluster(seed_request, "a", 2)]}
    barrier, answers = threading.Barrier(6), []

    def post():
        client = app.test_client()
        barrier.wait()
        response = client.post("/v1/jobs", json=body, headers={"Idempotency-Key": "race"})
        answers.append((response.status_code, response.get_json()["id"]))

    threads = [threading.Thread(target=post) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(status for status, _ in answers) == [200] * 5 + [202]
    assert len({job_id for _, job_id in answers}) == 1


def article(**fields):
    return {
        "title": "Putin to visit North Korea",
        "text": "Putin will visit North Korea in June. The Kremlin said so.",
        **fields,
    }


INVALID = [
    pytest.param({}, ["clusters"], id="no-clusters"),
    pytest.param({"clusters": []}, ["clusters"], id="empty-clusters"),
    pytest.param({"clusters": [{"articles": []}]}, ["clusters[0].articles"], id="empty-articles"),
    pytest.param(
        {"clusters": [{"articles": [article()]}, {"id": "x"}]}, ["clusters[1].articles"], id="missing-articles"
    ),
    pytest.param({"clusters": [{"articles": [article(text=None)]}]}, ["clusters[0].articles[0].text"], id="no-text"),
    pytest.param({"clusters": [{"articles": [article(text=12)]}]}, ["clusters[0].articles[0].text"], id="number-text"),
    pytest.param(
        {"clusters": [{"articles": [article()], "colour": "red"}]}, ["clusters[0].colour"], id="unknown-field"
    ),
    pytest.param({"clusters": [{"id": " ", "articles": [article()]}]}, ["clusters[0].id"], id="blank-id"),
    pytest.param(
        {"clusters": [{"articles": [article()]}], "options": {"max_words": 5}}, ["options.max_words"], id="max-words"
    ),
    pytest.param(
        {"clusters": [{"articles": [article()]}], "options": {"model": "org/unknown"}},
        ["options.model"],
        id="unknown-model",
    ),
    pytest.param({"clusters": {"articles": [article()]}}, ["clusters"], id="clusters-not-a-list"),
]


@pytest.mark.parametrize(("body", "fields"), INVALID)
def test_invalid_jobs_are_422_naming_the_fields(client, body, fields):
    assert_problem(client.post("/v1/jobs", json=body), 422, fields)


def test_malformed_json_and_wrong_content_type(client):
    assert_problem(client.post("/v1/jobs", data='{"clusters": [', content_type="application/json"), 400, ["body"])
    assert_problem(client.post("/v1/jobs", data="clusters", content_type="text/plain"), 415, ["Content-Type"])


def test_the_limits_per_job_and_per_cluster(make_app):
    client = make_app(MAX_JOB_CLUSTERS=2, MAX_QUEUED_CLUSTERS=10, MAX_ARTICLES=2, MAX_ARTICLE_CHARS=100).test_client()
    three = {"clusters": [{"articles": [article()]}] * 3}
    assert "at most 2" in assert_problem(client.post("/v1/jobs", json=three), 422, ["clusters"])["detail"]
    crowded = {"clusters": [{"articles": [article()] * 3}]}
    assert_problem(client.post("/v1/jobs", json=crowded), 422, ["clusters[0].articles"])
    long = {"clusters": [{"articles": [article()]}, {"articles": [article(text="word " * 40)]}]}
    assert_problem(client.post("/v1/jobs", json=long), 422, ["clusters[1].articles[0].text"])


def test_a_job_has_its_own_body_limit(make_app, seed_request):
    body = {"clusters": [cluster(seed_request, "a"), cluster(seed_request, "b", 3)]}
    size = len(json.dumps(body).encode())
    client = make_app(MAX_CONTENT_LENGTH=size // 2, MAX_JOB_CONTENT_LENGTH=size + 100).test_client()
    assert client.post("/v1/jobs", json=body).status_code == 202  # over the briefing limit, under the job limit
    body["clusters"].append(cluster(seed_request, "c", 1))
    problem = assert_problem(client.post("/v1/jobs", json=body), 413, ["body"])
    assert f"{size + 100}-byte limit (NEWSBRIEF_MAX_JOB_CONTENT_LENGTH)" in problem["detail"]


def test_a_full_queue_is_503_with_retry_after_and_stores_nothing(make_app):
    app = make_app(MAX_JOB_CLUSTERS=2, MAX_QUEUED_CLUSTERS=3, RETRY_AFTER=7)
    app.extensions["newsbrief.dispatcher"] = HeldDispatcher()
    client = app.test_client()
    two = {"clusters": [{"articles": [article()]}, {"articles": [article(id="b")]}]}
    assert client.post("/v1/jobs", json=two).status_code == 202
    full = client.post("/v1/jobs", json=two, headers={"Idempotency-Key": "later"})
    problem = assert_problem(full, 503, [])
    assert full.headers["Retry-After"] == "7"
    assert (
        problem["type"] == "urn:newsbrief:problem:queue-full" and "NEWSBRIEF_MAX_QUEUED_CLUSTERS" in problem["detail"]
    )
    assert app.extensions["newsbrief.jobs"].find_by_key("later") is None
    assert client.post("/v1/jobs", json={"clusters": two["clusters"][:1]}).status_code == 202  # 3 of 3: still room
    assert app.extensions["newsbrief.jobs"].pending_clusters() == 3


def test_an_unreachable_broker_is_503_with_retry_after_and_stores_nothing(app, seed_request):
    store = app.extensions["newsbrief.jobs"]
    working = app.extensions["newsbrief.dispatcher"]
    app.extensions["newsbrief.dispatcher"] = BrokenBroker()
    client = app.test_client()
    body = {"clusters": [cluster(seed_request, "a", 2)]}
    refused = client.post("/v1/jobs", json=body, headers={"Idempotency-Key": "k"})
    problem = assert_problem(refused, 503, [])
    assert problem["type"] == "urn:newsbrief:problem:broker-unavailable" and refused.headers["Retry-After"] == "30"
    assert store.find_by_key("k") is None and store.pending_clusters() == 0
    app.extensions["newsbrief.dispatcher"] = working  # the broker is back: the retry is a new job
    retried = client.post("/v1/jobs", json=body, headers={"Idempotency-Key": "k"})
    assert retried.status_code == 202
    assert wait_for_job(client, retried.headers["Location"])["counts"]["done"] == 1
    working.close()


def test_a_broker_that_refuses_connections_is_503(make_app, seed_request):
    app = make_app(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    refused = app.test_client().post(
        "/v1/jobs", json={"clusters": [cluster(seed_request, "a", 1)]}, headers={"Idempotency-Key": "k"}
    )
    problem = assert_problem(refused, 503, [])
    assert problem["type"] == "urn:newsbrief:problem:broker-unavailable" and "Retry-After" in refused.headers
    assert "Connection refused" in problem["detail"]
    assert app.extensions["newsbrief.jobs"].find_by_key("k") is None


def test_an_unknown_job_is_404(client):
    assert_problem(client.get("/v1/jobs/nope"), 404, ["id"])


def test_clusters_left_by_a_stopped_process_run_at_the_next_start(make_app, seed_request):
    first = make_app()
    first.extensions["newsbrief.dispatcher"] = HeldDispatcher()  # stops before running anything
    body = {"clusters": [cluster(seed_request, name, 2) for name in ("a", "b", "c")]}
    job_id = first.test_client().post("/v1/jobs", json=body).get_json()["id"]
    store = first.extensions["newsbrief.jobs"]
    store.claim(job_id, 1, stale_before=None)  # cluster 1 was running when the process died...
    with first.extensions["newsbrief.database"].engine.begin() as connection:  # ...two hours ago
        connection.execute(
            update(JobClusterRow)
            .where(JobClusterRow.job_id == job_id, JobClusterRow.cluster_index == 1)
            .values(claimed_at=datetime.now(UTC) - timedelta(hours=2))
        )

    second = make_app()  # the same database: the next start of the service
    # Built is not serving (`newsbrief db upgrade` builds an app too): nothing is taken up yet...
    assert [c.status for c in second.extensions["newsbrief.jobs"].get(job_id).clusters] == [
        "queued",
        "running",
        "queued",
    ]
    # ...until its first request.
    job = wait_for_job(second.test_client(), f"/v1/jobs/{job_id}")
    assert [c["status"] for c in job["clusters"]] == ["done"] * 3
    assert [c["attempts"] for c in job["clusters"]] == [1, 2, 1]


def test_a_transient_database_error_is_retried(make_app, seed_request, monkeypatch):
    store_class = type(make_app().extensions["newsbrief.jobs"])
    real_finish, failures = store_class.finish, []

    def flaky_finish(self, job_id, index, briefing_id):
        if len(failures) < 2:
            failures.append(index)
            raise OperationalError("UPDATE job_clusters", {}, Exception("server closed the connection unexpectedly"))
        return real_finish(self, job_id, index, briefing_id)

    monkeypatch.setattr(store_class, "finish", flaky_finish)
    client = make_app(JOB_RETRY_DELAY=0.01, JOB_THREADS=1).test_client()
    job = wait_for_job(
        client, client.post("/v1/jobs", json={"clusters": [cluster(seed_request, "a", 2)]}).headers["Location"]
    )
    assert job["clusters"][0]["status"] == "done" and job["clusters"][0]["attempts"] == 3
    assert failures == [0, 0]


def test_a_cluster_that_keeps_failing_transiently_fails_after_the_retries(make_app, seed_request, monkeypatch):
    store_class = type(make_app().extensions["newsbrief.jobs"])

    def broken_finish(self, job_id, index, briefing_id):
        raise OperationalError("UPDATE job_clusters", {}, Exception("database is locked"))

    monkeypatch.setattr(store_class, "finish", broken_finish)
    client = make_app(JOB_RETRY_DELAY=0.01, JOB_RETRIES=2).test_client()
    job = wait_for_job(
        client, client.post("/v1/jobs", json={"clusters": [cluster(seed_request, "a", 2)]}).headers["Location"]
    )
    result = job["clusters"][0]
    assert result["status"] == "failed" and result["attempts"] == 3
    assert result["error"]["message"].startswith("gave up after 3 attempts: OperationalError")


def test_a_summariser_crash_fails_only_its_cluster(client, seed_request, monkeypatch):
    """The batch with the crashing cluster fails; run again one cluster at a time, only that one does."""
    real, batches = service.jobs.runner.summarize, []

    def crash_on_b(articles, *args, **kwargs):
        if articles[0].id.startswith("b-"):
            raise RuntimeError("a bug")
        return real(articles, *args, **kwargs)

    def crash_with_b(clusters, *args, **kwargs):
        batches.append(len(clusters))
        if any(articles[0].id.startswith("b-") for articles in clusters):
            raise RuntimeError("a bug")
        raise AssertionError("every batch here holds b")

    monkeypatch.setattr(service.jobs.runner, "summarize", crash_on_b)
    monkeypatch.setattr(service.jobs.runner, "summarize_many", crash_with_b)
    body = {"clusters": [cluster(seed_request, name, 2) for name in ("a", "b", "c")]}
    job = wait_for_job(client, client.post("/v1/jobs", json=body).headers["Location"])
    assert batches == [3]
    assert [c["status"] for c in job["clusters"]] == ["done", "failed", "done"]
    assert job["clusters"][1]["error"] == {
        "message": "internal error: the summariser failed on this cluster (RuntimeError)",
        "field": None,
    }


def test_a_jobs_clusters_are_generated_in_batches(make_app, seed_request, tiny_model, monkeypatch):
    from summarizer.batch import BATCH_CLUSTERS

    sizes = record_generation_batches(monkeypatch)
    client = make_app(JOB_THREADS=1).test_client()
    count = BATCH_CLUSTERS + 1
    body = {
        "clusters": [cluster(seed_request, f"c{n}", 2) for n in range(count)],
        "options": {
            "engine": "abstractive",
            "model": tiny_model,
            "profile": "fast",
            "max_words": 20,
            "keep_unsupported": True,
        },
    }
    job = wait_for_job(client, client.post("/v1/jobs", json=body).headers["Location"])
    assert [c["status"] for c in job["clusters"]] == ["done"] * count
    assert sizes == [BATCH_CLUSTERS, 1]
    for result in job["clusters"]:
        briefing = client.get(result["briefing_url"]).get_json()["briefing"]
        assert briefing["engine"] == "abstractive" and "generate_batch" in briefing["stats"]["timings_ms"]


def test_an_abstractive_job_whose_model_cannot_load_fails_its_clusters(client, seed_request):
    body = {"clusters": [cluster(seed_request, "a", 2)], "options": {"engine": "abstractive", "model": BROKEN_MODEL}}
    job = wait_for_job(client, client.post("/v1/jobs", json=body).headers["Location"])
    error = job["clusters"][0]["error"]
    assert job["clusters"][0]["status"] == "failed" and error["field"] == "options.model"
    assert 'ask for engine "auto" or "extractive"' in error["message"]


def test_the_openapi_document_describes_jobs(client):
    spec = client.get("/openapi.json").get_json()
    post = spec["paths"]["/v1/jobs"]["post"]
    # 429: the default rate limits, of POST /v1/jobs and of the rest (service/security.py).
    assert set(post["responses"]) == {"200", "202", "400", "413", "414", "415", "422", "429", "503"}
    assert "Location" in post["responses"]["202"]["headers"]
    assert "Retry-After" in post["responses"]["503"]["headers"]
    assert post["parameters"][0]["name"] == "Idempotency-Key" and post["parameters"][0]["in"] == "header"
    assert post["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/JobRequest"}
    schemas = spec["components"]["schemas"]
    assert schemas["JobRequest"]["properties"]["clusters"]["maxItems"] == 1000
    assert schemas["JobCluster"]["properties"]["articles"]["items"] == {"$ref": "#/components/schemas/Article"}
    assert set(spec["paths"]["/v1/jobs/{job_id}"]["get"]["responses"]) == {"200", "404", "414", "429"}


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"MAX_QUEUED_CLUSTERS": 10, "MAX_JOB_CLUSTERS": 20}, "NEWSBRIEF_MAX_QUEUED_CLUSTERS"),
        ({"REDIS_URL": "http://127.0.0.1:6379"}, "NEWSBRIEF_REDIS_URL"),
        ({"REDIS_URL": "redis://127.0.0.1:6379/0", "CELERY": {"task_acks_late": False}}, "task_acks_late"),
        ({"JOB_RETRIES": -1}, "NEWSBRIEF_JOB_RETRIES"),
        ({"JOB_RETRY_DELAY": "soon"}, "NEWSBRIEF_JOB_RETRY_DELAY"),
        ({"VISIBILITY_TIMEOUT": 0}, "NEWSBRIEF_VISIBILITY_TIMEOUT"),
    ],
)
def test_bad_job_settings_stop_the_start(make_app, settings, message):
    with pytest.raises(ConfigError, match=message):
        make_app(**settings)


def test_celery_settings_make_tasks_survive_a_dead_worker(make_app):
    # No broker is contacted: Celery connects lazily, and nothing is queued here.
    app = make_app(
        REDIS_URL="redis://127.0.0.1:1/3", JOBS_QUEUE="q", VISIBILITY_TIMEOUT=30, CELERY={"worker_concurrency": 3}
    )
    conf = app.extensions["celery"].conf
    assert (conf.task_acks_late, conf.task_reject_on_worker_lost, conf.worker_prefetch_multiplier) == (True, True, 1)
    assert conf.broker_url == "redis://127.0.0.1:1/3" and conf.task_default_queue == "q"
    assert conf.broker_transport_options == {
        "visibility_timeout": 30,
        "unacked_restore_interval": 3,
        "unacked_restore_throttle": 1,
    }
    assert conf.worker_concurrency == 3
    assert "newsbrief.summarize_cluster" in app.extensions["celery"].tasks
