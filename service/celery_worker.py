"""The Celery app that `newsbrief worker` runs (or `celery -A service.celery_worker worker`).

Importing this module builds the Flask app from NEWSBRIEF_* settings, as the API does, so a
worker uses the same database, broker and briefing defaults. NEWSBRIEF_REDIS_URL is required.
The model is loaded once per worker process, when the process starts, not by the first task.
"""

from __future__ import annotations

import logging

from celery.signals import worker_process_init

from summarizer import ModelUnavailable

from . import create_app
from .models.registry import ModelRegistry
from .settings import ConfigError, current_settings

log = logging.getLogger(__name__)

# Lazy here whatever NEWSBRIEF_MODEL_LOADING says: a loading thread in this process would be
# forked into the pool mid-load; each pool process loads the model itself (below).
flask_app = create_app({"MODEL_LOADING": "lazy"})
settings = current_settings(flask_app)
if not settings.redis_url:
    raise ConfigError(
        "NEWSBRIEF_REDIS_URL is not set: a worker needs a broker (redis://host:6379/0); "
        "without one, the API runs jobs in its own process"
    )
celery_app = flask_app.extensions["celery"]


@worker_process_init.connect
def load_default_model(**_) -> None:
    """In each pool process after the fork: torch threads and model weights do not survive one."""
    registry: ModelRegistry = flask_app.extensions["newsbrief.models"]
    defaults = registry.defaults
    if defaults.engine == "extractive":
        return
    try:
        registry.load(defaults.model, defaults.profile_settings.quantize)
    except ModelUnavailable as err:
        log.warning("default model unavailable in this worker: %s", err)
