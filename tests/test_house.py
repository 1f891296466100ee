"""House rules of the test suite itself."""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _imported_modules(tree: ast.AST) -> set[tuple[int, str]]:
    """(line, dotted name) of every module an import names, also inside functions."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {(node.lineno, alias.name) for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.module:
                found.add((node.lineno, node.module))
            # `from tests import test_app` (or `from . import test_app`) names the module as a name.
            found |= {(node.lineno, f"{node.module or ''}.{alias.name}") for alias in node.names}
    return found


def test_no_test_file_imports_another():
    """Shared helpers live in tests/pilot.py, conftest.py or another helper module: a test
    module imported from elsewhere runs twice (once as `test_x`, once as `tests.test_x`) and
    ties unrelated tests together."""
    offenders = []
    for path in sorted(TESTS.rglob("*.py")):
        if "__snapshots__" in path.parts:
            continue
        tree = ast.parse(path.read_text(), filename=str(path))
        for line, module in sorted(_imported_modules(tree)):
            if module.rsplit(".", 1)[-1].startswith("test_"):
                offenders.append(f"{path.relative_to(TESTS)}:{line} imports {module}")
    assert not offenders, "move the helper out of the test file:\n" + "\n".join(offenders)
