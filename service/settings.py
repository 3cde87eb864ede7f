"""The service's settings: the library's (summarizer/settings.py) plus the service's, from NEWSBRIEF_*
variables, checked once at start-up.

`create_app`, the gunicorn configuration and `newsbrief worker` all read this one object. An app
keeps it in app.extensions; its code reads it through `current_settings()`, typed, and nowhere
else (app.config holds only Flask's own keys). The briefing defaults are `briefing_defaults()`,
Celery's settings `celery_settings(settings)`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, Self
from urllib.parse import urlsplit

from limits import parse_many
from pydantic import Field, NonNegativeInt, PositiveFloat, PositiveInt, field_validator, model_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from summarizer import SummaryOptions, merge_options
from summarizer.settings import InvalidSettings, Settings, variable_name

if TYPE_CHECKING:
    from flask import Flask

REDIS_SCHEMES = ("redis", "rediss", "unix")
# Where an app keeps its settings.
EXTENSION = "newsbrief.settings"

# How an API key is kept (in memory, and in NEWSBRIEF_API_KEYS or the keys file when the operator
# prefers not to store the key itself): this prefix and the key's SHA-256 in hexadecimal.
API_KEY_DIGEST_PREFIX = "sha256:"
_API_KEY_DIGEST = re.compile(re.escape(API_KEY_DIGEST_PREFIX) + "[0-9a-f]{64}")
# A key is a bearer credential: short ones could be guessed.
MIN_API_KEY_LENGTH = 16
# The value of a NEWSBRIEF_RATE_LIMIT_* variable that turns the limit off (an empty variable is
# unset, as for every setting, so it means the default).
RATE_LIMIT_OFF = "off"

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

    # Stories (service/stories/): articles and feeds grouped into events, each with its briefing.
    # How URLs are fetched is the library's settings (NEWSBRIEF_FETCH_ALLOW_NETWORKS, ...: tests
    # allow 127.0.0.1/32 to reach their local server), checked as the app starts.
    # Articles one POST /v1/articles may carry (content or URLs to fetch).
    max_ingest_articles: PositiveInt = 500
    # Seconds between two polls of a subscribed feed, and the most new entries one poll ingests.
    feed_poll_interval: PositiveFloat = 900.0
    feed_max_entries: PositiveInt = 50
    max_feeds: PositiveInt = 1000
    # Hours an article stays open for new articles to join its story; older stories are closed.
    story_window_hours: PositiveFloat = 72.0
    # Threads of the in-process pool that fetches and polls when no broker is configured.
    fetch_threads: PositiveInt = 4

    # gunicorn (service/gunicorn_conf.py): each worker process has its own model.
    # Reverse proxies in front of the service that each set X-Forwarded-For and -Proto (nginx in
    # docker-compose.yml: 1): the client's address (for rate limits) is read from them. 0: the
    # socket's address, and those headers are not trusted.
    proxies: NonNegativeInt = 0
    bind: str = "0.0.0.0:8000"
    workers: PositiveInt = 2
    threads: PositiveInt = 4
    # Longer than one generation on a busy CPU (beam search on a long cluster can take minutes).
    timeout: PositiveInt = 300

    # API keys (service/security.py): with any, every /v1/* request needs one. Each entry is a key
    # or its API_KEY_DIGEST_PREFIX digest; validation leaves only digests, so no plain key is kept.
    api_keys: Annotated[list[str], NoDecode] = []
    # A file of keys or digests, one a line, `#` comments; read once, at start-up.
    api_keys_file: Path | None = None
    # /metrics needs a key too (it is open by default, for scrapers).
    metrics_require_key: bool = False
    # Rate limits (Flask-Limiter notation, "60/minute", "10/second;300/hour", or "off") for each
    # client: its API key when keys are configured, else its address. POST /v1/briefings and
    # POST /v1/jobs each have their own; every other route but /healthz, /readyz and /metrics
    # shares the default one.
    rate_limit_briefings: str | None = "60/minute"
    rate_limit_jobs: str | None = "10/minute"
    rate_limit_default: str | None = "600/minute"

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

    @field_validator("api_keys", mode="before")
    @classmethod
    def _split_api_keys(cls, value: object) -> object:
        if value is None:
            return []
        if isinstance(value, str):
            entries = [entry.strip() for entry in value.split(",")]
            if not any(entries):
                raise ValueError("holds no key: give keys separated by commas")
            return [entry for entry in entries if entry]
        return value

    @field_validator("api_keys")
    @classmethod
    def _keep_only_digests(cls, entries: list[str]) -> list[str]:
        return list(dict.fromkeys(stored_api_key(entry, f"key {n}") for n, entry in enumerate(entries, 1)))

    @field_validator("rate_limit_briefings", "rate_limit_jobs", "rate_limit_default", mode="before")
    @classmethod
    def _rate_limit_off(cls, value: object) -> object:
        if isinstance(value, str) and value.strip().lower() in ("", RATE_LIMIT_OFF):
            return None
        return value

    @field_validator("rate_limit_briefings", "rate_limit_jobs", "rate_limit_default")
    @classmethod
    def _rate_limit_notation(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            items = parse_many(value)
        except ValueError:
            raise ValueError(
                f"must be a rate limit such as '60/minute' or '10/second;300/hour', or {RATE_LIMIT_OFF!r}, "
                f"not {value!r}"
            ) from None
        if any(item.amount == 0 for item in items):
            raise ValueError(f"{value!r} would refuse every request: use {RATE_LIMIT_OFF!r} for no limit")
        return value

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
    def _api_keys_from_file(self) -> Self:
        if self.api_keys_file is not None:
            self.api_keys = list(dict.fromkeys([*self.api_keys, *read_api_keys_file(self.api_keys_file)]))
        if self.metrics_require_key and not self.api_keys:
            raise ValueError(
                f"{variable_name('metrics_require_key')} needs API keys: set {variable_name('api_keys')} "
                f"or {variable_name('api_keys_file')}"
            )
        return self

    @model_validator(mode="after")
    def _default_model_first(self) -> Self:
        self.models = list(dict.fromkeys([self.model, *(name.strip() for name in self.models if name.strip())]))
        return self


def api_key_digest(key: str) -> str:
    """How a key is kept and compared: API_KEY_DIGEST_PREFIX and the SHA-256 of its UTF-8 bytes."""
    return API_KEY_DIGEST_PREFIX + hashlib.sha256(key.encode()).hexdigest()


def stored_api_key(entry: str, where: str) -> str:
    """The digest of a configured key, or the configured digest itself; ValueError naming `where`
    (never quoting the entry, which may be a secret) when it can be neither."""
    if entry.lower().startswith(API_KEY_DIGEST_PREFIX):
        if not _API_KEY_DIGEST.fullmatch(entry.lower()):
            raise ValueError(f"{where} starts with {API_KEY_DIGEST_PREFIX!r} but is not followed by 64 hex digits")
        return entry.lower()
    if not (entry.isascii() and entry.isprintable()) or " " in entry:
        raise ValueError(f"{where} must be printable ASCII without spaces, as HTTP headers carry it")
    if len(entry) < MIN_API_KEY_LENGTH:
        raise ValueError(f"{where} is shorter than {MIN_API_KEY_LENGTH} characters: use a long random key")
    return api_key_digest(entry)


def read_api_keys_file(path: Path) -> list[str]:
    """The digests of the keys in `path`: one key or digest a line, then optionally a `# comment`;
    blank lines and lines starting with # are skipped. ValueError naming the variable and the line."""
    name = variable_name("api_keys_file")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"{name}: {path} is not UTF-8 text") from None
    except OSError as err:
        raise ValueError(f"{name}: cannot read {path}: {err.strerror or err}") from None
    digests = []
    for number, line in enumerate(text.splitlines(), 1):
        words = line.split(maxsplit=1)
        if not words or words[0].startswith("#"):
            continue
        if len(words) > 1 and not words[1].startswith("#"):
            raise ValueError(f"{name}: line {number} of {path} holds more than one word (a comment starts with #)")
        digests.append(stored_api_key(words[0], f"{name}: line {number} of {path}"))
    if not digests:
        raise ValueError(f"{name}: {path} holds no key")
    return digests


def _json_or_text(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def celery_settings(settings: ServiceSettings) -> dict[str, Any]:
    """Celery's configuration: the broker, the queue and RELIABILITY."""
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
    """Resolve what depends on the app (its instance folder) and keep the settings in the app, for
    `current_settings`."""
    database_url = settings.database_url or "sqlite:///" + os.path.join(app.instance_path, "newsbrief.sqlite3")
    settings = settings.model_copy(update={"instance_path": app.instance_path, "database_url": database_url})
    app.extensions[EXTENSION] = settings
    # Flask's own limit on a request body, which it applies before any of our code runs.
    app.config["MAX_CONTENT_LENGTH"] = settings.max_content_length


def current_settings(app: Flask | None = None) -> ServiceSettings:
    """The settings of `app`; without it, of the app handling the request (or in whose context
    this runs)."""
    from flask import current_app

    settings: ServiceSettings = (app or current_app).extensions[EXTENSION]
    return settings


def briefing_defaults(app: Flask | None = None) -> SummaryOptions:
    """The options of a briefing that asks for none: the settings' defaults over the model's."""
    return merge_options(current_settings(app))
