"""The database, with SQLAlchemy 2: a SQLite file by default, PostgreSQL by NEWSBRIEF_DATABASE_URL.

What every resource's store shares: the engine and its sessions, the declarative Base of their
rows, the column types they have in common, and a transaction under a database-wide lock. The
tables come from the migrations in service/migrations (applied at start on SQLite, by
`newsbrief db upgrade` on PostgreSQL): a change to a row class needs a new revision there.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from flask import Flask, current_app
from sqlalchemy import JSON, DateTime, Dialect, String, TypeDecorator, create_engine, event, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, sessionmaker

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


class UtcDateTime(TypeDecorator[datetime]):
    """A moment, stored and read as an aware datetime in UTC: SQLite keeps no time zone (it
    hands back naive datetimes), PostgreSQL answers in the session's. A naive datetime given to
    it is taken as UTC. The column is DateTime(timezone=True) in the schema, as before."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return _utc(value)

    def process_result_value(self, value: Any | None, dialect: Dialect) -> datetime | None:
        return _utc(value)


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


# Seconds a SQLite writer waits for another process's lock (gunicorn workers share the file).
SQLITE_BUSY_TIMEOUT_S = 30


class Base(DeclarativeBase):
    pass


# An API key's digest ("sha256:" and 64 hex digits, service/settings.py's api_key_digest).
Owner = String(71)


def visible_to(owner: str | None, caller: str | None) -> bool:
    """Whether `caller` (the key of a request, None without API keys) may read what was made under
    `owner` (None: made without a key, before keys were configured)."""
    return caller is None or owner is None or owner == caller


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


class Database:
    """The engine, and sessions on it, that the stores of every resource share."""

    def __init__(self, url: str):
        self.engine = make_engine(url)
        self.url = self.engine.url.render_as_string(hide_password=True)
        self.sessions = sessionmaker(self.engine)

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
        database = Database(url)
    except (ArgumentError, ImportError) as err:  # not a URL, an unknown dialect, or its driver missing
        raise ConfigError(f"NEWSBRIEF_DATABASE_URL is not a database URL this service can use: {err}") from None
    app.extensions["newsbrief.database"] = database


def get_database() -> Database:
    return current_app.extensions["newsbrief.database"]
