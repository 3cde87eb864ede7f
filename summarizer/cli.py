"""The library's commands of the `newsbrief` command line: summarize, eval, eval-attribution and stories.

The console script is `service.cli:main`, which adds the service's commands (serve, worker).

Bad input ends with a one-line "newsbrief: error: ..." and exit status 2; a
model that was asked for explicitly and cannot load ends with status 1, as does a .jsonl run in
which some clusters failed (named on stderr).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NoReturn, get_args, get_origin

from .errors import InputError, ModelUnavailable, ResourceUnavailable
from .options import OPTION_NAMES, BriefingOptionFields, SummaryOptions, merge_options
from .settings import Settings, variable_name
from .types import Article, Briefing

if TYPE_CHECKING:
    from .stories import FetchPolicy, StorySummary

EXIT_INPUT = 2
EXIT_MODEL = 1
# Some clusters of a .jsonl file failed (the others' briefings were written).
EXIT_FAILED = 1
# Failed clusters named on stderr; the rest are in the results.
MAX_LISTED_FAILURES = 20


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line, "newsbrief: error: ...", exit status 2, as every
    other bad input's (argparse prints its usage block first). Subcommands' parsers are of this
    class too: add_subparsers makes them of their parent's class."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_INPUT, f"newsbrief: error: {message} (see {self.prog} --help)\n")


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive: {text!r}")
    return value


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be positive: {text!r}")
    return value


def add_summary_options(parser: argparse.ArgumentParser) -> None:
    """A flag for each field of the options model (--max-words for max_words), its help the
    field's description, shared by every command that writes briefings. A flag left out is None:
    the settings' default (NEWSBRIEF_* variables) holds."""
    for name, field in BriefingOptionFields.model_fields.items():
        flag = "--" + name.replace("_", "-")
        default = "unset" if field.default is None else str(field.default).lower()
        help_text = f"{field.description} (default: {variable_name(name)}, else {default})"
        if field.annotation is bool:
            parser.add_argument(flag, action=argparse.BooleanOptionalAction, default=None, help=help_text)
        elif get_origin(field.annotation) is Literal:
            parser.add_argument(flag, choices=get_args(field.annotation), help=help_text)
        else:
            parser.add_argument(flag, type=option_value(name), help=help_text)


def option_value(name: str) -> Callable[[str], Any]:
    """The argparse type of option `name`: the text checked by the options model (which reads
    "80" as a number), so a bad value is the usual one-line argparse error naming the flag."""

    def check(text: str) -> Any:
        try:
            return getattr(SummaryOptions(**{name: text}), name)
        except InputError as err:
            raise argparse.ArgumentTypeError(err.message.removeprefix(f"{name} ")) from None

    return check


def options_from_args(args: argparse.Namespace, settings: Settings) -> SummaryOptions:
    """The options given on the command line, the settings (NEWSBRIEF_* variables) for the rest."""
    return merge_options(settings, **{name: getattr(args, name) for name in OPTION_NAMES})


def format_plain(briefing: Briefing) -> str:
    lines = textwrap.wrap(briefing.text, width=100) or ["(empty briefing)"]
    if briefing.disagreements:
        lines += ["", "Sources disagree:"]
        for disagreement in briefing.disagreements:
            lines += textwrap.wrap(disagreement.claim, width=100, initial_indent="- ", subsequent_indent="  ")
            for version in disagreement.versions:
                cited = "".join(f"[{n}]" for n in version.sources)
                lines += textwrap.wrap(
                    f"{cited} {version.text}", width=100, initial_indent="    ", subsequent_indent="    "
                )
    lines += ["", "Sources:"]
    for source in briefing.sources:
        details = ", ".join(x for x in (source.source, source.published) if x)
        where = f" - {source.url}" if source.url else f" ({source.id})"
        read = " (read before)" if source.earlier else ""
        lines.append(f"[{source.index}] {source.title}{f' [{details}]' if details else ''}{where}{read}")
    return "\n".join(lines)


def cmd_summarize(args: argparse.Namespace) -> int:
    from .inputs import read_articles
    from .pipeline import summarize

    settings = Settings.load()
    options = options_from_args(args, settings)
    batches = [p for p in args.paths if str(p).endswith(".jsonl")]
    if batches:
        if len(args.paths) > 1:
            raise InputError("a .jsonl file of clusters must be the only PATH", "paths")
        if args.since:
            raise InputError("--since goes with article files and folders, not a .jsonl of clusters", "since")
        return cmd_batch(Path(batches[0]), Path(args.out) if args.out else None, options, settings)
    if args.out:
        raise InputError("--out goes with a .jsonl file of clusters", "out")
    articles, warnings = read_articles(args.paths, max_bytes=settings.max_article_bytes)
    earlier: list[Article] = []
    if args.since:
        earlier, earlier_warnings = read_articles(args.since, max_bytes=settings.max_article_bytes)
        warnings += earlier_warnings
    briefing = summarize(articles, options, since=earlier, settings=settings)
    for warning in [*warnings, *briefing.warnings]:
        print(f"newsbrief: warning: {warning}", file=sys.stderr)
    if args.json:
        json.dump(briefing.to_dict(), sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        print(format_plain(briefing))
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from .evaluation import updates
    from .evaluation.runner import EVAL_BUDGET_TOKENS, EVAL_MAX_WORDS, main

    # Fixed defaults (not NEWSBRIEF_* variables) so figures compare with the reference ones.
    args.max_words = args.max_words or EVAL_MAX_WORDS
    args.budget_tokens = args.budget_tokens or EVAL_BUDGET_TOKENS
    if args.mode == "update" and args.keyfacts:
        raise InputError("--keyfacts goes with the summary mode, not --mode update", "keyfacts")
    if args.mode == "update" and not Path(args.data).is_file():
        raise InputError(f"{args.data}: no such file", "data")
    settings = Settings.load()
    options = options_from_args(args, settings)
    if args.mode == "update":
        return updates.main(args.data, options, limit=args.limit, as_json=args.json, settings=settings)
    return main(
        args.data,
        options,
        limit=args.limit,
        as_json=args.json,
        key_facts=args.keyfacts,
        settings=settings,
    )


def cmd_eval_attribution(args: argparse.Namespace) -> int:
    from .evaluation.attribution import main

    if not Path(args.data).is_file():
        raise InputError(f"{args.data}: no such file", "data")
    return main(args.data, per_kind=args.per_kind, limit=args.limit, as_json=args.json, ablation=args.ablation)


def cmd_batch(source: Path, out: Path | None, options: SummaryOptions, settings: Settings) -> int:
    from .batch import run_batch

    if not source.is_file():
        raise InputError(f"{source}: no such file", "paths")
    if first_line_is_an_article(source):
        raise InputError(
            f'{source}: each line is one article (a "text" field), but summarize takes a .jsonl file of '
            'clusters, one a line: {"id": "...", "articles": [{"title": "...", "text": "..."}, ...]}; '
            f"to group a stream of articles into stories and brief each, run: newsbrief stories {source}",
            "paths",
        )
    failed_ids: list[str] = []
    done, failed, skipped = run_batch(source, out, options, failed_ids=failed_ids, settings=settings)
    print(f"newsbrief: {done} clusters summarised, {failed} failed, {skipped} already done", file=sys.stderr)
    if failed_ids:
        shown = ", ".join(failed_ids[:MAX_LISTED_FAILURES]) + (", ..." if failed > MAX_LISTED_FAILURES else "")
        print(f"newsbrief: failed: {shown} (each one's error is in its result line)", file=sys.stderr)
        return EXIT_FAILED
    return 0


def first_line_is_an_article(source: Path) -> bool:
    """Whether the file's first line is an article object rather than a cluster of them."""
    with source.open("rb") as stream:
        first = next((raw for raw in stream if raw.strip()), b"")
    try:
        obj = json.loads(first)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return False
    return isinstance(obj, dict) and ("text" in obj or "html" in obj) and not ("articles" in obj or "documents" in obj)


def cmd_stories(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from .pipeline import summarize
    from .stories import FetchPolicy, StoryClusterer
    from .stories.articles import html_text

    settings = Settings.load()
    options = options_from_args(args, settings)
    policy = FetchPolicy(
        allow_networks=settings.fetch_allow_networks,
        timeout_s=settings.fetch_timeout,
        max_bytes=settings.fetch_max_bytes,
        max_redirects=settings.fetch_max_redirects,
    )
    show = sys.stderr.isatty()
    articles: list[Article] = []
    for source in tqdm(args.sources, desc="sources", unit="source", disable=not show, file=sys.stderr):
        found, warnings = read_story_source(source, policy, settings.max_article_bytes)
        articles.extend(found)
        for warning in warnings:
            tqdm.write(f"newsbrief: warning: {warning}", file=sys.stderr)
    articles = with_unique_ids(articles)
    now = datetime.now(UTC)
    # Stories are found in the pages' main text, not their markup; briefings read the pages as summarize does.
    plain = [
        replace(a, text=html_text(a.text), content_type="text") if a.content_type == "html" else a for a in articles
    ]
    stream = sorted(((seen_at(article, now), article) for article in plain), key=lambda pair: pair[0])
    clusterer = StoryClusterer(window=timedelta(days=args.window_days))
    for seen, article in tqdm(stream, desc="clustering", unit="article", disable=not show, file=sys.stderr):
        clusterer.add(article, seen)
    by_id = {article.id: article for article in articles}
    results = []
    stories = clusterer.stories()
    for story in tqdm(stories, desc="briefings", unit="story", disable=not show, file=sys.stderr):
        members = [by_id[i] for i in story.article_ids]
        outlets = len(story.outlets) + sum(1 for a in members if not (a.source or a.url))
        briefing, note = None, None
        if story.set_aside is not None:
            note = f"set aside: {story.set_aside}"
        elif outlets >= args.min_outlets:
            try:
                briefing = summarize(members, options, settings=settings)
            except InputError as err:
                note = f"no briefing: {err.message}"
        else:
            note = f"no briefing: {outlets} outlet{'s' if outlets != 1 else ''} (a briefing needs {args.min_outlets})"
        results.append((story, members, briefing, note))
    if args.json:
        json.dump([story_dict(*result) for result in results], sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        kept = sum(len(story.article_ids) for story in stories)
        duplicates = f" ({len(articles) - kept} the same as another)" if kept < len(articles) else ""
        print(f"{len(articles)} articles{duplicates}, {len(stories)} stor{'y' if len(stories) == 1 else 'ies'}\n")
        print("\n\n".join(format_story(*result) for result in results))
    return 0


def read_story_source(source: str, policy: FetchPolicy, max_bytes: int) -> tuple[list[Article], list[str]]:
    """The articles of one source of `newsbrief stories`: a feed or page URL, a .jsonl file of
    articles (or of clusters of them), or what `summarize` reads (files, folders, .json)."""
    from .inputs import read_articles
    from .stories import articles_from_url

    if "://" in source:
        articles, warnings = [], []
        for item in articles_from_url(source, policy):
            if isinstance(item, InputError):
                warnings.append(f"skipped {item.message}")
            else:
                articles.append(item)
        if not articles:
            raise InputError(f"{source}: no usable articles ({'; '.join(warnings) or 'none found'})", "sources")
        return articles, warnings
    if source.endswith(".jsonl"):
        return read_article_lines(Path(source)), []
    return read_articles([source], max_bytes=max_bytes)


def read_article_lines(path: Path) -> list[Article]:
    """Articles of a JSON Lines file: each line an article object or a cluster of them."""
    from .inputs import article_from_dict, cluster_from_json

    if not path.is_file():
        raise InputError(f"{path}: no such file", "sources")
    articles: list[Article] = []
    with path.open("rb") as stream:
        for number, raw in enumerate(stream, start=1):
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw)
            except (json.JSONDecodeError, UnicodeDecodeError) as err:
                raise InputError(f"{path} line {number}: not a JSON object ({err})", "sources") from None
            if isinstance(obj, dict) and ("articles" in obj or "documents" in obj):
                articles.extend(cluster_from_json(obj, number).articles)
            else:
                articles.append(article_from_dict(obj, f"{path.stem}-{number}", f"{path} line {number}"))
    if not articles:
        raise InputError(f"{path}: no articles in the file", "sources")
    return articles


def with_unique_ids(articles: list[Article]) -> list[Article]:
    """The articles with distinct ids (two folders may both hold a 1.txt): a repeated id gets a suffix."""
    seen: dict[str, int] = {}
    unique = []
    for article in articles:
        count = seen.get(article.id, 0)
        seen[article.id] = count + 1
        unique.append(replace(article, id=f"{article.id}~{count + 1}") if count else article)
    return unique


def seen_at(article: Article, now: datetime) -> datetime:
    """When an article joins the stream: its publication date (UTC when it names no zone), else now."""
    try:
        published = datetime.fromisoformat(article.published) if article.published else None
    except ValueError:
        published = None
    if published is None:
        return now
    return published if published.tzinfo else published.replace(tzinfo=UTC)


def story_dict(story: StorySummary, members: list[Article], briefing: Briefing | None, note: str | None) -> dict:
    return {
        "id": story.id,
        "headline": story.headline,
        "outlets": list(story.outlets),
        "first_seen": story.first_seen.isoformat(),
        "last_seen": story.last_seen.isoformat(),
        "articles": [
            {"id": a.id, "title": a.title, "url": a.url, "source": a.source, "published": a.published} for a in members
        ],
        "briefing": briefing.to_dict() if briefing is not None else None,
        "note": note,
    }


def format_story(story: StorySummary, members: list[Article], briefing: Briefing | None, note: str | None) -> str:
    span = f"{story.first_seen:%Y-%m-%d %H:%M}" + (
        f" to {story.last_seen:%Y-%m-%d %H:%M}" if story.last_seen != story.first_seen else ""
    )
    lines = [
        f"Story {story.id}: {story.headline}",
        f"  {len(members)} article{'s' if len(members) != 1 else ''}; "
        f"outlets: {', '.join(story.outlets) or 'unknown'}; {span}",
    ]
    for article in members:
        where = article.url or article.id
        lines.append(f"  - {article.title or '(untitled)'} [{article.source or 'unknown outlet'}] {where}")
    if briefing is not None:
        lines += ["", textwrap.indent(format_plain(briefing), "  ")]
    elif note:
        lines.append(f"  ({note})")
    return "\n".join(lines)


def build_parser(*more_commands: Callable[[Any], None]) -> argparse.ArgumentParser:
    """The library's commands (summarize, eval); each of `more_commands` adds its own to the
    subcommands (the service adds serve and worker, so the library never imports it)."""
    parser = OneLineParser(prog="newsbrief", description="Cited briefings from clusters of news articles.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    commands = parser.add_subparsers(dest="command", required=True)

    summarize_cmd = commands.add_parser("summarize", help="write a cited briefing of one cluster of articles")
    summarize_cmd.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="folders or .txt/.html/.json article files, or one .jsonl file of clusters",
    )
    summarize_cmd.add_argument("--json", action="store_true", help="print the whole briefing as JSON")
    summarize_cmd.add_argument("--out", help="with a .jsonl of clusters: append results here, skipping finished ones")
    summarize_cmd.add_argument(
        "--since",
        nargs="+",
        metavar="EARLIER_PATH",
        help="articles already read: the briefing says only what PATH adds to them (an update)",
    )
    add_summary_options(summarize_cmd)
    summarize_cmd.set_defaults(handler=cmd_summarize)
    eval_cmd = commands.add_parser(
        "eval",
        help="measure briefings against human summaries (ROUGE, coverage, citations)",
        description="Summarise every cluster of DATA.jsonl and print one table of quality measures. "
        "Defaults: --max-words 260 and --budget-tokens 1024 (the settings of the reference figures), "
        "Input tokens are counted with --tokenizer DIR (a folder with the model's tokenizer.json), else "
        "the model's own tokenizer when it is in its folder or the local cache, else approximately (with a warning).",
    )
    eval_cmd.add_argument("data", metavar="DATA.jsonl", help="clusters with human summaries, one JSON object a line")
    eval_cmd.add_argument("--limit", type=positive_int, help="evaluate only the first N clusters")
    eval_cmd.add_argument("--json", action="store_true", help="print the summary and per-cluster rows as JSON")
    eval_cmd.add_argument(
        "--mode",
        choices=("summary", "update"),
        default="summary",
        help='update: each cluster\'s later articles summarised since its earlier ones (or its "earlier" '
        "documents): ROUGE-2 recall of the first 100 words and earlier facts repeated",
    )
    eval_cmd.add_argument(
        "--keyfacts",
        metavar="KEYFACTS.jsonl",
        help="an editor's key facts per cluster (cluster_index = 0-based line of DATA): report their recall",
    )
    add_summary_options(eval_cmd)
    eval_cmd.set_defaults(handler=cmd_eval)
    attribution_cmd = commands.add_parser(
        "eval-attribution",
        help="measure how attribution keeps true and catches false model sentences",
        description="Build labelled model outputs from every cluster of DATA.jsonl (faithful extracts, "
        "fusions, compressions, reference-summary sentences; changed numbers, foreign names, negations, "
        "antonyms, modality changes, role swaps), feed each through summarize(), and print per kind "
        "the share kept or caught, citation precision and time per sentence.",
    )
    attribution_cmd.add_argument("data", metavar="DATA.jsonl", help="clusters with human summaries (the eval format)")
    attribution_cmd.add_argument("--limit", type=positive_int, help="use only the first N clusters")
    attribution_cmd.add_argument(
        "--per-kind", type=positive_int, default=2, help="cases of each kind per cluster (default 2)"
    )
    attribution_cmd.add_argument("--json", action="store_true", help="print the table as JSON")
    attribution_cmd.add_argument(
        "--ablation", action="store_true", help="the shares with each check (and synonyms, paraphrase) left out"
    )
    attribution_cmd.set_defaults(handler=cmd_eval_attribution)
    stories_cmd = commands.add_parser(
        "stories",
        help="group articles and feeds into stories, each with its briefing",
        description="Fetch and read SOURCES, group their articles into stories (events) and print each "
        "story with a cited briefing when its articles come from at least --min-outlets outlets. "
        "URLs are fetched safely: only public addresses unless NEWSBRIEF_FETCH_ALLOW_NETWORKS names a network or host.",
    )
    stories_cmd.add_argument(
        "sources",
        nargs="+",
        metavar="SOURCE",
        help="RSS/Atom feed or article URLs, article files or folders, .json or .jsonl files of articles",
    )
    stories_cmd.add_argument("--json", action="store_true", help="print the stories and briefings as JSON")
    stories_cmd.add_argument(
        "--window-days", type=positive_float, default=3.0, help="an article joins stories seen this recently (3)"
    )
    stories_cmd.add_argument(
        "--min-outlets", type=positive_int, default=2, help="outlets a story needs for a briefing (2)"
    )
    add_summary_options(stories_cmd)
    stories_cmd.set_defaults(handler=cmd_stories)
    for add_commands in more_commands:
        add_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None, parser: argparse.ArgumentParser | None = None) -> int:
    args = (parser or build_parser()).parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="newsbrief: %(message)s")
    try:
        return args.handler(args)
    except InputError as err:
        print(f"newsbrief: error: {err.message}", file=sys.stderr)
        return EXIT_INPUT
    except (ModelUnavailable, ResourceUnavailable) as err:
        print(f"newsbrief: error: {err}", file=sys.stderr)
        return EXIT_MODEL
    except KeyboardInterrupt:
        print("newsbrief: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
