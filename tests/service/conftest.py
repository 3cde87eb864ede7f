"""Fixtures of the service tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def stories_app(make_app):
    """make_app whose apps' stories threads (fetches, polls, scheduler) stop with the test."""
    made = []

    def make(**settings):
        app = make_app(**settings)
        made.append(app)
        return app

    yield make
    for app in made:
        app.extensions["newsbrief.story_scheduler"].close()
