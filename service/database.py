"""Stored briefings, with SQLAlchemy 2: a SQLite file by default, PostgreSQL by NEWSBRIEF_DATABASE_URL.

One row per distinct request: the content hash (articles, effective options, summariser
version) is unique, so posting the same request again finds the stored briefing. The tables
come from the migrations in service/migrations (applied at start on SQLite, by
`newsbrief db upgrade` on PostgreSQL): a change to a model here needs a new revision there.
"""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import Flask, current_app
from sqlalchemy import JSON, DateTime, ForeignKey, String, create_engine, event, exists, select, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

from .settings import ConfigError, current_settings


@contextmanager
def locked_transaction(engine: Engine, advisory_lock_id: int) -> Iterator[Connection]:
    """A connection in a transaction that holds a database-wide lock, committed at the end: the
    file's write lock on SQLite, the advisory lock `advisory_lock_id` on PostgreSQL (another
    database takes no lock). For work that must not run in two processes at once."""
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            # pysqlite would otherwise begin only at the first write (and run DDL outside any
            # transaction); IMMEDIATE takes the write lock now, waiting up to the busy timeout.
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        elif connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": advisory_lock_id})
        yield connection
        connection.commit()


JSONDocument = JSON().with_variant(JSONB(), "postgresql")
# Seconds a SQLite writer waits for another process's lock (gunicorn workers share the file).
SQLITE_BUSY_TIMEOUT_S = 30


class Base(DeclarativeBase):
    pass


class BriefingRow(Base):
    __tablename__ = "briefings"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    engine: Mapped[str] = mapped_column(String(16))
    model: Mapped[str | None] = mapped_column(String(500))
    request: Mapped[dict] = mapped_column(JSONDocument)
    briefing: Mapped[dict] = mapped_column(JSONDocument)


# An API key's digest ("sha256:" and 64 hex digits, service/settings.py's api_key_digest).
Owner = String(71)


class BriefingOwnerRow(Base):
    """A key a briefing was made or found for: with API keys, only those keys read it."""

    __tablename__ = "briefing_owners"

    briefing_id: Mapped[str] = mapped_column(ForeignKey("briefings.id"), primary_key=True)
    owner: Mapped[str] = mapped_column(Owner, primary_key=True)


def visible_to(owner: str | None, caller: str | None) -> bool:
    """Whether `caller` (the key of a request, None without API keys) may read what was made under
    `owner` (None: made without a key, before keys were configured)."""
    return caller is None or owner is None or owner == caller


@dataclass(frozen=True)
class StoredBriefing:
    id: str
    content_hash: str
    created_at: datetime
    request: dict
    briefing: dict

    @classmethod
    def from_row(cls, row: BriefingRow) -> StoredBriefing:
        created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=UTC)  # SQLite drops it
        return cls(row.id, row.content_hash, created, row.request, row.briefing)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets readers go on while a worker writes; the busy timeout makes writers queue.
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
    # Switching a new file to WAL needs it unlocked and SQLite answers "database is locked" at once
    # instead of waiting, as it happens when several processes start on one new file while the
    # first migrates it; once the file is in WAL mode (it stays so) the pragma does not wait.
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_S
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            break
        except sqlite3.OperationalError as err:
            if "locked" not in str(err) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    cursor.close()


def make_engine(url: str) -> Engine:
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


class Storage:
    def __init__(self, url: str):
        self.engine = make_engine(url)
        self.url = self.engine.url.render_as_string(hide_password=True)
        self._sessions = sessionmaker(self.engine)

    def get(self, briefing_id: str) -> StoredBriefing | None:
        with self._sessions() as session:
            row = session.get(BriefingRow, briefing_id)
            return StoredBriefing.from_row(row) if row else None

    def readable(self, briefing_id: str, caller: str | None) -> bool:
        """Whether `caller` may read the briefing: it was made or found for that key, or for no key."""
        if caller is None:
            return True
        with self._sessions() as session:
            owners = set(
                session.scalars(select(BriefingOwnerRow.owner).where(BriefingOwnerRow.briefing_id == briefing_id))
            )
        return not owners or caller in owners

    def grant(self, briefing_id: str, owner: str | None) -> None:
        """Let `owner` read the briefing (made or found for it); nothing without a key."""
        if owner is None:
            return
        granted = exists().where(BriefingOwnerRow.briefing_id == briefing_id, BriefingOwnerRow.owner == owner)
        with self._sessions() as session:
            if not session.scalar(select(granted)):
                session.add(BriefingOwnerRow(briefing_id=briefing_id, owner=owner))
                try:
                    session.commit()
                except IntegrityError:  # granted meanwhile by a concurrent request
                    session.rollback()

    def find(self, content_hash: str) -> StoredBriefing | None:
        with self._sessions() as session:
            row = session.scalars(select(BriefingRow).where(BriefingRow.content_hash == content_hash)).first()
            return StoredBriefing.from_row(row) if row else None

    def add(self, content_hash: str, request: dict, briefing: dict) -> tuple[StoredBriefing, bool]:
        """Store a briefing; (stored, True), or (the one stored first, False) when the same
        request was stored meanwhile by another thread or process."""
        row = BriefingRow(
            id=uuid.uuid4().hex,
            content_hash=content_hash,
            created_at=datetime.now(UTC),
            engine=briefing["engine"],
            model=briefing["model"],
            request=request,
            briefing=briefing,
        )
        stored = StoredBriefing.from_row(row)
        with self._sessions() as session:
            session.add(row)
            try:
                session.commit()
            except IntegrityError:
                session.rollback()
                existing = self.find(content_hash)
                if existing is None:  # not a duplicate hash after all: a real error
                    raise
                return existing, False
        return stored, True

    def ping(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return True
        except SQLAlchemyError:
            return False


def init_app(app: Flask) -> None:
    url = current_settings(app).database_url
    assert url is not None  # for the type checker: settings.init_app resolved it
    try:
        storage = Storage(url)
    except (ArgumentError, ImportError) as err:  # not a URL, an unknown dialect, or its driver missing
        raise ConfigError(f"NEWSBRIEF_DATABASE_URL is not a database URL this service can use: {err}") from None
    app.extensions["newsbrief.storage"] = storage


def get_storage() -> Storage:
    return current_app.extensions["newsbrief.storage"]
