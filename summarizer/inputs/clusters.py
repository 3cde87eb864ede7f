"""Reading clusters from JSON Lines, for `newsbrief summarize clusters.jsonl` and `newsbrief eval`.

One cluster a line: `{"id": "...", "articles": [...]}`, article objects as in a
.json article file. `documents` is accepted for `articles` (Multi-News's
name); documents flagged `"boilerplate": true` (its filler pages) are left
out. Evaluation data also holds the human summaries: a `"summary"` string or
a `"references"` list of strings. Blank lines are skipped; a missing id is
`line-N`.

Every error names the line (`line 4: ...`) and, inside it, the article by its
place in the input; `field` is the key at fault, or None when the line as a
whole is unusable (not UTF-8, not JSON, not an object, too big).

`iter_cluster_lines` streams a file line by line and hands a bad line back as
a `BadClusterLine` so a batch run records it and goes on; `read_clusters` stops at
the first bad line, for evaluation data that must be whole.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from ..settings import Settings
from ..types import Article
from .articles import article_from_dict

# A cluster holds many articles; one line may be this many times an article file's limit.
ARTICLES_PER_LINE_LIMIT = 50
ARTICLE_KEYS = ("articles", "documents")


@dataclass(frozen=True)
class ArticleCluster:
    id: str
    line: int
    articles: tuple[Article, ...]
    # The human summaries; empty unless read with `with_references`.
    references: tuple[str, ...] = ()


@dataclass(frozen=True)
class BadClusterLine:
    """A line that holds no usable cluster: its id (the line's own when it has a valid one) and why."""

    line: int
    id: str
    error: InputError


def cluster_id(obj: dict, line: int) -> str:
    value = obj.get("id")
    if value is None:
        return f"line-{line}"
    if isinstance(value, bool) or not isinstance(value, (str, int)) or not str(value).strip():
        raise InputError(f'line {line}: "id" must be a non-empty string or an integer', "id")
    return str(value)


def references_from_json(obj: dict, line: int) -> tuple[str, ...]:
    """The human summaries of an evaluation cluster: its "references", else its "summary"."""
    if "references" in obj:
        refs = obj["references"]
        if not isinstance(refs, list) or not refs or not all(isinstance(r, str) and r.strip() for r in refs):
            raise InputError(f'line {line}: "references" must be a non-empty list of non-empty strings', "references")
        return tuple(refs)
    summary = obj.get("summary")
    if not isinstance(summary, str) or not summary.strip():
        raise InputError(f'line {line}: a cluster needs a "summary" string or a "references" list', "summary")
    return (summary,)


def cluster_from_json(obj: object, line: int, with_references: bool = False) -> ArticleCluster:
    """The cluster of one decoded line; InputError naming the line and the field."""
    if not isinstance(obj, dict):
        raise InputError(f'line {line}: a cluster must be a JSON object with an "articles" list')
    ident = cluster_id(obj, line)
    present = [key for key in ARTICLE_KEYS if key in obj]
    if len(present) > 1:
        # They would disagree on which list is the cluster.
        raise InputError(f'line {line}: give "articles" or "documents", not both', "articles")
    if not present:
        raise InputError(f'line {line}: a cluster needs an "articles" (or "documents") list', "articles")
    key = present[0]
    items = obj[key]
    if not isinstance(items, list) or not items:
        raise InputError(f'line {line}: "{key}" must be a non-empty list', key)
    noun = "article" if key == "articles" else "document"
    # Numbered by their place in the input, boilerplate included, so an error points at what the user sent.
    articles = tuple(
        article_from_dict(item, f"{ident}-{i}", f"line {line}: {noun} {i + 1}")
        for i, item in enumerate(items)
        if not (isinstance(item, dict) and item.get("boilerplate") is True)
    )
    if not articles:
        raise InputError(f"line {line}: no {key} left once boilerplate ones are skipped", key)
    references = references_from_json(obj, line) if with_references else ()
    return ArticleCluster(ident, line, articles, references)


def decode_line(raw: bytes, line: int, max_bytes: int) -> object:
    """The JSON value of one raw line; InputError when it is too big, not UTF-8 or not JSON."""
    if len(raw) > max_bytes:
        raise InputError(
            f"line {line}: {len(raw) / 1e6:.1f} MB is over the {max_bytes / 1e6:.1f} MB limit for a cluster "
            f"({ARTICLES_PER_LINE_LIMIT} times NEWSBRIEF_MAX_ARTICLE_BYTES; set it to raise the limit)"
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(
            f"line {line}: not UTF-8 text (byte 0x{raw[err.start]:02x} at offset {err.start} of the line)"
        ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise InputError(f"line {line}: invalid JSON ({err.msg} at column {err.colno})") from None


def iter_cluster_lines(path: str | Path, with_references: bool = False) -> Iterator[ArticleCluster | BadClusterLine]:
    """The clusters of a JSONL file in order, read line by line; a bad line comes back as a BadClusterLine."""
    max_bytes = Settings.load().max_article_bytes * ARTICLES_PER_LINE_LIMIT
    try:
        with Path(path).open("rb") as stream:
            # Binary lines end at b"\n" only: str.splitlines() would also break at U+2028 inside a JSON string.
            for number, raw in enumerate(stream, start=1):
                if raw.strip():
                    yield entry_of_line(raw, number, with_references, max_bytes)
    except OSError as err:
        raise InputError(f"{path}: cannot read ({err.strerror})") from None


def entry_of_line(raw: bytes, line: int, with_references: bool, max_bytes: int) -> ArticleCluster | BadClusterLine:
    try:
        obj = decode_line(raw, line, max_bytes)
    except InputError as err:
        return BadClusterLine(line, f"line-{line}", err)
    try:
        return cluster_from_json(obj, line, with_references)
    except InputError as err:
        return BadClusterLine(line, reported_id(obj, line), err)


def reported_id(obj: object, line: int) -> str:
    """The id a failed line is reported under: its own when valid, else line-N."""
    if isinstance(obj, dict):
        try:
            return cluster_id(obj, line)
        except InputError:
            pass
    return f"line-{line}"


def read_clusters(path: str | Path, with_references: bool = False, limit: int | None = None) -> list[ArticleCluster]:
    """Every cluster of a JSONL file (the first `limit` only, when given); InputError at the first bad line."""
    clusters: list[ArticleCluster] = []
    for entry in iter_cluster_lines(path, with_references):
        if limit is not None and len(clusters) >= limit:
            break
        if isinstance(entry, BadClusterLine):
            raise InputError(f"{path} {entry.error.message}", entry.error.field)
        clusters.append(entry)
    if not clusters:
        raise InputError(f"{path}: no clusters in the file")
    return clusters
