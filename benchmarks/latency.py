"""Briefing latency on CPU: the naive recipe against our pipeline's profiles, in one run.

    HF_HUB_OFFLINE=1 python benchmarks/latency.py [--shapes distilbart-cnn-12-6 ...]
        [--clusters seeds synthetic10] [--variants naive default fast] [--runs 5] [--threads N]
        [--curve] [--eval-set ../shared/eval/multinews-dev.jsonl]

For each model shape in ../shared/model-shapes (config, generation config and real tokenizer,
no weights) a full-size model with RANDOM weights is built and saved to a temporary folder.
Every variant then runs in its own process (so its peak RSS is its own), which loads the
model from that folder the way it is loaded in production; the processes stay alive and take
turns, one briefing each per round, so a busy spell on a shared machine slows them alike:

- naive: the recipe people use today. Concatenate the articles, cut at the model's input
  limit, fp32, beam search of 4, plain transformers `generate`. Timed: tokenise, generate, decode.
- default / fast / exact: `summarize()` with that profile, chosen the way a user chooses it
  (NEWSBRIEF_PROFILE), on the generator `load_generator` returns. The whole call is timed:
  clean, segment, dedup, select, generate, attribute. The encoder pass that ms/token needs is
  timed apart, outside both. `default@768` is the default profile with
  its input budget set to 768 tokens (NEWSBRIEF_BUDGET_TOKENS); --curve adds default@384, @512,
  @768, @896 and @1024: the coverage-speed curve of the input budget. `default:generate` is the profile
  decoded by transformers' `generate()` instead of our own loops (generation/greedy_search.py and
  beam_search.py), as before them: the same tokens, so the difference is their overhead.

Every variant writes exactly --new-tokens tokens (min = max), so only the work per token and
the input differ. Random weights write noise, which the attribution guard drops, so the
briefing falls back to extractive sentences; that costs milliseconds and does not change the
model's work. Reported per row: p50/p95 wall seconds over --runs runs after --warmup,
CPU seconds (less sensitive to other load on a shared machine), input tokens, load time,
the speed-up of the p50 over the naive recipe's, and the input coverage of the variant's input
budget on --eval-set (ROUGE-2 recall of the model input against the human summaries, as
`newsbrief eval --engine extractive --budget-tokens B` prints it; naive: the concatenation cut at
the model's window). Per variant: ms per generated token (the generation's time less its encoder
pass, timed apart after each run, over the new tokens) next to the bandwidth floor: the bytes a
decoding step must read (decoder and output-layer weights, plus the encoder's cross-attention
keys and values, once per beam for transformers' beams) over the memory read bandwidth measured
at the start of the run; and the process's RSS after the runs (steady: its resident pages, the
memory-mapped embeddings' file pages included, once the pipeline has handed a briefing's freed
memory back) and its peak (the most it held over its life, load included: wait4's rusage). Then the
numerics check (first decoding steps' logits of each changed arithmetic path against the
fp32 reference), the targets of issue 6, and a last line with the speed-ups on the first
shape's first cluster. --threads sets NEWSBRIEF_TORCH_THREADS for every variant, naive too.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SHAPES = ROOT.parent / "shared" / "model-shapes"
# A variant's suffix: decode with transformers' generate() rather than our loops.
GENERATE_SUFFIX = ":generate"
SEEDS = ROOT / "seeds" / "putin-north-korea"
NAIVE_BEAMS = 4
NUMERICS_STEPS = 8
# Issue 16: p50 speed-up over the naive recipe on the seeds cluster; the default profile's input
# coverage at least the naive recipe's; fast's ms per token within 1.3x of the bandwidth floor;
# a serving process's steady RSS at most 1 GiB and its peak at most 1.2x that.
TARGETS = {"default": 4, "fast": 10}
FLOOR_TARGET = 1.3
STEADY_RSS_TARGET = 2**30
PEAK_OVER_STEADY_TARGET = 1.2
EVAL_SET = ROOT.parent / "shared" / "eval" / "multinews-dev.jsonl"
CURVE_BUDGETS = (384, 512, 768, 896, 1024)
# Config keys that transformers also reads under an alias (BART: num_hidden_layers is
# encoder_layers). When a config.json has both and they disagree, the alias silently wins:
# distilbart-cnn-12-6's "num_hidden_layers": 6 would build 6 encoder layers, not 12.
ALIASED_KEYS = ("encoder_layers", "decoder_layers", "encoder_attention_heads", "d_model")


# ---------------------------------------------------------------- inputs


def seed_articles():
    from summarizer.inputs import read_articles

    return read_articles([SEEDS])[0]


def synthetic_cluster(n_articles: int = 10, seed: int = 11):
    """A deterministic cluster built from the seed articles' sentences: a pool of facts that
    several outlets repeat word for word (dedup merges those), and each outlet's own sentences
    with other numbers and names (dedup must keep those apart)."""
    from summarizer.types import Article

    rng = random.Random(seed)
    text = " ".join(a.text for a in seed_articles())
    sentences = [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z\"'])", text) if 8 <= len(s.split()) <= 60]
    shared = rng.sample(sentences, 24)
    names = {
        "Putin": ["Lavrov", "Peskov", "Shoigu"],
        "Kim": ["Choe", "Pak", "Ri"],
        "Pyongyang": ["Wonsan", "Sinuiju"],
        "Moscow": ["Vladivostok", "Khabarovsk"],
        "Russia": ["Belarus"],
        "June": ["July", "August"],
    }

    def reworded(sentence: str) -> str:
        sentence = re.sub(r"\d+", lambda m: str(rng.randint(2, 990)), sentence)
        return re.sub(r"\b(" + "|".join(names) + r")\b", lambda m: rng.choice(names[m.group(1)]), sentence)

    articles = []
    for i in range(n_articles):
        picked = rng.sample(shared, 8) + [reworded(s) for s in rng.sample(sentences, 14)]
        rng.shuffle(picked)
        paragraphs = [" ".join(picked[k : k + 3]) for k in range(0, len(picked), 3)]
        articles.append(
            Article(
                id=f"synthetic-{i:02d}",
                title=f"Report {i + 1}: {' '.join(picked[0].split()[:8])}",
                text="\n\n".join(paragraphs),
            )
        )
    return articles


CLUSTERS = {"seeds": seed_articles, "synthetic10": synthetic_cluster}


# ---------------------------------------------------------------- models


def shape_folder(shape: str) -> Path:
    path = Path(shape)
    return path if path.is_dir() else SHAPES / shape


def build_model(shape: str, workdir: Path) -> tuple[Path, dict]:
    """A full-size random-weight model of `shape`, saved with its tokenizer and generation config
    under workdir/<shape> (reused when already there). Returns the folder and facts about it."""
    import torch
    from transformers import AutoConfig, AutoModelForSeq2SeqLM, AutoTokenizer, GenerationConfig

    source = shape_folder(shape)
    target = workdir / source.name  # the folder name keeps the family visible to template_for
    facts_file = target / "newsbrief_benchmark.json"
    if facts_file.exists():
        return target, json.loads(facts_file.read_text())
    raw = json.loads((source / "config.json").read_text())
    config = AutoConfig.from_pretrained(source)
    fixed = {}
    for key in ALIASED_KEYS:
        if key in raw and getattr(config, key, raw[key]) != raw[key]:
            fixed[key] = (getattr(config, key), raw[key])
            setattr(config, key, raw[key])
    torch.manual_seed(0)
    model = AutoModelForSeq2SeqLM.from_config(config)
    if (source / "generation_config.json").exists():
        model.generation_config = GenerationConfig.from_pretrained(source)
    model.save_pretrained(target)
    AutoTokenizer.from_pretrained(source).save_pretrained(target)
    params = {id(p): p for p in model.parameters()}.values()  # tied weights once
    facts = {
        "shape": source.name,
        "parameters": sum(p.numel() for p in params),
        "fp32_bytes": sum(p.numel() * 4 for p in params),
        "config_fixed": fixed,
    }
    facts_file.write_text(json.dumps(facts))
    return target, facts


# ---------------------------------------------------------------- workers (one process per variant)


class FixedLength:
    """The loaded generator with the output length forced: every variant writes the same number of tokens."""

    def __init__(self, generator, new_tokens: int):
        self._generator = generator
        self._new_tokens = new_tokens
        self.last = None

    def __getattr__(self, name):
        return getattr(self._generator, name)

    def generate(self, model_input, **kwargs):
        self.last_input = model_input
        self.last = self._generator.generate(
            model_input, **kwargs, min_new_tokens=self._new_tokens, max_new_tokens=self._new_tokens
        )
        return self.last


class Clock:
    """Wall and CPU seconds since it was made: what a runner times is the briefing alone, not
    the encoder pass it then times apart (that pass had added ~1.4 s to the naive recipe's and
    0.2-0.65 s to a profile's seconds)."""

    def __init__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def read(self) -> dict:
        return {"wall": time.perf_counter() - self.wall, "cpu": time.process_time() - self.cpu}


def encoder_seconds(model, encoded) -> float:
    """One encoder pass over `encoded`, timed (the part of a generation that is not decoding)."""
    import torch

    with torch.inference_mode():
        started = time.perf_counter()
        model.get_encoder()(**encoded)
        return time.perf_counter() - started


def decoding_facts(model, int8: bool) -> dict:
    """What one decoding step reads, less the attention's keys and values: the decoder's and the
    output layer's weights (int8: one byte each, plus a 4-byte scale per row), and the shape
    that sizes the cross-attention's keys and values."""
    import torch

    def weight_bytes(module) -> int:
        total = 0
        for sub in module.modules():
            if isinstance(sub, torch.ao.nn.quantized.dynamic.Linear):
                total += sub.in_features * sub.out_features + 4 * sub.out_features
            elif isinstance(sub, torch.nn.Linear):
                total += sub.weight.numel() * sub.weight.element_size()
        return total

    config = model.config
    return {
        "weight_bytes": weight_bytes(model.get_decoder()) + weight_bytes(model.get_output_embeddings()),
        "decoder_layers": config.decoder_layers,
        "d_model": config.d_model,
        "int8": int8,
    }


def naive_runner(folder: str, new_tokens: int):
    import torch
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    from summarizer.generation.loading import Seq2SeqGenerator, configure_torch_threads
    from summarizer.generation.prompts import template_for
    from summarizer.settings import Settings

    # The same thread count as the other variants: not one of our means here.
    configure_torch_threads(Settings.load().torch_threads)
    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = AutoModelForSeq2SeqLM.from_pretrained(folder).eval()
    limit = Seq2SeqGenerator._input_limit(tokenizer, model.config)
    template = template_for(folder, model.config.model_type)  # "summarize: " for T5, nothing for BART

    def run(articles) -> dict:
        clock = Clock()
        text = template.template.format(documents=" ".join(f"{a.title}. {a.text}" for a in articles))
        encoded = tokenizer(text, return_tensors="pt", truncation=True, max_length=limit)
        started = time.perf_counter()
        with torch.inference_mode():
            output = model.generate(
                **encoded,
                num_beams=NAIVE_BEAMS,
                early_stopping=True,
                no_repeat_ngram_size=3,
                min_new_tokens=new_tokens,
                max_new_tokens=new_tokens,
            )
        generate_s = time.perf_counter() - started
        tokenizer.decode(output[0], skip_special_tokens=True)
        return {
            **clock.read(),
            "input_tokens": int(encoded["input_ids"].shape[1]),
            "new_tokens": int(output.shape[1]) - 1,
            "profile": "naive",
            "beams": NAIVE_BEAMS,
            "int8": False,
            "generate_s": generate_s,
            "encoder_s": encoder_seconds(model, encoded),
        }

    run.facts = decoding_facts(model, int8=False)
    return run


def pipeline_runner(folder: str, new_tokens: int, generate: bool = False):
    from summarizer.generation.loading import load_generator
    from summarizer.generation.memory import return_freed_memory
    from summarizer.options import merge_options
    from summarizer.pipeline import summarize
    from summarizer.settings import Settings

    # The profile from NEWSBRIEF_PROFILE, a budget from NEWSBRIEF_BUDGET_TOKENS (default@768).
    settings = Settings.load()
    options = merge_options(settings, engine="abstractive", model=folder)
    loaded = load_generator(folder, quantize=options.profile_settings.quantize, settings=settings)
    if generate:
        loaded.backend = loaded.transformers_backend  # every decoding goes through generate(), not our loops
    generator = FixedLength(loaded, new_tokens)

    def run(articles) -> dict:
        clock = Clock()
        briefing = summarize(articles, options, generator=generator)
        timed = clock.read()
        encoded = loaded.tokenizer(
            generator.last_input, return_tensors="pt", truncation=True, max_length=loaded.max_input_tokens
        )
        facts = {
            **timed,
            "input_tokens": generator.last.input_tokens,
            "new_tokens": generator.last.new_tokens,
            "profile": briefing.profile,
            "beams": options.profile_settings.num_beams,
            "int8": options.profile_settings.quantize,
            "generate_s": briefing.stats.timings_ms["generate"] / 1000,
            "encoder_s": encoder_seconds(loaded.model, encoded),
        }
        # The encoder pass above is the benchmark's, not the service's: give back what it freed, as
        # the pipeline does after a briefing, so that the steady RSS is a serving process's.
        return_freed_memory()
        return facts

    run.facts = {
        **decoding_facts(loaded.model, int8=options.profile_settings.quantize),
        "from_cache": loaded.int8_from_cache,
    }
    return run


def worker(spec: dict) -> None:
    """Load one variant, say so, then run one briefing per cluster name read from stdin,
    answering each with a JSON line, until stdin closes."""
    import torch

    protocol, sys.stdout = sys.stdout, sys.stderr  # whatever the libraries print stays off the protocol

    def say(obj: dict) -> None:
        protocol.write(json.dumps(obj) + "\n")
        protocol.flush()

    started = time.perf_counter()
    if spec["variant"] == "naive":
        run = naive_runner(spec["folder"], spec["new_tokens"])
    else:
        run = pipeline_runner(spec["folder"], spec["new_tokens"], spec["variant"].endswith(GENERATE_SUFFIX))
    say({"load_s": time.perf_counter() - started, "threads": torch.get_num_threads(), **run.facts})
    clusters = {}
    for line in sys.stdin:
        name = line.strip()
        if name == "rss":  # the resident memory now, after the runs: the steady state
            status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
            say(
                {
                    "rss": os.sysconf("SC_PAGE_SIZE") * int(Path("/proc/self/statm").read_text().split()[1]),
                    # Of it, the process's own memory; the rest is files' pages that every worker shares.
                    "anonymous": int(status["RssAnon"].split()[0]) * 1024,
                }
            )
            continue
        say(run(clusters.setdefault(name, CLUSTERS[name]())))


def numerics_worker(spec: dict) -> None:
    """The numerics check, in its own process: fp32 reference (plain transformers loading) against
    each path that changes arithmetic, on the default profile's input for the seeds cluster."""
    from transformers import AutoModelForSeq2SeqLM

    from benchmarks.numerics import compare_first_steps, compare_logits, decoder_logits, reference_tokens
    from summarizer.generation.loading import Seq2SeqGenerator, configure_torch_threads
    from summarizer.options import PROFILES, SummaryOptions
    from summarizer.pipeline import summarize
    from summarizer.settings import Settings

    settings = Settings.load()
    configure_torch_threads(settings.torch_threads)
    folder = spec["folder"]
    reference = AutoModelForSeq2SeqLM.from_pretrained(folder).eval()
    fp32 = Seq2SeqGenerator(folder, quantize=False, settings=settings)
    int8 = Seq2SeqGenerator(folder, quantize=True, settings=settings)
    model_input = summarize(seed_articles(), SummaryOptions(engine="extractive", model=folder)).model_input
    encoded = int8.tokenizer(model_input, return_tensors="pt", truncation=True, max_length=int8.max_input_tokens)
    ids, mask = encoded["input_ids"], encoded["attention_mask"]
    tokens = reference_tokens(reference, ids, mask, spec["steps"])
    beams = PROFILES["default"].num_beams
    checks = [
        ("fp32, shared-keys beam path", fp32, beams),
        ("int8 (torch dynamic), greedy", int8, 1),
        ("int8, shared-keys beam path", int8, beams),
    ]
    print(f"input: {ids.shape[1]} tokens (the default profile's selection for the seeds cluster)")
    for name, generator, n_beams in checks:
        comparison = compare_first_steps(
            reference,
            generator.model,
            ids,
            mask,
            name=name,
            beams=n_beams,
            tokens=tokens,
            cache=generator.beam_cache() if n_beams > 1 else None,
        )
        print(comparison.line())
    for name, n_beams in (("int8, our greedy step (fast)", 1), ("int8, our beam step (default)", beams)):
        ours = our_step_logits(int8, ids, mask, tokens, n_beams)
        print(compare_logits(name, ours, decoder_logits(reference, ids, mask, tokens, n_beams)).line())
        cache = int8.beam_cache() if n_beams > 1 else None
        theirs = decoder_logits(int8.model, ids, mask, tokens, n_beams, cache)
        print(compare_logits("  the same against transformers int8", ours, theirs).line())


def our_step_logits(generator, ids, mask, tokens, beams: int):
    """[steps, beams, vocab]: the logits of our loops' decoder step (summarizer/generation/bart_decoder_step.py)
    fed `tokens`, every beam the same."""
    import torch

    step = generator.decoder_step
    with torch.inference_mode():
        states = generator.model.get_encoder()(input_ids=ids, attention_mask=mask).last_hidden_state
        keys_values = step.start(states, max_tokens=len(tokens), rows=beams)
        return torch.stack(
            [step.rows([[token] * beams], [position], [keys_values])[0] for position, token in enumerate(tokens)]
        )


class Worker:
    """A variant's own process, kept alive so that runs of all variants can be interleaved:
    a busy spell on a shared machine then slows every variant alike, not whichever ran in it."""

    def __init__(self, spec: dict, env: dict):
        self.name = spec["variant"]
        self.log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 (closed in close()); a file, not a pipe: a chatty child never blocks
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--worker", json.dumps(spec)],
            env=env,
            text=True,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
        )
        self.info = self._answer()

    def _answer(self) -> dict:
        line = self.process.stdout.readline()
        if not line:
            self.log.seek(0)
            raise SystemExit(f"worker {self.name} failed:\n{self.log.read()[-3000:]}")
        return json.loads(line)

    def run(self, cluster: str) -> dict:
        self.process.stdin.write(cluster + "\n")
        self.process.stdin.flush()
        return self._answer()

    def rss(self) -> dict:
        return self.run("rss")

    def close(self) -> int:
        """Stop the process; its peak RSS in bytes (reaped with wait4, so the rusage is this
        child's alone, not the maximum over every child so far)."""
        self.process.stdin.close()
        _, status, usage = os.wait4(self.process.pid, 0)
        self.process.returncode = os.waitstatus_to_exitcode(status)
        self.log.seek(0)
        errors = self.log.read()[-3000:]
        self.log.close()
        if self.process.returncode:
            raise SystemExit(f"worker {self.name} failed (exit {self.process.returncode}):\n{errors}")
        return usage.ru_maxrss * 1024  # Linux reports kilobytes


def measure(variants: list[str], clusters: list[str], folder: Path, args, env: dict) -> dict:
    """Every variant's results: load, then per cluster the warm-ups, then the runs in rounds
    (one run of each variant per round, the order rotated each round)."""
    workers = []
    for variant in variants:
        spec = {"variant": variant, "folder": str(folder), "new_tokens": args.new_tokens}
        profile, _, budget = variant.removesuffix(GENERATE_SUFFIX).partition("@")
        variant_env = dict(env) if variant == "naive" else {**env, "NEWSBRIEF_PROFILE": profile}
        if budget:
            variant_env["NEWSBRIEF_BUDGET_TOKENS"] = budget
        workers.append(Worker(spec, variant_env))
        print(f"  loaded {variant} in {workers[-1].info['load_s']:.1f} s", flush=True)
    results = {w.name: {**w.info, "clusters": {}} for w in workers}
    for cluster in clusters:
        for w in workers:
            for _ in range(args.warmup):
                w.run(cluster)
        for round_ in range(args.runs):
            shift = round_ % len(workers)
            for w in workers[shift:] + workers[:shift]:
                r = w.run(cluster)
                timed = ("wall", "cpu", "generate_s", "encoder_s")
                into = results[w.name]["clusters"].setdefault(cluster, {**r, **{k: [] for k in timed}})
                for key in timed:
                    into[key].append(r[key])
        print(f"  measured {cluster}", flush=True)
    for w in workers:
        steady = w.rss()
        results[w.name]["steady_rss"], results[w.name]["steady_anonymous"] = steady["rss"], steady["anonymous"]
        results[w.name]["peak_rss"] = w.close()
    return results


def memory_read_bandwidth(threads: int | None) -> float:
    """Bytes per second that torch reads from memory with `threads` threads (sum of a 512 MiB
    tensor, the best of 5): the machine's limit for a decoding step that streams its weights."""
    import torch

    if threads:
        torch.set_num_threads(threads)
    data = torch.ones(2**27)
    data.sum()
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        data.sum()
        best = min(best, time.perf_counter() - started)
    return data.numel() * data.element_size() / best


def bytes_per_token(facts: dict, input_tokens: int, beams: int, naive: bool) -> float:
    """What one decoding step reads: the weights, and the cross-attention keys and values of
    the input (fp32) once, or once per beam for transformers' own beams (the naive recipe)."""
    cross = 2 * facts["decoder_layers"] * input_tokens * facts["d_model"] * 4
    return facts["weight_bytes"] + cross * (beams if naive else 1)


def input_coverage(eval_set: Path, budgets: set[int], folder: Path) -> dict:
    """Input coverage on `eval_set` (as `newsbrief eval` prints it) at each budget, and "naive":
    the articles concatenated and cut at the model's 1024-token window."""
    from transformers import AutoTokenizer

    from summarizer.evaluation.metrics import rouge2_recall
    from summarizer.evaluation.runner import run_eval
    from summarizer.inputs.clusters import read_clusters
    from summarizer.options import SummaryOptions

    found = {
        budget: run_eval(
            eval_set, SummaryOptions(engine="extractive", budget_tokens=budget, tokenizer=str(folder))
        ).summary["input_coverage"]
        for budget in sorted(budgets)  # counted with the model's real tokenizer, wherever this runs
    }
    tokenizer = AutoTokenizer.from_pretrained(folder)
    recalls = []
    for cluster in read_clusters(eval_set, with_references=True):
        text = " ".join(f"{a.title}. {a.text}" for a in cluster.articles)
        ids = tokenizer(text, truncation=True, max_length=1024)["input_ids"]
        recalls.append(rouge2_recall(tokenizer.decode(ids, skip_special_tokens=True), cluster.references))
    found["naive"] = sum(recalls) / len(recalls)
    return found


def variant_budget(variant: str) -> int | None:
    from summarizer.options import PROFILES

    profile, _, budget = variant.removesuffix(GENERATE_SUFFIX).partition("@")
    return int(budget) if budget else PROFILES[profile].budget_for(1024) if profile in PROFILES else None


# ---------------------------------------------------------------- report


def percentile(values: list[float], q: float) -> float:
    """Linear interpolation between the closest ranks (numpy's default)."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def variant_name(name: str) -> str:
    base = name.removesuffix(GENERATE_SUFFIX)
    profile, at, budget = base.partition("@")
    if (
        profile not in ("naive", "default", "fast", "exact")
        or (at and (profile == "naive" or not budget.isdigit()))
        or (base != name and profile == "naive")
    ):
        raise argparse.ArgumentTypeError(
            f"{name!r}: naive, default, fast, exact, or a profile@budget; "
            f"a profile{GENERATE_SUFFIX} decodes with generate()"
        )
    return name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--shapes",
        nargs="+",
        default=["distilbart-cnn-12-6"],
        help="folders in ../shared/model-shapes (or paths to such folders)",
    )
    parser.add_argument("--clusters", nargs="+", default=list(CLUSTERS), choices=list(CLUSTERS))
    parser.add_argument(
        "--variants",
        nargs="+",
        default=["naive", "default", "fast"],
        type=variant_name,
        help="naive, default, fast, exact, or a profile with another input budget: default@768; "
        f"default{GENERATE_SUFFIX}: the profile decoded by transformers' generate() instead of our loops",
    )
    parser.add_argument("--curve", action="store_true", help="add default@384, @512, @768, @896 and @1024")
    parser.add_argument("--eval-set", type=Path, default=EVAL_SET, help="clusters with human summaries, for coverage")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--new-tokens", type=int, default=128)
    parser.add_argument("--threads", type=int, help="NEWSBRIEF_TORCH_THREADS for every variant (default: torch's)")
    parser.add_argument("--workdir", help="keep the built models here and reuse them (default: a temporary folder)")
    parser.add_argument("--no-numerics", action="store_true", help="skip the logits check")
    parser.add_argument("--json", help="also write every measurement to this file")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        spec = json.loads(args.worker)
        return numerics_worker(spec) if spec["variant"] == "numerics" else worker(spec)

    if args.curve:
        args.variants += [f"default@{b}" for b in CURVE_BUDGETS if f"default@{b}" not in args.variants]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    temporary = None if args.workdir else tempfile.TemporaryDirectory(prefix="newsbrief-bench-")
    workdir = Path(args.workdir or temporary.name)
    workdir.mkdir(parents=True, exist_ok=True)
    env["NEWSBRIEF_INT8_CACHE_DIR"] = str(workdir / "int8-cache")
    if args.threads:
        env["NEWSBRIEF_TORCH_THREADS"] = str(args.threads)
    bandwidth = memory_read_bandwidth(args.threads)
    print(
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start; "
        f"{args.runs} runs after {args.warmup} warm-up; {args.new_tokens} new tokens forced in every variant; "
        f"memory read bandwidth {bandwidth / 1e9:.1f} GB/s"
    )
    rows, all_results = [], {}
    for shape in args.shapes:
        folder, facts = build_model(shape, workdir)
        fixed = "".join(
            f"; config {k} {old} -> {new} (alias disagreed)" for k, (old, new) in facts["config_fixed"].items()
        )
        print(
            f"\n{facts['shape']}: {facts['parameters'] / 1e6:.0f} M parameters, "
            f"fp32 {facts['fp32_bytes'] / 2**20:.0f} MiB{fixed}"
        )
        # The int8 cache, built once as the Docker image's build does: every int8 variant's
        # process then loads as a serving process does.
        subprocess.run(
            [sys.executable, "-c", "import sys; from summarizer.generation.loading import Seq2SeqGenerator; "
             "from summarizer.settings import Settings; "
             "Seq2SeqGenerator(sys.argv[1], quantize=True, settings=Settings.load())", str(folder)],
            env=env,
            check=True,
            capture_output=True,
        )  # fmt: skip
        results = measure(args.variants, args.clusters, folder, args, env)
        coverage = (
            input_coverage(args.eval_set, {b for v in args.variants if (b := variant_budget(v))}, folder)
            if args.eval_set.is_file()
            else {}
        )
        all_results[facts["shape"]] = {"facts": facts, "results": results, "coverage": coverage}
        header = (
            f"{'cluster':<12} {'variant':<16} {'beams':>5} {'int8':>4} {'thr':>3} {'in tok':>6} {'cover':>5} "
            f"{'p50 s':>7} {'p95 s':>7} {'cpu s':>6} {'speedup':>7} {'ms/tok':>7} {'floor':>6} {'x floor':>7} "
            f"{'steady':>8} {'peak':>8} {'peak/st':>7}"
        )
        print(header + "\n" + "-" * len(header))
        for cluster in args.clusters:
            naive = results.get("naive", {}).get("clusters", {}).get(cluster)
            for variant, result in results.items():
                r = result["clusters"][cluster]
                p50, p95 = statistics.median(r["wall"]), percentile(r["wall"], 0.95)
                cpu = statistics.median(r["cpu"])
                speedup = statistics.median(naive["wall"]) / p50 if naive else float("nan")
                decoding = [(g - e) / r["new_tokens"] for g, e in zip(r["generate_s"], r["encoder_s"], strict=True)]
                ms_token = statistics.median(decoding) * 1000
                floor = bytes_per_token(result, r["input_tokens"], r["beams"], variant == "naive") / bandwidth * 1000
                budget = "naive" if variant == "naive" else variant_budget(variant)
                cover = f"{coverage[budget]:>5.1f}" if budget in coverage else f"{'-':>5}"
                steady, peak = result["steady_rss"], result["peak_rss"]
                rows.append(
                    (
                        facts["shape"],
                        cluster,
                        variant,
                        speedup,
                        ms_token / floor,
                        steady,
                        peak,
                        coverage.get(budget),
                        result["steady_anonymous"],
                    )
                )
                print(
                    f"{cluster:<12} {variant:<16} {r['beams']:>5} {'yes' if r['int8'] else 'no':>4} "
                    f"{result['threads']:>3} {r['input_tokens']:>6} {cover} {p50:>7.2f} {p95:>7.2f} {cpu:>6.2f} "
                    f"{speedup:>6.1f}x {ms_token:>7.1f} {floor:>6.1f} {ms_token / floor:>6.2f}x "
                    f"{steady / 2**20:>4.0f} MiB {peak / 2**20:>4.0f} MiB {peak / steady:>6.2f}x"
                )
        if not args.no_numerics:
            print(
                "\nnumerics: first decoding steps' logits against the fp32 transformers reference "
                "(random weights: a weak proxy for quality)"
            )
            spec = {"variant": "numerics", "folder": str(folder), "steps": NUMERICS_STEPS}
            done = subprocess.run(
                [sys.executable, __file__, "--worker", json.dumps(spec)],
                env=env,
                text=True,
                capture_output=True,
                check=False,
            )
            if done.returncode:
                raise SystemExit(f"numerics check failed:\n{done.stderr[-3000:]}")
            print("  " + done.stdout.strip().replace("\n", "\n  "))
    if args.json:
        Path(args.json).write_text(json.dumps(all_results, indent=1))
    print(f"\nload average {os.getloadavg()[0]:.1f} at the end")
    first = [r for r in rows if r[0] == rows[0][0] and r[1] == rows[0][1] and r[2] != "naive"] if rows else []
    if first:
        shape, cluster = rows[0][0], rows[0][1]
        print(
            f"targets on {shape}, {cluster} cluster, p50 wall: "
            + "; ".join(
                f"{variant} {speedup:.1f}x "
                f"(target {TARGETS[variant]}x: {'met' if speedup >= TARGETS[variant] else 'MISSED'})"
                for _, _, variant, speedup, *_ in first
                if variant in TARGETS
            )
        )
        naive_coverage = next((r[7] for r in rows if r[2] == "naive"), None)
        for _, _, variant, _, x_floor, steady, peak, cover, anonymous in first:
            if variant == "default" and cover is not None and naive_coverage is not None:
                met = "met" if cover >= naive_coverage else "MISSED"
                print(f"default input coverage {cover:.1f} (target: naive's {naive_coverage:.1f}: {met})")
            if variant == "fast":
                met = "met" if x_floor <= FLOOR_TARGET else "MISSED"
                print(f"fast ms per token {x_floor:.2f}x the bandwidth floor (target {FLOOR_TARGET}x: {met})")
            if variant in ("default", "fast"):
                met = "met" if steady <= STEADY_RSS_TARGET and peak <= PEAK_OVER_STEADY_TARGET * steady else "MISSED"
                print(
                    f"{variant} process RSS steady {steady / 2**30:.2f} GiB ({anonymous / 2**30:.2f} GiB its own, "
                    f"the rest files' pages that workers share), peak {peak / steady:.2f}x steady "
                    f"(targets 1.0 GiB and {PEAK_OVER_STEADY_TARGET}x: {met})"
                )
        print("speedup " + " ".join(f"{variant}={speedup:.1f}x" for _, _, variant, speedup, *_ in first))
    if temporary:
        temporary.cleanup()


if __name__ == "__main__":
    main()
