"""Fixtures of the integration tier: gunicorn with the image's command line, and Celery
workers on a real Redis (NEWSBRIEF_TEST_REDIS_URL, from .ci/start-redis)."""

from __future__ import annotations

import contextlib
import itertools
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.databases import fresh_postgres, migrated
from helpers.dockerfile import image_command
from helpers.paths import BROKEN_MODEL
from helpers.processes import (
    Broker,
    Server,
    Worker,
    clean_environ,
    free_port,
    start_server,
    stop_server,
    stop_worker,
)

REDIS_NOT_TESTED = (
    "Redis NOT TESTED: set NEWSBRIEF_TEST_REDIS_URL (run .ci/start-redis) to run jobs on real Celery workers"
)
# Redis database numbers 1-15, one per test in turn (0 is left to whoever else uses the server):
# kombu keeps its unacknowledged messages per database, and a worker sweeping them must not
# see another test's. Each xdist worker (gw0, gw1, ...) takes its own share of them, so two
# tests running at once never share a database.
_XDIST_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
_XDIST_WORKERS = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
_redis_databases = itertools.cycle(range(1 + _XDIST_WORKER, 16, _XDIST_WORKERS))
# Read now: make_app clears NEWSBRIEF_* variables for each test.
REDIS_TEST_URL = os.environ.get("NEWSBRIEF_TEST_REDIS_URL")


def redis_test_url() -> str:
    """NEWSBRIEF_TEST_REDIS_URL; without it, a loud skip, or a failure under CI (CI=true)."""
    url = REDIS_TEST_URL
    if not url:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but NEWSBRIEF_TEST_REDIS_URL is not set: {REDIS_NOT_TESTED}")
        pytest.skip(REDIS_NOT_TESTED)
    return url


def serve_live(workdir: Path, tiny_model: str, **settings: str) -> Iterator[Server]:
    """gunicorn, started with the image's own command line, on a loopback port: 2 workers, so
    that metrics are added up across processes. No API keys (clean_environ drops any
    NEWSBRIEF_API_KEYS*) and no rate limits: fuzzing and bursts send far more than a client may."""
    port = free_port()
    env = clean_environ(
        NEWSBRIEF_BIND=f"127.0.0.1:{port}",
        NEWSBRIEF_WORKERS="2",
        NEWSBRIEF_THREADS="2",
        NEWSBRIEF_INSTANCE_PATH=str(workdir / "instance"),
        NEWSBRIEF_MODELS=f"{tiny_model},{BROKEN_MODEL}",
        NEWSBRIEF_MAX_CONTENT_LENGTH=str(2 * 1024 * 1024),
        NEWSBRIEF_RATE_LIMIT_BRIEFINGS="off",
        NEWSBRIEF_RATE_LIMIT_JOBS="off",
        NEWSBRIEF_RATE_LIMIT_DEFAULT="off",
        # gunicorn from this interpreter's environment, whatever PATH the tests run with.
        PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
        **settings,
    )
    server = start_server(image_command(), env, port, workdir)
    yield server
    stop_server(server)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory, tiny_model) -> Iterator[Server]:
    """The live server on SQLite (in its instance folder)."""
    yield from serve_live(tmp_path_factory.mktemp("live"), tiny_model)


@pytest.fixture(scope="module")
def live_server_postgres(tmp_path_factory, tiny_model) -> Iterator[Server]:
    """The live server on NEWSBRIEF_TEST_DATABASE_URL, emptied and migrated (skipped without it);
    stopped with its module, before the service tier empties that database again."""
    url = migrated(fresh_postgres())
    yield from serve_live(tmp_path_factory.mktemp("live-postgres"), tiny_model, NEWSBRIEF_DATABASE_URL=url)


@pytest.fixture
def broker() -> Iterator[Broker]:
    import uuid

    import redis

    base = redis_test_url()
    url = base.rsplit("/", 1)[0] + f"/{next(_redis_databases)}"
    found = Broker(url, f"newsbrief-test-{uuid.uuid4().hex[:12]}")
    client = found.client()
    try:
        client.ping()
    except redis.RedisError as err:
        pytest.fail(f"NEWSBRIEF_TEST_REDIS_URL={base} does not answer: {err}")
    yield found
    client.delete(found.queue)
    client.close()


@pytest.fixture
def workers() -> Iterator[list[Worker]]:
    """Workers a test starts go in this list; whatever happens, they are stopped afterwards."""
    started: list[Worker] = []
    yield started
    for worker in started:
        with contextlib.suppress(ProcessLookupError):  # the test killed it
            stop_worker(worker)
