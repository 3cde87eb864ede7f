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
from datetime import UTC, datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..database import Base, JSONDocument, Owner

# Fetch states, as a job cluster's.
QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"


def url_digest(text: str) -> str:
    """sha256 of a URL or key in hexadecimal: a fixed-size column to index and keep unique."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def aware(moment: datetime) -> datetime:
    # SQLite drops the time zone; every time stored here is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class StoryRow(Base):
    __tablename__ = "stories"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    headline: Mapped[str] = mapped_column(Text)
    outlets: Mapped[list] = mapped_column(JSONDocument)
    article_count: Mapped[int] = mapped_column(Integer)
    first_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class FeedRow(Base):
    __tablename__ = "feeds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    url_hash: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # When the scheduler polls it next; a poll claims the feed by moving this forward.
    next_poll_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    last_polled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    articles_added: Mapped[int] = mapped_column(Integer)


class ArticleRow(Base):
    __tablename__ = "articles"

    # Increasing in insertion order: a process's story index knows which rows it has seen.
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(Text)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id"), index=True)
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
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
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    article_count: Mapped[int] = mapped_column(Integer)
    article_ids: Mapped[list] = mapped_column(JSONDocument)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id"))


class FetchRow(Base):
    __tablename__ = "fetches"
    __table_args__ = (Index("ix_fetches_status", "status"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id"))
    # True: the fetched article was stored already (the same canonical URL or text).
    duplicate: Mapped[bool | None] = mapped_column(Boolean)
    # The request part the URL came from (articles[3].url), named by an error.
    field: Mapped[str] = mapped_column(String(300))
    error: Mapped[str | None] = mapped_column(Text)
    # The API key's digest the fetch was asked under (None: no keys).
    owner: Mapped[str | None] = mapped_column(Owner)
