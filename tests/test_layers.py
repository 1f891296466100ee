"""The layer contract covers every top-level part of calldesk, and holds."""

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOT_LAYERED = {"__init__", "__main__", "locale", "scripts", "__pycache__"}


def _layers() -> list[dict]:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return [c for c in pyproject["tool"]["importlinter"]["contracts"] if c["type"] == "layers"]


def test_every_top_level_module_is_in_a_layer():
    (contract,) = _layers()
    listed = {name.strip() for layer in contract["layers"] for name in layer.split("|")}
    parts = {p.stem for p in (ROOT / "calldesk").glob("*.py")}
    parts |= {p.name for p in (ROOT / "calldesk").iterdir() if (p / "__init__.py").exists()}
    modules = {f"calldesk.{name}" for name in parts - NOT_LAYERED}
    assert modules == listed, "put every top-level module of calldesk in a layer of the import-linter contract"


def test_import_contracts_hold():
    lint = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))
    if not Path(lint).exists():
        pytest.fail("lint-imports is missing: install the test extra")
    result = subprocess.run([lint], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
