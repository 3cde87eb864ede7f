"""Dynamic int8 weights for a loaded model: 4x fewer bytes for every decoding step to read; and a
cache of those weights on disk, so that a process loads them without ever holding the fp32 model.

Quantising a loaded model needs the fp32 weights in memory first: for distilbart-cnn-12-6 a
process peaked at ~2.2 GB to keep ~0.9 GB. The cache stores, once per model revision and version
of this code, what quantisation produced: every Linear's int8 weights (with their per-row
scales) in a file of its own, and the other parameters (embeddings, layer norms) in one file.
Loading builds the model's skeleton on the meta device (no memory), assigns the other
parameters memory-mapped from their file, and packs each Linear from its own file, whose mapping
is released before the next is read: the peak is the steady state plus one Linear's file.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import tempfile
import warnings
from contextlib import contextmanager
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

log = logging.getLogger(__name__)

# Bumped when what the cache holds, or how it is read, changes (part of every cache key).
CACHE_FORMAT = 1
OTHER_PARAMETERS = "parameters.pt"
LINEARS = "linears"
MANIFEST = "manifest.json"


@contextmanager
def _quiet_quantization():
    with warnings.catch_warnings():
        # torch.ao.quantization and its quantized tensors are deprecated in favour of torchao, which is
        # not a dependency; in torch 2.13 this eager API still works and is torch's own int8 CPU path.
        # Only those two notices are hidden, and only here.
        warnings.filterwarnings("ignore", message="torch.ao.quantization is deprecated", category=DeprecationWarning)
        warnings.filterwarnings(
            "ignore", message="torch.quantize_per_tensor, torch.quantize_per_channel", category=UserWarning
        )
        yield


def quantize_int8(model):
    """Dynamic int8 for every nn.Linear, in place: weights stored as int8 with one scale per
    output row (per-channel keeps rows with small weights precise), activations quantised per
    call. Embeddings stay fp32 (a lookup reads one row, nothing to gain)."""
    import torch
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    with _quiet_quantization():
        return quantize_dynamic(model, {torch.nn.Linear: per_channel_dynamic_qconfig}, inplace=True)


def our_version() -> str:
    """This package's version, torch's (which defines the packed format) and the cache format."""
    import torch

    try:
        ours = version("newsbrief")
    except PackageNotFoundError:  # run from a source tree that was never installed
        ours = "source"
    return f"newsbrief-{ours}+torch-{torch.__version__}+format-{CACHE_FORMAT}"


def model_revision(folder: Path) -> str:
    """What identifies the weights in `folder`: for a snapshot of the Hugging Face cache, the blobs
    its weight files link to (named by their content's hash); for any folder, each weight file's
    real path, size and modification time, and the config's text."""
    digest = hashlib.sha256((folder / "config.json").read_bytes())
    for path in sorted(folder.iterdir()):
        if path.suffix in (".safetensors", ".bin") or path.name.endswith(".safetensors.index.json"):
            real = path.resolve()
            stat = real.stat()
            digest.update(f"{path.name}|{real}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:32]


def cache_key(folder: Path) -> str:
    return hashlib.sha256(f"{model_revision(folder)}|{our_version()}".encode()).hexdigest()[:32]


def _linear_file(name: str) -> str:
    return f"{name}.pt"


def save_int8(model, target: Path) -> None:
    """Write `model` (quantised by `quantize_int8`) to the cache folder `target`, atomically: into
    a temporary folder beside it, renamed at the end; a folder already there (another process
    was faster) is kept."""
    import torch
    from torch.ao.nn.quantized.dynamic import Linear as DynamicInt8Linear

    target.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        (building / LINEARS).mkdir()
        linears = {}
        for name, module in model.named_modules():
            if type(module) is DynamicInt8Linear:
                weight, bias = module._packed_params._weight_bias()
                torch.save(
                    {
                        "int8": weight.int_repr(),
                        "scales": weight.q_per_channel_scales(),
                        "zero_points": weight.q_per_channel_zero_points(),
                        "bias": None if bias is None else bias.detach(),
                    },
                    building / LINEARS / _linear_file(name),
                )
                linears[name] = [module.in_features, module.out_features]
        linear_prefixes = tuple(f"{name}." for name in linears)
        others = {
            key: value.detach()
            for key, value in model.state_dict(keep_vars=True).items()
            if not key.startswith(linear_prefixes) and isinstance(value, torch.Tensor)
        }
        torch.save(others, building / OTHER_PARAMETERS)
        model.config.save_pretrained(building)
        model.generation_config.save_pretrained(building)
        (building / MANIFEST).write_text(json.dumps({"version": our_version(), "linears": linears}))
        try:
            building.rename(target)
        except OSError:  # another process wrote the same key first: keep its folder
            shutil.rmtree(building, ignore_errors=True)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise


def load_int8(source: Path):
    """The model that `save_int8` wrote to `source`, built without materialising fp32 weights.
    ValueError when the folder does not hold every parameter the model needs."""
    import torch
    from torch.ao.nn.quantized.dynamic import Linear as DynamicInt8Linear
    from transformers import AutoConfig, GenerationConfig

    from .tokens import auto_classes

    manifest = json.loads((source / MANIFEST).read_text())
    _, model_class = auto_classes()
    with torch.device("meta"):
        model = model_class.from_config(AutoConfig.from_pretrained(source))
    model.generation_config = GenerationConfig.from_pretrained(source)
    others = torch.load(source / OTHER_PARAMETERS, mmap=True, weights_only=True)
    with _quiet_quantization():
        for name, (in_features, out_features) in manifest["linears"].items():
            saved = torch.load(source / LINEARS / _linear_file(name), mmap=True, weights_only=True)
            weight = torch._make_per_channel_quantized_tensor(saved["int8"], saved["scales"], saved["zero_points"], 0)
            # Built 1x1 and given the real weights at once: the constructor would otherwise allocate
            # and pack an empty matrix of the full size first.
            linear = DynamicInt8Linear(1, 1, bias_=saved["bias"] is not None, dtype=torch.qint8)
            # The bias was saved from a Parameter and comes back requiring grad: packing keeps that
            # tensor, a view of the file's mapping, which would stay mapped (and counted in the
            # process's RSS) as long as the model lives. A plain copy lets the mapping go below.
            bias = None if saved["bias"] is None else saved["bias"].detach().clone()
            linear.set_weight_bias(weight, bias)
            linear.in_features, linear.out_features = in_features, out_features
            model.set_submodule(name, linear)
            del saved, weight  # packing copied the weights: the file's mapping goes now
    _assign(model, others)
    left = [name for name, tensor in [*model.named_parameters(), *model.named_buffers()] if tensor.is_meta]
    if left:
        raise ValueError(f"the int8 cache {source} lacks {len(left)} tensors, e.g. {left[0]}")
    return model.eval()


def _assign(model, tensors: dict) -> None:
    """Put each saved parameter or buffer in place of the skeleton's (which holds no memory).
    Tensors saved once for several names (tied embeddings) become one parameter again."""
    import torch

    parameters: dict[int, torch.nn.Parameter] = {}
    for key, tensor in tensors.items():
        owner, _, attribute = key.rpartition(".")
        module = model.get_submodule(owner)
        if attribute in module._parameters:
            parameter = parameters.setdefault(tensor.data_ptr(), torch.nn.Parameter(tensor, requires_grad=False))
            module._parameters[attribute] = parameter
        elif attribute in module._buffers:
            module._buffers[attribute] = tensor
        else:
            raise ValueError(f"the int8 cache holds {key}, which the model does not have")


def model_folder(name: str) -> Path | None:
    """The local folder of model `name`: itself, or its snapshot in the Hugging Face cache; None
    when it is not on this machine yet (from_pretrained will download it)."""
    if Path(name).is_dir():
        return Path(name)
    from huggingface_hub import try_to_load_from_cache

    found = try_to_load_from_cache(name, "config.json")
    return Path(found).parent if isinstance(found, str) else None


def cache_folder(name: str, root: Path | None) -> Path | None:
    """Where the int8 weights of model `name` are cached (`root`, default: $HF_HOME/newsbrief-int8);
    None when the model is not on this machine yet."""
    folder = model_folder(name)
    if folder is None:
        return None
    if root is None:
        from huggingface_hub import constants

        root = Path(constants.HF_HOME) / "newsbrief-int8"
    return root / f"{folder.name}-{cache_key(folder)}"


def load_cached_int8(folder: Path):
    """The cached int8 model in `folder`, or None when there is none or it is unusable (then
    removed, so that it is written again)."""
    if not (folder / MANIFEST).is_file():
        return None
    try:
        return load_int8(folder)
    except Exception as err:  # any damage (a truncated file, a missing tensor): quantise again
        log.warning("the int8 cache %s is unusable (%s); quantising again", folder, err)
        shutil.rmtree(folder, ignore_errors=True)
        return None


def save_cached_int8(model, folder: Path) -> None:
    """`save_int8`, unless the cache folder cannot be written here (a read-only image): then the
    process goes on without it."""
    try:
        save_int8(model, folder)
    except OSError as err:
        log.warning("cannot write the int8 cache %s (%s); every start will quantise again", folder, err)
