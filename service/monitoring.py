"""Prometheus metrics: request latency, briefings by engine and how made, model load time, generated tokens.

Each app has its own registry, so several apps in one process (tests) do not collide. Under
gunicorn, PROMETHEUS_MULTIPROC_DIR is set (see gunicorn_conf.py) and /metrics adds up the
files that every worker writes, instead of showing whichever worker happened to answer.
"""

from __future__ import annotations

import os
import time

from flask import Flask, Response, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

# Up to several minutes: one generation on a busy CPU can take that long.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)


class Metrics:
    def __init__(self, registry: CollectorRegistry):
        self.registry = registry
        self.request_seconds = Histogram(
            "newsbrief_http_request_duration_seconds",
            "Time to answer an HTTP request",
            ["method", "route", "status"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.briefings = Counter(
            "newsbrief_briefings",
            "Briefings made, by the engine that wrote them, outcome (reused: found by content hash) "
            "and what asked for it (made_by: request, job or story)",
            ["engine", "outcome", "made_by"],
            registry=registry,
        )
        self.model_load_seconds = Gauge(
            "newsbrief_model_load_seconds",
            "Seconds it took to load a model in this process",
            ["model", "int8"],
            registry=registry,
            multiprocess_mode="max",
        )
        self.generated_tokens = Counter(
            "newsbrief_generated_tokens",
            "Tokens written by the models",
            ["model"],
            registry=registry,
        )

    def exposition(self) -> tuple[bytes, str]:
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            from prometheus_client import multiprocess

            merged = CollectorRegistry()
            multiprocess.MultiProcessCollector(merged)
            return generate_latest(merged), CONTENT_TYPE_LATEST
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


def init_app(app: Flask) -> None:
    metrics = Metrics(CollectorRegistry(auto_describe=True))
    app.extensions["newsbrief.metrics"] = metrics

    @app.before_request
    def start_timer() -> None:
        g.request_started = time.perf_counter()

    @app.after_request
    def observe(response: Response) -> Response:
        started = g.pop("request_started", None)
        if started is not None:
            # The route pattern, not the path, so ids do not explode the label set.
            route = request.url_rule.rule if request.url_rule else "unmatched"
            metrics.request_seconds.labels(request.method, route, str(response.status_code)).observe(
                time.perf_counter() - started
            )
        return response
