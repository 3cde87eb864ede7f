"""Revision 0003 (the stories' tables) and those after it up and down, keeping the rows of the tables before it, on
SQLite and PostgreSQL (a loud skip without NEWSBRIEF_TEST_DATABASE_URL, as in test_migrations.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from helpers.databases import fresh_postgres
from sqlalchemy import Engine, MetaData, Table, inspect, text

from service import migrations
from service.database import Base, Database, make_engine
from service.jobs.store import JobClusterRow, JobRow
from service.stories.store import ArticleRow, FeedRow, FetchRow, StoryBriefingRow, StoryRow
from summarizer import SummaryOptions

STORY_TABLES = {model.__tablename__ for model in (StoryRow, FeedRow, ArticleRow, StoryBriefingRow, FetchRow)}
ARTICLES = [{"id": "a", "title": "T", "text": "A thing happened.", "url": None, "source": None}]
FLOODS = {
    "title": "Floods kill 12 in the northern province",
    "text": "Floods killed 12 people in the northern province on Monday, officials said.",
    "source": "Wire",
}


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'stories.sqlite3'}" if request.param == "sqlite" else fresh_postgres()


def schema_diff(engine: Engine, metadata: MetaData) -> list:
    with engine.connect() as connection:
        return compare_metadata(MigrationContext.configure(connection), metadata)


def job_at_0002(engine: Engine) -> None:
    """A job with one cluster, written as revision 0002's tables hold it (today's JobStore writes
    columns that later revisions add)."""
    jobs = Table(JobRow.__tablename__, MetaData(), autoload_with=engine)
    clusters = Table(JobClusterRow.__tablename__, MetaData(), autoload_with=engine)
    options = SummaryOptions(engine="extractive").model_dump()
    now = datetime.now(UTC)
    with engine.begin() as connection:
        connection.execute(
            jobs.insert().values(
                id="j" * 32, created_at=now, idempotency_key="key", request_hash="r" * 64, options=options
            )
        )
        connection.execute(
            clusters.insert().values(
                job_id="j" * 32, cluster_index=0, cluster_id="c0", articles=ARTICLES, status="queued", attempts=0
            )
        )


def test_0003_adds_the_stories_tables_and_removes_them_keeping_the_rest(database_url, make_app):
    engine = make_engine(database_url)
    head = migrations.head_revision()
    try:
        migrations.upgrade(engine, "0002")
        job_at_0002(engine)

        assert migrations.upgrade(engine, "0003") == ("0002", "0003")
        assert set(inspect(engine).get_table_names()) >= STORY_TABLES
        assert migrations.upgrade(engine) == ("0003", head)
        assert schema_diff(engine, Base.metadata) == []
        client = make_app(DATABASE_URL=database_url).test_client()
        stored = client.post("/v1/articles", json={"articles": [FLOODS]})
        assert stored.status_code == 201
        client.application.extensions["newsbrief.story_scheduler"].close()
        client.application.extensions["newsbrief.database"].engine.dispose()

        assert migrations.downgrade(engine, "0002") == (head, "0002")
        assert STORY_TABLES.isdisjoint(inspect(engine).get_table_names())
        database = Database(database_url)
        with database.engine.connect() as connection:  # the jobs are kept (the app took this one up)
            kept = connection.execute(text("SELECT id FROM jobs WHERE idempotency_key = 'key'")).scalars().all()
            cluster_ids = connection.execute(text("SELECT cluster_id FROM job_clusters")).scalars().all()
        assert kept == ["j" * 32] and cluster_ids == ["c0"]
        database.engine.dispose()

        assert migrations.upgrade(engine) == ("0002", head)
        assert schema_diff(engine, Base.metadata) == []
        client = make_app(DATABASE_URL=database_url).test_client()
        assert client.get("/v1/stories").get_json()["stories"] == []  # a fresh start: the stories went with 0003
        assert client.post("/v1/articles", json={"articles": [FLOODS]}).status_code == 201
        client.application.extensions["newsbrief.story_scheduler"].close()
    finally:
        engine.dispose()
