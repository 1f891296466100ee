"""Clients and campaigns in the store, on both databases: adding and changing them (team leads
only), who calls for which, and which campaign imported and hand-added leads go to."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from calldesk.db.campaigns import (
    DEFAULT,
    MAX_NAME,
    add_campaign,
    add_client,
    caller_campaigns,
    client_settings,
    edit_campaign,
    edit_client,
    get_campaign,
    get_client,
    list_campaigns,
    list_clients,
    set_campaign_callers,
    set_campaign_status,
)
from calldesk.db.imports import import_csv
from calldesk.db.leads import add_lead
from calldesk.db.tables import callers, campaigns, leads
from calldesk.db.team import save_caller
from calldesk.errors import CalldeskError
from calldesk.rules.kinds import Role
from tests.conftest import NOW, write_csv
from tests.stored import everything

LEADS = "Company,Phone\nBakkerij Jansen,020-1234567\nCafé Zoë,06-12345678\n"
MORE = "Company,Phone\nSlagerij Vos,010-7654321\n"


@pytest.fixture
def desk(store):
    """tess leads anne and bram; client Acme BV has campaign Najaar."""
    save_caller(store, "tess", by="tess", now=NOW, role=Role.team_lead)
    for name in ("anne", "bram"):
        save_caller(store, name, by="tess", now=NOW)
    add_client(store, "Acme BV", by="tess", now=NOW, notes="belt graag 's ochtends")
    add_campaign(store, "Najaar", client="Acme BV", by="tess", now=NOW)
    return store


def direct_counts(store):
    with store.read() as conn:
        return dict(conn.execute(sa.select(campaigns.c.name, sa.func.count(leads.c.id))
                                 .join(leads, leads.c.campaign_id == campaigns.c.id, isouter=True)
                                 .group_by(campaigns.c.name)).all())


def test_a_new_store_has_the_default_client_and_campaign(store):
    [client] = list_clients(store)
    assert (client.name, client.notes, client.settings, client.campaign_count) == (DEFAULT, "", "", 1)
    [campaign] = list_campaigns(store)
    assert (campaign.name, campaign.client, campaign.status, campaign.lead_count, campaign.callers) == (
        DEFAULT, DEFAULT, "active", 0, ())
    assert (campaign.priority, campaign.starts_on, campaign.ends_on, campaign.settings, campaign.script) == (
        0, None, None, "", "")


def test_clients_and_campaigns_are_added_and_read_back(desk):
    client = get_client(desk, "acme bv")  # any case
    assert (client.name, client.notes, client.campaign_count, client.created_at) == (
        "Acme BV", "belt graag 's ochtends", 1, NOW)
    made = add_campaign(desk, "  Voorjaar   2027 ", client="Acme BV", by="tess", now=NOW + timedelta(hours=1),
                        settings='[calling]\nend = "16:00"\n', script='[[step]]\nsay = "Hallo"\n', priority=3,
                        starts_on=date(2027, 3, 1), ends_on=date(2027, 5, 31))
    assert made == get_campaign(desk, "VOORJAAR 2027")
    assert (made.name, made.client, made.client_id, made.status, made.priority) == (
        "Voorjaar 2027", "Acme BV", client.id, "active", 3)
    assert (made.starts_on, made.ends_on) == (date(2027, 3, 1), date(2027, 5, 31))
    assert (made.settings, made.script) == ('[calling]\nend = "16:00"\n', '[[step]]\nsay = "Hallo"\n')
    assert made.created_at == NOW + timedelta(hours=1)
    assert [c.name for c in list_campaigns(desk)] == ["default", "Najaar", "Voorjaar 2027"]
    assert [c.name for c in list_campaigns(desk, client="acme bv")] == ["Najaar", "Voorjaar 2027"]
    assert [(c.name, c.campaign_count) for c in list_clients(desk)] == [("Acme BV", 2), ("default", 1)]


def test_client_settings_and_notes(desk):
    assert client_settings(desk, "Acme BV") == ""
    changed = edit_client(desk, "Acme BV", settings='[calling]\nstart = "09:00"\n', by="tess")
    assert changed.settings == client_settings(desk, "acme bv") == '[calling]\nstart = "09:00"\n'
    assert edit_client(desk, "Acme BV", notes="contact: Jan", by="tess").notes == get_client(desk, "Acme BV").notes \
        == "contact: Jan"


def test_editing_a_campaign_changes_only_what_is_given(desk):
    add_campaign(desk, "Winter", client="Acme BV", by="tess", now=NOW, settings="a = 1\n", script="s = 1\n",
                 priority=2, starts_on=date(2026, 12, 1), ends_on=date(2027, 2, 28))
    same = edit_campaign(desk, "winter", by="tess")
    assert (same.settings, same.script, same.priority, same.starts_on, same.ends_on) == (
        "a = 1\n", "s = 1\n", 2, date(2026, 12, 1), date(2027, 2, 28))
    edited = edit_campaign(desk, "Winter", by="tess", script="s = 2\n", priority=-1, ends_on=None)
    assert (edited.settings, edited.script, edited.priority, edited.starts_on, edited.ends_on) == (
        "a = 1\n", "s = 2\n", -1, date(2026, 12, 1), None)
    edited = edit_campaign(desk, "Winter", by="tess", settings="", starts_on=None)
    assert (edited.settings, edited.starts_on) == ("", None)


def test_a_campaign_cannot_end_before_it_starts(desk):
    with pytest.raises(CalldeskError, match=r"can't end \(2026-11-30\) before it starts \(2026-12-01\)"):
        add_campaign(desk, "Winter", client="Acme BV", by="tess", now=NOW, starts_on=date(2026, 12, 1),
                     ends_on=date(2026, 11, 30))
    add_campaign(desk, "Winter", client="Acme BV", by="tess", now=NOW, starts_on=date(2026, 12, 1))
    before = everything(desk)
    with pytest.raises(CalldeskError, match="can't end"):
        edit_campaign(desk, "Winter", by="tess", ends_on=date(2026, 11, 1))  # against the stored start
    assert everything(desk) == before
    assert edit_campaign(desk, "Winter", by="tess", ends_on=date(2026, 12, 1)).ends_on == date(2026, 12, 1)  # one day


def test_status_changes(desk):
    assert set_campaign_status(desk, "Najaar", "paused", by="tess").status == "paused"
    assert set_campaign_status(desk, "Najaar", "archived", by="tess").status == "archived"
    assert get_campaign(desk, "Najaar").status == "archived"
    with pytest.raises(CalldeskError, match=r"one of: active, paused, archived \(not 'done'\)"):
        set_campaign_status(desk, "Najaar", "done", by="tess")


@pytest.mark.parametrize("name, error", [
    ("   ", "a client's name can't be empty"),
    ("x" * (MAX_NAME + 1), f"a client's name is at most {MAX_NAME} characters"),
    (" ACME  bv ", "there is already a client named Acme BV"),
    ("DEFAULT", "there is already a client named default"),
])
def test_client_names_are_checked(desk, name, error):
    before = everything(desk)
    with pytest.raises(CalldeskError, match=error):
        add_client(desk, name, by="tess", now=NOW)
    assert everything(desk) == before


@pytest.mark.parametrize("name, error", [
    ("", "a campaign's name can't be empty"),
    ("y" * (MAX_NAME + 1), f"a campaign's name is at most {MAX_NAME} characters"),
    ("najaar", "there is already a campaign named Najaar"),
])
def test_campaign_names_are_checked(desk, name, error):
    add_client(desk, "Other BV", by="tess", now=NOW)
    before = everything(desk)
    with pytest.raises(CalldeskError, match=error):
        add_campaign(desk, name, client="Other BV", by="tess", now=NOW)  # unique across clients too
    assert everything(desk) == before


def test_a_name_of_the_longest_length_is_kept_whole(desk):
    name = "Ä" * MAX_NAME
    assert add_client(desk, name, by="tess", now=NOW).name == name
    with pytest.raises(CalldeskError, match="already a client"):
        add_client(desk, "ä" * MAX_NAME, by="tess", now=NOW)  # regardless of case beyond ASCII too


def test_unknown_names_are_errors_naming_the_known_ones(desk):
    with pytest.raises(CalldeskError, match=r"^no campaign named 'Zomer' \(campaigns: default, Najaar\)$"):
        get_campaign(desk, "Zomer")
    with pytest.raises(CalldeskError, match=r"^no client named 'Beta' \(clients: Acme BV, default\)$"):
        add_campaign(desk, "Zomer", client="Beta", by="tess", now=NOW)
    with pytest.raises(CalldeskError, match="no client named"):
        list_campaigns(desk, client="Beta")
    with pytest.raises(CalldeskError, match="no campaign named 'Zomer'"):
        edit_campaign(desk, "Zomer", by="tess", priority=1)


def test_priority_is_bounded(desk):
    with pytest.raises(CalldeskError, match="priority is a whole number from -10000 to 10000"):
        add_campaign(desk, "Zomer", client="Acme BV", by="tess", now=NOW, priority=10**10)
    with pytest.raises(CalldeskError, match="priority"):
        edit_campaign(desk, "Najaar", by="tess", priority=-10**10)


CHANGES = {
    "add client": lambda s, by: add_client(s, "Beta", by=by, now=NOW),
    "client settings": lambda s, by: edit_client(s, "Acme BV", settings="a = 1", by=by),
    "client notes": lambda s, by: edit_client(s, "Acme BV", notes="x", by=by),
    "add campaign": lambda s, by: add_campaign(s, "Zomer", client="Acme BV", by=by, now=NOW),
    "edit campaign": lambda s, by: edit_campaign(s, "Najaar", by=by, priority=4),
    "status": lambda s, by: set_campaign_status(s, "Najaar", "paused", by=by),
    "callers": lambda s, by: set_campaign_callers(s, "Najaar", add=["anne"], by=by),
}


@pytest.mark.parametrize("change", CHANGES)
def test_only_a_team_lead_changes_clients_and_campaigns(desk, change):
    save_caller(desk, "cees", by="tess", now=NOW, role=Role.team_lead, active=True)
    save_caller(desk, "cees", by="tess", now=NOW, active=False)  # a team lead no more at work
    before = everything(desk)
    for who in ("anne", "cees", "nobody"):
        with pytest.raises(CalldeskError, match=rf"^only a team lead can .* \({who} is not one") as error:
            CHANGES[change](desk, who)
        assert "\n" not in str(error.value)
    assert everything(desk) == before
    CHANGES[change](desk, "tess")


def test_callers_join_and_leave_a_campaign(desk):
    add_campaign(desk, "Winter", client="Acme BV", by="tess", now=NOW)
    joined = set_campaign_callers(desk, "Najaar", add=["Anne", " bram "], by="tess")
    assert joined.callers == ("anne", "bram")
    assert set_campaign_callers(desk, "winter", add=["anne"], by="tess").callers == ("anne",)
    assert [c.name for c in caller_campaigns(desk, "anne")] == ["Najaar", "Winter"]
    again = set_campaign_callers(desk, "Najaar", add=["anne"], remove=["bram", "tess"], by="tess")
    assert again.callers == ("anne",)  # already on it, and not on it: no change
    assert [c.name for c in caller_campaigns(desk, "bram")] == []
    assert set_campaign_callers(desk, "Najaar", remove=["anne"], by="tess").callers == ()
    assert [c.name for c in caller_campaigns(desk, "anne")] == ["Winter"]
    assert get_campaign(desk, "Winter").callers == ("anne",)


def test_unknown_callers_are_refused_not_added(desk):
    before = everything(desk)
    with pytest.raises(CalldeskError, match=r"^not a caller: anna, zoë \(a team lead adds them"):
        set_campaign_callers(desk, "Najaar", add=["anne", "Anna", "Zoë"], by="tess")
    with pytest.raises(CalldeskError, match="not a caller: anna"):
        set_campaign_callers(desk, "Najaar", remove=["anna"], by="tess")
    with pytest.raises(CalldeskError, match="both added to and removed"):
        set_campaign_callers(desk, "Najaar", add=["anne"], remove=["ANNE"], by="tess")
    assert everything(desk) == before
    with desk.read() as conn:
        assert "anna" not in set(conn.execute(sa.select(callers.c.name)).scalars())


def test_import_goes_to_the_only_active_campaign(store, tmp_path):
    summary = import_csv(store, write_csv(tmp_path / "a.csv", LEADS), now=NOW, by="t")
    assert (summary.imported, summary.campaign) == (2, DEFAULT)
    assert direct_counts(store) == {DEFAULT: 2}


def test_import_into_a_named_campaign_and_the_default_rule(desk, tmp_path):
    # Two active campaigns (default and Najaar): the import must be told which.
    before = everything(desk)
    with pytest.raises(CalldeskError, match=r"^more than one campaign is active: pass --campaign "
                                            r"\(one of: default, Najaar\)$"):
        import_csv(desk, write_csv(tmp_path / "a.csv", LEADS), now=NOW, by="t")
    assert everything(desk) == before
    summary = import_csv(desk, write_csv(tmp_path / "a.csv", LEADS), now=NOW, by="t", campaign="najaar")
    assert (summary.imported, summary.campaign) == (2, "Najaar")
    with pytest.raises(CalldeskError, match=r"^no campaign named 'Zomer' \(campaigns: default, Najaar\)$"):
        import_csv(desk, write_csv(tmp_path / "b.csv", MORE), now=NOW, by="t", campaign="Zomer")
    # Paused, the default campaign no longer takes leads without a name: Najaar is the only active one.
    set_campaign_status(desk, DEFAULT, "paused", by="tess")
    assert import_csv(desk, write_csv(tmp_path / "b.csv", MORE), now=NOW, by="t").campaign == "Najaar"
    assert direct_counts(desk) == {DEFAULT: 0, "Najaar": 3}
    set_campaign_status(desk, "Najaar", "archived", by="tess")
    with pytest.raises(CalldeskError, match=r"no campaign is active: pass --campaign \(campaigns: default, Najaar\)"):
        import_csv(desk, write_csv(tmp_path / "c.csv", "Company,Phone\nX BV,030-1112233\n"), now=NOW, by="t")
    # A paused campaign still takes leads by name (filled before it starts).
    summary = import_csv(desk, write_csv(tmp_path / "c.csv", "Company,Phone\nX BV,030-1112233\n"), now=NOW,
                         by="t", campaign="default")
    assert (summary.imported, summary.campaign) == (1, DEFAULT)


def test_a_dry_run_names_its_campaign_and_writes_nothing(desk, tmp_path):
    before = everything(desk)
    summary = import_csv(desk, write_csv(tmp_path / "a.csv", LEADS), now=NOW, by="t", campaign="Najaar",
                         dry_run=True)
    assert (summary.imported, summary.campaign) == (2, "Najaar")
    assert everything(desk) == before


def test_a_lead_added_by_hand_goes_to_a_campaign_as_imported_ones(desk):
    with pytest.raises(CalldeskError, match="more than one campaign is active"):
        add_lead(desk, phone="020-1234567", now=NOW, by="tess", company="Bakkerij Jansen")
    lead_id = add_lead(desk, phone="020-1234567", now=NOW, by="tess", company="Bakkerij Jansen", campaign="NAJAAR")
    with pytest.raises(CalldeskError, match="no campaign named 'Zomer'"):
        add_lead(desk, phone="06-12345678", now=NOW, by="tess", campaign="Zomer")
    set_campaign_status(desk, "Najaar", "paused", by="tess")
    other = add_lead(desk, phone="06-12345678", now=NOW, by="tess")  # default: the only active one
    with desk.read() as conn:
        placed = dict(conn.execute(sa.select(leads.c.id, campaigns.c.name)
                                   .join(campaigns, campaigns.c.id == leads.c.campaign_id)).all())
    assert placed == {lead_id: "Najaar", other: DEFAULT}


def test_lead_counts_are_the_leads_in_each_campaign(desk, tmp_path):
    add_campaign(desk, "Winter", client="Acme BV", by="tess", now=NOW)
    rows = "".join(f"Firma {n},020-{1000000 + n}\n" for n in range(30))
    import_csv(desk, write_csv(tmp_path / "a.csv", "Company,Phone\n" + rows), now=NOW, by="t", campaign="Winter")
    import_csv(desk, write_csv(tmp_path / "b.csv", LEADS), now=NOW, by="t", campaign="Najaar")
    add_lead(desk, phone="010-7654321", now=NOW, by="tess", campaign="default")
    counted = {c.name: c.lead_count for c in list_campaigns(desk)}
    assert counted == direct_counts(desk) == {DEFAULT: 1, "Najaar": 2, "Winter": 30}
    assert get_campaign(desk, "Winter").lead_count == 30
    assert {c.name: c.lead_count for c in list_campaigns(desk, client="Acme BV")} == {"Najaar": 2, "Winter": 30}
