"""The service's settings: defaults here, then instance/config.py, then NEWSBRIEF_* variables.

The briefing defaults (ENGINE, MODEL, MAX_WORDS, PROFILE, ...) are the fields of
`SummaryOptions` in upper case, so NEWSBRIEF_ENGINE or NEWSBRIEF_MODEL mean the same
to the service as to the command line.
"""

from __future__ import annotations

import os
from dataclasses import asdict, fields

from flask import Flask

from summarizer import InputError, SummaryOptions

OPTION_KEYS = {f.name.upper(): f.name for f in fields(SummaryOptions)}
MODEL_LOADING = ("lazy", "startup")

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


def finalize(app: Flask) -> None:
    """Fill derived settings and check every value, raising ConfigError at start-up."""
    config = app.config
    try:
        defaults = SummaryOptions(**{name: config[key] for key, name in OPTION_KEYS.items()})
    except (InputError, TypeError) as err:
        raise ConfigError(f"bad briefing default: {err}") from None
    config["SUMMARY_DEFAULTS"] = defaults
    config["MODELS"] = _model_list(config["MODELS"], defaults.model)
    for key in ("MAX_ARTICLES", "MAX_ARTICLE_CHARS", "MAX_CONTENT_LENGTH"):
        _positive_int(app, key)
    if config["TORCH_THREADS"] is not None:
        _positive_int(app, "TORCH_THREADS")
    if config["MODEL_LOADING"] not in MODEL_LOADING:
        raise ConfigError(f"NEWSBRIEF_MODEL_LOADING must be one of {', '.join(MODEL_LOADING)}, not {config['MODEL_LOADING']!r}")
    if not config["DATABASE_URL"]:
        config["DATABASE_URL"] = "sqlite:///" + os.path.join(app.instance_path, "newsbrief.sqlite3")
