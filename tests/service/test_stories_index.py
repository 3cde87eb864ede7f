"""The story index each process keeps (service.stories.ingestion.StoryIndex): the database is the record,
several indexes on one database stand for several processes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from helpers.story_server import FLOODS_LOCAL, FLOODS_RADIO, FLOODS_WIRE, RATES, TOPICS
from sqlalchemy import update

from service import migrations
from service.database import Database
from service.stories.ingestion import Incoming, StoryIndex
from service.stories.store import ArticleRow, StoryRow, StoryStore
from summarizer import Article

WINDOW = timedelta(days=3)


def article(fields: dict) -> Incoming:
    return Incoming(
        Article(id="", title=fields["title"], text=fields["text"], url=fields.get("url"), source=fields.get("source"))
    )


@pytest.fixture
def store(tmp_path):
    database = Database(f"sqlite:///{tmp_path / 'index.sqlite3'}")
    migrations.upgrade(database.engine)
    yield StoryStore(database)
    database.engine.dispose()


def test_an_index_whose_story_numbers_clash_with_another_processes_starts_over(store):
    """B never saw the old story 1 (outside its window when it was built), so it numbers a story
    of its own 1 (stored as 2). When A then stores an article in story 1, B cannot replay it under
    that number: it rebuilds, and the next article about that event joins story 1."""
    a, b = StoryIndex(WINDOW), StoryIndex(WINDOW)
    [wire] = a.ingest(store, [article(FLOODS_WIRE)])
    assert wire.story_id == 1
    old = datetime.now(UTC) - 2 * WINDOW
    with store.engine.begin() as connection:
        connection.execute(update(ArticleRow).values(seen_at=old))
        connection.execute(update(StoryRow).values(first_seen=old, last_seen=old))

    [rates] = b.ingest(store, [article(RATES)])
    assert rates.story_id == 2 and b.rebuilds == 1

    [local] = a.ingest(store, [article(FLOODS_LOCAL)])  # A still holds story 1 open
    assert local.story_id == 1 and a.rebuilds == 1

    [radio] = b.ingest(store, [article(FLOODS_RADIO)])
    assert b.rebuilds == 2 and radio.story_id == 1
    [again] = b.ingest(store, [article(RATES | {"title": "Rates rise again", "text": RATES["text"] + " More."})])
    assert again.story_id == 2 and b.rebuilds == 2


def test_indexes_keep_up_with_each_other_without_rebuilding(store):
    a, b = StoryIndex(WINDOW), StoryIndex(WINDOW)
    ids = []
    for n, (title, text) in enumerate(TOPICS):
        index = a if n % 2 else b
        [first] = index.ingest(store, [article({"title": title, "text": text})])
        other = b if n % 2 else a
        [second] = other.ingest(store, [article({"title": title, "text": text + " Officials confirmed it."})])
        assert second.story_id == first.story_id and not second.duplicate
        ids.append(first.story_id)
    assert ids == list(range(1, len(TOPICS) + 1)) and (a.rebuilds, b.rebuilds) == (1, 1)
    assert store.story_of(1) == 1
