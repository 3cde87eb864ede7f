"""Stories in the database: ingested articles, the stories they joined, each story's briefing
versions, subscribed feeds, and URL fetches.

The database is the record; the story index (summarizer.stories.StoryClusterer) kept by each
process is rebuilt from these rows (service/stories/ingestion.py). An article is stored once: its
`article_key` (canonical URL, else a hash of its normalised text) is unique, by its sha256.

    articles  -> stories            (each article joined one story)
    story_briefings -> stories, jobs (version n of a story's briefing: a job of one cluster, whose
                                      briefing the job machinery stores in `briefings`)
    fetches   -> articles, feeds    (a URL fetched in the background, and what came of it)

The tables come from the migrations in service/migrations (revision 0003), as the others do.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import current_app
from sqlalchemy import (
    Boolean,
    Connection,
    ForeignKey,
    Index,
    Integer,
    Row,
    String,
    Text,
    and_,
    exists,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from ..briefings.store import BriefingRow
from ..database import Base, Database, JSONDocument, Owner, UtcDateTime, locked_transaction
from ..jobs.store import JobClusterRow

# Any fixed number, the same in every process: PostgreSQL's advisory lock held while assigning.
ASSIGN_LOCK_ID = 7_460_301_013
# Fetch states, as a job cluster's.
QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"


@dataclass(frozen=True)
class BriefingGlance:
    """What a list of stories shows of a story's briefing: its current version's status, and
    once done, its first sentence (the gist) and whether its sources disagree."""

    versions: int
    status: str
    gist: str | None
    disputed: bool


def url_digest(text: str) -> str:
    """sha256 of a URL or key in hexadecimal: a fixed-size column to index and keep unique."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class StoryRow(Base):
    __tablename__ = "stories"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    headline: Mapped[str] = mapped_column(Text)
    outlets: Mapped[list] = mapped_column(JSONDocument)
    article_count: Mapped[int] = mapped_column(Integer)
    first_seen: Mapped[datetime] = mapped_column(UtcDateTime)
    last_seen: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class FeedRow(Base):
    __tablename__ = "feeds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    url_hash: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # When the scheduler polls it next; a poll claims the feed by moving this forward.
    next_poll_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    last_polled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    articles_added: Mapped[int] = mapped_column(Integer)


class ArticleRow(Base):
    __tablename__ = "articles"

    # Increasing in insertion order: a process's story index knows which rows it has seen.
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(Text)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id"), index=True)
    seen_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    title: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    content_type: Mapped[str] = mapped_column(String(8))
    url: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(Text)
    published: Mapped[str | None] = mapped_column(Text)
    # The URL's sha256 and the one a caller or feed gave to fetch it, when it differs: a URL seen
    # before is not fetched again.
    url_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    requested_url_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    feed_id: Mapped[int | None] = mapped_column(ForeignKey("feeds.id"))


class StoryBriefingRow(Base):
    __tablename__ = "story_briefings"

    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    article_count: Mapped[int] = mapped_column(Integer)
    article_ids: Mapped[list] = mapped_column(JSONDocument)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id"))


class FetchRow(Base):
    __tablename__ = "fetches"
    __table_args__ = (Index("ix_fetches_status", "status"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id"))
    # True: the fetched article was stored already (the same canonical URL or text).
    duplicate: Mapped[bool | None] = mapped_column(Boolean)
    # The request part the URL came from (articles[3].url), named by an error.
    field: Mapped[str] = mapped_column(String(300))
    error: Mapped[str | None] = mapped_column(Text)
    # The API key's digest the fetch was asked under (None: no keys).
    owner: Mapped[str | None] = mapped_column(Owner)


class Assignment:
    """The queries of one ingestion: a transaction under the assignment lock, so that one process
    at a time stores articles and assigns them to stories."""

    def __init__(self, connection: Connection):
        self._connection = connection

    def newest_article_id(self) -> int:
        return self._connection.execute(select(func.max(ArticleRow.id))).scalar() or 0

    def articles_seen_since(self, moment: datetime) -> Sequence[Row[Any]]:
        return self._connection.execute(
            select(ArticleRow).where(ArticleRow.seen_at >= moment).order_by(ArticleRow.id)
        ).all()

    def articles_after(self, article_id: int) -> Sequence[Row[Any]]:
        return self._connection.execute(
            select(ArticleRow).where(ArticleRow.id > article_id).order_by(ArticleRow.id)
        ).all()

    def stored_copy(self, key_hash: str) -> Row[int, int] | None:
        """The (id, story_id) of the article stored under `key_hash`, if one is."""
        return self._connection.execute(
            select(ArticleRow.id, ArticleRow.story_id).where(ArticleRow.key_hash == key_hash)
        ).first()

    def add_story(self, headline: str, outlets: list[str], now: datetime) -> int:
        return self._connection.execute(
            insert(StoryRow)
            .values(headline=headline, outlets=outlets, article_count=1, first_seen=now, last_seen=now)
            .returning(StoryRow.id)
        ).scalar_one()

    def grow_story(self, story_id: int, headline: str, outlets: Sequence[str], now: datetime) -> None:
        """One more article in the story: its headline now, and its outlets joined to the stored ones."""
        stored = self._connection.execute(select(StoryRow.outlets).where(StoryRow.id == story_id)).scalar_one()
        self._connection.execute(
            update(StoryRow)
            .where(StoryRow.id == story_id)
            .values(
                headline=headline,
                outlets=list(dict.fromkeys([*stored, *outlets])),
                article_count=StoryRow.article_count + 1,
                last_seen=now,
            )
        )

    def add_article(self, **values: Any) -> int:
        return self._connection.execute(insert(ArticleRow).values(**values).returning(ArticleRow.id)).scalar_one()


class StoryStore:
    """Stories, their articles and their briefing versions."""

    def __init__(self, database: Database):
        self.engine = database.engine
        self._sessions = database.sessions

    @contextmanager
    def assigning(self) -> Iterator[Assignment]:
        """An ingestion's transaction, under the database-wide assignment lock, committed at the end."""
        with locked_transaction(self.engine, ASSIGN_LOCK_ID) as connection:
            yield Assignment(connection)

    def known_url(self, url: str) -> Row[int, int] | None:
        """The (id, story_id) of the stored article fetched from `url` (or whose URL it is)."""
        digest = url_digest(url)
        with self._sessions() as session:
            return session.execute(
                select(ArticleRow.id, ArticleRow.story_id)
                .where(or_(ArticleRow.url_hash == digest, ArticleRow.requested_url_hash == digest))
                .limit(1)
            ).first()

    def story_of(self, article_id: int) -> int | None:
        with self._sessions() as session:
            return session.execute(select(ArticleRow.story_id).where(ArticleRow.id == article_id)).scalar_one_or_none()

    def get(self, story_id: int) -> StoryRow | None:
        with self._sessions() as session:
            return session.get(StoryRow, story_id)

    def page(
        self, since: datetime | None, until: datetime | None, after: tuple[datetime, int] | None, limit: int
    ) -> list[StoryRow]:
        """Stories last seen at or after `since` and first seen before `until`, the most recently
        seen first (then by id), from the one after `after` (its last_seen and id): `limit` of them."""
        statement = select(StoryRow)
        if since is not None:
            statement = statement.where(StoryRow.last_seen >= since)
        if until is not None:
            statement = statement.where(StoryRow.first_seen < until)
        if after is not None:
            last_seen, story_id = after
            statement = statement.where(
                or_(StoryRow.last_seen < last_seen, and_(StoryRow.last_seen == last_seen, StoryRow.id < story_id))
            )
        statement = statement.order_by(StoryRow.last_seen.desc(), StoryRow.id.desc()).limit(limit)
        with self._sessions() as session:
            return list(session.execute(statement).scalars().all())

    def briefing_glances(self, story_ids: list[int]) -> dict[int, BriefingGlance]:
        """What a list shows of each story's briefing (those with no version are left out), in two
        queries however many stories: every version's status, then the current briefings' gists."""
        with self._sessions() as session:
            versions = session.execute(
                select(StoryBriefingRow.story_id, JobClusterRow.status, JobClusterRow.briefing_id)
                .join(JobClusterRow, JobClusterRow.job_id == StoryBriefingRow.job_id)
                .where(StoryBriefingRow.story_id.in_(story_ids))
                .order_by(StoryBriefingRow.story_id, StoryBriefingRow.version.desc())
            ).all()
            by_story: dict[int, list[Row[int, str, str | None]]] = {}
            for version in versions:
                by_story.setdefault(version.story_id, []).append(version)
            # The current version, as GET /v1/stories/<id> gives it: the newest done, else the newest.
            current = {
                story_id: next((v for v in newest_first if v.status == DONE), newest_first[0])
                for story_id, newest_first in by_story.items()
            }
            done = [v.briefing_id for v in current.values() if v.status == DONE and v.briefing_id]
            # Only the two values read from each stored briefing, not the whole document.
            read = session.execute(
                select(
                    BriefingRow.id,
                    BriefingRow.briefing[("sentences", 0, "text")].as_string(),
                    BriefingRow.briefing[("disagreements", 0)].as_string(),
                ).where(BriefingRow.id.in_(done))
            ).all()
        gists = {briefing_id: (gist, first_disagreement is not None) for briefing_id, gist, first_disagreement in read}
        glances = {}
        for story_id, version in current.items():
            gist, disputed = gists.get(version.briefing_id or "", (None, False))
            glances[story_id] = BriefingGlance(len(by_story[story_id]), version.status, gist, disputed)
        return glances

    def newest_articles(self, story_id: int, limit: int) -> list[ArticleRow]:
        """The story's newest articles, newest first: at most `limit`."""
        with self._sessions() as session:
            return list(
                session.execute(
                    select(ArticleRow)
                    .where(ArticleRow.story_id == story_id)
                    .order_by(ArticleRow.id.desc())
                    .limit(limit)
                )
                .scalars()
                .all()
            )

    def article_listing(
        self, story_id: int, limit: int
    ) -> Sequence[Row[int, str, str | None, str | None, str | None, datetime]]:
        """The id, title, url, source, published and seen_at of the story's newest articles, newest first."""
        with self._sessions() as session:
            return session.execute(
                select(
                    ArticleRow.id,
                    ArticleRow.title,
                    ArticleRow.url,
                    ArticleRow.source,
                    ArticleRow.published,
                    ArticleRow.seen_at,
                )
                .where(ArticleRow.story_id == story_id)
                .order_by(ArticleRow.id.desc())
                .limit(limit)
            ).all()

    def articles(self, article_ids: list[int]) -> list[ArticleRow]:
        """The articles of these ids, in stored order."""
        with self._sessions() as session:
            rows = session.execute(select(ArticleRow).where(ArticleRow.id.in_(article_ids)).order_by(ArticleRow.id))
            return list(rows.scalars().all())

    def versions(self, story_id: int) -> list[StoryBriefingRow]:
        """The story's briefing versions, the oldest first."""
        with self._sessions() as session:
            return list(
                session.execute(
                    select(StoryBriefingRow)
                    .where(StoryBriefingRow.story_id == story_id)
                    .order_by(StoryBriefingRow.version)
                )
                .scalars()
                .all()
            )

    def versions_with_clusters(self, story_id: int) -> Sequence[Row[StoryBriefingRow, JobClusterRow]]:
        """Each briefing version of the story with its job's cluster, the newest first."""
        with self._sessions() as session:
            return session.execute(
                select(StoryBriefingRow, JobClusterRow)
                .join(JobClusterRow, JobClusterRow.job_id == StoryBriefingRow.job_id)
                .where(StoryBriefingRow.story_id == story_id)
                .order_by(StoryBriefingRow.version.desc())
            ).all()

    def latest_version(self, story_id: int) -> StoryBriefingRow | None:
        with self._sessions() as session:
            return session.execute(
                select(StoryBriefingRow)
                .where(StoryBriefingRow.story_id == story_id)
                .order_by(StoryBriefingRow.version.desc())
                .limit(1)
            ).scalar_one_or_none()

    def cluster_status(self, job_id: str) -> str | None:
        """The status of the (one) cluster of a version's job."""
        with self._sessions() as session:
            return session.execute(
                select(JobClusterRow.status).where(JobClusterRow.job_id == job_id)
            ).scalar_one_or_none()

    def add_version(self, version: StoryBriefingRow) -> bool:
        """Store a briefing version; False when another process stored that version meanwhile."""
        try:
            with self._sessions.begin() as session:
                session.add(version)
        except IntegrityError:
            return False
        return True

    def is_version_job(self, job_id: str) -> bool:
        """Whether the job makes a story's briefing version."""
        with self._sessions() as session:
            return bool(session.scalar(select(exists().where(StoryBriefingRow.job_id == job_id))))

    def grown_since_briefed(self, seen_after: datetime, limit: int) -> list[int]:
        """Stories seen after `seen_after` that grew since their last briefing version, the most
        recently seen first: at most `limit`."""
        briefed = (
            select(StoryBriefingRow.story_id, func.max(StoryBriefingRow.article_count).label("count"))
            .group_by(StoryBriefingRow.story_id)
            .subquery()
        )
        with self._sessions() as session:
            return list(
                session.execute(
                    select(StoryRow.id)
                    .outerjoin(briefed, briefed.c.story_id == StoryRow.id)
                    .where(
                        StoryRow.last_seen >= seen_after,
                        StoryRow.article_count > 1,
                        or_(briefed.c.count.is_(None), briefed.c.count < StoryRow.article_count),
                    )
                    .order_by(StoryRow.last_seen.desc())
                    .limit(limit)
                ).scalars()
            )


class FeedStore:
    """Subscribed feeds and how their polls went."""

    def __init__(self, database: Database):
        self._sessions = database.sessions

    def get(self, feed_id: int) -> FeedRow | None:
        with self._sessions() as session:
            return session.get(FeedRow, feed_id)

    def find(self, url_hash: str) -> FeedRow | None:
        with self._sessions() as session:
            return session.execute(select(FeedRow).where(FeedRow.url_hash == url_hash)).scalar_one_or_none()

    def count(self) -> int:
        with self._sessions() as session:
            return session.execute(select(func.count()).select_from(FeedRow)).scalar_one()

    def all(self) -> list[FeedRow]:
        with self._sessions() as session:
            return list(session.execute(select(FeedRow).order_by(FeedRow.id)).scalars().all())

    def add(self, url: str, url_hash: str, now: datetime) -> int | None:
        """Subscribe: the new feed's id, due now; None when a concurrent request subscribed it first."""
        row = FeedRow(url=url, url_hash=url_hash, created_at=now, next_poll_at=now, articles_added=0)
        try:
            with self._sessions.begin() as session:
                session.add(row)
                session.flush()
                return row.id
        except IntegrityError:
            return None

    def claim(self, feed_id: int, due: datetime | None, next_poll_at: datetime) -> bool:
        """Move the feed's next poll to `next_poll_at` if it is `due` then (None: whenever): True
        when the caller got the poll."""
        condition = FeedRow.next_poll_at == due if due is not None else FeedRow.id == feed_id
        with self._sessions.begin() as session:
            changed = session.execute(
                update(FeedRow).where(FeedRow.id == feed_id, condition).values(next_poll_at=next_poll_at)
            )
            return bool(changed.rowcount)  # type: ignore[attr-defined]

    def url_of(self, feed_id: int) -> str | None:
        with self._sessions() as session:
            return session.execute(select(FeedRow.url).where(FeedRow.id == feed_id)).scalar_one_or_none()

    def record_poll(self, feed_id: int, error: str | None, added: int, title: str | None) -> None:
        with self._sessions.begin() as session:
            feed_row = session.get(FeedRow, feed_id)
            if feed_row is not None:
                feed_row.last_polled_at = datetime.now(UTC)
                feed_row.last_error = error
                feed_row.articles_added += added
                feed_row.title = feed_row.title or title

    def due(self, now: datetime, limit: int) -> Sequence[Row[int, datetime]]:
        """The (id, next_poll_at) of the feeds due by `now`, the longest due first: at most `limit`."""
        with self._sessions() as session:
            return session.execute(
                select(FeedRow.id, FeedRow.next_poll_at)
                .where(FeedRow.next_poll_at <= now)
                .order_by(FeedRow.next_poll_at)
                .limit(limit)
            ).all()


class FetchStore:
    """URLs fetched in the background, and what came of each."""

    def __init__(self, database: Database):
        self._sessions = database.sessions

    def get(self, fetch_id: str) -> FetchRow | None:
        with self._sessions() as session:
            return session.get(FetchRow, fetch_id)

    def create(self, url: str, field: str, owner: str | None) -> str:
        fetch_id = uuid.uuid4().hex
        with self._sessions.begin() as session:
            session.add(
                FetchRow(
                    id=fetch_id,
                    url=url,
                    created_at=datetime.now(UTC),
                    status=QUEUED,
                    attempts=0,
                    field=field,
                    owner=owner,
                )
            )
        return fetch_id

    def claim(self, fetch_id: str, stale_before: datetime) -> FetchRow | None:
        """Mark the fetch running, when it is queued or was claimed before `stale_before`: the
        fetch, or None when it is finished or another process has it."""
        claimable = or_(FetchRow.status == QUEUED, and_(FetchRow.status == RUNNING, FetchRow.claimed_at < stale_before))
        with self._sessions.begin() as session:
            changed = session.execute(
                update(FetchRow)
                .where(FetchRow.id == fetch_id, claimable)
                .values(status=RUNNING, claimed_at=datetime.now(UTC), attempts=FetchRow.attempts + 1)
            )
            if not changed.rowcount:  # type: ignore[attr-defined]
                return None
            row = session.get(FetchRow, fetch_id)
            session.expunge(row)
            return row

    def finish(self, fetch_id: str, **values: Any) -> None:
        """Record what came of a running fetch (status, article_id, duplicate, error)."""
        with self._sessions.begin() as session:
            session.execute(
                update(FetchRow)
                .where(FetchRow.id == fetch_id, FetchRow.status == RUNNING)
                .values(finished_at=datetime.now(UTC), **values)
            )

    def fail_queued(self, fetch_id: str, error: str) -> None:
        """A queued fetch that could not be handed over: failed, with why."""
        with self._sessions.begin() as session:
            session.execute(
                update(FetchRow)
                .where(FetchRow.id == fetch_id, FetchRow.status == QUEUED)
                .values(status=FAILED, finished_at=datetime.now(UTC), error=error)
            )

    def unfinished(self, queued_before: datetime, claimed_before: datetime) -> list[str]:
        """The fetches queued before `queued_before`, or running since before `claimed_before`."""
        with self._sessions() as session:
            return list(
                session.execute(
                    select(FetchRow.id).where(
                        or_(
                            and_(FetchRow.status == QUEUED, FetchRow.created_at <= queued_before),
                            and_(FetchRow.status == RUNNING, FetchRow.claimed_at < claimed_before),
                        )
                    )
                )
                .scalars()
                .all()
            )


@dataclass(frozen=True)
class StoryStores:
    """The stories' three stores, on one database."""

    stories: StoryStore
    feeds: FeedStore
    fetches: FetchStore

    @classmethod
    def on(cls, database: Database) -> StoryStores:
        return cls(StoryStore(database), FeedStore(database), FetchStore(database))


def get_story_stores() -> StoryStores:
    return current_app.extensions["newsbrief.story_stores"]
