"""Slow clients through the reverse proxy of docker-compose.yml (nginx with deploy/nginx.conf) in
front of gunicorn started with the image's command line: a dozen clients that send one header
line, or one body byte, a second do not stop /healthz, and nginx closes the ones too slow for its
header time-out. Needs nginx (NEWSBRIEF_TEST_NGINX, from .ci/start-nginx)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from helpers.paths import ROOT
from helpers.processes import free_port, wait_until_healthy

NGINX_NOT_TESTED = "nginx NOT TESTED: set NEWSBRIEF_TEST_NGINX (run .ci/start-nginx) to test the reverse proxy"
# Shorter than deploy/nginx.conf's 10 s, so the test sees nginx close a slow client.
TEST_TIMEOUT_S = 2
SLOW_CLIENTS = 12  # 8 suffice to hold gunicorn's 2 workers x 4 threads (here 2 x 2)
# Three times the time-out: the slow senders of headers are closed well within it, and the
# service is checked for several seconds while the slow senders of bodies hold their connections.
SLOW_FOR_S = 6.0
HEALTH_TIMEOUT_S = 2.0


@dataclass
class Proxy:
    url: str
    port: int
    process: subprocess.Popen


def nginx_binary() -> str:
    found = os.environ.get("NEWSBRIEF_TEST_NGINX") or shutil.which("nginx")
    if not found:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but nginx is missing: {NGINX_NOT_TESTED}")
        pytest.skip(NGINX_NOT_TESTED)
    return found


def start_proxy(upstream_port: int, workdir: Path) -> Proxy:
    """deploy/nginx.conf with the upstream and the listen address on loopback, its client
    time-outs shortened to TEST_TIMEOUT_S; waits (bounded) until the proxy answers /healthz."""
    port = free_port()
    config = (ROOT / "deploy" / "nginx.conf").read_text()
    for old, new in [
        ("server api:8000;", f"server 127.0.0.1:{upstream_port};"),
        ("listen 80;", f"listen 127.0.0.1:{port};"),
        ("client_header_timeout 10s;", f"client_header_timeout {TEST_TIMEOUT_S}s;"),
        ("client_body_timeout 10s;", f"client_body_timeout {TEST_TIMEOUT_S}s;"),
    ]:
        assert old in config, f"deploy/nginx.conf no longer has {old!r}"
        config = config.replace(old, new)
    (workdir / "newsbrief.conf").write_text(config)
    (workdir / "nginx.conf").write_text(
        f"pid {workdir}/nginx.pid;\nerror_log {workdir}/error.log;\nevents {{}}\n"
        f"http {{ access_log off; client_body_temp_path {workdir}/body; proxy_temp_path {workdir}/proxy; "
        f"include {workdir}/newsbrief.conf; }}\n"
    )
    argv = [nginx_binary(), "-p", str(workdir), "-c", str(workdir / "nginx.conf"), "-g", "daemon off;"]
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
    proxy = Proxy(f"http://127.0.0.1:{port}", port, process)
    try:
        wait_until_healthy(proxy.url, process, 30, "nginx in front of gunicorn", (workdir / "error.log").read_text)
    except BaseException:
        process.terminate()
        raise
    return proxy


@pytest.fixture(scope="module")
def proxy(live_server, tmp_path_factory) -> Iterator[Proxy]:
    """nginx in front of the live gunicorn (the image's command line, 2 workers x 2 threads)."""
    found = start_proxy(int(live_server.url.rsplit(":", 1)[1]), tmp_path_factory.mktemp("nginx"))
    yield found
    found.process.terminate()
    found.process.wait(timeout=30)


def slow_client(port: int, body: bool, stop: threading.Event, closed_after: list[float]) -> None:
    """Send a request a piece a second (a header line, or a body byte) until `stop`, or until the
    server closes the connection (its time after the first byte goes in `closed_after`)."""
    started = time.monotonic()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=SLOW_FOR_S + 5) as sock:
            if body:
                sock.sendall(
                    b"POST /v1/briefings HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    b"Content-Length: 100000\r\n\r\n"
                )
            else:
                sock.sendall(b"GET /healthz HTTP/1.1\r\n")
            while not stop.wait(1.0):
                sock.sendall(b" " if body else b"X-Slow: 1\r\n")
    except OSError:  # closed by the server
        closed_after.append(time.monotonic() - started)


def health_times(url: str, stop: threading.Event) -> list[float | None]:
    """Seconds each GET /healthz took while the slow clients ran (None: no answer in HEALTH_TIMEOUT_S)."""
    times: list[float | None] = []
    time.sleep(1.5)  # the slow clients are connected and sending by now
    while not stop.is_set():
        started = time.monotonic()
        try:
            ok = requests.get(url + "/healthz", timeout=HEALTH_TIMEOUT_S).status_code == 200
            times.append(time.monotonic() - started if ok else None)
        except requests.RequestException:
            times.append(None)
        time.sleep(0.5)
    return times


def under_slow_clients(url: str, port: int, body: bool) -> tuple[list[float | None], list[float]]:
    stop, closed_after = threading.Event(), []
    clients = [threading.Thread(target=slow_client, args=(port, body, stop, closed_after)) for _ in range(SLOW_CLIENTS)]
    for client in clients:
        client.start()
    timer = threading.Timer(SLOW_FOR_S, stop.set)
    timer.start()
    try:
        return health_times(url, stop), closed_after
    finally:
        stop.set()
        for client in clients:
            client.join(timeout=SLOW_FOR_S + 10)


@pytest.mark.parametrize("body", [False, True], ids=["slow-headers", "slow-body"])
def test_slow_clients_through_the_proxy_do_not_stop_the_service(proxy, body):
    times, closed_after = under_slow_clients(proxy.url, proxy.port, body)
    assert times and None not in times, f"/healthz through nginx with {SLOW_CLIENTS} slow clients: {times}"
    if not body:  # the whole header must arrive within the time-out: nginx closes them
        assert len(closed_after) == SLOW_CLIENTS and max(closed_after) < TEST_TIMEOUT_S + 3, closed_after
