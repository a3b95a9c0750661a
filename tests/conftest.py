"""Shared fixtures: every test gets its own data dir; the real archive is found or skipped."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"

# Tests never reach a model hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(autouse=True)
def _data_dir(tmp_path, monkeypatch):
    """Redirect the default data dir so no test writes into the working tree."""
    d = tmp_path / "data"
    monkeypatch.setenv("EXPLORER_DATA_DIR", str(d))
    return d


@pytest.fixture(scope="session")
def real_corpus() -> Path:
    """The shared copy of the real archive ($EXPLORER_CORPUS), or skip."""
    p = Path(os.environ.get("EXPLORER_CORPUS") or REPO.parent / "shared" / "corpus" / "vdlm-meetups")
    if not (p / "README.md").exists():
        pytest.skip(f"real archive not found at {p} (set EXPLORER_CORPUS to its path)")
    return p
