"""The service's settings: the library's (summarizer/settings.py) plus the service's, from NEWSBRIEF_*
variables, checked once at start-up.

`create_app`, the gunicorn configuration and `newsbrief worker` all read this one object; the
app also publishes each value in app.config under its upper-case name (MAX_ARTICLES, MODELS,
...), with SUMMARY_DEFAULTS (the briefing defaults as SummaryOptions) and CELERY (Celery's
settings) derived from them.
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, Self
from urllib.parse import urlsplit

from pydantic import Field, NonNegativeInt, PositiveFloat, PositiveInt, field_validator, model_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from summarizer.settings import InvalidSettings, Settings, variable_name

if TYPE_CHECKING:
    from flask import Flask

REDIS_SCHEMES = ("redis", "rediss", "unix")

# What "nothing lost" rests on: a message is acknowledged only after its task has finished,
# is handed back when the worker process dies, and a worker holds one message at a time.
RELIABILITY = {
    "task_acks_late": True,
    "task_reject_on_worker_lost": True,
    "worker_prefetch_multiplier": 1,
}


class ConfigError(InvalidSettings):
    """A setting is unusable: the service refuses to start rather than fail on requests."""


class ServiceSettings(Settings):
    """Every setting of the service; a field `name` comes from NEWSBRIEF_NAME."""

    # NEWSBRIEF_CELERY__name=value sets one Celery setting.
    model_config = SettingsConfigDict(env_nested_delimiter="__")
    error_class: ClassVar[type[InvalidSettings]] = ConfigError

    # None: a SQLite file in the instance folder, so nothing has to run beside the service.
    database_url: str | None = None
    # The folder of that SQLite file; None: Flask's, instance/ beside the service package.
    instance_path: str | None = None
    # Models a request may ask for (a comma-separated string from the environment); the default
    # model is always allowed and listed first.
    models: Annotated[list[str], NoDecode] = []
    max_articles: PositiveInt = 50
    # Characters of one article's text or HTML: a long feature is about 60,000.
    max_article_chars: PositiveInt = 100_000
    # Flask's own limit on a request body; larger bodies are answered 413.
    max_content_length: PositiveInt = 8 * 1024 * 1024
    # "lazy": the model loads on the first request that needs it; "startup": in the background
    # as the process starts (GET /readyz answers 503 until it is done).
    model_loading: Literal["lazy", "startup"] = "lazy"

    # Asynchronous jobs (POST /v1/jobs). None: no broker, jobs run on job_threads threads inside
    # each API process; redis://host:6379/0: on Celery workers (`newsbrief worker`).
    redis_url: str | None = None
    jobs_queue: str = Field("newsbrief-jobs", min_length=1)
    job_threads: PositiveInt = 2
    max_job_clusters: PositiveInt = 1000
    # A job body carries many clusters, so it has its own limit instead of max_content_length.
    max_job_content_length: PositiveInt = 64 * 1024 * 1024
    # Back-pressure: past this many clusters waiting or running, POST /v1/jobs answers 503.
    max_queued_clusters: PositiveInt = 10_000
    # Seconds a client is told to wait (Retry-After) when the queue is full or the broker is down.
    retry_after: PositiveInt = 30
    # Seconds before the broker hands a cluster whose worker died (no acknowledgement) to another
    # worker; also the age at which a restarted API treats a running cluster as abandoned.
    # Well above one generation.
    visibility_timeout: PositiveInt = 3600
    # Retries of a cluster after a transient error (the database unreachable), the first after
    # job_retry_delay seconds, then doubling.
    job_retries: NonNegativeInt = 5
    job_retry_delay: PositiveFloat = 2.0
    # Extra Celery settings; the ones jobs rely on are set from the settings above (celery_settings).
    celery: Annotated[dict[str, Any], NoDecode] = {}
    # Pool processes of `newsbrief worker`, each with its own model.
    worker_concurrency: PositiveInt = 1

    # gunicorn (service/gunicorn_conf.py): each worker process has its own model.
    bind: str = "0.0.0.0:8000"
    workers: PositiveInt = 2
    threads: PositiveInt = 4
    # Longer than one generation on a busy CPU (beam search on a long cluster can take minutes).
    timeout: PositiveInt = 300

    @field_validator("models", mode="before")
    @classmethod
    def _split_model_names(cls, value: object) -> object:
        if value is None:
            return []
        return value.split(",") if isinstance(value, str) else value

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, url: str | None) -> str | None:
        if url and urlsplit(url).scheme not in REDIS_SCHEMES:
            raise ValueError(f"must be a redis://, rediss:// or unix:// URL, not {url!r}")
        return url or None

    @field_validator("celery", mode="before")
    @classmethod
    def _celery_values_from_text(cls, value: object) -> object:
        # A variable's value is text: read it as JSON where it is one (3, true, {...}), as the
        # JSON object of NEWSBRIEF_CELERY or the value of one NEWSBRIEF_CELERY__name.
        if isinstance(value, str):
            return _json_or_text(value)
        if isinstance(value, dict):
            return {name: _json_or_text(item) if isinstance(item, str) else item for name, item in value.items()}
        return value

    @field_validator("celery")
    @classmethod
    def _celery_keeps_reliability(cls, extra: dict[str, Any]) -> dict[str, Any]:
        changed = [name for name, value in RELIABILITY.items() if name in extra and extra[name] != value]
        if changed:
            raise ValueError(f"may not change {', '.join(changed)}: jobs would lose clusters")
        return extra

    @model_validator(mode="after")
    def _queue_holds_the_largest_job(self) -> Self:
        if self.max_queued_clusters < self.max_job_clusters:
            raise ValueError(
                f"{variable_name('max_queued_clusters')} ({self.max_queued_clusters}) must be at least "
                f"{variable_name('max_job_clusters')} ({self.max_job_clusters}), "
                "or a job of the largest size could never be accepted"
            )
        return self

    @model_validator(mode="after")
    def _default_model_first(self) -> Self:
        self.models = list(dict.fromkeys([self.model, *(name.strip() for name in self.models if name.strip())]))
        return self


def _json_or_text(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def celery_settings(settings: ServiceSettings) -> dict[str, Any]:
    """app.config["CELERY"] for Flask's Celery idiom: the broker, the queue and RELIABILITY."""
    visibility = settings.visibility_timeout
    extra = settings.celery
    return {
        "broker_url": settings.redis_url,
        "task_default_queue": settings.jobs_queue,
        # Results live in the database; the broker only carries (job id, cluster index).
        "task_ignore_result": True,
        "broker_connection_retry_on_startup": True,
        # The broker redelivers unacknowledged tasks of a lost connection; running them on too
        # would run them twice.
        "worker_cancel_long_running_tasks_on_connection_loss": True,
        **extra,
        **RELIABILITY,
        "broker_transport_options": {
            **extra.get("broker_transport_options", {}),
            "visibility_timeout": visibility,
            # kombu sweeps for unacknowledged messages older than the visibility timeout every
            # interval x throttle seconds (10 x 10 by default); a tenth of the timeout, at most 10 s,
            # so a dead worker's task comes back soon after the timeout.
            "unacked_restore_interval": max(1, min(10, visibility // 10)),
            "unacked_restore_throttle": 1,
        },
    }


def share_cores(processes: int, settings: Settings) -> int:
    """Torch threads for each of `processes` processes that each load a model (gunicorn workers,
    Celery pool processes): NEWSBRIEF_TORCH_THREADS when set, else an equal share of this
    process's cores, so they do not all start one thread per core and fight over the same cores.

    Exported as NEWSBRIEF_TORCH_THREADS (and OMP_NUM_THREADS) for those processes, which read it
    before they import torch."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    threads = settings.torch_threads or max(1, cores // processes)
    os.environ[variable_name("torch_threads")] = str(threads)
    os.environ.setdefault("OMP_NUM_THREADS", str(threads))
    return threads


def init_app(app: Flask, settings: ServiceSettings) -> None:
    """Resolve what depends on the app (its instance folder), keep the settings in
    app.extensions["newsbrief.settings"] and publish them in app.config."""
    database_url = settings.database_url or "sqlite:///" + os.path.join(app.instance_path, "newsbrief.sqlite3")
    settings = settings.model_copy(update={"instance_path": app.instance_path, "database_url": database_url})
    app.extensions["newsbrief.settings"] = settings
    app.config.from_mapping({name.upper(): value for name, value in settings})
    app.config["SUMMARY_DEFAULTS"] = settings.summary_options()
    app.config["CELERY"] = celery_settings(settings)
