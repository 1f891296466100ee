"""What a command works with (calldesk/cli/context.py): the options given before it, its own,
and the store it opens in `with ctx.store()`."""

from datetime import UTC, datetime

import pytest
import typer

from calldesk.cli import app
from calldesk.cli.context import Given, State, make_context
from calldesk.db.engine import Store
from calldesk.errors import CalldeskError


@pytest.fixture
def typer_ctx(tmp_path, monkeypatch):
    for name in ("CALLDESK_DB", "CALLDESK_CONFIG", "CALLDESK_CALLER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    given = Given(db=str(tmp_path / "before.db"), caller="Anne", at="2026-11-23T09:00+00:00")
    return typer.Context(typer.main.get_command(app), obj=State(given=given))


def test_options_before_the_command_hold_and_the_commands_own_win(typer_ctx, tmp_path):
    before = make_context(typer_ctx, None, None)
    assert (before.store_target, before.caller) == (str(tmp_path / "before.db"), "anne")
    assert before.now == datetime(2026, 11, 23, 9, 0, tzinfo=UTC) and before.fixed
    own = make_context(typer_ctx, str(tmp_path / "own.db"), None, "Bram", "2026-11-24T09:00+00:00")
    assert (own.store_target, own.caller, own.now.day) == (str(tmp_path / "own.db"), "bram", 24)


def test_the_store_is_named_for_main_and_closed_after_the_block_even_when_the_command_fails(
        typer_ctx, tmp_path, monkeypatch):
    closed = []
    monkeypatch.setattr(Store, "close", lambda store: closed.append(store.describe()))
    ctx = make_context(typer_ctx, None, None)
    with pytest.raises(CalldeskError), ctx.store():
        raise CalldeskError("the command failed")
    assert State.of(typer_ctx).opened == closed == [str(tmp_path / "before.db")]
