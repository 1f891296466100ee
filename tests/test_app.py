"""The app, driven with Pilot, and its screens as SVG snapshots."""

from pathlib import Path

import pytest
from textual.widgets import DataTable, Static

from calldesk.config import Config
from calldesk.db.demo import load_demo
from calldesk.db.engine import open_store
from calldesk.db.imports import import_csv
from calldesk.screens.app import CalldeskApp
from calldesk.screens.leads import WINDOW
from tests.conftest import NOW, write_csv


@pytest.fixture
def demo_store(tmp_path):
    store = open_store(str(tmp_path / "demo.db"))
    load_demo(store, NOW)
    yield store
    store.close()


def make_app(store):
    return CalldeskApp(store=store, config=Config(), caller="anne", now=NOW)


async def settle(pilot):
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_lead_list_shows_a_window_of_the_demo(demo_store):
    app = make_app(demo_store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#leads", DataTable)
        assert table.row_count == WINDOW
        assert "300 leads (showing the first 200)" in str(app.screen.query_one("#status", Static).render())
        first = table.get_row_at(0)
        assert first[3] and first[5] in {"suspect", "prospect", "hot lead", "opportunity", "customer", "lost"}


async def test_refresh_shows_new_leads_and_q_quits(tmp_path):
    store = open_store(str(tmp_path / "desk.db"))
    app = make_app(store)
    async with app.run_test() as pilot:
        await settle(pilot)
        assert "No leads yet" in str(app.screen.query_one("#status", Static).render())
        import_csv(store, write_csv(tmp_path / "in.csv", "Company,Phone\nAcme,06-12345678\n"), now=NOW, by="t")
        await pilot.press("r")
        await settle(pilot)
        table = app.screen.query_one("#leads", DataTable)
        assert table.row_count == 1
        assert table.get_row_at(0)[:4] == ["Acme", "", "", "06 12345678"]
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0
    store.close()


def test_snapshot_lead_list(snap_compare, demo_store):
    async def loaded(pilot):
        await settle(pilot)

    assert snap_compare(make_app(demo_store), terminal_size=(120, 32), run_before=loaded)
