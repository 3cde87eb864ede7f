"""gunicorn settings for production, from the service's settings (service/settings.py):

    gunicorn --config python:service.gunicorn_conf 'service:create_app()'

NEWSBRIEF_BIND (0.0.0.0:8000), NEWSBRIEF_WORKERS (2), NEWSBRIEF_THREADS (4),
NEWSBRIEF_TIMEOUT (300 s). Each worker is a process with its own copy of the model, so
torch gets cores // workers threads in each (NEWSBRIEF_TORCH_THREADS), instead of every
worker starting one thread per core and all of them fighting over the same cores. Every
setting is checked here, so a bad one stops gunicorn before any worker starts.
"""

import os
import shutil
import tempfile

from service.settings import ConfigError, ServiceSettings, share_cores

try:
    _settings = ServiceSettings.load()
except ConfigError as err:
    # SystemExit: gunicorn would print a traceback for any other exception from its configuration.
    raise SystemExit(f"newsbrief: error: {err.message}") from None

bind = _settings.bind
workers = _settings.workers
threads = _settings.threads
worker_class = "gthread"
timeout = _settings.timeout
graceful_timeout = 30
accesslog = "-"
# No preload: each worker loads its own model after the fork (torch threads do not survive fork).
preload_app = False

share_cores(workers, _settings)

# Workers write their metrics to files here and /metrics adds them up. It must be set before
# any worker imports prometheus_client, and be empty at start: a fresh folder per master.
_own_metrics_dir = "PROMETHEUS_MULTIPROC_DIR" not in os.environ
if _own_metrics_dir:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="newsbrief-metrics-")


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if _own_metrics_dir:
        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)
