"""`newsbrief eval-attribution`: does the attribution stage keep what the sources say and catch
what they do not?

From every cluster of a JSONL file (the `eval` format) it builds labelled "model outputs", one
sentence each, out of the cluster's own sentences:

    kept (true to the sources)      extract      a source sentence as it is
                                    fusion       two sentences of two articles joined by "and"
                                    compression  a source sentence with one comma-delimited part cut
                                    reference    a sentence of the human summary (these also hold
                                                 facts absent from the sources: 100% is not the aim)
    caught (false to the sources)   number       a number or date word changed to one no source has
                                    name         a name (sentence-initial ones too) replaced by a
                                                 name of another cluster that no source has
                                    negation     "was" -> "was not", "didn't" -> "did" ...
                                    antonym      confirmed -> denied, won -> lost ...
                                    modality     will <-> may, "plans to" -> "will", "reportedly" cut
                                    role_swap    two names with a verb between them exchanged
                                    speaker_swap a quotation's named speaker replaced by another
                                                 person who speaks in the cluster
                                    outside      a sentence of another cluster of the file

Each is fed through the pipeline's public hook, `summarize(articles, generator=...)`, with a
generator that returns it, `keep_unsupported` on so the verdict can be read. Printed per kind:
the share kept or caught, the share kept citing every article it came from, citation precision
(share of cited articles that hold a sentence of the origin's dedup cluster), and the
attribution stage's time per sentence. The rules that make the errors are independent of the
checks' code, but they were written by the same hand: a check tuned to these rules can score
better here than on a real model's errors, which is why other real clusters are the final test.
"""

from __future__ import annotations

import json
import random
import re
import statistics
import sys
import time
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from ..generation import Generation
from ..generation.prompts import template_for
from ..generation.tokens import ApproximateCounter
from ..inputs import ArticleCluster, read_clusters
from ..options import SummaryOptions
from ..pipeline import summarize, without_duplicates
from ..stages import clean, deduplicate, segment
from ..stages.attribute import AttributionConfig, attribute
from ..stages.segment import named, quotation_spans, split_sentences
from ..text import name_key, numbers, stop_keys, words
from ..types import Article, Fact, Sentence

KEPT_KINDS = ("extract", "fusion", "compression", "reference")
CAUGHT_KINDS = ("number", "name", "negation", "antonym", "modality", "role_swap", "speaker_swap", "outside")
KINDS = KEPT_KINDS + CAUGHT_KINDS
# Source sentences of this many words make cases: long enough to state a fact, short enough that
# a fusion of two stays one readable sentence.
MIN_CASE_WORDS, MAX_CASE_WORDS = 8, 35
DEFAULT_PER_KIND = 2
MAX_REFERENCE_SENTENCES = 6
# Words long enough that the model's output is never cut by the word budget.
CASE_OPTIONS = SummaryOptions(engine="abstractive", keep_unsupported=True, max_words=2000)
BRIEFING_WORDS = 150


class ScriptedGenerator:
    """A stand-in for the seq2seq model that "writes" a given text (the Generator protocol)."""

    def __init__(self, output: str, name: str = "eval/scripted-bart"):
        self.output = output
        self.name = name
        self.template = template_for(name)
        self.max_input_tokens = 1024
        self.counter = ApproximateCounter()

    def generate(self, model_input: str, **_decoding) -> Generation:
        return Generation(text=self.output, input_tokens=self.counter.count(model_input), new_tokens=0)


@dataclass(frozen=True)
class Case:
    """One labelled model output. `origins`: the 1-based articles it was made from (every one must
    be cited); `expected`: the articles that hold a sentence of the origins' dedup clusters."""

    kind: str
    cluster: str
    text: str
    origins: tuple[int, ...] = ()
    expected: tuple[int, ...] = ()


@dataclass(frozen=True)
class Outcome:
    case: Case
    verdict: str
    citations: tuple[int, ...]
    attribute_ms: float

    @property
    def kept(self) -> bool:
        return self.verdict == "supported"


@dataclass
class Prepared:
    """A cluster's articles as summarize() keeps them, and its sentences and facts."""

    cluster: ArticleCluster
    articles: list[Article]
    sentences: list[Sentence]
    facts: list[Fact]
    member_of: dict[tuple[int, int], Fact] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.member_of = {(s.article_index, s.position): c for c in self.facts for s in c.sentences}

    def expected(self, *origins: Sentence) -> tuple[int, ...]:
        return tuple(sorted({a + 1 for s in origins for a in self.member_of[(s.article_index, s.position)].articles}))


def prepare(cluster: ArticleCluster) -> Prepared:
    articles = without_duplicates(cluster.articles)
    sentences = segment(clean(articles))
    return Prepared(cluster, articles, sentences, deduplicate(sentences))


def one_sentence(text: str) -> bool:
    return len(split_sentences(text)) == 1


# ---- the rules that make each kind of case -------------------------------------------------

NUMBER_TOKEN = re.compile(
    r"\b(\d[\d,]*(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|"
    r"forty|fifty|hundred|thousand|million|billion|dozen|January|February|March|April|June|July|August|"
    r"September|October|November|December|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b",
    re.I,
)
NUMBER_WORD_CYCLE = ["two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"]
SCALE_WORDS = ["hundred", "thousand", "million", "billion", "dozen"]
MONTH_NAMES = ["January", "February", "March", "April", "June", "July", "August", "September", "October"]
MONTH_NAMES += ["November", "December"]
WEEKDAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def number_alternatives(token: str, rng: random.Random) -> list[str]:
    lower = token.lower()
    if token[0].isdigit():
        digits = token.replace(",", "")
        if "." in digits:
            whole, frac = digits.split(".", 1)
            return [f"{whole}.{(int(frac[-1]) + k) % 10}".rstrip(".") for k in range(1, 9)] if frac else []
        value = int(digits)
        if 1900 <= value <= 2100:
            return [str(value + k) for k in (-3, -2, -1, 1, 2, 3)]
        steps = [k for k in range(2, 12)] + [value + k * 7 for k in range(1, 5)]
        return [f"{value + k:,}" if "," in token else str(value + k) for k in steps]
    for pool in (NUMBER_WORD_CYCLE, SCALE_WORDS, MONTH_NAMES, WEEKDAY_NAMES):
        lowered = [p.lower() for p in pool]
        if lower in lowered:
            others = [p for p in pool if p.lower() != lower]
            rng.shuffle(others)
            return [o if token[0].isupper() == o[0].isupper() else o.capitalize() for o in others]
    return []


def change_number(sentence: Sentence, source_numbers: frozenset[str], rng: random.Random) -> str | None:
    matches = [m for m in NUMBER_TOKEN.finditer(sentence.text) if numbers([m.group()])]
    if not matches:
        return None
    match = rng.choice(matches)
    for new in number_alternatives(match.group(), rng):
        changed = numbers([new])
        if changed and not changed & source_numbers:
            return sentence.text[: match.start()] + new + sentence.text[match.end() :]
    return None


CAPITALISED = re.compile(r"\b([A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)*)\b")


def name_tokens(sentence: Sentence, cluster_names: frozenset[str]) -> list[re.Match[str]]:
    """Capitalised words of the sentence that the cluster's sources also write as names (so a
    sentence-initial "Obama" counts, a sentence-initial "Police" does not)."""
    stops = stop_keys()
    return [
        m
        for m in CAPITALISED.finditer(sentence.text)
        if name_key(m.group()) in cluster_names and name_key(m.group()) not in stops
    ]


def replace_name(
    sentence: Sentence, cluster_names: frozenset[str], known_words: frozenset[str], foreign: Sequence[str], rng
) -> str | None:
    candidates = name_tokens(sentence, cluster_names)
    if not candidates:
        return None
    initial = [m for m in candidates if m.start() == 0]
    # Half of the sentences that open with a name have that one replaced: the hardest place.
    match = initial[0] if initial and rng.random() < 0.5 else rng.choice(candidates)
    pool = [n for n in foreign if name_key(n) not in known_words]
    if not pool:
        return None
    return sentence.text[: match.start()] + rng.choice(pool) + sentence.text[match.end() :]


NEGATABLE = re.compile(r"\b(is|are|was|were|has|have|had|will|would|can|could|should|did|does|do)\b")
NEGATION_WORD = re.compile(r"\b(?:no|not|nor|neither|none|nobody|nothing|without)\b", re.I)
NEGATED = [
    (re.compile(r"\b(is|are|was|were|has|have|had|would|could|should|did|does|do)n't\b"), r"\1"),
    (re.compile(r"\bwon't\b"), "will"),
    (re.compile(r"\bcan't\b|\bcannot\b"), "can"),
    (re.compile(r"\b(is|are|was|were|has|have|had|will|would|could|should|did|does|do) not\b"), r"\1"),
    (re.compile(r"\bnever\b"), "once"),
]


def first_rewrite(text: str, rules: list[tuple[re.Pattern[str], str]]) -> str | None:
    """`text` with the first rule that matches applied once, or None when none matches."""
    for pattern, replacement in rules:
        changed, n = pattern.subn(replacement, text, count=1)
        if n:
            return changed
    return None


def negate(sentence: Sentence) -> str | None:
    """Remove the sentence's negation, or negate its first auxiliary verb."""
    if (without := first_rewrite(sentence.text, NEGATED)) is not None:
        return without
    match = NEGATABLE.search(sentence.text)
    if not match or NEGATION_WORD.search(sentence.text):  # "we have no plans" -> "we have not no plans"
        return None
    negated = "cannot" if match.group() == "can" else f"{match.group()} not"
    return sentence.text[: match.start()] + negated + sentence.text[match.end() :]


ANTONYM_PAIRS = [
    ("confirmed", "denied"),
    ("confirms", "denies"),
    ("won", "lost"),
    ("wins", "loses"),
    ("win", "lose"),
    ("rose", "fell"),
    ("increased", "decreased"),
    ("accepted", "rejected"),
    ("approved", "rejected"),
    ("agreed", "refused"),
    ("support", "oppose"),
    ("supported", "opposed"),
    ("supports", "opposes"),
    ("guilty", "innocent"),
    ("convicted", "acquitted"),
    ("allowed", "banned"),
    ("opened", "closed"),
    ("higher", "lower"),
    ("more", "less"),
    ("before", "after"),
    ("increase", "decrease"),
    ("victory", "defeat"),
    ("legal", "illegal"),
    ("success", "failure"),
    ("succeeded", "failed"),
    ("bought", "sold"),
    ("hired", "fired"),
    ("admitted", "denied"),
    ("largest", "smallest"),
    ("first", "last"),
    ("earlier", "later"),
    ("positive", "negative"),
    ("upheld", "overturned"),
    ("lifted", "imposed"),
    ("best", "worst"),
    ("survived", "died"),
    ("arrived", "left"),
]
ANTONYM = {a: b for a, b in ANTONYM_PAIRS} | {b: a for a, b in ANTONYM_PAIRS}
ANTONYM_TOKEN = re.compile(r"\b(" + "|".join(sorted(ANTONYM, key=len, reverse=True)) + r")\b", re.I)


def flip_antonym(sentence: Sentence, rng: random.Random) -> str | None:
    matches = list(ANTONYM_TOKEN.finditer(sentence.text))
    if not matches:
        return None
    match = rng.choice(matches)
    word = match.group()
    new = ANTONYM[word.lower()]
    new = new.capitalize() if word[0].isupper() else new
    return sentence.text[: match.start()] + new + sentence.text[match.end() :]


MODALITY_RULES = [
    (re.compile(r"\b(?:is|are) (?:expected|likely|planning|poised) to\b"), "will"),
    (re.compile(r"\b(?:plans|intends) to\b"), "will"),
    (re.compile(r"\b(?:may|might|could)\b"), "will"),
    (re.compile(r"\b(?:reportedly|allegedly|possibly|probably) "), ""),
    (re.compile(r"\bwill\b"), "may"),
]


def change_modality(sentence: Sentence) -> str | None:
    return first_rewrite(sentence.text, MODALITY_RULES)


NAME_RUN = re.compile(r"\b[A-Z][\w'-]*(?: [A-Z][\w'-]*)*")


def cluster_name_mentions(sentence: Sentence, cluster_names: frozenset[str]) -> list[re.Match[str]]:
    """Runs of capitalised words ("Richard Schmack", "Associated Press") holding a word that the
    cluster's sources write as a name."""
    return [
        m
        for m in NAME_RUN.finditer(sentence.text)
        if any(name_key(w) in cluster_names and name_key(w) not in stop_keys() for w in m.group().split())
    ]


def swap_roles(sentence: Sentence, cluster_names: frozenset[str], rng: random.Random) -> str | None:
    """Two different names with a lower-case content word between them (a verb or a noun, not just
    "and" or a comma: exchanging the names of a list changes nothing) exchanged."""
    found = cluster_name_mentions(sentence, cluster_names)
    stops = stop_keys()
    pairs = []
    for i, first in enumerate(found):
        for second in found[i + 1 :]:
            if name_key(first.group()) == name_key(second.group()):
                continue
            between = words(sentence.text[first.end() : second.start()])
            if any(w.islower() and w not in stops for w in between):
                pairs.append((first, second))
    if not pairs:
        return None
    first, second = rng.choice(pairs)
    text = sentence.text
    return (
        text[: first.start()]
        + second.group()
        + text[first.end() : second.start()]
        + first.group()
        + text[second.end() :]
    )


def person(speaker: str | None) -> str | None:
    """The speaker when it names a person: capitalised words only ("Russ Granik", "Putin"), not
    an institution ("the Kremlin", "The White House"), a pronoun, nor a word opening a sentence."""
    who = named(speaker)
    if not who or not all(w[:1].isupper() for w in who.split()) or who.split()[0].lower() in stop_keys():
        return None
    return who


def cluster_speakers(sentences: Sequence[Sentence]) -> list[str]:
    """The people quoted in the cluster, as first written, each once (by the words of their name),
    whose every word the sources write as a name and never in lower case: "Directors said" is no
    one, and the check leaves a speaker named by a common word ("Young said") unchecked."""
    cluster_names = frozenset(n for s in sentences for n in s.names)
    lower_case = frozenset(w for s in sentences for w in words(s.text) if w.islower())
    found: dict[frozenset[str], str] = {}
    for s in sentences:
        who = person(s.speaker) if s.quoted else None
        if who and all(name_key(w) in cluster_names and name_key(w) not in lower_case for w in who.split()):
            found.setdefault(frozenset(name_key(w) for w in who.split()), who)
    return list(found.values())


def swap_speaker(sentence: Sentence, speakers: Sequence[str], rng: random.Random) -> str | None:
    """The quotation's speaker, where the sentence names them outside its quote marks, replaced by
    another person quoted in the cluster who shares no word of their name."""
    who = person(sentence.speaker) if sentence.quoted else None
    if who is None:
        return None
    mine = {name_key(w) for w in who.split()}
    others = [o for o in speakers if not mine & {name_key(w) for w in o.split()}]
    quoted = quotation_spans(sentence.text)
    at = next(
        (
            m.start()
            for m in re.finditer(re.escape(who), sentence.text)
            if not any(start <= m.start() < end for start, end in quoted)
        ),
        None,
    )
    if not others or at is None:
        return None
    return sentence.text[:at] + rng.choice(others) + sentence.text[at + len(who) :]


def compress(sentence: Sentence, rng: random.Random) -> str | None:
    """The sentence without one of its comma-delimited parts after the first."""
    parts = sentence.text.rstrip(".").split(", ")
    if len(parts) < 3:
        return None
    cut = rng.randrange(1, len(parts))
    kept = parts[:cut] + parts[cut + 1 :]
    text = ", ".join(kept) + "."
    return text if len(text.split()) >= 6 else None


def fuse(first: Sentence, second: Sentence) -> str:
    head = first.text.rstrip(" .!?")
    tail = second.text
    opening = tail.split(" ", 1)[0]
    if opening.lower() in stop_keys():  # "The", "He", "It": lower-cased after "and"
        tail = tail[0].lower() + tail[1:]
    return f"{head}, and {tail}"


# ---- building the suite --------------------------------------------------------------------


def cases_of(
    prepared: Prepared, foreign_names: Sequence[str], per_kind: int, outsiders: Sequence[Sentence] = ()
) -> list[Case]:
    """The labelled cases of one cluster, `per_kind` of each kind at most (all its reference
    sentences up to MAX_REFERENCE_SENTENCES), chosen at random with a seed of the cluster's id;
    `outsiders`: sentences of another cluster."""
    ident = prepared.cluster.id
    rng = random.Random(zlib.crc32(ident.encode()))
    usable = [s for s in prepared.sentences if MIN_CASE_WORDS <= s.word_count <= MAX_CASE_WORDS]
    rng.shuffle(usable)
    source_numbers = frozenset(n for s in prepared.sentences for n in s.numbers)
    cluster_names = frozenset(n for s in prepared.sentences for n in s.names)
    known_words = frozenset(name_key(w) for s in prepared.sentences for w in words(s.text))
    cases: list[Case] = []

    def add(kind: str, make: Callable[[Sentence], str | None]) -> None:
        made = 0
        for s in usable:
            if made >= per_kind:
                break
            text = make(s)
            if text and text != s.text and one_sentence(text):
                origin = (s.article_index + 1,)
                cases.append(Case(kind, ident, text, origin, prepared.expected(s)))
                made += 1

    add("compression", lambda s: compress(s, rng))
    add("number", lambda s: change_number(s, source_numbers, rng))
    add("name", lambda s: replace_name(s, cluster_names, known_words, foreign_names, rng))
    add("negation", negate)
    add("antonym", lambda s: flip_antonym(s, rng))
    add("modality", change_modality)
    add("role_swap", lambda s: swap_roles(s, cluster_names, rng))
    speakers = cluster_speakers(prepared.sentences)
    add("speaker_swap", lambda s: swap_speaker(s, speakers, rng))
    for s in usable[:per_kind]:
        if one_sentence(s.text):
            cases.append(Case("extract", ident, s.text, (s.article_index + 1,), prepared.expected(s)))
    short = [s for s in usable if s.word_count <= MAX_CASE_WORDS // 2 + 5]
    fused = 0
    for i, first in enumerate(short):
        if fused >= per_kind:
            break
        second = next(
            (
                t
                for t in short[i + 1 :]
                if t.article_index != first.article_index
                and prepared.member_of[(t.article_index, t.position)]
                is not prepared.member_of[(first.article_index, first.position)]
            ),
            None,
        )
        if second is None:
            continue
        text = fuse(first, second)
        if one_sentence(text):
            origins = tuple(sorted({first.article_index + 1, second.article_index + 1}))
            cases.append(Case("fusion", ident, text, origins, prepared.expected(first, second)))
            fused += 1
    outside = [s.text for s in outsiders if MIN_CASE_WORDS <= s.word_count <= MAX_CASE_WORDS and one_sentence(s.text)]
    cases += [Case("outside", ident, t) for t in outside[:per_kind]]
    references = [t for r in prepared.cluster.references for t in split_sentences(r) if len(t.split()) >= 6]
    cases += [Case("reference", ident, t) for t in references[:MAX_REFERENCE_SENTENCES]]
    return cases


def foreign_name_pool(prepared: Sequence[Prepared]) -> dict[str, list[str]]:
    """Per cluster, names (as written) that other clusters' sources use at least twice."""
    counts: dict[str, dict[str, int]] = {}
    for p in prepared:
        seen: dict[str, int] = defaultdict(int)
        for s in p.sentences:
            for m in CAPITALISED.finditer(s.text):
                if m.start() > 0 and name_key(m.group()) in s.names and "'" not in m.group():
                    seen[m.group()] += 1
        counts[p.cluster.id] = seen
    pool = {}
    for p in prepared:
        names = sorted(n for other, seen in counts.items() if other != p.cluster.id for n, k in seen.items() if k >= 2)
        pool[p.cluster.id] = names
    return pool


def run_case(case: Case, articles: Sequence[Article]) -> Outcome:
    briefing = summarize(articles, CASE_OPTIONS, generator=ScriptedGenerator(case.text))
    ms = briefing.stats.timings_ms.get("attribute", 0.0)
    if briefing.engine != "abstractive" or not briefing.sentences:
        return Outcome(case, "unsupported", (), ms)
    sentence = briefing.sentences[0]
    return Outcome(case, sentence.verdict, sentence.citations, ms)


def briefing_time_ms(prepared: Prepared) -> float | None:
    """The attribution stage's time on the cluster's own ~150-word extractive briefing given as a
    model's output."""
    extractive = summarize(prepared.articles, SummaryOptions(engine="extractive", max_words=BRIEFING_WORDS))
    text = " ".join(s.text for s in extractive.sentences)
    briefing = summarize(prepared.articles, CASE_OPTIONS, generator=ScriptedGenerator(text))
    return briefing.stats.timings_ms.get("attribute")


@dataclass(frozen=True)
class Row:
    kind: str
    cases: int
    share: float  # kept (for true cases) or caught (for false ones)
    contradicted: float
    citing_origins: float | None
    citation_precision: float | None
    ms_per_sentence: float


def rows_of(outcomes: Iterable[Outcome]) -> list[Row]:
    by_kind: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        by_kind[o.case.kind].append(o)
    rows = []
    for kind in KINDS:
        group = by_kind.get(kind, [])
        if not group:
            continue
        kept = [o for o in group if o.kept]
        share = len(kept) / len(group) if kind in KEPT_KINDS else 1 - len(kept) / len(group)
        with_origins = [o for o in group if o.case.origins]
        citing = (
            sum(o.kept and set(o.case.origins) <= set(o.citations) for o in with_origins) / len(with_origins)
            if with_origins and kind in KEPT_KINDS
            else None
        )
        precise = [
            len(set(o.citations) & set(o.case.expected)) / len(o.citations)
            for o in kept
            if o.citations and o.case.expected
        ]
        rows.append(
            Row(
                kind=kind,
                cases=len(group),
                share=share,
                contradicted=sum(o.verdict == "contradicted" for o in group) / len(group),
                citing_origins=citing,
                citation_precision=statistics.mean(precise) if precise and kind in KEPT_KINDS else None,
                ms_per_sentence=statistics.mean(o.attribute_ms for o in group),
            )
        )
    return rows


@dataclass(frozen=True)
class Suite:
    data: str
    clusters: int
    rows: tuple[Row, ...]
    briefing_ms: tuple[float, ...]

    def to_dict(self) -> dict:
        return {
            "data": self.data,
            "clusters": self.clusters,
            "rows": [asdict(r) for r in self.rows],
            "briefing_ms_median": statistics.median(self.briefing_ms) if self.briefing_ms else None,
        }


def run_suite(
    path: str | Path,
    per_kind: int = DEFAULT_PER_KIND,
    limit: int | None = None,
    progress: Callable[[Sequence], Iterable] | None = None,
) -> Suite:
    clusters = read_clusters(path, with_references=True, limit=limit)
    prepared = [prepare(c) for c in clusters]
    work = all_cases(prepared, per_kind)
    outcomes = [run_case(case, p.articles) for case, p in (progress(work) if progress else work)]
    timings = [t for p in prepared if (t := briefing_time_ms(p)) is not None]
    return Suite(str(path), len(clusters), tuple(rows_of(outcomes)), tuple(timings))


def all_cases(prepared: Sequence[Prepared], per_kind: int) -> list[tuple[Case, Prepared]]:
    """Every cluster's cases; the "outside" ones of a cluster are sentences of the next one."""
    names = foreign_name_pool(prepared)
    return [
        (c, p)
        for i, p in enumerate(prepared)
        for c in cases_of(
            p, names[p.cluster.id], per_kind, prepared[(i + 1) % len(prepared)].sentences if len(prepared) > 1 else ()
        )
    ]


def variants() -> dict[str, AttributionConfig]:
    """Attribution as it runs, and without each of its parts in turn."""
    full = AttributionConfig()
    found = {"all checks": full}
    for name in full.checks:
        found[f"without {name}"] = replace(full, checks=tuple(c for c in full.checks if c != name))
    found["without synonyms"] = replace(full, synonyms=False)
    found["without paraphrase score"] = replace(full, paraphrase=False)
    found["no checks (support only)"] = replace(full, checks=())
    return found


def run_ablation(path: str | Path, per_kind: int = DEFAULT_PER_KIND, limit: int | None = None) -> dict[str, list[Row]]:
    """The suite's rows under each variant, attribution called directly on the clusters
    summarize() would make (the same stage the pipeline's write step runs)."""
    prepared = [prepare(c) for c in read_clusters(path, with_references=True, limit=limit)]
    work = all_cases(prepared, per_kind)
    table = {}
    for label, config in variants().items():
        outcomes = []
        for case, p in work:
            started = time.perf_counter()
            judged, _ = attribute(case.text, p.facts, keep_unsupported=True, config=config)
            ms = (time.perf_counter() - started) * 1000
            verdict = judged[0].verdict if judged else "unsupported"
            outcomes.append(Outcome(case, verdict, judged[0].citations if judged else (), ms))
        table[label] = rows_of(outcomes)
    return table


def format_ablation(table: dict[str, list[Row]]) -> str:
    kinds = [r.kind for r in next(iter(table.values()))]
    lines = ["share kept (true kinds) or caught (false kinds) by variant", ""]
    lines.append(f"{'variant':<26}" + "".join(f"{k:>12}" for k in kinds))
    for label, rows in table.items():
        lines.append(f"{label:<26}" + "".join(f"{r.share:>12.1%}" for r in rows))
    return "\n".join(lines)


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def format_suite(suite: Suite) -> str:
    header = (
        f"{suite.data}: {suite.clusters} clusters; each case one model-output sentence through summarize()\n"
        "share = kept (for true kinds) or caught (for false ones); contradicted: share given that verdict"
    )
    columns = ("kind", "cases", "share", "contradicted", "kept citing origins", "citation precision", "ms/sentence")
    lines = ["  ".join(f"{c:>12}" if i else f"{c:<12}" for i, c in enumerate(columns))]
    for r in suite.rows:
        target = "kept" if r.kind in KEPT_KINDS else "caught"
        cells = (
            f"{r.kind:<12}",
            f"{r.cases:>12}",
            f"{_percent(r.share):>7} {target:<4}",
            f"{_percent(r.contradicted):>12}",
            f"{_percent(r.citing_origins):>12}",
            f"{_percent(r.citation_precision):>12}",
            f"{r.ms_per_sentence:>12.2f}",
        )
        lines.append("  ".join(cells))
    if suite.briefing_ms:
        lines.append(
            f"attribution of each cluster's ~{BRIEFING_WORDS}-word extractive briefing given as model output: "
            f"median {statistics.median(suite.briefing_ms):.1f} ms, max {max(suite.briefing_ms):.1f} ms"
        )
    return header + "\n\n" + "\n".join(lines)


def main(
    path: str, per_kind: int = DEFAULT_PER_KIND, limit: int | None = None, as_json: bool = False, ablation: bool = False
) -> int:
    from tqdm import tqdm

    if ablation:
        table = run_ablation(path, per_kind, limit)
        if as_json:
            json.dump({k: [asdict(r) for r in v] for k, v in table.items()}, sys.stdout, indent=2)
            print()
        else:
            print(format_ablation(table))
        return 0

    def progress(work: Sequence):
        return tqdm(work, desc="eval-attribution", unit="case", disable=not sys.stderr.isatty(), file=sys.stderr)

    suite = run_suite(path, per_kind, limit, progress)
    if as_json:
        json.dump(suite.to_dict(), sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        print(format_suite(suite))
    return 0
