"""`calldesk client …` and `calldesk campaign …` as a team lead types them, on SQLite and PostgreSQL."""

import json

import pytest

from tests.command import cli_runner, one_line_error

EVENING = """
[calling_hours]
start = "18:00"
end = "20:00"
"""


@pytest.fixture
def run(tmp_path, store_target):
    """calldesk on the test's store, as team lead `lead` (the store's first team lead)."""
    base = cli_runner(tmp_path)

    def go(*args, code=0, caller="lead"):
        return base("--caller", caller, *args, "--db", store_target, code=code)

    go("caller", "add", "lead", "--role", "team_lead")
    go("caller", "add", "anne")
    return go


def test_a_new_store_has_one_campaign(run):
    listed = json.loads(run("campaign", "list", "--format", "json").stdout)
    assert [(c["name"], c["client"], c["status"]) for c in listed] == [("default", "default", "active")]


def test_client_and_campaign_set_up_and_shown_with_where_each_setting_comes_from(run, tmp_path):
    (tmp_path / "client.toml").write_text('daily_goal = 40\n[retry]\nno_answer = "4h"\n')
    (tmp_path / "evening.toml").write_text(EVENING)
    run("client", "add", "Bakkerij Jansen", "--notes", "bread", "--settings", tmp_path / "client.toml")
    added = run("campaign", "add", "Avond", "--client", "Bakkerij Jansen", "--settings", tmp_path / "evening.toml",
                "--priority", "5", "--starts", "2026-12-01", "--ends", "2026-12-31")
    assert "Avond" in added.stdout and "Bakkerij Jansen" in added.stdout
    shown = json.loads(run("campaign", "show", "Avond", "--format", "json").stdout)
    settings = {row["key"]: (row["value"], row["from"]) for row in shown["settings"]}
    assert settings["calling_hours.start"] == ("18:00", "campaign")
    assert settings["calling_hours.end"] == ("20:00", "campaign")
    assert settings["daily_goal"] == (40, "client")
    assert settings["retry.no_answer"] == ("4h", "client")
    assert settings["retry.busy"][1] == "desk"
    assert (shown["priority"], shown["starts_on"], shown["ends_on"]) == (5, "2026-12-01", "2026-12-31")
    table = run("campaign", "show", "Avond").stdout
    assert "calling_hours.start" in table and "campaign" in table
    clients = json.loads(run("client", "list", "--format", "json").stdout)
    assert {c["name"]: c["campaigns"] for c in clients}["Bakkerij Jansen"] == 1
    one_line_error(run("client", "edit", "Bakkerij Jansen", code=1), "nothing to change")
    run("client", "edit", "Bakkerij Jansen", "--notes", "rye bread")
    clients = json.loads(run("client", "list", "--format", "json").stdout)
    assert {c["name"]: c["notes"] for c in clients}["Bakkerij Jansen"] == "rye bread"


def test_bad_settings_are_one_line_naming_the_campaign_and_the_key_and_store_nothing(run, tmp_path):
    run("client", "add", "Acme")
    (tmp_path / "bad.toml").write_text('[calling_hours]\nstart = "25:00"\n')
    one_line_error(run("campaign", "add", "Zomer", "--client", "Acme", "--settings", tmp_path / "bad.toml", code=1),
                   "campaign Zomer: settings: calling_hours.start")
    (tmp_path / "region.toml").write_text('region = "DE"\n')
    one_line_error(run("campaign", "add", "Zomer", "--client", "Acme", "--settings", tmp_path / "region.toml",
                       code=1), "region")
    (tmp_path / "script.toml").write_text("not = [valid")
    one_line_error(run("campaign", "add", "Zomer", "--client", "Acme", "--script", tmp_path / "script.toml",
                       code=1), "campaign Zomer: script")
    one_line_error(run("campaign", "add", "Zomer", "--client", "Acme", "--settings", tmp_path / "missing.toml",
                       code=1), "missing.toml")
    names = [c["name"] for c in json.loads(run("campaign", "list", "--format", "json").stdout)]
    assert names == ["default"]


def test_pause_resume_archive_and_callers(run):
    run("client", "add", "Acme")
    run("campaign", "add", "Zomer", "--client", "Acme")
    assert "paused" in run("campaign", "pause", "Zomer").stdout
    assert "archived" in run("campaign", "archive", "Zomer").stdout
    assert "active" in run("campaign", "resume", "Zomer").stdout
    assert "anne" in run("campaign", "callers", "Zomer", "--add", "anne").stdout
    listed = {c["name"]: c for c in json.loads(run("campaign", "list", "--format", "json").stdout)}
    assert listed["Zomer"]["callers"] == ["anne"]
    one_line_error(run("campaign", "callers", "Zomer", "--add", "nobody", code=1), "nobody")
    assert "anne" not in run("campaign", "callers", "Zomer", "--remove", "anne").stdout


def test_changes_are_for_team_leads_only(run):
    one_line_error(run("client", "add", "Acme", caller="anne", code=1), "team lead")
    run("client", "add", "Acme")
    one_line_error(run("campaign", "add", "Zomer", "--client", "Acme", caller="anne", code=1), "team lead")
    run("campaign", "add", "Zomer", "--client", "Acme")
    one_line_error(run("campaign", "pause", "Zomer", caller="anne", code=1), "team lead")
    # anyone may look
    assert "Zomer" in run("campaign", "list", caller="anne").stdout


def test_edit_and_its_errors(run, tmp_path):
    run("client", "add", "Acme")
    run("campaign", "add", "Zomer", "--client", "Acme")
    one_line_error(run("campaign", "edit", "Zomer", code=1), "nothing to change")
    one_line_error(run("campaign", "edit", "Zomer", "--ends", "31-12-2026", code=1), "--ends")
    one_line_error(run("campaign", "edit", "Nergens", "--priority", "3", code=1), "Nergens")
    run("campaign", "edit", "Zomer", "--priority", "7", "--ends", "2026-12-31")
    (tmp_path / "evening.toml").write_text(EVENING)
    run("campaign", "edit", "Zomer", "--settings", tmp_path / "evening.toml")
    shown = json.loads(run("campaign", "show", "Zomer", "--format", "json").stdout)
    assert (shown["priority"], shown["ends_on"]) == (7, "2026-12-31")
    assert {r["key"]: r["from"] for r in shown["settings"]}["calling_hours.start"] == "campaign"
    run("campaign", "edit", "Zomer", "--ends", "")
    assert json.loads(run("campaign", "show", "Zomer", "--format", "json").stdout)["ends_on"] is None


def test_import_goes_to_the_named_campaign_and_asks_when_more_are_active(run, tmp_path):
    (tmp_path / "leads.csv").write_text("company,phone\nBakker BV,020 123 4567\n")
    run("import", tmp_path / "leads.csv")  # one campaign: no question
    run("client", "add", "Acme")
    run("campaign", "add", "Zomer", "--client", "Acme")
    (tmp_path / "more.csv").write_text("company,phone\nSmit BV,010 765 4321\n")
    one_line_error(run("import", tmp_path / "more.csv", code=1), "Zomer")
    run("import", tmp_path / "more.csv", "--campaign", "Zomer")
    leads = {c["name"]: c["leads"] for c in json.loads(run("campaign", "list", "--format", "json").stdout)}
    assert leads == {"default": 1, "Zomer": 1}
