"""The real `calldesk` command in a subprocess, for the tests that drive it (the `cli` fixture
in conftest.py runs it on a store of the test's own)."""

import os
import subprocess
import sys


def cli_runner(tmp_path, preexec_fn=None):
    """`calldesk ARGS` in a subprocess, in a clean environment of its own under tmp_path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALLDESK_")}
    env.update(XDG_DATA_HOME=str(tmp_path / "data"), XDG_CONFIG_HOME=str(tmp_path / "config"),
               XDG_CACHE_HOME=str(tmp_path / "cache"),
               CALLDESK_DB=str(tmp_path / "desk.db"), CALLDESK_CALLER="tester")

    def run(*args, code=0, extra_env=None):
        result = subprocess.run([sys.executable, "-m", "calldesk", *map(str, args)], capture_output=True,
                                text=True, env={**env, **(extra_env or {})}, cwd=tmp_path, timeout=120,
                                preexec_fn=preexec_fn)
        assert result.returncode == code, result.stdout + result.stderr
        assert "Traceback" not in result.stderr
        return result

    return run


def one_line_error(result, text):
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("calldesk: error: ") and text in lines[0], result.stderr
