"""Deterministic synthetic news clusters for benchmarks (no external data).

Each article mixes facts from a shared pool, reworded, with sentences of its
own built from the seed articles' vocabulary, so a cluster has the
cross-source repetition that dedup must find, a news-sized vocabulary and
realistic sentence lengths (about 15-30 words).
"""

from __future__ import annotations

import random
import re
from functools import lru_cache
from pathlib import Path

from summarizer.types import Article

PEOPLE = [
    "Maria Lopez",
    "Ahmed Khan",
    "Li Wei",
    "Olga Petrova",
    "John Carter",
    "Amara Okafor",
    "Kenji Sato",
    "Sofia Rossi",
]
PLACES = ["Kars", "Valencia", "Mombasa", "Tromso", "Cusco", "Da Nang", "Tbilisi", "Cork", "Osaka", "Tucson"]
ORGS = ["the ministry", "the city council", "the regional governor", "the army", "the Red Cross", "the weather service"]
VERBS = ["said", "confirmed", "announced", "told reporters", "reported", "warned"]
NOUNS = ["roads", "bridges", "schools", "hospitals", "power lines", "ports", "farms", "rail links"]
FACT_TEMPLATES = [
    "{org} {verb} that {n} {noun} in {place} were damaged by the floods on {day}.",
    "{person} of {org} {verb} that rescue teams reached {place} after {n} hours.",
    "About {n} residents of {place} were moved to shelters, {org} {verb}.",
    "{org} {verb} it would spend {n} million euros to repair {noun} around {place}.",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def _fact(rng: random.Random) -> dict:
    return {
        "template": rng.choice(FACT_TEMPLATES),
        "org": rng.choice(ORGS),
        "person": rng.choice(PEOPLE),
        "place": rng.choice(PLACES),
        "noun": rng.choice(NOUNS),
        "n": rng.randint(2, 900),
        "day": rng.choice(DAYS),
    }


def _render(fact: dict, rng: random.Random) -> str:
    text = fact["template"].format(verb=rng.choice(VERBS), **fact)
    return text[0].upper() + text[1:]


SEEDS = Path(__file__).resolve().parent.parent / "seeds" / "putin-north-korea"


@lru_cache(maxsize=1)
def seed_vocabulary() -> list[str]:
    text = " ".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))
    return re.findall(r"[A-Za-z][a-z]+", text)  # with repeats: sampling follows real word frequencies


def _own_sentence(rng: random.Random) -> str:
    words = rng.choices(seed_vocabulary(), k=rng.randint(14, 28))
    return f"{' '.join(words).capitalize()} in {rng.choice(PLACES)} on {rng.choice(DAYS)}, {rng.randint(2, 900)} said."


def synthetic_cluster(n_articles: int, sentences_per_article: int = 30, seed: int = 7) -> list[Article]:
    rng = random.Random(seed)
    pool = [_fact(rng) for _ in range(max(20, n_articles * 3))]
    articles = []
    for a in range(n_articles):
        sentences = []
        for _ in range(sentences_per_article):
            if rng.random() < 0.4:
                sentences.append(_render(rng.choice(pool), rng))  # a shared fact, reworded
            else:
                sentences.append(_own_sentence(rng))  # this article's own detail
        paragraphs = [" ".join(sentences[i : i + 3]) for i in range(0, len(sentences), 3)]
        articles.append(Article(id=f"synthetic-{a:03d}", title=f"Floods: report {a + 1}", text="\n".join(paragraphs)))
    return articles
