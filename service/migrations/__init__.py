"""The database schema's history: Alembic migrations (versions/), and what `newsbrief db` runs.

Alembic itself rather than Flask-Migrate: Flask-Migrate drives Alembic through a Flask-SQLAlchemy
`db` object and `flask db` commands, while the service uses plain SQLAlchemy (a Database object
that Celery workers and tests build without Flask) and its own `newsbrief` console script.

When the schema is brought up to date:

- SQLite (the default, a file in the instance folder): at every start, as create_all did, so an
  embedded service needs no step;
- any other database (PostgreSQL): by `newsbrief db upgrade`, once per release, before the
  service starts; the service refuses to start on an older or newer schema and says so. A schema
  change then happens when an operator runs it, not when some worker restarts.

Processes that start together (gunicorn's workers, Celery workers, several `db upgrade`) must not
race: each migrates inside a transaction that first takes the database's own lock (SQLite:
BEGIN IMMEDIATE, the file's write lock; PostgreSQL: an advisory lock), so they run one after
another and the later ones find the schema current. Within one process a plain lock does the
same for threads.

A database made by create_all before migrations existed has the tables and no alembic_version
table: it is stamped with the first revision (which is exactly that schema), then upgraded.
"""

from __future__ import annotations

import argparse
import functools
import threading
from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from flask import Flask
from sqlalchemy import Connection, Engine, inspect
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from ..database import locked_transaction
from ..settings import ConfigError

SCRIPT_LOCATION = Path(__file__).parent
# The revision that is the schema create_all made, and that schema's tables.
FIRST_REVISION = "0001"
CREATE_ALL_TABLES = ("briefings", "jobs", "job_clusters")
# Any fixed number, the same in every process: PostgreSQL's advisory lock held while migrating.
ADVISORY_LOCK_ID = 7_460_301_001
# app.config key: False builds the app without touching the schema (`newsbrief db` does, since
# the command itself deals with it, and would otherwise be refused by the check it is to fix).
SCHEMA_AT_START = "DATABASE_SCHEMA_AT_START"
# Alembic's `context` and `op` are module-level proxies: one migration at a time in a process.
_IN_PROCESS = threading.Lock()


class DatabaseNotReady(ConfigError):
    """The database cannot be reached, or its schema is not the one this version needs: the
    service refuses to start (and the `newsbrief` commands print the one line, exit status 2)."""


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    # configparser interpolation: a literal % in the path must be doubled.
    config.set_main_option("script_location", str(SCRIPT_LOCATION).replace("%", "%%"))
    config.attributes["connection"] = connection
    return config


@functools.cache
def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(_config())


def head_revision() -> str:
    head = _scripts().get_current_head()
    assert head is not None, "versions/ has no revision"
    return head


def current_revision(connection: Connection) -> str | None:
    """The revision in the database's alembic_version table; None where there is none."""
    return MigrationContext.configure(connection).get_current_revision()


def _unknown(engine: Engine, revision: str) -> DatabaseNotReady:
    return DatabaseNotReady(
        f"the database at {_url(engine)} has schema revision {revision}, which this newsbrief does not "
        f"know (its newest is {head_revision()}): a newer newsbrief has migrated it"
    )


def _known(revision: str) -> bool:
    return revision in {script.revision for script in _scripts().walk_revisions()}


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def _first_line(err: SQLAlchemyError) -> str:
    """The driver's own message, where there is one, without SQLAlchemy's SQL and background link."""
    message = str(err.orig if isinstance(err, DBAPIError) else err).strip()
    return message.splitlines()[0] if message else type(err).__name__


def _adopt_create_all_schema(connection: Connection) -> None:
    """Stamp a database made by create_all before migrations with the first revision."""
    tables = set(inspect(connection).get_table_names())
    present = [name for name in CREATE_ALL_TABLES if name in tables]
    if "alembic_version" in tables or not present:
        return
    missing = [name for name in CREATE_ALL_TABLES if name not in tables]
    if missing:
        raise DatabaseNotReady(
            f"the database at {_url(connection.engine)} has the tables {', '.join(present)} but not "
            f"{', '.join(missing)}, and no alembic_version table: not a schema that newsbrief made, so it "
            "is left as it is"
        )
    command.stamp(_config(connection), FIRST_REVISION)


def _migrate(
    engine: Engine, verb: str, run: Callable[[Config, str], None], revision: str
) -> tuple[str | None, str | None]:
    """`run` (alembic's upgrade or downgrade) to `revision` under the lock: (revision before, after)."""
    try:
        with _IN_PROCESS, locked_transaction(engine, ADVISORY_LOCK_ID) as connection:
            _adopt_create_all_schema(connection)
            before = current_revision(connection)
            if before is not None and not _known(before):
                raise _unknown(engine, before)
            run(_config(connection), revision)
            return before, current_revision(connection)
    except SQLAlchemyError as err:
        raise DatabaseNotReady(f"cannot {verb} the database at {_url(engine)}: {_first_line(err)}") from None
    except CommandError as err:  # a revision asked for that does not exist
        raise DatabaseNotReady(f"cannot {verb} the database at {_url(engine)}: {err}") from None


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str | None]:
    """Apply the migrations up to `revision`: (revision before, revision after)."""
    return _migrate(engine, "upgrade", command.upgrade, revision)


def downgrade(engine: Engine, revision: str) -> tuple[str | None, str | None]:
    """Undo the migrations down to `revision` ("base": no tables left)."""
    return _migrate(engine, "downgrade", command.downgrade, revision)


def check(engine: Engine) -> None:
    """Raise DatabaseNotReady unless the database's schema is the newest revision."""
    head = head_revision()
    try:
        with engine.connect() as connection:
            found = current_revision(connection)
    except SQLAlchemyError as err:
        raise DatabaseNotReady(f"cannot reach the database at {_url(engine)}: {_first_line(err)}") from None
    if found == head:
        return
    if found is not None and not _known(found):
        raise _unknown(engine, found)
    raise DatabaseNotReady(
        f"the database at {_url(engine)} has schema revision {found or 'none'}, this newsbrief needs "
        f"{head}: run `newsbrief db upgrade` first"
    )


def init_app(app: Flask) -> None:
    """Bring the schema up to date (SQLite) or check that it is (other databases)."""
    if not app.config.get(SCHEMA_AT_START, True):
        return
    engine = app.extensions["newsbrief.database"].engine
    if engine.dialect.name == "sqlite":
        upgrade(engine)
    else:
        check(engine)


def _describe(revision: str | None) -> str:
    if revision is None:
        return "none"
    return f"{revision} (head)" if revision == head_revision() else revision


def _report(engine: Engine, verb: str, before: str | None, after: str | None) -> None:
    if before == after:
        print(f"{_url(engine)}: schema already at revision {_describe(after)}")
    else:
        print(f"{_url(engine)}: schema {verb} from revision {_describe(before)} to {_describe(after)}")


def cmd_upgrade(engine: Engine, args: argparse.Namespace) -> None:
    _report(engine, "upgraded", *upgrade(engine, args.revision))


def cmd_downgrade(engine: Engine, args: argparse.Namespace) -> None:
    _report(engine, "downgraded", *downgrade(engine, args.revision))


def cmd_current(engine: Engine, _args: argparse.Namespace) -> None:
    try:
        with engine.connect() as connection:
            found = current_revision(connection)
    except SQLAlchemyError as err:
        raise DatabaseNotReady(f"cannot reach the database at {_url(engine)}: {_first_line(err)}") from None
    advice = "" if found == head_revision() else f"; the newest is {head_revision()}: `newsbrief db upgrade`"
    print(f"{_url(engine)}: schema revision {_describe(found)}{advice}")
