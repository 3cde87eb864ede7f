"""Reading articles from files: .txt, .html/.htm and .json, or folders of them.

A `.txt` article is: first non-empty line the title, the rest the body (a
leading one- or two-word section label such as "Premium Content" is skipped
when a real headline follows). A `.json` file holds one article object, a list
of them, or {"articles": [...]}; an article object has "text" (or "html") and
optionally "title", "url", "source", "published", "id".

Bad files raise InputError naming the file; inside a folder, a bad file is
skipped with a warning so one broken download does not sink a whole cluster.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path

from ..errors import InputError
from ..settings import Settings
from ..types import Article, ContentType

ARTICLE_SUFFIXES = {".txt": "text", ".html": "html", ".htm": "html", ".json": "json"}
# A headline has at least this many words; shorter leading lines are section labels.
MIN_TITLE_WORDS = 3


def decode(data: bytes, name: str) -> tuple[str, str | None]:
    """Text of a file and a warning if it was not UTF-8; InputError for binary data."""
    if b"\x00" in data[:65536]:
        raise InputError(f"{name}: looks like a binary file, not text", "articles")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as err:
        text = data.decode("cp1252", errors="replace")
        warning = f"{name}: not valid UTF-8 (byte 0x{data[err.start]:02x} at offset {err.start}); read as Windows-1252"
        return text, warning


def split_title(text: str) -> tuple[str, str]:
    lines = text.splitlines()
    non_empty = [i for i, line in enumerate(lines) if line.strip()]
    if not non_empty:
        return "", ""
    title_at = non_empty[0]
    for i in non_empty[:3]:
        if len(lines[i].split()) >= MIN_TITLE_WORDS:
            title_at = i
            break
    body = lines[:title_at] + lines[title_at + 1 :]
    return lines[title_at].strip(), "\n".join(body).strip()


def article_from_dict(obj: object, default_id: str, where: str) -> Article:
    if not isinstance(obj, dict):
        raise InputError(f'{where}: an article must be a JSON object with a "text" field', "articles")
    has_html = isinstance(obj.get("html"), str) and obj["html"].strip()
    body = obj.get("html") if has_html else obj.get("text")
    if not isinstance(body, str) or not body.strip():
        raise InputError(f'{where}: the article has no "text" (or "html")', "text")
    for key in ("title", "url", "source", "published", "id"):
        if obj.get(key) is not None and not isinstance(obj[key], str):
            raise InputError(f'{where}: "{key}" must be a string', key)
    content_type: ContentType = "html" if has_html or obj.get("content_type") == "html" else "text"
    return Article(
        id=obj.get("id") or default_id,
        title=(obj.get("title") or "").strip(),
        text=body,
        url=obj.get("url"),
        source=obj.get("source"),
        published=obj.get("published"),
        content_type=content_type,
    )


def read_file(path: Path, max_bytes: int) -> tuple[list[Article], list[str]]:
    """Articles in one file of at most `max_bytes` and any warnings; InputError when the file is unusable."""
    kind = ARTICLE_SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise InputError(f"{path}: unsupported file type (use .txt, .html, .htm or .json)", "articles")
    size = path.stat().st_size
    if size > max_bytes:
        raise InputError(
            f"{path}: {size / 1e6:.1f} MB is over the {max_bytes / 1e6:.1f} MB limit for an article file "
            "(set NEWSBRIEF_MAX_ARTICLE_BYTES to raise it)",
            "articles",
        )
    text, warning = decode(path.read_bytes(), str(path))
    warnings = [warning] if warning else []
    if not text.strip():
        raise InputError(f"{path}: the file is empty", "articles")
    if kind == "json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise InputError(
                f"{path}: invalid JSON ({err.msg} at line {err.lineno} column {err.colno})", "articles"
            ) from None
        items = data.get("articles") if isinstance(data, dict) and "articles" in data else data
        items = items if isinstance(items, list) else [items]
        if not items:
            raise InputError(f"{path}: no articles in the file", "articles")
        return [
            article_from_dict(obj, f"{path.stem}-{i}", f"{path} article {i + 1}") for i, obj in enumerate(items)
        ], warnings
    if kind == "html":
        return [html_article(path.stem, text)], warnings
    title, body = split_title(text)
    if not body:
        raise InputError(f"{path}: the article has a title but no body", "articles")
    return [Article(id=path.stem, title=title, text=body)], warnings


def html_article(article_id: str, html: str) -> Article:
    """A page read from a file: its markup kept as the text (the clean stage takes its main text
    out, as from HTML sent in any other way), its title, outlet, date and canonical URL read from
    its metadata (trafilatura's), so every command lists the page as a fetched one would be."""
    from trafilatura import extract_metadata

    metadata = extract_metadata(html)
    if metadata is None:
        return Article(id=article_id, title="", text=html, content_type="html")
    url = metadata.url if metadata.url and metadata.url.startswith(("http://", "https://")) else None
    return Article(
        id=article_id,
        title=(metadata.title or "").strip(),
        text=html,
        url=url,
        source=(metadata.sitename or "").strip() or None,
        published=metadata.date or None,
        content_type="html",
    )


def read_articles(paths: Iterable[str | os.PathLike], max_bytes: int | None = None) -> tuple[list[Article], list[str]]:
    """Articles from files and folders, in the order given (folders sorted by name); files over
    `max_bytes` (None: the max_article_bytes setting, NEWSBRIEF_MAX_ARTICLE_BYTES) are refused."""
    if max_bytes is None:
        max_bytes = Settings.load().max_article_bytes
    articles: list[Article] = []
    warnings: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES)
            if not files:
                raise InputError(f"{path}: no .txt, .html, .htm or .json articles in this folder", "articles")
            for file in files:
                try:
                    found, notes = read_file(file, max_bytes)
                except InputError as err:
                    warnings.append(f"skipped {err.message}")
                    continue
                articles.extend(found)
                warnings.extend(notes)
        elif path.is_file():
            found, notes = read_file(path, max_bytes)
            articles.extend(found)
            warnings.extend(notes)
        else:
            raise InputError(f"{path}: no such file or folder", "articles")
    if not articles:
        raise InputError("no usable articles in the input", "articles")
    return articles, warnings
