"""Servers and Celery workers run as real processes, with bounded waits, and always stopped."""

from __future__ import annotations

import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

SERVER_START_TIMEOUT_S = 120
WORKER_START_TIMEOUT_S = 90


def clean_environ(**extra: str) -> dict[str, str]:
    """This process's environment without NEWSBRIEF_* settings (a developer's own must not
    change what the tests see), offline, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBRIEF_") and k != "PROMETHEUS_MULTIPROC_DIR"}
    env["HF_HUB_OFFLINE"] = "1"
    env.update(extra)
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def start_server(argv: list[str], env: Mapping[str, str], port: int, workdir: Path) -> Server:
    """Run `argv` until GET /healthz on 127.0.0.1:`port` answers 200 (bounded wait)."""
    log = workdir / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            argv, env=dict(env), cwd=workdir, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        wait_until_healthy(server.url, process, SERVER_START_TIMEOUT_S, shlex.join(argv), server.output)
    except BaseException:
        stop_server(server)  # never leave a server behind
        raise
    return server


def wait_until_healthy(
    url: str, process: subprocess.Popen, timeout_s: float, name: str, output: Callable[[], str]
) -> None:
    """Poll GET `url`/healthz until it answers 200; AssertionError, with `output()` (the process's
    log), when the process exits first or `timeout_s` passes."""
    import requests  # the test extra's, not the service's

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{name} exited with {process.returncode}:\n{output()}")
        try:
            if requests.get(url + "/healthz", timeout=2).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):  # not listening yet, or no worker booted yet
            pass
        time.sleep(0.5)
    raise AssertionError(f"{name} did not answer /healthz in {timeout_s} s:\n{output()}")


def stop_server(server: Server) -> None:
    if server.process.poll() is None:
        # The whole session: gunicorn's master and its workers.
        os.killpg(server.process.pid, signal.SIGTERM)
        try:
            server.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait(timeout=10)


@dataclass
class Broker:
    url: str  # a database of its own for this test
    queue: str  # a queue of its own for this test

    def client(self):
        import redis

        return redis.Redis.from_url(self.url)


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
    argv = [sys.executable, "-m", "service.cli", "worker", "--concurrency", "1", "--loglevel", "info"]
    with log.open("ab") as out:
        process = subprocess.Popen(
            argv, env=dict(env), cwd=workdir, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
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
