"""Running jobs: one task per cluster, on Celery workers over Redis or, with no broker
configured, on a small thread pool inside the API process.

Celery is set up with Flask's own idiom (pallets/flask examples/celery): `celery_init_app`
makes a Celery app whose tasks run inside the Flask app context, configured from
settings.celery_settings(...), kept in app.extensions["celery"].
`newsbrief worker` runs service.celery_worker's app.

A Celery task carries only (job id, cluster index): one cluster, so that a worker killed
mid-task hands back one cluster's work (acks_late; batches of several clusters per message broke
the kill-and-redeliver test, tests/integration/test_jobs_celery.py). The in-process threads take
up to BATCH_CLUSTERS clusters of one job at a time, whose model generation runs as one batch
(`summarizer.summarize_many`: greedy decoding reads the weights once per step for all of them,
with the same tokens as one by one). The clusters' articles and the job's options are read from
the database, where the results go too. What counts as what:

- bad input (the articles hold no sentence to summarise): the cluster is `failed` with the
  summariser's message and field, and the rest of the job goes on;
- a model that cannot load (engine "abstractive"): `failed` too, as POST /v1/briefings answers
  503 at once: the registry remembers the failure, and every worker runs the same image;
- a transient error, the database unreachable or locked (TRANSIENT): retried after
  JOB_RETRY_DELAY seconds, doubling, JOB_RETRIES times, then `failed`;
- anything else (a bug): `failed` with the exception's type, logged with its traceback; a
  retry would fail the same way. A batch that fails so is run again one cluster at a time, so
  that only the cluster with the bug fails.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from celery import Celery, Task, shared_task
from flask import Flask, current_app
from kombu.exceptions import KombuError
from redis.exceptions import RedisError
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from summarizer import (
    BATCH_CLUSTERS,
    Article,
    Briefing,
    InputError,
    ModelUnavailable,
    SummaryOptions,
    summarize,
    summarize_many,
)

from ..briefings.store import get_briefing_store
from ..fingerprint import canonical_request, content_hash
from ..models.registry import get_registry
from ..monitoring import Metrics
from ..settings import celery_settings, current_settings
from .store import JobStore

log = logging.getLogger(__name__)

TASK_NAME = "newsbrief.summarize_cluster"
# The database went away, timed out, or (SQLite) stayed locked past the busy timeout.
TRANSIENT = (OperationalError, InterfaceError, DisconnectionError, PoolTimeout)
# A job stored but never handed to the broker (the API process died in between) is dispatched
# again by a process that starts this long after the job was created.
UNDISPATCHED_GRACE = timedelta(minutes=1)
# app.extensions key: {made_by: whether a job id is theirs}. What else makes jobs (a story's
# briefing versions) says which are its own, so that /metrics counts their briefings as made by
# it; the jobs posted to /v1/jobs are counted as made by "job".
JOB_MAKERS = "newsbrief.job_makers"


class DispatchError(Exception):
    """The clusters could not be handed to the broker."""


def get_job_store() -> JobStore:
    return current_app.extensions["newsbrief.jobs"]


def at_first_request(app: Flask, take_up: Callable[[], None], what: str) -> None:
    """Run `take_up` once, before the first request the app serves that finds the database
    reachable: when the app starts serving, not when it is built (a command such as `newsbrief
    db upgrade` builds the app too, and would take work up only to exit)."""
    done, lock = threading.Event(), threading.Lock()

    @app.before_request
    def take_up_unfinished_work() -> None:
        if done.is_set():
            return
        with lock:
            if done.is_set():
                return
            try:
                take_up()
                done.set()
            except SQLAlchemyError:
                log.exception("cannot look for %s now; trying again with the next request", what)


def retry_delay(retries_so_far: int) -> float:
    """Seconds before the next try: NEWSBRIEF_JOB_RETRY_DELAY, doubling, and under half the
    visibility timeout (a delayed Celery task waits unacknowledged in a worker; past the timeout
    the broker would hand it to a second worker)."""
    settings = current_settings()
    return min(settings.job_retry_delay * 2**retries_so_far, settings.visibility_timeout / 2)


def run_clusters(job_id: str, indexes: list[int], takeover: bool) -> None:
    """Summarise clusters of a job (their generation as one batch) and record the outcomes,
    skipping those finished already, unknown, or (without `takeover`) held by another process.
    Raises TRANSIENT errors for the caller to retry (clusters recorded by then stay recorded)."""
    store = get_job_store()
    stale_before = None if takeover else datetime.now(UTC) - timedelta(seconds=current_settings().visibility_timeout)
    storage = get_briefing_store()
    todo: list[tuple[int, list[Article], str]] = []
    options = None
    owner = None
    for index in indexes:
        work = store.claim(job_id, index, stale_before)
        if work is None:
            log.info("job %s cluster %d: finished already, or another process has it", job_id, index)
            continue
        articles = [Article(**article) for article in work.articles]
        options = SummaryOptions(**work.options)  # the job's: the same for all its clusters
        key = content_hash(articles, options)
        owner = work.owner  # the job's: the same for all its clusters
        stored = storage.find(key)
        if stored is not None:
            storage.grant(stored.id, owner)
            if store.finish(job_id, index, stored.id):
                count_briefing(job_id, stored.briefing["engine"], created=False)
        else:
            todo.append((index, articles, key))
    if not todo or options is None:
        return
    outcomes: list[Briefing | Exception]
    try:
        outcomes = list(
            summarize_many(
                [articles for _, articles, _ in todo],
                options,
                generator=get_registry().generator_for(options),
                settings=current_settings(),
            )
        )
    except ModelUnavailable as err:
        for index, _, _ in todo:
            store.fail(
                job_id,
                index,
                f'{err}; ask for engine "auto" or "extractive" to get an extractive briefing',
                "options.model",
            )
        return
    except TRANSIENT:
        raise
    except Exception as err:  # a bug in the summariser: only the cluster it hit fails, the job goes on
        if len(todo) == 1:
            log.exception("job %s cluster %d: the summariser failed", job_id, todo[0][0])
            outcomes = [err]
        else:  # which cluster? the batch again, one at a time
            log.warning("job %s: a batch of %d clusters failed; one at a time now", job_id, len(todo), exc_info=True)
            outcomes = [one_cluster(articles, options) for _, articles, _ in todo]
    for (index, articles, key), briefing in zip(todo, outcomes, strict=True):
        if isinstance(briefing, InputError):
            field = f"clusters[{index}].{briefing.field}" if briefing.field else f"clusters[{index}]"
            store.fail(job_id, index, briefing.message, field)
        elif isinstance(briefing, Exception):
            store.fail(
                job_id,
                index,
                f"internal error: the summariser failed on this cluster ({type(briefing).__name__})",
                None,
            )
        else:
            stored, created = storage.add(key, canonical_request(articles, options), briefing.to_dict())
            storage.grant(stored.id, owner)
            if store.finish(job_id, index, stored.id):
                count_briefing(job_id, stored.briefing["engine"], created)


def count_briefing(job_id: str, engine: str, created: bool) -> None:
    """Count a job's briefing in /metrics, as made by whoever asked for the job (JOB_MAKERS)."""
    makers: dict[str, Callable[[str], bool]] = current_app.extensions.get(JOB_MAKERS, {})
    made_by = next((name for name, made in makers.items() if made(job_id)), "job")
    metrics: Metrics = current_app.extensions["newsbrief.metrics"]
    metrics.briefings.labels(engine=engine, outcome="created" if created else "reused", made_by=made_by).inc()


def one_cluster(articles: list[Article], options: SummaryOptions) -> Briefing | Exception:
    """summarize() of one cluster, or the exception it raised (TRANSIENT ones propagate)."""
    try:
        return summarize(
            articles, options, generator=get_registry().generator_for(options), settings=current_settings()
        )
    except TRANSIENT:
        raise
    except Exception as err:
        log.exception("the summariser failed on a cluster")
        return err


def chunks(indexes: list[int]) -> list[list[int]]:
    """The indexes in batches of BATCH_CLUSTERS, in order."""
    return [indexes[i : i + BATCH_CLUSTERS] for i in range(0, len(indexes), BATCH_CLUSTERS)]


def give_up(job_id: str, index: int, err: Exception, attempts: int) -> None:
    get_job_store().fail(job_id, index, f"gave up after {attempts} attempts: {type(err).__name__}: {err}", None)


# max_retries=None: JOB_RETRIES is counted here, so that the last failure is recorded.
@shared_task(bind=True, name=TASK_NAME, max_retries=None)
def summarize_cluster(self: Task, job_id: str, index: int) -> None:
    run_task(self, job_id, [index])


def run_task(task: Task, job_id: str, indexes: list[int]) -> None:
    try:
        run_clusters(job_id, indexes, takeover=True)
    except TRANSIENT as err:
        retries = task.request.retries
        if retries >= current_settings().job_retries:
            for index in indexes:
                give_up(job_id, index, err, retries + 1)
            return
        log.warning("job %s clusters %s: %s; retry %d", job_id, indexes, err, retries + 1)
        # A new message, published before this one is acknowledged (acks_late): never lost. The
        # clusters recorded before the error are skipped by the retry.
        raise task.retry(countdown=retry_delay(retries), exc=err) from None


class CeleryDispatcher:
    """Hands clusters to the Celery workers through the broker."""

    def __init__(self, celery_app: Celery):
        self.celery = celery_app

    def dispatch(self, job_id: str, indexes: list[int]) -> None:
        task = self.celery.tasks[TASK_NAME]
        try:
            with self.celery.producer_or_acquire() as producer:
                for index in indexes:
                    task.apply_async((job_id, index), producer=producer)
        except (KombuError, RedisError, OSError) as err:
            raise DispatchError(f"the broker cannot be reached: {err}") from err

    def close(self) -> None:
        self.celery.close()


class ThreadDispatcher:
    """Runs clusters on a few threads of this process: jobs with nothing else running.

    Daemon threads on an in-process queue: a process that exits does not wait for its queue,
    whose clusters stay queued in the database for the next start (see `recover`).
    """

    def __init__(self, app: Flask, threads: int):
        self.app = app
        self.queue: queue.SimpleQueue[tuple[str, list[int]] | None] = queue.SimpleQueue()
        self.threads = [
            threading.Thread(target=self._work, name=f"newsbrief-job-{n + 1}", daemon=True) for n in range(threads)
        ]
        self._start_lock = threading.Lock()

    def dispatch(self, job_id: str, indexes: list[int]) -> None:
        with self._start_lock:  # threads start with the first job, not with every app
            for thread in self.threads:
                if thread.ident is None:
                    thread.start()
        for batch in chunks(indexes):
            self.queue.put((job_id, batch))

    def _work(self) -> None:
        while (item := self.queue.get()) is not None:
            try:
                with self.app.app_context():
                    self._run(*item)
            except Exception:
                log.exception("job %s clusters %s failed", *item)

    def _run(self, job_id: str, indexes: list[int]) -> None:
        retries = current_settings(self.app).job_retries
        for attempt in range(retries + 1):
            try:
                # A retry takes over the clusters this thread claimed itself.
                run_clusters(job_id, indexes, takeover=attempt > 0)
                return
            except TRANSIENT as err:
                if attempt == retries:
                    for index in indexes:
                        give_up(job_id, index, err, attempt + 1)
                    return
                log.warning("job %s clusters %s: %s; retry %d", job_id, indexes, err, attempt + 1)
                time.sleep(retry_delay(attempt))

    def close(self) -> None:
        """Drop what waits (it is queued in the database) and stop after the running clusters."""
        with contextlib.suppress(queue.Empty):
            while True:
                self.queue.get_nowait()
        running = [thread for thread in self.threads if thread.is_alive()]
        for _ in running:
            self.queue.put(None)
        for thread in running:
            thread.join(timeout=60)


def celery_init_app(app: Flask) -> Celery:
    """Flask's Celery idiom: every task runs inside this app's context."""

    class FlaskTask(Task):
        def __call__(self, *args: object, **kwargs: object) -> object:
            with app.app_context():
                return self.run(*args, **kwargs)

    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object(celery_settings(current_settings(app)))
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    return celery_app


def dispatch(job_id: str, indexes: list[int]) -> None:
    """Hand clusters to whatever runs them here, and note that they were handed over."""
    current_app.extensions["newsbrief.dispatcher"].dispatch(job_id, indexes)
    get_job_store().mark_dispatched(job_id, indexes)


def recover(app: Flask) -> None:
    """Dispatch again the clusters that nothing would run (see JobStore.recover)."""
    dispatcher = app.extensions["newsbrief.dispatcher"]
    now = datetime.now(UTC)
    stale_before = now - timedelta(seconds=current_settings(app).visibility_timeout)
    undispatched_before = None if isinstance(dispatcher, ThreadDispatcher) else now - UNDISPATCHED_GRACE
    clusters = app.extensions["newsbrief.jobs"].recover(stale_before, undispatched_before)
    by_job: dict[str, list[int]] = {}
    for job_id, index in clusters:
        by_job.setdefault(job_id, []).append(index)
    store: JobStore = app.extensions["newsbrief.jobs"]
    for job_id, indexes in by_job.items():
        try:
            dispatcher.dispatch(job_id, indexes)
        except DispatchError as err:
            store.mark_undispatched(job_id, indexes)
            log.warning("cannot dispatch %d recovered clusters of job %s: %s", len(indexes), job_id, err)
    if clusters:
        log.info("dispatched %d clusters left unfinished by an earlier process", len(clusters))


def init_app(app: Flask) -> None:
    app.extensions["newsbrief.jobs"] = JobStore(app.extensions["newsbrief.database"])
    settings = current_settings(app)
    if settings.redis_url:
        app.extensions["newsbrief.dispatcher"] = CeleryDispatcher(celery_init_app(app))
    else:
        app.extensions["newsbrief.dispatcher"] = ThreadDispatcher(app, settings.job_threads)

    at_first_request(app, lambda: recover(app), "unfinished clusters")
