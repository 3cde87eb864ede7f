"""Revision 0003 (the stories' tables) up and down, keeping the rows of the tables before it, on
SQLite and PostgreSQL (a loud skip without NEWSBRIEF_TEST_DATABASE_URL, as in test_migrations.py)."""

from __future__ import annotations

from dataclasses import asdict

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from helpers.databases import fresh_postgres
from sqlalchemy import Engine, MetaData, inspect

from service import migrations
from service.job_storage import JobStore, NewCluster
from service.storage import Base, Storage, make_engine
from service.story_storage import ArticleRow, FeedRow, FetchRow, StoryBriefingRow, StoryRow
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


def without_stories() -> MetaData:
    """The models' schema before revision 0003."""
    before = MetaData()
    for table in Base.metadata.sorted_tables:
        if table.name not in STORY_TABLES:
            table.to_metadata(before)
    return before


def test_0003_adds_the_stories_tables_and_removes_them_keeping_the_rest(database_url, make_app):
    engine = make_engine(database_url)
    try:
        migrations.upgrade(engine, "0002")
        storage = Storage(database_url)
        options = asdict(SummaryOptions(engine="extractive"))
        job, _ = JobStore(storage).create([NewCluster("c0", ARTICLES)], options, "r" * 64, "key")
        storage.engine.dispose()

        assert migrations.upgrade(engine) == ("0002", "0003")
        assert set(inspect(engine).get_table_names()) >= STORY_TABLES
        assert schema_diff(engine, Base.metadata) == []
        client = make_app(DATABASE_URL=database_url).test_client()
        stored = client.post("/v1/articles", json={"articles": [FLOODS]})
        assert stored.status_code == 201
        client.application.extensions["newsbrief.stories"].close()
        client.application.extensions["newsbrief.storage"].engine.dispose()

        assert migrations.downgrade(engine, "0002") == ("0003", "0002")
        assert STORY_TABLES.isdisjoint(inspect(engine).get_table_names())
        assert schema_diff(engine, without_stories()) == []
        storage = Storage(database_url)
        kept = JobStore(storage).find_by_key("key")  # the jobs are kept (the app took this one up)
        assert kept is not None and kept.id == job.id and [c.id for c in kept.clusters] == ["c0"]
        storage.engine.dispose()

        assert migrations.upgrade(engine) == ("0002", "0003")
        assert schema_diff(engine, Base.metadata) == []
        client = make_app(DATABASE_URL=database_url).test_client()
        assert client.get("/v1/stories").get_json()["stories"] == []  # a fresh start: the stories went with 0003
        assert client.post("/v1/articles", json={"articles": [FLOODS]}).status_code == 201
        client.application.extensions["newsbrief.stories"].close()
    finally:
        engine.dispose()
