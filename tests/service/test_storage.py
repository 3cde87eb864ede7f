"""Storage against SQLite and PostgreSQL.

PostgreSQL runs when NEWSBRIEF_TEST_DATABASE_URL is set (`eval "$(.ci/start-postgres | tail -n 1)"`).
Without it the PostgreSQL cases are skipped with a loud reason in the summary, and under CI
(CI=true) they fail instead: CI must test the real server.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone

import pytest
from helpers.databases import fresh_postgres, migrated
from sqlalchemy import inspect

from service.briefings.store import BriefingRow, BriefingStore
from service.database import Database


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    """A database with the newest schema, as `newsbrief db upgrade` leaves it."""
    return migrated(f"sqlite:///{tmp_path / 'storage.sqlite3'}" if request.param == "sqlite" else fresh_postgres())


@pytest.fixture
def database(database_url):
    database = Database(database_url)
    yield database
    database.engine.dispose()


@pytest.fixture
def storage(database):
    return BriefingStore(database)


BRIEFING = {
    "engine": "extractive",
    "model": None,
    "text": "A thing happened. [1][2]",
    "sentences": [],
    "stats": {"articles": 2},
}
REQUEST = {"articles": [{"id": "a", "text": "é – “quoted” ✓"}], "options": {"max_words": 150}}


def test_tables_are_created(database):
    assert "briefings" in inspect(database.engine).get_table_names()
    assert database.ping()


def test_add_then_get_and_find(storage):
    stored, created = storage.add("h" * 64, REQUEST, BRIEFING)
    assert created
    assert storage.get(stored.id) == stored
    assert storage.find("h" * 64) == stored
    assert stored.request == REQUEST and stored.briefing == BRIEFING  # JSON round trip, Unicode included
    assert stored.created_at.tzinfo is not None
    assert abs((datetime.now(UTC) - stored.created_at).total_seconds()) < 60


def test_missing_ids_and_hashes(storage):
    assert storage.get("0" * 32) is None
    assert storage.find("0" * 64) is None


def test_the_same_hash_is_stored_once(storage):
    first, created = storage.add("a" * 64, REQUEST, BRIEFING)
    second, created_again = storage.add("a" * 64, REQUEST, {**BRIEFING, "text": "other"})
    assert (created, created_again) == (True, False)
    assert second == first


def test_racing_writers_of_one_request_all_get_the_first_row(storage):
    results, barrier = [], threading.Barrier(4)

    def write():
        barrier.wait()
        results.append(storage.add("r" * 64, REQUEST, BRIEFING))

    threads = [threading.Thread(target=write) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(results) == 4
    assert len({stored.id for stored, _ in results}) == 1
    assert sum(created for _, created in results) == 1


def test_the_password_is_hidden_in_the_url(database_url):
    database = Database(database_url)
    try:
        if database.engine.url.password:
            assert f":{database.engine.url.password}@" not in database.url and ":***@" in database.url
    finally:
        database.engine.dispose()


def test_the_api_end_to_end_on_each_database(make_app, database_url, seed_request):
    client = make_app(DATABASE_URL=database_url).test_client()
    created = client.post("/v1/briefings", json=seed_request)
    assert created.status_code == 201
    assert client.get(created.headers["Location"]).get_json() == created.get_json()
    assert client.post("/v1/briefings", json=seed_request).status_code == 200
    assert client.get("/readyz").get_json()["database"] == "ok"


def test_times_are_read_back_aware_in_utc(storage):
    stored, _ = storage.add("t" * 64, REQUEST, BRIEFING)
    again = storage.get(stored.id)
    assert again is not None and again.created_at == stored.created_at
    assert again.created_at.tzinfo is UTC  # SQLite keeps no zone; the column type puts UTC back


def test_a_time_in_another_zone_is_stored_as_the_same_instant(database, storage):
    """UtcDateTime converts on the way in: SQLite would otherwise keep the wall-clock time and
    drop the offset, two hours off here."""
    two_hours_east = datetime(2026, 1, 1, 12, tzinfo=timezone(timedelta(hours=2)))
    with database.sessions.begin() as session:
        session.add(
            BriefingRow(
                id="z" * 32,
                content_hash="z" * 64,
                created_at=two_hours_east,
                engine="extractive",
                model=None,
                request=REQUEST,
                briefing=BRIEFING,
            )
        )
    stored = storage.get("z" * 32)
    assert stored is not None and stored.created_at == datetime(2026, 1, 1, 10, tzinfo=UTC)
    assert stored.created_at.tzinfo is UTC
