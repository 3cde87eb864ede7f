"""The int8 weights cached on disk (generation/quantize.py): written on the first int8 load, read
on the next without the fp32 model, the same model as quantising afresh, keyed by the model's
revision and our version, and a damaged cache is rebuilt, not trusted."""

import json

import pytest
import torch
from helpers.tiny_models import build_tiny_model

from summarizer.generation import quantize
from summarizer.generation.loading import Seq2SeqGenerator
from summarizer.options import PROFILES
from summarizer.settings import GenerationSettings

TEXT = "Russian President Vladimir Putin will visit North Korea on June 18 and 19 ."


@pytest.fixture
def cache_dir(tmp_path):
    return tmp_path / "int8-cache"


def load(name, cache_dir, quantize=True):
    """The model, with `cache_dir` as the int8 cache (the generator reads no environment)."""
    return Seq2SeqGenerator(str(name), quantize=quantize, settings=GenerationSettings(int8_cache_dir=cache_dir))


@pytest.fixture
def no_fp32_loading(monkeypatch):
    """Fails any from_pretrained of a model (the tokenizer's stays allowed)."""
    from transformers import AutoModelForSeq2SeqLM

    def refuse(*args, **kwargs):
        raise AssertionError("the fp32 model was loaded")

    monkeypatch.setattr(AutoModelForSeq2SeqLM, "from_pretrained", refuse)


def entries(cache_dir):
    return sorted(p.name for p in cache_dir.iterdir()) if cache_dir.exists() else []


def test_the_second_int8_load_reads_the_cache_and_is_the_same_model(tiny_models, cache_dir, monkeypatch):
    first = load(tiny_models["bart"], cache_dir)
    assert not first.int8_from_cache
    assert len(entries(cache_dir)) == 1  # written by the first load
    with monkeypatch.context() as patched:
        from transformers import AutoModelForSeq2SeqLM

        patched.setattr(AutoModelForSeq2SeqLM, "from_pretrained", lambda *a, **k: pytest.fail("fp32 model loaded"))
        second = load(tiny_models["bart"], cache_dir)
    assert second.int8_from_cache
    assert second.decoder_step is not None  # still our greedy loop: every Linear came back as int8
    assert second.model.generation_config.to_dict() == first.model.generation_config.to_dict()
    # Every tensor equal: the int8 weights and scales, the fp32 embeddings and norms.
    ours, theirs = first.model.state_dict(), second.model.state_dict()
    assert ours.keys() == theirs.keys()
    for key, value in ours.items():
        if isinstance(value, torch.Tensor):
            assert torch.equal(
                value.dequantize() if value.is_quantized else value,
                theirs[key].dequantize() if theirs[key].is_quantized else theirs[key],
            ), key
    # Tied embeddings stay one tensor, as in the model quantised afresh.
    decoder = second.model.model
    assert decoder.shared.weight.data_ptr() == decoder.encoder.embed_tokens.weight.data_ptr()
    for profile in ("fast", "default"):
        expected = first.generate(TEXT, max_words=10, profile=PROFILES[profile], min_new_tokens=8, max_new_tokens=8)
        assert (
            second.generate(TEXT, max_words=10, profile=PROFILES[profile], min_new_tokens=8, max_new_tokens=8)
            == expected
        )


def test_fp32_loads_neither_read_nor_write_the_cache(tiny_models, cache_dir):
    load(tiny_models["bart"], cache_dir, quantize=False)
    assert entries(cache_dir) == []


def test_the_key_follows_the_weights_and_our_version(tmp_path, cache_dir, monkeypatch):
    folder = build_tiny_model("bart", tmp_path / "bart")
    load(folder, cache_dir)
    assert len(entries(cache_dir)) == 1
    # New weights in the same folder (another revision): another key, quantised afresh.
    build_tiny_model("bart", folder, seed=3)
    assert not load(folder, cache_dir).int8_from_cache
    assert len(entries(cache_dir)) == 2
    # Another version of this code: another key too.
    monkeypatch.setattr(quantize, "our_version", lambda: "newsbrief-99+torch-x+format-9")
    assert not load(folder, cache_dir).int8_from_cache
    assert len(entries(cache_dir)) == 3


def test_a_damaged_cache_is_rebuilt(tiny_models, cache_dir, caplog):
    load(tiny_models["bart"], cache_dir)
    (entry,) = cache_dir.iterdir()
    linear = next((entry / quantize.LINEARS).iterdir())
    linear.write_bytes(linear.read_bytes()[:100])  # a truncated file
    again = load(tiny_models["bart"], cache_dir)
    assert not again.int8_from_cache
    assert "unusable" in caplog.text
    assert load(tiny_models["bart"], cache_dir).int8_from_cache  # written again


def test_a_cache_without_a_tensor_is_refused(tiny_models, cache_dir):
    load(tiny_models["bart"], cache_dir)
    (entry,) = cache_dir.iterdir()
    others = torch.load(entry / quantize.OTHER_PARAMETERS, weights_only=True)
    others.pop("model.shared.weight")
    torch.save(others, entry / quantize.OTHER_PARAMETERS)
    with pytest.raises(ValueError, match="lacks"):
        quantize.load_int8(entry)
    manifest = json.loads((entry / quantize.MANIFEST).read_text())
    assert manifest["version"] == quantize.our_version()


def mapped_files() -> str:
    """The files this process has mapped (/proc/self/maps), one path a line."""
    from pathlib import Path

    return "\n".join(
        line.split(maxsplit=5)[5] for line in Path("/proc/self/maps").read_text().splitlines() if "/" in line
    )


def test_a_load_keeps_no_linears_file_mapped(tmp_path, cache_dir):
    """Each Linear is packed from its file; the file's pages read for that would stay resident
    (counted twice in the process's RSS) if anything kept the file mapped."""
    folder = build_tiny_model("bart", tmp_path / "bart")
    first = load(folder, cache_dir)  # quantised afresh, then read back from the cache
    second = load(folder, cache_dir)
    assert second.int8_from_cache and not first.int8_from_cache
    (entry,) = cache_dir.iterdir()
    maps = mapped_files()
    assert str(entry / quantize.OTHER_PARAMETERS) in maps  # the embeddings: mapped by design
    assert str(entry / quantize.LINEARS) not in maps
    # Nor does the first load keep the fp32 weights' file mapped: its int8 model is the cache's too.
    assert str(folder / "model.safetensors") not in maps
    for generator in (first, second):
        biases = [m.bias() for m in generator.model.modules() if isinstance(m, torch.ao.nn.quantized.dynamic.Linear)]
        assert biases and not any(b.requires_grad for b in biases if b is not None)
