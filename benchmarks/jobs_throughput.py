"""Jobs throughput: the seed cluster 100 times over, on 1 and on 2 `newsbrief worker` processes.

    eval "$(bash .ci/start-redis | tail -n 1)"      # a Redis on loopback
    HF_HUB_OFFLINE=1 python benchmarks/jobs_throughput.py [--clusters 100] [--workers 1 2]
        [--redis-url redis://127.0.0.1:6379/0] [--database-url sqlite:///...]

For each worker count: a fresh database (a SQLite file unless --database-url) and a Redis
queue of its own, that many `newsbrief worker --concurrency 1` processes (the extractive
engine: no model weights here), warmed up with one small job, then one job of --clusters
clusters posted through the API (create_app with NEWSBRIEF_REDIS_URL, in this process) and
timed from the POST until GET /v1/jobs/<id> says done. Two kinds of job:

- distinct: copy k's article ids carry k, so every cluster has a content hash of its own
  and is summarised;
- identical: the seed cluster as it is, every time: the first copy is summarised and the
  others reuse its stored briefing (the content-hash reuse of POST /v1/briefings).

The baseline is the batch CLI, `newsbrief summarize clusters.jsonl --out results.jsonl`, on the
same distinct clusters: one process, no broker, its start-up (imports, first-use loading)
included, as a user runs it. Prints one table of clusters per minute.

The abstractive rows (--abstractive N, default 8 clusters; 0 leaves them out) time the model's
part of a worker in this process: a random-weight distilbart-cnn-12-6 (built as
benchmarks/latency.py builds it, loaded int8 from its cache as a worker loads it), 128 new
tokens forced per cluster, the distinct seed clusters summarised one at a time (`summarize`)
against in batches of BATCH_CLUSTERS (`summarize_many`, what a worker does with a task's
clusters), for each profile of --abstractive-profiles. Both runs must write the same briefings.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# The seed cluster as a request body (helpers.payload), shared with the tests.
sys.path.insert(0, str(ROOT / "tests"))

SEEDS = ROOT / "seeds" / "putin-north-korea"
SHAPES = ROOT.parent / "shared" / "model-shapes"
READY_TIMEOUT_S = 120
NEW_TOKENS = 128
BATCHED_TARGET = 2  # issue 16: batched abstractive jobs at least 2x one at a time
JOB_TIMEOUT_S = 1800


def seed_cluster(copy: int | None) -> dict:
    """The seed articles as a cluster; with `copy`, ids that make its content hash its own."""
    from helpers.payload import request_body

    articles = request_body([str(SEEDS)])["articles"]
    if copy is None:
        return {"id": "seeds", "articles": articles}
    return {"id": f"seeds-{copy}", "articles": [{**a, "id": f"{a['id']}-copy{copy}"} for a in articles]}


def environ(redis_url: str, queue: str, database_url: str, instance: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBRIEF_")}
    env.update(
        HF_HUB_OFFLINE="1",
        NEWSBRIEF_REDIS_URL=redis_url,
        NEWSBRIEF_JOBS_QUEUE=queue,
        NEWSBRIEF_DATABASE_URL=database_url,
        NEWSBRIEF_INSTANCE_PATH=str(instance),
        NEWSBRIEF_ENGINE="extractive",
    )
    return env


def start_workers(count: int, env: dict[str, str], workdir: Path) -> list[tuple[subprocess.Popen, Path]]:
    started = []
    for n in range(count):
        log = workdir / f"worker-{n + 1}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "service.cli", "worker", "--concurrency", "1"],
                env=env,
                cwd=workdir,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        started.append((process, log))
    deadline = time.monotonic() + READY_TIMEOUT_S
    for process, log in started:
        while " ready." not in log.read_text(errors="replace"):
            if process.poll() is not None or time.monotonic() > deadline:
                stop_workers(started)
                raise SystemExit(f"a worker did not start:\n{log.read_text(errors='replace')}")
            time.sleep(0.2)
    return started


def stop_workers(started: list[tuple[subprocess.Popen, Path]]) -> None:
    for process, _ in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process, _ in started:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def run_job(client, clusters: list[dict]) -> tuple[float, dict]:
    started = time.perf_counter()
    response = client.post("/v1/jobs", json={"clusters": clusters, "options": {"engine": "extractive"}})
    if response.status_code != 202:
        raise SystemExit(f"POST /v1/jobs answered {response.status_code}: {response.get_data(as_text=True)}")
    location = response.headers["Location"]
    deadline = time.monotonic() + JOB_TIMEOUT_S
    while time.monotonic() < deadline:
        job = client.get(location).get_json()
        if job["status"] == "done":
            return time.perf_counter() - started, job
        time.sleep(0.05)
    raise SystemExit(f"the job did not finish in {JOB_TIMEOUT_S} s")


def measure_workers(count: int, clusters: int, redis_url: str, database_url: str | None, workdir: Path) -> dict:
    from service import create_app

    workdir.mkdir(parents=True)
    database = database_url or f"sqlite:///{workdir / 'jobs.sqlite3'}"
    queue = f"newsbrief-bench-{uuid.uuid4().hex[:8]}"
    env = environ(redis_url, queue, database, workdir / "instance")
    app = create_app(
        {
            "REDIS_URL": redis_url,
            "JOBS_QUEUE": queue,
            "DATABASE_URL": database,
            "ENGINE": "extractive",
            "MAX_JOB_CLUSTERS": max(1000, clusters),
            "MAX_QUEUED_CLUSTERS": max(10_000, clusters),
        }
    )
    client = app.test_client()
    started = start_workers(count, env, workdir)
    try:
        # Warm-up: every worker's pool process does its first-use loading (NLTK, tokenizer).
        run_job(client, [seed_cluster(10**6 + k) for k in range(4 * count)])
        results = {}
        for kind, job_clusters in (
            ("distinct", [seed_cluster(k) for k in range(clusters)]),
            ("identical", [seed_cluster(None)] * clusters),
        ):
            seconds, job = run_job(client, job_clusters)
            if job["counts"]["done"] != clusters:
                raise SystemExit(f"{kind}: {job['counts']}")
            results[kind] = seconds
        ran = [log.read_text(errors="replace").count(" succeeded in ") for _, log in started]
        return {**results, "tasks_per_worker": ran}
    finally:
        stop_workers(started)
        app.extensions["newsbrief.dispatcher"].close()


def measure_cli(clusters: int, workdir: Path) -> float:
    workdir.mkdir(parents=True)
    source = workdir / "clusters.jsonl"
    source.write_text("".join(json.dumps(seed_cluster(k)) + "\n" for k in range(clusters)))
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBRIEF_")}
    env["HF_HUB_OFFLINE"] = "1"
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "summarizer.cli",
            "summarize",
            str(source),
            "--out",
            str(workdir / "results.jsonl"),
            "--engine",
            "extractive",
        ],
        env=env,
        check=True,
        capture_output=True,
    )
    seconds = time.perf_counter() - started
    done = sum(json.loads(line)["status"] == "done" for line in (workdir / "results.jsonl").read_text().splitlines())
    if done != clusters:
        raise SystemExit(f"the batch CLI summarised {done} of {clusters} clusters")
    return seconds


class ForcedLength:
    """The loaded generator with every output forced to `new_tokens` tokens, one input or many."""

    def __init__(self, generator, new_tokens: int):
        self._generator = generator
        self._forced = {"min_new_tokens": new_tokens, "max_new_tokens": new_tokens}

    def __getattr__(self, name):
        return getattr(self._generator, name)

    def generate(self, model_input, **kwargs):
        return self._generator.generate(model_input, **kwargs, **self._forced)

    def generate_many(self, model_inputs, **kwargs):
        return self._generator.generate_many(model_inputs, **kwargs, **self._forced)


def measure_abstractive(
    clusters: int, profiles: list[str], shape: Path, workdir: Path
) -> list[tuple[str, str, int, float]]:
    """(runner, profile, clusters, seconds) of one at a time and batched, per profile."""
    from benchmarks.latency import build_model
    from summarizer.batch import BATCH_CLUSTERS
    from summarizer.generation.loading import Seq2SeqGenerator
    from summarizer.inputs.clusters import cluster_from_json
    from summarizer.options import SummaryOptions
    from summarizer.pipeline import summarize, summarize_many
    from summarizer.settings import GenerationSettings

    settings = GenerationSettings(int8_cache_dir=workdir / "int8-cache")
    folder, _ = build_model(str(shape), workdir)
    Seq2SeqGenerator(str(folder), quantize=True, settings=settings)  # writes the int8 cache, as the Docker build does
    articles = [cluster_from_json(seed_cluster(k), k + 1).articles for k in range(clusters)]
    rows = []
    for profile in profiles:
        options = SummaryOptions(engine="abstractive", model=str(folder), profile=profile)
        generator = ForcedLength(
            Seq2SeqGenerator(str(folder), quantize=options.profile_settings.quantize, settings=settings), NEW_TOKENS
        )
        summarize(articles[0], options, generator=generator)  # warm-up
        started = time.perf_counter()
        alone = [summarize(cluster, options, generator=generator) for cluster in articles]
        one_at_a_time = time.perf_counter() - started
        started = time.perf_counter()
        together = []
        for first in range(0, clusters, BATCH_CLUSTERS):
            together += summarize_many(articles[first : first + BATCH_CLUSTERS], options, generator=generator)
        batched = time.perf_counter() - started
        if [b.sentences for b in alone] != [b.sentences for b in together]:  # type: ignore[union-attr]
            raise SystemExit(f"{profile}: the batched briefings differ from those written one at a time")
        rows.append(("one at a time (summarize)", profile, clusters, one_at_a_time))
        rows.append((f"batches of {BATCH_CLUSTERS} (summarize_many)", profile, clusters, batched))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clusters", type=int, default=100)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--redis-url", default=os.environ.get("NEWSBRIEF_TEST_REDIS_URL", "redis://127.0.0.1:6379/0"))
    parser.add_argument("--database-url", help="default: a fresh SQLite file per run")
    parser.add_argument("--abstractive", type=int, default=8, help="clusters for the abstractive rows (0: none)")
    parser.add_argument("--abstractive-profiles", nargs="+", default=["fast", "default"])
    parser.add_argument("--shape", type=Path, default=SHAPES / "distilbart-cnn-12-6", help="the model's shape folder")
    parser.add_argument("--workdir", help="keep the built model here and reuse it (default: a temporary folder)")
    parser.add_argument("--extractive", action=argparse.BooleanOptionalAction, default=True, help="the worker rows")
    args = parser.parse_args()

    rows, abstractive = [], []
    with tempfile.TemporaryDirectory(prefix="newsbrief-jobs-bench-") as tmp:
        if args.abstractive:
            abstractive = measure_abstractive(
                args.abstractive, args.abstractive_profiles, args.shape, Path(args.workdir or tmp)
            )
        if not args.extractive:
            args.workers = []
        cli_s = measure_cli(args.clusters, Path(tmp) / "cli") if args.extractive else None
        if cli_s is not None:
            rows.append(("batch CLI, 1 process, no broker", "distinct", args.clusters, cli_s, "-"))
        for count in args.workers:
            found = measure_workers(
                count, args.clusters, args.redis_url, args.database_url, Path(tmp) / f"workers-{count}"
            )
            for kind in ("distinct", "identical"):
                rows.append(
                    (
                        f"POST /v1/jobs, {count} worker{'s' if count > 1 else ''}",
                        kind,
                        args.clusters,
                        found[kind],
                        "/".join(map(str, found["tasks_per_worker"])),
                    )
                )

    cores, load = len(os.sched_getaffinity(0)), os.getloadavg()[0]
    if rows:
        print(
            f"\nseeds cluster ({len(seed_cluster(None)['articles'])} articles) x {args.clusters}, engine extractive, "
            f"{cores} CPU cores"
        )
        print(
            f"{'runner':<34} {'clusters':<10} {'n':>4} {'seconds':>8} {'clusters/min':>13}  tasks per worker (all jobs)"
        )
        for runner, kind, n, seconds, tasks in rows:
            print(f"{runner:<34} {kind:<10} {n:>4} {seconds:>8.1f} {n / seconds * 60:>13.0f}  {tasks}")
    if abstractive:
        print(
            f"\nabstractive: random-weight distilbart-cnn-12-6, int8 from the cache, {NEW_TOKENS} new tokens forced, "
            f"distinct seed clusters, {cores} CPU cores, load average {load:.1f} at the end"
        )
        print(f"{'runner':<34} {'profile':<8} {'n':>4} {'seconds':>8} {'clusters/min':>13} {'x one at a time':>16}")
        for index, (runner, profile, n, seconds) in enumerate(abstractive):
            base = abstractive[index - index % 2][3]
            print(
                f"{runner:<34} {profile:<8} {n:>4} {seconds:>8.1f} {n / seconds * 60:>13.1f} {base / seconds:>15.2f}x"
            )
        for (_, profile, _, alone), (_, _, _, batched) in zip(abstractive[::2], abstractive[1::2], strict=True):
            met = "met" if alone / batched >= BATCHED_TARGET else "MISSED"
            print(f"{profile}: batched {alone / batched:.2f}x one at a time (target {BATCHED_TARGET}x: {met})")


if __name__ == "__main__":
    main()
