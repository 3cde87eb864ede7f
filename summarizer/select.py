"""Stage 4: rank clusters, drop redundancy, and fit the model's input budget.

Salience of a cluster combines three signals that multi-document summarisation
research keeps finding useful, each in [0, 1]:
- agreement: the share of articles that state the fact (more sources, more salient);
- centrality: cosine of the cluster's representative to the centroid of all
  sentences (what the cluster is about, as in MEAD);
- lead: news puts the essentials first, so an early position in any article counts.
Dangling openers ("He said", "This ...") are discounted because they read badly
out of context. Maximal marginal relevance then orders the clusters so that each
pick adds something new. Finally whole sentences are packed into the token
budget, measured with the model's tokenizer on the exact rendered input;
nothing is cut mid-sentence and what did not fit is counted.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import numpy as np
from scipy import sparse

from .prompts import PromptTemplate
from .tokens import TokenCounter
from .types import Cluster, LeftOut, RankedCluster, Selection

# Weights of the salience signals; they sum to 1.
AGREEMENT_WEIGHT = 0.4
CENTRALITY_WEIGHT = 0.4
LEAD_WEIGHT = 0.2
# MMR trade-off: 1.0 ranks by salience alone, lower values favour novelty.
MMR_LAMBDA = 0.7
MMR_POOL = 300
DANGLING_DISCOUNT = 0.6
# Stop packing once less room than the shortest useful sentence is left.
MIN_SENTENCE_TOKENS = 8
COUNT_BATCH = 64
DANGLING_START = re.compile(
    r"^(he|she|they|it|this|these|those|that|his|her|their|its|but|and|however|also|meanwhile|still|yet)\b", re.I
)


def _row_index(clusters: Sequence[Cluster]) -> dict[tuple[int, int], int]:
    """Row of each sentence in the TF-IDF matrix, which was built from the sentences
    in segmentation order (article, then position)."""
    keys = sorted((s.article_index, s.position) for c in clusters for s in c.sentences)
    return {key: row for row, key in enumerate(keys)}


def salience(clusters: Sequence[Cluster], matrix: sparse.csr_matrix, row_of: dict[tuple[int, int], int], n_articles: int) -> np.ndarray:
    """A score in [0, 1] for each cluster."""
    reps = [row_of[(c.representative.article_index, c.representative.position)] for c in clusters]
    centroid = np.asarray(matrix.mean(axis=0)).ravel()
    norm = np.linalg.norm(centroid)
    centrality = matrix[reps] @ (centroid / norm) if norm else np.zeros(len(clusters))
    centrality = np.asarray(centrality).ravel()
    if centrality.max() > 0:
        centrality = centrality / centrality.max()
    scores = np.empty(len(clusters))
    for k, cluster in enumerate(clusters):
        agreement = (len(cluster.articles) - 1) / (n_articles - 1) if n_articles > 1 else 0.0
        first = min(s.position for s in cluster.sentences)
        lead = 1.0 / math.sqrt(1 + first)
        score = AGREEMENT_WEIGHT * agreement + CENTRALITY_WEIGHT * centrality[k] + LEAD_WEIGHT * lead
        if DANGLING_START.match(cluster.representative.text):
            score *= DANGLING_DISCOUNT
        scores[k] = score
    return scores


def mmr_order(scores: np.ndarray, rep_vectors: sparse.csr_matrix) -> list[int]:
    """Cluster indices in the order maximal marginal relevance picks them.

    Only the MMR_POOL most salient clusters are reordered (a briefing and a
    1,024-token input hold a few dozen sentences); the rest follow by salience,
    which keeps this linear in the cluster count instead of quadratic.
    """
    by_salience = np.argsort(-scores, kind="stable")
    pool, rest = by_salience[:MMR_POOL], by_salience[MMR_POOL:]
    pool_scores = scores[pool]
    similarity = (rep_vectors[pool] @ rep_vectors[pool].T).toarray()
    max_sim = np.zeros(len(pool))
    available = np.ones(len(pool), dtype=bool)
    chosen: list[int] = []
    for _ in range(len(pool)):
        value = np.where(available, MMR_LAMBDA * pool_scores - (1 - MMR_LAMBDA) * max_sim, -np.inf)
        best = int(np.argmax(value))
        chosen.append(int(pool[best]))
        available[best] = False
        max_sim = np.maximum(max_sim, similarity[best])
    return chosen + rest.tolist()


def rank(clusters: Sequence[Cluster], matrix: sparse.csr_matrix, n_articles: int) -> list[RankedCluster]:
    """Clusters in MMR order with their salience."""
    if not clusters:
        return []
    row_of = _row_index(clusters)
    scores = salience(clusters, matrix, row_of, n_articles)
    reps = matrix[[row_of[(c.representative.article_index, c.representative.position)] for c in clusters]]
    return [RankedCluster(clusters[k], float(scores[k])) for k in mmr_order(scores, reps)]


def reading_order(ranked: Sequence[RankedCluster]) -> list[RankedCluster]:
    """Source narrative order: earliest relative position of the representative first."""
    return sorted(ranked, key=lambda r: (r.cluster.representative.position, r.cluster.representative.article_index))


def render_input(chosen: Sequence[RankedCluster], template: PromptTemplate) -> str:
    """The model input: salience order (seq2seq news models favour what comes first),
    or grouped by article in article order for families trained on separated documents."""
    if template.group_by_article:
        by_article: dict[int, list] = {}
        for r in sorted(chosen, key=lambda r: (r.cluster.representative.article_index, r.cluster.representative.position)):
            by_article.setdefault(r.cluster.representative.article_index, []).append(r.cluster.representative.text)
        documents = list(by_article.values())
    else:
        documents = [[r.cluster.representative.text for r in chosen]]
    return template.render(documents)


def fit_budget(ranked: Sequence[RankedCluster], template: PromptTemplate, counter: TokenCounter, budget: int) -> Selection:
    """Greedily add whole sentences in rank order while the rendered input fits `budget` tokens."""
    chosen: list[RankedCluster] = []
    specials = counter.count("")
    used = counter.count(render_input([], template))
    considered = 0
    while considered < len(ranked) and budget - used >= MIN_SENTENCE_TOKENS:
        batch = ranked[considered : considered + COUNT_BATCH]
        considered += len(batch)
        costs = counter.count_many([" " + r.cluster.representative.text for r in batch])
        for candidate, cost in zip(batch, costs):
            # The per-sentence estimate screens; the exact count of the rendered input decides.
            if used + cost - specials > budget:
                continue
            exact = counter.count(render_input(chosen + [candidate], template))
            if exact <= budget:
                chosen.append(candidate)
                used = exact
    model_input = render_input(chosen, template)
    kept = {id(r) for r in chosen}
    left = [r for r in ranked if id(r) not in kept]
    return Selection(
        clusters=tuple(chosen),
        model_input=model_input,
        input_tokens=counter.count(model_input),
        budget_tokens=budget,
        left_out=LeftOut(
            clusters=len(left),
            sentences=sum(len(r.cluster.sentences) for r in left),
            words=sum(r.cluster.representative.word_count for r in left),
        ),
    )
