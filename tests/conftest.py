"""Fixtures that more than one tier uses: tiny models, and the Flask tutorial's `app` and `client`
(the service and integration tiers build apps alike).

No model weights can be downloaded where the tests run: HF_HUB_OFFLINE makes the default
model fail fast, so engine "auto" falls back to the extractive engine.
"""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
# One torch (OpenMP) thread here and in the servers and workers the tests start, unless the
# developer says otherwise: the tiny models' matrices are far too small to split, and on a
# machine of two shared cores OpenMP's waiting threads spin, which made the decoding tests take
# five to seven times the CPU. The tests that set thread counts set them explicitly.
os.environ.setdefault("OMP_NUM_THREADS", "1")

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from helpers.paths import BROKEN_MODEL, SEEDS
from helpers.tiny_models import build_tiny_model

if TYPE_CHECKING:
    from flask import Flask

TESTS = Path(__file__).resolve().parent
# The tiers: each folder's tests carry its marker (`pytest -m library`, `-m "not browser"`).
TIERS = ("library", "service", "integration", "browser")


# First: xdist's own hook reads the xdist_group markers added here (and `-m` the tier markers).
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # pytest-xdist runs the tests on 2 processes (addopts in pyproject.toml); with `-p no:xdist`
    # its xdist_group marker is unknown, and there is nothing to group.
    distributed = config.pluginmanager.hasplugin("xdist")
    for item in items:
        tier = Path(item.path).resolve().relative_to(TESTS).parts[0]
        if tier not in TIERS:
            raise pytest.UsageError(f"{item.nodeid}: a test outside the tier folders {TIERS}")
        item.add_marker(getattr(pytest.mark, tier))
        if distributed:
            item.add_marker(pytest.mark.xdist_group(xdist_group(item, tier)))


def xdist_group(item: pytest.Item, tier: str) -> str:
    """The tests that run on one xdist worker, one after another in their file's order
    (--dist loadgroup). By default a module: its module-scoped servers start once, and a test
    that reads what the ones before it left (a server's log after the fuzzing) still sees it.
    Modules that share something outside the test process go together:
    - postgresql: NEWSBRIEF_TEST_DATABASE_URL's one database, which fresh_postgres() empties
      (every module that imports it, and the tests on the live server that uses it, as a
      fixture or as a parameter): two workers on it would drop each other's tables mid-test;
    - celery: real Celery workers on Redis. Their Redis databases are already each worker's own
      (tests/integration/conftest.py), but a burst of jobs, or workers killed until their jobs
      are redelivered, must not compete with another such test for the two cores;
    - browser: one chromium and the session's servers (the stories server's setup briefs every
      story) started once, not on each worker.
    """
    fixtures = getattr(item, "fixturenames", ())
    # A test may name its server as a parameter and get it with request.getfixturevalue.
    servers = getattr(getattr(item, "callspec", None), "params", {}).values()
    if (
        hasattr(getattr(item, "module", None), "fresh_postgres")
        or "live_server_postgres" in fixtures
        or "live_server_postgres" in servers
    ):
        return "postgresql"
    if "workers" in fixtures:
        return "celery"
    if tier == "browser":
        return "browser"
    return item.nodeid.split("::")[0]


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory) -> dict[str, str]:
    """Folders of a tiny random BART and T5 (see helpers/tiny_models.py), by family."""
    root = tmp_path_factory.mktemp("tiny-models")
    return {family: str(build_tiny_model(family, root / family)) for family in ("bart", "t5")}


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> str:
    return str(build_tiny_model("bart", tmp_path_factory.mktemp("tiny-bart")))


def app_maker(folder: Path, monkeypatch: pytest.MonkeyPatch, tiny_model: str) -> Iterator[Callable[..., Flask]]:
    """Build apps whose settings start from the tests' defaults: SQLite in `folder`, the
    extractive engine by default, and the tiny and the broken model configured."""
    for key in [k for k in os.environ if k.startswith("NEWSBRIEF_")]:
        monkeypatch.delenv(key)
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    monkeypatch.setenv("NEWSBRIEF_INSTANCE_PATH", str(folder / "instance"))

    apps = []

    def make(**settings):
        from service import create_app

        config = {
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{folder / 'briefings.sqlite3'}",
            "ENGINE": "extractive",
            "MODELS": [tiny_model, BROKEN_MODEL],
            **settings,
        }
        apps.append(create_app(config))
        return apps[-1]

    yield make
    for app in apps:  # stop job threads and close pooled connections now, not at garbage collection
        app.extensions["newsbrief.dispatcher"].close()
        app.extensions["newsbrief.database"].engine.dispose()


@pytest.fixture
def make_app(tmp_path, monkeypatch, tiny_model):
    """app_maker for one test, its SQLite file in the test's tmp_path."""
    yield from app_maker(tmp_path, monkeypatch, tiny_model)


@pytest.fixture(scope="module")
def make_module_app(tmp_path_factory, tiny_model):
    """app_maker for a whole module, for tests that only send requests the app must refuse (or
    that count what they add): building an app and migrating its database once, not per test."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        yield from app_maker(tmp_path_factory.mktemp("module-app"), monkeypatch, tiny_model)


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def seed_request() -> dict:
    """The POST /v1/briefings body for the seed cluster."""
    from helpers.payload import request_body

    return request_body([str(SEEDS)])
