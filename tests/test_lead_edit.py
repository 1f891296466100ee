"""Correcting a lead (update_lead) on both stores, and the lead form driven with Pilot."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from textual.app import App, ComposeResult
from textual.widgets import Input, Static

from calldesk.db.leads import EDITABLE_FIELDS, add_lead, count_leads, update_lead
from calldesk.db.models import Lead, Suppression, WindowKey
from calldesk.errors import CalldeskError
from calldesk.rules.config import Config
from calldesk.rules.warmth import parse_reasons
from calldesk.screens.lead_form import LeadForm
from calldesk.screens.modals import Confirm
from tests.conftest import orm
from tests.pilot import settle

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
ADDED = NOW - timedelta(days=30)
CONFIG = Config()


def new_lead(store, phone="020 123 4567", **fields):
    return add_lead(store, phone=phone, now=ADDED, by="t", config=CONFIG, **fields)


def row(store, lead_id):
    with store.read() as conn:
        return dict(conn.execute(sa.select(Lead.__table__).where(Lead.id == lead_id)).one()._mapping)


def window_keys(store):
    with store.read() as conn:
        return set(conn.execute(sa.select(WindowKey.time_zone, WindowKey.country)).all())


def set_columns(store, lead_id, **columns):
    with store.write() as conn:
        conn.execute(sa.update(Lead).where(Lead.id == lead_id).values(**columns))


def suppress(store, e164):
    with orm(store) as session:
        session.add(Suppression(phone_e164=e164, reason="asked", added_at=ADDED, added_by="t"))


def edit(store, lead_id, **changes):
    update_lead(store, lead_id, changes, now=NOW, by="anne", config=CONFIG)


# -- update_lead ---------------------------------------------------------------------------
@pytest.mark.parametrize(("field", "typed", "stored"), [
    ("company", "  Bakkerij de Vries BV ", "Bakkerij de Vries BV"),
    ("contact_name", "Jan de Vries", "Jan de Vries"),
    ("role", "Inkoper", "Inkoper"),
    ("email", " jan@devries.nl ", "jan@devries.nl"),
    ("company_size", "11-50", "11-50"),
    ("industry", "Food", "Food"),
    ("company", "", ""),
])
def test_edit_one_field(store, field, typed, stored):
    lead_id = new_lead(store, company="Bakkerij", contact_name="J. Vries", email="info@bakkerij.nl")
    before = row(store, lead_id)
    edit(store, lead_id, **{field: typed})
    after = row(store, lead_id)
    assert after[field] == stored
    assert after["updated_at"] == NOW
    changed = {k for k in after if after[k] != before[k]}
    assert changed - {field, "updated_at", "employees", "warmth", "warmth_reasons"} == set()


def test_company_size_sets_employees_like_the_import(store):
    lead_id = new_lead(store)
    edit(store, lead_id, company_size="1.000+")
    assert row(store, lead_id)["employees"] == 1000
    edit(store, lead_id, company_size="")
    assert row(store, lead_id)["employees"] is None


def test_phone_is_normalised_and_a_wrong_number_returns(store):
    lead_id = new_lead(store, phone="020 123 4567")
    set_columns(store, lead_id, phone_bad=True, unreachable=True, no_answer_streak=6)
    edit(store, lead_id, phone=" 06-12345678 ")
    after = row(store, lead_id)
    assert (after["phone_raw"], after["phone_e164"], after["phone_type"], after["time_zone"], after["country"]) == (
        "06-12345678", "+31612345678", "mobile", "Europe/Amsterdam", "NL")
    # A new number is a fresh chance: neither wrong nor parked any more.
    assert (after["phone_bad"], after["unreachable"], after["no_answer_streak"]) == (False, False, 0)


def test_same_number_written_differently_changes_nothing(store):
    lead_id = new_lead(store, phone="020 123 4567")
    set_columns(store, lead_id, phone_bad=True)
    before = row(store, lead_id)
    edit(store, lead_id, phone="+31 20 123 4567")
    assert row(store, lead_id) == before


def test_unchanged_values_and_empty_changes_write_nothing(store):
    lead_id = new_lead(store, company="Acme", role="Inkoper")
    before = row(store, lead_id)
    edit(store, lead_id)
    edit(store, lead_id, company=" Acme ", role="Inkoper", phone="020 123 4567")
    assert row(store, lead_id) == before  # updated_at included: nothing was written


def test_national_number_read_in_the_leads_country_then_the_home_region(store):
    be = new_lead(store, phone="+32 2 512 34 56")
    edit(store, be, phone="09 234 56 78")
    assert row(store, be)["phone_e164"] == "+3292345678"
    uk = new_lead(store, phone="+44 20 7946 0018")
    edit(store, uk, phone="020 7946 0019")
    assert row(store, uk)["phone_e164"] == "+442079460019"
    edit(store, uk, phone="06-12345678")  # not a UK number: read as one of the desk's own
    assert (row(store, uk)["phone_e164"], row(store, uk)["country"]) == ("+31612345678", "NL")


def test_new_zone_adds_a_window_key(store):
    lead_id = new_lead(store, phone="06-12345678")
    assert ("Europe/London", "GB") not in window_keys(store)
    edit(store, lead_id, phone="+44 20 7946 0018")
    after = row(store, lead_id)
    assert (after["time_zone"], after["country"], after["phone_type"]) == ("Europe/London", "GB", "fixed")
    assert ("Europe/London", "GB") in window_keys(store)


def test_warmth_is_rescored(store):
    lead_id = new_lead(store, stage="prospect")
    before = row(store, lead_id)
    edit(store, lead_id, role="Directeur")
    after = row(store, lead_id)
    assert ("decision-maker (Directeur)", CONFIG.warmth.icp_role) in parse_reasons(after["warmth_reasons"])
    assert after["warmth"] == before["warmth"] + CONFIG.warmth.icp_role


@pytest.mark.parametrize(("changes", "message"), [
    ({"phone": "06-87654321"}, "+31687654321 already belongs to lead {other} (Other BV)"),
    ({"phone": "06-11111111"}, "+31611111111 is on the do-not-call list"),
    ({"phone": "06-123"}, "not a valid NL number"),
    ({"phone": ""}, "missing phone number"),
    ({"email": "jan.devries.nl"}, "'jan.devries.nl' is not an e-mail address"),
    ({"email": "jan@@devries.nl"}, "is not an e-mail address"),
    ({"email": "jan @devries.nl"}, "is not an e-mail address"),
    ({"stage": "customer"}, "cannot edit 'stage'"),
    ({"phone_bad": "0"}, "cannot edit 'phone_bad'"),
])
def test_refused_changes_leave_the_lead_as_it_was(store, changes, message):
    lead_id = new_lead(store, company="Acme", phone="020 123 4567")
    set_columns(store, lead_id, phone_bad=True)
    other = new_lead(store, company="Other BV", phone="06-87654321")
    suppress(store, "+31611111111")
    before, keys = row(store, lead_id), window_keys(store)
    with pytest.raises(CalldeskError) as caught:
        # A valid change alongside: it must not be kept either (one transaction).
        edit(store, lead_id, role="Directeur", **changes)
    assert message.format(other=other) in str(caught.value)
    assert row(store, lead_id) == before
    assert window_keys(store) == keys


def test_unknown_lead(store):
    with pytest.raises(CalldeskError, match="^no lead with id 123$"):
        edit(store, 123, company="Acme")


def test_add_lead_keeps_its_checks(store):
    first = new_lead(store, company="Acme", phone="06-12345678")
    suppress(store, "+31611111111")
    with pytest.raises(CalldeskError, match=rf"\+31612345678 already belongs to lead {first} \(Acme\)"):
        new_lead(store, phone="+31 6 12345678")
    with pytest.raises(CalldeskError, match=r"\+31611111111 is on the do-not-call list"):
        new_lead(store, phone="06-11111111")
    with pytest.raises(CalldeskError, match="is not an e-mail address"):
        new_lead(store, phone="06-22222222", email="jan")
    assert count_leads(store) == 1


def test_a_company_size_without_a_head_count_is_refused_and_the_old_one_kept(store):
    lead_id = new_lead(store, company_size="11-50")
    for typed in ("abc", "about fifty"):
        with pytest.raises(CalldeskError, match="expected a number of employees"):
            edit(store, lead_id, company_size=typed)
        with pytest.raises(CalldeskError, match="expected a number of employees"):
            new_lead(store, phone="020 765 4321", company_size=typed)
    assert (row(store, lead_id)["company_size"], row(store, lead_id)["employees"]) == ("11-50", 11)


def test_add_lead_parses_company_size(store):
    lead_id = new_lead(store, company_size="11-50")
    assert row(store, lead_id)["employees"] == 11
    assert ("company size 11", CONFIG.warmth.icp_size) in parse_reasons(row(store, lead_id)["warmth_reasons"])


# -- the form ------------------------------------------------------------------------------
class Host(App[None]):
    """Just enough app to show the form over something, and keep what it returns."""

    def __init__(self, form: LeadForm) -> None:
        super().__init__()
        self.form = form
        self.results: list[dict[str, str] | None] = []

    def compose(self) -> ComposeResult:
        yield Static("calldesk")

    def on_mount(self) -> None:
        self.push_screen(self.form, self.results.append)


def edit_form(store, lead_id):
    lead = row(store, lead_id)
    values = {name: lead.get(name, "") for name in EDITABLE_FIELDS if name != "phone"}
    values["phone"] = lead["phone_raw"]
    return LeadForm(title=f"Edit {lead['company']}", values=values,
                    save=lambda changes: update_lead(store, lead_id, changes, now=NOW, by="anne", config=CONFIG))


def add_form(store):
    return LeadForm(title="New lead", values={}, required=("company", "phone"),
                    save=lambda changes: add_lead(store, phone=changes.pop("phone"), now=NOW, by="anne",
                                                  config=CONFIG, **changes))


def field(app, name) -> Input:
    return app.screen.query_one(f"#field-{name}", Input)


async def type_into(pilot, name, text):
    box = field(pilot.app, name)
    box.focus()
    box.clear()
    await pilot.press(*("space" if c == " " else c for c in text))


def message(app) -> str:
    shown = app.screen.query_one("#form-message", Static)
    return str(shown.render()) if shown.display else ""


async def test_edit_and_save(sqlite_store):
    lead_id = new_lead(sqlite_store, company="Acme", contact_name="J. Vries", role="")
    app = Host(edit_form(sqlite_store, lead_id))
    async with app.run_test(size=(90, 30)) as pilot:
        assert field(app, "company").value == "Acme" and field(app, "phone").value == "020 123 4567"
        await type_into(pilot, "contact_name", "Jan de Vries")
        await pilot.press("tab")
        assert app.screen.focused is field(app, "role")
        await pilot.press(*"Directeur", "down")
        assert app.screen.focused is field(app, "phone")
        await pilot.press("up", "shift+tab")
        assert app.screen.focused is field(app, "contact_name")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.results == [{"contact_name": "Jan de Vries", "role": "Directeur"}]
        assert not isinstance(app.screen, LeadForm)
    after = row(sqlite_store, lead_id)
    assert (after["contact_name"], after["role"], after["company"]) == ("Jan de Vries", "Directeur", "Acme")


async def test_refused_save_keeps_the_form_and_what_was_typed(sqlite_store):
    lead_id = new_lead(sqlite_store, company="Acme")
    other = new_lead(sqlite_store, company="Other BV", phone="06-87654321")
    before = row(sqlite_store, lead_id)
    app = Host(edit_form(sqlite_store, lead_id))
    async with app.run_test(size=(90, 30)) as pilot:
        await type_into(pilot, "contact_name", "Jan")
        await type_into(pilot, "phone", "06-87654321")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, LeadForm) and app.results == []
        assert message(app) == f"+31687654321 already belongs to lead {other} (Other BV)"
        assert (field(app, "contact_name").value, field(app, "phone").value) == ("Jan", "06-87654321")
        # Corrected, it saves, and the message is gone with the form.
        await type_into(pilot, "phone", "06-12345678")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.results == [{"contact_name": "Jan", "phone": "06-12345678"}]
    assert row(sqlite_store, lead_id)["phone_e164"] == "+31612345678" != before["phone_e164"]


async def test_escape_asks_before_discarding(sqlite_store):
    lead_id = new_lead(sqlite_store, company="Acme")
    app = Host(edit_form(sqlite_store, lead_id))
    async with app.run_test(size=(90, 30)) as pilot:
        await type_into(pilot, "role", "Eigenaar")
        await pilot.press("escape")
        assert isinstance(app.screen, Confirm)
        assert app.screen.question == "Discard your changes?"
        await pilot.press("n")
        assert isinstance(app.screen, LeadForm) and field(app, "role").value == "Eigenaar"
        await pilot.press("escape", "y")
        await pilot.pause()
        assert app.results == [None] and not isinstance(app.screen, (LeadForm, Confirm))
    assert row(sqlite_store, lead_id)["role"] == ""


async def test_escape_without_changes_closes_at_once(sqlite_store):
    lead_id = new_lead(sqlite_store, company="Acme")
    app = Host(edit_form(sqlite_store, lead_id))
    async with app.run_test(size=(90, 30)) as pilot:
        await pilot.press("escape")
        await pilot.pause()
        assert app.results == [None]


async def test_new_lead_needs_company_and_phone(sqlite_store):
    form = add_form(sqlite_store)
    app = Host(form)
    async with app.run_test(size=(90, 30)) as pilot:
        await pilot.press("ctrl+s")
        assert message(app) == "Company and Phone are required"
        assert app.screen.focused is field(app, "company")
        await pilot.press(*"Acme", "enter")  # Enter moves on to the next field
        assert app.screen.focused is field(app, "contact_name")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert message(app) == "Phone is required" and app.screen.focused is field(app, "phone")
        assert count_leads(sqlite_store) == 0
        await pilot.press(*"06-12345678")
        await type_into(pilot, "industry", "Food")
        await pilot.press("enter")  # in the last field: saves
        await settle(pilot)
        assert app.results == [{"company": "Acme", "phone": "06-12345678", "industry": "Food"}]
    assert row(sqlite_store, form.saved)["phone_e164"] == "+31612345678"


def test_snapshot_lead_form(snap_compare, sqlite_store):
    lead_id = new_lead(sqlite_store, company="Bakkerij de Vries", contact_name="J. de Vries", role="Eigenaar",
                       email="info@bakkerijdevries.nl", company_size="11-50", industry="Food")
    new_lead(sqlite_store, company="Other BV", phone="06-87654321")

    async def refused(pilot):
        for box in pilot.app.screen.query(Input):
            box.cursor_blink = False  # a blink between the save and the picture would change it
        await type_into(pilot, "phone", "06-87654321")
        await pilot.press("ctrl+s")
        await settle(pilot)

    assert snap_compare(Host(edit_form(sqlite_store, lead_id)), terminal_size=(80, 24), run_before=refused)
