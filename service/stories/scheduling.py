"""What runs the stories' work in the background: URL fetches and feed polls as tasks (Celery
workers with a broker, else this process's thread pool), and the scheduler.

The scheduler: every min(NEWSBRIEF_FEED_POLL_INTERVAL, TICK_S) seconds it polls the feeds that
are due and starts the briefings of stories that grew. With a broker, Celery beat runs that tick
(`newsbrief worker --beat`, or `celery -A service.celery_worker beat`); without one, a thread of
the API process does, started by the first subscription or ingestion (or the first request, when
feeds are stored). Several processes may tick: a feed is claimed by moving its `next_poll_at`
forward with a conditional update, so one poll runs per interval.

`init_app` puts the stories' pieces together: the stores, the ingestion, the briefing versions
and this scheduler.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from celery import Task, shared_task
from flask import Flask, current_app
from kombu.exceptions import KombuError
from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError

from ..jobs.runner import JOB_MAKERS, TRANSIENT, UNDISPATCHED_GRACE, DispatchError, at_first_request, retry_delay
from ..settings import current_settings
from .ingestion import STALE_FETCH, Ingested, Ingestion, reason
from .store import StoryStores
from .versions import BriefingVersions

log = logging.getLogger(__name__)

FETCH_TASK = "newsbrief.fetch_article"
POLL_TASK = "newsbrief.poll_feed"
TICK_TASK = "newsbrief.stories_tick"
# Longest pause between two scheduler ticks, whatever the poll interval.
TICK_S = 30.0
# Feeds polled at most per tick: a bounded amount of work each time.
FEEDS_PER_TICK = 100

TASKS: dict[str, Callable[[Ingestion, Any], None]] = {
    FETCH_TASK: Ingestion.run_fetch,
    POLL_TASK: Ingestion.run_poll,
}


class StoryScheduler:
    """Runs fetches and polls (on Celery, or a thread pool here), the scheduler's tick, and the
    recovery of fetches nothing will finish."""

    def __init__(self, app: Flask, stores: StoryStores, ingestion: Ingestion, versions: BriefingVersions):
        self.app = app
        self.stores = stores
        self.ingestion = ingestion
        self.versions = versions
        self.settings = current_settings(app)
        self.celery = app.extensions.get("celery") if self.settings.redis_url else None
        self._executor: ThreadPoolExecutor | None = None
        self._executor_lock = threading.Lock()
        self._stop = threading.Event()
        self._scheduler: threading.Thread | None = None

    def ingested(self, results: list[Ingested]) -> None:
        """After an ingestion: the scheduler runs, and the stories that grew are briefed."""
        self.start_scheduler()
        self.versions.brief({r.story_id for r in results if not r.duplicate})

    def claim_feed(self, feed_id: int, due: datetime | None) -> bool:
        """Move the feed's next poll an interval ahead, if it is `due` then (None: whenever): True
        when this process got the poll."""
        interval = timedelta(seconds=self.settings.feed_poll_interval)
        return self.stores.feeds.claim(feed_id, due, datetime.now(UTC) + interval)

    def tick(self) -> None:
        """Poll the due feeds and brief the stories that grew (see the module doc)."""
        due = self.stores.feeds.due(datetime.now(UTC), FEEDS_PER_TICK)
        for feed_id, next_poll_at in due:
            if self.claim_feed(feed_id, next_poll_at):
                self.submit(POLL_TASK, feed_id)
        self.versions.brief(set(self.versions.stories_to_brief()))

    def submit(self, task_name: str, argument: str | int) -> None:
        """Run a fetch or a poll in the background: on Celery with a broker, else on this process's pool."""
        if self.celery is not None:
            try:
                self.celery.send_task(task_name, (argument,))
            except (KombuError, RedisError, OSError) as err:
                raise DispatchError(f"the broker cannot be reached: {err}") from err
            return
        with self._executor_lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(self.settings.fetch_threads, "newsbrief-stories")
            self._executor.submit(self._run_here, task_name, argument)

    def gave_up(self, task_name: str, argument: Any, attempts: int, err: Exception) -> None:
        """Record that a fetch or a poll failed `attempts` times on the database, so that it does
        not stay running (when the database answers again)."""
        log.error("%s(%s): gave up after %d attempts: %s", task_name, argument, attempts, err)
        message = f"gave up after {attempts} attempts: {reason(err)}"
        try:
            if task_name == FETCH_TASK:
                self.ingestion.fail_fetch(argument, message)
            else:
                self.ingestion.record_poll(argument, [message])
        except SQLAlchemyError:
            log.exception("%s(%s): cannot record the failure; recovery takes it up again", task_name, argument)

    def _run_here(self, task_name: str, argument: Any) -> None:
        retries = self.settings.job_retries
        with self.app.app_context():
            for attempt in range(retries + 1):
                try:
                    TASKS[task_name](self.ingestion, argument)
                    return
                except TRANSIENT as err:
                    if attempt == retries:
                        self.gave_up(task_name, argument, attempt + 1, err)
                        return
                    time.sleep(retry_delay(attempt))
                except Exception:
                    log.exception("%s(%s) failed", task_name, argument)
                    return

    def start_scheduler(self) -> None:
        """Start the in-process scheduler thread (no broker), once."""
        if self.celery is not None or self._scheduler is not None:
            return
        with self._executor_lock:
            if self._scheduler is None and not self._stop.is_set():
                self._scheduler = threading.Thread(target=self._schedule, name="newsbrief-scheduler", daemon=True)
                self._scheduler.start()

    def _schedule(self) -> None:
        period = min(self.settings.feed_poll_interval, TICK_S)
        while not self._stop.is_set():
            try:
                with self.app.app_context():
                    self.tick()
            except Exception:
                log.exception("the stories scheduler's tick failed; trying again in %g s", period)
            self._stop.wait(period)

    def recover(self) -> None:
        """Hand over again the fetches nothing will finish (queued in a pool that died with its
        process, or never handed to the broker; claimed by a process that died, or by a task that
        failed), and start the scheduler when feeds are stored. Under Celery a queued fetch's
        message may still wait in the broker: it is sent again only after UNDISPATCHED_GRACE, and
        a fetch sent twice runs once (`claim_fetch`)."""
        now = datetime.now(UTC)
        queued_before = now if self.celery is None else now - UNDISPATCHED_GRACE
        unfinished = self.stores.fetches.unfinished(queued_before, now - STALE_FETCH)
        feeds = self.stores.feeds.count()
        for fetch_id in unfinished:
            try:
                self.submit(FETCH_TASK, fetch_id)
            except DispatchError as err:
                log.warning("cannot hand over the unfinished fetch %s: %s", fetch_id, err)
                break
        if feeds:
            self.start_scheduler()

    def close(self) -> None:
        """Stop the scheduler and the pool (what waits stays queued in the database)."""
        self._stop.set()
        if self._scheduler is not None:
            self._scheduler.join(timeout=60)
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)


def get_scheduler() -> StoryScheduler:
    return current_app.extensions["newsbrief.story_scheduler"]


def _celery_run(task: Task, name: str, argument: Any) -> None:
    scheduler = get_scheduler()
    try:
        TASKS[name](scheduler.ingestion, argument)
    except TRANSIENT as err:
        retries = task.request.retries
        if retries >= current_settings().job_retries:
            scheduler.gave_up(name, argument, retries + 1, err)
            return
        raise task.retry(countdown=retry_delay(retries), exc=err) from None


@shared_task(bind=True, name=FETCH_TASK, max_retries=None)
def fetch_article_task(self: Task, fetch_id: str) -> None:
    _celery_run(self, FETCH_TASK, fetch_id)


@shared_task(bind=True, name=POLL_TASK, max_retries=None)
def poll_feed_task(self: Task, feed_id: int) -> None:
    _celery_run(self, POLL_TASK, feed_id)


@shared_task(name=TICK_TASK)
def stories_tick_task() -> None:
    get_scheduler().tick()


def init_app(app: Flask) -> None:
    stores = StoryStores.on(app.extensions["newsbrief.database"])
    settings = current_settings(app)
    window = timedelta(hours=settings.story_window_hours)
    versions = BriefingVersions(app, stores.stories, window)
    # The scheduler hears of each ingestion; the ingestion is made before it, so it is told late.
    ingestion = Ingestion(settings, stores, on_ingested=lambda results: scheduler.ingested(results))
    scheduler = StoryScheduler(app, stores, ingestion, versions)
    app.extensions["newsbrief.story_stores"] = stores
    app.extensions["newsbrief.story_ingestion"] = ingestion
    app.extensions["newsbrief.story_scheduler"] = scheduler
    app.extensions.setdefault(JOB_MAKERS, {})["story"] = stores.stories.is_version_job
    if scheduler.celery is not None:
        period = min(settings.feed_poll_interval, TICK_S)
        scheduler.celery.conf.beat_schedule = {"newsbrief-stories-tick": {"task": TICK_TASK, "schedule": period}}

    at_first_request(app, scheduler.recover, "unfinished fetches")
