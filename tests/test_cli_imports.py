"""Help comes without the heavy libraries: `calldesk --help` stays fast.

import-linter reads the static graph and cannot tell a module-level import from one deferred
into the command that needs it; only a real run in a fresh interpreter shows what was loaded.
"""

import os
import subprocess
import sys

import pytest

# The store's, the app's and the server's libraries: each costs a good part of a second to import.
HEAVY = ("sqlalchemy", "sqlmodel", "textual", "aiohttp")

# main() as the console script runs it (`calldesk = "calldesk.cli:main"`), then what it loaded.
RUN_MAIN = """
import sys
sys.argv = ["calldesk", *sys.argv[1:]]
from calldesk.cli import main
try:
    main()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
loaded = sorted({name.partition(".")[0] for name in sys.modules} & set(HEAVY))
print(f"exit {code} loaded {loaded}", file=sys.stderr)
"""


@pytest.mark.parametrize("argv", [["--help"], ["next", "--help"], ["serve", "--help"], ["--lang", "nl", "--help"]],
                         ids=" ".join)
def test_help_does_not_import_the_heavy_libraries(tmp_path, argv):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALLDESK_")}
    env.update(XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_CACHE_HOME=str(tmp_path / "cache"))
    result = subprocess.run([sys.executable, "-c", f"HEAVY = {HEAVY!r}\n{RUN_MAIN}", *argv], capture_output=True,
                            text=True, env=env, cwd=tmp_path, timeout=60)
    assert "Usage: calldesk" in result.stdout, result.stderr  # the help was really printed
    last = result.stderr.strip().splitlines()[-1]
    assert last == "exit 0 loaded []", f"calldesk {' '.join(argv)}: {last}"
