"""One blueprint per resource; create_app registers them in this order."""

from __future__ import annotations

from . import articles, briefings, docs, feeds, health, jobs, metrics, models, stories

BLUEPRINTS = (
    briefings.bp,
    jobs.bp,
    articles.bp,
    feeds.bp,
    stories.bp,
    models.bp,
    health.bp,
    metrics.bp,
    docs.bp,
)
