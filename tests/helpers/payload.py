"""The POST /v1/briefings body for article files or folders, read as `newsbrief summarize` reads
them: for the tests and the benchmarks that post the seed cluster."""

from __future__ import annotations

from collections.abc import Sequence

from summarizer.inputs import read_articles


def request_body(paths: Sequence[str], options: dict | None = None) -> dict:
    articles, _ = read_articles(paths)
    items = []
    for a in articles:
        item = {"id": a.id, "title": a.title, "url": a.url, "source": a.source, "published": a.published}
        item["html" if a.content_type == "html" else "text"] = a.text
        items.append({k: v for k, v in item.items() if v})
    return {"articles": items, "options": options or {}}
