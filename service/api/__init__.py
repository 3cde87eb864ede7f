"""One blueprint per resource; create_app registers them in this order."""

from __future__ import annotations

from . import briefings, docs, health, jobs, metrics, models

BLUEPRINTS = (briefings.bp, jobs.bp, models.bp, health.bp, metrics.bp, docs.bp)
