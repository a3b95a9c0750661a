"""Topic labels: class-based TF-IDF terms, re-ranked by closeness to the topic's centre."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

from embeddings.index import normalize  # re-exported: topics and themes use it

# Words every talk or abstract uses whatever its subject (and, at a deep learning meetup,
# the field's own name): c-TF-IDF damps words common to all topics, but on the real archive
# "deep", "learning" and "neural" still topped a third of the labels.
_DOMAIN_WORDS = """
deep learning neural network networks ai artificial intelligence machine model models
abs doi talk talks paper papers present presents presented presentation propose proposed proposes
approach approaches method methods result results show shows shown use used uses using
based new novel work works introduce introduces recent recently different various
also well way ways able allow allows provide provides et al arxiv pdf slides video http https
www com org html github meetup vienna vdlm speaker speakers will can one two first
"""
DOMAIN_STOP_WORDS = frozenset(_DOMAIN_WORDS.split())
STOP_WORDS = sorted(ENGLISH_STOP_WORDS | DOMAIN_STOP_WORDS)
TOKEN_PATTERN = r"(?u)\b[a-zA-Z][a-zA-Z0-9\-]+\b"

def ctfidf_terms(texts: Sequence[str], labels: Sequence[int], n_terms: int = 8
                 ) -> dict[int, list[tuple[str, float]]]:
    """Distinctive terms per cluster by class-based TF-IDF (as in BERTopic).

    The texts of a cluster are joined into one document; a term's weight in cluster c is
    ``tf(t, c) / |c| * log(1 + A / f(t))`` with A the mean word count per cluster and f(t) the
    term's count over all clusters: frequent here, rare elsewhere.

    Args:
        texts: one text per item.
        labels: cluster id per item.
        n_terms: terms kept per cluster.

    Returns:
        {cluster id: [(term, weight), ...]} best first; unigrams and bigrams, stopwords removed.
    """
    labels = np.asarray(labels)
    classes = sorted(set(labels.tolist()))
    docs = [" ".join(t for t, lab in zip(texts, labels) if lab == c) for c in classes]
    cv = CountVectorizer(stop_words=STOP_WORDS, ngram_range=(1, 2), token_pattern=TOKEN_PATTERN)
    try:
        counts = cv.fit_transform(docs).toarray().astype(np.float64)
    except ValueError:  # only stopwords or empty texts
        return {c: [] for c in classes}
    vocab = cv.get_feature_names_out()
    # A bigram seen once is mostly two words that met across a removed stopword.
    once = np.array([" " in w for w in vocab]) & (counts.sum(axis=0) < 2)
    counts[:, once] = 0
    tf = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    avg_words = counts.sum() / len(classes)
    idf = np.log(1 + avg_words / np.maximum(counts.sum(axis=0), 1))
    weights = tf * idf
    out = {}
    for row, c in enumerate(classes):
        order = np.argsort(-weights[row], kind="stable")[:n_terms]
        out[c] = [(str(vocab[j]), round(float(weights[row, j]), 5))
                  for j in order if weights[row, j] > 0]
    return out


def label_from_terms(terms: Sequence[str], n: int = 3) -> str:
    """A short label: the first ``n`` terms that share no word with an earlier one.

    Example: ['reinforcement learning', 'reinforcement', 'policy', 'agents'] ->
    'reinforcement learning, policy, agents'.
    """
    chosen: list[str] = []
    seen: set[str] = set()
    for term in terms:
        words = set(term.split())
        if words & seen:
            continue
        chosen.append(term)
        seen |= words
        if len(chosen) == n:
            break
    return ", ".join(chosen) or "(no terms)"


def rerank_terms(weighted: Sequence[tuple[str, float]], centroid: np.ndarray,
                 embed_terms: Callable[[list[str]], np.ndarray], keep: int = 8) -> list[str]:
    """Order c-TF-IDF candidates by their cosine to the topic centroid (0.7) and weight (0.3).

    c-TF-IDF alone favours words that are frequent in a topic's texts; on short talk
    abstracts that is often a speaker's bio ("currently", "holds"). Terms whose own embedding
    is near the topic's centre name what the topic is about (as BERTopic's KeyBERTInspired).

    Args:
        weighted: (term, c-TF-IDF weight) candidates, best first.
        centroid: the topic's unit centroid in the embedding space of ``embed_terms``.
        embed_terms: texts -> unit vectors (the model the items were embedded with).
        keep: terms returned.

    Returns:
        The ``keep`` best terms.
    """
    if not weighted:
        return []
    terms = [t for t, _ in weighted]
    w = np.array([x for _, x in weighted], dtype=np.float64)
    sim = normalize(embed_terms(terms)) @ centroid
    # 0.7 on closeness: on the real archive 0.5 still let bio words ("industrial", "silicon
    # valley") name topics; 0.7 gave "medical image, imaging", "audio, music, speech synthesis".
    score = 0.7 * sim + 0.3 * w / (w.max() or 1)
    return [terms[j] for j in np.argsort(-score, kind="stable")[:keep]]
