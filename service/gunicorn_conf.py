"""gunicorn settings for production, from NEWSBRIEF_* variables:

    gunicorn --config python:service.gunicorn_conf 'service:create_app()'

NEWSBRIEF_BIND (0.0.0.0:8000), NEWSBRIEF_WORKERS (2), NEWSBRIEF_THREADS (4),
NEWSBRIEF_TIMEOUT (300 s). Each worker is a process with its own copy of the model, so
torch gets cores // workers threads in each (NEWSBRIEF_TORCH_THREADS), instead of every
worker starting one thread per core and all of them fighting over the same cores.
"""

import os
import shutil
import tempfile


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    try:
        value = int(raw) if raw.strip() else default
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, not {raw!r}") from None
    if value <= 0:
        raise SystemExit(f"{name} must be positive, not {value}")
    return value


bind = os.environ.get("NEWSBRIEF_BIND", "0.0.0.0:8000")
workers = _int("NEWSBRIEF_WORKERS", 2)
threads = _int("NEWSBRIEF_THREADS", 4)
worker_class = "gthread"
# Longer than one generation on a busy CPU (beam search on a long cluster can take minutes).
timeout = _int("NEWSBRIEF_TIMEOUT", 300)
graceful_timeout = 30
accesslog = "-"
# No preload: each worker loads its own model after the fork (torch threads do not survive fork).
preload_app = False

_cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
_torch_threads = str(max(1, _cores // workers))
os.environ.setdefault("NEWSBRIEF_TORCH_THREADS", _torch_threads)
os.environ.setdefault("OMP_NUM_THREADS", os.environ["NEWSBRIEF_TORCH_THREADS"])

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
