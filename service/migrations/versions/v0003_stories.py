"""Stories: ingested articles, the stories they joined, briefing versions, feeds and fetches
(service/stories/store.py).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

JSON_DOCUMENT = sa.JSON().with_variant(JSONB(), "postgresql")
MOMENT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "stories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("headline", sa.Text(), nullable=False),
        sa.Column("outlets", JSON_DOCUMENT, nullable=False),
        sa.Column("article_count", sa.Integer(), nullable=False),
        sa.Column("first_seen", MOMENT, nullable=False),
        sa.Column("last_seen", MOMENT, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_stories_last_seen", "stories", ["last_seen"])
    op.create_table(
        "feeds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("url_hash", sa.String(64), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("next_poll_at", MOMENT, nullable=False),
        sa.Column("last_polled_at", MOMENT, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("articles_added", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("url_hash"),
    )
    op.create_index("ix_feeds_next_poll_at", "feeds", ["next_poll_at"])
    op.create_table(
        "articles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("seen_at", MOMENT, nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("content_type", sa.String(8), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("published", sa.Text(), nullable=True),
        sa.Column("url_hash", sa.String(64), nullable=True),
        sa.Column("requested_url_hash", sa.String(64), nullable=True),
        sa.Column("feed_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key_hash"),
        sa.ForeignKeyConstraint(["story_id"], ["stories.id"]),
        sa.ForeignKeyConstraint(["feed_id"], ["feeds.id"]),
    )
    op.create_index("ix_articles_story_id", "articles", ["story_id"])
    op.create_index("ix_articles_seen_at", "articles", ["seen_at"])
    op.create_index("ix_articles_url_hash", "articles", ["url_hash"])
    op.create_index("ix_articles_requested_url_hash", "articles", ["requested_url_hash"])
    op.create_table(
        "story_briefings",
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("article_count", sa.Integer(), nullable=False),
        sa.Column("article_ids", JSON_DOCUMENT, nullable=False),
        sa.Column("job_id", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("story_id", "version"),
        sa.ForeignKeyConstraint(["story_id"], ["stories.id"]),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"]),
    )
    op.create_table(
        "fetches",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_at", MOMENT, nullable=True),
        sa.Column("finished_at", MOMENT, nullable=True),
        sa.Column("article_id", sa.Integer(), nullable=True),
        sa.Column("duplicate", sa.Boolean(), nullable=True),
        sa.Column("field", sa.String(300), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"]),
    )
    op.create_index("ix_fetches_status", "fetches", ["status"])


def downgrade() -> None:
    op.drop_index("ix_fetches_status", table_name="fetches")
    op.drop_table("fetches")
    op.drop_table("story_briefings")
    for index in (
        "ix_articles_requested_url_hash",
        "ix_articles_url_hash",
        "ix_articles_seen_at",
        "ix_articles_story_id",
    ):
        op.drop_index(index, table_name="articles")
    op.drop_table("articles")
    op.drop_index("ix_feeds_next_poll_at", table_name="feeds")
    op.drop_table("feeds")
    op.drop_index("ix_stories_last_seen", table_name="stories")
    op.drop_table("stories")
