"""Why two items are related: shared key phrases, a shared cited paper, in words people trust.

Key phrases are KeyBERT-style candidates: contiguous runs of one to three content words
(sklearn's CountVectorizer with an analyzer that never bridges a stop word, a month or
punctuation), matched across items by their stemmed form, weighted by idf and by length
(a shared "reinforcement learning" says more than a shared "reinforcement"), and -- when the
model is loaded -- re-ranked by how close each phrase's embedding is to both items. Words
such as "presents", "look" or "researcher" and months never make a phrase, and a phrase of
only generic domain words ("deep learning", "neural networks") is never a reason.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from explorer.search.lexical import _GENERIC, STOPWORDS, _stem_words

MAX_WORDS = 3
# A phrase in more than this share of items explains nothing.
MAX_DF = 0.2
# KeyBERT-style check with the model: how many candidates it re-ranks, and the least mean
# cosine of a phrase to the two items' vectors for it to count as their common subject.
RERANK = 8
MIN_SIMILARITY = 0.3
MONTHS = frozenset([
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
    "sep", "sept", "oct", "nov", "dec", "monday", "tuesday", "wednesday", "thursday",
    "friday", "saturday", "sunday",
])
# Words of talk announcements and bios, never a subject.
FILLER = frozenset([
    "presents", "present", "presented", "presenting", "presentation", "look", "looks",
    "looking", "researcher", "researchers", "research", "talk", "talks", "speaker",
    "speakers", "will", "also", "give", "gives", "given", "overview", "introduction",
    "intro", "show", "shows", "discuss", "discusses", "work", "works", "working", "new",
    "using", "use", "used", "uses", "based", "approach", "approaches", "recent",
    "recently", "current", "different", "various", "including", "well", "way", "ways",
    "make", "makes", "many", "one", "two", "three", "first", "second", "time", "year",
    "years", "able", "us", "phd", "student", "students", "university", "founder", "co",
    "cofounder", "ceo", "cto", "head", "lead", "team", "company", "experience", "field",
    "topic", "topics", "session", "meetup", "vienna", "austria", "austrian", "part",
    "currently", "especially", "several", "like", "get", "gets", "got", "see", "bring",
    "brings", "brought", "learned", "lessons", "share", "shares", "go", "goes", "going",
    "things", "thing", "lot", "lots", "good", "great", "interesting", "short", "brief",
    "example", "examples", "case", "cases", "main", "key", "important", "kind", "type",
    "types", "least", "last", "next", "latest", "today", "tomorrow", "within", "without",
    "among", "across", "hands", "practical", "practice", "theory", "largest", "biggest",
    "best",
    # verbs of an abstract ("we compare ...", "the large model verifies"), vague adjectives
    # and nouns: "Both about large" or "measure latency" names no subject
    "compare", "compares", "compared", "comparing", "measure", "measures", "measured",
    "verify", "verifies", "verified", "mislead", "misleads", "explain", "explains",
    "explained", "demonstrate", "demonstrates", "cover", "covers", "covered", "describe",
    "describes", "summary", "summarize", "summarizes", "keep", "keeps", "turn", "turns",
    "call", "calls", "need", "needs", "help", "helps", "allow", "allows", "let", "lets",
    "reach", "reaches", "build", "builds", "propose", "proposes", "liked", "generalize",
    "generalizes", "large", "small", "big", "real", "simple", "modern", "specific",
    "better", "fast", "faster", "high", "low", "result", "results", "task", "tasks", "number",
    "numbers",
    "idea", "ideas",
])


_NEVER: set[str] = set()  # filled on first use: importing sklearn takes seconds


def _never() -> set[str]:
    if not _NEVER:
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

        _NEVER.update(STOPWORDS, ENGLISH_STOP_WORDS, MONTHS, FILLER)
    return _NEVER
_GENERIC_WORDS = frozenset(_GENERIC) | frozenset([
    "artificial", "intelligence", "deep", "learning", "neural", "networks", "network",
    "models", "model", "machine", "systems", "system", "method", "methods",
])
_SPLIT = re.compile(r"[^a-z0-9+#\s]+")


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode().lower()


def phrases(text: str, max_words: int = MAX_WORDS,
            never: frozenset[str] = frozenset()) -> list[str]:
    """Candidate key phrases of a text: runs of 1..max_words content words, as written.

    Words in ``never`` (e.g. speakers' names) end a run like stop words do.

    Example:
        >>> phrases("She presents deep reinforcement learning in June.")
        ['deep', 'deep reinforcement', 'deep reinforcement learning', 'reinforcement', ...]
    """
    out: list[str] = []
    stop = _never()
    # "text-to-speech" shares "speech" with "speech synthesis"
    for chunk in _SPLIT.split(_ascii(text).replace("-", " ")):
        run: list[str] = []
        for w in [*chunk.split(), ""]:  # "" closes the last run
            if w and w not in stop and w not in never and not w.isdigit() and len(w) > 1:
                run.append(w)
                continue
            for i in range(len(run)):
                for n in range(1, max_words + 1):
                    if i + n <= len(run):
                        out.append(" ".join(run[i:i + n]))
            run = []
    return out


def phrase_key(phrase: str) -> str:
    """Stemmed form that matches 'neural networks' with 'neural network' (and 'LLMs' with
    'LLM': the stemmer leaves a plural acronym as it is)."""
    out = []
    for w, st in zip(phrase.split(), _stem_words(phrase.split())):
        if st == w and len(w) > 2 and w.endswith("s") and not set(w[:-1]) & set("aeiou"):
            st = w[:-1]
        out.append(st)
    return " ".join(out)


@dataclass(frozen=True)
class Reason:
    """One reason two items are related: kind "paper", "phrases" or "topic", and its line."""

    kind: str
    text: str
    terms: tuple[str, ...] = ()


class KeyPhrases:
    """Candidate phrases of every item (by stemmed key), their document frequency, surfaces.

    Args:
        texts: one text per item (title and abstract, or a paper's text).
        names: words of people's names (speakers, authors): a shared first name is no link.
        titles: the items' titles: without the model, a single shared word counts only when
            a title has it.
    """

    def __init__(self, texts: Sequence[str], names: frozenset[str] = frozenset(),
                 titles: Sequence[str] | None = None):
        from sklearn.feature_extraction.text import CountVectorizer

        self.n = len(texts)
        self.surface: dict[str, str] = {}  # the first spelling seen anywhere
        self._own: list[dict[str, str]] = []  # each item's own spelling of a key
        docs = []
        for t in texts:
            keys, own = [], {}
            for p in phrases(t, never=names):
                k = phrase_key(p)
                self.surface.setdefault(k, p)
                own.setdefault(k, p)
                keys.append(k)
            docs.append(keys)
            self._own.append(own)
        self._cv = CountVectorizer(analyzer=lambda keys: keys, binary=True)
        m = self._cv.fit_transform(docs) if docs and any(docs) else None
        self.vocab: dict[str, int] = dict(self._cv.vocabulary_) if m is not None else {}
        self.df = np.asarray(m.sum(axis=0)).ravel() if m is not None else np.zeros(0)
        self._sets = [set(d) for d in docs]
        self._title_keys = [{phrase_key(p) for p in phrases(t, never=names)}
                            for t in (titles or [""] * self.n)]

    def idf(self, key: str) -> float:
        return float(np.log((1 + self.n) / (1 + self.df[self.vocab[key]])) + 1)

    def shared(self, a: int, b: int, n: int = 3, score=None) -> list[str]:
        """Up to n phrases items a and b share, most telling first, as written in a's text.

        Args:
            a, b: item positions.
            n: how many.
            score: optional callable(list of phrases) -> array of each phrase's model
                similarity to the two items (KeyBERT-style): the best `RERANK` phrases by
                idf and length are re-weighted by it, and a phrase below `MIN_SIMILARITY`
                (a word about neither subject: "always", "setup") is dropped.
        """
        common = [k for k in self._sets[a] & self._sets[b]
                  if self.df[self.vocab[k]] <= max(2, MAX_DF * self.n)
                  and not set(self.surface[k].split()) <= _GENERIC_WORDS]
        if score is None:  # no model to tell "setup" from "transformers": titles do
            common = [k for k in common if " " in k or k in self._title_keys[a]
                      or k in self._title_keys[b]]
        if not common:
            return []
        weight = np.array([self.idf(k) * (1 + 0.6 * (len(k.split()) - 1)) for k in common])
        if score is not None:
            top = np.argsort(-weight, kind="stable")[:RERANK]
            common, weight = [common[i] for i in top], weight[top]
            sims = np.asarray(score([self.surface[k] for k in common]), dtype=np.float64)
            keep = sims >= MIN_SIMILARITY
            common = [k for k, ok in zip(common, keep) if ok]
            weight = (weight * (0.5 + sims))[keep]
        order = sorted(range(len(common)), key=lambda i: (-weight[i], common[i]))
        chosen: list[str] = []
        for i in order:  # a phrase inside (or around) a chosen one repeats it
            k = common[i]
            if any(f" {k} " in f" {c} " or f" {c} " in f" {k} " for c in chosen):
                continue
            chosen.append(k)
            if len(chosen) == n:
                break
        return [self._own[a].get(k, self.surface[k]) for k in chosen]


def phrase_line(terms: Sequence[str]) -> str:
    """'Both about reinforcement learning and policy gradients'."""
    terms = list(terms)
    if len(terms) > 1:
        return "Both about " + ", ".join(terms[:-1]) + " and " + terms[-1]
    return "Both about " + terms[0] if terms else ""


class Explainer:
    """Why two items are related, in words: the papers they cite, the key phrases they share.

    Built on first use by the search engine; the model is asked only when it is loaded and
    is a model of meaning (the hashing stand-in is not), and never waited for.
    """

    def __init__(self, items: Sequence, vectors: np.ndarray, encoder):
        self.items, self.vectors, self.encoder = items, vectors, encoder
        self.pos = {it.id: i for i, it in enumerate(items)}
        names = frozenset(w for it in items for s in it.speakers
                          for w in re.findall(r"[a-z]+", s.lower()))
        self.phrases = KeyPhrases([it.text for it in items], names, [it.title for it in items])
        self._cache: dict[str, np.ndarray] = {}

    def semantic(self) -> bool:
        return bool(getattr(self.encoder, "loaded", True)
                    and getattr(self.encoder, "semantic", True))

    def phrase_vectors(self, phrases: list[str]) -> np.ndarray:
        missing = list(dict.fromkeys(p for p in phrases if p not in self._cache))
        if missing:
            for p, v in zip(missing, self.encoder.encode(missing)):
                self._cache[p] = v
        return np.stack([self._cache[p] for p in phrases])

    def reasons(self, a: int, b: int, n: int = 3) -> list[Reason]:
        """Reasons for items at positions a and b, strongest first ([] when none is found)."""
        x, y = self.items[a], self.items[b]
        out = []
        for p, q in ((x, y), (y, x)):  # one cites the other
            if p.kind == "talk" and q.kind == "paper" and q.id[6:] in p.cites:
                out.append(Reason("paper", f"“{p.title}” cites it" if q is y else
                                  f"Cited in “{q.title}”", (q.id,)))
        for c in [c for c in x.cites if c in y.cites][:2]:
            paper = self.pos.get(f"arxiv:{c}")
            title = self.items[paper].title if paper is not None else f"arXiv:{c}"
            out.append(Reason("paper", f"Both cite “{title}”", (f"arxiv:{c}",)))
        score = None
        if self.semantic():
            va, vb = self.vectors[a], self.vectors[b]

            def score(ps: list[str]) -> np.ndarray:
                v = self.phrase_vectors(ps)
                return (v @ va + v @ vb) / 2
        terms = self.phrases.shared(a, b, n=n, score=score)
        if terms:
            out.append(Reason("phrases", phrase_line(terms), tuple(terms)))
        return out
