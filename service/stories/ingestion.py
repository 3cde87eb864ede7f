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

A story's briefing versions are service/stories/versions.py's; the tasks, the pool and the
schedule that run fetches and polls are service/stories/scheduling.py's.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy.exc import DBAPIError

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

from ..jobs.runner import TRANSIENT
from ..settings import ConfigError, ServiceSettings, variable_name
from .store import DONE, FAILED, Assignment, StoryStore, StoryStores, url_digest

log = logging.getLogger(__name__)

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
            clusterer.restore(row_article(row), row.seen_at, row.story_id)
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
            clusterer.restore(row_article(row), row.seen_at, own_id.get(row.story_id, row.story_id))
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


class Ingestion:
    """Articles into stories: sent (`ingest`), fetched from a URL (`run_fetch`) or polled from a
    feed (`run_poll`). `on_ingested` hears of what was stored (the scheduler briefs the stories
    that grew)."""

    def __init__(
        self,
        settings: ServiceSettings,
        stores: StoryStores,
        on_ingested: Callable[[list[Ingested]], None],
    ):
        self.settings = settings
        self.stores = stores
        try:
            self.policy = fetch_policy(settings)
        except InputError as err:
            raise ConfigError(f"{variable_name('fetch_allow_networks')}: {err.message}") from None
        self.index = StoryIndex(timedelta(hours=settings.story_window_hours))
        self.on_ingested = on_ingested

    def ingest(self, incoming: Sequence[Incoming]) -> list[Ingested]:
        results = self.index.ingest(self.stores.stories, incoming)
        self.on_ingested(results)
        return results

    def known_url(self, url: str) -> Ingested | None:
        """The stored article fetched from `url` (or whose URL it is), so it is not fetched again."""
        row = self.stores.stories.known_url(url)
        return Ingested(row.id, row.story_id, duplicate=True) if row else None

    def run_fetch(self, fetch_id: str) -> None:
        """Fetch one URL and ingest its article, unless the fetch is finished or another process has it."""
        fetches = self.stores.fetches
        row = fetches.claim(fetch_id, datetime.now(UTC) - STALE_FETCH)
        if row is None:
            return
        known = self.known_url(row.url)
        if known is None:
            try:
                article = fetch_article(row.url, self.policy)
            except InputError as err:  # FetchRefused, FetchFailed: the caller's URL, not a bug
                fetches.finish(fetch_id, status=FAILED, error=short(err.message))
                return
            except Exception as err:
                log.exception("fetch %s: fetching %s failed", fetch_id, row.url)
                fetches.finish(fetch_id, status=FAILED, error=f"internal error while fetching ({type(err).__name__})")
                return
            try:
                [known] = self.ingest([Incoming(article, requested_url=row.url)])
            except TRANSIENT:
                raise  # retried; the last failure is recorded by the scheduler's `gave_up`
            except Exception as err:
                log.exception("fetch %s: storing the article of %s failed", fetch_id, row.url)
                fetches.finish(fetch_id, status=FAILED, error=short(f"could not store the article: {reason(err)}"))
                return
        fetches.finish(fetch_id, status=DONE, article_id=known.article_id, duplicate=known.duplicate)

    def fail_fetch(self, fetch_id: str, message: str) -> None:
        self.stores.fetches.finish(fetch_id, status=FAILED, error=short(message))

    def run_poll(self, feed_id: int) -> None:
        """Fetch the feed and ingest its new entries (at most NEWSBRIEF_FEED_MAX_ENTRIES)."""
        url = self.stores.feeds.url_of(feed_id)
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
                raise  # retried; the last failure is recorded by the scheduler's `gave_up`
            except Exception as err:
                log.exception("feed %d: storing the entries of %s failed", feed_id, url)
                errors.append(f"could not store the {len(incoming)} new entries: {reason(err)}")
        self.record_poll(feed_id, errors, added, title)

    def record_poll(self, feed_id: int, errors: list[str], added: int = 0, title: str | None = None) -> None:
        self.stores.feeds.record_poll(feed_id, short("; ".join(errors)) if errors else None, added, title)

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


def get_ingestion() -> Ingestion:
    return current_app.extensions["newsbrief.story_ingestion"]
