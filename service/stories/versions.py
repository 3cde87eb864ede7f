"""A story's briefing versions.

A story's briefing is made when it has articles from at least two outlets, and made again when it
has grown since its last version; each version is a job of one cluster (service/jobs/runner.py's
machinery, visible at /v1/jobs/<id>), kept in `story_briefings`. While one version is queued or
running no other is started; the scheduler's tick (service/stories/scheduling.py) starts the
next for a story that grew meanwhile.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import UTC, datetime, timedelta

from flask import Flask
from sqlalchemy.exc import SQLAlchemyError

from ..jobs.runner import DispatchError, dispatch
from ..jobs.store import PENDING, JobStore, NewCluster
from ..settings import briefing_defaults, current_settings
from .ingestion import row_article
from .store import StoryBriefingRow, StoryStore, url_digest

log = logging.getLogger(__name__)

# Stories briefed at most per tick: a bounded amount of work each time.
STORIES_PER_TICK = 100


class BriefingVersions:
    """Starts the stories' briefing versions, as jobs."""

    def __init__(self, app: Flask, stories: StoryStore, window: timedelta):
        self.app = app
        self.stories = stories
        self.window = window

    def brief(self, story_ids: set[int]) -> None:
        for story_id in sorted(story_ids):
            try:
                self.brief_story(story_id)
            except SQLAlchemyError:
                # The story keeps its older briefing; the next tick tries again.
                log.exception("story %d: cannot start its briefing now", story_id)

    def brief_story(self, story_id: int) -> int | None:
        """Start a new briefing version of the story when it has two outlets or more and grew since
        its last version, and no version is under way: the version number, else None."""
        story = self.stories.get(story_id)
        if story is None or len(story.outlets) < 2:
            return None
        latest = self.stories.latest_version(story_id)
        if latest is not None:
            if latest.article_count >= story.article_count:
                return None
            if self.stories.cluster_status(latest.job_id) in PENDING:
                return None
        rows = self.stories.newest_articles(story_id, current_settings(self.app).max_articles)
        article_count = story.article_count
        version = latest.version + 1 if latest else 1
        articles = [asdict(row_article(row)) for row in reversed(rows)]
        store: JobStore = self.app.extensions["newsbrief.jobs"]
        options = briefing_defaults(self.app).model_dump()
        job, _ = store.create(
            [NewCluster(f"story-{story_id}-v{version}", articles)],
            options,
            url_digest(f"story:{story_id}:{version}"),
            None,
        )
        stored = self.stories.add_version(
            StoryBriefingRow(
                story_id=story_id,
                version=version,
                created_at=datetime.now(UTC),
                article_count=article_count,
                article_ids=[row.id for row in rows],
                job_id=job.id,
            )
        )
        if not stored:  # another process started this version meanwhile
            store.delete(job.id)
            return None
        try:
            with self.app.app_context():
                dispatch(job.id, [0])
        except DispatchError as err:
            # The job stays queued in the database: jobs.recover hands it over at the next start.
            log.warning("story %d: briefing version %d queued but not dispatched: %s", story_id, version, err)
        return version

    def stories_to_brief(self) -> list[int]:
        """Stories seen within the window that grew since their last briefing version (at most
        STORIES_PER_TICK)."""
        return self.stories.grown_since_briefed(datetime.now(UTC) - self.window, STORIES_PER_TICK)
