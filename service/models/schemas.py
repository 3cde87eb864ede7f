"""The body of GET /v1/models (pydantic)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class ModelInfo(BaseModel):
    name: str
    default: bool
    state: Literal["not loaded", "loading", "loaded", "unavailable"]
    detail: str | None = Field(description="Why the model is unavailable")


class ModelList(BaseModel):
    models: list[ModelInfo]
