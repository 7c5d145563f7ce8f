"""The surveys package is pure Python: standard library only, no Flask, SQLAlchemy or app code."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import surveys

PACKAGE = Path(surveys.__file__).parent


def imported_top_level_modules(path: Path) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module.split(".")[0])
    return modules


def test_every_module_imports_only_the_standard_library() -> None:
    files = sorted(PACKAGE.glob("*.py"))
    assert len(files) >= 6
    for path in files:
        foreign = imported_top_level_modules(path) - set(sys.stdlib_module_names)
        assert not foreign, f"{path.name} imports {sorted(foreign)}"


def test_importing_surveys_loads_no_web_or_database_code() -> None:
    code = (
        "import sys, surveys\n"
        "bad = {'flask', 'werkzeug', 'sqlalchemy', 'feedback', 'wtforms', 'jinja2'}\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in bad))\n"
    )
    root = PACKAGE.parent
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_public_api_is_exported() -> None:
    for name in surveys.__all__:
        assert hasattr(surveys, name), name
