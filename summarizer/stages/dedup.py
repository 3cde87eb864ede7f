"""Stage 3: merge near-duplicate sentences across articles into facts.

Algorithm: sparse TF-IDF vectors of stemmed content words, cosine similarity computed block
by block as sparse matrix products, then greedy single-link merging of cross-article pairs
above a threshold, most similar first.

Why this and not MinHash LSH: news paraphrases share few exact shingles, so
Jaccard over shingles misses them unless the bands are set so loose that LSH
degenerates into all-pairs anyway; TF-IDF cosine weights the rare words (names,
places) that make two sentences the same fact. Word bigrams were tried and
dropped: paraphrases reorder words, so bigrams cut their similarity by half
(0.70 -> 0.30 on a typical pair) while the number guard already separates the
look-alike sentences that differ in a figure. Blocked sparse products keep
memory at block x n floats and take well under a second for 6,000 sentences.

Guard: a merge never joins sentences whose numbers or dates disagree (neither
set contains the other), checked against every member already in both
facts, so a chain "3 dead" ~ "dead" ~ "5 dead" cannot form.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from sklearn.feature_extraction.text import TfidfVectorizer

from ..text import numbers_compatible
from ..types import Fact, Sentence

# Cosine similarity above which two sentences from different articles state the same fact.
SIMILARITY_THRESHOLD = 0.45
BLOCK_ROWS = 512
MAX_NEIGHBOURS = 30


def sentence_terms(sentence: Sentence) -> list[str]:
    return list(sentence.stems)


def vectorize(sentences: Sequence[Sentence]) -> sparse.csr_matrix:
    """L2-normalised TF-IDF rows; a sentence with no content words gets a zero row."""
    vectorizer = TfidfVectorizer(analyzer=sentence_terms, sublinear_tf=True)
    try:
        return vectorizer.fit_transform(sentences).tocsr()
    except ValueError:  # no sentence has any content word
        return sparse.csr_matrix((len(sentences), 1))


def similar_pairs(matrix: sparse.csr_matrix, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (i < j) with cosine >= threshold and their similarities, without an n x n matrix.

    Each sentence keeps only its MAX_NEIGHBOURS most similar partners: that bounds
    the work at n x MAX_NEIGHBOURS pairs even when hundreds of articles repeat
    the same wire copy, and a clique of copies stays connected through them.
    """
    pairs, similarity = [np.empty((0, 2), dtype=np.int64)], [np.empty(0)]
    transposed = matrix.T.tocsc()
    n = matrix.shape[0]
    for start in range(0, n, BLOCK_ROWS):
        block = (matrix[start : start + BLOCK_ROWS] @ transposed).tocsr()
        block.data[block.data < threshold] = 0
        block.eliminate_zeros()
        rows = np.repeat(np.arange(start, start + block.shape[0]), np.diff(block.indptr))
        keep = np.ones(block.nnz, dtype=bool)
        for row in np.flatnonzero(np.diff(block.indptr) > MAX_NEIGHBOURS + 1):  # +1: the sentence itself
            lo, hi = block.indptr[row], block.indptr[row + 1]
            weakest = np.argpartition(-block.data[lo:hi], MAX_NEIGHBOURS + 1)[MAX_NEIGHBOURS + 1 :]
            keep[lo + weakest] = False
        keep &= rows != block.indices
        pairs.append(np.sort(np.column_stack((rows[keep], block.indices[keep])), axis=1))
        similarity.append(block.data[keep])
    all_pairs, all_similarity = np.concatenate(pairs), np.concatenate(similarity)
    # A pair found from both ends appears twice; keep one.
    _, first = np.unique(all_pairs[:, 0] * n + all_pairs[:, 1], return_index=True)
    return all_pairs[first], all_similarity[first]


class _Groups:
    """Union-find over components that tracks each group's number sets for the guard.

    Within a group all number sets are pairwise nested, so they form a chain
    and stay few (one per distinct size)."""

    def __init__(self, number_sets: Sequence[frozenset[str]]):
        self.parent = list(range(len(number_sets)))
        self.number_sets = [{numbers} for numbers in number_sets]

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def merge(self, i: int, j: int) -> None:
        a, b = self.find(i), self.find(j)
        if a == b:
            return
        if all(numbers_compatible(x, y) for x in self.number_sets[a] for y in self.number_sets[b]):
            self.parent[b] = a
            self.number_sets[a] |= self.number_sets[b]


def _labels(sentences: Sequence[Sentence], pairs: np.ndarray, similarity: np.ndarray) -> np.ndarray:
    """A fact label per sentence from the similar cross-article pairs.

    Pairs whose sentences have identical number sets can never break the guard,
    so they are merged at once with vectorised connected components (this is
    where syndicated copies and the bulk of the pairs go). Only pairs with
    different number sets go through the guarded union-find, most similar
    first, one pair per component pair.
    """
    n = len(sentences)
    number_ids: dict[frozenset[str], int] = {}
    numbers_of = np.array([number_ids.setdefault(s.numbers, len(number_ids)) for s in sentences])
    same = numbers_of[pairs[:, 0]] == numbers_of[pairs[:, 1]]
    safe = pairs[same]
    graph = sparse.coo_matrix((np.ones(len(safe)), (safe[:, 0], safe[:, 1])), shape=(n, n))
    _, component = connected_components(graph, directed=False)

    rest, rest_similarity = component[pairs[~same]], similarity[~same]
    crossing = rest[:, 0] != rest[:, 1]
    rest, rest_similarity = np.sort(rest[crossing], axis=1), rest_similarity[crossing]
    order = np.argsort(-rest_similarity, kind="stable")
    keys = rest[order, 0] * n + rest[order, 1]
    _, first = np.unique(keys, return_index=True)
    candidates = rest[order][np.sort(first)]

    component_numbers: list[frozenset[str]] = [frozenset()] * (component.max() + 1)
    for i, c in enumerate(component):
        component_numbers[c] = sentences[i].numbers
    groups = _Groups(component_numbers)
    for a, b in candidates.tolist():
        groups.merge(a, b)
    return np.array([groups.find(c) for c in component])


def _representatives(labels: np.ndarray, matrix: sparse.csr_matrix, sentences: Sequence[Sentence]) -> dict[int, int]:
    """Per label, the member most similar to its fact as a whole (the medoid); earliest on ties."""
    n = len(sentences)
    membership = sparse.csr_matrix((np.ones(n), (labels, np.arange(n))), shape=(labels.max() + 1, n))
    fact_sums = membership @ matrix
    centrality = np.asarray(matrix.multiply(fact_sums[labels]).sum(axis=1)).ravel()
    best: dict[int, int] = {}
    for i in np.lexsort((np.array([s.position for s in sentences]), -np.round(centrality, 9))):
        best.setdefault(int(labels[i]), int(i))
    return best


def deduplicate(
    sentences: Sequence[Sentence],
    threshold: float = SIMILARITY_THRESHOLD,
) -> list[Fact]:
    """Facts in order of their first sentence; every sentence is in exactly one."""
    if not sentences:
        return []
    matrix = vectorize(sentences)
    pairs, similarity = similar_pairs(matrix, threshold)
    articles = np.array([s.article_index for s in sentences])
    cross = articles[pairs[:, 0]] != articles[pairs[:, 1]]
    labels = _labels(sentences, pairs[cross], similarity[cross])
    representative = _representatives(labels, matrix, sentences)

    members_by_label: dict[int, list[int]] = {}
    for i, label in enumerate(labels.tolist()):
        members_by_label.setdefault(label, []).append(i)
    facts: list[Fact] = []
    for label, members in sorted(members_by_label.items(), key=lambda item: item[1][0]):
        facts.append(
            Fact(
                id=len(facts),
                sentences=tuple(sentences[m] for m in members),
                representative=sentences[representative[label]],
            )
        )
    return facts
