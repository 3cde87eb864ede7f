"""Load a pretrained seq2seq model once per process and write with it (the only code that runs one).

Any `AutoModelForSeq2SeqLM` loads by hub id or local folder. Offline, loading
must fail fast so `engine=auto` can fall back within seconds: with
HF_HUB_OFFLINE set, or when the hub cannot be reached in one short connection
attempt, only local files (a folder or the Hugging Face cache) are tried. There
are no retry loops. Loaded models are kept once per process and shared between
threads; generation on one model is serialised because parallel generate calls
on a CPU only fight over the same cores.

CPU speed (measured by benchmarks/latency.py): decoding reads every decoder
weight once per new token, so it is bound by memory traffic, not arithmetic.
Three things cut that traffic: int8 weights (`quantize=True`, which rounds the
weights); beam search that keeps ONE copy of the cross-attention keys and values
for all beams, where transformers keeps one per beam and re-copies them every
step (same numbers); and attention that reads that copy once for all beams
(same sums in another order, ~1e-6 apart). Greedy search on an int8 BART model
runs our own loop (generation/greedy_search.py), and so does beam search
(generation/beam_search.py): the same tokens as `generate`, without the Python
work around every token (~40% of a greedy token on 2 cores, more for beams).
Which of them decodes is the generator's `backend` (generation/backends.py).
Torch's thread count and the int8 cache folder are `GenerationSettings` given by the caller (the
command line's and the service's come from NEWSBRIEF_TORCH_THREADS and NEWSBRIEF_INT8_CACHE_DIR);
nothing here reads them from the environment, so what a caller applied is what holds.
"""

from __future__ import annotations

import gc
import logging
import math
import os
import socket
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from ..errors import ModelUnavailable
from ..options import Profile
from ..settings import GenerationSettings
from .backends import Backend, DecodingLimits, Int8BartSearch, TransformersGenerate
from .base import Generation
from .memory import return_freed_memory
from .prompts import PromptTemplate, template_for
from .quantize import cache_folder, load_cached_int8, quantize_int8, save_cached_int8
from .shared_cross_attention import SHARED_KV_ATTENTION, register_shared_kv_attention
from .tokens import TokenizerCounter, auto_classes

if TYPE_CHECKING:
    from .bart_decoder_step import BartDecoderStep

log = logging.getLogger(__name__)

HUB_PROBE_TIMEOUT_S = 2.0
# BPE tokens per English word, with punctuation: turns a word budget into new tokens.
TOKENS_PER_WORD = 1.4
# A failed load is remembered this long, so a busy service does not re-probe on every request.
FAILED_LOAD_TTL_S = 60.0


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


def hub_reachable() -> bool:
    """One TCP connection attempt to the hub's endpoint, bounded by HUB_PROBE_TIMEOUT_S."""
    from huggingface_hub import constants

    parsed = urlparse(constants.ENDPOINT)
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        with socket.create_connection((parsed.hostname, port), timeout=HUB_PROBE_TIMEOUT_S):
            return True
    except OSError:
        return False


def local_files_only(name: str) -> bool:
    return Path(name).is_dir() or _truthy(os.environ.get("HF_HUB_OFFLINE")) or not hub_reachable()


def local_path_problem(name: str) -> str | None:
    """What is wrong with `name` as a model folder, when it names a place on this machine that is no
    model folder; None for a model folder or a hub id. transformers would try the tokenizer's
    fallbacks first and answer with whatever the last one ran into."""
    path = Path(name).expanduser()
    if path.is_dir():
        return None if (path / "config.json").is_file() else f"{name} is a folder without a model's config.json"
    if path.exists():
        return f"{name} is a file; a local model is a folder with config.json and the weights"
    # A hub id is "name" or "owner/name"; a path that starts from the root, home or here is none.
    if name.startswith(("/", "~", "./", "../")):
        return f"{name}: no such folder"
    return None


def load_problem(name: str, offline: bool, err: Exception) -> str:
    """Why model `name` did not load, in this project's words (the message reaches the page and
    shared briefings): a hub id not in the local cache while the hub is not asked says so, and how
    to make the model available; any other failure, where it was looked for and the first line of
    what went wrong."""
    from huggingface_hub import try_to_load_from_cache

    if offline and not Path(name).is_dir() and not isinstance(try_to_load_from_cache(name, "config.json"), str):
        why = (
            "this machine is set offline (HF_HUB_OFFLINE=1), so the model hub is not asked"
            if _truthy(os.environ.get("HF_HUB_OFFLINE"))
            else "the model hub cannot be reached from here"
        )
        return (
            f"it is not in this machine's model cache, and {why}. To use the model, download it once where "
            f"the hub can be reached (`hf download {name}`), or set NEWSBRIEF_MODEL to a local model folder"
        )
    where = "local files only (offline)" if offline else "the hub or local files"
    first_line = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    return f"looked in {where}: {first_line}"


def configure_torch_threads(threads: int | None) -> int:
    """Apply `threads` (None: leave torch's count as it is) and return the count in use. The count
    is process-wide, as torch's is."""
    import torch

    if threads is not None and threads != torch.get_num_threads():
        torch.set_num_threads(threads)
    return torch.get_num_threads()


def words_to_new_tokens(max_words: int) -> tuple[int, int]:
    """(min_new_tokens, max_new_tokens) for a briefing of about `max_words` words."""
    most = math.ceil(max_words * TOKENS_PER_WORD)
    return most // 2, most


class Seq2SeqGenerator:
    """A loaded tokenizer and model, its prompt template and its input limit."""

    def __init__(self, name: str, quantize: bool = False, settings: GenerationSettings | None = None):
        """`settings` give torch's thread count and the int8 cache folder; None: the defaults
        (torch's count left as it is, the cache under $HF_HOME)."""
        settings = settings if settings is not None else GenerationSettings()
        AutoTokenizer, AutoModelForSeq2SeqLM = auto_classes()
        started = time.perf_counter()
        # Before loading: torch sizes its pools on first use.
        self.threads = configure_torch_threads(settings.torch_threads)
        if (wrong := local_path_problem(name)) is not None:
            raise ModelUnavailable(f"could not load model {name!r}: {wrong}")
        offline = local_files_only(name)
        cached = cache_folder(name, settings.int8_cache_dir) if quantize else None
        try:
            tokenizer = AutoTokenizer.from_pretrained(name, local_files_only=offline)
            model = load_cached_int8(cached) if cached is not None else None
            self.int8_from_cache = model is not None
            if model is None:
                model = AutoModelForSeq2SeqLM.from_pretrained(name, local_files_only=offline)
        except Exception as err:  # any failure to load means "no model"; the caller decides what next
            raise ModelUnavailable(f"could not load model {name!r}: {load_problem(name, offline, err)}") from err
        model.eval()
        if quantize and not self.int8_from_cache:
            model = quantize_int8(model)
            # Known only now for a model that from_pretrained has just downloaded.
            cached = cached or cache_folder(name, settings.int8_cache_dir)
            if cached is not None:
                save_cached_int8(model, cached)
                # The fp32 weights are freed, but their file stays mapped (the embeddings are views
                # of it) with every page quantisation read: ~1.2 GB of resident file for
                # distilbart-cnn-12-6. Read back from the cache, the model is what later starts hold.
                model = load_cached_int8(cached) or model
                gc.collect()  # the quantised fp32 model sits in reference cycles: free it (and its file) now
        # Beams read one copy of the cross-attention keys/values through our SDPA variant. A model
        # on another implementation (eager, flash) keeps it; its beams still skip the useless reorder.
        if model.config._attn_implementation == "sdpa":
            register_shared_kv_attention()
            model.set_attn_implementation(SHARED_KV_ATTENTION)
        self.shares_beam_rows = model.config._attn_implementation == SHARED_KV_ATTENTION
        self.name = name
        self.tokenizer = tokenizer
        self.model = model
        self.template: PromptTemplate = template_for(name, model.config.model_type)
        self.transformers_backend = TransformersGenerate(
            model,
            tokenizer,
            global_attention_first_token=self.template.global_attention_first_token,
            shares_beam_rows=self.shares_beam_rows,
        )
        # Our searches where they reproduce generate() (an int8 BART model), generate() otherwise.
        self.backend: Backend = (
            Int8BartSearch.for_model(model, tokenizer, self.transformers_backend) or self.transformers_backend
        )
        self.max_input_tokens = self._input_limit(tokenizer, model.config)
        self.counter = TokenizerCounter(tokenizer, name)
        self.load_seconds = time.perf_counter() - started
        return_freed_memory()  # what loading (reading files, building the tokenizer) no longer holds
        self._lock = threading.Lock()

    @staticmethod
    def _input_limit(tokenizer, config) -> int:
        limits = [
            getattr(config, attr, None)
            for attr in ("max_encoder_position_embeddings", "max_position_embeddings", "n_positions")
        ]
        limits.append(tokenizer.model_max_length if tokenizer.model_max_length < 1_000_000 else None)
        known = [n for n in limits if isinstance(n, int) and n > 0]
        return min(known) if known else 512

    def beam_cache(self):
        """A fresh cache for transformers' beam search over one input (see `one_input_beam_cache`)."""
        return self.transformers_backend.beam_cache()

    @property
    def decoder_step(self) -> BartDecoderStep | None:
        """Our searches' decoder step when they decode this model; None when generate() does."""
        return self.backend.step if isinstance(self.backend, Int8BartSearch) else None

    def generate(
        self,
        model_input: str,
        *,
        max_words: int,
        profile: Profile,
        no_repeat_ngram_size: int = 3,
        min_new_tokens: int | None = None,
        max_new_tokens: int | None = None,
    ) -> Generation:
        return self.generate_many(
            [model_input],
            max_words=max_words,
            profile=profile,
            no_repeat_ngram_size=no_repeat_ngram_size,
            min_new_tokens=min_new_tokens,
            max_new_tokens=max_new_tokens,
        )[0]

    def generate_many(
        self,
        model_inputs: Sequence[str],
        *,
        max_words: int,
        profile: Profile,
        no_repeat_ngram_size: int = 3,
        min_new_tokens: int | None = None,
        max_new_tokens: int | None = None,
    ) -> list[Generation]:
        """`generate` of each input, through the backend: our loops (an int8 BART model) decode
        them together, reading the weights once per step for all (the same tokens as one by one,
        see generation/greedy_search.py and beam_search.py); generate() runs them one after the other."""
        import torch

        low, high = words_to_new_tokens(max_words)
        low = low if min_new_tokens is None else min_new_tokens
        high = high if max_new_tokens is None else max_new_tokens
        limits = DecodingLimits(
            min_new_tokens=min(low, high), max_new_tokens=high, no_repeat_ngram_size=no_repeat_ngram_size
        )
        prepared = self.backend.prepare(model_inputs, self.max_input_tokens)
        with self._lock, torch.inference_mode():
            outputs = self.backend.forward(prepared, profile, limits)
        return self.backend.postprocess(prepared, outputs)


_loaded: dict[tuple[str, bool], Seq2SeqGenerator] = {}
_failed: dict[tuple[str, bool], tuple[float, ModelUnavailable]] = {}
_load_lock = threading.Lock()


def load_generator(name: str, quantize: bool = False, settings: GenerationSettings | None = None) -> Seq2SeqGenerator:
    """The process-wide generator for `name`, loading it on first use (with `settings`, see
    Seq2SeqGenerator: a later call gets the loaded one); ModelUnavailable if it cannot load."""
    key = (name, quantize)
    with _load_lock:
        if key in _loaded:
            return _loaded[key]
        failed = _failed.get(key)
        if failed and time.monotonic() - failed[0] < FAILED_LOAD_TTL_S:
            raise failed[1]
        try:
            generator = Seq2SeqGenerator(name, quantize=quantize, settings=settings)
        except ModelUnavailable as err:
            _failed[key] = (time.monotonic(), err)
            raise
        _failed.pop(key, None)
        _loaded[key] = generator
        log.info(
            "loaded %s (int8=%s, %d torch threads) in %.1f s", name, quantize, generator.threads, generator.load_seconds
        )
        return generator
