"""Many clusters in one run: JSONL in, JSONL out, resumable.

Input: one cluster a line, `{"id": "...", "articles": [...]}` (article objects
as in a .json article file; `documents` is accepted for `articles`, and
documents flagged `"boilerplate": true` are left out). Output: one result a
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
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from .errors import InputError
from .inputs import MAX_ARTICLE_BYTES, article_from_dict
from .options import SummaryOptions
from .pipeline import summarize
from .types import Article


@dataclass(frozen=True)
class ClusterLine:
    id: str
    articles: list[Article] | None
    error: InputError | None = None


def cluster_from_json(obj: object, default_id: str) -> tuple[str, list[Article]]:
    """A cluster's id and articles from its JSON object; InputError naming the problem."""
    if not isinstance(obj, dict):
        raise InputError('a cluster must be a JSON object with an "articles" list', "articles")
    cluster_id = obj.get("id", default_id)
    if not isinstance(cluster_id, (str, int)):
        raise InputError('"id" must be a string', "id")
    items = obj.get("articles", obj.get("documents"))
    if not isinstance(items, list) or not items:
        raise InputError('"articles" must be a non-empty list', "articles")
    # Numbered by their place in the input, so an error points at the article the user sent.
    articles = [
        article_from_dict(item, f"{cluster_id}-{i}", f"article {i + 1}")
        for i, item in enumerate(items)
        if not (isinstance(item, dict) and item.get("boilerplate") is True)
    ]
    if not articles:
        raise InputError("every article is flagged as boilerplate", "articles")
    return str(cluster_id), articles


def read_clusters(path: Path) -> Iterator[ClusterLine]:
    """Clusters in file order; a bad line yields its error instead of stopping the run."""
    with path.open("rb") as f:
        for number, raw in enumerate(f, start=1):
            default_id = f"line-{number}"
            if not raw.strip():
                continue
            if len(raw) > MAX_ARTICLE_BYTES * 50:
                yield ClusterLine(default_id, None, InputError(f"line {number} is over the size limit", "articles"))
                continue
            try:
                obj = json.loads(raw)
                cluster_id, articles = cluster_from_json(obj, default_id)
            except (json.JSONDecodeError, UnicodeDecodeError) as err:
                yield ClusterLine(default_id, None, InputError(f"line {number}: invalid JSON ({err})", "articles"))
                continue
            except InputError as err:
                cluster_id = obj.get("id", default_id) if isinstance(obj, dict) else default_id
                yield ClusterLine(str(cluster_id), None, InputError(f"line {number}: {err.message}", err.field))
                continue
            yield ClusterLine(cluster_id, articles)


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


def run_batch(
    source: Path,
    out: Path | None,
    options: SummaryOptions,
    progress: bool | None = None,
) -> tuple[int, int, int]:
    """Summarise every cluster of `source` not yet in `out`; returns (done, failed, skipped)."""
    from tqdm import tqdm

    skip = finished_ids(out) if out else set()
    clusters = list(read_clusters(source))
    todo = [c for c in clusters if c.id not in skip]
    stream = out.open("a", encoding="utf-8") if out else sys.stdout
    show = sys.stderr.isatty() if progress is None else progress
    done = failed = 0
    try:
        for cluster in tqdm(todo, desc="clusters", unit="cluster", disable=not show, file=sys.stderr):
            error = cluster.error
            if error is None:
                try:
                    briefing = summarize(cluster.articles, options)
                except InputError as err:
                    error = err
            if error is None:
                write_result(stream, {"id": cluster.id, "status": "done", "briefing": briefing.to_dict()})
                done += 1
            else:
                write_result(
                    stream, {"id": cluster.id, "status": "failed", "error": error.message, "field": error.field}
                )
                failed += 1
    finally:
        if out:
            stream.close()
    return done, failed, len(clusters) - len(todo)
