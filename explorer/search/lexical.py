"""Words for BM25 and for 'why related' lines: tokenizing, stemming, BM25 scores, shared terms.

Queries are expanded with the spelled-out form of common ML abbreviations (`expand_query`)
before both BM25 and the embedding see them: talks say "reinforcement learning" where
attendees type "RL", BM25 cannot match the two, and all-MiniLM-L6-v2 embeds a lone "GNN"
or "RL" close to nothing in particular.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence

import bm25s
import numpy as np

# A short English stopword list: BM25's idf already discounts common words, this only
# keeps function words from producing matches on their own.
STOPWORDS = frozenset(bm25s.stopwords.STOPWORDS_EN) | frozenset(
    [
        "about", "above", "after", "again", "all", "also", "am", "any", "because", "been",
        "before", "being", "between", "both", "can", "could", "did", "do", "does", "doing", "down",
        "during", "each", "few", "from", "further", "had", "has", "have", "having", "he", "her",
        "here", "hers", "how", "i", "its", "just", "me", "more", "most", "my", "new", "nor", "now",
        "only", "other", "our", "ours", "out", "over", "own", "same", "she", "should", "so",
        "some", "than", "them", "those", "through", "too", "under", "until", "up", "very", "we",
        "were", "what", "when", "where", "which", "while", "who", "whom", "why", "would", "you",
        "your",
    ])
# Words too common in this domain to explain why two talks are related.
_GENERIC = frozenset([
    "deep", "learning", "learn", "neural", "network", "networks", "machine", "model", "models",
    "talk", "introduction", "intro", "using", "use", "based", "data", "ai",
    # link debris from slide text: every arXiv citation shares these
    "http", "https", "www", "arxiv", "org", "abs", "pdf", "com",
])
_WORD = re.compile(r"\d{4}\.\d{4,5}|[a-z0-9]+(?:[+#]+)?")  # an arXiv id is one word

# Abbreviations an attendee types for a field or a model family -> the words talks use.
# Only unambiguous ones in this domain; product names (GPT, CLIP) are left as they are.
ABBREVIATIONS = {
    "agi": "artificial general intelligence",
    "asr": "automatic speech recognition",
    "automl": "automated machine learning",
    "cnn": "convolutional neural network",
    "cv": "computer vision",
    "dl": "deep learning",
    "drl": "deep reinforcement learning",
    "gan": "generative adversarial network",
    "gcn": "graph convolutional network",
    "genai": "generative AI",
    "gnn": "graph neural network",
    "llm": "large language model",
    "mcp": "model context protocol",
    "lstm": "long short-term memory recurrent network",
    "ml": "machine learning",
    "mlops": "machine learning operations deployment",
    "moe": "mixture of experts",
    "nas": "neural architecture search",
    "ner": "named entity recognition",
    "nerf": "neural radiance field",
    "nlp": "natural language processing",
    "nlu": "natural language understanding",
    "nmt": "neural machine translation",
    "ocr": "optical character recognition",
    "pinn": "physics-informed neural network",
    "rag": "retrieval-augmented generation",
    "rl": "reinforcement learning",
    "rlhf": "reinforcement learning from human feedback",
    "rnn": "recurrent neural network",
    "sota": "state of the art",
    "ssl": "self-supervised learning",
    "tts": "text-to-speech",
    "vae": "variational autoencoder",
    "vit": "vision transformer",
    "xai": "explainable AI",
}
_TOKEN = re.compile(r"[A-Za-z0-9]+")

try:  # Snowball stemming via PyStemmer (what bm25s uses); plain words without it.
    import Stemmer

    _stem_words: Callable[[list[str]], list[str]] = Stemmer.Stemmer("english").stemWords
except ImportError:  # pragma: no cover - PyStemmer is a dependency
    def _stem_words(words: list[str]) -> list[str]:
        return words


def words(text: str) -> list[str]:
    """Lower-case, accent-free words of a text without stopwords: 'The GANs!' -> ['gans']."""
    text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode().lower()
    return [w for w in _WORD.findall(text) if w not in STOPWORDS]


def expand_query(query: str) -> str:
    """A query with its ML abbreviations spelled out after it ('GNNs' -> 'GNNs (graph neural
    network)'); the abbreviation stays, so talks that use it still match it."""
    extra = []
    for tok in _TOKEN.findall(query):
        low = tok.lower()
        full = ABBREVIATIONS.get(low)
        if full is None and len(low) > 3 and low.endswith("s"):  # "GANs", "LLMs"; not "mls"
            full = ABBREVIATIONS.get(low[:-1])
        if full is not None and full not in extra:
            extra.append(full)
    return f"{query} ({'; '.join(extra)})" if extra else query


def tokenize(text: str) -> list[str]:
    """BM25 tokens: stemmed `words` ('Transformers for vision' -> ['transform', 'vision'])."""
    return _stem_words(words(text))


class LexicalIndex:
    """BM25 (bm25s, Lucene variant) over item texts; scores every document for a query."""

    def __init__(self, texts: Sequence[str]):
        docs = [tokenize(t) for t in texts]
        self.n = len(docs)
        self._bm25 = bm25s.BM25()
        if self.n:
            self._bm25.index(docs, show_progress=False)
        df = Counter(tok for d in docs for tok in set(d))
        # idf as BM25 weighs terms; used to rank the terms two items share.
        self.idf = {t: math.log(1 + (self.n - c + 0.5) / (c + 0.5)) for t, c in df.items()}
        self._unseen_idf = math.log(1 + (self.n + 0.5) / 0.5)
        self._docs_of: dict[str, np.ndarray] = {}
        for i, d in enumerate(docs):
            for tok in set(d):
                self._docs_of.setdefault(tok, []).append(i)  # type: ignore[arg-type]
        self._docs_of = {t: np.asarray(v, dtype=np.int64) for t, v in self._docs_of.items()}

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every document (0 where no query term occurs), float32 (n,)."""
        ids = self._bm25.get_tokens_ids(tokenize(query)) if self.n else []
        if not ids:
            return np.zeros(self.n, dtype=np.float32)
        return np.asarray(self._bm25.get_scores_from_ids(ids), dtype=np.float32)


    def coverage(self, query: str) -> np.ndarray:
        """Share of the query's idf mass each document contains, float64 (n,) in [0, 1].

        A word no document has counts with the highest idf, so "quantum knitting patterns"
        covers a talk on "patterns" only a little: one rare-ish word of three unknown ones.
        """
        toks = list(dict.fromkeys(tokenize(query)))
        out = np.zeros(self.n)
        total = sum(self.idf.get(t, self._unseen_idf) for t in toks)
        if not toks or not total:
            return out
        for t in toks:
            docs = self._docs_of.get(t)
            if docs is not None:
                out[docs] += self.idf[t]
        return out / total


def shared_terms(a_text: str, b_text: str, n: int = 3,
                 idf: dict[str, float] | None = None) -> list[str]:
    """Up to n key words two texts share, as written in the first, most specific first.

    Args:
        a_text, b_text: the two items' texts.
        n: how many terms.
        idf: stem -> idf (`LexicalIndex.idf`) to rank the terms; without it longer words
            rank first. Generic domain words ("learning", "http") are always left out.

    Returns:
        e.g. ['graph', 'molecules'] for two talks on graph networks for chemistry.
    """
    a_words = words(a_text)
    surface: dict[str, str] = {}
    for w, s in zip(a_words, _stem_words(a_words)):
        if len(w) >= 3 and not w.isdigit():
            surface.setdefault(s, w)
    common = {s for s in set(surface) & set(_stem_words(words(b_text)))
              if surface[s] not in _GENERIC}  # never a reason, whatever their idf
    if idf is None:
        key: Callable[[str], float] = lambda s: len(surface[s])
    else:
        key = lambda s: idf.get(s, 0.0)
    order = list(surface)  # ties keep the first text's word order
    return [surface[s] for s in sorted(common, key=lambda s: (-key(s), order.index(s)))[:n]]
