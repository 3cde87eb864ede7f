"""The configured models of one app: which may be asked for, which are loaded, and loading them.

Loading goes through `summarizer.load_generator`, which keeps one copy of each model per
process, shared by all threads (generation on one model is serialised there). This module
only adds the service's view: the allow-list, load states for /v1/models and /readyz,
torch threads, and the metrics of loading and generating.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from flask import Flask, current_app

from summarizer import Generation, ModelUnavailable, SummaryOptions, configure_torch_threads, load_generator

from ..monitoring import Metrics
from ..settings import ServiceSettings, briefing_defaults, current_settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ModelState:
    name: str
    state: str  # "not loaded" | "loading" | "loaded" | "unavailable"
    detail: str | None = None


class MeteredGenerator:
    """A loaded generator that counts the tokens it writes; the pipeline sees no difference
    (every other attribute is the loaded generator's own)."""

    def __init__(self, inner, metrics: Metrics):
        self._inner = inner
        self._metrics = metrics
        self.name = inner.name

    def __getattr__(self, attribute: str):
        return getattr(self._inner, attribute)

    def generate(self, model_input: str, **kwargs) -> Generation:
        generation = self._inner.generate(model_input, **kwargs)
        self._metrics.generated_tokens.labels(model=self.name).inc(generation.new_tokens)
        return generation

    def generate_many(self, model_inputs: list[str], **kwargs) -> list[Generation]:
        generations = self._inner.generate_many(model_inputs, **kwargs)
        self._metrics.generated_tokens.labels(model=self.name).inc(sum(g.new_tokens for g in generations))
        return generations


class ModelRegistry:
    def __init__(self, names: list[str], defaults: SummaryOptions, metrics: Metrics, settings: ServiceSettings):
        self.names = names
        self.defaults = defaults
        self._metrics = metrics
        # Given to the model loading, so that the app's settings (create_app's test_config
        # included) win over the environment the library would read.
        self._settings = settings
        self._lock = threading.Lock()
        self._states: dict[str, ModelState] = {name: ModelState(name, "not loaded") for name in names}
        # (name, int8) pairs loaded through this registry: each is one copy in memory.
        self._loaded: set[tuple[str, bool]] = set()
        self.loader: threading.Thread | None = None  # the start-up loading thread, if any

    def state(self, name: str) -> ModelState:
        with self._lock:
            return self._states[name]

    def _set(self, state: ModelState) -> None:
        with self._lock:
            self._states[state.name] = state

    def load(self, name: str, quantize: bool):
        """The shared generator for `name`; ModelUnavailable when it cannot load."""
        if name not in self._states:
            raise ModelUnavailable(f"model {name!r} is not configured on this server")
        variant = (name, quantize)
        with self._lock:
            first = variant not in self._loaded
        if first:
            self._set(ModelState(name, "loading"))
            self._limit_torch_threads()
        try:
            generator = load_generator(name, quantize=quantize, settings=self._settings)
        except ModelUnavailable as err:
            self._set(ModelState(name, "unavailable", str(err)))
            raise
        if first:
            self._metrics.model_load_seconds.labels(model=name, int8=str(quantize).lower()).set(generator.load_seconds)
            with self._lock:
                self._loaded.add(variant)
            self._set(ModelState(name, "loaded"))
        return generator

    def generator_for(self, options: SummaryOptions) -> MeteredGenerator | None:
        """The model for a request; None lets the pipeline use (or fall back to) the extractive engine.

        Raises ModelUnavailable only when the request insisted on engine=abstractive.
        """
        if options.engine == "extractive":
            return None
        try:
            return MeteredGenerator(self.load(options.model, options.profile_settings.quantize), self._metrics)
        except ModelUnavailable:
            if options.engine == "abstractive":
                raise
            # engine=auto: the pipeline retries (the failure is cached) and explains the fallback.
            return None

    def load_in_background(self) -> None:
        """Start loading the default model now, so the first request does not wait for it."""
        self._set(ModelState(self.defaults.model, "loading"))

        def run() -> None:
            try:
                self.load(self.defaults.model, self.defaults.profile_settings.quantize)
            except ModelUnavailable as err:
                log.warning("default model unavailable: %s", err)

        self.loader = threading.Thread(target=run, name="newsbrief-model-loader", daemon=True)
        self.loader.start()

    def _limit_torch_threads(self) -> None:
        # Also when this process loaded the model before, through another app: threads are per process.
        if self._settings.torch_threads:
            configure_torch_threads(self._settings.torch_threads)


def init_app(app: Flask) -> None:
    settings = current_settings(app)
    registry = ModelRegistry(
        names=settings.models,
        defaults=briefing_defaults(app),
        metrics=app.extensions["newsbrief.metrics"],
        settings=settings,
    )
    app.extensions["newsbrief.models"] = registry
    if settings.model_loading == "startup" and registry.defaults.engine != "extractive":
        registry.load_in_background()


def get_registry() -> ModelRegistry:
    return current_app.extensions["newsbrief.models"]
