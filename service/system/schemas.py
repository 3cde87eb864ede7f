"""The bodies of GET /healthz and GET /readyz (pydantic)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from ..models.schemas import ModelInfo


class Health(BaseModel):
    status: Literal["ok"]


class Readiness(BaseModel):
    ready: bool
    engine: Literal["abstractive", "extractive"] | None = Field(
        description="The engine requests with default options use now; null until a lazily loaded model is first needed"
    )
    fallback: bool = Field(description="The default model could not load, so engine auto uses the extractive engine")
    model: ModelInfo
    database: Literal["ok", "unavailable"]
    detail: str
