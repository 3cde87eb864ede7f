"""The PostgreSQL server the storage tests run against (NEWSBRIEF_TEST_DATABASE_URL, from
.ci/start-postgres): without it, a loud skip, or a failure under CI (CI=true)."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import MetaData, create_engine

from service import migrations
from service.database import make_engine

POSTGRES_URL = os.environ.get("NEWSBRIEF_TEST_DATABASE_URL")
NOT_TESTED = "PostgreSQL NOT TESTED: set NEWSBRIEF_TEST_DATABASE_URL (run .ci/start-postgres) to test it"


def fresh_postgres() -> str:
    """The test server's URL, its database emptied: every table dropped, the models', alembic's
    and any that a test of an older schema made."""
    if not POSTGRES_URL:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but NEWSBRIEF_TEST_DATABASE_URL is not set: {NOT_TESTED}")
        pytest.skip(NOT_TESTED)
    engine = create_engine(POSTGRES_URL)
    tables = MetaData()
    tables.reflect(engine)
    tables.drop_all(engine)
    engine.dispose()
    return POSTGRES_URL


def migrated(url: str) -> str:
    """`url` with its schema brought up to date, as `newsbrief db upgrade` does."""
    engine = make_engine(url)
    try:
        migrations.upgrade(engine)
    finally:
        engine.dispose()
    return url
