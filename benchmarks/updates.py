"""Update briefings ("what's new since"): cases built from what the project has, measured.

    python benchmarks/updates.py [--data ../shared/eval/multinews-dev.jsonl] [--limit N]

Cases:
- seeds: the January article of seeds/putin-north-korea (written before the visit's dates were
  known) read, the four June ones new. No human update summary.
- dev split: each dev cluster of two articles or more, its first half (by article order) read and
  the rest new; scored against the cluster's summary, which covers the earlier half too (so the
  ROUGE figure ranks engines, it is no update score).
- changed toll: a dev article with a count ("12 people", "30 killed") read, and the same article
  with that count changed as the new one: the update must state the new figure as a change and
  repeat nothing else.
- nothing new: a dev cluster's articles read, and the same articles again, each under another
  URL: the briefing must say that nothing is new.
Figures: ROUGE-2 recall of the first 100 words (where references exist), earlier facts repeated
(target 0), briefings that found nothing new, changed figures stated (see
summarizer/evaluation/updates.py).
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import replace
from pathlib import Path

from summarizer.evaluation.updates import UpdateCase, format_summary, run_cases, split_by_order, summary_of
from summarizer.inputs import read_articles, read_clusters
from summarizer.options import SummaryOptions
from summarizer.types import Article

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds" / "putin-north-korea"
JANUARY = "002_5a7b70f5a442ebd2.txt"
DEV = next(
    (p / "shared/eval/multinews-dev.jsonl" for p in Path(__file__).resolve().parents if (p / "shared/eval").is_dir()),
    Path("../shared/eval/multinews-dev.jsonl"),
)
# A count of people: the figure a constructed case changes.
COUNT = re.compile(r"\b(\d{1,4}) (people|persons|were killed|killed|dead|injured|wounded)\b")


def seed_case() -> UpdateCase:
    files = sorted(SEEDS.glob("*.txt"))
    earlier, _ = read_articles([SEEDS / JANUARY])
    new, _ = read_articles([f for f in files if f.name != JANUARY])
    return UpdateCase("seeds", tuple(earlier), tuple(new))


def changed_toll_cases(data: Path, limit: int | None) -> list[UpdateCase]:
    cases = []
    for cluster in read_clusters(data, limit=limit):
        for article in cluster.articles:
            match = COUNT.search(article.text)
            if match is None:
                continue
            figure = str(int(match.group(1)) * 2 + 7)
            changed = article.text[: match.start(1)] + figure + article.text[match.end(1) :]
            new = replace(article, id=f"{article.id}-later", text=changed)
            cases.append(UpdateCase(f"{cluster.id}-toll", (article,), (new,), expected_figure=figure))
            break
    return cases


def nothing_new_cases(data: Path, limit: int | None) -> list[UpdateCase]:
    def again(articles: tuple[Article, ...]) -> tuple[Article, ...]:
        return tuple(replace(a, id=f"{a.id}-again", url=f"https://example.org/{i}") for i, a in enumerate(articles))

    return [UpdateCase(f"{c.id}-again", c.articles, again(c.articles)) for c in read_clusters(data, limit=limit)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEV, help="clusters JSONL (default: the dev set)")
    parser.add_argument("--limit", type=int, help="only the first N dev clusters")
    parser.add_argument("--engine", default="extractive", help="extractive (default), auto or abstractive")
    args = parser.parse_args()
    if not args.data.is_file():
        print(f"no data at {args.data}", file=sys.stderr)
        return 2
    options = SummaryOptions(engine=args.engine, max_words=100)
    clusters = read_clusters(args.data, with_references=True, limit=args.limit)
    groups = {
        "seeds (January read, June new)": [seed_case()],
        "dev split by article order": [
            c for c in (split_by_order(k.id, k.articles, k.references) for k in clusters) if c is not None
        ],
        "changed toll (constructed)": changed_toll_cases(args.data, args.limit),
        "nothing new (the same articles again)": nothing_new_cases(args.data, min(args.limit or 20, 20)),
    }
    print(f"engine {args.engine}, 100-word update briefings")
    for name, cases in groups.items():
        print(format_summary(name, summary_of(list(run_cases(cases, options)))), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
