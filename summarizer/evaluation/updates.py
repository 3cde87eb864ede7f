"""`newsbrief eval --mode update`: update briefings (`summarize(new, since=earlier)`) measured.

Input: JSON Lines as for `newsbrief eval`, where a line may also give "earlier": the documents
read before (same shape as "documents"). A line without "earlier" is split by article order: its
first half (rounded down) was read, the rest is new; a cluster of one article is skipped. Human
summaries ("summary" or "references") are optional: where a line has them, the first
`LEAD_WORDS` words of the update briefing are scored by ROUGE-2 recall against them (as update
summarisation tasks score it); a split cluster's summary covers the whole event, the earlier half
too, so that figure only ranks engines against each other.

Per case: whether the briefing repeats what was read (`repeated_facts`: briefing sentences that
state the same fact as an earlier sentence, by `select.same_fact`, and give no figure the
earlier sentence lacks; the target is 0), whether it found nothing new, its update sentences and
whether it states an expected changed figure (`expected_figure`, for constructed cases).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from ..errors import InputError
from ..inputs.clusters import cluster_from_json, decode_line
from ..options import SummaryOptions
from ..settings import GenerationSettings
from ..stages.clean import clean
from ..stages.segment import make_sentence, segment
from ..stages.select import same_fact
from ..types import Article, Briefing, Sentence
from .metrics import rouge2_recall

# Update summaries are scored on their first 100 words (the TAC update task's length).
LEAD_WORDS = 100
MAX_LINE_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class UpdateCase:
    id: str
    earlier: tuple[Article, ...]
    new: tuple[Article, ...]
    references: tuple[str, ...] = ()
    # A figure the update must state (a constructed case's changed toll), or None.
    expected_figure: str | None = None


@dataclass(frozen=True)
class UpdateResult:
    id: str
    earlier_articles: int
    new_articles: int
    rouge2_recall_lead: float | None
    repeated_facts: int
    nothing_new: bool
    sentences: int
    updates: int
    words: int
    found_expected_figure: bool | None
    seconds: float


def split_by_order(case_id: str, articles: Sequence[Article], references: Sequence[str] = ()) -> UpdateCase | None:
    """The first half of a cluster's articles read, the rest new (None for one article)."""
    if len(articles) < 2:
        return None
    half = len(articles) // 2
    return UpdateCase(case_id, tuple(articles[:half]), tuple(articles[half:]), tuple(references))


def read_update_cases(path: str | Path, limit: int | None = None) -> list[UpdateCase]:
    """The update cases of a JSON Lines file (see the module doc); a bad line stops with its number."""
    cases: list[UpdateCase] = []
    with Path(path).open("rb") as stream:
        for number, raw in enumerate(stream, start=1):
            if limit is not None and len(cases) >= limit:
                break
            if not raw.strip():
                continue
            obj = decode_line(raw, number, MAX_LINE_BYTES)
            if not isinstance(obj, dict):
                raise InputError(f"line {number}: not a JSON object", "data")
            rest = {k: v for k, v in obj.items() if k != "earlier"}
            cluster = cluster_from_json(rest, number, with_references="summary" in obj or "references" in obj)
            if "earlier" in obj:
                earlier = cluster_from_json({"id": cluster.id, "documents": obj["earlier"]}, number).articles
                cases.append(UpdateCase(cluster.id, earlier, cluster.articles, cluster.references))
            elif (case := split_by_order(cluster.id, cluster.articles, cluster.references)) is not None:
                cases.append(case)
    return cases


def earlier_sentences(articles: Sequence[Article]) -> list[Sentence]:
    return segment(clean(articles))


def repeated_facts(briefing: Briefing, earlier: Sequence[Sentence]) -> int:
    """Briefing sentences that state an earlier sentence's fact and add no figure to it."""
    repeats = 0
    for sentence in briefing.sentences:
        if sentence.novelty is None:  # the "nothing new" sentence
            continue
        said = make_sentence(0, 0, sentence.text)
        if any(same_fact(said, e) and said.numbers <= e.numbers for e in earlier):
            repeats += 1
    return repeats


def first_words(text: str, count: int = LEAD_WORDS) -> str:
    return " ".join(text.split()[:count])


def evaluate_update(
    case: UpdateCase, options: SummaryOptions, settings: GenerationSettings | None = None
) -> UpdateResult:
    from ..pipeline import summarize

    started = time.perf_counter()
    try:
        briefing = summarize(case.new, options, since=case.earlier, settings=settings)
    except InputError as err:
        raise InputError(f"case {case.id}: {err.message}", err.field) from None
    seconds = time.perf_counter() - started
    texts = " ".join(s.text for s in briefing.sentences)
    nothing_new = all(s.novelty is None for s in briefing.sentences)
    recall = rouge2_recall(first_words(texts), case.references) if case.references and not nothing_new else None
    found = None
    if case.expected_figure is not None:
        found = any(s.novelty == "update" and case.expected_figure in s.text for s in briefing.sentences)
    return UpdateResult(
        id=case.id,
        earlier_articles=len(case.earlier),
        new_articles=len(case.new),
        rouge2_recall_lead=0.0 if case.references and nothing_new else recall,
        repeated_facts=repeated_facts(briefing, earlier_sentences(case.earlier)),
        nothing_new=nothing_new,
        sentences=len(briefing.sentences),
        updates=sum(s.novelty == "update" for s in briefing.sentences),
        words=sum(len(s.text.split()) for s in briefing.sentences),
        found_expected_figure=found,
        seconds=seconds,
    )


def summary_of(results: Sequence[UpdateResult]) -> dict[str, float | int | None]:
    """Means, totals and counts over the cases (ROUGE over the cases with references)."""
    scored = [r.rouge2_recall_lead for r in results if r.rouge2_recall_lead is not None]
    expected = [r.found_expected_figure for r in results if r.found_expected_figure is not None]
    return {
        "cases": len(results),
        "rouge2_recall_lead_mean": sum(scored) / len(scored) if scored else None,
        "cases_with_references": len(scored),
        "repeated_facts_total": sum(r.repeated_facts for r in results),
        "nothing_new": sum(r.nothing_new for r in results),
        "update_sentences_total": sum(r.updates for r in results),
        "expected_figures_found": sum(expected) if expected else None,
        "expected_figures": len(expected) if expected else None,
        "words_mean": sum(r.words for r in results) / len(results) if results else 0.0,
        "seconds_mean": sum(r.seconds for r in results) / len(results) if results else 0.0,
    }


def format_summary(name: str, summary: dict[str, float | int | None]) -> str:
    recall = summary["rouge2_recall_lead_mean"]
    figures = (
        f"; changed figures stated {summary['expected_figures_found']}/{summary['expected_figures']}"
        if summary["expected_figures"]
        else ""
    )
    return (
        f"{name}: {summary['cases']} cases; ROUGE-2 recall of the first {LEAD_WORDS} words "
        f"{'n/a' if recall is None else f'{recall:.2f}'} ({summary['cases_with_references']} with references); "
        f"repeated earlier facts {summary['repeated_facts_total']}; nothing new {summary['nothing_new']}; "
        f"update sentences {summary['update_sentences_total']}{figures}; "
        f"{summary['words_mean']:.0f} words, {summary['seconds_mean']:.2f} s a case"
    )


def run_cases(
    cases: Sequence[UpdateCase], options: SummaryOptions, settings: GenerationSettings | None = None
) -> Iterator[UpdateResult]:
    for case in cases:
        yield evaluate_update(case, options, settings)


def main(
    path: str,
    options: SummaryOptions,
    limit: int | None = None,
    as_json: bool = False,
    settings: GenerationSettings | None = None,
) -> int:
    """The CLI command: one summary line (or JSON with per-case rows) on stdout."""
    from tqdm import tqdm

    cases = read_update_cases(path, limit)
    if not cases:
        raise InputError(f"{path}: no update cases (every cluster has one article)", "data")
    shown = tqdm(cases, desc="eval update", unit="case", disable=not sys.stderr.isatty(), file=sys.stderr)
    results = list(run_cases(shown, options, settings))
    summary = summary_of(results)
    if as_json:
        json.dump({"data": str(path), "summary": summary, "cases": [asdict(r) for r in results]}, sys.stdout, indent=2)
        print()
    else:
        print(format_summary(str(path), summary))
    return 0
