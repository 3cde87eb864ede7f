"""Story clustering: quality against known clusters, and speed.

    python benchmarks/stories.py [--data ../shared/eval/multinews-dev.jsonl] [--thresholds 0.15,0.2,0.25]

Streams (the articles of each shuffled with a fixed seed):
- dev: every document of the dev set's clusters (about 290 articles, 100 stories), all seen within
  one window, like a day's feeds. Also its halves, split by cluster (A for tuning, B held out),
  and the same without crawl artefacts ("articles only": see ARTEFACTS).
- dev, dated: the same clusters with publication dates, as real feeds give them (Multi-News has
  none, nor titles): each event on a day of `DATED_DAYS` (seeded), each of its articles published
  within `EVENT_HOURS` of that, the stream in publication order. The rows without "dated" are the
  undated stream a pasted collection gives.
- dev xK: K copies of the dev stream, each article with a third of its sentences dropped, each
  copy a window apart (a new day's news); 1,000 and 10,000 articles: quality and speed with the
  index expiring old stories.
- one window 10,000: the same copies all within one window: the worst case for speed (every story
  open); its quality is not meaningful (copies of one event are one event), so only speed is shown.

Speed is wall-clock articles per second and seconds, and the process's CPU seconds (the figure
to trust on a shared, loaded machine); one core does the clustering.

Quality: B-cubed precision, recall and F1 (Bagga and Baldwin 1998) and the adjusted Rand index
(scikit-learn) against the true clusters, a page the clusterer set aside as no article counted as a
story of one; "B3 F1 kept" is the F1 over the pages it kept (the set-aside ones left out of both
sides), next to how many it set aside. Speed: articles per second, text already fetched.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections import Counter, defaultdict
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sklearn.metrics import adjusted_rand_score

from summarizer.inputs import read_clusters
from summarizer.stories import StoryClusterer
from summarizer.stories.clustering import DEFAULT_THRESHOLD
from summarizer.text import normalize
from summarizer.types import Article

# shared/ lies beside the checkout (or beside the folder of work trees).
DEV = next(
    (p / "shared/eval/multinews-dev.jsonl" for p in Path(__file__).resolve().parents if (p / "shared/eval").is_dir()),
    Path("../shared/eval/multinews-dev.jsonl"),
)
START = datetime(2026, 1, 1, tzinfo=UTC)
WINDOW = timedelta(days=3)
# The dated stream: events spread over this many days, each event's articles over this many hours.
DATED_DAYS = 14
EVENT_HOURS = 36
Labelled = list[tuple[Article, str]]
# ARTEFACTS: Multi-News's crawl kept pages that are no article: error pages, "Tweet with a
# location", the archive's own notice. A page under this many words, or whose very text is filed
# under two different events, is one; the "articles only" rows leave them out.
MIN_ARTICLE_WORDS = 50


def b_cubed(truth: list[str], found: list[int]) -> tuple[float, float, float]:
    """Precision, recall and F1 averaged over items (Bagga and Baldwin's B-cubed)."""
    pairs = Counter(zip(truth, found, strict=True))
    true_sizes = Counter(truth)
    found_sizes = Counter(found)
    precision = sum(n * n / found_sizes[f] for (_, f), n in pairs.items()) / len(truth)
    recall = sum(n * n / true_sizes[t] for (t, _), n in pairs.items()) / len(truth)
    return precision, recall, 2 * precision * recall / (precision + recall)


def dev_stream(path: Path, clusters: slice = slice(None), articles_only: bool = False, seed: int = 13) -> Labelled:
    """The documents of the clusters, shuffled, each a page of its own (a URL: every one is stored,
    even where two texts are the same). `articles_only` leaves out crawl artefacts (see ARTEFACTS)."""
    stream = [
        (replace(article, id=f"{cluster.id}/{i}", url=f"https://example.org/{cluster.id}/{i}"), cluster.id)
        for cluster in read_clusters(path)[clusters]
        for i, article in enumerate(cluster.articles)
    ]
    if articles_only:
        events_of_text = defaultdict(set)
        for article, label in stream:
            events_of_text[normalize(article.text).casefold()].add(label)
        stream = [
            (article, label)
            for article, label in stream
            if len(article.text.split()) >= MIN_ARTICLE_WORDS
            and len(events_of_text[normalize(article.text).casefold()]) == 1
        ]
    random.Random(seed).shuffle(stream)
    return stream


def perturbed(article: Article, copy: int, rng: random.Random) -> Article:
    """A copy of `article` with a third of its sentences dropped, another outlet's retelling."""
    sentences = article.text.replace("\n", " ").split(". ")
    kept = [s for s in sentences if rng.random() > 1 / 3] or sentences[:1]
    return replace(article, id=f"{article.id}#{copy}", url=f"{article.url}/copy-{copy}", text=". ".join(kept))


def copies(base: Labelled, size: int, spaced: bool) -> list[tuple[Article, str, datetime]]:
    """`size` articles: copies of `base`, each copy a window apart when `spaced`."""
    rng = random.Random(size)
    stream = []
    copy = 0
    while len(stream) < size:
        day = START + (2 * WINDOW * copy if spaced else timedelta(0))
        for i, (article, label) in enumerate(base[: size - len(stream)]):
            stream.append((perturbed(article, copy, rng), f"{label}#{copy}", day + timedelta(seconds=i)))
        copy += 1
    return stream


def mean_run(streams: list[list[tuple[Article, str, datetime]]], threshold: float) -> dict[str, float]:
    """The measures averaged over several orders of one stream: single-pass clustering depends on
    the order, and one order's figure is partly luck."""
    runs = [run(stream, threshold) for stream in streams]
    return {key: sum(r[key] for r in runs) / len(runs) for key in runs[0]}


def run(stream: list[tuple[Article, str, datetime]], threshold: float) -> dict[str, float]:
    clusterer = StoryClusterer(window=WINDOW, threshold=threshold)
    started, cpu_started = time.perf_counter(), time.process_time()
    assignments = [clusterer.add(article, seen) for article, _, seen in stream]
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    found = [assignment.story for assignment in assignments]
    precision, recall, f1 = b_cubed([label for _, label, _ in stream], found)
    kept = [(label, a.story) for (_, label, _), a in zip(stream, assignments, strict=True) if a.set_aside is None]
    _, _, kept_f1 = b_cubed([label for label, _ in kept], [story for _, story in kept])
    return {
        "articles": len(stream),
        "true": len({label for _, label, _ in stream}),
        "found": len(set(found)),
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "ari": adjusted_rand_score([label for _, label, _ in stream], found),
        "set_aside": len(stream) - len(kept),
        "kept_f1": kept_f1,
        "per_s": len(stream) / seconds,
        "seconds": seconds,
        "cpu_s": cpu_seconds,
    }


def dated(stream: Labelled, seed: int) -> list[tuple[Article, str, datetime]]:
    """`stream` with publication dates (see the module doc), in publication order."""
    rng = random.Random(seed)
    event_day = {label: START + timedelta(days=rng.randrange(DATED_DAYS)) for label in sorted({lb for _, lb in stream})}
    published = [
        (article, label, event_day[label] + timedelta(hours=rng.uniform(0, EVENT_HOURS))) for article, label in stream
    ]
    published.sort(key=lambda item: item[2])
    return [(replace(article, published=when.isoformat()), label, when) for article, label, when in published]


def timed(stream: Labelled) -> list[tuple[Article, str, datetime]]:
    return [(article, label, START + timedelta(seconds=i)) for i, (article, label) in enumerate(stream)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEV, help="clusters JSONL (default: the dev set)")
    parser.add_argument("--thresholds", default=str(DEFAULT_THRESHOLD), help="comma-separated thresholds to compare")
    parser.add_argument("--orders", type=int, default=5, help="shuffles of each dev stream averaged (5)")
    parser.add_argument("--only", help="run only the streams whose name contains this text (e.g. 10,000)")
    parser.add_argument("--quick", action="store_true", help="the dev streams only, not the 1,000 and 10,000 ones")
    args = parser.parse_args()
    if not args.data.is_file():
        print(f"no data at {args.data}", file=sys.stderr)
        return 2
    clusters = len(read_clusters(args.data))
    half = clusters // 2
    orders = range(1, args.orders + 1)

    def shuffled(part: slice, articles_only: bool = False) -> list[list[tuple[Article, str, datetime]]]:
        return [timed(dev_stream(args.data, part, articles_only, seed)) for seed in orders]

    def with_dates(part: slice) -> list[list[tuple[Article, str, datetime]]]:
        return [dated(dev_stream(args.data, part, seed=seed), seed) for seed in orders]

    streams = {
        f"dev A (clusters 1-{half}, tuning)": shuffled(slice(0, half)),
        f"dev B (clusters {half + 1}-{clusters}, held out)": shuffled(slice(half, None)),
        "dev (all)": shuffled(slice(None)),
        f"dev A, dated over {DATED_DAYS} days": with_dates(slice(0, half)),
        f"dev B, dated over {DATED_DAYS} days": with_dates(slice(half, None)),
        f"dev (all), dated over {DATED_DAYS} days": with_dates(slice(None)),
        "dev A, articles only": shuffled(slice(0, half), articles_only=True),
        "dev B, articles only": shuffled(slice(half, None), articles_only=True),
        "dev, articles only": shuffled(slice(None), articles_only=True),
    }
    if not args.quick:
        dev = dev_stream(args.data)
        streams["dev x, 1,000, a window apart"] = [copies(dev, 1000, spaced=True)]
        streams["dev x, 10,000, a window apart"] = [copies(dev, 10_000, spaced=True)]
        streams["10,000 in one window (speed only)"] = [copies(dev, 10_000, spaced=False)]
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f}; window {WINDOW}; dev rows: mean of {args.orders} orders")
    print("the dev set has no titles: 'dated' rows add publication dates only; pages set aside count as stories of one")
    print(
        "| stream | threshold | articles | stories (true) | B3 P | B3 R | B3 F1 | ARI | set aside | B3 F1 kept "
        "| articles/s | s | cpu s |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, variants in streams.items():
        if args.only and args.only not in name:
            continue
        for threshold in map(float, args.thresholds.split(",")):
            r = mean_run(variants, threshold)
            quality = (
                " n/a | n/a | n/a | n/a | n/a | n/a"
                if "speed only" in name
                else f" {r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.3f} | {r['ari']:.3f} "
                f"| {r['set_aside']:.1f} | {r['kept_f1']:.3f}"
            )
            print(
                f"| {name} | {threshold:g} | {r['articles']:.0f} | {r['found']:.0f} ({r['true']:.0f}) |{quality} "
                f"| {r['per_s']:.0f} | {r['seconds']:.1f} | {r['cpu_s']:.1f} |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
