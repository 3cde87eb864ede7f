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
    for app in apps:  # close pooled connections now, not whenever the garbage collector runs
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
