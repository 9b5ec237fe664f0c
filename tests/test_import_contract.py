"""The import contract of docs/DESIGN.md, checked on every module's own import statements.

* ``architectures`` imports torch and the standard library only;
* nothing outside ``app.py`` and ``viz/pages`` imports streamlit (``deploy/`` starts its
  server; benchmarks drive pages with ``AppTest`` and clear its caches);
* only figure modules (``figures.py``) import plotly;
* no module imports a page (``viz.pages``); the pages share only their private helpers
  (``_render``: laying out views and widgets; ``_session``: the session's liveness).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted(p for folder in ("architectures", "viz", "benchmarks", "deploy") for p in (ROOT / folder).rglob("*.py")
                 if ".venv" not in p.parts) + [ROOT / "app.py"]


PAGE_HELPERS = ("viz.pages._app", "viz.pages._render", "viz.pages._widgets", "viz.pages._session")


def _imports(path: Path) -> set[str]:
    """Top-level package names and full dotted names this file imports (any nesting level)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _roots(names: set[str]) -> set[str]:
    return {n.split(".")[0] for n in names}


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _is_page(path: Path) -> bool:
    return _rel(path).startswith("viz/pages/")


@pytest.mark.parametrize("path", [p for p in SOURCES if _rel(p).startswith("architectures/")], ids=_rel)
def test_architectures_import_torch_and_the_standard_library_only(path):
    allowed = set(sys.stdlib_module_names) | {"torch", "architectures", "__future__"}
    assert _roots(_imports(path)) <= allowed, _roots(_imports(path)) - allowed


@pytest.mark.parametrize("path", SOURCES, ids=_rel)
def test_streamlit_only_in_app_and_pages(path):
    if _rel(path) == "app.py" or _is_page(path) or _rel(path).startswith(("deploy/", "benchmarks/")):
        return
    assert "streamlit" not in _roots(_imports(path))


@pytest.mark.parametrize("path", SOURCES, ids=_rel)
def test_plotly_only_in_figure_modules(path):
    if path.name == "figures.py" or _rel(path).startswith("benchmarks/"):
        return
    assert "plotly" not in _roots(_imports(path))


@pytest.mark.parametrize("path", SOURCES, ids=_rel)
def test_no_module_imports_a_page(path):
    pages = {n for n in _imports(path) if n == "viz.pages" or n.startswith("viz.pages.")}
    # The pages share their helpers: viz/pages/_render.py, _widgets.py, _session.py, _app.py; app.py
    # draws presenter mode and Share on every page with _app's (issue 16).
    if _is_page(path) or _rel(path) == "app.py":
        pages = {n for n in pages if n != "viz.pages" and not n.startswith(PAGE_HELPERS)}
    assert not pages


def test_the_contract_sees_the_whole_code_base():
    rels = {_rel(p) for p in SOURCES}
    assert "app.py" in rels and any(r.startswith("viz/pages/") for r in rels)
    assert any(r.startswith("architectures/") for r in rels)
