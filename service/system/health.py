"""GET /healthz (the process answers) and GET /readyz (it can serve briefings now)."""

from __future__ import annotations

from flask import Blueprint

from ..database import get_database
from ..models.api import model_info
from ..models.registry import get_registry
from ..openapi import Responses, api
from .schemas import Health, Readiness

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@api.validate(resp=Responses({200: (Health, "Alive")}), operation_id="healthz")
def healthz() -> Health:
    """Liveness: the process answers"""
    return Health(status="ok")


def readiness() -> dict:
    registry = get_registry()
    defaults = registry.defaults
    model = model_info(registry, defaults.model)
    database = "ok" if get_database().ping() else "unavailable"
    engine, fallback = None, False
    if defaults.engine == "extractive":
        engine, detail = "extractive", "the default engine is extractive: no model is needed"
    elif model["state"] == "loaded":
        engine, detail = "abstractive", f"model {defaults.model} is loaded"
    elif model["state"] == "loading":
        detail = f"model {defaults.model} is loading"
    elif model["state"] == "unavailable" and defaults.engine == "auto":
        engine, fallback = "extractive", True
        detail = f"the extractive fallback is active: {model['detail']}"
    elif model["state"] == "unavailable":
        detail = f"the default engine is abstractive and the model cannot load: {model['detail']}"
    else:
        detail = f"model {defaults.model} loads on the first request that needs it (NEWSBRIEF_MODEL_LOADING=lazy)"
    ready = (
        database == "ok"
        and model["state"] != "loading"
        and not (model["state"] == "unavailable" and defaults.engine == "abstractive")
    )
    if database != "ok":
        detail = f"the database cannot be reached; {detail}"
    return {
        "ready": ready,
        "engine": engine,
        "fallback": fallback,
        "model": model,
        "database": database,
        "detail": detail,
    }


@bp.get("/readyz")
@api.validate(resp=Responses({200: (Readiness, "Ready"), 503: (Readiness, "Not ready (yet)")}), operation_id="readyz")
def readyz() -> tuple[Readiness, int]:
    """Readiness: this process can serve briefings now

    The database answers, and the default model is loaded, not needed, or replaced by the extractive fallback.
    """
    state = Readiness.model_validate(readiness())
    return state, 200 if state.ready else 503
