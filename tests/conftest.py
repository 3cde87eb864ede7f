"""Shared fixtures: the Flask tutorial's `app`, `client` and `runner`, a tiny model, and a live
gunicorn server started with the same command line as the Docker image.

No model weights can be downloaded where the tests run: HF_HUB_OFFLINE makes the default
model fail fast, so engine "auto" falls back to the extractive engine.
"""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds" / "putin-north-korea"
# A configured model that cannot load: abstractive requests for it must get 503.
BROKEN_MODEL = "/nonexistent/newsbrief-model"
SERVER_START_TIMEOUT_S = 120


def clean_environ(**extra: str) -> dict[str, str]:
    """This process's environment without NEWSBRIEF_* settings (a developer's own must not
    change what the tests see), offline, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBRIEF_") and k != "PROMETHEUS_MULTIPROC_DIR"}
    env["HF_HUB_OFFLINE"] = "1"
    env.update(extra)
    return env


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory) -> dict[str, str]:
    """Folders of a tiny random BART and T5 (see tests/tiny_models.py), by family."""
    from tiny_models import build_tiny_model

    root = tmp_path_factory.mktemp("tiny-models")
    return {family: str(build_tiny_model(family, root / family)) for family in ("bart", "t5")}


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> str:
    from tiny_models import build_tiny_model

    return str(build_tiny_model("bart", tmp_path_factory.mktemp("tiny-bart")))


@pytest.fixture
def make_app(tmp_path, monkeypatch, tiny_model):
    """Build apps whose settings start from the tests' defaults: SQLite in tmp_path, the
    extractive engine by default, and the tiny and the broken model configured."""
    for key in [k for k in os.environ if k.startswith("NEWSBRIEF_")]:
        monkeypatch.delenv(key)
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    monkeypatch.setenv("NEWSBRIEF_INSTANCE_PATH", str(tmp_path / "instance"))

    apps = []

    def make(**settings):
        from service import create_app

        config = {
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'briefings.sqlite3'}",
            "ENGINE": "extractive",
            "MODELS": [tiny_model, BROKEN_MODEL],
            **settings,
        }
        apps.append(create_app(config))
        return apps[-1]

    yield make
    for app in apps:  # stop job threads and close pooled connections now, not at garbage collection
        app.extensions["newsbrief.dispatcher"].close()
        app.extensions["newsbrief.storage"].engine.dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture(scope="session")
def seed_request() -> dict:
    """The POST /v1/briefings body for the seed cluster, as the README builds it."""
    from service.payload import request_body

    return request_body([str(SEEDS)])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def image_command() -> list[str]:
    """ENTRYPOINT + CMD of the Dockerfile's final stage (exec form), as the container runs them."""
    import json

    entrypoint: list[str] = []
    cmd: list[str] = []
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if line.startswith("FROM "):
            entrypoint, cmd = [], []
        elif line.startswith("ENTRYPOINT "):
            entrypoint = json.loads(line.removeprefix("ENTRYPOINT "))
        elif line.startswith("CMD "):
            cmd = json.loads(line.removeprefix("CMD "))
    if not entrypoint and not cmd:
        raise AssertionError("the Dockerfile's final stage has no ENTRYPOINT or CMD in exec form")
    return entrypoint + cmd


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def start_server(argv: list[str], env: Mapping[str, str], port: int, workdir: Path) -> Server:
    """Run `argv` until GET /healthz on 127.0.0.1:`port` answers 200 (bounded wait)."""
    import requests

    log = workdir / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(argv, env=dict(env), cwd=workdir, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    server = Server(f"http://127.0.0.1:{port}", process, log)
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    try:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise AssertionError(f"{shlex.join(argv)} exited with {process.returncode}:\n{server.output()}")
            try:
                if requests.get(server.url + "/healthz", timeout=2).status_code == 200:
                    return server
            except (requests.ConnectionError, requests.Timeout):  # not listening yet, or no worker booted yet
                pass
            time.sleep(0.5)
        raise AssertionError(f"{shlex.join(argv)} did not answer /healthz in {SERVER_START_TIMEOUT_S} s:\n{server.output()}")
    except BaseException:
        stop_server(server)  # never leave a server behind
        raise


def stop_server(server: Server) -> None:
    if server.process.poll() is None:
        # The whole session: gunicorn's master and its workers.
        os.killpg(server.process.pid, signal.SIGTERM)
        try:
            server.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait(timeout=10)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory, tiny_model) -> Iterator[Server]:
    """gunicorn, started with the image's own command line, on a loopback port: 2 workers, so
    that metrics are added up across processes."""
    workdir = tmp_path_factory.mktemp("live")
    port = free_port()
    env = clean_environ(
        NEWSBRIEF_BIND=f"127.0.0.1:{port}",
        NEWSBRIEF_WORKERS="2",
        NEWSBRIEF_THREADS="2",
        NEWSBRIEF_INSTANCE_PATH=str(workdir / "instance"),
        NEWSBRIEF_MODELS=f"{tiny_model},{BROKEN_MODEL}",
        NEWSBRIEF_MAX_CONTENT_LENGTH=str(2 * 1024 * 1024),
        # gunicorn from this interpreter's environment, whatever PATH the tests run with.
        PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
    )
    server = start_server(image_command(), env, port, workdir)
    yield server
    stop_server(server)


# --- Jobs on real Celery workers over a real Redis -------------------------------------------

REDIS_NOT_TESTED = ("Redis NOT TESTED: set NEWSBRIEF_TEST_REDIS_URL (run .ci/start-redis) to run jobs "
                    "on real Celery workers")
WORKER_START_TIMEOUT_S = 90
# Redis database numbers 1-15, one per test in turn (0 is left to whoever else uses the server):
# kombu keeps its unacknowledged messages per database, and a worker sweeping them must not
# see another test's.
_redis_databases = iter(range(10**9))
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


@dataclass
class Broker:
    url: str  # a database of its own for this test
    queue: str  # a queue of its own for this test

    def client(self):
        import redis

        return redis.Redis.from_url(self.url)


@pytest.fixture
def broker() -> Iterator[Broker]:
    import uuid

    import redis

    base = redis_test_url()
    url = base.rsplit("/", 1)[0] + f"/{1 + next(_redis_databases) % 15}"
    found = Broker(url, f"newsbrief-test-{uuid.uuid4().hex[:12]}")
    client = found.client()
    try:
        client.ping()
    except redis.RedisError as err:
        pytest.fail(f"NEWSBRIEF_TEST_REDIS_URL={base} does not answer: {err}")
    yield found
    client.delete(found.queue)
    client.close()


@dataclass
class Worker:
    process: subprocess.Popen
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def pool_processes(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return [int(pid) for pid in children]


def worker_environ(broker: Broker, database_url: str, workdir: Path, **extra: str) -> dict[str, str]:
    return clean_environ(
        NEWSBRIEF_REDIS_URL=broker.url,
        NEWSBRIEF_JOBS_QUEUE=broker.queue,
        NEWSBRIEF_DATABASE_URL=database_url,
        NEWSBRIEF_INSTANCE_PATH=str(workdir / "instance"),
        NEWSBRIEF_ENGINE="extractive",
        PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
        **extra,
    )


def start_worker(env: Mapping[str, str], workdir: Path, name: str = "worker") -> Worker:
    """`newsbrief worker` (one pool process) until it says it is ready (bounded wait)."""
    log = workdir / f"{name}.log"
    argv = [sys.executable, "-m", "summarizer.cli", "worker", "--concurrency", "1", "--loglevel", "info"]
    with log.open("ab") as out:
        process = subprocess.Popen(argv, env=dict(env), cwd=workdir, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    worker = Worker(process, log)
    deadline = time.monotonic() + WORKER_START_TIMEOUT_S
    try:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise AssertionError(f"the worker exited with {process.returncode}:\n{worker.output()}")
            if " ready." in worker.output():
                return worker
            time.sleep(0.2)
        raise AssertionError(f"the worker was not ready in {WORKER_START_TIMEOUT_S} s:\n{worker.output()}")
    except BaseException:
        stop_worker(worker)
        raise


def stop_worker(worker: Worker) -> None:
    if worker.process.poll() is None:
        os.killpg(worker.process.pid, signal.SIGTERM)  # the main process and its pool
        try:
            worker.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.process.pid, signal.SIGKILL)
            worker.process.wait(timeout=10)


def kill_worker(worker: Worker) -> None:
    """SIGKILL the worker's main process and its pool at once: no chance to hand anything back."""
    os.killpg(worker.process.pid, signal.SIGKILL)
    worker.process.wait(timeout=10)


@pytest.fixture
def workers() -> Iterator[list[Worker]]:
    """Workers a test starts go in this list; whatever happens, they are stopped afterwards."""
    started: list[Worker] = []
    yield started
    for worker in started:
        try:
            stop_worker(worker)
        except ProcessLookupError:  # the test killed it
            pass
