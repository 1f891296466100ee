"""Textual's private parts are used in one module, calldesk/screens/textual_hooks.py, where each
says why: the other screens modules import no private Textual module and touch no `._` name
that calldesk does not define itself."""

import ast
from pathlib import Path

import calldesk.screens

SCREENS = Path(calldesk.screens.__file__).parent
HOOKS = SCREENS / "textual_hooks.py"
PUBLIC_UNDERSCORED = {"_replace"}  # a namedtuple's own API (SystemCommand._replace)


def _modules() -> dict[Path, ast.Module]:
    return {path: ast.parse(path.read_text(encoding="utf-8")) for path in sorted(SCREENS.glob("*.py"))}


def _private_textual_imports(tree: ast.Module) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        modules = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                   else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
        names |= {m for m in modules if m.split(".")[0] == "textual" and any(p.startswith("_") for p in m.split("."))}
    return names


def _defined(tree: ast.Module) -> set[str]:
    """The `_names` calldesk gives things: methods, attributes it sets on itself, class attributes."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        targets = (node.targets if isinstance(node, ast.Assign) else
                   [node.target] if isinstance(node, ast.AnnAssign | ast.AugAssign) else [])
        for target in targets:
            for each in ast.walk(target):
                if isinstance(each, ast.Attribute) and isinstance(each.value, ast.Name) and each.value.id in {"self", "cls"}:
                    names.add(each.attr)  # its own; `widget._disabled = …` sets Textual's
                elif isinstance(each, ast.Name):
                    names.add(each.id)
    return {name for name in names if name.startswith("_")}


def _private_uses(tree: ast.Module) -> set[str]:
    return {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)
            and node.attr.startswith("_") and not node.attr.startswith("__")}


def test_only_textual_hooks_reaches_into_textual():
    modules = _modules()
    assert HOOKS in modules
    defined = set().union(*(_defined(tree) for tree in modules.values()))
    found = {}
    for path, tree in modules.items():
        if path == HOOKS:
            continue
        wrong = _private_textual_imports(tree) | (_private_uses(tree) - defined - PUBLIC_UNDERSCORED)
        if wrong:
            found[path.name] = sorted(wrong)
    assert found == {}, "use calldesk.screens.textual_hooks for these"


def test_the_check_finds_a_private_use():
    tree = ast.parse("from textual.widgets._footer import FooterKey\n"
                     "def f(footer, key):\n    key._disabled = True\n    return footer._bindings_ready\n")
    assert _private_textual_imports(tree) == {"textual.widgets._footer"}
    assert _private_uses(tree) - _defined(tree) == {"_bindings_ready", "_disabled"}


def test_every_hook_says_why():
    tree = _modules()[HOOKS]
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            assert len(ast.get_docstring(node) or "") > 80, node.name
