"""GET /healthz and GET /readyz."""

from __future__ import annotations

import threading

from helpers.paths import BROKEN_MODEL
from sqlalchemy import create_engine


def test_healthz(client):
    response = client.get("/healthz")
    assert (response.status_code, response.get_json()) == (200, {"status": "ok"})


def test_ready_with_the_extractive_engine(client):
    response = client.get("/readyz")
    ready = response.get_json()
    assert response.status_code == 200
    assert (ready["ready"], ready["engine"], ready["fallback"], ready["database"]) == (True, "extractive", False, "ok")


def test_lazy_loading_is_ready_before_the_first_request(make_app):
    ready = make_app(ENGINE="auto").test_client().get("/readyz").get_json()
    assert ready["ready"] is True and ready["engine"] is None
    assert ready["model"]["state"] == "not loaded" and "first request" in ready["detail"]


def test_the_fallback_is_reported_once_the_model_failed(make_app, seed_request):
    client = make_app(ENGINE="auto").test_client()
    client.post("/v1/briefings", json=seed_request)
    response = client.get("/readyz")
    ready = response.get_json()
    assert response.status_code == 200
    assert (ready["engine"], ready["fallback"], ready["model"]["state"]) == ("extractive", True, "unavailable")
    assert "fallback" in ready["detail"]


def test_a_loaded_model_is_ready_and_abstractive(make_app, tiny_model):
    app = make_app(MODEL=tiny_model, ENGINE="auto")
    app.extensions["newsbrief.models"].load(tiny_model, quantize=True)
    ready = app.test_client().get("/readyz").get_json()
    assert (ready["ready"], ready["engine"], ready["model"]["state"]) == (True, "abstractive", "loaded")


def test_not_ready_while_the_model_loads(make_app, tiny_model, monkeypatch):
    import service.models.registry

    release = threading.Event()
    real = service.models.registry.load_generator

    def slow_load(*args, **kwargs):
        release.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(service.models.registry, "load_generator", slow_load)
    app = make_app(MODEL=tiny_model, ENGINE="auto", MODEL_LOADING="startup")
    client = app.test_client()
    response = client.get("/readyz")
    assert response.status_code == 503 and response.get_json()["model"]["state"] == "loading"
    release.set()
    app.extensions["newsbrief.models"].loader.join(timeout=60)
    assert client.get("/readyz").status_code == 200


def test_not_ready_when_abstractive_is_required_and_the_model_cannot_load(make_app):
    app = make_app(MODEL=BROKEN_MODEL, ENGINE="abstractive", MODEL_LOADING="startup")
    app.extensions["newsbrief.models"].loader.join(timeout=60)
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["model"]["state"] == "unavailable"


def test_not_ready_without_the_database(app):
    # Nothing listens on port 1 of the loopback interface: connecting fails at once.
    app.extensions["newsbrief.database"].engine = create_engine("postgresql+psycopg://x:y@127.0.0.1:1/none")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unavailable"
    assert app.test_client().get("/healthz").status_code == 200
