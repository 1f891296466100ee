"""The layer contract covers every rules module, and holds."""

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOT_RULES = {"__init__", "__main__", "cli"}


def test_every_top_level_module_is_in_the_rules_contract():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contract = pyproject["tool"]["importlinter"]["contracts"][0]
    listed = set(contract["source_modules"])
    modules = {f"calldesk.{p.stem}" for p in (ROOT / "calldesk").glob("*.py") if p.stem not in NOT_RULES}
    assert modules == listed, "add new rules modules to the first import-linter contract"


def test_import_contracts_hold():
    lint = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))
    if not Path(lint).exists():
        pytest.fail("lint-imports is missing: install the test extra")
    result = subprocess.run([lint], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
