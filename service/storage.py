"""Stored briefings, with SQLAlchemy 2: a SQLite file by default, PostgreSQL by NEWSBRIEF_DATABASE_URL.

One row per distinct request: the content hash (articles, effective options, summariser
version) is unique, so posting the same request again finds the stored briefing. Tables are
created when the app starts (`flask --app service init-db` does the same and says where).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import JSON, DateTime, String, Table, create_engine, event, select, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

JSONDocument = JSON().with_variant(JSONB(), "postgresql")
# Seconds a SQLite writer waits for another process's lock (gunicorn workers share the file).
SQLITE_BUSY_TIMEOUT_S = 30
CREATE_TABLES_TRIES = 3


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
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
    cursor.close()


def create_tables(engine: Engine, tables: list[Table] | None = None) -> None:
    """Create the tables that are missing. Processes starting together (gunicorn's workers,
    Celery workers) race between checking and creating: the loser gets "already exists", so
    it checks again."""
    for attempt in range(CREATE_TABLES_TRIES):
        try:
            Base.metadata.create_all(engine, tables=tables)
            return
        except (OperationalError, ProgrammingError, IntegrityError):
            if attempt == CREATE_TABLES_TRIES - 1:
                raise


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
        create_tables(self.engine)
        self._sessions = sessionmaker(self.engine)

    def get(self, briefing_id: str) -> StoredBriefing | None:
        with self._sessions() as session:
            row = session.get(BriefingRow, briefing_id)
            return StoredBriefing.from_row(row) if row else None

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


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create the tables (if missing) and say which database the service uses."""
    click.echo(f"Database ready: {get_storage().url}")


def init_app(app: Flask) -> None:
    app.extensions["newsbrief.storage"] = Storage(app.config["DATABASE_URL"])
    app.cli.add_command(init_db_command)


def get_storage() -> Storage:
    return current_app.extensions["newsbrief.storage"]
