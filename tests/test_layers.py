"""The layers of the package, read from its imports: a module never imports a higher layer.

core (standard, findings, …) < reading < checking < merging < writing < api < cli and web.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "ctgxl"
LAYERS = ("core", "reading", "checking", "merging", "writing", "api", "interface")
CORE = {"standard", "findings", "codes", "text", "limits", "names", "errors", "validators"}
API = {"__init__", "api", "report", "diff_report", "docs", "regenerate"}
INTERFACE = {"cli", "clifr", "__main__", "web"}


def layer(module: str) -> str:
    """The layer of ``ctgxl.x.y`` (a module or a package)."""
    parts = module.split(".")
    if parts[0] != "ctgxl":
        raise ValueError(module)
    if len(parts) == 1:
        return "api"
    head = parts[1]
    if head in ("reading", "checking", "merging", "writing"):
        return head
    if head in CORE:
        return "core"
    if head in API:
        return "api"
    if head in INTERFACE:
        return "interface"
    raise AssertionError(f"ctgxl/{head} belongs to no layer: add it to tests/test_layers.py")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts = parts[:-1]
    return ".".join(parts)


def imported(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every ctgxl module imported by the file, at its top or in a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = module_name(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names if alias.name.split(".")[0] == "ctgxl"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1] + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            if base.split(".")[0] != "ctgxl":
                continue
            # ``from ctgxl import api`` imports the module ctgxl.api
            found += [(node.lineno, f"{base}.{alias.name}" if base == "ctgxl" else base) for alias in node.names]
    return found


def violations() -> list[str]:
    problems = []
    for path in sorted(PACKAGE.rglob("*.py")):
        own = layer(module_name(path))
        for line, target in imported(path):
            if target in ("ctgxl.__version__",):
                continue
            other = layer(target)
            if LAYERS.index(other) > LAYERS.index(own):
                problems.append(f"{path.relative_to(PACKAGE.parent)}:{line} ({own}) imports {target} ({other})")
    return problems


def test_no_layer_imports_a_higher_one():
    assert violations() == []


def test_the_check_sees_a_violation(tmp_path, monkeypatch):
    """The test itself: a reading module importing the writer is caught."""
    package = tmp_path / "ctgxl"
    (package / "reading").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "reading" / "__init__.py").write_text("")
    (package / "reading" / "bad.py").write_text("def f():\n    from ctgxl.writing.writer import WorkbookWriter\n")
    (package / "reading" / "worse.py").write_text("from ..cli import main\n")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", package)
    assert violations() == ["ctgxl/reading/bad.py:2 (reading) imports ctgxl.writing.writer (writing)",
                            "ctgxl/reading/worse.py:1 (reading) imports ctgxl.cli (interface)"]
