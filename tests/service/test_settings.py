"""The service's settings (service/settings.py): one object from NEWSBRIEF_* variables, read by
create_app, the gunicorn configuration and `newsbrief worker`; a bad value stops them in one line."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from helpers.paths import ROOT
from helpers.processes import clean_environ

from service import create_app
from service.cli import main as newsbrief
from service.settings import (
    ConfigError,
    ServiceSettings,
    briefing_defaults,
    current_settings,
    share_cores,
)
from summarizer import DEFAULT_MODEL, merge_options
from summarizer.settings import Settings


@pytest.fixture
def environment(monkeypatch):
    """No NEWSBRIEF_* variable of the developer's own; what share_cores exports is undone after."""
    for name in [name for name in os.environ if name.startswith("NEWSBRIEF_")]:
        monkeypatch.delenv(name)
    for name in ("NEWSBRIEF_TORCH_THREADS", "OMP_NUM_THREADS"):
        monkeypatch.setenv(name, "")  # recorded now, so that the test's value is removed after it
        monkeypatch.delenv(name)
    return monkeypatch


def test_values_come_from_the_environment_once(make_app, monkeypatch, tmp_path):
    monkeypatch.setenv("NEWSBRIEF_MODELS", "org/one, org/two,,org/one")
    monkeypatch.setenv("NEWSBRIEF_MAX_WORDS", "90")
    monkeypatch.setenv("NEWSBRIEF_JOB_RETRY_DELAY", "0.5")
    monkeypatch.setenv("NEWSBRIEF_MODEL_LOADING", "startup")
    monkeypatch.setenv("NEWSBRIEF_REDIS_URL", "redis://127.0.0.1:1/3")
    # Celery connects lazily: no broker is contacted here.
    monkeypatch.setenv("NEWSBRIEF_CELERY__worker_concurrency", "3")
    monkeypatch.setenv("NEWSBRIEF_CELERY__broker_transport_options", '{"max_connections": 5}')
    monkeypatch.setenv("NEWSBRIEF_CELERY__task_acks_late", "true")  # what it is anyway: allowed
    monkeypatch.setenv("NEWSBRIEF_ENGINE", "abstractive")
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'env.sqlite3'}", "ENGINE": "extractive"})
    settings = current_settings(app)
    assert isinstance(settings, ServiceSettings)
    assert settings.models == [DEFAULT_MODEL, "org/one", "org/two"]
    assert (settings.max_words, settings.job_retry_delay, settings.model_loading) == (90, 0.5, "startup")
    assert settings.celery == {
        "worker_concurrency": 3,
        "broker_transport_options": {"max_connections": 5},
        "task_acks_late": True,
    }
    # The settings live in one typed object: app.config holds Flask's own keys and no copy of them.
    assert ({name.upper() for name in ServiceSettings.model_fields} - {"MAX_CONTENT_LENGTH"}).isdisjoint(app.config)
    assert {"SUMMARY_DEFAULTS", "CELERY"}.isdisjoint(app.config)
    assert app.config["MAX_CONTENT_LENGTH"] == settings.max_content_length  # Flask's own limit, set from it
    assert briefing_defaults(app) == merge_options(settings)
    assert briefing_defaults(app).engine == "extractive"  # test_config wins over the environment
    conf = app.extensions["celery"].conf
    assert (conf.worker_concurrency, conf.broker_url) == (3, "redis://127.0.0.1:1/3")
    assert conf.broker_transport_options["max_connections"] == 5
    assert app.extensions["newsbrief.models"].names == settings.models
    app.extensions["newsbrief.database"].engine.dispose()


def test_the_database_and_the_instance_folder_are_resolved_in_the_settings(make_app, tmp_path):
    settings = current_settings(make_app(DATABASE_URL=None))
    assert settings.instance_path == str(tmp_path / "instance")
    assert settings.database_url == f"sqlite:///{tmp_path / 'instance' / 'newsbrief.sqlite3'}"


def test_other_test_config_keys_go_to_flask(make_app):
    app = make_app(SERVER_NAME="briefs.example")
    assert app.config["SERVER_NAME"] == "briefs.example" and app.testing


def test_a_config_file_left_in_the_instance_folder_stops_the_start(make_app, tmp_path):
    (tmp_path / "instance").mkdir()
    (tmp_path / "instance" / "config.py").write_text("MAX_ARTICLES = 7\n")
    with pytest.raises(ConfigError, match=r"instance/config.py is no longer read: set NEWSBRIEF_\* variables"):
        make_app()


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"max_articles": "0"}, "NEWSBRIEF_MAX_ARTICLES: must be greater than 0, not '0'"),
        ({"workers": "two"}, "NEWSBRIEF_WORKERS: must be a valid integer, unable to parse string as an integer"),
        ({"job_retries": "-1"}, "NEWSBRIEF_JOB_RETRIES: must be greater than or equal to 0, not '-1'"),
        ({"job_retry_delay": "soon"}, "NEWSBRIEF_JOB_RETRY_DELAY: must be a valid number"),
        ({"model_loading": "never"}, "NEWSBRIEF_MODEL_LOADING: must be 'lazy' or 'startup', not 'never'"),
        ({"redis_url": "http://h:6379"}, "NEWSBRIEF_REDIS_URL: must be a redis://, rediss:// or unix:// URL"),
        ({"models": {"a": 1}}, "NEWSBRIEF_MODELS: must be a valid list"),
        ({"celery": "[1]"}, "NEWSBRIEF_CELERY: must be a valid dictionary"),
        (
            {"celery": {"task_acks_late": "false", "worker_prefetch_multiplier": "4"}},
            "NEWSBRIEF_CELERY: may not change task_acks_late, worker_prefetch_multiplier: jobs would lose clusters",
        ),
        (
            {"max_queued_clusters": "10", "max_job_clusters": "20"},
            "NEWSBRIEF_MAX_QUEUED_CLUSTERS (10) must be at least NEWSBRIEF_MAX_JOB_CLUSTERS (20)",
        ),
        ({"engine": "fast"}, "NEWSBRIEF_ENGINE: must be 'auto', 'abstractive' or 'extractive', not 'fast'"),
        ({"torch_threads": "0"}, "NEWSBRIEF_TORCH_THREADS: must be greater than 0, not '0'"),
    ],
)
def test_a_bad_value_of_each_kind_names_its_variable(settings, message):
    with pytest.raises(ConfigError) as err:
        ServiceSettings.load(**settings)
    assert err.value.message.startswith(message) and "\n" not in err.value.message


def test_the_environment_is_read_like_the_overrides(environment):
    environment.setenv("NEWSBRIEF_CELERY__task_reject_on_worker_lost", "0")
    with pytest.raises(ConfigError, match="NEWSBRIEF_CELERY: may not change task_reject_on_worker_lost"):
        ServiceSettings.load()
    environment.delenv("NEWSBRIEF_CELERY__task_reject_on_worker_lost")
    environment.setenv("NEWSBRIEF_CELERY", '{"worker_concurrency": 2}')  # one JSON object works too
    assert ServiceSettings.load().celery == {"worker_concurrency": 2}
    environment.setenv("NEWSBRIEF_WORKER_CONCURRENCY", "none")
    with pytest.raises(ConfigError, match="NEWSBRIEF_WORKER_CONCURRENCY: must be a valid integer"):
        ServiceSettings.load()


def test_the_service_settings_are_the_librarys_and_more():
    assert issubclass(ServiceSettings, Settings) and set(Settings.model_fields) < set(ServiceSettings.model_fields)


def test_torch_threads_share_the_cores_between_processes(environment):
    cores = len(os.sched_getaffinity(0))
    assert share_cores(2, ServiceSettings.load()) == max(1, cores // 2)
    assert os.environ["NEWSBRIEF_TORCH_THREADS"] == os.environ["OMP_NUM_THREADS"] == str(max(1, cores // 2))
    assert ServiceSettings.load().torch_threads == max(1, cores // 2)  # what the processes to come read
    assert share_cores(cores * 4, ServiceSettings.load(torch_threads=None)) == 1  # never none


def test_a_torch_threads_setting_wins_over_the_share(environment):
    environment.setenv("NEWSBRIEF_TORCH_THREADS", "3")
    assert share_cores(64, ServiceSettings.load()) == 3 and os.environ["NEWSBRIEF_TORCH_THREADS"] == "3"


def test_newsbrief_worker_reports_a_bad_setting_in_one_line(environment, capsys):
    environment.setenv("NEWSBRIEF_WORKER_CONCURRENCY", "0")
    assert newsbrief(["worker"]) == 2
    assert (
        capsys.readouterr().err == "newsbrief: error: NEWSBRIEF_WORKER_CONCURRENCY: must be greater than 0, not '0'\n"
    )


def gunicorn_config(**env: str) -> subprocess.CompletedProcess:
    code = (
        "import json, os, service.gunicorn_conf as c; print(json.dumps([c.bind, c.workers, c.threads, c.timeout, "
        "os.environ['NEWSBRIEF_TORCH_THREADS'], os.environ['OMP_NUM_THREADS']]))"
    )
    environ = {key: value for key, value in clean_environ(**env).items() if key != "OMP_NUM_THREADS"}
    return subprocess.run([sys.executable, "-c", code], env=environ, capture_output=True, text=True, timeout=120)


def test_gunicorn_reads_the_same_settings():
    result = gunicorn_config(
        NEWSBRIEF_BIND="127.0.0.1:9", NEWSBRIEF_WORKERS="3", NEWSBRIEF_TIMEOUT="120", NEWSBRIEF_TORCH_THREADS="1"
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == ["127.0.0.1:9", 3, 4, 120, "1", "1"]


def test_a_bad_setting_stops_gunicorn_before_any_worker_starts(tmp_path):
    # Not one of gunicorn's own: its configuration checks every setting.
    env = clean_environ(NEWSBRIEF_MAX_ARTICLES="none", NEWSBRIEF_INSTANCE_PATH=str(tmp_path / "instance"))
    argv = [os.path.join(os.path.dirname(sys.executable), "gunicorn"), "-c", "python:service.gunicorn_conf"]
    result = subprocess.run(
        [*argv, "service:create_app()"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert result.stderr == (
        "newsbrief: error: NEWSBRIEF_MAX_ARTICLES: must be a valid integer, "
        "unable to parse string as an integer, not 'none'\n"
    )
