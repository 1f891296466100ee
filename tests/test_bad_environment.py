"""A hostile machine through the real `calldesk` command: read-only or missing stores and folders,
stores from a newer calldesk, broken or unreadable config files. Always one line, never a traceback.

Permissions mean nothing to root: run as root, the command is started without the capabilities
that override them (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH), so root's files bind it like anyone's.
"""

from __future__ import annotations

import ctypes
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from calldesk.db.engine import to_url
from calldesk.errors import CalldeskError
from calldesk.rules.config import parse_config
from tests.command import cli_runner, one_line_error
from tests.conftest import write_csv

_PR_CAPBSET_DROP = 24
_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH = 1, 2


def _bound_by_permissions() -> None:
    """In the child before exec: dropped from the bounding set, root's exec gets neither."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH):
        if libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "cannot drop the permission-override capabilities")


@pytest.fixture
def cli(tmp_path):
    return cli_runner(tmp_path, preexec_fn=_bound_by_permissions)


def make_store(cli, path: Path) -> None:
    cli("import", write_csv(path.parent / "seed.csv", "Company,Phone\nAcme,06-12345678\n"), "--db", path)
    assert path.exists()


def test_read_only_store_file(cli, tmp_path):
    store = tmp_path / "desk.db"
    make_store(cli, store)
    store.chmod(0o444)
    before = store.read_bytes()
    for args in (["export"], ["import", write_csv(tmp_path / "more.csv", "Phone\n020 123 4567\n")], ["db", "upgrade"]):
        one_line_error(cli(*args, code=1), f"store {store} is read-only")
    assert store.read_bytes() == before


def test_store_in_a_read_only_folder(cli, tmp_path):
    folder = tmp_path / "shared"
    folder.mkdir()
    store = folder / "desk.db"
    make_store(cli, store)
    store.chmod(0o666)
    folder.chmod(0o555)  # SQLite writes its journal files beside the store
    one_line_error(cli("export", "--db", store, code=1), f"store {store} is in a read-only folder")


def test_new_store_in_a_read_only_folder(cli, tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    one_line_error(cli("export", "--db", folder / "desk.db", code=1), f"cannot create store {folder / 'desk.db'}")
    assert not (folder / "desk.db").exists()


def test_default_store_folder_cannot_be_made(cli, tmp_path):
    # The default store lives under XDG_DATA_HOME; here that is a file, so no folder can go there.
    (tmp_path / "not-a-folder").write_text("x")
    env = {"XDG_DATA_HOME": str(tmp_path / "not-a-folder"), "CALLDESK_DB": ""}
    one_line_error(cli("export", code=1, extra_env=env), "cannot create")


def test_store_path_is_a_folder(cli, tmp_path):
    (tmp_path / "folder.db").mkdir()
    one_line_error(cli("export", "--db", tmp_path / "folder.db", code=1), "cannot open store")


def test_damaged_store(cli, tmp_path):
    store = tmp_path / "desk.db"
    make_store(cli, store)
    data = store.read_bytes()
    store.write_bytes(data[:4096] + b"\xde\xad" * ((len(data) - 4096) // 2))  # header intact, pages not
    result = cli("export", code=1)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("calldesk: error: ") and str(store) in lines[0], result.stderr


def test_store_from_a_newer_calldesk(cli, tmp_path):
    store = tmp_path / "desk.db"
    make_store(cli, store)
    with sqlite3.connect(store) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0999'")
    conn.close()
    write_csv(tmp_path / "in.csv", "Phone\n020 123 4567\n")
    before = store.read_bytes()
    for command in (["export"], ["db", "upgrade"], ["import", "in.csv"]):
        one_line_error(cli(*command, code=1), "written by a newer calldesk (schema 0999); upgrade calldesk")
    assert store.read_bytes() == before
    assert "schema 0999 (calldesk needs" in cli("db", "status").stdout  # status still tells


@pytest.mark.postgres
def test_postgres_store_from_a_newer_calldesk(cli, pg_schema_url):
    assert "(current)" in cli("db", "upgrade", "--db", pg_schema_url).stdout
    engine = sa.create_engine(to_url(pg_schema_url))
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0999'")
    engine.dispose()
    one_line_error(cli("export", "--db", pg_schema_url, code=1), "written by a newer calldesk (schema 0999)")


def test_unreachable_postgres(cli):
    one_line_error(cli("export", "--db", "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2", code=1),
                   "cannot use PostgreSQL store")


WRONG_TYPES = [
    ('daily_goal = "lots"', "daily_goal: Input should be a valid integer"),
    ("region = 31", "region: Input should be a valid string"),
    ('calling_hours = "9-17"', "calling_hours: Input should be a valid dictionary"),
    ('[calling_hours]\ndays = "mon"', "calling_hours.days: Input should be a valid tuple"),
    ("[retry]\nmax_attempts = 2.5", "retry.max_attempts: Input should be a valid integer"),
    ("[retry]\nbusy = true", "retry.busy: expected a duration"),
    ('[icp]\nindustries = "ICT"', "icp.industries: Input should be a valid tuple"),
    ("[icp]\nmin_employees = -1", "icp.min_employees: Input should be greater than or equal to 0"),
    ('[calling_hours]\nskip_holidays = "maybe"', "calling_hours.skip_holidays: Input should be a valid boolean"),
    ('language = "fr"', "language: Input should be 'en' or 'nl'"),
    ("[[icp]]\nroles = []", "icp: Input should be a valid dictionary"),
    ("\x00\x01binary", "not valid TOML"),
]


@pytest.mark.parametrize(("text", "message"), WRONG_TYPES)
def test_config_with_wrong_types_names_the_key(text, message):
    with pytest.raises(CalldeskError) as error:
        parse_config(text, "cfg.toml")
    assert str(error.value).startswith(f"cfg.toml: {message}") and "\n" not in str(error.value)


def test_config_with_wrong_types_through_the_command(cli, tmp_path):
    # A few of the above end to end (a process each is slow); the rest is parse_config's.
    for text, message in (WRONG_TYPES[0], WRONG_TYPES[2], WRONG_TYPES[-1]):
        (tmp_path / "cfg.toml").write_text(text)
        one_line_error(cli("export", "--config", tmp_path / "cfg.toml", code=1), f"{tmp_path / 'cfg.toml'}: {message}")


def test_config_not_utf8(cli, tmp_path):
    (tmp_path / "cfg.toml").write_bytes('region = "BE" # België\n'.encode("cp1252"))
    one_line_error(cli("config", "--config", tmp_path / "cfg.toml", code=1), f"cannot read config file {tmp_path / 'cfg.toml'}")


def test_config_is_a_folder(cli, tmp_path):
    (tmp_path / "cfg.toml").mkdir()
    one_line_error(cli("config", "--config", tmp_path / "cfg.toml", code=1), f"cannot read config file {tmp_path / 'cfg.toml'}")


def test_unreadable_config(cli, tmp_path):
    config = tmp_path / "config" / "calldesk" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('region = "BE"\n')
    config.chmod(0)
    # Found in its default tmp_path, unreadable: an error, not a silent fall back to defaults.
    one_line_error(cli("export", code=1), f"cannot read config file {config}")
    one_line_error(cli("config", code=1, extra_env={"CALLDESK_CONFIG": str(config)}), "cannot read config file")


def test_export_to_a_folder_that_cannot_take_it(cli, tmp_path):
    make_store(cli, tmp_path / "desk.db")
    one_line_error(cli("export", "--out", tmp_path / "missing" / "out.csv", code=1), "cannot write")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    one_line_error(cli("export", "--out", locked / "out.csv", code=1), "cannot write")
    assert not list(locked.iterdir())


def test_import_with_unwritable_rejects_changes_nothing(cli, tmp_path):
    make_store(cli, tmp_path / "desk.db")
    path = write_csv(tmp_path / "in.csv", "Company,Phone\nB,020 123 4567\nBad,12\n")
    one_line_error(cli("import", path, "--rejects", tmp_path / "missing" / "r.csv", code=1), "cannot write rejects file")
    assert cli("export").stdout.count("\n") == 2  # header and the seeded lead only


def test_permissions_bind_the_command(tmp_path):
    # Guard for the tests above: the command really is refused what the permissions refuse.
    target = tmp_path / "x.txt"
    target.write_text("")
    target.chmod(0o444)
    probe = subprocess.run([sys.executable, "-c", f"import os; print(os.access({str(target)!r}, os.W_OK))"],
                           capture_output=True, text=True, check=False, preexec_fn=_bound_by_permissions, timeout=60)
    assert probe.stdout.strip() == "False", probe.stderr
