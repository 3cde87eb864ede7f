"""Print the POST /v1/briefings body for article files or folders (as `newsbrief summarize` reads them).

python -m service.payload seeds/putin-north-korea --max-words 120 > request.json
curl -sS -H 'Content-Type: application/json' --data-binary @request.json localhost:8000/v1/briefings
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from summarizer import InputError
from summarizer.inputs import read_articles


def request_body(paths: Sequence[str], options: dict | None = None) -> dict:
    articles, _ = read_articles(paths)
    items = []
    for a in articles:
        item = {"id": a.id, "title": a.title, "url": a.url, "source": a.source, "published": a.published}
        item["html" if a.content_type == "html" else "text"] = a.text
        items.append({k: v for k, v in item.items() if v})
    return {"articles": items, "options": options or {}}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m service.payload", description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", metavar="PATH")
    parser.add_argument("--max-words", type=int)
    parser.add_argument("--engine")
    args = parser.parse_args(argv)
    options = {k: v for k, v in (("max_words", args.max_words), ("engine", args.engine)) if v is not None}
    try:
        body = request_body(args.paths, options)
    except InputError as err:
        print(f"payload: error: {err.message}", file=sys.stderr)
        return 2
    json.dump(body, sys.stdout, ensure_ascii=False)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
