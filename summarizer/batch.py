"""Many clusters in one run: JSONL in, JSONL out, resumable.

Input: one cluster a line, `{"id": "...", "articles": [...]}`, read by
`inputs.clusters` (article objects as in a .json article file; `documents` is
accepted for `articles`, and documents flagged `"boilerplate": true` are left
out). A bad line becomes a failed result; the run goes on. Output: one result a
line, `{"id", "status": "done", "briefing": {...}}` or
`{"id", "status": "failed", "error": "...", "field": ...}`.

Clusters are summarised BATCH_CLUSTERS at a time: the model writes for all of
them in one batch (`pipeline.summarize_many`; greedy decoding reads its weights
once per step for the whole batch, with the same tokens as one by one). Each
batch's result lines are flushed and fsynced before the next batch starts, so
a run stopped at any point (Ctrl-C, SIGKILL, power loss) loses at most the
batch in progress. Running the same command again skips every cluster that
already has a result line and truncates a torn last line.
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from pathlib import Path
from typing import IO, Any

from .errors import InputError
from .inputs import ArticleCluster, BadClusterLine, iter_cluster_lines
from .options import SummaryOptions
from .pipeline import summarize_many
from .settings import GenerationSettings

# Clusters per batch: 4 decode in about 1.6x the time of one with greedy int8 decoding on 2 cores
# (benchmarks/jobs_throughput.py); more add little once the weights are read once per step.
BATCH_CLUSTERS = 4


def finished_ids(out: Path) -> set[str]:
    """Ids that already have a result; a torn last line (a killed run) is cut off."""
    if not out.exists():
        return set()
    done = set()
    good_bytes = 0
    with out.open("rb") as f:
        for raw in f:
            try:
                done.add(str(json.loads(raw)["id"]))
            except (json.JSONDecodeError, KeyError, TypeError, UnicodeDecodeError):
                break
            good_bytes += len(raw)
    if good_bytes < out.stat().st_size:
        with out.open("r+b") as f:
            f.truncate(good_bytes)
    return done


def write_result(stream: IO[str], result: dict) -> None:
    stream.write(json.dumps(result, ensure_ascii=False) + "\n")
    stream.flush()
    if stream.fileno() not in (1, 2):
        os.fsync(stream.fileno())


def failed_result(cluster_id: str, error: InputError) -> dict[str, Any]:
    return {"id": cluster_id, "status": "failed", "error": error.message, "field": error.field}


def count_lines(path: Path) -> int | None:
    """Non-blank lines of `path`, for the progress bar's total (no JSON is parsed); None if unreadable,
    which the reader then reports."""
    try:
        with path.open("rb") as f:
            return sum(1 for raw in f if raw.strip())
    except OSError:
        return None


def summarize_entries(
    entries: list[ArticleCluster | BadClusterLine], options: SummaryOptions, settings: GenerationSettings | None = None
) -> list[dict[str, Any]]:
    """The result line of each entry (its briefing, or why it failed), the model's generation for
    all of them in one batch (the model loaded with `settings`)."""
    clusters = [entry for entry in entries if isinstance(entry, ArticleCluster)]
    briefings = dict(
        zip(map(id, clusters), summarize_many([c.articles for c in clusters], options, settings=settings), strict=True)
    )
    results = []
    for entry in entries:
        if isinstance(entry, BadClusterLine):
            results.append(failed_result(entry.id, entry.error))
            continue
        briefing = briefings[id(entry)]
        if isinstance(briefing, InputError):
            results.append(failed_result(entry.id, briefing))
        else:
            results.append({"id": entry.id, "status": "done", "briefing": briefing.to_dict()})
    return results


def run_batch(
    source: Path,
    out: Path | None,
    options: SummaryOptions,
    progress: bool | None = None,
    batch_clusters: int = BATCH_CLUSTERS,
    failed_ids: list[str] | None = None,
    settings: GenerationSettings | None = None,
) -> tuple[int, int, int]:
    """Summarise every cluster of `source` not yet in `out`; returns (done, failed, skipped), and
    appends the ids of the clusters that failed to `failed_ids` when given.

    Clusters are read `batch_clusters` at a time, so a file far bigger than memory runs too."""
    from tqdm import tqdm

    skip = finished_ids(out) if out else set()
    show = sys.stderr.isatty() if progress is None else progress
    total = count_lines(source) if show else None
    stream = out.open("a", encoding="utf-8") if out else sys.stdout
    counts: Counter[str] = Counter()

    def run(batch: list[ArticleCluster | BadClusterLine]) -> None:
        for result in summarize_entries(batch, options, settings):
            write_result(stream, result)
            counts[result["status"]] += 1
            if result["status"] == "failed" and failed_ids is not None:
                failed_ids.append(result["id"])

    try:
        batch: list[ArticleCluster | BadClusterLine] = []
        entries = iter_cluster_lines(source)
        for entry in tqdm(entries, total=total, desc="clusters", unit="cluster", disable=not show, file=sys.stderr):
            if entry.id in skip:
                counts["skipped"] += 1
                continue
            batch.append(entry)
            if len(batch) == batch_clusters:
                run(batch)
                batch = []
        if batch:
            run(batch)
    finally:
        if out:
            stream.close()
    return counts["done"], counts["failed"], counts["skipped"]
