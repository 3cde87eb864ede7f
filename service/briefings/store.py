"""Stored briefings: one row per distinct request. The content hash (articles, effective options,
summariser version) is unique, so posting the same request again finds the stored briefing; the
keys a briefing was made or found for are its readers when API keys are configured."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import Flask, current_app
from sqlalchemy import ForeignKey, String, exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from ..database import Base, Database, JSONDocument, Owner, UtcDateTime


class BriefingRow(Base):
    __tablename__ = "briefings"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    engine: Mapped[str] = mapped_column(String(16))
    model: Mapped[str | None] = mapped_column(String(500))
    request: Mapped[dict] = mapped_column(JSONDocument)
    briefing: Mapped[dict] = mapped_column(JSONDocument)


class BriefingOwnerRow(Base):
    """A key a briefing was made or found for: with API keys, only those keys read it."""

    __tablename__ = "briefing_owners"

    briefing_id: Mapped[str] = mapped_column(ForeignKey("briefings.id"), primary_key=True)
    owner: Mapped[str] = mapped_column(Owner, primary_key=True)


@dataclass(frozen=True)
class StoredBriefing:
    id: str
    content_hash: str
    created_at: datetime
    request: dict
    briefing: dict

    @classmethod
    def from_row(cls, row: BriefingRow) -> StoredBriefing:
        return cls(row.id, row.content_hash, row.created_at, row.request, row.briefing)


class BriefingStore:
    def __init__(self, database: Database):
        self._sessions = database.sessions

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


def init_app(app: Flask) -> None:
    app.extensions["newsbrief.briefings"] = BriefingStore(app.extensions["newsbrief.database"])


def get_briefing_store() -> BriefingStore:
    return current_app.extensions["newsbrief.briefings"]
