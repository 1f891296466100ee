"""Files calldesk writes for its users (exports, calendars, rejected rows).

Never over the store or the file being read (a slip of `--out` must not wipe a day's calls),
whole or not at all, and without changing what the path is: a link keeps pointing where it
did, a pipe or device is written into, an existing file keeps its permissions and a new one is
readable by its owner only (0600, whatever the umask).
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from calldesk.errors import CalldeskError
from calldesk.i18n import _

PRIVATE = 0o600  # exports, calendars and rejected rows name people, as the store does


def store_files(url_database: str | None) -> tuple[Path, ...]:
    """A SQLite store's file and the files SQLite keeps beside it; none for a server."""
    if not url_database or url_database == ":memory:":
        return ()
    base = Path(url_database)
    return (base, *(base.with_name(base.name + suffix) for suffix in ("-wal", "-shm", "-journal")))


def output_path(path: Path, option: str, protect: Iterable[Path] = ()) -> Path:
    """Where to write for `option` (--out, --ics…): the path with links followed, or a
    CalldeskError when it names no file, a folder, or a file in `protect`."""
    if not str(path).strip() or path.name in ("", ".", ".."):
        raise CalldeskError(_("{option}: expected a file name").format(option=option))
    if path.is_dir():
        raise CalldeskError(_("{option} {path} is a folder: name a file in it").format(option=option, path=path))
    target = Path(os.path.realpath(path))
    for kept in protect:
        if target == Path(os.path.realpath(kept)):
            raise CalldeskError(_("{option} {path} would write over {kept}: choose another file").format(
                option=option, path=path, kept=kept))
    return target


@contextmanager
def replacing(path: Path, mode: str = "w", **options: Any) -> Iterator[IO[Any]]:
    """A file object for `path` (from output_path): written beside it and renamed over it when
    the block ends, so a failure leaves what was there. A path that exists but is no regular
    file (a pipe, /dev/stdout) is written straight into."""
    if path.exists() and not path.is_file():
        with path.open(mode, **options) as handle:
            yield handle
        return
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    try:
        with os.fdopen(descriptor, mode, **options) as file:
            yield file
        try:
            permissions = stat.S_IMODE(path.stat().st_mode)  # an existing file keeps its own
        except FileNotFoundError:
            permissions = PRIVATE  # a new one holds personal data: its owner's only, as the store
        os.chmod(temporary, permissions)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
