"""The schema's migrations (service/migrations) against SQLite and PostgreSQL, and `newsbrief db`.

PostgreSQL runs when NEWSBRIEF_TEST_DATABASE_URL is set, as in test_storage.py (a loud skip
without it, a failure under CI).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import zipfile
from collections import Counter
from datetime import UTC, datetime

import pytest
import yaml
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from helpers.databases import fresh_postgres, migrated
from helpers.paths import ROOT
from helpers.processes import clean_environ
from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Engine,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    inspect,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from service import migrations
from service.briefings.store import BriefingStore
from service.cli import main
from service.database import Base, Database, make_engine
from service.jobs.store import DONE, QUEUED, JobStore, NewCluster
from service.stories.store import StoryRow  # noqa: F401  (its tables join Base.metadata)
from summarizer import SummaryOptions

HEAD = "0004"

# The schema as create_all made it from the models before there were migrations, frozen here:
# the first revision must be exactly this, and a database made then must upgrade.
CREATE_ALL_ERA = MetaData()
_JSON = JSON().with_variant(JSONB(), "postgresql")
Table(
    "briefings",
    CREATE_ALL_ERA,
    Column("id", String(32), primary_key=True),
    Column("content_hash", String(64), unique=True, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("engine", String(16), nullable=False),
    Column("model", String(500)),
    Column("request", _JSON, nullable=False),
    Column("briefing", _JSON, nullable=False),
)
Table(
    "jobs",
    CREATE_ALL_ERA,
    Column("id", String(32), primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("idempotency_key", String(255), unique=True),
    Column("request_hash", String(64), nullable=False),
    Column("options", _JSON, nullable=False),
    Column("total", Integer, nullable=False),
)
Table(
    "job_clusters",
    CREATE_ALL_ERA,
    Column("job_id", ForeignKey("jobs.id"), primary_key=True),
    Column("cluster_index", Integer, primary_key=True),
    Column("cluster_id", String(2000), nullable=False),
    Column("articles", _JSON, nullable=False),
    Column("status", String(16), index=True, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("dispatched_at", DateTime(timezone=True)),
    Column("claimed_at", DateTime(timezone=True)),
    Column("finished_at", DateTime(timezone=True)),
    Column("briefing_id", ForeignKey("briefings.id")),
    Column("error", Text),
    Column("error_field", String(300)),
)

ARTICLES = [{"id": "a", "title": None, "text": "A thing happened.", "url": None, "source": None}]
OPTIONS = SummaryOptions(engine="extractive", max_words=60).model_dump()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    """An empty database."""
    return f"sqlite:///{tmp_path / 'migrations.sqlite3'}" if request.param == "sqlite" else fresh_postgres()


@pytest.fixture
def shell(monkeypatch, tmp_path) -> None:
    """`newsbrief` run in-process as from a fresh shell: no NEWSBRIEF_* settings but an
    instance folder of the test's own."""
    for key in [k for k in os.environ if k.startswith("NEWSBRIEF_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("NEWSBRIEF_INSTANCE_PATH", str(tmp_path / "instance"))


@pytest.fixture
def engine(database_url):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def schema_diff(engine: Engine, metadata: MetaData) -> list:
    """What alembic's autogenerate would change to make the database's schema `metadata`."""
    with engine.connect() as connection:
        return compare_metadata(MigrationContext.configure(connection), metadata)


def revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return migrations.current_revision(connection)


def fill_create_all_era(engine: Engine) -> None:
    """A database as the service left it before migrations: a briefing, and a job of two clusters."""
    CREATE_ALL_ERA.create_all(engine)
    tables = CREATE_ALL_ERA.tables
    now = datetime.now(UTC)
    with engine.begin() as connection:
        connection.execute(
            tables["briefings"].insert(),
            {
                "id": "b" * 32,
                "content_hash": "h" * 64,
                "created_at": now,
                "engine": "extractive",
                "model": None,
                "request": {"articles": ARTICLES},
                "briefing": {"text": "A thing happened. [1]"},
            },
        )
        connection.execute(
            tables["jobs"].insert(),
            {"id": "j" * 32, "created_at": now, "idempotency_key": "k", "request_hash": "r" * 64, "options": OPTIONS}
            | {"total": 2},
        )
        connection.execute(
            tables["job_clusters"].insert(),
            [
                {"job_id": "j" * 32, "cluster_index": 0, "cluster_id": "c0", "articles": ARTICLES}
                | {"status": DONE, "attempts": 1, "finished_at": now, "briefing_id": "b" * 32},
                {"job_id": "j" * 32, "cluster_index": 1, "cluster_id": "c1", "articles": ARTICLES}
                | {"status": QUEUED, "attempts": 0, "finished_at": None, "briefing_id": None},
            ],
        )


def assert_create_all_era_rows_kept(url: str) -> None:
    database = Database(url)
    try:
        briefing = BriefingStore(database).find("h" * 64)
        assert briefing is not None and briefing.id == "b" * 32
        assert briefing.briefing == {"text": "A thing happened. [1]"} and briefing.request == {"articles": ARTICLES}
        store = JobStore(database)
        job = store.find_by_key("k")
        assert job is not None and job.id == "j" * 32 and job.options == OPTIONS
        assert [(c.id, c.status, c.briefing_id) for c in job.clusters] == [("c0", DONE, "b" * 32), ("c1", QUEUED, None)]
        assert store.claim(job.id, 1, stale_before=None) is not None  # the old job runs on
    finally:
        database.engine.dispose()


def test_upgrade_from_empty_gives_the_models_schema(engine):
    assert migrations.upgrade(engine) == (None, HEAD)
    assert revision(engine) == HEAD == migrations.head_revision()
    assert schema_diff(engine, Base.metadata) == []
    assert migrations.upgrade(engine) == (HEAD, HEAD)  # again: nothing to do


def test_the_first_revision_is_the_schema_create_all_made(engine):
    migrations.upgrade(engine, "0001")
    assert schema_diff(engine, CREATE_ALL_ERA) == []
    if engine.dialect.name == "postgresql":
        columns = {c["name"]: c["type"] for c in inspect(engine).get_columns("briefings")}
        assert isinstance(columns["request"], JSONB) and isinstance(columns["briefing"], JSONB)


def test_downgrade_and_upgrade_round_trip_keeping_rows(engine, database_url):
    migrations.upgrade(engine)
    database = Database(database_url)
    job, _ = JobStore(database).create([NewCluster(f"c{i}", ARTICLES) for i in range(3)], OPTIONS, "r" * 64, None)
    database.engine.dispose()

    assert migrations.downgrade(engine, "0001") == (HEAD, "0001")
    assert schema_diff(engine, CREATE_ALL_ERA) == []
    with engine.connect() as connection:  # the dropped column comes back filled in
        assert connection.execute(text("SELECT total FROM jobs")).scalar_one() == 3

    assert migrations.upgrade(engine) == ("0001", HEAD)
    database = Database(database_url)
    assert JobStore(database).get(job.id) == job
    database.engine.dispose()

    assert migrations.downgrade(engine, "base") == (HEAD, None)
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    migrations.upgrade(engine)
    assert schema_diff(engine, Base.metadata) == []


def test_a_create_all_era_database_is_stamped_then_upgraded_keeping_its_rows(engine, database_url):
    fill_create_all_era(engine)
    assert migrations.upgrade(engine) == ("0001", HEAD)
    assert schema_diff(engine, Base.metadata) == []
    assert_create_all_era_rows_kept(database_url)


def test_the_service_upgrades_a_create_all_era_sqlite_file_at_start(make_app, tmp_path, seed_request):
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    engine = make_engine(url)
    fill_create_all_era(engine)
    client = make_app(DATABASE_URL=url).test_client()
    assert revision(engine) == HEAD
    engine.dispose()
    # (The first request hands the queued cluster to the app's job threads: its state may change.)
    job = client.get(f"/v1/jobs/{'j' * 32}").get_json()
    assert job["counts"]["total"] == 2 and job["clusters"][0]["briefing_id"] == "b" * 32
    assert client.post("/v1/briefings", json=seed_request).status_code == 201
    database = Database(url)
    assert BriefingStore(database).find("h" * 64).id == "b" * 32
    database.engine.dispose()


def test_a_partial_schema_without_alembic_version_is_left_alone(engine):
    CREATE_ALL_ERA.tables["briefings"].create(engine)
    with pytest.raises(migrations.DatabaseNotReady, match="has the tables briefings but not jobs, job_clusters"):
        migrations.upgrade(engine)
    assert set(inspect(engine).get_table_names()) == {"briefings"}


# A process that, once it is told (a line on stdin), upgrades the database and prints the result.
UPGRADE_WHEN_TOLD = """
import json, sys
from service import migrations
from service.database import make_engine
engine = make_engine(sys.argv[1])
print("ready", flush=True)
sys.stdin.readline()
print(json.dumps(migrations.upgrade(engine)), flush=True)
"""


def test_processes_starting_together_migrate_one_after_another(database_url, tmp_path):
    """Like gunicorn's and Celery's workers starting at once on an empty database."""
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", UPGRADE_WHEN_TOLD, database_url],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=clean_environ(),
        )
        for _ in range(3)
    ]
    try:
        for process in processes:  # every one imported and ready, then all of them at once
            assert process.stdout.readline() == "ready\n", process.stderr.read()
        for process in processes:
            process.stdin.write("go\n")
            process.stdin.flush()
        outcomes = [process.communicate(timeout=120) for process in processes]
    finally:
        for process in processes:
            process.kill()
    assert [process.returncode for process in processes] == [0] * 3, [err for _, err in outcomes]
    results = Counter(tuple(json.loads(out)) for out, _ in outcomes)
    assert results == {(None, HEAD): 1, (HEAD, HEAD): 2}
    engine = make_engine(database_url)
    assert schema_diff(engine, Base.metadata) == []
    engine.dispose()


def test_threads_of_one_process_migrate_one_after_another(database_url):
    """Alembic keeps its state in module globals: two apps built at once in one process."""
    barrier, results, errors = threading.Barrier(3), [], []

    def start() -> None:
        engine = make_engine(database_url)
        try:
            barrier.wait()
            results.append(migrations.upgrade(engine))
        except Exception as err:  # reported below: a thread's exception would otherwise vanish
            errors.append(err)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=start) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert Counter(results) == {(None, HEAD): 1, (HEAD, HEAD): 2}


def test_a_database_a_newer_release_migrated_stops_the_start(make_app, engine, database_url):
    migrations.upgrade(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(migrations.DatabaseNotReady, match="revision 9999, which this newsbrief does not know"):
        make_app(DATABASE_URL=database_url)


def test_on_postgresql_the_service_refuses_an_old_schema_until_db_upgrade(make_app):
    url = fresh_postgres()
    with pytest.raises(
        migrations.DatabaseNotReady, match=r"revision none, this newsbrief needs .*newsbrief db upgrade"
    ):
        make_app(DATABASE_URL=url)
    engine = make_engine(url)
    fill_create_all_era(engine)
    with pytest.raises(migrations.DatabaseNotReady, match="newsbrief db upgrade"):
        make_app(DATABASE_URL=url)
    assert revision(engine) is None  # the start changed nothing
    engine.dispose()
    client = make_app(DATABASE_URL=migrated(url)).test_client()
    assert client.get("/readyz").get_json()["database"] == "ok"


def test_newsbrief_db_upgrade_and_current(shell, database_url, monkeypatch, capsys):
    monkeypatch.setenv("NEWSBRIEF_DATABASE_URL", database_url)
    shown = make_engine(database_url).url.render_as_string(hide_password=True)

    assert main(["db", "current"]) == 0
    assert capsys.readouterr().out == f"{shown}: schema revision none; the newest is {HEAD}: `newsbrief db upgrade`\n"
    assert main(["db", "upgrade", "0001"]) == 0
    assert capsys.readouterr().out == f"{shown}: schema upgraded from revision none to 0001\n"
    assert main(["db", "upgrade"]) == 0
    assert capsys.readouterr().out == f"{shown}: schema upgraded from revision 0001 to {HEAD} (head)\n"
    assert main(["db", "upgrade"]) == 0
    assert capsys.readouterr().out == f"{shown}: schema already at revision {HEAD} (head)\n"
    assert main(["db", "current"]) == 0
    assert capsys.readouterr().out == f"{shown}: schema revision {HEAD} (head)\n"
    assert main(["db", "downgrade", "0001"]) == 0
    assert capsys.readouterr().out == f"{shown}: schema downgraded from revision {HEAD} (head) to 0001\n"


def test_newsbrief_db_upgrade_defaults_to_the_sqlite_file_in_the_instance_folder(shell, tmp_path, capsys):
    assert main(["db", "upgrade"]) == 0
    database = tmp_path / "instance" / "newsbrief.sqlite3"
    assert capsys.readouterr().out == f"sqlite:///{database}: schema upgraded from revision none to {HEAD} (head)\n"
    engine = make_engine(f"sqlite:///{database}")
    assert revision(engine) == HEAD
    engine.dispose()


@pytest.mark.parametrize(
    ("url", "status", "message"),
    [
        ("not a database url", 2, "newsbrief: error: NEWSBRIEF_DATABASE_URL is not a database URL"),
        ("nosuchdb://host/db", 2, "newsbrief: error: NEWSBRIEF_DATABASE_URL is not a database URL"),
        ("sqlite:////nonexistent/folder/db.sqlite3", 2, "newsbrief: error: cannot upgrade the database at sqlite:///"),
    ],
)
def test_newsbrief_db_upgrade_with_a_bad_database_says_so_in_one_line(shell, monkeypatch, capsys, url, status, message):
    monkeypatch.setenv("NEWSBRIEF_DATABASE_URL", url)
    assert main(["db", "upgrade"]) == status
    captured = capsys.readouterr()
    assert captured.err.startswith(message) and captured.err.count("\n") == 1, captured.err
    assert captured.out == ""


def test_newsbrief_db_with_an_unreachable_database_exits_with_one_line_and_no_traceback(tmp_path):
    url = "postgresql+psycopg://someone:secret@127.0.0.1:1/none"
    result = subprocess.run(
        [sys.executable, "-m", "service.cli", "db", "current"],
        capture_output=True,
        text=True,
        env=clean_environ(NEWSBRIEF_INSTANCE_PATH=str(tmp_path), NEWSBRIEF_DATABASE_URL=url),
        timeout=120,
    )
    assert result.returncode == 2
    shown = "postgresql+psycopg://someone:***@127.0.0.1:1/none"
    assert result.stderr.startswith(f"newsbrief: error: cannot reach the database at {shown}: ")
    assert result.stderr.count("\n") == 1 and "secret" not in result.stderr and result.stdout == ""


def test_docker_compose_migrates_once_before_the_api_and_workers_start():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    migrate = services["migrate"]
    assert migrate["entrypoint"] == ["newsbrief", "db", "upgrade"] and migrate["command"] == []
    assert migrate["depends_on"]["db"]["condition"] == "service_healthy"
    for name in ("api", "worker"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        url = services[name]["environment"]["NEWSBRIEF_DATABASE_URL"]
        assert url == migrate["environment"]["NEWSBRIEF_DATABASE_URL"] and url.startswith("postgresql")


def test_a_non_editable_install_carries_the_migrations_every_module_and_the_web_page(tmp_path):
    """`pip install .`, as the Dockerfile runs it, installs only the packages pyproject lists: the
    wheel built from what the Dockerfile copies holds every module of the source tree, and the
    web page's files."""
    source = tmp_path / "src"
    for name in ("summarizer", "service", "prompts"):
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    build = "import sys, setuptools.build_meta as backend; backend.build_wheel(sys.argv[1])"
    built = subprocess.run(
        [sys.executable, "-c", build, str(tmp_path / "dist")], cwd=source, capture_output=True, text=True, timeout=300
    )
    assert built.returncode == 0, built.stderr
    [wheel] = (tmp_path / "dist").glob("*.whl")
    in_wheel = set(zipfile.ZipFile(wheel).namelist())
    modules = {
        path.relative_to(source).as_posix()
        for name in ("summarizer", "service")
        for path in (source / name).rglob("*.py")
    }
    assert modules - in_wheel == set()
    # The web page's templates and static files too (pyproject's package-data).
    page_files = {
        path.relative_to(source).as_posix() for path in (source / "service" / "web").rglob("*") if path.is_file()
    }
    assert {"service/web/templates/base.html", "service/web/static/page.js"} <= page_files
    assert page_files - in_wheel == set()
    revisions = [name for name in in_wheel if name.startswith("service/migrations/versions/v")]
    assert len(revisions) == len(list(migrations._scripts().walk_revisions())) == int(HEAD)
