"""Stories: articles and feeds in, events out, each with its cited briefing.

How an article becomes part of a story (`ingest`):

- It is stored once: its `article_key` (canonical URL, else a hash of its normalised text) is
  unique; a second copy is answered as a duplicate, with the story the first one joined.
- The story is chosen by this process's `StoryIndex`, a `summarizer.stories.StoryClusterer` kept
  in step with the `articles` table. The database is the record: the index is built by replaying
  (`restore`) the stored articles seen within the story window, at the first ingestion, and
  before each later one it replays the articles other processes have stored since.
- Assignment is serialised across processes: an ingestion holds the database's write lock
  (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory transaction lock) from the duplicate check
  to the commit, and a thread lock within the process. So two processes never assign at once,
  and each sees the other's rows before it assigns. The cost: ingestion is one at a time across
  the deployment (clustering one article takes milliseconds). A process's index numbers the
  stories it creates itself (the clusterer's ids, mapped to the stored ones); when another
  process's stored story has an id this index gave to another story, the index is rebuilt
  from the window's articles instead (rare: a full replay).

Content articles (title and text or HTML) are clustered inline, in the request: it is fast, and the
answer can say which story each joined. URLs are fetched in the background (`fetches` rows, each
a task: the in-process pool, or Celery workers when NEWSBRIEF_REDIS_URL is set), as are feed polls.

A story's briefing is made when it has articles from at least two outlets, and made again when it
has grown since its last version; each version is a job of one cluster (service/jobs/runner.py's
machinery, visible at /v1/jobs/<id>), kept in `story_briefings`. While one version is queued or
running no other is started; the scheduler's tick (below) starts the next for a story that grew
meanwhile.

The scheduler: every min(NEWSBRIEF_FEED_POLL_INTERVAL, TICK_S) seconds it polls the feeds that
are due and starts the briefings of stories that grew. With a broker, Celery beat runs that tick
(`newsbrief worker --beat`, or `celery -A service.celery_worker beat`); without one, a thread of
the API process does, started by the first subscription or ingestion (or the first request, when
feeds are stored). Several processes may tick: a feed is claimed by moving its `next_poll_at`
forward with a conditional update, so one poll runs per interval.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from celery import Task, shared_task
from flask import Flask, current_app
from kombu.exceptions import KombuError
from redis.exceptions import RedisError
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from summarizer import Article, InputError
from summarizer.stories import (
    Feed,
    FetchPolicy,
    StoryClusterer,
    article_from_page,
    article_key,
    entry_article,
    fetch_article,
    fetch_feed,
)

from ..jobs.runner import (
    JOB_MAKERS,
    TRANSIENT,
    UNDISPATCHED_GRACE,
    DispatchError,
    at_first_request,
    dispatch,
    retry_delay,
)
from ..jobs.store import PENDING, JobStore, NewCluster
from ..settings import ConfigError, ServiceSettings, briefing_defaults, current_settings, variable_name
from .store import (
    DONE,
    FAILED,
    Assignment,
    FeedStore,
    FetchRow,
    FetchStore,
    StoryBriefingRow,
    StoryStore,
    aware,
    url_digest,
)

log = logging.getLogger(__name__)

FETCH_TASK = "newsbrief.fetch_article"
POLL_TASK = "newsbrief.poll_feed"
TICK_TASK = "newsbrief.stories_tick"
# Longest pause between two scheduler ticks, whatever the poll interval.
TICK_S = 30.0
# Feeds polled and stories briefed at most per tick: a bounded amount of work each time.
FEEDS_PER_TICK = 100
STORIES_PER_TICK = 100
# A fetch or poll claimed this long ago by a process that never finished it is taken up again.
STALE_FETCH = timedelta(minutes=10)
# Longest error message kept.
MAX_ERROR_CHARS = 2000


@dataclass(frozen=True)
class Ingested:
    """What became of one article: the stored article (the earlier copy for a duplicate) and its story."""

    article_id: int
    story_id: int
    duplicate: bool


@dataclass(frozen=True)
class Incoming:
    """An article to ingest, with where it came from."""

    article: Article
    requested_url: str | None = None
    feed_id: int | None = None


def short(message: str) -> str:
    return message if len(message) <= MAX_ERROR_CHARS else message[: MAX_ERROR_CHARS - 1] + "…"


def reason(err: Exception) -> str:
    """What went wrong, in one line: the database driver's own message for a database error
    (SQLAlchemy's adds the statement and its parameters)."""
    cause = err.orig if isinstance(err, DBAPIError) and err.orig is not None else err
    lines = str(cause).strip().splitlines()
    return f"{type(cause).__name__}: {lines[0]}" if lines else type(cause).__name__


def fetch_policy(settings: ServiceSettings) -> FetchPolicy:
    return FetchPolicy(
        allow_networks=settings.fetch_allow_networks,
        timeout_s=settings.fetch_timeout,
        max_bytes=settings.fetch_max_bytes,
        max_redirects=settings.fetch_max_redirects,
    )


def plain_article(article: Article) -> Article:
    """`article` with plain text: HTML is reduced to its main text (InputError naming `html`
    when it holds none); the caller's title, URL, source and date win over the page's."""
    if article.content_type != "html":
        return article
    try:
        page = article_from_page(article.text, article.url or "")
    except InputError:
        raise InputError("the HTML holds no article text", "html") from None
    return replace(
        article,
        title=article.title or page.title,
        text=page.text,
        source=article.source or page.source,
        published=article.published or page.published,
        content_type="text",
    )


def row_article(row: Any) -> Article:
    return Article(
        id=str(row.id),
        title=row.title,
        text=row.text,
        url=row.url,
        source=row.source,
        published=row.published,
    )


class StoryIndex:
    """This process's story clusterer, in step with the `articles` table (see the module doc)."""

    def __init__(self, window: timedelta):
        self.window = window
        self._lock = threading.Lock()
        self._clusterer: StoryClusterer | None = None
        # The largest article id the index has seen: a larger one in the table is another process's.
        self._seen_upto = 0
        # The clusterer's id of a story it created -> the stored story's id. Restored stories keep
        # their stored ids; the clusterer numbers new ones after the largest it holds, which may be
        # the id of an older stored story that left the window.
        self._stored_id: dict[int, int] = {}
        self.rebuilds = 0

    def _rebuild(self, stored: Assignment, now: datetime, newest: int) -> StoryClusterer:
        clusterer = StoryClusterer(window=self.window)
        for row in stored.articles_seen_since(now - self.window):
            clusterer.restore(row_article(row), aware(row.seen_at), row.story_id)
        self._clusterer, self._seen_upto, self._stored_id = clusterer, newest, {}
        self.rebuilds += 1
        return clusterer

    def _catch_up(self, stored: Assignment, clusterer: StoryClusterer, now: datetime, newest: int) -> StoryClusterer:
        """Replay the articles other processes stored since this index last looked; rebuild
        instead when one of them is in a stored story whose id this clusterer gave to another."""
        rows = stored.articles_after(self._seen_upto)
        own_id = {stored_id: own for own, stored_id in self._stored_id.items()}
        if any(row.story_id not in own_id and row.story_id in self._stored_id for row in rows):
            return self._rebuild(stored, now, newest)
        for row in rows:
            clusterer.restore(row_article(row), aware(row.seen_at), own_id.get(row.story_id, row.story_id))
        self._seen_upto = newest
        return clusterer

    def ingest(self, store: StoryStore, incoming: Sequence[Incoming]) -> list[Ingested]:
        """Store and assign each article (one transaction under the assignment lock)."""
        with self._lock:
            try:
                with store.assigning() as stored:
                    return self._ingest(stored, incoming)
            except BaseException:
                self._clusterer = None  # the index may hold articles the database does not: rebuild
                raise

    def _ingest(self, stored: Assignment, incoming: Sequence[Incoming]) -> list[Ingested]:
        now = datetime.now(UTC)
        newest = stored.newest_article_id()
        clusterer = self._clusterer
        if clusterer is None:
            clusterer = self._rebuild(stored, now, newest)
        elif newest != self._seen_upto:
            clusterer = self._catch_up(stored, clusterer, now, newest)
        results = []
        for item in incoming:
            article = item.article
            key = article_key(article)
            key_hash = url_digest(key)
            earlier = stored.stored_copy(key_hash)
            if earlier is not None:
                results.append(Ingested(earlier.id, earlier.story_id, duplicate=True))
                continue
            article = replace(article, id=key_hash)
            assignment = clusterer.add(article, now)
            summary = clusterer.story(assignment.story)
            if assignment.new:
                story_id = stored.add_story(summary.headline, list(summary.outlets), now)
                self._stored_id[assignment.story] = story_id
            else:
                story_id = self._stored_id.get(assignment.story, assignment.story)
                stored.grow_story(story_id, summary.headline, summary.outlets, now)
            requested = item.requested_url
            url_hash = url_digest(article.url) if article.url else None
            article_id = stored.add_article(
                key=key,
                key_hash=key_hash,
                story_id=story_id,
                seen_at=now,
                title=article.title,
                text=article.text,
                content_type=article.content_type,
                url=article.url,
                source=article.source,
                published=article.published,
                url_hash=url_hash,
                requested_url_hash=url_digest(requested) if requested and requested != article.url else None,
                feed_id=item.feed_id,
            )
            self._seen_upto = article_id
            results.append(Ingested(article_id, story_id, duplicate=False))
        return results


class StoryService:
    """What create_app keeps in app.extensions["newsbrief.stories"]: the index, the database, and
    whatever runs fetches and polls here (a thread pool, or Celery)."""

    def __init__(self, app: Flask):
        self.app = app
        self.settings = settings = current_settings(app)
        database = app.extensions["newsbrief.database"]
        self.stories = StoryStore(database)
        self.feeds = FeedStore(database)
        self.fetches = FetchStore(database)
        try:
            self.policy = fetch_policy(settings)
        except InputError as err:
            raise ConfigError(f"{variable_name('fetch_allow_networks')}: {err.message}") from None
        self.index = StoryIndex(timedelta(hours=settings.story_window_hours))
        self.celery = app.extensions.get("celery") if settings.redis_url else None
        self._executor: ThreadPoolExecutor | None = None
        self._executor_lock = threading.Lock()
        self._stop = threading.Event()
        self._scheduler: threading.Thread | None = None

    # -- ingestion -----------------------------------------------------------------------------

    def ingest(self, incoming: Sequence[Incoming]) -> list[Ingested]:
        results = self.index.ingest(self.stories, incoming)
        self.start_scheduler()
        self.brief({r.story_id for r in results if not r.duplicate})
        return results

    def known_url(self, url: str) -> Ingested | None:
        """The stored article fetched from `url` (or whose URL it is), so it is not fetched again."""
        row = self.stories.known_url(url)
        return Ingested(row.id, row.story_id, duplicate=True) if row else None

    # -- briefings -----------------------------------------------------------------------------

    def brief(self, story_ids: set[int]) -> None:
        for story_id in sorted(story_ids):
            try:
                self.brief_story(story_id)
            except SQLAlchemyError:
                # The story keeps its older briefing; the next tick tries again.
                log.exception("story %d: cannot start its briefing now", story_id)

    def brief_story(self, story_id: int) -> int | None:
        """Start a new briefing version of the story when it has two outlets or more and grew since
        its last version, and no version is under way: the version number, else None."""
        story = self.stories.get(story_id)
        if story is None or len(story.outlets) < 2:
            return None
        latest = self.stories.latest_version(story_id)
        if latest is not None:
            if latest.article_count >= story.article_count:
                return None
            if self.stories.cluster_status(latest.job_id) in PENDING:
                return None
        rows = self.stories.newest_articles(story_id, self.settings.max_articles)
        article_count = story.article_count
        version = latest.version + 1 if latest else 1
        articles = [asdict(row_article(row)) for row in reversed(rows)]
        store: JobStore = self.app.extensions["newsbrief.jobs"]
        options = briefing_defaults(self.app).model_dump()
        job, _ = store.create(
            [NewCluster(f"story-{story_id}-v{version}", articles)],
            options,
            url_digest(f"story:{story_id}:{version}"),
            None,
        )
        stored = self.stories.add_version(
            StoryBriefingRow(
                story_id=story_id,
                version=version,
                created_at=datetime.now(UTC),
                article_count=article_count,
                article_ids=[row.id for row in rows],
                job_id=job.id,
            )
        )
        if not stored:  # another process started this version meanwhile
            store.delete(job.id)
            return None
        try:
            with self.app.app_context():
                dispatch(job.id, [0])
        except DispatchError as err:
            # The job stays queued in the database: jobs.recover hands it over at the next start.
            log.warning("story %d: briefing version %d queued but not dispatched: %s", story_id, version, err)
        return version

    def stories_to_brief(self) -> list[int]:
        """Stories seen within the window that grew since their last briefing version (at most
        STORIES_PER_TICK)."""
        return self.stories.grown_since_briefed(datetime.now(UTC) - self.index.window, STORIES_PER_TICK)

    # -- fetches -------------------------------------------------------------------------------

    def create_fetch(self, url: str, field: str, owner: str | None = None) -> str:
        return self.fetches.create(url, field, owner)

    def claim_fetch(self, fetch_id: str) -> FetchRow | None:
        return self.fetches.claim(fetch_id, datetime.now(UTC) - STALE_FETCH)

    def finish_fetch(self, fetch_id: str, **values: Any) -> None:
        self.fetches.finish(fetch_id, **values)

    def finish_fetch_unclaimed(self, fetch_id: str, error: str) -> None:
        """A fetch that could not be handed over: failed, with why."""
        self.fetches.fail_queued(fetch_id, short(error))

    def story_of(self, article_id: int) -> int | None:
        return self.stories.story_of(article_id)

    def run_fetch(self, fetch_id: str) -> None:
        """Fetch one URL and ingest its article, unless the fetch is finished or another process has it."""
        row = self.claim_fetch(fetch_id)
        if row is None:
            return
        known = self.known_url(row.url)
        if known is None:
            try:
                article = fetch_article(row.url, self.policy)
            except InputError as err:  # FetchRefused, FetchFailed: the caller's URL, not a bug
                self.finish_fetch(fetch_id, status=FAILED, error=short(err.message))
                return
            except Exception as err:
                log.exception("fetch %s: fetching %s failed", fetch_id, row.url)
                self.finish_fetch(
                    fetch_id, status=FAILED, error=f"internal error while fetching ({type(err).__name__})"
                )
                return
            try:
                [known] = self.ingest([Incoming(article, requested_url=row.url)])
            except TRANSIENT:
                raise  # retried; the last failure is recorded by `gave_up`
            except Exception as err:
                log.exception("fetch %s: storing the article of %s failed", fetch_id, row.url)
                self.finish_fetch(fetch_id, status=FAILED, error=short(f"could not store the article: {reason(err)}"))
                return
        self.finish_fetch(fetch_id, status=DONE, article_id=known.article_id, duplicate=known.duplicate)

    # -- feeds ---------------------------------------------------------------------------------

    def claim_feed(self, feed_id: int, due: datetime | None) -> bool:
        """Move the feed's next poll an interval ahead, if it is `due` then (None: whenever): True
        when this process got the poll."""
        interval = timedelta(seconds=self.settings.feed_poll_interval)
        return self.feeds.claim(feed_id, due, datetime.now(UTC) + interval)

    def run_poll(self, feed_id: int) -> None:
        """Fetch the feed and ingest its new entries (at most NEWSBRIEF_FEED_MAX_ENTRIES)."""
        url = self.feeds.url_of(feed_id)
        if url is None:
            return
        policy = self.policy
        errors: list[str] = []
        added = 0
        title = None
        try:
            feed = fetch_feed(url, policy)
        except InputError as err:
            errors.append(err.message)
        else:
            title = feed.title or None
            incoming = self._new_entries(feed, feed_id, policy, errors)
            try:
                added = sum(not r.duplicate for r in self.ingest(incoming)) if incoming else 0
            except TRANSIENT:
                raise  # retried; the last failure is recorded by `gave_up`
            except Exception as err:
                log.exception("feed %d: storing the entries of %s failed", feed_id, url)
                errors.append(f"could not store the {len(incoming)} new entries: {reason(err)}")
        self._record_poll(feed_id, errors, added, title)

    def _record_poll(self, feed_id: int, errors: list[str], added: int = 0, title: str | None = None) -> None:
        self.feeds.record_poll(feed_id, short("; ".join(errors)) if errors else None, added, title)

    def _new_entries(self, feed: Feed, feed_id: int, policy: FetchPolicy, errors: list[str]) -> list[Incoming]:
        incoming: list[Incoming] = []
        for entry in feed.entries:
            if len(incoming) >= self.settings.feed_max_entries:
                break
            if entry.url is not None and self.known_url(entry.url) is not None:
                continue
            try:
                article = plain_article(entry_article(entry, feed, policy))
            except InputError as err:
                errors.append(err.message)
                continue
            incoming.append(Incoming(article, requested_url=entry.url, feed_id=feed_id))
        return incoming

    def tick(self) -> None:
        """Poll the due feeds and brief the stories that grew (see the module doc)."""
        due = self.feeds.due(datetime.now(UTC), FEEDS_PER_TICK)
        for feed_id, next_poll_at in due:
            if self.claim_feed(feed_id, next_poll_at):
                self.submit(POLL_TASK, feed_id)
        self.brief(set(self.stories_to_brief()))

    # -- running tasks -------------------------------------------------------------------------

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
                self.finish_fetch(argument, status=FAILED, error=short(message))
            else:
                self._record_poll(argument, [message])
        except SQLAlchemyError:
            log.exception("%s(%s): cannot record the failure; recovery takes it up again", task_name, argument)

    def _run_here(self, task_name: str, argument: Any) -> None:
        retries = self.settings.job_retries
        with self.app.app_context():
            for attempt in range(retries + 1):
                try:
                    TASKS[task_name](self, argument)
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
        unfinished = self.fetches.unfinished(queued_before, now - STALE_FETCH)
        feeds = self.feeds.count()
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


TASKS: dict[str, Callable[[StoryService, Any], None]] = {
    FETCH_TASK: StoryService.run_fetch,
    POLL_TASK: StoryService.run_poll,
}


def get_stories() -> StoryService:
    return current_app.extensions["newsbrief.stories"]


def _celery_run(task: Task, name: str, argument: Any) -> None:
    try:
        TASKS[name](get_stories(), argument)
    except TRANSIENT as err:
        retries = task.request.retries
        if retries >= current_settings().job_retries:
            get_stories().gave_up(name, argument, retries + 1, err)
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
    get_stories().tick()


def init_app(app: Flask) -> None:
    service = StoryService(app)
    app.extensions["newsbrief.stories"] = service
    app.extensions.setdefault(JOB_MAKERS, {})["story"] = service.stories.is_version_job
    if service.celery is not None:
        period = min(current_settings(app).feed_poll_interval, TICK_S)
        service.celery.conf.beat_schedule = {"newsbrief-stories-tick": {"task": TICK_TASK, "schedule": period}}

    at_first_request(app, service.recover, "unfinished fetches")
