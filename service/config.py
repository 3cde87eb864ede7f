"""The service's settings: defaults here, then instance/config.py, then NEWSBRIEF_* variables.

The briefing defaults (ENGINE, MODEL, MAX_WORDS, PROFILE, ...) are the fields of
`SummaryOptions` in upper case, so NEWSBRIEF_ENGINE or NEWSBRIEF_MODEL mean the same
to the service as to the command line.
"""

from __future__ import annotations

import os
from dataclasses import asdict, fields
from urllib.parse import urlsplit

from flask import Flask

from summarizer import InputError, SummaryOptions

OPTION_KEYS = {f.name.upper(): f.name for f in fields(SummaryOptions)}
MODEL_LOADING = ("lazy", "startup")
REDIS_SCHEMES = ("redis", "rediss", "unix")

DEFAULTS = {
    # None: a SQLite file in the instance folder, so nothing has to run beside the service.
    "DATABASE_URL": None,
    # Models a request may ask for (a list, or a comma-separated string from the environment);
    # None: only MODEL. MODEL is always allowed and listed first.
    "MODELS": None,
    "MAX_ARTICLES": 50,
    # Characters of one article's text or HTML: a long feature is about 60,000.
    "MAX_ARTICLE_CHARS": 100_000,
    # Flask's own limit on a request body; larger bodies are answered 413.
    "MAX_CONTENT_LENGTH": 8 * 1024 * 1024,
    # "lazy": the model loads on the first request that needs it; "startup": in the
    # background as the process starts (GET /readyz answers 503 until it is done).
    "MODEL_LOADING": "lazy",
    # torch threads for generation in this process (None: torch's default, all cores);
    # the gunicorn configuration sets it to cores // workers.
    "TORCH_THREADS": None,
    # Asynchronous jobs (POST /v1/jobs). None: no broker, jobs run on JOB_THREADS threads inside
    # each API process; redis://host:6379/0: on Celery workers (`newsbrief worker`).
    "REDIS_URL": None,
    "JOBS_QUEUE": "newsbrief-jobs",
    "JOB_THREADS": 2,
    "MAX_JOB_CLUSTERS": 1000,
    # A job body carries many clusters, so it has its own limit instead of MAX_CONTENT_LENGTH.
    "MAX_JOB_CONTENT_LENGTH": 64 * 1024 * 1024,
    # Back-pressure: past this many clusters waiting or running, POST /v1/jobs answers 503.
    "MAX_QUEUED_CLUSTERS": 10_000,
    # Seconds a client is told to wait (Retry-After) when the queue is full or the broker is down.
    "RETRY_AFTER": 30,
    # Seconds before the broker hands a cluster whose worker died (no acknowledgement) to another
    # worker; also the age at which a restarted API treats a running cluster as abandoned.
    # Well above one generation.
    "VISIBILITY_TIMEOUT": 3600,
    # Retries of a cluster after a transient error (the database unreachable), the first after
    # JOB_RETRY_DELAY seconds, then doubling.
    "JOB_RETRIES": 5,
    "JOB_RETRY_DELAY": 2.0,
    # Extra Celery settings can come as CELERY = {...} in instance/config.py or as
    # NEWSBRIEF_CELERY__name=value (no default here: Flask fills that dict in place); the ones
    # jobs rely on are set from the settings above and checked (see celery_settings).
    **{name.upper(): value for name, value in asdict(SummaryOptions()).items()},
}


class ConfigError(ValueError):
    """A setting is unusable: the service refuses to start rather than fail on requests."""


def _model_list(value: object, default_model: str) -> list[str]:
    if value is None or value == "":
        names: list[str] = []
    elif isinstance(value, str):
        names = [name.strip() for name in value.split(",") if name.strip()]
    elif isinstance(value, (list, tuple)) and all(isinstance(name, str) for name in value):
        names = [name.strip() for name in value if name.strip()]
    else:
        raise ConfigError(f"NEWSBRIEF_MODELS must be a comma-separated list of model names, not {value!r}")
    return list(dict.fromkeys([default_model, *names]))


def _positive_int(app: Flask, key: str) -> None:
    value = app.config[key]
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ConfigError(f"NEWSBRIEF_{key} must be a positive whole number, not {value!r}")


def _positive_number(app: Flask, key: str) -> None:
    value = app.config[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ConfigError(f"NEWSBRIEF_{key} must be a positive number, not {value!r}")


# What "nothing lost" rests on: a message is acknowledged only after its task has finished,
# is handed back when the worker process dies, and a worker holds one message at a time.
RELIABILITY = {
    "task_acks_late": True,
    "task_reject_on_worker_lost": True,
    "worker_prefetch_multiplier": 1,
}


def celery_settings(config: dict) -> dict:
    """app.config["CELERY"] for Flask's Celery idiom: the broker, the queue and RELIABILITY."""
    visibility = config["VISIBILITY_TIMEOUT"]
    extra = config.get("CELERY") or {}
    if not isinstance(extra, dict):
        raise ConfigError(f"NEWSBRIEF_CELERY must be a mapping of Celery settings, not {extra!r}")
    overridden = [key for key in RELIABILITY if key in extra and extra[key] != RELIABILITY[key]]
    if overridden:
        raise ConfigError(f"NEWSBRIEF_CELERY may not change {', '.join(overridden)}: jobs would lose clusters")
    return {
        "broker_url": config["REDIS_URL"],
        "task_default_queue": config["JOBS_QUEUE"],
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
            "unacked_restore_interval": max(1, min(10, int(visibility) // 10)),
            "unacked_restore_throttle": 1,
        },
    }


def finalize(app: Flask) -> None:
    """Fill derived settings and check every value, raising ConfigError at start-up."""
    config = app.config
    try:
        defaults = SummaryOptions(**{name: config[key] for key, name in OPTION_KEYS.items()})
    except (InputError, TypeError) as err:
        raise ConfigError(f"bad briefing default: {err}") from None
    config["SUMMARY_DEFAULTS"] = defaults
    config["MODELS"] = _model_list(config["MODELS"], defaults.model)
    for key in (
        "MAX_ARTICLES",
        "MAX_ARTICLE_CHARS",
        "MAX_CONTENT_LENGTH",
        "JOB_THREADS",
        "MAX_JOB_CLUSTERS",
        "MAX_JOB_CONTENT_LENGTH",
        "MAX_QUEUED_CLUSTERS",
        "RETRY_AFTER",
        "VISIBILITY_TIMEOUT",
    ):
        _positive_int(app, key)
    _positive_number(app, "JOB_RETRY_DELAY")
    retries = config["JOB_RETRIES"]
    if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
        raise ConfigError(f"NEWSBRIEF_JOB_RETRIES must be a whole number, 0 or more, not {retries!r}")
    if config["MAX_QUEUED_CLUSTERS"] < config["MAX_JOB_CLUSTERS"]:
        raise ConfigError(
            "NEWSBRIEF_MAX_QUEUED_CLUSTERS must be at least NEWSBRIEF_MAX_JOB_CLUSTERS, "
            "or a job of the largest size could never be accepted"
        )
    if config["REDIS_URL"]:
        if not isinstance(config["REDIS_URL"], str) or urlsplit(config["REDIS_URL"]).scheme not in REDIS_SCHEMES:
            raise ConfigError(
                f"NEWSBRIEF_REDIS_URL must be a {', '.join(REDIS_SCHEMES)} URL, not {config['REDIS_URL']!r}"
            )
        config["CELERY"] = celery_settings(config)
    if config["TORCH_THREADS"] is not None:
        _positive_int(app, "TORCH_THREADS")
    if config["MODEL_LOADING"] not in MODEL_LOADING:
        raise ConfigError(
            f"NEWSBRIEF_MODEL_LOADING must be one of {', '.join(MODEL_LOADING)}, not {config['MODEL_LOADING']!r}"
        )
    if not config["DATABASE_URL"]:
        config["DATABASE_URL"] = "sqlite:///" + os.path.join(app.instance_path, "newsbrief.sqlite3")
