"""Jobs on real Celery workers (`newsbrief worker` processes) over a real Redis.

Needs NEWSBRIEF_TEST_REDIS_URL (`eval "$(bash .ci/start-redis | tail -n 1)"`): without it these
tests are skipped with "Redis NOT TESTED" in the summary, and fail under CI (CI=true). Each test
has a Redis database and a queue of its own, a SQLite file shared by the API and the workers,
and stops every worker it started. Run with -s to see the figures they print.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from helpers.dockerfile import image_command
from helpers.processes import (
    clean_environ,
    free_port,
    kill_worker,
    start_server,
    start_worker,
    stop_server,
    worker_environ,
)
from sqlalchemy import func, select

from service.briefings.store import BriefingRow
from service.jobs.store import RUNNING

JOB_DEADLINE_S = 120
# The fault test's broker hands a dead worker's task to another after this many seconds.
FAULT_VISIBILITY_TIMEOUT_S = 3


def cluster(seed_request, name: str, copies: int = 1) -> dict:
    """The seed articles, `copies` times over, with ids that make the cluster's content its own."""
    return {
        "id": name,
        "articles": [{**a, "id": f"{name}-{k}-{a['id']}"} for k in range(copies) for a in seed_request["articles"]],
    }


def poll(until, what: str, deadline_s: float = JOB_DEADLINE_S, every_s: float = 0.1):
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        found = until()
        if found:
            return found
        time.sleep(every_s)
    raise AssertionError(f"timed out after {deadline_s} s waiting for {what}")


def finished_job(client, job_id: str) -> dict:
    def done():
        job = client.get(f"/v1/jobs/{job_id}").get_json()
        return job if job["status"] == "done" else None

    return poll(done, f"job {job_id} to finish")


def test_newsbrief_worker_without_a_broker_says_so(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "service.cli", "worker"],
        capture_output=True,
        text=True,
        env=clean_environ(NEWSBRIEF_INSTANCE_PATH=str(tmp_path)),
        timeout=120,
    )
    assert result.returncode == 2
    assert "newsbrief: error: NEWSBRIEF_REDIS_URL is not set" in result.stderr


@pytest.fixture
def database_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'jobs.sqlite3'}"


def test_a_job_runs_through_a_real_celery_worker(make_app, broker, workers, database_url, tmp_path, seed_request):
    app = make_app(REDIS_URL=broker.url, JOBS_QUEUE=broker.queue, DATABASE_URL=database_url)
    client = app.test_client()
    workers.append(start_worker(worker_environ(broker, database_url, tmp_path), tmp_path))
    body = {
        "clusters": [cluster(seed_request, f"c{i}") for i in range(4)]
        + [{"id": "empty", "articles": [{"text": "……"}]}],
        "options": {"max_words": 80},
    }
    accepted = client.post("/v1/jobs", json=body)
    assert accepted.status_code == 202
    job = finished_job(client, accepted.get_json()["id"])

    assert job["counts"] == {"total": 5, "queued": 0, "running": 0, "done": 4, "failed": 1}
    assert job["clusters"][4]["status"] == "failed" and job["clusters"][4]["error"]["field"] == "clusters[4].articles"
    for result in job["clusters"][:4]:
        stored = client.get(result["briefing_url"])
        assert stored.status_code == 200
        assert [s["id"] for s in stored.get_json()["briefing"]["sources"]] == [
            a["id"] for a in body["clusters"][result["index"]]["articles"]
        ]
        assert stored.get_json()["options"]["max_words"] == 80
    assert "newsbrief.summarize_cluster" in workers[0].output() and "succeeded" in workers[0].output()
    # The broker held no more than the (job id, index) pairs, and holds nothing now.
    assert broker.client().llen(broker.queue) == 0


def running_claims(store, job_id: str) -> set[tuple[int, int]]:
    """(index, attempts) of the clusters marked running: the attempt tells a task that runs now
    from one cut off earlier, whose row says running until the cluster is taken up again."""
    return {(c.index, c.attempts) for c in store.get(job_id).clusters if c.status == RUNNING}


def interrupt(
    store, job_id: str, kill, after_done: int, earlier: set[tuple[int, int]] = frozenset()
) -> set[tuple[int, int]]:
    """Wait until `after_done` clusters are done and a task is running, then `kill`; the claims
    (index, attempts) still running after the kill: tasks cut off. Tries again if the kill fell
    between two tasks. `earlier`: claims cut off before, not running any more."""
    for _ in range(5):
        poll(
            lambda: store.get(job_id).counts["done"] >= after_done and running_claims(store, job_id) - earlier,
            "a cluster to be running",
            every_s=0.005,
        )
        kill()
        cut_off = running_claims(store, job_id) - earlier
        if cut_off:
            return cut_off
    raise AssertionError("five kills in a row fell between tasks")


def test_killed_workers_lose_nothing(make_app, broker, workers, database_url, tmp_path, seed_request):
    """SIGKILL a worker's pool process mid-task (its main process hands the task back:
    task_reject_on_worker_lost), then the whole worker mid-task (the task stays unacknowledged
    in Redis, task_acks_late, and comes back after the visibility timeout); a new worker
    finishes the job, and every cluster is in the results exactly once."""
    clusters = 12
    app = make_app(
        REDIS_URL=broker.url,
        JOBS_QUEUE=broker.queue,
        DATABASE_URL=database_url,
        VISIBILITY_TIMEOUT=FAULT_VISIBILITY_TIMEOUT_S,
    )
    client, store = app.test_client(), app.extensions["newsbrief.jobs"]
    env = worker_environ(broker, database_url, tmp_path, NEWSBRIEF_VISIBILITY_TIMEOUT=str(FAULT_VISIBILITY_TIMEOUT_S))
    # Eight copies of the seeds per cluster: long enough tasks for a kill to land inside one.
    body = {"clusters": [cluster(seed_request, f"c{i}", copies=8) for i in range(clusters)]}
    job_id = client.post("/v1/jobs", json=body).get_json()["id"]

    first = start_worker(env, tmp_path, "worker-1")
    workers.append(first)
    pool_before = first.pool_processes()
    cut_off_in_pool = interrupt(store, job_id, lambda: os.kill(first.pool_processes()[0], signal.SIGKILL), after_done=1)
    poll(lambda: first.pool_processes() and first.pool_processes() != pool_before, "a new pool process")
    # The main process saw its pool process die. It may start the new pool process before it logs
    # the lost task (one run of the suite under load read the log in between): wait for the line.
    poll(lambda: "WorkerLostError" in first.output(), "the worker to log its lost pool process", deadline_s=10)

    cut_off_with_worker = interrupt(
        store,
        job_id,
        lambda: kill_worker(first),
        after_done=store.get(job_id).counts["done"] + 2,
        earlier=cut_off_in_pool,
    )
    done_at_kill = store.get(job_id).counts["done"]
    # Its task was never acknowledged: the broker still holds it.
    unacked_at_kill = broker.client().hlen("unacked")
    assert unacked_at_kill >= 1

    workers.append(start_worker(env, tmp_path, "worker-2"))
    job = finished_job(client, job_id)

    results = job["clusters"]
    assert [c["index"] for c in results] == list(range(clusters))
    assert Counter(c["status"] for c in results) == {"done": clusters}
    for index, attempt in cut_off_in_pool | cut_off_with_worker:
        assert results[index]["attempts"] > attempt, results[index]  # it ran again
    briefing_ids = [c["briefing_id"] for c in results]
    assert len(set(briefing_ids)) == clusters
    database = app.extensions["newsbrief.database"]
    with database.engine.connect() as connection:  # one stored briefing per cluster, no duplicates
        assert connection.scalar(select(func.count()).select_from(BriefingRow)) == clusters
    poll(lambda: broker.client().hlen("unacked") == 0, "every task to be acknowledged")
    assert broker.client().llen(broker.queue) == 0

    print(
        f"\nFAULT TEST: {clusters} clusters in one job, one worker (1 pool process)\n"
        f"  SIGKILL pool process while running (cluster, attempt) {sorted(cut_off_in_pool)}: handed back by the worker\n"
        f"  SIGKILL whole worker at {done_at_kill}/{clusters} done, running (cluster, attempt) {sorted(cut_off_with_worker)};"
        f" unacknowledged in Redis: {unacked_at_kill}\n"
        f"  new worker: job done, {Counter(c['status'] for c in results)['done']}/{clusters} clusters done once each,"
        f" attempts {dict(sorted(Counter(c['attempts'] for c in results).items()))} (attempts: clusters),"
        f" stored briefings {clusters}, lost 0"
    )


def test_a_burst_of_submissions_is_answered_and_every_accepted_job_finishes(broker, workers, tmp_path, seed_request):
    """100 job submissions from 20 threads at gunicorn on loopback, with no worker running yet:
    each is answered 202 or 503 with Retry-After (the queue cap is 20 clusters, so most are
    refused); then two workers start and every accepted job finishes."""
    submissions, threads, cap = 100, 20, 20
    database_url = f"sqlite:///{tmp_path / 'jobs.sqlite3'}"
    port = free_port()
    env = worker_environ(
        broker,
        database_url,
        tmp_path,
        NEWSBRIEF_BIND=f"127.0.0.1:{port}",
        NEWSBRIEF_WORKERS="2",
        NEWSBRIEF_THREADS="4",
        NEWSBRIEF_MAX_QUEUED_CLUSTERS=str(cap),
        NEWSBRIEF_MAX_JOB_CLUSTERS="10",
        NEWSBRIEF_RETRY_AFTER="5",
        # 100 submissions from one address: the queue's back-pressure is under test, not the rate limit.
        NEWSBRIEF_RATE_LIMIT_JOBS="off",
    )
    server = start_server(image_command(), env, port, tmp_path)
    try:
        local = threading.local()

        def submit(n: int) -> requests.Response:
            if not hasattr(local, "session"):
                local.session = requests.Session()
            return local.session.post(
                f"{server.url}/v1/jobs", json={"clusters": [cluster(seed_request, f"j{n}")]}, timeout=120
            )

        with ThreadPoolExecutor(max_workers=threads) as pool:
            answers = list(pool.map(submit, range(submissions)))
        statuses = Counter(r.status_code for r in answers)
        assert set(statuses) <= {202, 503}, {r.status_code: r.text for r in answers if r.status_code not in (202, 503)}
        for refused in (r for r in answers if r.status_code == 503):
            assert refused.headers["Retry-After"] == "5"
            assert refused.headers["Content-Type"] == "application/problem+json"
            assert refused.json()["type"] == "urn:newsbrief:problem:queue-full"
        accepted = [r.json()["id"] for r in answers if r.status_code == 202]
        assert len(set(accepted)) == len(accepted)
        # The cap admits at least `cap` one-cluster jobs, and overshoots by at most the other
        # requests being admitted at the same moment (gunicorn handles 2 x 4 at once).
        assert cap <= len(accepted) <= cap + 2 * 4 - 1

        for name in ("worker-1", "worker-2"):
            workers.append(start_worker(env, tmp_path, name))

        def finished(job_id: str) -> dict:
            return poll(
                lambda: (
                    (job := requests.get(f"{server.url}/v1/jobs/{job_id}", timeout=30).json())["status"] == "done"
                    and job
                ),
                f"job {job_id} to finish",
                every_s=0.2,
            )

        jobs = [finished(job_id) for job_id in accepted]
        assert all(job["clusters"][0]["status"] == "done" and job["clusters"][0]["briefing_url"] for job in jobs)
        both_busy = all("succeeded" in worker.output() for worker in workers)
        # The queue has drained: the cap admits new jobs again.
        again = requests.post(f"{server.url}/v1/jobs", json={"clusters": [cluster(seed_request, "after")]}, timeout=60)
        assert again.status_code == 202
    finally:
        stop_server(server)

    print(
        f"\nLOAD TEST: {submissions} submissions from {threads} threads, queue cap {cap} clusters, gunicorn 2x4\n"
        f"  answered: 202 accepted {statuses[202]}, 503 with Retry-After {statuses[503]}, other 0\n"
        f"  then 2 workers: finished {len(jobs)}/{len(accepted)} (both workers ran tasks: {both_busy}), lost 0"
    )
