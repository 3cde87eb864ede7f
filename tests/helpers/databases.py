"""The PostgreSQL server the storage tests run against (NEWSBRIEF_TEST_DATABASE_URL, from
.ci/start-postgres): without it, a loud skip, or a failure under CI (CI=true)."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine

from service.storage import Base

POSTGRES_URL = os.environ.get("NEWSBRIEF_TEST_DATABASE_URL")
NOT_TESTED = "PostgreSQL NOT TESTED: set NEWSBRIEF_TEST_DATABASE_URL (run .ci/start-postgres) to test it"


def fresh_postgres() -> str:
    if not POSTGRES_URL:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but NEWSBRIEF_TEST_DATABASE_URL is not set: {NOT_TESTED}")
        pytest.skip(NOT_TESTED)
    engine = create_engine(POSTGRES_URL)
    Base.metadata.drop_all(engine)
    engine.dispose()
    return POSTGRES_URL
