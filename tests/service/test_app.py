"""create_app: settings from defaults, NEWSBRIEF_* variables and test_config; the CLI parts."""

from __future__ import annotations

import subprocess
import sys

import pytest
from helpers.paths import ROOT
from helpers.processes import clean_environ, free_port, start_server, stop_server

from service import create_app
from service.settings import ConfigError, briefing_defaults, current_settings
from summarizer import DEFAULT_MODEL


def test_defaults_need_nothing_running(make_app, tmp_path):
    app = make_app(DATABASE_URL=None, MODELS=None, ENGINE="auto")
    settings = current_settings(app)
    assert settings.database_url == f"sqlite:///{tmp_path / 'instance' / 'newsbrief.sqlite3'}"
    assert (tmp_path / "instance" / "newsbrief.sqlite3").exists()
    assert settings.models == [DEFAULT_MODEL]
    assert (settings.max_articles, settings.model_loading) == (50, "lazy")
    assert briefing_defaults(app).engine == "auto"


def test_settings_come_from_prefixed_environment_variables(make_app, monkeypatch, tmp_path):
    monkeypatch.setenv("NEWSBRIEF_MAX_ARTICLES", "7")
    monkeypatch.setenv("NEWSBRIEF_MODELS", "org/one, org/two")
    monkeypatch.setenv("NEWSBRIEF_MAX_WORDS", "90")
    monkeypatch.setenv("NEWSBRIEF_DATABASE_URL", f"sqlite:///{tmp_path / 'env.sqlite3'}")
    app = create_app({"TESTING": True})
    settings = current_settings(app)
    assert settings.max_articles == 7
    assert settings.models == [DEFAULT_MODEL, "org/one", "org/two"]
    assert briefing_defaults(app).max_words == 90
    assert str(settings.database_url).endswith("env.sqlite3")


def test_test_config_wins_over_the_environment(make_app, monkeypatch):
    monkeypatch.setenv("NEWSBRIEF_MAX_ARTICLES", "7")
    assert current_settings(make_app(MAX_ARTICLES=9)).max_articles == 9


def test_the_default_model_is_always_allowed(make_app):
    app = make_app(MODEL="org/default", MODELS="org/other,org/default")
    assert current_settings(app).models == ["org/default", "org/other"]


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("ENGINE", "fast", "NEWSBRIEF_ENGINE: must be 'auto', 'abstractive' or 'extractive', not 'fast'"),
        ("MAX_WORDS", "many", "NEWSBRIEF_MAX_WORDS: must be a valid integer"),
        ("MAX_WORDS", 5, "NEWSBRIEF_MAX_WORDS: must be greater than or equal to 10, not 5"),
        ("MAX_ARTICLES", 0, "NEWSBRIEF_MAX_ARTICLES: must be greater than 0, not 0"),
        ("MAX_CONTENT_LENGTH", "big", "NEWSBRIEF_MAX_CONTENT_LENGTH: must be a valid integer"),
        ("MODEL_LOADING", "never", "NEWSBRIEF_MODEL_LOADING: must be 'lazy' or 'startup', not 'never'"),
        ("MODELS", {"a": 1}, "NEWSBRIEF_MODELS: must be a valid list"),
    ],
)
def test_bad_settings_stop_the_start(make_app, setting, value, message):
    with pytest.raises(ConfigError, match=message):
        make_app(**{setting: value})


def test_the_library_never_imports_flask():
    code = "import sys, summarizer, summarizer.cli, summarizer.pipeline; sys.exit('flask' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], env=clean_environ()).returncode == 0


def test_newsbrief_serve_runs_the_development_server(tmp_path):
    port = free_port()
    argv = [sys.executable, "-m", "service.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    server = start_server(argv, clean_environ(NEWSBRIEF_INSTANCE_PATH=str(tmp_path)), port, tmp_path)
    try:
        import requests

        assert requests.get(server.url + "/v1/models", timeout=10).json()["models"][0]["name"] == DEFAULT_MODEL
    finally:
        stop_server(server)


def test_newsbrief_serve_reports_bad_settings(tmp_path):
    argv = [sys.executable, "-m", "service.cli", "serve", "--port", "1"]
    env = clean_environ(NEWSBRIEF_INSTANCE_PATH=str(tmp_path), NEWSBRIEF_ENGINE="fast")
    result = subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr == (
        "newsbrief: error: NEWSBRIEF_ENGINE: must be 'auto', 'abstractive' or 'extractive', not 'fast'\n"
    )
