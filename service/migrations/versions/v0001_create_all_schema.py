"""The schema as SQLAlchemy's create_all made it before there were migrations.

A database made then has these tables and no alembic_version table: service.migrations stamps
it with this revision instead of running it. So this must stay exactly that schema, on SQLite
and on PostgreSQL (JSONB there); later changes go in later revisions.

Revision ID: 0001
Revises: none
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

JSON_DOCUMENT = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "briefings",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("engine", sa.String(16), nullable=False),
        sa.Column("model", sa.String(500), nullable=True),
        sa.Column("request", JSON_DOCUMENT, nullable=False),
        sa.Column("briefing", JSON_DOCUMENT, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("content_hash"),
    )
    op.create_table(
        "jobs",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("idempotency_key", sa.String(255), nullable=True),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("options", JSON_DOCUMENT, nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("idempotency_key"),
    )
    op.create_table(
        "job_clusters",
        sa.Column("job_id", sa.String(32), nullable=False),
        sa.Column("cluster_index", sa.Integer(), nullable=False),
        sa.Column("cluster_id", sa.String(2000), nullable=False),
        sa.Column("articles", JSON_DOCUMENT, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("dispatched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("briefing_id", sa.String(32), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("error_field", sa.String(300), nullable=True),
        sa.PrimaryKeyConstraint("job_id", "cluster_index"),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"]),
        sa.ForeignKeyConstraint(["briefing_id"], ["briefings.id"]),
    )
    op.create_index("ix_job_clusters_status", "job_clusters", ["status"])


def downgrade() -> None:
    op.drop_index("ix_job_clusters_status", table_name="job_clusters")
    op.drop_table("job_clusters")
    op.drop_table("jobs")
    op.drop_table("briefings")
