"""Stage 6: align every briefing sentence to the source clusters that support it.

A generated sentence is supported when (a) a few clusters together contain most
of its content words (greedy set cover, at most MAX_SUPPORTING clusters, each
adding at least MIN_GAIN of the words; fusions of two source facts cite both),
and (b) every number, date word and capitalised name in it appears in the
supporting sources. (b) is what catches the typical seq2seq hallucination: a
fluent sentence with a wrong figure or a name from nowhere. Citations are the
articles of the supporting clusters, plus those of any other cluster that
supports the whole sentence alone, so a fact stated by four outlets cites all
four even where they worded it too differently to be merged. Unsupported sentences are
dropped and counted, or kept and flagged.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from ..resources import ENGLISH, MIN_LANGUAGE_CONFIDENCE, detect_language
from ..text import name_key, tidy_generated, words
from ..types import BriefingSentence, Citation, Cluster, Sentence
from .dedup import deduplicate
from .segment import make_sentence, split_sentences

# Share of a sentence's content words that its supporting clusters must contain.
SUPPORT_THRESHOLD = 0.6
# A further cluster is cited only if it covers at least this share of new content words.
MIN_GAIN = 0.2
MAX_SUPPORTING = 3


@dataclass
class _ClusterIndex:
    cluster: Cluster
    stems: frozenset[str]
    numbers: frozenset[str]
    words: frozenset[str]


def index_clusters(clusters: Sequence[Cluster]) -> list[_ClusterIndex]:
    return [
        _ClusterIndex(
            cluster=c,
            stems=frozenset(st for s in c.sentences for st in s.stems),
            numbers=frozenset(n for s in c.sentences for n in s.numbers),
            words=frozenset(name_key(w) for s in c.sentences for w in words(s.text)),
        )
        for c in clusters
    ]


def evidence_for(cluster: Cluster, stems: frozenset[str]) -> list[Citation]:
    """Every member of the cluster as evidence, scored by the share of `stems` it contains."""
    return [
        Citation(
            source=s.article_index + 1,
            sentence=s.position,
            text=s.text,
            score=round(len(stems & set(s.stems)) / len(stems), 3) if stems else 0.0,
        )
        for s in cluster.sentences
    ]


def cite_cluster(cluster: Cluster) -> BriefingSentence:
    """An extractive sentence: the cluster's representative, citing every article in the cluster."""
    stems = frozenset(cluster.representative.stems)
    evidence = sorted(evidence_for(cluster, stems), key=lambda c: (-c.score, c.source, c.sentence))
    return BriefingSentence(
        text=cluster.representative.text,
        citations=tuple(a + 1 for a in cluster.articles),
        evidence=tuple(evidence),
        supported=True,
    )


def _unexplained(sentence: Sentence, support: list[_ClusterIndex]) -> set[str]:
    """Numbers and names of the sentence that none of the supporting clusters contain."""
    numbers = frozenset().union(*(c.numbers for c in support)) if support else frozenset()
    source_words = frozenset().union(*(c.words for c in support)) if support else frozenset()
    return set(sentence.numbers - numbers) | {n for n in sentence.names if n not in source_words}


def align(sentence: Sentence, index: Sequence[_ClusterIndex]) -> tuple[list[_ClusterIndex], float, set[str]]:
    """Supporting clusters, the share of content words they cover, and unexplained numbers/names."""
    wanted = frozenset(sentence.stems)
    support: list[_ClusterIndex] = []
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
    missing = _unexplained(sentence, support)
    if missing:
        # A fused figure or name may come from a cluster that shares few other words.
        extra = max(index, key=lambda c: (len(missing & (c.numbers | c.words)), len(c.stems & wanted)), default=None)
        if extra is not None and extra not in support and missing & (extra.numbers | extra.words):
            support.append(extra)
            covered |= extra.stems & wanted
            missing = _unexplained(sentence, support)
    coverage = len(covered) / len(wanted) if wanted else 0.0
    if coverage >= SUPPORT_THRESHOLD and not missing:
        support += corroborating(sentence, index, support)
    return support, coverage, missing


def corroborating(
    sentence: Sentence, index: Sequence[_ClusterIndex], support: list[_ClusterIndex]
) -> list[_ClusterIndex]:
    """Other clusters that support the whole sentence on their own: the same fact in other words
    from other outlets, which dedup kept apart. Citing them credits every source that said it."""
    wanted = frozenset(sentence.stems)
    return [
        c
        for c in index
        if c not in support
        and len(c.stems & wanted) >= SUPPORT_THRESHOLD * len(wanted)
        and not _unexplained(sentence, [c])
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


def attribute(
    text: str, clusters: Sequence[Cluster], keep_unsupported: bool = False
) -> tuple[list[BriefingSentence], int]:
    """Briefing sentences with citations, and how many unsupported sentences were dropped."""
    index = index_clusters(clusters)
    source_languages = Counter(s.language for c in clusters for s in c.sentences)
    texts = split_sentences(tidy_generated(text), most_common_language(source_languages))
    language_of = {t: written_in(t, source_languages) for t in texts}
    result: list[BriefingSentence] = []
    dropped = 0
    for position, sentence_text in enumerate(without_repeats(texts, [language_of[t] for t in texts])):
        sentence = make_sentence(-1, position, sentence_text, language_of[sentence_text])
        support, coverage, missing = align(sentence, index)
        supported = coverage >= SUPPORT_THRESHOLD and not missing
        if not supported and not keep_unsupported:
            dropped += 1
            continue
        stems = frozenset(sentence.stems)
        evidence = [e for c in support for e in evidence_for(c.cluster, stems)]
        evidence.sort(key=lambda c: (-c.score, c.source, c.sentence))
        citations = sorted({a + 1 for c in support for a in c.cluster.articles}) if supported else []
        result.append(BriefingSentence(sentence_text, tuple(citations), tuple(evidence), supported))
    return result, dropped
