"""Soak: mixed traffic against gunicorn on the loopback for minutes, then what held and what did not.

    HF_HUB_OFFLINE=1 python benchmarks/soak.py [--duration 600] [--clients 4] [--warmup 20]
        [--database-url postgresql+psycopg://...] [--max-content-length 1048576] [--engine extractive]

gunicorn runs with the Docker image's command line (tests/helpers: `image_command`, `start_server`;
the test extra installs what they need) and its defaults (2 workers of 4 threads), bound to
127.0.0.1 on a free port, on a SQLite file in a temporary folder unless --database-url (migrated
first with `newsbrief db upgrade`). Jobs run on the workers' own threads (no NEWSBRIEF_REDIS_URL).
No API keys and no rate limits: the soak measures the service, not the limiter. --engine
(extractive by default) keeps the run the same on machines with and without model weights.

--clients threads send, until --duration seconds are up, a mix of:

- new: a cluster not seen before (a random subset of the seed articles, their paragraphs
  shuffled, or a synthetic cluster from benchmarks/synthetic.py; one in ten with control
  characters in a title), answered 201 (or 422 if the service refuses those characters);
- repeat: a cluster posted before, answered from storage (200), and get: GET /v1/briefings/<id>;
- job: POST /v1/jobs of one to three new clusters (202), then poll: GET /v1/jobs/<id> until done;
- bad: invalid JSON, wrong types, unknown fields, no body, the wrong Content-Type (4xx);
- oversize: a body over --max-content-length (NEWSBRIEF_MAX_CONTENT_LENGTH), with a
  Content-Length and chunked (413).

A --warmup of the same mix runs first and is not counted: the workers load NLTK's data, the
numerical libraries and the tokenizer on first use, which is not growth. Then each worker's RSS
(from /proc, so Linux only) is read, the timed run starts, and at its end the RSS is read again.
Printed: requests per second; per kind, the count, p50/p95 latency and status codes; jobs' time
to done; 5xx answers (the documented 503s apart: a full job queue, with Retry-After);
tracebacks in the server's log; each worker's RSS at start and end and its growth; and the
issue's targets as met or missed (exit status 1 if any is missed).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import requests  # noqa: E402  (the test extra's, as tests/helpers uses it)
from helpers.dockerfile import image_command  # noqa: E402
from helpers.processes import Server, clean_environ, free_port, start_server, stop_server  # noqa: E402
from sqlalchemy import make_url  # noqa: E402
from synthetic import synthetic_cluster  # noqa: E402

SEEDS = ROOT / "seeds" / "putin-north-korea"
REQUEST_TIMEOUT_S = 120
JOB_TIMEOUT_S = 300
POLL_INTERVAL_S = 0.25
# At most this many bodies kept for repeats (a random sample of those created).
KEEP_FOR_REPEATS = 200
# Of each loop, the share of each kind; a job counts its polls as requests of their own.
MIX = {"new": 25, "repeat": 20, "get": 10, "job": 8, "bad": 22, "oversize": 15}
KINDS = ["new", "repeat", "get", "job", "poll", "bad", "oversize"]
TARGET_MEMORY_GROWTH = 0.10
TRACEBACK = "Traceback (most recent call last)"
# The one 5xx a client of this mix may get by design: POST /v1/jobs when the queue is full.
DOCUMENTED_503 = "urn:newsbrief:problem:queue-full"
CONTROL_CHARACTERS = "\x00\x01\x07\x1b\x7f\x85"


@dataclass
class Tally:
    """What one client thread saw, per kind: latencies (s) and status codes (or the error's name)."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: {kind: [] for kind in KINDS})
    statuses: dict[str, Counter] = field(default_factory=lambda: {kind: Counter() for kind in KINDS})
    undocumented_5xx: list[str] = field(default_factory=list)
    job_seconds: list[float] = field(default_factory=list)
    jobs_unfinished: int = 0

    def merge(self, other: Tally) -> None:
        for kind in KINDS:
            self.latencies[kind] += other.latencies[kind]
            self.statuses[kind] += other.statuses[kind]
        self.undocumented_5xx += other.undocumented_5xx
        self.job_seconds += other.job_seconds
        self.jobs_unfinished += other.jobs_unfinished


class Traffic:
    """The request bodies of the mix, and the briefings created so far (shared by the clients)."""

    def __init__(self, run: str, max_content_length: int):
        from helpers.payload import request_body

        self.run = run
        self.seed_articles = request_body([str(SEEDS)])["articles"]
        self.max_content_length = max_content_length
        self.created: list[tuple[dict, str]] = []  # (body, briefing id)
        self.lock = threading.Lock()
        self.counter = 0

    def next_number(self) -> int:
        with self.lock:
            self.counter += 1
            return self.counter

    def new_cluster(self, rng: random.Random) -> list[dict]:
        """Articles no one posted before: their ids carry this run and a number, their text is reordered."""
        number = self.next_number()
        if rng.random() < 0.5:
            chosen = rng.sample(self.seed_articles, rng.randint(2, len(self.seed_articles)))
            articles = []
            for article in chosen:
                body_key = "html" if "html" in article else "text"
                paragraphs = article[body_key].split("\n")
                rng.shuffle(paragraphs)
                articles.append({**article, body_key: "\n".join(paragraphs)})
        else:
            articles = [
                {"id": a.id, "title": a.title, "text": a.text}
                for a in synthetic_cluster(rng.randint(2, 8), sentences_per_article=rng.randint(6, 30), seed=number)
            ]
        articles = [{**a, "id": f"{a['id']}-{self.run}-{number}"} for a in articles]
        if rng.random() < 0.1:
            articles[0]["title"] = f"{articles[0].get('title', '')} {rng.choice(CONTROL_CHARACTERS)}"
        return articles

    def new_briefing(self, rng: random.Random) -> dict:
        return {"articles": self.new_cluster(rng), "options": {"max_words": rng.choice([60, 100, 150])}}

    def remember(self, body: dict, briefing_id: str, rng: random.Random) -> None:
        with self.lock:
            if len(self.created) < KEEP_FOR_REPEATS:
                self.created.append((body, briefing_id))
            else:
                self.created[rng.randrange(KEEP_FOR_REPEATS)] = (body, briefing_id)

    def earlier(self, rng: random.Random) -> tuple[dict, str] | None:
        with self.lock:
            return rng.choice(self.created) if self.created else None

    def bad_request(self, rng: random.Random) -> tuple[str, bytes, dict[str, str]]:
        """(path, body, headers) of a request the API must refuse with a 4xx."""
        valid = {"articles": self.seed_articles[:2]}
        json_type = {"Content-Type": "application/json"}
        cases = [
            ("/v1/briefings", b'{"articles": [{"text": "Floods', json_type),
            ("/v1/briefings", b"", json_type),
            ("/v1/briefings", b"[1, 2, 3]", json_type),
            ("/v1/briefings", json.dumps(valid).encode(), {"Content-Type": "text/plain"}),
            ("/v1/briefings", json.dumps({"articles": "floods"}).encode(), json_type),
            ("/v1/briefings", json.dumps({"articles": [{"text": 12}]}).encode(), json_type),
            ("/v1/briefings", json.dumps({**valid, "options": {"max_words": "150"}}).encode(), json_type),
            ("/v1/briefings", json.dumps({**valid, "colour": "blue"}).encode(), json_type),
            ("/v1/briefings", json.dumps({"articles": [{"body": "Floods killed 12."}]}).encode(), json_type),
            ("/v1/briefings", json.dumps({**valid, "options": {"engine": "bogus"}}).encode(), json_type),
            ("/v1/briefings", b'{"articles": NaN}', json_type),
            ("/v1/jobs", json.dumps({"clusters": []}).encode(), json_type),
            ("/v1/jobs", json.dumps({"clusters": [{"articles": [{"text": None}]}]}).encode(), json_type),
            ("/v1/jobs", json.dumps({"clusters": [valid]}).encode(), {**json_type, "Idempotency-Key": "two words"}),
        ]
        return rng.choice(cases)

    def oversize_body(self, rng: random.Random) -> bytes:
        """A well-formed request a little over the limit: its last article's text makes up the rest."""
        filler = "Floods killed 12 people in the north on Monday. " * (self.max_content_length // 48 + 1)
        extra = rng.randint(1, 64 * 1024)
        body = {"articles": [{"id": "big", "title": "Oversize", "text": filler[: self.max_content_length + extra]}]}
        return json.dumps(body).encode()


def in_chunks(data: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
    """A generator body: requests sends it with Transfer-Encoding: chunked (no Content-Length)."""
    for start in range(0, len(data), size):
        yield data[start : start + size]


class Client:
    """One thread's loop over the mix, with its own connection pool and tally."""

    def __init__(self, base: str, traffic: Traffic, seed: int):
        self.base = base
        self.traffic = traffic
        self.rng = random.Random(seed)
        self.session = requests.Session()
        self.tally = Tally()

    def send(self, kind: str, method: str, path: str, **kwargs) -> requests.Response | None:
        started = time.perf_counter()
        try:
            response = self.session.request(method, self.base + path, timeout=REQUEST_TIMEOUT_S, **kwargs)
        except requests.RequestException as err:
            self.tally.latencies[kind].append(time.perf_counter() - started)
            self.tally.statuses[kind][type(err).__name__] += 1
            self.session.close()  # a fresh connection for the next request
            return None
        self.tally.latencies[kind].append(time.perf_counter() - started)
        self.tally.statuses[kind][response.status_code] += 1
        if response.status_code >= 500 and not self.documented(response):
            self.tally.undocumented_5xx.append(f"{method} {path}: {response.status_code} {response.text[:300]}")
        return response

    @staticmethod
    def documented(response: requests.Response) -> bool:
        try:
            problem_type = response.json().get("type")
        except (ValueError, AttributeError):
            return False
        return response.status_code == 503 and problem_type == DOCUMENTED_503 and "Retry-After" in response.headers

    def run_until(self, deadline: float) -> None:
        actions: dict[str, Callable[[], None]] = {
            "new": self.new,
            "repeat": self.repeat,
            "get": self.get,
            "job": self.job,
            "bad": self.bad,
            "oversize": self.oversize,
        }
        kinds, weights = list(MIX), list(MIX.values())
        while time.monotonic() < deadline:
            actions[self.rng.choices(kinds, weights)[0]]()

    def new(self) -> None:
        body = self.traffic.new_briefing(self.rng)
        response = self.send("new", "POST", "/v1/briefings", json=body)
        if response is not None and response.status_code in (200, 201):
            self.traffic.remember(body, response.json()["id"], self.rng)

    def repeat(self) -> None:
        if (earlier := self.traffic.earlier(self.rng)) is None:
            return self.new()
        self.send("repeat", "POST", "/v1/briefings", json=earlier[0])

    def get(self) -> None:
        if (earlier := self.traffic.earlier(self.rng)) is None:
            return self.new()
        self.send("get", "GET", f"/v1/briefings/{earlier[1]}")

    def job(self) -> None:
        clusters = [{"articles": self.traffic.new_cluster(self.rng)} for _ in range(self.rng.randint(1, 3))]
        started = time.monotonic()
        response = self.send("job", "POST", "/v1/jobs", json={"clusters": clusters})
        if response is None or response.status_code != 202:
            return
        location = response.headers["Location"]
        # Polled to the end even past the deadline (a job left behind would still be running), but not forever.
        give_up = started + JOB_TIMEOUT_S
        for _ in range(int(JOB_TIMEOUT_S / POLL_INTERVAL_S)):
            if time.monotonic() > give_up:
                break
            time.sleep(POLL_INTERVAL_S)
            polled = self.send("poll", "GET", location)
            if polled is not None and polled.status_code == 200 and polled.json()["status"] == "done":
                self.tally.job_seconds.append(time.monotonic() - started)
                return
        self.tally.jobs_unfinished += 1

    def bad(self) -> None:
        path, body, headers = self.traffic.bad_request(self.rng)
        self.send("bad", "POST", path, data=body, headers=headers)

    def oversize(self) -> None:
        body = self.traffic.oversize_body(self.rng)
        headers = {"Content-Type": "application/json"}
        chunked = self.rng.random() < 0.5
        self.send("oversize", "POST", "/v1/briefings", data=in_chunks(body) if chunked else body, headers=headers)


def run_clients(base: str, traffic: Traffic, clients: int, seconds: float, seed: int) -> Tally:
    workers = [Client(base, traffic, seed + n) for n in range(clients)]
    deadline = time.monotonic() + seconds
    threads = [
        threading.Thread(target=w.run_until, args=(deadline,), name=f"client-{n}") for n, w in enumerate(workers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    total = Tally()
    for worker in workers:
        total.merge(worker.tally)
        worker.session.close()
    return total


def worker_rss(master_pid: int) -> dict[int, int]:
    """{pid: resident set size in KiB} of the gunicorn master's worker processes."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    found = {}
    for pid in map(int, children):
        status = Path(f"/proc/{pid}/status").read_text()
        if match := re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE):
            found[pid] = int(match.group(1))
    return found


def percentile(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def format_statuses(counts: Counter) -> str:
    return " ".join(f"{status}x{count}" for status, count in sorted(counts.items(), key=lambda item: str(item[0])))


def first_traceback(log: str) -> list[str]:
    """The first traceback's lines in `log`, up to and with its exception's line, without the ^^^ marks."""
    lines = log[log.index(TRACEBACK) :].splitlines()
    found = [lines[0]]
    for line in lines[1:]:
        if not line.strip().strip("^~"):
            continue
        found.append(line)
        if not line.startswith(" "):
            break
    return found


def report(
    tally: Tally, seconds: float, rss_start: dict[int, int], rss_end: dict[int, int], log: str, warmup_5xx: list[str]
) -> bool:
    """Print the table (of the timed run) and the targets (the 5xx and tracebacks of the warm-up
    count too: only the memory baseline waits for it); True when every target is met."""
    requests_sent = sum(len(v) for v in tally.latencies.values())
    print(f"\n{requests_sent} requests in {seconds:.0f} s: {requests_sent / seconds:.1f} requests per second\n")
    print(f"{'kind':<9} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8}  status codes")
    for kind in KINDS:
        latencies = [s * 1000 for s in tally.latencies[kind]]
        p50, p95 = percentile(latencies, 50), percentile(latencies, 95)
        print(f"{kind:<9} {len(latencies):>8} {p50:>8.0f} {p95:>8.0f}  {format_statuses(tally.statuses[kind])}")
    if tally.job_seconds:
        p50, p95 = percentile(tally.job_seconds, 50), percentile(tally.job_seconds, 95)
        print(f"\njobs done: {len(tally.job_seconds)}, time to done p50 {p50:.1f} s, p95 {p95:.1f} s", end="")
    print(f"; not done in {JOB_TIMEOUT_S} s: {tally.jobs_unfinished}")

    all_5xx = sum(
        count for counts in tally.statuses.values() for status, count in counts.items() if str(status)[0] == "5"
    )
    documented = all_5xx - len(tally.undocumented_5xx)
    errors = sum(
        count for counts in tally.statuses.values() for status, count in counts.items() if isinstance(status, str)
    )
    tracebacks = log.count(TRACEBACK)
    print(f"5xx: {all_5xx} ({documented} documented 503 queue-full); connection errors: {errors}")
    if warmup_5xx:
        print(f"undocumented 5xx in the warm-up: {len(warmup_5xx)}")
    for line in [*warmup_5xx, *tally.undocumented_5xx][:5]:
        print(f"  {line}")
    print(f"tracebacks in the server log: {tracebacks}")
    if tracebacks:
        print("  the first:\n    " + "\n    ".join(first_traceback(log)))

    print(f"\n{'worker':>8} {'RSS start MiB':>14} {'RSS end MiB':>12} {'growth':>8}")
    growths = []
    for pid, start_kib in sorted(rss_start.items()):
        end_kib = rss_end.get(pid)
        if end_kib is None:
            print(f"{pid:>8} {start_kib / 1024:>14.1f} {'gone':>12}")
            continue
        growth = (end_kib - start_kib) / start_kib
        growths.append(growth)
        print(f"{pid:>8} {start_kib / 1024:>14.1f} {end_kib / 1024:>12.1f} {growth:>8.1%}")
    restarted = sorted(set(rss_end) - set(rss_start))
    if restarted:
        print(f"new workers (a worker died and gunicorn started another): {restarted}")

    targets = [
        ("0 x 5xx other than the documented 503", not tally.undocumented_5xx and not warmup_5xx),
        ("0 tracebacks in the server log", tracebacks == 0),
        # Not one of the issue's: a request that fails on a kept-alive connection the server closed
        # without saying so (Connection: close) is a failure a client sees all the same.
        ("0 connection errors", errors == 0),
        (
            f"worker memory growth under {TARGET_MEMORY_GROWTH:.0%}, no worker restarted",
            bool(growths) and max(growths) < TARGET_MEMORY_GROWTH and not restarted and len(growths) == len(rss_start),
        ),
    ]
    print("\ntargets:")
    for name, met in targets:
        print(f"  {'met   ' if met else 'MISSED'}  {name}")
    return all(met for _, met in targets)


def upgrade_database(url: str, env: dict[str, str], workdir: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "service.cli", "db", "upgrade"],
        env={**env, "NEWSBRIEF_DATABASE_URL": url},
        cwd=workdir,
        check=True,
        timeout=120,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=600, help="seconds of timed traffic (default 600)")
    parser.add_argument("--warmup", type=float, default=20, help="seconds of traffic before it (default 20)")
    parser.add_argument("--clients", type=int, default=4, help="client threads (default 4)")
    parser.add_argument("--database-url", help="default: a SQLite file in a temporary folder")
    parser.add_argument("--max-content-length", type=int, default=1024 * 1024, help="bytes (default 1 MiB)")
    parser.add_argument("--engine", default="extractive", choices=["auto", "abstractive", "extractive"])
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="newsbrief-soak-") as folder:
        workdir = Path(folder)
        port = free_port()
        env = clean_environ(
            NEWSBRIEF_BIND=f"127.0.0.1:{port}",
            NEWSBRIEF_INSTANCE_PATH=str(workdir / "instance"),
            NEWSBRIEF_ENGINE=args.engine,
            NEWSBRIEF_MAX_CONTENT_LENGTH=str(args.max_content_length),
            NEWSBRIEF_RATE_LIMIT_BRIEFINGS="off",
            NEWSBRIEF_RATE_LIMIT_JOBS="off",
            NEWSBRIEF_RATE_LIMIT_DEFAULT="off",
            PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
        )
        if args.database_url:
            upgrade_database(args.database_url, env, workdir)
            env["NEWSBRIEF_DATABASE_URL"] = args.database_url
        server: Server = start_server(image_command(), env, port, workdir)
        try:
            traffic = Traffic(uuid.uuid4().hex[:8], args.max_content_length)
            database = (
                make_url(args.database_url).render_as_string(hide_password=True) if args.database_url else "SQLite"
            )
            print(f"gunicorn on {server.url} ({database}); warming up for {args.warmup:.0f} s")
            warmup = run_clients(server.url, traffic, args.clients, args.warmup, args.seed)
            rss_start = worker_rss(server.process.pid)
            print(f"timed run: {args.duration:.0f} s, {args.clients} clients")
            started = time.monotonic()
            tally = run_clients(server.url, traffic, args.clients, args.duration, args.seed + 1000)
            elapsed = time.monotonic() - started
            rss_end = worker_rss(server.process.pid)
            log = server.output()
        finally:
            stop_server(server)
        return 0 if report(tally, elapsed, rss_start, rss_end, log, warmup.undocumented_5xx) else 1


if __name__ == "__main__":
    sys.exit(main())
