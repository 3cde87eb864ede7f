"""Stories on real Celery workers over a real Redis: a URL fetched and a feed polled by a worker's
tasks, the briefing made by a worker's job, and Celery beat (`newsbrief worker --beat`) polling
the feed again on its schedule. Needs NEWSBRIEF_TEST_REDIS_URL, as test_jobs_celery.py."""

from __future__ import annotations

import subprocess
import sys
import time

from helpers.news_server import NewsServer, Page
from helpers.processes import Worker, stop_worker, worker_environ
from helpers.story_server import (
    FLOODS_LOCAL,
    FLOODS_RADIO,
    FLOODS_WIRE,
    briefed,
    ingest,
    page,
    rss,
    wait_for,
)

WORKER_START_TIMEOUT_S = 120


def start_beat_worker(env: dict[str, str], workdir) -> Worker:
    """`newsbrief worker --beat` until it says it is ready (bounded wait)."""
    log = workdir / "worker.log"
    argv = [sys.executable, "-m", "service.cli", "worker", "--concurrency", "1", "--loglevel", "info", "--beat"]
    with log.open("ab") as out:
        process = subprocess.Popen(
            argv, env=env, cwd=workdir, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    worker = Worker(process, log)
    deadline = time.monotonic() + WORKER_START_TIMEOUT_S
    while " ready." not in worker.output():
        if process.poll() is not None or time.monotonic() > deadline:
            stop_worker(worker)
            raise AssertionError(f"the worker did not start:\n{worker.output()}")
        time.sleep(0.2)
    return worker


def test_fetches_polls_and_briefings_run_on_a_celery_worker_with_beat(make_app, broker, workers, tmp_path):
    with NewsServer().running() as server:
        server.pages["/radio"] = Page(page(FLOODS_RADIO["title"], [FLOODS_RADIO["text"]], "Radio"), "text/html")
        entries = [{"title": FLOODS_LOCAL["title"], "link": server.url("/local"), "content": FLOODS_LOCAL["text"]}]
        server.pages["/feed.xml"] = Page(rss(entries), "application/rss+xml")
        database_url = f"sqlite:///{tmp_path / 'stories.sqlite3'}"
        settings = {"FETCH_ALLOW_NETWORKS": ["127.0.0.1/32"], "FEED_POLL_INTERVAL": 2.0}
        app = make_app(REDIS_URL=broker.url, JOBS_QUEUE=broker.queue, DATABASE_URL=database_url, **settings)
        client = app.test_client()
        env = worker_environ(
            broker,
            database_url,
            tmp_path,
            NEWSBRIEF_FETCH_ALLOW_NETWORKS="127.0.0.1/32",
            NEWSBRIEF_FEED_POLL_INTERVAL="2",
        )
        workers.append(start_beat_worker(env, tmp_path))

        [wire] = ingest(client, FLOODS_WIRE, status=201)["articles"]
        [queued] = ingest(client, {"url": server.url("/radio")}, status=202)["articles"]
        fetch = wait_for(
            lambda: client.get(queued["fetch_url"]).get_json(),
            lambda f: f["status"] != "queued" and f["finished_at"],
            "fetch",
        )
        assert fetch["status"] == "done" and fetch["story_id"] == wire["story_id"], fetch
        assert briefed(client, wire["story_id"], 1)["briefing"]["status"] == "done"

        feed = client.post("/v1/feeds", json={"url": server.url("/feed.xml")}).get_json()
        wait_for(
            lambda: client.get(f"/v1/feeds/{feed['id']}").get_json(), lambda f: f["articles_added"] == 1, "first poll"
        )
        # The next poll comes from beat's schedule: the API process runs no scheduler with a broker.
        entries.append(
            {
                "title": "Central bank raises rates",
                "link": server.url("/rates"),
                "content": "The central bank raised rates on Thursday.",
            }
        )
        server.pages["/feed.xml"] = Page(rss(entries), "application/rss+xml")
        wait_for(
            lambda: client.get(f"/v1/feeds/{feed['id']}").get_json(), lambda f: f["articles_added"] == 2, "beat's poll"
        )
        output = workers[0].output()
        assert (
            "newsbrief.fetch_article" in output
            and "newsbrief.poll_feed" in output
            and "newsbrief.stories_tick" in output
        )
        assert server.hits["/radio"] == 1
        app.extensions["newsbrief.story_scheduler"].close()
