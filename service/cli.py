"""The `newsbrief` console script: the library's commands plus the service's (serve, worker, db).

The service's commands live here, not in `summarizer.cli`, so the library never imports
Flask or Celery; `summarizer.cli.build_parser` takes the extra commands as a callback.
Each command imports what it runs (Flask, SQLAlchemy, Alembic, Celery) inside its handler, so
`newsbrief summarize --engine extractive` starts without them.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from summarizer import InputError
from summarizer import cli as library_cli
from summarizer.cli import positive_int


def cmd_serve(args: argparse.Namespace) -> int:
    from . import create_app

    # A bad setting raises ConfigError, an InputError: main prints its one line and exits 2.
    app = create_app()
    app.run(host=args.host, port=args.port, threaded=True)
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    from .settings import ServiceSettings, share_cores

    settings = ServiceSettings.load()
    concurrency = args.concurrency or settings.worker_concurrency
    # Each pool process loads its own model: give torch an equal share of the cores in each.
    share_cores(concurrency, settings)
    # Importing it builds the Flask app from the same settings.
    from .celery_worker import celery_app

    celery_app.worker_main(
        [
            "worker",
            f"--concurrency={concurrency}",
            f"--loglevel={args.loglevel}",
            # Unique per process, so that several workers on one host do not clash.
            f"--hostname=newsbrief-{os.getpid()}@%h",
            # Gossip and mingle synchronise workers' remote-control state, which jobs do not use.
            "--without-gossip",
            "--without-mingle",
            # Celery beat inside this worker: the stories' schedule (feed polls, briefings of grown stories).
            *(["--beat"] if args.beat else []),
        ]
    )
    return 0


def cmd_db(args: argparse.Namespace) -> int:
    """Run a `newsbrief db` command on the configured database (the app's DATABASE_URL).

    A bad setting (ConfigError) or database (DatabaseNotReady) is an InputError, which the
    `newsbrief` script reports in one line."""
    from . import create_app, migrations

    app = create_app({"MODEL_LOADING": "lazy", migrations.SCHEMA_AT_START: False})
    engine = app.extensions["newsbrief.database"].engine
    run = {"upgrade": migrations.cmd_upgrade, "downgrade": migrations.cmd_downgrade, "current": migrations.cmd_current}
    try:
        run[args.db_command](engine, args)
    finally:
        engine.dispose()
    return 0


def add_db_commands(commands) -> None:
    """`newsbrief db upgrade|downgrade|current`, on the `newsbrief` parser's subcommands."""
    db = commands.add_parser(
        "db",
        help="the database's schema: apply migrations (NEWSBRIEF_DATABASE_URL; default: SQLite in the instance folder)",
    )
    db.set_defaults(handler=cmd_db)
    actions = db.add_subparsers(dest="db_command", required=True, metavar="COMMAND")
    upgrade_cmd = actions.add_parser("upgrade", help="apply the migrations (run it before starting a new release)")
    upgrade_cmd.add_argument("revision", nargs="?", default="head", help="the revision to reach (default: head)")
    downgrade_cmd = actions.add_parser("downgrade", help="undo migrations, to go back to an older release")
    downgrade_cmd.add_argument("revision", help='the revision to go back to ("base": drop every table)')
    actions.add_parser("current", help="the database's schema revision, and whether it is the newest")


def cmd_keys_hash(args: argparse.Namespace) -> int:
    from .settings import stored_api_key

    # Read, not taken as arguments, so that keys stay out of shell history and process lists.
    if sys.stdin.isatty():
        import getpass

        keys = [getpass.getpass("API key (not shown): ").strip()]
    else:
        keys = [line.strip() for line in sys.stdin if line.strip()]
    if not any(keys):
        raise InputError("no key given: pipe keys in, one a line")
    try:
        digests = [stored_api_key(key, f"key {number}") for number, key in enumerate(keys, 1)]
    except ValueError as err:
        raise InputError(str(err)) from None
    print("\n".join(digests))
    return 0


def add_service_commands(commands) -> None:
    serve_cmd = commands.add_parser(
        "serve", help="run the REST service (development server; use gunicorn in production)"
    )
    serve_cmd.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    serve_cmd.add_argument("--port", type=positive_int, default=8000, help="port to listen on (default: 8000)")
    serve_cmd.set_defaults(handler=cmd_serve)
    worker_cmd = commands.add_parser("worker", help="run a Celery worker for POST /v1/jobs (needs NEWSBRIEF_REDIS_URL)")
    worker_cmd.add_argument(
        "--concurrency",
        type=positive_int,
        help="pool processes, each with its own model (default: NEWSBRIEF_WORKER_CONCURRENCY or 1)",
    )
    worker_cmd.add_argument(
        "--loglevel",
        default="info",
        choices=("debug", "info", "warning", "error"),
        help="Celery's log level (default: info)",
    )
    worker_cmd.add_argument(
        "--beat",
        action="store_true",
        help="also run the schedule that polls subscribed feeds (run exactly one worker with it)",
    )
    worker_cmd.set_defaults(handler=cmd_worker)
    add_db_commands(commands)
    keys_cmd = commands.add_parser("keys", help="API keys (NEWSBRIEF_API_KEYS, NEWSBRIEF_API_KEYS_FILE)")
    keys_actions = keys_cmd.add_subparsers(dest="keys_command", required=True, metavar="COMMAND")
    hash_cmd = keys_actions.add_parser(
        "hash",
        help="print the sha256: digest of each key read from standard input, one a line, "
        "for NEWSBRIEF_API_KEYS_FILE or NEWSBRIEF_API_KEYS instead of the key",
    )
    hash_cmd.set_defaults(handler=cmd_keys_hash)


def main(argv: Sequence[str] | None = None) -> int:
    return library_cli.main(argv, library_cli.build_parser(add_service_commands))


if __name__ == "__main__":
    sys.exit(main())
