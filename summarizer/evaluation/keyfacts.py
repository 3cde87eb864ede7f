"""Key-fact recall: how many of the facts an editor lists for a cluster a text carries.

A key-fact file is JSON Lines, one cluster a line: `{"cluster_index": i, "facts": [{"fact",
"any_of", "rank"}, ...]}`, where `cluster_index` is the 0-based line of the cluster in the
evaluation file and rank 1 is the fact a reader with 150 words needs most. A fact is carried by
a text when every group of `any_of` has an alternative that occurs in the text as a
case-insensitive substring (the rule the key facts were written and validated with).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError

# The ranks that count as a cluster's headline facts ("top-3").
TOP_RANKS = 3


@dataclass(frozen=True)
class KeyFact:
    fact: str
    any_of: tuple[tuple[str, ...], ...]
    rank: int

    def carried_by(self, text: str) -> bool:
        lowered = text.lower()
        return all(any(alternative.lower() in lowered for alternative in group) for group in self.any_of)


def _key_fact(obj: object, where: str) -> KeyFact:
    if not isinstance(obj, dict):
        raise InputError(f"{where}: a key fact must be an object with fact, any_of and rank", "facts")
    groups = obj.get("any_of")
    if (
        not isinstance(groups, list)
        or not groups
        or not all(isinstance(g, list) and g and all(isinstance(a, str) and a for a in g) for g in groups)
    ):
        raise InputError(f"{where}: any_of must be a non-empty list of non-empty lists of strings", "any_of")
    rank = obj.get("rank")
    if not isinstance(rank, int) or rank < 1:
        raise InputError(f"{where}: rank must be a positive integer", "rank")
    return KeyFact(str(obj.get("fact", "")), tuple(tuple(g) for g in groups), rank)


def read_key_facts(path: str | Path) -> dict[int, tuple[KeyFact, ...]]:
    """Key facts by cluster index (the 0-based line of the cluster in the evaluation file)."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as err:
        raise InputError(f"{path}: {err.strerror or err}", "keyfacts") from None
    facts: dict[int, tuple[KeyFact, ...]] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path} line {number}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as err:
            raise InputError(f"{where}: not JSON ({err.msg})", "keyfacts") from None
        index = obj.get("cluster_index") if isinstance(obj, dict) else None
        if not isinstance(index, int) or index < 0 or not isinstance(obj.get("facts"), list) or not obj["facts"]:
            raise InputError(
                f'{where}: needs "cluster_index" (an integer >= 0) and a non-empty "facts" list', "keyfacts"
            )
        facts[index] = tuple(_key_fact(f, where) for f in obj["facts"])
    if not facts:
        raise InputError(f"{path}: no key facts in the file", "keyfacts")
    return facts


@dataclass(frozen=True)
class KeyFactRecall:
    """Shares (percent) of the key facts a text carries: all of them, and the top-ranked ones."""

    all: float
    top: float


def key_fact_recall(facts: Sequence[KeyFact], text: str) -> KeyFactRecall:
    if not facts:
        raise ValueError("no key facts to check")
    top = [f for f in facts if f.rank <= TOP_RANKS] or list(facts)
    return KeyFactRecall(
        all=100 * sum(f.carried_by(text) for f in facts) / len(facts),
        top=100 * sum(f.carried_by(text) for f in top) / len(top),
    )
