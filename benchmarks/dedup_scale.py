"""How dedup and selection scale: a synthetic 200-article cluster (about 6,000 sentences).

    python benchmarks/dedup_scale.py [--articles 200 50 10] [--tokenizer DIR] [--runs 3]

Prints one row per cluster size with the median time of each CPU stage; the
target is dedup + select under 2 s for 200 articles on a 2-core machine.
Selection counts tokens with the distilbart tokenizer from ../shared/model-shapes
when it is there (as the real model would), else with the approximate counter.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import synthetic_cluster

from summarizer.generation.prompts import template_for
from summarizer.pipeline import tokenizer_counter
from summarizer.stages.clean import clean
from summarizer.stages.dedup import deduplicate
from summarizer.stages.segment import segment
from summarizer.stages.select import fit_budget, rank

DEFAULT_TOKENIZER = Path(__file__).resolve().parents[2] / "shared" / "model-shapes" / "distilbart-cnn-12-6"


def measure(n_articles: int, counter, runs: int) -> dict:
    articles = synthetic_cluster(n_articles)
    template = template_for("sshleifer/distilbart-cnn-12-6")
    times = {"clean+segment": [], "dedup": [], "select": []}
    for _ in range(runs):
        t0 = time.perf_counter()
        sentences = segment(clean(articles))
        t1 = time.perf_counter()
        clusters = deduplicate(sentences)
        t2 = time.perf_counter()
        selection = fit_budget(rank(clusters), template, counter, 1024)
        t3 = time.perf_counter()
        for key, value in zip(times, (t1 - t0, t2 - t1, t3 - t2), strict=True):
            times[key].append(value)
    medians = {k: statistics.median(v) for k, v in times.items()}
    return {
        "articles": n_articles,
        "sentences": len(sentences),
        "clusters": len(clusters),
        "merged": len(sentences) - len(clusters),
        "input_tokens": selection.input_tokens,
        **medians,
        "dedup+select": medians["dedup"] + medians["select"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, nargs="+", default=[10, 50, 200])
    parser.add_argument("--tokenizer", default=str(DEFAULT_TOKENIZER) if DEFAULT_TOKENIZER.is_dir() else "none")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    counter = tokenizer_counter(args.tokenizer)
    print(f"token counter: {counter.name}; median of {args.runs} runs; seconds")
    header = (
        f"{'articles':>8} {'sentences':>9} {'clusters':>8} {'merged':>7} {'tokens':>6} "
        f"{'clean+seg':>9} {'dedup':>7} {'select':>7} {'dedup+select':>12}"
    )
    print(header)
    print("-" * len(header))
    for n in args.articles:
        row = measure(n, counter, args.runs)
        print(
            f"{row['articles']:>8} {row['sentences']:>9} {row['clusters']:>8} {row['merged']:>7} "
            f"{row['input_tokens']:>6} "
            f"{row['clean+segment']:>9.3f} {row['dedup']:>7.3f} {row['select']:>7.3f} {row['dedup+select']:>12.3f}"
        )


if __name__ == "__main__":
    main()
