"""The job tables against SQLite and PostgreSQL: claims, results written once, recovery.

PostgreSQL runs when NEWSBRIEF_TEST_DATABASE_URL is set, as in test_storage.py (a loud
skip without it, a failure under CI).
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from helpers.databases import fresh_postgres, migrated
from sqlalchemy import update

from service.database import Database
from service.jobs.store import DONE, FAILED, QUEUED, RUNNING, JobClusterRow, JobStore, NewCluster

ARTICLES = [
    {
        "id": "a",
        "title": "T",
        "text": "A thing happened on Monday. Officials said so.",
        "url": None,
        "source": None,
        "published": None,
        "content_type": "text",
    }
]
OPTIONS = {"engine": "extractive", "max_words": 60}


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    url = f"sqlite:///{tmp_path / 'jobs.sqlite3'}" if request.param == "sqlite" else fresh_postgres()
    database = Database(migrated(url))
    yield database
    database.engine.dispose()


@pytest.fixture
def store(database):
    return JobStore(database)


def new_job(store: JobStore, clusters: int = 3, key: str | None = None, request_hash: str = "h" * 64):
    return store.create([NewCluster(f"c{i}", ARTICLES) for i in range(clusters)], OPTIONS, request_hash, key)


def later() -> datetime:
    return datetime.now(UTC) + timedelta(hours=1)


def age_claim(database: Database, job_id: str, index: int, hours: int = 2) -> None:
    with database.engine.begin() as connection:
        connection.execute(
            update(JobClusterRow)
            .where(JobClusterRow.job_id == job_id, JobClusterRow.cluster_index == index)
            .values(claimed_at=datetime.now(UTC) - timedelta(hours=hours))
        )


def test_a_new_job_has_every_cluster_queued(store):
    job, created = new_job(store)
    assert created
    assert store.get(job.id) == job
    assert [c.id for c in job.clusters] == ["c0", "c1", "c2"] and job.options == OPTIONS
    assert job.status == "queued" and job.finished_at is None
    assert job.counts == {"total": 3, QUEUED: 3, RUNNING: 0, DONE: 0, FAILED: 0}
    assert store.pending_clusters() == 3
    assert store.get("0" * 32) is None


def test_a_cluster_is_claimed_then_finished_once(store):
    job, _ = new_job(store)
    work = store.claim(job.id, 1, stale_before=datetime.now(UTC) - timedelta(hours=1))
    assert (work.index, work.articles, work.options) == (1, ARTICLES, OPTIONS)
    assert store.get(job.id).status == "running" and store.get(job.id).clusters[1].attempts == 1
    # Held under a fresh claim: an in-process pool does not take it again...
    assert store.claim(job.id, 1, stale_before=datetime.now(UTC) - timedelta(hours=1)) is None
    # ...but a redelivered Celery task takes it over.
    assert store.claim(job.id, 1, stale_before=None) is not None
    assert store.get(job.id).clusters[1].attempts == 2

    assert store.finish(job.id, 1, briefing_id=None) is True
    assert store.finish(job.id, 1, briefing_id=None) is False
    assert store.fail(job.id, 1, "late", None) is False
    assert store.claim(job.id, 1, stale_before=None) is None  # finished: a redelivered task does nothing
    cluster = store.get(job.id).clusters[1]
    assert (cluster.status, cluster.attempts, cluster.error) == (DONE, 2, None)
    assert store.pending_clusters() == 2


def test_a_failed_cluster_keeps_its_message_and_the_job_finishes(store):
    job, _ = new_job(store, clusters=2)
    store.claim(job.id, 0, None)
    assert store.fail(job.id, 0, "no sentences " * 500, "clusters[0].articles")
    store.claim(job.id, 1, None)
    store.finish(job.id, 1, None)
    job = store.get(job.id)
    assert job.status == "done" and job.counts[FAILED] == 1 and job.counts[DONE] == 1
    assert job.clusters[0].error_field == "clusters[0].articles"
    assert len(job.clusters[0].error) == 2000 and job.clusters[0].error.endswith("…")
    assert job.finished_at == max(c.finished_at for c in job.clusters)


def test_racing_claims_and_results_have_one_winner(store):
    job, _ = new_job(store, clusters=1)
    barrier = threading.Barrier(6)
    claims, finishes = [], []

    def work():
        barrier.wait()
        claims.append(store.claim(job.id, 0, stale_before=datetime.now(UTC) - timedelta(hours=1)))
        barrier.wait()
        finishes.append(store.finish(job.id, 0, None))

    threads = [threading.Thread(target=work) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(claim is not None for claim in claims) == 1
    assert finishes.count(True) == 1 and finishes.count(False) == 5


def test_an_idempotency_key_is_stored_once(store):
    first, created = new_job(store, key="key-1")
    again, created_again = new_job(store, key="key-1", request_hash="x" * 64)
    assert (created, created_again) == (True, False)
    assert again == first  # the caller compares request hashes
    assert store.find_by_key("key-1") == first and store.find_by_key("key-2") is None


def test_recovery_takes_abandoned_and_undispatched_clusters_once(store, database):
    job, _ = new_job(store, clusters=3)
    store.mark_dispatched(job.id, [0, 1])
    store.claim(job.id, 0, None)
    age_claim(database, job.id, 0)  # its process died two hours ago
    store.claim(job.id, 1, None)  # running now, in a live process

    now = datetime.now(UTC)
    # Celery: the abandoned cluster, and the one never handed to the broker.
    assert store.recover(stale_before=now - timedelta(hours=1), undispatched_before=later()) == [
        (job.id, 0),
        (job.id, 2),
    ]
    assert store.recover(stale_before=now - timedelta(hours=1), undispatched_before=later()) == []
    clusters = store.get(job.id).clusters
    assert [c.status for c in clusters] == [QUEUED, RUNNING, QUEUED]
    # A job stored a moment ago may be between storing and dispatching: not taken yet.
    job2, _ = new_job(store, clusters=1)
    assert store.recover(now - timedelta(hours=1), undispatched_before=now - timedelta(minutes=1)) == []
    # In-process pool: every queued cluster, because the pool's queue died with its process.
    assert store.recover(now - timedelta(hours=1), undispatched_before=None) == [
        *sorted([(job.id, 0), (job.id, 2), (job2.id, 0)])
    ]


def test_a_job_whose_clusters_were_not_dispatched_can_be_deleted(store):
    job, _ = new_job(store, key="k")
    store.delete(job.id)
    assert store.get(job.id) is None and store.find_by_key("k") is None and store.pending_clusters() == 0
