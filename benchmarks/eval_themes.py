"""Themes against k-means topics on the judged talks: assignment and pairwise F1, coherence.

    python benchmarks/eval_themes.py --data-dir /tmp/i13-data [--tune]

The data dir is a build of the real archive. Judgments: tests/fixtures/themes_tuning.json
(the settings in explorer/insights/themes.py were chosen on it; ``--tune`` repeats that
grid search) and tests/fixtures/themes_heldout.json (never used to choose anything).

Measures, on the judged talks of each file:

* assignment precision / recall / F1, micro over (talk, theme) pairs. k-means topics have no
  theme names, so each topic is named by the judged theme most common among its *tuning*
  talks (a favourable mapping for k-means on the tuning set, a fair one on held-out);
* pairwise precision / recall / F1: two judged talks that share a judged theme should share
  a predicted group, and the reverse (needs no names, so it is the same for both methods);
* coherence: mean cosine between items of the same group (averaged over groups with two or
  more items, all items not only the judged), and the cosine silhouette of each item's first
  group. k-means optimises these two, so they favour it by construction.

Then the off-topic flag of the novelty check on invented proposals
(tests/fixtures/novelty_offtopic.json, tuning and held-out lists), and every gap of the data
dir with its evidence, counting stale gaps contradicted by the timeline (a talk of the theme
inside the window; must be 0).
"""

from __future__ import annotations

import argparse
import itertools
import json
from collections import Counter
from pathlib import Path

import numpy as np
from sklearn.metrics import silhouette_score

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"


def load_judgments(name: str) -> dict[str, set[str]]:
    data = json.loads((FIXTURES / name).read_text())
    return {k: set(v) for k, v in data["talks"].items()}


def assignment_prf(pred: dict[str, set[str]], gold: dict[str, set[str]]) -> tuple[float, ...]:
    tp = sum(len(pred.get(t, set()) & g) for t, g in gold.items())
    n_pred = sum(len(pred.get(t, set())) for t in gold)
    n_gold = sum(len(g) for g in gold.values())
    return _prf(tp, n_pred, n_gold)


def pairwise_prf(pred: dict[str, set[str]], gold: dict[str, set[str]]) -> tuple[float, ...]:
    tp = n_pred = n_gold = 0
    for a, b in itertools.combinations(sorted(gold), 2):
        same_gold = bool(gold[a] & gold[b])
        same_pred = bool(pred.get(a, set()) & pred.get(b, set()))
        tp += same_gold and same_pred
        n_pred += same_pred
        n_gold += same_gold
    return _prf(tp, n_pred, n_gold)


def _prf(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def coherence(groups: dict[str, list[int]], x: np.ndarray) -> float:
    means = []
    for rows in groups.values():
        if len(rows) < 2:
            continue
        s = x[rows] @ x[rows].T
        n = len(rows)
        means.append((s.sum() - np.trace(s)) / (n * (n - 1)))
    return float(np.mean(means)) if means else 0.0


def silhouette(first: list[str], x: np.ndarray) -> float:
    labels = np.array(first)
    return float(silhouette_score(x, labels, metric="cosine")) if len(set(labels)) > 1 else 0.0


def kmeans_names(pred: dict[str, set[str]], tuning: dict[str, set[str]]) -> dict[str, str]:
    """Topic -> the judged theme most common among its tuning talks."""
    votes: dict[str, Counter] = {}
    for t, g in tuning.items():
        for topic in pred.get(t, set()):
            votes.setdefault(topic, Counter()).update(sorted(g))
    return {topic: c.most_common(1)[0][0] for topic, c in votes.items()}


def measure(label_of: dict[str, list[str]], ids: list[str], x: np.ndarray,
            gold: dict[str, set[str]], names: dict[str, str] | None = None) -> dict:
    pred = {i: set(v) for i, v in label_of.items()}
    named = ({i: {names[t] for t in v if t in names} for i, v in pred.items()}
             if names is not None else pred)
    row = {i: r for r, i in enumerate(ids)}
    groups: dict[str, list[int]] = {}
    for i, v in label_of.items():
        for t in v:
            groups.setdefault(t, []).append(row[i])
    first = [(label_of.get(i) or ["none"])[0] for i in ids]
    ap, ar, af = assignment_prf(named, gold)
    pp, pr, pf = pairwise_prf(pred, gold)
    return {"assign P": ap, "assign R": ar, "assign F1": af, "pair P": pp, "pair R": pr,
            "pair F1": pf, "coherence": coherence(groups, x), "silhouette": silhouette(first, x),
            "groups": sum(1 for g in groups.values() if g)}


def tune(ex, ids: list[str], x: np.ndarray, tuning: dict[str, set[str]]):
    """Grid search on the tuning judgments only: (best assignment F1, Settings)."""
    from explorer.insights.taxonomy import THEMES
    from explorer.insights.themes import Settings, keyword_hits, pick, theme_texts

    texts = [ex.item_text(i) for i in ids]
    titles = ex.talks().set_index("id")["title"].reindex(ids).fillna("").tolist()
    cos = x @ np.asarray(ex.embed(theme_texts(THEMES)), np.float32).T
    in_title, in_text = keyword_hits(titles, THEMES), keyword_hits(texts, THEMES)
    best = None
    # Ties go to the first setting tried: the highest threshold, the smallest margin.
    for th, mg, tb, xb, km in itertools.product([0.34, 0.30, 0.26, 0.22, 0.18],
                                                [0.04, 0.08, 0.12, 0.16],
                                                [0.0, 0.1, 0.2, 0.3, 0.4],
                                                [0.0, 0.05, 0.1, 0.15], [0.0, 0.15, 0.25, 0.4]):
        km = max(km, mg)
        s = Settings(threshold=th, margin=mg, title_bonus=tb, text_bonus=xb, keyword_margin=km)
        scores = cos + np.maximum(tb * in_title, xb * in_text)
        labels = {i: [THEMES[j].id for j in cols]
                  for i, cols in zip(ids, pick(scores, s, in_title))}
        f1 = measure(labels, ids, x, tuning)["assign F1"]
        if best is None or f1 > best[0] + 1e-9:
            best = (f1, s)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--tune", action="store_true", help="grid-search the settings on tuning")
    args = ap.parse_args()

    import explorer
    from explorer.insights.gaps import item_frame, topic_model
    from explorer.insights.labels import normalize
    from explorer.insights.taxonomy import OTHER
    from explorer.insights.themes import Settings, from_topic_model, theme_assignment

    tuning, heldout = load_judgments("themes_tuning.json"), load_judgments("themes_heldout.json")
    ex = explorer.open(args.data_dir)
    ids, _, vectors = ex.vectors()
    x = normalize(vectors)
    items = item_frame(ex)
    print(f"{len(ids)} items ({int((items['kind'] == 'talk').sum())} talks), model {ex.model}; "
          f"judged talks: {len(tuning)} tuning, {len(heldout)} held-out")

    if args.tune:
        best = tune(ex, ids, x, tuning)
        print(f"best on tuning: F1 {best[0]:.3f} with {best[1]}")

    themes = theme_assignment(ex)
    s = themes.settings
    plain = theme_assignment(ex, settings=Settings(threshold=s.threshold, margin=s.margin,
                                                   title_bonus=0.0, text_bonus=0.0))
    km = from_topic_model(topic_model(ex, save=False))
    names = kmeans_names({i: set(v) for i, v in km.labels.items()}, tuning)
    rows = []
    for split, gold in (("tuning", tuning), ("held-out", heldout)):
        rows.append((f"k-means topics ({len(km.themes)})", split,
                     measure(km.labels, ids, x, gold, names)))
        rows.append((f"themes v{themes.version} ({len(themes.themes)})", split,
                     measure(themes.labels, ids, x, gold)))
        rows.append(("themes, embeddings only (no keywords)", split,
                     measure(plain.labels, ids, x, gold)))
    cols = ["assign P", "assign R", "assign F1", "pair P", "pair R", "pair F1", "coherence",
            "silhouette", "groups"]
    print("\n| method | judgments | " + " | ".join(cols) + " |")
    print("|---|---|" + "---|" * len(cols))
    for name, split, m in rows:
        print(f"| {name} | {split} | " + " | ".join(
            str(m[c]) if c == "groups" else f"{m[c]:.3f}" for c in cols) + " |")
    other = sum(1 for v in themes.labels.values() if not v)
    print(f"\nitems in no theme ({OTHER}): {other} of {len(ids)}")
    off_topic_check(ex)
    gap_check(ex, themes)
    ex.close()


def off_topic_check(ex) -> None:
    """How often the novelty check calls judged proposals off-topic."""
    data = json.loads((FIXTURES / "novelty_offtopic.json").read_text())
    print("\n| proposals | off-topic flagged / judged off-topic | on-topic flagged |")
    print("|---|---|---|")
    for split in ("tuning", "heldout"):
        off = [ex.novelty(t).off_topic for t in data[split]["off_topic"]]
        on = [ex.novelty(t).off_topic for t in data[split]["on_topic"]]
        print(f"| {split} | {sum(off)} / {len(off)} | {sum(on)} / {len(on)} |")


def gap_check(ex, themes) -> None:
    """Every gap with its evidence, and the stale gaps the timeline contradicts (should be 0)."""
    import pandas as pd

    talk_date = ex.talks().set_index("id")["date"].to_dict()
    contradicted = 0
    print(f"\nGaps as of {ex.last_meetup_date()} (the latest meetup):")
    for g in ex.gaps():
        print(f"- {g.kind} · {g.label} ({g.topic}): {g.reason}")
        for t in g.talks_evidence:
            print(f"    talk  {t['date']}  meetup {t['meetup']}  {t['id']}")
        for p in g.papers_evidence[:3]:
            print(f"    paper {p['date']}  {p['id']}  {p['title'][:60]}")
        if g.kind == "stale":
            start = pd.Timestamp(g.as_of) - pd.Timedelta(days=365.25 * g.window_years)
            contradicted += any(
                start < pd.Timestamp(talk_date[i]) <= pd.Timestamp(g.as_of)
                for i in themes.members(g.topic) if talk_date.get(i))
    print(f"stale gaps with a talk of their theme in the window: {contradicted}")


if __name__ == "__main__":
    main()
