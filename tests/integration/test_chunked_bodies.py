"""Body-size limits on chunked bodies (`Transfer-Encoding: chunked`, no Content-Length), sent over a
raw socket to gunicorn (the Docker image's command line) and to the development server
(`newsbrief serve`) on the loopback, each with small limits.

A body over the limit is 413 problem+json, never cut at the limit and summarised; a body that
ends exactly at the limit is accepted; and the server is done with the connection within a few
seconds either way (the development server used to wait on the client after a cut body). A
malformed chunked body is a 400, not gunicorn's exception as a 500 with a traceback. A body refused
before it was read (413 for its Content-Length, 415) leaves a kept-alive connection usable.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import socket
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from helpers.dockerfile import image_command
from helpers.processes import Server, clean_environ, free_port, start_server, stop_server

BRIEFING_LIMIT = 64 * 1024
JOB_LIMIT = 96 * 1024
# gunicorn keeps a connection 2 s after an answer (its keepalive); the development server closes it at once.
CLOSED_WITHIN_S = 10
TIMEOUT_S = 60
TEXTS = [
    "Floods killed 12 people in the northern province on Monday, officials said. Rescue teams arrived on Tuesday.",
    "Officials said the floods killed 12 people in the north on Monday. The governor declared an emergency.",
]
BRIEFING = {"articles": [{"title": "Floods in the north", "text": text} for text in TEXTS]}
JOB = {"clusters": [BRIEFING]}


@pytest.fixture(scope="module", params=["gunicorn", "development server"])
def server(request, tmp_path_factory) -> Iterator[Server]:
    workdir = tmp_path_factory.mktemp("chunked")
    port = free_port()
    env = clean_environ(
        NEWSBRIEF_BIND=f"127.0.0.1:{port}",
        NEWSBRIEF_WORKERS="1",
        NEWSBRIEF_THREADS="2",
        NEWSBRIEF_ENGINE="extractive",
        NEWSBRIEF_INSTANCE_PATH=str(workdir / "instance"),
        NEWSBRIEF_MAX_CONTENT_LENGTH=str(BRIEFING_LIMIT),
        NEWSBRIEF_MAX_JOB_CONTENT_LENGTH=str(JOB_LIMIT),
        PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
    )
    if request.param == "gunicorn":
        argv = image_command()
    else:
        argv = [sys.executable, "-m", "service.cli", "serve", "--port", str(port)]
    found = start_server(argv, env, port, workdir)
    yield found
    stop_server(found)


@dataclass
class Answer:
    status: int
    content_type: str
    body: dict
    closed_after_s: float | None  # None: the server still held the connection CLOSED_WITHIN_S later


def post_chunked(server: Server, path: str, data: bytes, chunk_size: int = 16 * 1024) -> Answer:
    """POST `data` in chunks of `chunk_size`, read the answer, then wait (bounded) for the server to
    close the connection."""
    address = urlsplit(server.url)
    with socket.create_connection((address.hostname, address.port), timeout=TIMEOUT_S) as sock:
        sock.sendall(
            f"POST {path} HTTP/1.1\r\nHost: {address.netloc}\r\nContent-Type: application/json\r\n"
            "Transfer-Encoding: chunked\r\n\r\n".encode()
        )
        try:
            for start in range(0, len(data), chunk_size):
                piece = data[start : start + chunk_size]
                sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
            sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):  # the server answered before reading it all
            pass
        response = http.client.HTTPResponse(sock)
        response.begin()
        body = json.loads(response.read())
        answered = time.monotonic()
        sock.settimeout(CLOSED_WITHIN_S)
        try:
            closed = sock.recv(1) == b""
        except TimeoutError:
            closed = False
        except ConnectionResetError:
            closed = True
        closed_after = time.monotonic() - answered if closed else None
        return Answer(response.status, response.getheader("Content-Type", ""), body, closed_after)


def padded(body: dict, size: int) -> bytes:
    """`body` as JSON followed by spaces up to `size` bytes: valid JSON wherever it is cut."""
    data = json.dumps(body).encode()
    return data + b" " * (size - len(data))


CASES = [
    pytest.param("/v1/briefings", BRIEFING, BRIEFING_LIMIT, "MAX_CONTENT_LENGTH", id="briefings"),
    pytest.param("/v1/jobs", JOB, JOB_LIMIT, "MAX_JOB_CONTENT_LENGTH", id="jobs"),
]


@pytest.mark.parametrize(("path", "body", "limit", "setting"), CASES)
@pytest.mark.parametrize("over", [1, 1000, 10 * BRIEFING_LIMIT], ids=["1-byte-over", "1000-bytes-over", "11-times"])
def test_a_chunked_body_over_the_limit_is_413(server, path, body, limit, setting, over):
    answer = post_chunked(server, path, padded(body, limit + over))
    assert answer.status == 413, answer.body
    assert answer.content_type == "application/problem+json"
    assert answer.body["fields"] == ["body"]
    assert f"{limit}-byte limit (NEWSBRIEF_{setting})" in answer.body["detail"]
    assert answer.closed_after_s is not None, f"the connection was still open {CLOSED_WITHIN_S} s after the 413"


@pytest.mark.parametrize(("path", "body", "limit", "setting"), CASES)
def test_a_chunked_body_at_the_limit_is_accepted_whole(server, path, body, limit, setting):
    answer = post_chunked(server, path, padded(body, limit))
    assert answer.status in (200, 201, 202), answer.body
    assert answer.closed_after_s is not None, f"the connection was still open {CLOSED_WITHIN_S} s after the answer"


def test_a_small_chunked_body_is_read_whole_across_many_chunks(server):
    # Chunks of 7 bytes: the body is put together from all of them, not taken from the first.
    answer = post_chunked(server, "/v1/briefings", json.dumps(BRIEFING).encode(), chunk_size=7)
    assert answer.status in (200, 201), answer.body
    assert [s["title"] for s in answer.body["briefing"]["sources"]] == ["Floods in the north"] * 2


@pytest.mark.parametrize(
    "chunks",
    [
        pytest.param(b"zz\r\n{}\r\n0\r\n\r\n", id="size-not-hex"),
        pytest.param(b'5\r\n{"a":1}\r\n0\r\n\r\n', id="longer-than-its-size"),
    ],
)
def test_a_malformed_chunked_body_is_400_without_a_traceback(server, chunks):
    address = urlsplit(server.url)
    with socket.create_connection((address.hostname, address.port), timeout=TIMEOUT_S) as sock:
        sock.sendall(
            f"POST /v1/briefings HTTP/1.1\r\nHost: {address.netloc}\r\nContent-Type: application/json\r\n"
            "Transfer-Encoding: chunked\r\n\r\n".encode()
            + chunks
        )
        response = http.client.HTTPResponse(sock)
        response.begin()
        problem = json.loads(response.read())
    assert response.status == 400, problem
    assert problem["type"] == "urn:newsbrief:problem:unreadable-body" and problem["fields"] == ["body"]
    assert "Traceback" not in server.output()


def test_a_body_with_a_content_length_over_the_limit_is_413_too(server):
    data = padded(BRIEFING, 3 * BRIEFING_LIMIT)
    address = urlsplit(server.url)
    with socket.create_connection((address.hostname, address.port), timeout=TIMEOUT_S) as sock:
        sock.sendall(
            f"POST /v1/briefings HTTP/1.1\r\nHost: {address.netloc}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(data)}\r\n\r\n".encode()
        )
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # answered before it was all read
            sock.sendall(data)
        response = http.client.HTTPResponse(sock)
        response.begin()
        problem = json.loads(response.read())
        sock.settimeout(CLOSED_WITHIN_S)
        assert sock.recv(1) == b"", f"the connection was still open {CLOSED_WITHIN_S} s after the 413"
    assert response.status == 413 and problem["fields"] == ["body"]


@pytest.mark.parametrize(
    ("content_type", "size", "status"),
    [
        pytest.param("application/json", 3 * BRIEFING_LIMIT, 413, id="413-content-length-over-the-limit"),
        pytest.param("text/plain", 2 * BRIEFING_LIMIT, 415, id="415-large-body"),
    ],
)
def test_a_refused_unread_body_leaves_a_kept_alive_connection_usable(server, content_type, size, status):
    # http.client, like a connection pool, sends the next request on a connection the answer keeps
    # alive (and opens a new one after `Connection: close`). gunicorn answered keep-alive, then threw
    # away only 64 KiB of the unread body and dropped the connection: the next request failed with
    # RemoteDisconnected (a pool that checks for a dropped connection first failed most of the time).
    address = urlsplit(server.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=TIMEOUT_S)
    try:
        for _ in range(3):
            connection.request(
                "POST", "/v1/briefings", body=padded(BRIEFING, size), headers={"Content-Type": content_type}
            )
            refused = connection.getresponse()
            problem = json.loads(refused.read())
            assert refused.status == status, problem
            assert problem["fields"] == ["body" if status == 413 else "Content-Type"]
            connection.request("GET", "/healthz")
            health = connection.getresponse()
            health.read()
            assert health.status == 200
    finally:
        connection.close()
