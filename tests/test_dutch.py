"""Dutch throughout and labels, not codes: the confirm key, Textual's own keys, the palette, the
lead card and form; and the call screen's smaller promises (a wrong number opened to fix it,
a neutral closing before any answer, the last call's notice gone, 1-9 listed once); the
first-run screen of a new desk."""

import pytest
import sqlalchemy as sa
from textual.app import App
from textual.command import CommandInput, CommandPalette
from textual.widgets import Input, Label, Static
from textual.widgets._key_panel import BindingsTable
from textual.widgets._toast import Toast

from calldesk.db.leads import add_lead, lead_detail
from calldesk.db.models import Caller, Lead
from calldesk.rules.config import Config, Qualification
from calldesk.rules.kinds import Role
from calldesk.rules.script import builtin_script
from calldesk.screens.call import CallScreen
from calldesk.screens.first_run import FirstRun
from calldesk.screens.lead_form import LeadForm
from calldesk.screens.leadview import company_size, lead_view
from calldesk.screens.modals import Confirm, OutcomePicker
from calldesk.screens.queue import QueueScreen
from calldesk.screens.script_panel import ScriptPanel
from tests.conftest import NOW, orm
from tests.pilot import make_app, settle, take_next
from tests.pilot import text_of as plain

DUTCH = Config(language="nl")


def key_panel_text(app) -> str:
    return plain(app.screen.query_one(BindingsTable).render_bindings_table())


def set_columns(store, lead_id, **columns):
    with store.write() as session:
        session.execute(sa.update(Lead).where(Lead.id == lead_id).values(**columns))


class Asker(App):
    def __init__(self, question: Confirm) -> None:
        super().__init__()
        self.question, self.answers = question, []

    def on_mount(self) -> None:
        self.push_screen(self.question, self.answers.append)


# -- confirm -----------------------------------------------------------------------------------
@pytest.mark.parametrize("key", ["j", "y"])
async def test_a_dutch_confirm_takes_j_for_ja_and_y_still_works(dutch, key):
    app = Asker(Confirm("Weggooien?"))
    async with app.run_test() as pilot:
        assert "j  ja" in plain(app.screen.query_one(".hint", Static).content)
        await pilot.press(key)
        await pilot.pause()
    assert app.answers == [True]


# -- Textual's own keys, the palette -----------------------------------------------------------
async def test_the_key_panel_lists_the_tables_own_keys_in_dutch(demo_store):
    app = make_app(demo_store, config=DUTCH)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        text = key_panel_text(app)
    assert "Cursor omhoog" in text and "Pagina omlaag" in text
    assert "Cursor up" not in text and "Page down" not in text


async def test_the_command_palette_asks_in_dutch(demo_store):
    app = make_app(demo_store, config=DUTCH)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        assert app.screen.query_one(CommandInput).placeholder == "Zoek een opdracht…"


async def test_call_help_lists_the_answer_keys_once(demo_store):
    app = make_app(demo_store)
    async with app.run_test(size=(160, 45)) as pilot:
        await take_next(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        text = key_panel_text(app)
    assert text.count("Answer") == 1 and "1-9" in text  # not once per digit


# -- the lead form and card --------------------------------------------------------------------
async def test_the_forms_labels_never_run_into_their_fields(dutch, sqlite_store):
    app = Asker(LeadForm(title="t", values={}, required=("company", "phone"), save=lambda fields: None))
    async with app.run_test(size=(90, 30)) as pilot:
        await pilot.pause()
        for label in app.screen.query(Label):
            field = label.parent.query_one(Input)
            assert field.region.x > label.region.x + len(str(label.content)), label.content
        texts = [str(label.content) for label in app.screen.query(Label)]
    assert "Bedrijfsgrootte" in texts


def test_the_card_shows_the_scripts_labels_not_stored_values(dutch, sqlite_store):
    lead_id = add_lead(sqlite_store, phone="020 123 4567", now=NOW, by="t", config=Config(), company="Acme",
                       company_size="51-200")
    from calldesk.db.calls import record_outcome
    from calldesk.rules.outcomes import Outcome
    from calldesk.rules.script import Answer

    record_outcome(sqlite_store, lead_id, Outcome.interested, caller="anne", now=NOW, config=Config(),
                   started_at=NOW, bant={"authority": Answer("decision_maker"), "timing": Answer("3m"),
                                         "budget": Answer("yes")})
    card = plain(lead_view(lead_detail(sqlite_store, lead_id), NOW, "NL"))
    assert "Budget: Budget is er" in card and "Beslisser: Beslist zelf" in card
    assert "Tijdpad: Binnen 3 maanden" in card
    assert "decision_maker" not in card and "3m" not in card
    assert "51-200 medewerkers" in card  # as the form shows the size


def test_company_size_reads_as_typed():
    assert company_size("51-200", 51) == "51-200 employees"
    assert company_size("500+", 500) == "500+ employees"
    assert company_size("1200", 1200) == "1,200 employees"
    assert company_size("", 1) == "1 employee"
    assert company_size("", None) == ""


# -- the call screen ---------------------------------------------------------------------------
class PanelHost(App):
    def compose(self):
        yield ScriptPanel(builtin_script("en"), Qualification(), {}, id="script")


async def test_before_any_answer_the_closing_is_neutral():
    goodbye = builtin_script("en").closing["not_qualified"]
    app = PanelHost()
    async with app.run_test(size=(120, 40)) as pilot:
        panel = app.query_one(ScriptPanel)
        panel.focus()
        closing = plain(panel._closing_line.content, width=1000)
        assert "ask the questions first" in closing and goodbye.split(".")[0] not in closing
        await pilot.press("3")  # budget: none, and no need asked yet: the goodbye fits now
        closing = plain(panel._closing_line.content, width=1000)
        assert "ask the questions first" not in closing


async def test_the_last_calls_notice_is_gone_when_the_next_call_opens(demo_store):
    app = make_app(demo_store)
    async with app.run_test(size=(160, 45)) as pilot:
        await take_next(pilot)
        await pilot.press("o", "n")  # no answer
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        assert [n.title for n in app._notifications] == ["Recorded"]
        await take_next(pilot)
        await pilot.pause()
        assert not list(app._notifications) and not list(app.screen.query(Toast))


async def test_a_wrong_number_opens_to_be_fixed_without_timer_or_outcome(demo_store):
    app = make_app(demo_store, config=DUTCH)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        entry = app.screen.entries[0]
        set_columns(demo_store, entry.lead_id, phone_bad=True)
        await pilot.press("slash", *entry.company, "enter")
        await settle(pilot)
        table = app.screen.query_one("#queue")
        table.move_cursor(row=[e.lead_id for e in app.screen.entries].index(entry.lead_id))
        table.focus()
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CallScreen)
        bar = plain(screen.query_one("#call-bar", Static).content)
        assert "verkeerd nummer — druk op e om het te verbeteren" in bar and "gesprek 00:" not in bar
        assert screen.query_one("#call-bar").has_class("-wrong-number")
        await pilot.press("o")
        await settle(pilot)
        assert app.screen is screen and not isinstance(app.screen, OutcomePicker)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, LeadForm)
        app.screen.query_one("#field-phone", Input).value = "06-19998877"
        await pilot.press("ctrl+s")
        await settle(pilot)
        bar = plain(screen.query_one("#call-bar", Static).content)
        assert "gesprek 00:00" in bar and "verkeerd nummer" not in bar
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, OutcomePicker)  # fixed: now it is a call


# -- the first-run screen ----------------------------------------------------------------------
def callers(store):
    with store.read() as session:
        return {row.name: row.role for row in session.execute(sa.select(Caller.name, Caller.role))}


async def test_a_new_desk_opens_with_the_first_run_screen_and_t_makes_a_team_lead(store):
    app = make_app(store, caller="sanne")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, FirstRun)
        text = plain(app.screen.query_one("#who", Static).content)
        assert "You are sanne" in text and "no team lead yet" in text
        await pilot.press("t")
        await settle(pilot)
        assert callers(store)["sanne"] == Role.team_lead.value and app.team_lead
        assert "You are this desk's team lead" in plain(app.screen.query_one("#who", Static).content)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, LeadForm)  # adding a lead by hand, from the queue


async def test_a_desk_with_leads_opens_on_the_queue(sqlite_store):
    add_lead(sqlite_store, phone="020 123 4567", now=NOW, by="t", config=Config(), company="Acme")
    app = make_app(sqlite_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)


async def test_a_new_desk_with_a_team_lead_offers_no_t(sqlite_store):
    with orm(sqlite_store) as session:
        session.add(Caller(name="tess", role=Role.team_lead.value, active=True, created_at=NOW))
    app = make_app(sqlite_store, caller="anne")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, FirstRun)
        assert "no team lead yet" not in plain(app.screen.query_one("#who", Static).content)
        await pilot.press("t")
        await settle(pilot)
        assert callers(sqlite_store).get("anne") != Role.team_lead.value
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)


@pytest.mark.parametrize("language", ["en", "nl"])
def test_snapshot_first_run(snap_compare, tmp_path, language):
    from calldesk.db.engine import open_store

    store = open_store(str(tmp_path / "empty.db"))

    async def loaded(pilot):
        await settle(pilot)

    try:
        assert snap_compare(make_app(store, caller="sanne", config=Config(language=language)),
                            terminal_size=(80, 24), run_before=loaded)
    finally:
        store.close()
