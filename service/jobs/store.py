"""Jobs in the database: one row per job, one row per cluster of a job.

The database, not the broker, is the record of a job. A cluster row holds the cluster's
articles (a worker reads them from here, so the broker carries only the job id and the
cluster's index), its state, and its result: the id of the stored briefing, or the error.

    queued -> running -> done | failed

A result is written once: the update that finishes a cluster matches only a cluster that is
not finished yet, and (job_id, cluster_index) is the primary key. A task delivered twice (a
worker died after finishing but before acknowledging, or the broker's visibility timeout
ran out) finds its cluster finished and does nothing.

The tables come from the migrations in service/migrations, as the briefings' do.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import (
    CursorResult,
    ForeignKey,
    Integer,
    String,
    Text,
    Update,
    and_,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..database import Base, Database, JSONDocument, Owner, UtcDateTime

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
PENDING = (QUEUED, RUNNING)
# Longest error message kept for a cluster (an exception's text can be huge).
MAX_ERROR_CHARS = 2000


class JobRow(Base):
    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    idempotency_key: Mapped[str | None] = mapped_column(String(255), unique=True)
    # sha256 of the request body: a retried POST with the same key must carry the same body.
    request_hash: Mapped[str] = mapped_column(String(64))
    options: Mapped[dict] = mapped_column(JSONDocument)
    # The API key's digest the job was made under (None: no keys); its briefings are that key's.
    owner: Mapped[str | None] = mapped_column(Owner)


class JobClusterRow(Base):
    __tablename__ = "job_clusters"

    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id"), primary_key=True)
    cluster_index: Mapped[int] = mapped_column(Integer, primary_key=True)
    cluster_id: Mapped[str] = mapped_column(String(2000))
    articles: Mapped[list] = mapped_column(JSONDocument)
    status: Mapped[str] = mapped_column(String(16), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Handed to the broker (or the in-process pool); None: not yet, or never (see `JobStore.recover`).
    dispatched_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    briefing_id: Mapped[str | None] = mapped_column(ForeignKey("briefings.id"))
    error: Mapped[str | None] = mapped_column(Text)
    error_field: Mapped[str | None] = mapped_column(String(300))


def _rows_changed(session: Session, statement: Update) -> int:
    # An UPDATE's result is a CursorResult, which has the count; Session.execute is typed for any statement.
    return cast("CursorResult[Any]", session.execute(statement)).rowcount


@dataclass(frozen=True)
class NewCluster:
    id: str
    articles: list[dict]  # asdict(Article) of each article


@dataclass(frozen=True)
class ClusterState:
    index: int
    id: str
    status: str
    attempts: int
    finished_at: datetime | None
    briefing_id: str | None
    error: str | None
    error_field: str | None


@dataclass(frozen=True)
class Job:
    id: str
    created_at: datetime
    request_hash: str
    options: dict
    clusters: list[ClusterState]
    owner: str | None = None

    @property
    def counts(self) -> dict[str, int]:
        counts = {QUEUED: 0, RUNNING: 0, DONE: 0, FAILED: 0}
        for cluster in self.clusters:
            counts[cluster.status] += 1
        return {"total": len(self.clusters), **counts}

    @property
    def status(self) -> str:
        counts = self.counts
        if counts[QUEUED] + counts[RUNNING] == 0:
            return "done"
        if counts[QUEUED] == counts["total"]:
            return "queued"
        return "running"

    @property
    def finished_at(self) -> datetime | None:
        if self.status != "done":
            return None
        return max(cluster.finished_at for cluster in self.clusters if cluster.finished_at is not None)


@dataclass(frozen=True)
class ClaimedCluster:
    """What a worker needs to summarise one cluster."""

    job_id: str
    index: int
    articles: list[dict]
    options: dict
    owner: str | None = None


class JobStore:
    """Jobs in the same database (and SQLAlchemy Base) as the briefings."""

    def __init__(self, database: Database):
        self._sessions = database.sessions

    def create(
        self,
        clusters: Sequence[NewCluster],
        options: dict,
        request_hash: str,
        idempotency_key: str | None,
        owner: str | None = None,
    ) -> tuple[Job, bool]:
        """Store a new job with every cluster queued: (job, True). With an idempotency key (scoped
        to its owner by the caller) that another request stored meanwhile: (that request's job, False)."""
        job_id = uuid.uuid4().hex
        job = JobRow(
            id=job_id,
            created_at=datetime.now(UTC),
            idempotency_key=idempotency_key,
            request_hash=request_hash,
            options=options,
            owner=owner,
        )
        rows = [
            {
                "job_id": job_id,
                "cluster_index": i,
                "cluster_id": c.id,
                "articles": c.articles,
                "status": QUEUED,
                "attempts": 0,
            }
            for i, c in enumerate(clusters)
        ]
        with self._sessions() as session:
            try:
                session.add(job)
                session.flush()  # the job row first: the cluster rows refer to it
                session.execute(insert(JobClusterRow), rows)
                session.commit()
            except IntegrityError:
                session.rollback()
                existing = self.find_by_key(idempotency_key) if idempotency_key else None
                if existing is None:  # not a duplicate key after all: a real error
                    raise
                return existing, False
        created = self.get(job_id)
        assert created is not None  # committed above
        return created, True

    def get(self, job_id: str) -> Job | None:
        with self._sessions() as session:
            job = session.get(JobRow, job_id)
            if job is None:
                return None
            rows = session.execute(
                select(
                    JobClusterRow.cluster_index,
                    JobClusterRow.cluster_id,
                    JobClusterRow.status,
                    JobClusterRow.attempts,
                    JobClusterRow.finished_at,
                    JobClusterRow.briefing_id,
                    JobClusterRow.error,
                    JobClusterRow.error_field,
                )
                .where(JobClusterRow.job_id == job_id)
                .order_by(JobClusterRow.cluster_index)
            ).all()
            clusters = [
                ClusterState(
                    r.cluster_index,
                    r.cluster_id,
                    r.status,
                    r.attempts,
                    r.finished_at,
                    r.briefing_id,
                    r.error,
                    r.error_field,
                )
                for r in rows
            ]
            return Job(job.id, job.created_at, job.request_hash, job.options, clusters, job.owner)

    def find_by_key(self, idempotency_key: str) -> Job | None:
        with self._sessions() as session:
            job_id = session.scalars(select(JobRow.id).where(JobRow.idempotency_key == idempotency_key)).first()
        return self.get(job_id) if job_id else None

    def delete(self, job_id: str) -> None:
        """Remove a job that was never handed out (its clusters could not be dispatched)."""
        with self._sessions.begin() as session:
            session.execute(delete(JobClusterRow).where(JobClusterRow.job_id == job_id))
            session.execute(delete(JobRow).where(JobRow.id == job_id))

    def pending_clusters(self) -> int:
        """Clusters of all jobs that are queued or running: what back-pressure counts."""
        with self._sessions() as session:
            return session.execute(
                select(func.count()).select_from(JobClusterRow).where(JobClusterRow.status.in_(PENDING))
            ).scalar_one()

    def _set_dispatched(self, job_id: str, indexes: Sequence[int], moment: datetime | None) -> None:
        with self._sessions.begin() as session:
            session.execute(
                update(JobClusterRow)
                .where(JobClusterRow.job_id == job_id, JobClusterRow.cluster_index.in_(indexes))
                .values(dispatched_at=moment)
            )

    def mark_dispatched(self, job_id: str, indexes: Sequence[int]) -> None:
        self._set_dispatched(job_id, indexes, datetime.now(UTC))

    def mark_undispatched(self, job_id: str, indexes: Sequence[int]) -> None:
        """The clusters could not be handed over after all: `recover` will find them again."""
        self._set_dispatched(job_id, indexes, None)

    def claim(self, job_id: str, index: int, stale_before: datetime | None) -> ClaimedCluster | None:
        """Mark a cluster running and return its work; None if it is finished, unknown, or (with
        `stale_before`) running under a claim newer than that.

        `stale_before=None` takes over a running cluster: a Celery task does, because the
        broker delivers a message again only when its previous delivery was lost.
        """
        claimable = JobClusterRow.status == QUEUED
        running = JobClusterRow.status == RUNNING
        claimable = or_(
            claimable,
            running
            if stale_before is None
            else and_(running, or_(JobClusterRow.claimed_at.is_(None), JobClusterRow.claimed_at < stale_before)),
        )
        where = (JobClusterRow.job_id == job_id, JobClusterRow.cluster_index == index)
        with self._sessions.begin() as session:
            claimed = _rows_changed(
                session,
                update(JobClusterRow)
                .where(*where, claimable)
                .values(status=RUNNING, claimed_at=datetime.now(UTC), attempts=JobClusterRow.attempts + 1),
            )
            if not claimed:
                return None
            articles = session.execute(select(JobClusterRow.articles).where(*where)).scalar_one()
            options, owner = session.execute(select(JobRow.options, JobRow.owner).where(JobRow.id == job_id)).one()
        return ClaimedCluster(job_id, index, articles, options, owner)

    def _finish(self, job_id: str, index: int, **values) -> bool:
        with self._sessions.begin() as session:
            return bool(
                _rows_changed(
                    session,
                    update(JobClusterRow)
                    .where(
                        JobClusterRow.job_id == job_id,
                        JobClusterRow.cluster_index == index,
                        JobClusterRow.status.in_(PENDING),
                    )
                    .values(finished_at=datetime.now(UTC), **values),
                )
            )

    def finish(self, job_id: str, index: int, briefing_id: str) -> bool:
        """Record a cluster's briefing; False when it was already finished (nothing written)."""
        return self._finish(job_id, index, status=DONE, briefing_id=briefing_id)

    def fail(self, job_id: str, index: int, message: str, field: str | None) -> bool:
        """Record why a cluster failed; False when it was already finished (nothing written)."""
        if len(message) > MAX_ERROR_CHARS:
            message = message[: MAX_ERROR_CHARS - 1] + "…"
        return self._finish(job_id, index, status=FAILED, error=message, error_field=field)

    def recover(self, stale_before: datetime, undispatched_before: datetime | None) -> list[tuple[str, int]]:
        """Clusters that nothing will run unless they are dispatched again, as (job id, index):

        - running under a claim older than `stale_before`: the process running them died (they
          go back to queued);
        - queued and never dispatched, in a job created before `undispatched_before` (the API
          process died between storing the job and handing it to the broker); with
          `undispatched_before=None`, every queued cluster: an in-process pool's queue does not
          outlive its process.

        Each cluster is taken by a conditional update, so of several processes starting
        together only one gets it (with an in-process pool, a queued cluster may go to several:
        `claim` then lets only one of them run it).
        """
        abandoned = and_(JobClusterRow.status == RUNNING, JobClusterRow.claimed_at < stale_before)
        if undispatched_before is None:
            waiting = JobClusterRow.status == QUEUED
        else:
            waiting = and_(
                JobClusterRow.status == QUEUED,
                JobClusterRow.dispatched_at.is_(None),
                JobClusterRow.job_id.in_(select(JobRow.id).where(JobRow.created_at < undispatched_before)),
            )
        with self._sessions() as session:
            found = session.execute(
                select(JobClusterRow.job_id, JobClusterRow.cluster_index, JobClusterRow.status)
                .where(or_(abandoned, waiting))
                .order_by(JobClusterRow.job_id, JobClusterRow.cluster_index)
            ).all()
        taken = []
        for job_id, index, status in found:
            if status == QUEUED and undispatched_before is None:
                taken.append((job_id, index))
                continue
            condition = (
                abandoned
                if status == RUNNING
                else and_(JobClusterRow.status == QUEUED, JobClusterRow.dispatched_at.is_(None))
            )
            with self._sessions.begin() as session:
                if _rows_changed(
                    session,
                    update(JobClusterRow)
                    .where(JobClusterRow.job_id == job_id, JobClusterRow.cluster_index == index, condition)
                    .values(status=QUEUED, claimed_at=None, dispatched_at=datetime.now(UTC)),
                ):
                    taken.append((job_id, index))
        return taken
