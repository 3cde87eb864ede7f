"""GET /v1/models: the models a request may name, and whether each is loaded in this process."""

from __future__ import annotations

from flask import Blueprint

from ..openapi import Responses, api
from .registry import ModelRegistry, get_registry
from .schemas import ModelList

bp = Blueprint("models", __name__, url_prefix="/v1/models")


def model_info(registry: ModelRegistry, name: str) -> dict:
    state = registry.state(name)
    return {"name": name, "default": name == registry.defaults.model, "state": state.state, "detail": state.detail}


@bp.get("")
@api.validate(resp=Responses({200: (ModelList, "The models")}), operation_id="list_models")
def list_models() -> ModelList:
    """The configured models (NEWSBRIEF_MODELS) and their load state"""
    registry = get_registry()
    return ModelList.model_validate({"models": [model_info(registry, name) for name in registry.names]})
