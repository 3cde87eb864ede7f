"""docker-compose.yml runs the jobs stack: the API and scalable workers on Redis and PostgreSQL."""

from __future__ import annotations

import yaml
from helpers.paths import ROOT


def test_workers_scale_with_docker_compose():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    worker = services["worker"]
    assert worker["entrypoint"] == ["newsbrief", "worker"]
    # `docker compose up --scale worker=N` needs no fixed name and no host port on a worker.
    assert "container_name" not in worker and "ports" not in worker
    # Started by a plain `docker compose up`, like the API, which queues jobs on the same Redis.
    assert "profiles" not in worker and "profiles" not in services["redis"]
    assert worker["environment"]["NEWSBRIEF_REDIS_URL"] == services["api"]["environment"]["NEWSBRIEF_REDIS_URL"]
    assert worker["environment"]["NEWSBRIEF_DATABASE_URL"] == services["api"]["environment"]["NEWSBRIEF_DATABASE_URL"]
    for name in ("db", "redis"):
        assert worker["depends_on"][name]["condition"] == "service_healthy"
    assert services["api"]["depends_on"]["redis"]["condition"] == "service_healthy"
    # Queued tasks outlive a restart of Redis.
    assert "--appendonly" in services["redis"]["command"] and services["redis"]["volumes"]
