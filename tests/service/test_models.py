"""GET /v1/models and the model registry: the allow-list, load states, torch threads."""

from __future__ import annotations

import pytest
from helpers.paths import BROKEN_MODEL

from summarizer import DEFAULT_MODEL, ModelUnavailable, SummaryOptions


def test_lists_the_configured_models_default_first(client, tiny_model):
    models = client.get("/v1/models").get_json()["models"]
    assert [m["name"] for m in models] == [DEFAULT_MODEL, tiny_model, BROKEN_MODEL]
    assert [m["default"] for m in models] == [True, False, False]
    assert {m["state"] for m in models} == {"not loaded"}


def test_by_default_only_the_default_model_is_offered(make_app):
    client = make_app(MODELS=None, MODEL="some/model").test_client()
    assert [m["name"] for m in client.get("/v1/models").get_json()["models"]] == ["some/model"]


def test_states_follow_loading(client, tiny_model, seed_request):
    client.post("/v1/briefings", json={**seed_request, "options": {"model": tiny_model, "engine": "auto"}})
    client.post("/v1/briefings", json={**seed_request, "options": {"model": BROKEN_MODEL, "engine": "auto"}})
    states = {m["name"]: m for m in client.get("/v1/models").get_json()["models"]}
    assert states[tiny_model]["state"] == "loaded" and states[tiny_model]["detail"] is None
    assert states[BROKEN_MODEL]["state"] == "unavailable"
    assert BROKEN_MODEL in states[BROKEN_MODEL]["detail"]
    assert states[DEFAULT_MODEL]["state"] == "not loaded"  # extractive requests never load it


def test_the_registry_refuses_models_that_are_not_configured(app):
    registry = app.extensions["newsbrief.models"]
    with pytest.raises(ModelUnavailable, match="not configured"):
        registry.load("t5-small", quantize=False)


def test_extractive_requests_never_touch_a_model(app, tiny_model):
    registry = app.extensions["newsbrief.models"]
    assert registry.generator_for(SummaryOptions(engine="extractive", model=tiny_model)) is None
    assert registry.state(tiny_model).state == "not loaded"


def test_the_model_is_loaded_once_and_shared(app, tiny_model):
    registry = app.extensions["newsbrief.models"]
    first = registry.generator_for(SummaryOptions(engine="auto", model=tiny_model))
    second = registry.generator_for(SummaryOptions(engine="auto", model=tiny_model))
    assert first._inner is second._inner


def test_torch_threads_are_limited_when_a_model_loads(make_app, tiny_model):
    import torch

    before = torch.get_num_threads()
    try:
        # Not 1 before the load, so that 1 after it is the setting's doing.
        torch.set_num_threads(2)
        app = make_app(TORCH_THREADS=1)
        assert torch.get_num_threads() == 2
        app.extensions["newsbrief.models"].load(tiny_model, quantize=False)
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)


def test_the_apps_thread_setting_wins_over_the_environment(make_app, tiny_model, tmp_path, monkeypatch):
    import shutil

    import torch

    # A copy: a model this process has not loaded yet, so that the loading code runs.
    model = str(shutil.copytree(tiny_model, tmp_path / "model"))
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(2)
        app = make_app(TORCH_THREADS=1, MODELS=[model])
        # Set after the app read its settings: the library's own loading would read it.
        monkeypatch.setenv("NEWSBRIEF_TORCH_THREADS", "3")
        generator = app.extensions["newsbrief.models"].load(model, quantize=False)
        assert generator.threads == 1 == torch.get_num_threads()
    finally:
        torch.set_num_threads(before)


def test_startup_loading_happens_in_the_background(make_app, tiny_model):
    app = make_app(MODEL=tiny_model, ENGINE="auto", MODEL_LOADING="startup")
    app.extensions["newsbrief.models"].loader.join(timeout=60)
    assert app.extensions["newsbrief.models"].state(tiny_model).state == "loaded"
