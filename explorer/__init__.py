"""VDLM explorer: semantic search over meetup talks and the arXiv papers they cite.

``import explorer; ex = explorer.open()`` opens the index built by ``explorer build``.
"""

from __future__ import annotations

__all__ = ["Explorer", "open"]


def __getattr__(name: str):
    # Lazy: `import explorer.domain` (the CLI, the parser) must not pay for numpy, FAISS
    # and BM25 imports it does not use.
    if name in __all__:
        from explorer import api

        return getattr(api, name)
    raise AttributeError(f"module 'explorer' has no attribute {name!r}")
