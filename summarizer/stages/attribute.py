"""Stage 6: give every briefing sentence a verdict, a support score, citations and evidence spans.

1. Support. A few facts together must hold most of the sentence's content words (greedy set
   cover, at most MAX_SUPPORTING facts, each adding at least MIN_GAIN of the words; fusions of
   two source facts cite both). A word the facts lack counts when one of their words means
   nearly the same (cosine of WordLlama word vectors, `similarity.embed`): "trip" for "visit".
   Its `score` weighs that share twice and the paraphrase similarity of the sentence with its
   supporting sentences once (`similarity.embed`); under SUPPORT_THRESHOLD it is `unsupported`.
2. Meaning. The checks of `stages.checks` compare the sentence with its evidence (the member
   sentences of its supporting facts): figures and dates, names, negation, antonyms, modality,
   roles. The first that fails gives the verdict (`contradicted` or `unsupported`) and a reason.
3. Citations: the articles of the supporting facts, plus those of any other fact that
   supports the whole sentence alone and passes the same checks, so a fact stated by four outlets
   cites all four even where they worded it too differently to be merged. Each evidence sentence
   carries the span of it that holds the sentence's words.

Sentences not supported are dropped and counted by verdict, or kept flagged (`keep_unsupported`).
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np

from ..resources import ENGLISH, MIN_LANGUAGE_CONFIDENCE, detect_language
from ..similarity import embed_remembered
from ..text import content_stems, tidy_generated, words
from ..types import BriefingSentence, Citation, Fact, Sentence, count_words
from .checks import CHECKS, Context, Finding, Said, check_speaker, first_finding, tokenize
from .dedup import deduplicate
from .segment import (
    ROLE_NOUNS,
    SPEECH_VERB,
    appositive_roles,
    full_name_from,
    full_name_in,
    make_sentence,
    named,
    named_in,
    names_opened,
    quotation_spans,
    reported_surnames,
    speaker_introductions,
    speaker_surnames,
    speakers_full_names,
    split_sentences,
)

# The support score: (2 x the share of the sentence's content words its supporting facts hold,
# synonyms counted, + the cosine of its WordLlama embedding with theirs) / 3. On the dev set's
# facts, sentences of another fact score under 0.3 (9 in 10), human summary sentences 0.5
# (median), faithful extracts 1; below this a sentence is unsupported.
SUPPORT_THRESHOLD = 0.4
# Without paraphrase similarity (only to measure what it buys) the score is the share of content
# words alone, and this its threshold (the rule before similarity was added).
LEXICAL_THRESHOLD = 0.6
# A fact that supports a sentence alone, to be cited as corroborating, holds this share of its words.
CORROBORATING_SHARE = 0.6
# A further fact is cited only if it covers at least this share of new content words.
MIN_GAIN = 0.2
MAX_SUPPORTING = 3
# Cosine of two words' WordLlama vectors above which one stands for the other ("kids" for
# "children" 0.87, "car"/"vehicle" 0.69, "killed"/"died" 0.71; "confirmed"/"denied" is 0.17).
SYNONYM_SIMILARITY = 0.6


@dataclass(frozen=True)
class AttributionConfig:
    """Which parts of attribution run: the named meaning checks of `stages.checks`, synonym
    matching by word vectors, paraphrase similarity in the score. All by default; fewer only to
    measure what each buys (eval-attribution --ablation)."""

    checks: tuple[str, ...] = tuple(CHECKS)
    synonyms: bool = True
    paraphrase: bool = True


@dataclass(eq=False)
class _FactIndex:
    fact: Fact
    stems: frozenset[str]
    numbers: frozenset[str]
    words: frozenset[str]

    @cached_property
    def members(self) -> list[Said]:
        """The fact's sentences read for the checks (only those of facts that support)."""
        return [Said.of(s) for s in self.fact.sentences]


def index_facts(facts: Sequence[Fact]) -> list[_FactIndex]:
    return [
        _FactIndex(
            fact=c,
            stems=frozenset(st for s in c.sentences for st in s.stems),
            numbers=frozenset(n for s in c.sentences for n in s.numbers),
            words=frozenset(t.name for s in c.sentences for t in tokenize(s.text, s.language)),
        )
        for c in facts
    ]


def span_of(text: str, language: str, stems: frozenset[str]) -> tuple[int, int] | None:
    """From the first to the last word of `text` whose stem is in `stems`."""
    hits = [t for t in tokenize(text, language) if t.stem in stems]
    return (hits[0].start, hits[-1].end) if hits else None


def evidence_for(fact: Fact, stems: frozenset[str]) -> list[Citation]:
    """Every member of the fact as evidence, scored by the share of `stems` it contains."""
    return [citation_of(s, stems, span_of(s.text, s.language, stems)) for s in fact.sentences]


def citation_of(source: Sentence, stems: frozenset[str], span: tuple[int, int] | None) -> Citation:
    """`source` as evidence for a sentence of content words `stems`, scored by the share of them it
    holds; `span` is the part of it to highlight."""
    return Citation(
        source=source.article_index + 1,
        sentence=source.position,
        text=source.text,
        score=round(len(stems & set(source.stems)) / len(stems), 3) if stems else 0.0,
        span=span,
        speaker=named(source.speaker),
        as_written=source.as_written,
    )


def cite_fact(fact: Fact) -> BriefingSentence:
    """An extractive sentence: the fact's representative, citing every article in the fact."""
    stems = frozenset(fact.representative.stems)
    evidence = sorted(evidence_for(fact, stems), key=lambda c: (-c.score, c.source, c.sentence))
    return BriefingSentence(
        text=fact.representative.text,
        citations=tuple(a + 1 for a in fact.articles),
        evidence=tuple(evidence),
    )


# A role just before the speaker's name: the sentence introduces them already ("spokesman Kirby").
ROLE_BEFORE = re.compile(rf"\b(?i:{ROLE_NOUNS})\s+$")
# A capitalised word or a particle just before a surname: a first name, a title or part of the
# name ("Mary Kirby", "Mr. Kirby", "Arthur de Soultrait", 'Orenthal James "O.J." Simpson').
NAME_BEFORE = re.compile(r"\b(?:[A-Z][\w'’.-]*[\"”]?|de|van|von|der|den|da|di|del|della|du|la|le|bin|ibn|al|el)\s+$")

# An article just before a surname: the name says what a thing is ("the Trump administration").
ARTICLE_BEFORE = re.compile(r"\b(?i:the|a|an)\s+$")


def introduce_people(
    sentences: Sequence[BriefingSentence], facts: Sequence[Fact], max_words: int, every_name: bool = False
) -> list[BriefingSentence]:
    """The extractive briefing with each person it first names by surname alone introduced as the
    sources name them at their fullest, quoted or not: 'Kirby said: "..."' becomes 'National
    Security Council spokesman John Kirby said: "..."' (segment.speaker_introductions), and "Medlin
    said it was hard to understand her." becomes "Tim Medlin said ..." where the sources give
    someone who speaks a first name and no role (segment.speakers_full_names); in both, only where
    no other person of the cluster has that surname. A speaker whose surname others share, or
    whom the sources give no one full name, is named as the article the sentence cites wrote them
    in full before it (as_its_article_names). A person named before in the briefing, one the
    sentence names with a role, a title or in full, words inside a quotation, and an introduction
    that would take the briefing past `max_words` (unless `every_name`: to learn how many words
    they all want), are left as they are. A speaker named in full, whom the sources give a role
    beside the name and not before it, is given it where it fits within `max_words`
    (with_appositive_role): it is worth less to a reader than a fact, so no fact gives way to it."""
    return People(facts).introduce(sentences, max_words, every_name)


class People:
    """Who the cluster's sources name and how, read once for all the extractions of one briefing
    (pipeline.extract_introduced): what introduce_people looks up."""

    def __init__(self, facts: Sequence[Fact]) -> None:
        self.facts = facts
        texts = [s.text for f in facts for s in f.sentences if s.language == ENGLISH]
        # People who speak, and people what they say is about ("friends say Cruise has taken ...").
        self.speakers = speaker_surnames(texts)
        self.people = self.speakers | reported_surnames(texts)
        self.introductions = {**speakers_full_names(texts, self.people), **speaker_introductions(texts)}
        self.namesakes = self.people - set(self.introductions)
        self.first_names = names_opened(texts, self.people)
        self.by_article: dict[int, list[Sentence]] = {}
        for sentence in sorted((s for f in facts for s in f.sentences), key=lambda s: -s.position):
            self.by_article.setdefault(sentence.article_index, []).append(sentence)
        self.roles = {surname: role for surname, role in appositive_roles(texts).items() if surname in self.people}

    def introduce(
        self, sentences: Sequence[BriefingSentence], max_words: int, every_name: bool = False
    ) -> list[BriefingSentence]:
        """`sentences` with the people they name introduced (introduce_people)."""
        words_left = max_words - sum(count_words(s.text) for s in sentences)
        names_left = sys.maxsize if every_name else words_left
        introduced: list[BriefingSentence] = []
        for briefing_sentence in sentences:
            told = " ".join(s.text for s in introduced)
            mentions = [
                (surname, mention) for surname, mention in self.introductions.items() if not named_in(surname, told)
            ]
            for surname in self.namesakes:
                # Someone spoken about, named already, is that person ("Steve Vogelsang", then
                # "Vogelsang", whom his article wrote "Stephen Vogelsang").
                if not named_in(surname, briefing_sentence.text) or (
                    surname not in self.speakers and named_in(surname, told)
                ):
                    continue
                mention = as_its_article_names(
                    surname, briefing_sentence, self.by_article, self.first_names, self.people
                )
                if mention is not None and not named_in(" ".join(mention.split()[-2:]), told):
                    mentions.append((surname, mention))
            for name, mention in mentions:
                text = briefing_sentence.text
                longer = with_introduction(text, name, mention)
                if longer is not None and count_words(longer) - count_words(text) <= names_left:
                    names_left -= count_words(longer) - count_words(text)
                    words_left -= count_words(longer) - count_words(text)
                    briefing_sentence = cite_introduction(replace(briefing_sentence, text=longer), mention, self.facts)
            for surname, (name, role) in self.roles.items():
                longer = None if named_in(surname, told) else with_appositive_role(briefing_sentence.text, name, role)
                if longer is not None and count_words(longer) - count_words(briefing_sentence.text) <= words_left:
                    words_left -= count_words(longer) - count_words(briefing_sentence.text)
                    briefing_sentence = cite_introduction(replace(briefing_sentence, text=longer), role, self.facts)
            introduced.append(briefing_sentence)
        return introduced


def as_its_article_names(
    surname: str,
    sentence: BriefingSentence,
    by_article: dict[int, list[Sentence]],
    first_names: set[str],
    people: set[str],
) -> str | None:
    """The full name the article the sentence cites first last wrote `surname` in before the
    sentence: news style names a person in full first and by surname after, so within one article
    the surname is that person ('Nabugyere said: "UWA gave us the coffin."' in the article that
    named "his father, Francis Manana Nabugyere", where the briefing opened on the child, Elisha
    Nabugyere). A feature may go on by the first name: where the word is one (`first_names`:
    segment.names_opened), the last full name of one of `people` the article opened with it
    before is that person's ("..., Patty said." after "Patty Campbell said ..."). None where the
    sentence names someone of that name in full itself ("Musk's brother, Kimbal Musk": which Musk
    the other is, only the sentences before it say).
    `by_article`: each article's sentences, latest first."""
    if not sentence.evidence or full_name_in(sentence.text, surname) or full_name_from(sentence.text, surname, people):
        return None
    cited = sentence.evidence[0]
    before = [s for s in by_article.get(cited.source - 1, []) if s.position < cited.sentence]
    found = next((name for s in before if (name := full_name_in(s.text, surname)) is not None), None)
    if found is None and surname in first_names:
        found = next((name for s in before if (name := full_name_from(s.text, surname, people)) is not None), None)
    return found


def cite_introduction(sentence: BriefingSentence, mention: str, facts: Sequence[Fact]) -> BriefingSentence:
    """`sentence`, which now names someone as `mention` does, citing the source sentence that names
    them so where its article is not cited already: the role or first name is that article's word."""
    source = next((s for f in facts for s in f.sentences if mention in s.text), None)
    if source is None or source.article_index + 1 in sentence.citations:
        return sentence
    start = source.text.index(mention)
    stems = frozenset(content_stems(words(sentence.text), source.language))
    evidence = citation_of(source, stems, (start, start + len(mention)))
    return replace(
        sentence,
        citations=tuple(sorted({*sentence.citations, evidence.source})),
        evidence=(*sentence.evidence, evidence),
    )


def with_introduction(text: str, name: str, mention: str) -> str | None:
    """`text` with its first mention of the person `mention` names, where it is outside its
    quotations and is the bare `name` (the surname, or the first name a feature goes on by),
    replaced by `mention`; None where it has none, or names them otherwise ("spokesman Kirby", "Mr.
    Kirby", "John Kirby", "Arthur de Soultrait": a name written in full is left as the source wrote
    it, whatever role it gives) or names a thing ("the Kirby report")."""
    quoted = quotation_spans(text)
    for found in re.finditer(rf"\b{re.escape(name)}\b", text):
        at = found.start()
        if any(start <= at < end for start, end in quoted):
            continue
        if ROLE_BEFORE.search(text[:at]) or NAME_BEFORE.search(text[:at]) or ARTICLE_BEFORE.search(text[:at]):
            return None
        return f"{text[:at]}{mention[:1].upper() if at == 0 else mention[:1]}{mention[1:]}{text[found.end() :]}"
    return None


def with_appositive_role(text: str, name: str, role: str) -> str | None:
    """`text` with `role` set beside the first mention of `name` (segment.appositive_roles), where
    it names the speaker, outside its quotations, in full and with no role or title before it
    ('Maria Walter said: "..."' becomes 'Maria Walter, United Airlines' managing director of global
    operations strategy, said: "..."'); None where it has no such mention, or gives the role."""
    if role in text:
        return None
    quoted = quotation_spans(text)
    for found in re.finditer(rf"\b{re.escape(name)}\b", text):
        at, end = found.start(), found.end()
        if any(start <= at < stop for start, stop in quoted):
            continue
        if ROLE_BEFORE.search(text[:at]) or NAME_BEFORE.search(text[:at]):
            return None
        if re.match(rf"\s+{SPEECH_VERB}\b", text[end:]):
            return f"{text[:end]}, {role},{text[end:]}"
        if re.fullmatch(r"[.!?]", text[end:]):
            return f"{text[:end]}, {role}{text[end:]}"
        return None
    return None


def synonyms_covered(uncovered: frozenset[str], claim: Said, support: Sequence[_FactIndex]) -> frozenset[str]:
    """The claim's content stems in `uncovered` for which a word of the supporting sentences
    has a WordLlama vector within SYNONYM_SIMILARITY."""
    mine = sorted({t.key for t in claim.tokens if t.stem in uncovered})
    theirs = sorted({t.key for c in support for m in c.members for t in m.tokens if t.stem})
    if not mine or not theirs:
        return frozenset()
    vectors = embed_remembered(mine + theirs)
    similar = (vectors[: len(mine)] @ vectors[len(mine) :].T).max(axis=1) >= SYNONYM_SIMILARITY
    keys = {k for k, ok in zip(mine, similar.tolist(), strict=True) if ok}
    return frozenset(t.stem for t in claim.tokens if t.key in keys and t.stem)


def _unexplained(sentence: Sentence, support: list[_FactIndex]) -> set[str]:
    """Numbers and names of the sentence that none of the supporting facts contain."""
    numbers = frozenset().union(*(c.numbers for c in support)) if support else frozenset()
    source_words = frozenset().union(*(c.words for c in support)) if support else frozenset()
    return set(sentence.numbers - numbers) | {n for n in sentence.names if n not in source_words}


@dataclass(frozen=True)
class Alignment:
    support: list[_FactIndex]
    coverage: float
    covered: frozenset[str]
    similarity: float | None

    @property
    def score(self) -> float:
        return self.coverage if self.similarity is None else (2 * self.coverage + self.similarity) / 3


def align(
    sentence: Sentence, claim: Said, index: Sequence[_FactIndex], config: AttributionConfig = AttributionConfig()
) -> Alignment:
    """The supporting facts and the share of the sentence's content words they hold."""
    wanted = frozenset(sentence.stems)
    support: list[_FactIndex] = []
    covered: set[str] = set()
    while wanted and len(support) < MAX_SUPPORTING:
        best = max(index, key=lambda c: len((c.stems & wanted) - covered), default=None)
        if best is None:
            break
        gain = len((best.stems & wanted) - covered) / len(wanted)
        if gain == 0 or (support and gain < MIN_GAIN):
            break
        support.append(best)
        covered |= best.stems & wanted
    for _ in range(2):  # a fused figure or name may come from a fact that shares few other words
        missing = _unexplained(sentence, support)
        extra = max(index, key=lambda c: (len(missing & (c.numbers | c.words)), len(c.stems & wanted)), default=None)
        if not missing or extra is None or extra in support or not missing & (extra.numbers | extra.words):
            break
        support.append(extra)
        covered |= extra.stems & wanted
    if config.synonyms and support and wanted - covered:
        covered |= synonyms_covered(wanted - covered, claim, support)
    coverage = len(covered) / len(wanted) if wanted else 0.0
    similarity = None if not config.paraphrase else 0.0
    if support and config.paraphrase:
        # The cosine with the mean of the supporting sentences' unit vectors (each remembered).
        vectors = embed_remembered([sentence.text, *(m.text for c in support for m in c.members)])
        centre = vectors[1:].mean(axis=0)
        norm = float(np.linalg.norm(centre))
        similarity = max(0.0, float(vectors[0] @ centre) / norm) if norm else 0.0
    return Alignment(support, coverage, frozenset(covered), similarity)


def corroborating(
    sentence: Sentence,
    claim: Said,
    index: Sequence[_FactIndex],
    support: list[_FactIndex],
    context: Context,
    checks: Sequence[str],
) -> list[_FactIndex]:
    """Other facts that support the whole sentence on their own and pass the checks: the same
    fact in other words from other outlets, which dedup kept apart."""
    wanted = frozenset(sentence.stems)
    return [
        c
        for c in index
        if c not in support
        and len(c.stems & wanted) >= CORROBORATING_SHARE * len(wanted)
        and first_finding(claim, c.members, context, checks) is None
    ]


def without_repeats(texts: Sequence[str], languages: Sequence[str] | None = None) -> list[str]:
    """Drop a sentence that deduplication would merge with an earlier one (models do repeat).
    `languages`: each text's language (default: all English)."""
    languages = languages or [ENGLISH] * len(texts)
    sentences = [make_sentence(i, 0, t, language) for i, (t, language) in enumerate(zip(texts, languages, strict=True))]
    keep = {min(s.article_index for s in c.sentences) for c in deduplicate(sentences)}
    return [t for i, t in enumerate(texts) if i in keep]


def most_common_language(languages: Counter[str]) -> str:
    return languages.most_common(1)[0][0] if languages else ENGLISH


def written_in(text: str, source_languages: Counter[str]) -> str:
    """The language to read a generated sentence in: one of the sources' languages (their stems
    are what it is compared with), the one it is confidently written in, else the most common."""
    if len(source_languages) < 2:
        return most_common_language(source_languages)
    code, probability = detect_language(text)
    if code in source_languages and probability >= MIN_LANGUAGE_CONFIDENCE:
        return code
    return most_common_language(source_languages)


@dataclass(frozen=True)
class Dropped:
    """Generated sentences dropped, by verdict."""

    unsupported: int = 0
    contradicted: int = 0


def judge(
    sentence: Sentence,
    index: Sequence[_FactIndex],
    context: Context,
    config: AttributionConfig = AttributionConfig(),
) -> BriefingSentence:
    """The verdict on one generated sentence, with its citations and evidence."""
    claim = Said(sentence.text, tokenize(sentence.text, sentence.language), sentence.numbers, sentence.names)
    aligned = align(sentence, claim, index, config)
    evidence_sentences = [m for c in aligned.support for m in c.members]
    overlap = {id(m): len(m.lemmas & claim.lemmas) for m in evidence_sentences}
    evidence_sentences.sort(key=lambda m: -overlap[id(m)])
    finding: Finding | None
    if aligned.score < (SUPPORT_THRESHOLD if config.paraphrase else LEXICAL_THRESHOLD):
        finding = Finding(
            "unsupported",
            f"support score {aligned.score:.2f}: {aligned.coverage:.0%} of its content words are in the sources",
        )
    else:
        finding = first_finding(claim, evidence_sentences, context, [c for c in config.checks if c != "speaker"])
    if finding is None and "speaker" in config.checks:
        # Who said the words is settled by every source that quotes them, not only the facts the
        # sentence aligned with: one may give them to "he", another names who spoke.
        others = [m for c in index if c not in aligned.support for m in c.members]
        finding = check_speaker(claim, evidence_sentences + others, context)
    support = aligned.support
    if finding is None:
        support = support + corroborating(sentence, claim, index, support, context, config.checks)
    evidence = [e for c in support for e in evidence_for(c.fact, aligned.covered or frozenset(sentence.stems))]
    evidence.sort(key=lambda c: (-c.score, c.source, c.sentence))
    citations = sorted({a + 1 for c in support for a in c.fact.articles}) if finding is None else []
    return BriefingSentence(
        sentence.text,
        tuple(citations),
        tuple(evidence),
        verdict=finding.verdict if finding else "supported",
        score=round(aligned.score, 3),
        reason=finding.reason if finding else None,
    )


def source_context(facts: Sequence[Fact], index: Sequence[_FactIndex]) -> Context:
    """Every word of the sources; as common words, the lower-case ones and the capitalised first
    words ("Police arrested...") that no source writes capitalised inside a sentence."""
    sentences = [s for c in facts for s in c.sentences]
    names = frozenset().union(*(s.names for s in sentences)) if sentences else frozenset()
    tokens = [(i, t) for s in sentences for i, t in enumerate(tokenize(s.text, s.language))]
    return Context(
        source_keys=frozenset().union(*(c.words for c in index)),
        source_lemmas=frozenset(t.lemma for _, t in tokens),
        common_words=frozenset(
            t.key for i, t in tokens if t.stem and (not t.capitalised or (i == 0 and t.name not in names))
        ),
    )


def attribute(
    text: str,
    facts: Sequence[Fact],
    keep_unsupported: bool = False,
    config: AttributionConfig = AttributionConfig(),
) -> tuple[list[BriefingSentence], Dropped]:
    """Briefing sentences with verdicts and citations, and how many were dropped by verdict."""
    index = index_facts(facts)
    context = source_context(facts, index)
    source_languages = Counter(s.language for c in facts for s in c.sentences)
    texts = split_sentences(tidy_generated(text), most_common_language(source_languages))
    language_of = {t: written_in(t, source_languages) for t in texts}
    result: list[BriefingSentence] = []
    dropped: Counter[str] = Counter()
    for position, sentence_text in enumerate(without_repeats(texts, [language_of[t] for t in texts])):
        sentence = make_sentence(-1, position, sentence_text, language_of[sentence_text])
        judged = judge(sentence, index, context, config)
        if judged.verdict != "supported" and not keep_unsupported:
            dropped[judged.verdict] += 1
            continue
        result.append(judged)
    return result, Dropped(unsupported=dropped["unsupported"], contradicted=dropped["contradicted"])
