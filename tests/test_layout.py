"""The house rules of the layout: stage packages, short modules, Streamlit only in the app, no circles."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORE = ("explorer", "embeddings")
STAGES = {"ingest", "papers", "search", "insights", "field", "store", "cli"}
# Beside the packages, only what every stage shares and the Python API's front door.
TOP_MODULES = {"__init__", "__main__", "api", "domain", "fetch"}
MAX_LINES = 400


def core_modules() -> dict[str, Path]:
    out = {}
    for top in CORE:
        for path in sorted((ROOT / top).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            out[".".join(parts)] = path
    return out


def imports_of(path: Path, module_level_only: bool) -> set[str]:
    tree = ast.parse(path.read_text())
    nodes = tree.body if module_level_only else ast.walk(tree)
    out: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
            out |= {f"{node.module}.{a.name}" for a in node.names}
    return out


def test_explorer_shows_the_stages():
    packages = {p.name for p in (ROOT / "explorer").iterdir() if (p / "__init__.py").exists()}
    assert STAGES <= packages
    for stage in STAGES:
        doc = ast.get_docstring(ast.parse((ROOT / "explorer" / stage / "__init__.py").read_text()))
        assert doc and len(doc.splitlines()) == 1, f"explorer/{stage}: say in one line what it does"
    loose = {p.stem for p in (ROOT / "explorer").glob("*.py")}
    assert loose <= TOP_MODULES, f"modules outside the stage packages: {loose - TOP_MODULES}"


def test_no_core_module_is_over_400_lines():
    long = {m: n for m, p in core_modules().items()
            if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert long == {}


def test_only_the_app_imports_streamlit():
    offenders = [m for m, p in core_modules().items()
                 if any(i == "streamlit" or i.startswith("streamlit.")
                        for i in imports_of(p, module_level_only=False))]
    assert offenders == []
    views = ROOT / "app_pages" / "views.py"  # the app's pure helpers stay Streamlit-free
    assert not any(i.startswith("streamlit") for i in imports_of(views, False))


def test_no_import_circles_between_core_modules():
    modules = core_modules()
    graph = {m: {i for i in imports_of(p, module_level_only=True) if i in modules and i != m}
             for m, p in modules.items()}
    # A package's __init__ re-exports its modules: an edge into a package is an edge into
    # those modules, not a circle through the package itself.
    for m in list(graph):
        graph[m] = {d for d in graph[m] if not m.startswith(d + ".")}
    state: dict[str, int] = {}
    cycle: list[str] = []

    def visit(node: str, path: list[str]) -> bool:
        state[node] = 1
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                cycle.extend(path + [node, dep])
                return True
            if dep not in state and visit(dep, path + [node]):
                return True
        state[node] = 2
        return False

    for m in sorted(graph):
        if m not in state and visit(m, []):
            break
    assert cycle == []


def test_opening_the_api_does_not_import_the_insights_stack():
    """`explorer.open()` is on the app's first-visitor path: scikit-learn, pandas' heavy
    parts and the insights modules load on first use, not when the API is imported."""
    import subprocess
    import sys

    code = ("import sys, explorer.api; "
            "print(sorted(m for m in ('sklearn', 'explorer.insights.gaps', "
            "'explorer.insights.themes', 'torch') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parents[1], check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
