"""Many clusters in one run: JSONL in, JSONL out, resumable.

Input: one cluster a line, `{"id": "...", "articles": [...]}`, read by
`inputs.clusters` (article objects as in a .json article file; `documents` is
accepted for `articles`, and documents flagged `"boilerplate": true` are left
out). A bad line becomes a failed result; the run goes on. Output: one result a
line, `{"id", "status": "done", "briefing": {...}}` or
`{"id", "status": "failed", "error": "...", "field": ...}`.

Each result line is flushed and fsynced before the next cluster starts, so a
run stopped at any point (Ctrl-C, SIGKILL, power loss) loses at most the
cluster in progress. Running the same command again skips every cluster that
already has a result line and truncates a torn last line.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import IO, Any

from .errors import InputError
from .inputs import ArticleCluster, BadClusterLine, iter_cluster_lines
from .options import SummaryOptions
from .pipeline import summarize


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


def summarize_entry(entry: ArticleCluster | BadClusterLine, options: SummaryOptions) -> dict[str, Any]:
    """The result line of one cluster: its briefing, or why it failed."""
    if isinstance(entry, BadClusterLine):
        return failed_result(entry.id, entry.error)
    try:
        briefing = summarize(entry.articles, options)
    except InputError as err:
        return failed_result(entry.id, err)
    return {"id": entry.id, "status": "done", "briefing": briefing.to_dict()}


def count_lines(path: Path) -> int | None:
    """Non-blank lines of `path`, for the progress bar's total (no JSON is parsed); None if unreadable,
    which the reader then reports."""
    try:
        with path.open("rb") as f:
            return sum(1 for raw in f if raw.strip())
    except OSError:
        return None


def run_batch(
    source: Path,
    out: Path | None,
    options: SummaryOptions,
    progress: bool | None = None,
) -> tuple[int, int, int]:
    """Summarise every cluster of `source` not yet in `out`; returns (done, failed, skipped).

    Clusters are read one at a time, so a file far bigger than memory runs too."""
    from tqdm import tqdm

    skip = finished_ids(out) if out else set()
    show = sys.stderr.isatty() if progress is None else progress
    total = count_lines(source) if show else None
    stream = out.open("a", encoding="utf-8") if out else sys.stdout
    done = failed = skipped = 0
    try:
        entries = iter_cluster_lines(source)
        for entry in tqdm(entries, total=total, desc="clusters", unit="cluster", disable=not show, file=sys.stderr):
            if entry.id in skip:
                skipped += 1
                continue
            result = summarize_entry(entry, options)
            write_result(stream, result)
            if result["status"] == "done":
                done += 1
            else:
                failed += 1
    finally:
        if out:
            stream.close()
    return done, failed, skipped
