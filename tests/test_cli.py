"""The real `calldesk` command in a subprocess: output, exit codes, no tracebacks."""

import csv
import io
import json
import os
import re
import subprocess
import sys
from contextlib import closing
from datetime import UTC, datetime

import pytest

from tests.command import one_line_error
from tests.conftest import write_csv


def test_import_summary_and_reimport(cli, tmp_path):
    path = write_csv(tmp_path / "leads.csv", "Bedrijf;Telefoon;Fase\nCafé Zoë;06-12345678;klant\nFout;12;\n", "cp1252")
    out = cli("import", path).stdout
    assert "2 rows read (cp1252, delimiter ';')" in out
    assert "imported          1" in out and "rejected          1" in out
    assert "leads.rejects.csv" in out and "line 3: invalid phone '12'" in out
    again = cli("import", path).stdout
    assert "imported          0" in again and "duplicates        1" in again


def test_import_dry_run(cli, tmp_path):
    path = write_csv(tmp_path / "leads.csv", "Company,Phone\nA,06-12345678\n")
    assert "Dry run: nothing was written." in cli("import", path, "--dry-run").stdout
    assert cli("export").stdout.count("\n") == 1  # header only


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["import", "missing.csv"], "cannot read missing.csv: no such file"),
        (["import", "plain.csv"], "no phone column found; headers found: 'Naam', 'Stad'"),
        (["import", "plain.csv", "--map", "Stad"], "expected COLUMN=FIELD"),
        (["import", "plain.csv", "--map", "Stad=telephone"], "unknown field"),
        (["import", "plain.csv", "--region", "XX"], "--region 'XX'"),
        (["import", "plain.csv", "--at", "tomorrow"], "--at 'tomorrow': can't read 'tomorrow' as a moment: add a time"),
        (["import", "plain.csv", "--at", ""], "--at '': expected a moment such as 2026-11-23T09:00"),
        (["--at", " ", "import", "plain.csv"], "--at ' ': expected a moment such as 2026-11-23T09:00"),
        (["export", "--stage", "warm"], "--stage 'warm': expected one of suspect"),
        (["export", "--db", "mysql://x/y"], "unsupported store mysql"),
        (["export", "--db", "nofolder/x.db"], "nofolder does not exist"),
        (["export", "--config", "nope.toml"], "config file nope.toml does not exist"),
        (["export", "--config", "bad.toml"], "bad.toml: calling_hours.start: expected a time as HH:MM"),
    ],
)
def test_user_mistakes_are_one_line_errors(cli, tmp_path, args, message):
    write_csv(tmp_path / "plain.csv", "Naam,Stad\nPiet,Delft\n")
    (tmp_path / "bad.toml").write_text('[calling_hours]\nstart = "9am"\n')
    one_line_error(cli(*args, code=1), message)


def test_config_from_environment_and_default_location(cli, tmp_path):
    (tmp_path / "config" / "calldesk").mkdir(parents=True)
    (tmp_path / "config" / "calldesk" / "config.toml").write_text('region = "BE"\n')
    assert 'region = "BE"' in cli("config").stdout
    (tmp_path / "other.toml").write_text("colour = 1\n")
    one_line_error(cli("config", code=1, extra_env={"CALLDESK_CONFIG": str(tmp_path / "other.toml")}), "colour: unknown key")


def test_config_prints_a_config_file_that_reads_back_the_same(cli, tmp_path):
    from calldesk.rules.config import Config, parse_config

    own = tmp_path / "own.toml"
    own.write_text('region = "be"\nlanguage = "nl"\ndaily_goal = 45\n[calling_hours]\ndays = ["sat", "mon"]\n'
                   'start = "08:15"\n[retry]\nbusy = "90m"\nvoicemail = "1d"\nno_answer = 7200\n'
                   '[icp]\nmax_employees = 250\nroles = ["Directeur \\"DGA\\""]\n[callbacks]\nrelease_after = "45s"\n'
                   '[warmth]\nsignal_half_life_days = 7.5\n[script]\npath = "C:\\\\scripts\\\\bel.toml"\n')
    printed = cli("config", "--config", own).stdout
    assert printed.startswith("# configbestand: ") and printed.splitlines()[0].endswith(str(own))  # its language: nl
    assert 'busy = "90m"' in printed and 'start = "08:15"' in printed and 'no_answer = "2h"' in printed
    wanted = parse_config(own.read_text())
    assert parse_config(printed) == wanted != Config()
    again = tmp_path / "again.toml"
    again.write_text(printed)
    assert cli("config", "--config", again).stdout.splitlines()[1:] == printed.splitlines()[1:]
    data = json.loads(cli("config", "--config", own, "--format", "json").stdout)
    assert data["retry"]["busy"] == "90m" and data["icp"]["min_employees"] == 0
    assert Config.model_validate(data) == wanted
    # No file: the defaults, said so, with the language left to --lang and the locale.
    plain = cli("config").stdout
    assert "(not there: defaults)" in plain and "language not set" in plain and "\nlanguage" not in plain
    assert parse_config(plain) == Config()
    assert json.loads(cli("config", "--format", "json").stdout)["language"] is None


def test_region_from_config_reads_national_numbers(cli, tmp_path):
    (tmp_path / "be.toml").write_text('region = "BE"\n')
    cli("import", write_csv(tmp_path / "be.csv", "Company,Phone\nA,02 512 34 56\n"), "--config", tmp_path / "be.toml")
    assert "+3225123456" in cli("export").stdout


def test_export_to_file_and_excel(cli, tmp_path):
    cli("import", write_csv(tmp_path / "in.csv", "Company,Phone\nCafé,06-12345678\n"))
    cli("export", "--out", tmp_path / "out.csv", "--excel")
    data = (tmp_path / "out.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbfid;company;contact;phone;extension;stage;warmth;owner;do_not_call;last_outcome;next_call_at")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    # International with spaces: a spreadsheet keeps it as text (tests/test_spreadsheet.py).
    assert rows[0]["company"] == "Café" and rows[0]["phone"] == "+31 6 12345678"
    assert not list(tmp_path.glob("*.partial"))


def test_demo_without_opening(cli, tmp_path):
    out = cli("demo", "--db", tmp_path / "demo.db", "--no-open", "--at", "2026-11-23T09:00+01:00").stdout
    assert "300 leads" in out
    exported = cli("export", "--db", tmp_path / "demo.db").stdout
    assert exported.count("\n") == 301
    one_line_error(cli("demo", "--db", tmp_path / "demo.db", "--no-open", code=1), "already holds leads")


def test_demo_default_store_is_made_anew(cli, tmp_path):
    first = cli("demo", "--no-open", "--count", "20").stdout
    assert "demo.db" in first and str(tmp_path / "data") in first
    assert "20 leads" in cli("demo", "--no-open", "--count", "20").stdout


def test_db_status_and_upgrade(cli, tmp_path):
    assert "does not exist yet" in cli("db", "status").stdout
    assert "(current)" in cli("db", "upgrade").stdout
    from calldesk.db.engine import SCHEMA_HEAD

    assert f"schema {SCHEMA_HEAD} (current)" in cli("db", "status").stdout


def test_newer_store_is_refused(cli, tmp_path):
    import sqlite3

    cli("db", "upgrade")
    with sqlite3.connect(tmp_path / "desk.db") as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'abcd'")
    one_line_error(cli("export", code=1), "written by a newer calldesk (schema abcd); upgrade calldesk")


def test_not_a_store(cli, tmp_path):
    (tmp_path / "notes.db").write_text("hello " * 400)
    one_line_error(cli("export", "--db", tmp_path / "notes.db", code=1), "not a calldesk store")


def test_help_lists_commands(cli):
    out = cli("--help").stdout
    for command in ("demo", "import", "export", "db", "config"):
        assert command in out
    assert "--map" in cli("import", "--help").stdout


def test_help_lists_the_commands_in_the_order_of_a_days_work(cli):
    # Each group of commands is a module of calldesk/cli/: the order they are added in is the listing's.
    listed = cli("--help").stdout.partition("Commands:\n")[2]
    names = [line.split()[0] for line in listed.splitlines() if line.startswith("  ") and not line.startswith("   ")]
    assert names == ["demo", "import", "export", "queue", "next", "log", "erase", "purge", "report", "callbacks",
                     "assign", "unassign", "stage", "serve", "config", "db", "dnc", "caller", "client",
                     "campaign"]


@pytest.fixture
def demo_db(cli, tmp_path):
    cli("demo", "--db", tmp_path / "q.db", "--no-open", "--at", "2026-11-23T09:30:00+00:00")
    return tmp_path / "q.db"


MONDAY = "2026-11-23T10:30+01:00"


def test_queue_formats(cli, demo_db):
    table = cli("queue", "--db", demo_db, "--caller", "anne", "--at", MONDAY, "--limit", "5").stdout.splitlines()
    assert table[0].split()[:5] == ["id", "company", "contact", "phone", "local_time"]
    assert len(table) == 6 and "callback" in table[1]
    rows = json.loads(cli("queue", "--db", demo_db, "--caller", "anne", "--at", MONDAY, "--format", "json").stdout)["leads"]
    assert len(rows) == 50
    # Anne's callbacks from yesterday went to the team (overdue past the 2 h grace).
    assert rows[0]["next_action"] == "team callback" and rows[0]["callback_due"]
    assert set(rows[0]) == {"id", "company", "contact", "phone", "local_time", "stage", "warmth", "reasons", "next_action", "callback_due"}
    assert rows[-1]["reasons"] and rows[-1]["phone"].startswith("+")
    lines = cli("queue", "--db", demo_db, "--at", MONDAY, "--format", "csv", "--limit", "3").stdout.splitlines()
    assert lines[0] == "id,company,contact,phone,local_time,stage,warmth,next_action,callback_due,reasons" and len(lines) == 4


def test_queue_on_saturday_says_when_it_opens(cli, demo_db):
    result = cli("queue", "--db", demo_db, "--at", "2026-11-28T11:00+01:00")
    assert result.stderr.strip() == "not a calling day (Sat) — next callable at 09:00 Europe/Amsterdam on Mon 30 Nov"


def test_holiday_dates_are_kept_between_runs_and_a_bad_cache_is_passed_over(cli, demo_db, tmp_path):
    from importlib.metadata import version

    cache = tmp_path / "cache" / "calldesk" / "holidays.json"
    assert cli("queue", "--db", demo_db, "--at", MONDAY, "--limit", "3").stdout.count("\n") == 4
    kept = json.loads(cache.read_text())
    assert kept["holidays"] == version("holidays") and "2026-12-25" in kept["dates"]["NL"]["2026"]
    # The next run takes its dates from the cache: make this Monday a holiday everywhere.
    for years in kept["dates"].values():
        years["2026"] = [*years.get("2026", []), "2026-11-23"]
    cache.write_text(json.dumps(kept))
    result = cli("queue", "--db", demo_db, "--at", MONDAY)
    assert result.stdout.count("\n") == 1  # the header, no lead
    assert "next callable at 09:00 Europe/Amsterdam on Tue 24 Nov" in result.stderr
    # Kept by another version of the holidays package, or not JSON at all: computed again.
    for bad in (json.dumps({**kept, "holidays": "0.0"}), "{not json"):
        cache.write_text(bad)
        assert cli("queue", "--db", demo_db, "--at", MONDAY, "--limit", "3").stdout.count("\n") == 4
        rewritten = json.loads(cache.read_text())
        assert rewritten["holidays"] == version("holidays") and "2026-11-23" not in rewritten["dates"]["NL"]["2026"]


def test_next_claims_different_leads_for_two_callers(cli, demo_db):
    first = cli("next", "--db", demo_db, "--caller", "anne", "--at", MONDAY).stdout.strip().split("\t")
    second = cli("next", "--db", demo_db, "--caller", "bram", "--at", MONDAY).stdout.strip().split("\t")
    assert first[0] != second[0] and first[1].startswith("+")
    again = cli("next", "--db", demo_db, "--caller", "anne", "--at", MONDAY, "--format", "json").stdout
    assert str(json.loads(again)["id"]) == first[0]  # anne's open lead comes back, not a second one


def test_next_exit_status_3_when_nothing_is_callable(cli, demo_db):
    result = cli("next", "--db", demo_db, "--at", "2026-11-28T11:00+01:00", code=3)
    assert result.stderr.strip() == "calldesk: not a calling day (Sat) — next callable at 09:00 Europe/Amsterdam on Mon 30 Nov"
    empty = cli("next", "--db", "empty.db", code=3)
    assert "no leads yet" in empty.stderr


MONDAY = "2026-11-23T10:30+01:00"


def test_log_records_through_the_same_path_and_errors_write_nothing(cli, tmp_path):
    path = write_csv(tmp_path / "leads.csv", "Company;Phone;Functie\nAcme;06-12345678;Directeur\nBeta;020-1234567;\n")
    cli("import", path, "--at", MONDAY)
    lead_id = cli("next", "--at", MONDAY).stdout.split("\t")[0]
    out = cli("log", lead_id, "interested", "--note", "send the brochure", "--bant", "need=yes,budget=unknown",
              "--at", MONDAY).stdout
    assert out.startswith("call 1: interested — Acme: suspect → prospect")
    one_line_error(cli("log", lead_id, "maybe", "--at", MONDAY, code=1), "unknown outcome 'maybe'")
    one_line_error(cli("log", "999", "busy", "--at", MONDAY, code=1), "no lead with id 999")
    one_line_error(cli("log", lead_id, "callback", "--at", MONDAY, code=1), "needs a callback time")
    one_line_error(cli("log", lead_id, "callback", "--callback", "tomorrow", "--at", MONDAY, code=1),
                   "--callback 'tomorrow': can't read 'tomorrow' as a moment: add a time, e.g. 'tomorrow 10:00'")
    one_line_error(cli("log", lead_id, "busy", "--bant", "need=perhaps", "--at", MONDAY, code=1),
                   "--bant need=perhaps: expected one of yes, maybe, no")
    one_line_error(cli("log", lead_id, "qualified", "--at", MONDAY, code=1), "doesn't qualify yet")
    cli("log", lead_id, "busy", "--caller", "bram", "--at", MONDAY)
    one_line_error(cli("log", lead_id, "appointment", "--at", MONDAY, code=1), "needs the appointment")
    exported = list(csv.DictReader(io.StringIO(cli("export").stdout)))
    acme = next(row for row in exported if row["company"] == "Acme")
    assert (acme["stage"], acme["last_outcome"]) == ("prospect", "busy")  # the failed ones changed nothing


def test_log_qualified_callback_and_appointment(cli, tmp_path):
    path = write_csv(tmp_path / "leads.csv", "Company;Phone\nAcme;06-12345678\n")
    cli("import", path, "--at", MONDAY)
    out = cli("log", "1", "qualified", "--bant", "need=yes,authority=decision_maker,timing=3m", "--at", MONDAY).stdout
    assert "suspect → hot lead" in out
    out = cli("log", "1", "callback", "--callback", "2026-11-24T14:00+01:00", "--team", "--at", MONDAY).stdout
    assert "callback — Acme" in out
    assert cli("queue", "--at", "2026-11-24T14:05+01:00", "--format", "json").stdout.count('"team callback"') == 1
    out = cli("log", "1", "appointment", "--appointment", "2026-11-30T10:00+01:00",
              "--at", "2026-11-24T14:05+01:00").stdout
    assert "hot lead → opportunity" in out


def test_dnc_add_list_remove(cli, tmp_path):
    assert cli("dnc", "add", "06-12345678").stdout.strip() == "+31612345678 added to the do-not-call list"
    assert "was already on" in cli("dnc", "add", "+31 6 1234 5678").stdout
    listed = cli("dnc", "list")
    assert listed.stdout.startswith("+31612345678\t") and "1 number on the do-not-call list" in listed.stderr
    path = write_csv(tmp_path / "leads.csv", "Company;Phone\nAcme;06-12345678\n")
    assert "suppressed        1" in cli("import", path).stdout
    one_line_error(cli("dnc", "add", "12", code=1), "'12' is not a number calldesk can use")
    assert "removed" in cli("dnc", "remove", "0612345678").stdout
    one_line_error(cli("dnc", "remove", "0612345678", code=1), "is not on the do-not-call list")


def test_options_before_the_command_hold_for_it(cli, tmp_path):
    path = write_csv(tmp_path / "leads.csv", "Company;Phone\nAcme;06-12345678\n")
    other = tmp_path / "other.db"
    cli("--db", other, "import", path)
    out = cli("--db", other, "--caller", "Bram", "--at", MONDAY, "next", "--format", "json").stdout
    assert json.loads(out)["company"] == "Acme"
    # The command's own option wins over the one before it.
    assert "Acme" in cli("--db", tmp_path / "none.db", "queue", "--db", other, "--caller", "bram",
                         "--at", MONDAY).stdout
    exported = cli("export", "--db", other).stdout
    assert "Acme" in exported and "Acme" not in cli("export").stdout  # CALLDESK_DB untouched


# -- report and callbacks (team lead) ------------------------------------------------------
TUESDAY = "2026-11-24T16:00+01:00"


@pytest.fixture
def desk(cli, tmp_path):
    """Three leads; anne and bram call on Tuesday 24 November; a callback, a team callback
    due after midnight in Amsterdam on a London lead, and an appointment."""
    path = write_csv(tmp_path / "leads.csv", "Company;Phone\nAcme;06-12345678\nThames Ltd;+44 20 7946 0958\nBeta;020-1234567\n")
    cli("import", path, "--at", "2026-11-02T09:00+01:00")
    cli("caller", "add", "tester", "--role", "team_lead", "--at", "2026-11-02T09:00+01:00")  # who runs these
    cli("log", "1", "interested", "--caller", "anne", "--at", "2026-11-24T10:00+01:00")
    cli("log", "2", "no_answer", "--caller", "bram", "--at", "2026-11-24T10:20+01:00")
    cli("log", "2", "callback", "--callback", "2026-11-25T00:30+01:00", "--team", "--note", "their evening",
        "--caller", "bram", "--at", "2026-11-24T10:30+01:00")
    cli("log", "3", "callback", "--callback", "2026-11-24T15:00+01:00", "--note", "after lunch",
        "--caller", "anne", "--at", "2026-11-24T10:40+01:00")
    cli("log", "1", "appointment", "--appointment", "2026-11-30T10:00+01:00", "--caller", "anne",
        "--at", "2026-11-24T11:05+01:00")


def test_report_formats(cli, desk):
    table = cli("report", "--at", TUESDAY).stdout
    assert max(map(len, table.splitlines())) <= 100
    for text in ("Leads per stage", "suspect → prospect", "\nCallers today\n",
                 "\nCallers this week\n", "Calls per hour today", "Stuck leads: 0"):
        assert text in table
    assert [line.split()[:4] for line in table.splitlines() if line.startswith("  anne")] == [["anne", "3", "3", "100%"]] * 2
    # The goal (60 a calling day, from the config) and how far each caller got, in their own row.
    assert [line.split()[-2:] for line in table.splitlines() if line.startswith("  bram")] == [["60", "3.3%"], ["120", "1.7%"]]
    data = json.loads(cli("report", "--at", TUESDAY, "--format", "json").stdout)
    assert data["funnel"] == {"suspect": 2, "prospect": 0, "hot_lead": 0, "opportunity": 1, "customer": 0, "lost": 0}
    assert data["conversion"][0] == {"from": "suspect", "to": "prospect", "base": 3, "converted": 1, "rate": 1 / 3}
    anne, bram = data["today"]
    assert (anne["caller"], anne["calls"], anne["connects"], anne["hot_leads"], anne["appointments"]) == ("anne", 3, 3, 1, 1)
    assert (bram["calls"], bram["connects"], bram["connect_rate"], bram["of_goal"]) == (2, 1, 0.5, 2 / 60)
    hours = {h["hour"][11:16]: h["calls"] for h in data["calls_per_hour"] if h["calls"]}
    assert hours == {"10:00": 4, "11:00": 1} and data["calls_per_hour"][-1]["hour"].startswith("2026-11-24T16:00")
    lines = cli("report", "--at", TUESDAY, "--format", "csv").stdout.splitlines()
    assert lines[0] == "section,subject,metric,value"
    assert "today,anne,calls,3" in lines and "funnel,opportunity,leads,1" in lines
    assert "conversion,suspect>prospect,converted,0" in cli("report", "--at", TUESDAY, "--from", "2026-11-25",
                                                            "--to", "2026-11-25", "--format", "csv").stdout


def test_report_shows_each_callers_own_goal(cli, desk):
    cli("caller", "add", "anne", "--goal", "20", "--at", TUESDAY)  # bram keeps the config's 60
    table = cli("report", "--at", TUESDAY).stdout
    assert "calls each" not in table  # no one figure for everyone
    heads = [line.split() for line in table.splitlines() if line.startswith("  caller")]
    assert heads and all(head[-3:] == ["goal", "of", "goal"] for head in heads)
    rows = {(line.split()[0], n): line.split()[-2:] for n, line in enumerate(
        line for line in table.splitlines() if line.startswith(("  anne", "  bram")))}
    assert rows == {("anne", 0): ["20", "15%"], ("bram", 1): ["60", "3.3%"],  # today: 3 of 20, 2 of 60
                    ("anne", 2): ["40", "7.5%"], ("bram", 3): ["120", "1.7%"]}  # this week: Monday and Tuesday
    assert max(map(len, table.splitlines())) <= 100
    nl = cli("--lang", "nl", "report", "--at", TUESDAY).stdout
    assert max(map(len, nl.splitlines())) <= 100 and "doel" in nl
    data = json.loads(cli("report", "--at", TUESDAY, "--format", "json").stdout)
    assert [(f["caller"], f["goal"]) for f in data["today"]] == [("anne", 20), ("bram", 60)]


def test_callbacks_formats_filters_and_ics(cli, desk, tmp_path):
    table = cli("callbacks", "--at", TUESDAY).stdout.splitlines()
    assert max(map(len, table)) <= 100
    assert [line for line in table if not line.startswith("  ")] == ["OVERDUE (1)", " anne", "TOMORROW (1)", " team"]
    london = next(line for line in table if "Thames" in line)
    assert "Wed 25 Nov 00:30" in london and "23:30 GMT" in london and "+442079460958" in london
    data = json.loads(cli("callbacks", "--at", TUESDAY, "--format", "json").stdout)["callbacks"]
    assert [(c["group"], c["company"], c["caller"]) for c in data] == [("overdue", "Beta", "anne"),
                                                                      ("tomorrow", "Thames Ltd", None)]
    assert data[1]["lead_local_time"] == "2026-11-24T23:30:00+00:00" and data[1]["time_zone"] == "Europe/London"
    assert (data[1]["note"], data[1]["created_by"], data[1]["phone"]) == ("their evening", "bram", "+442079460958")
    lines = cli("callbacks", "--at", TUESDAY, "--format", "csv", "--caller", "team").stdout.splitlines()
    assert lines[0] == ("group,due_at,caller,callback_id,lead_id,company,contact,phone,time_zone,lead_local_time,note,"
                        "created_by,released_from")
    assert len(lines) == 2 and "Thames Ltd" in lines[1]
    overdue = json.loads(cli("callbacks", "--at", TUESDAY, "--overdue", "--format", "json").stdout)["callbacks"]
    assert [c["company"] for c in overdue] == ["Beta"]
    assert [c["company"] for c in json.loads(cli("callbacks", "--at", TUESDAY, "--caller", "bram", "--format", "json",
                                                  "--from", "2026-11-25").stdout)["callbacks"]] == ["Thames Ltd"]
    empty = cli("callbacks", "--at", TUESDAY, "--from", "2026-12-01")
    assert empty.stderr.strip() == "no open callbacks"

    import icalendar

    uids = []
    for at in (TUESDAY, "2026-11-24T16:30+01:00"):
        result = cli("callbacks", "--at", at, "--ics", tmp_path / "agenda.ics")
        assert result.stdout == "" and "2 callbacks and 1 appointment written to" in result.stderr
        parsed = icalendar.Calendar.from_ical((tmp_path / "agenda.ics").read_bytes()).walk("VEVENT")
        uids.append(sorted(str(event["uid"]) for event in parsed))
        summaries = sorted(str(event["summary"]) for event in parsed)
    sid = uids[0][0].split(".")[1].split("@")[0]  # the store's own id, the same in every export
    assert re.fullmatch("[0-9a-f]{12}", sid)
    assert uids[0] == uids[1] == [f"appointment-5.{sid}@calldesk", f"callback-1.{sid}@calldesk",
                                  f"callback-2.{sid}@calldesk"]
    assert summaries == ["Appointment Acme", "Call back Beta", "Call back Thames Ltd"]
    one_line_error(cli("callbacks", "--ics", tmp_path / "nofolder" / "a.ics", code=1), "cannot write")


@pytest.mark.parametrize(("args", "message"), [
    (["report", "--from", "24-11-2026"], "--from '24-11-2026': expected a date as YYYY-MM-DD"),
    (["report", "--to", "2026-02-30"], "--to '2026-02-30': expected a date as YYYY-MM-DD"),
    (["report", "--from", "2026-11-25", "--to", "2026-11-24"], "--from 2026-11-25 is after --to 2026-11-24"),
    (["report", "--from", "2026-12-01", "--at", TUESDAY], "--from 2026-12-01 is not before the end of the period"),
    (["callbacks", "--from", "tomorrow"], "--from 'tomorrow': expected a date as YYYY-MM-DD"),
    (["callbacks", "--from", "2026-11-25", "--to", "2026-11-01"], "--from 2026-11-25 is after --to 2026-11-01"),
])
def test_report_and_callbacks_bad_dates_are_one_line_errors(cli, args, message):
    one_line_error(cli(*args, code=1), message)


def test_callers_and_roles_from_the_command_line(cli):
    one_line_error(cli("caller", "add", "anne", code=1), "this desk has no team lead yet")
    assert cli("caller", "add", "Tess", "--role", "team_lead", "--goal", "20").stdout.strip() == \
        "added: tess, team lead, goal 20"
    assert cli("--caller", "tess", "caller", "add", "anne").stdout.strip() == "added: anne, caller, goal 60 (config)"
    one_line_error(cli("--caller", "anne", "caller", "add", "bram", code=1), "only a team lead can add or change callers")
    assert cli("--caller", "tess", "caller", "add", "anne", "--goal", "45", "--inactive").stdout.strip() == \
        "changed: anne, caller, goal 45, inactive"
    table = cli("caller", "list").stdout.splitlines()
    assert [line.split() for line in table] == [["name", "role", "goal", "active"], ["anne", "caller", "45", "no"],
                                                ["tess", "team", "lead", "20", "yes"]]
    data = json.loads(cli("caller", "list", "--format", "json").stdout)
    assert [(c["name"], c["role"], c["daily_goal"], c["active"]) for c in data] == [
        ("anne", "caller", 45, False), ("tess", "team_lead", 20, True)]
    cli("next", "--caller", "bram", "--at", MONDAY, code=3)  # a first use adds the caller
    assert "bram" in cli("caller", "list").stdout


def test_assign_unassign_and_stage_by_hand(cli, demo_db):
    # demo_db: the demo was made by "tester" (CALLDESK_CALLER), its team lead.
    cli("--db", demo_db, "caller", "add", "eva")  # a new caller: no demo leads of her own yet
    assert cli("--db", demo_db, "assign", "--caller", "eva", "--stage", "suspect", "--count", "3").stdout.strip() == \
        "3 leads assigned to eva"
    one_line_error(cli("--db", demo_db, "assign", "--caller", "piet", "--count", "1", code=1), "no caller named 'piet'")
    one_line_error(cli("--db", demo_db, "assign", "--caller", "bram", code=1), "say which leads")
    one_line_error(cli("--db", demo_db, "--caller", "anne", "assign", "--caller", "bram", "--count", "1", code=1),
                   "only a team lead can assign leads (anne is not one")
    assert cli("--db", demo_db, "unassign", "--caller", "eva").stdout.strip() == "3 leads back in the shared pool"
    lead_id = json.loads(cli("queue", "--db", demo_db, "--caller", "anne", "--at", MONDAY, "--format", "json",
                             "--limit", "1").stdout)["leads"][0]["id"]
    assert cli("--db", demo_db, "assign", "--caller", "anne", "--lead", lead_id).stdout.strip() == "1 lead assigned to anne"
    moved = cli("--db", demo_db, "stage", lead_id, "suspect", "--reason", "wrong contact").stdout
    assert moved.startswith(f"lead {lead_id} (") and moved.strip().endswith("→ suspect")
    one_line_error(cli("--db", demo_db, "stage", lead_id, "suspect", "--reason", "again", code=1), "already suspect")
    one_line_error(cli("--db", demo_db, "stage", "99999", "lost", "--reason", "x", code=1), "no lead with id 99999")
    assert cli("--db", demo_db, "stage", lead_id, "banana", "--reason", "x", code=2).stderr  # Typer names the choices


def test_callers_see_only_their_own_callbacks_and_no_report(cli, demo_db):
    mine = json.loads(cli("--db", demo_db, "--caller", "anne", "callbacks", "--at", MONDAY, "--format", "json").stdout)
    assert mine["caller"] == "anne" and {c["caller"] for c in mine["callbacks"]} <= {"anne", None}
    everyone = json.loads(cli("--db", demo_db, "callbacks", "--at", MONDAY, "--format", "json").stdout)["callbacks"]
    assert {c["caller"] for c in everyone} - {"anne", None}  # the team lead sees the others' too
    released = [c for c in everyone if c["released_from"]]
    assert released and all(c["caller"] is None and c["group"] == "overdue" for c in released)
    one_line_error(cli("--db", demo_db, "--caller", "anne", "callbacks", "--caller", "bram", code=1),
                   "only a team lead can see bram's callbacks")
    one_line_error(cli("--db", demo_db, "--caller", "anne", "report", "--at", MONDAY, code=1),
                   "only a team lead can read the pipeline report (anne is not one")


# -- in Dutch ----------------------------------------------------------------------------------


def test_help_and_errors_in_dutch_by_lang_config_or_locale(cli, tmp_path):
    out = cli("--lang", "nl", "--help").stdout
    assert "Exporteer leads als CSV (formuleveilig voor spreadsheets)." in out
    assert "Toon de versie en stop." in out and "Toon deze hulp en stop." in out
    assert "Zet een nummer op de niet-bellen-lijst." in cli("--lang=nl", "dnc", "--help").stdout
    (tmp_path / "nl.toml").write_text('language = "nl"\n')
    assert "Exporteer leads" in cli("--config", tmp_path / "nl.toml", "--help").stdout
    assert "Exporteer leads" in cli("--help", extra_env={"LANG": "nl_NL.UTF-8", "LC_ALL": ""}).stdout
    english = cli("--lang", "en", "--help", extra_env={"LANG": "nl_NL.UTF-8"}).stdout
    assert "Export leads as CSV" in english and "Show this message and exit." in english
    result = cli("--lang", "nl", "caller", "add", "anne", "--at", "tomorrow", code=1)
    assert result.stderr.strip().splitlines() == [
        "calldesk: fout: --at 'tomorrow': 'tomorrow' is niet te lezen als moment: voeg een tijd toe, bv. 'tomorrow 10:00'"]
    lines = cli("--lang", "nl", "caller", "add", "anne", code=1).stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("calldesk: fout: ")
    assert cli("--lang", "nl", "caller", "add", "Tess", "--role", "team_lead", "--goal", "20").stdout.strip() == \
        "toegevoegd: tess, teamleider, doel 20"


def test_report_and_callbacks_in_dutch_with_machine_output_in_english(cli, desk):
    table = cli("--lang", "nl", "report", "--at", TUESDAY).stdout
    assert max(map(len, table.splitlines())) <= 100
    for text in ("Pipelinerapport op di 24 nov 16:00", "Leads per fase", "  klant", "suspect → prospect",
                 "\nBellers vandaag\n", "\nBellers deze week\n", "gewonnen", "Vastgelopen leads: 0"):
        assert text in table
    assert [line.split()[:4] for line in table.splitlines() if line.startswith("  anne")] == [["anne", "3", "3", "100%"]] * 2
    data = json.loads(cli("--lang", "nl", "report", "--at", TUESDAY, "--format", "json").stdout)
    assert list(data["funnel"]) == ["suspect", "prospect", "hot_lead", "opportunity", "customer", "lost"]
    assert cli("--lang", "nl", "report", "--at", TUESDAY, "--format", "csv").stdout.splitlines()[0] == \
        "section,subject,metric,value"
    agenda = cli("--lang", "nl", "callbacks", "--at", TUESDAY).stdout.splitlines()
    assert [line for line in agenda if not line.startswith("  ")] == ["TE LAAT (1)", " anne", "MORGEN (1)", " team"]
    assert "wo 25 nov 00:30" in next(line for line in agenda if "Thames" in line)
    assert cli("--lang", "nl", "callbacks", "--at", TUESDAY, "--format", "csv").stdout.startswith("group,due_at,caller,")
    assert cli("--lang", "nl", "callbacks", "--at", TUESDAY, "--from", "2026-12-01").stderr.strip() == \
        "geen open terugbelverzoeken"


def test_outputs_never_write_over_the_store_and_keep_what_the_path_is(cli, tmp_path):
    """--out and --ics: never the store (a slip must not wipe the day's calls), not a folder or
    an empty name; a link still points where it did; an existing file keeps its permissions."""
    cli("import", write_csv(tmp_path / "in.csv", "Company,Phone\nAcme,06-12345678\n"))
    store = tmp_path / "desk.db"
    before = store.read_bytes()
    one_line_error(cli("export", "--out", store, code=1), "would write over")
    one_line_error(cli("export", "--out", "desk.db-wal", code=1), "would write over")
    one_line_error(cli("export", "--person", "0612345678", "--out", store, code=1), "would write over")
    one_line_error(cli("callbacks", "--ics", store, code=1), "would write over")
    one_line_error(cli("export", "--out", "", code=1), "--out: expected a file name")
    one_line_error(cli("export", "--out", tmp_path, code=1), "is a folder")
    assert store.read_bytes()[:16] == before[:16] == b"SQLite format 3\x00"
    assert "Acme" in cli("export").stdout  # the store still opens, its lead intact
    private = tmp_path / "private.csv"
    private.write_text("old")
    private.chmod(0o600)
    link = tmp_path / "link.csv"
    link.symlink_to(private)
    cli("export", "--out", link)
    assert link.is_symlink() and "Acme" in private.read_text() and private.stat().st_mode & 0o777 == 0o600
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE, text=True)
    cli("callbacks", "--ics", fifo)
    assert "BEGIN:VCALENDAR" in reader.communicate(timeout=30)[0]
    assert fifo.is_fifo() and not list(tmp_path.glob("*.partial"))


def test_excel_export_to_standard_output_has_the_bom(cli, tmp_path):
    cli("import", write_csv(tmp_path / "in.csv", "Company,Phone\nCafé,06-12345678\n"))
    out = subprocess.run([sys.executable, "-m", "calldesk", "export", "--excel"], capture_output=True, cwd=tmp_path,
                         env={**os.environ, "CALLDESK_DB": str(tmp_path / "desk.db"), "CALLDESK_CALLER": "tester",
                              "XDG_CACHE_HOME": str(tmp_path / "cache")}, timeout=120).stdout
    assert out.startswith("\ufeffid;company".encode())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["queue", "--at", "9999-12-31T23:59"], "--at '9999-12-31T23:59': expected a year from 1900 to 2999"),
        (["next", "--at", "0001-01-01T00:00"], "expected a year from 1900 to 2999"),
        (["log", "1", "no_answer", "--at", "9999-12-31T23:59"], "expected a year from 1900 to 2999"),
        (["log", "1", "callback", "--callback", "9999-12-31T23:59"], "expected a year from 1900 to 2999"),
        (["log", "1", "callback", "--callback", "2990-01-01T10:00"], "is more than ten years ahead"),
        (["log", "1", "appointment", "--appointment", "2990-01-01T10:00"], "is more than ten years ahead"),
        (["report", "--to", "9999-12-31"], "--to '9999-12-31': expected a year from 1900 to 2999"),
        (["callbacks", "--from", "0001-01-01"], "expected a year from 1900 to 2999"),
        (["report", "--to", "2026-11-10", "--at", "2026-11-25T10:00"], "--to 2026-11-10 ends before this week's Monday"),
        (["queue", "--caller", "   "], "a caller's name can't be empty"),
        (["next", "--caller", "team"], "'team' stands for the whole team"),
        (["next", "--caller", "x" * 41], "at most 40 characters"),
    ],
)
def test_moments_and_names_out_of_range_are_one_line_errors_and_write_nothing(cli, tmp_path, args, message):
    cli("import", write_csv(tmp_path / "in.csv", "Company,Phone\nAcme,06-12345678\n"), "--at", "2026-11-02T09:00")
    cli("caller", "add", "tester", "--role", "team_lead", "--at", "2026-11-02T09:00")
    before = cli("export").stdout
    one_line_error(cli(*args, code=1), message)
    assert cli("export").stdout == before
    person = json.loads(cli("export", "--person", "0612345678").stdout)["leads"][0]
    assert person["calls"] == [] and person["callbacks"] == [] and person["stage_changes"] == []


def test_an_inactive_caller_gets_no_work(cli, tmp_path):
    cli("import", write_csv(tmp_path / "in.csv", "Company,Phone\nAcme,06-12345678\n"), "--at", "2026-11-02T09:00")
    cli("caller", "add", "tester", "--role", "team_lead", "--at", "2026-11-02T09:00")
    cli("caller", "add", "bram", "--inactive", "--at", "2026-11-02T09:00")
    one_line_error(cli("next", "--caller", "bram", "--at", MONDAY, code=1), "bram is inactive and gets no work")
    one_line_error(cli("queue", "--caller", "bram", "--at", MONDAY, code=1), "bram is inactive")
    cli("caller", "add", "bram", "--active", "--at", "2026-11-02T09:00")
    assert "Acme" in cli("next", "--caller", "bram", "--at", MONDAY).stdout


def test_callbacks_for_the_team_are_any_callers_and_a_mistyped_name_is_an_error(cli, desk):
    team = json.loads(cli("callbacks", "--at", TUESDAY, "--caller", "team", "--format", "json",
                          extra_env={"CALLDESK_CALLER": "anne"}).stdout)["callbacks"]
    assert [(c["company"], c["caller"]) for c in team] == [("Thames Ltd", None)]  # a caller sees the team's
    one_line_error(cli("callbacks", "--caller", "bram", code=1, extra_env={"CALLDESK_CALLER": "anne"}),
                   "only a team lead can see bram's callbacks")
    one_line_error(cli("callbacks", "--caller", "anen", code=1), "no caller named anen")  # tester is a team lead


def test_no_call_is_logged_on_a_number_on_the_do_not_call_list(cli, tmp_path):
    cli("import", write_csv(tmp_path / "in.csv", "Company,Phone\nAcme,06-12345678\n"), "--at", "2026-11-02T09:00")
    cli("log", "1", "do_not_call", "--at", MONDAY)
    before = cli("export", "--person", "0612345678").stdout
    for outcome in ("interested", "do_not_call --again"):  # (without --again: the same call sent twice)
        one_line_error(cli("log", "1", *outcome.split(), "--at", MONDAY, code=1), "is on the do-not-call list")
    assert "already recorded" in cli("log", "1", "do_not_call", "--at", MONDAY).stdout
    after = cli("export", "--person", "0612345678").stdout
    assert json.loads(after)["leads"] == json.loads(before)["leads"]  # nothing written
    cli("dnc", "remove", "0612345678")  # they asked to be called again
    cli("log", "1", "interested", "--at", MONDAY)


def test_another_programs_sqlite_file_is_not_taken_over(cli, tmp_path):
    import sqlite3

    other = tmp_path / "notes.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
        conn.execute("INSERT INTO notes (text) VALUES ('mine')")
    conn.close()
    one_line_error(cli("queue", "--db", other, code=1), "is another program's database, not a calldesk store")
    with sqlite3.connect(other) as conn:
        assert [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")] == ["notes"]
    conn.close()
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()  # an empty file is a new store, as before
    cli("queue", "--db", empty)


def test_new_files_with_personal_data_are_the_owners_only(cli, tmp_path):
    # Under the usual umask 022 a new file would be world-readable: these hold names and numbers.
    cli("import", write_csv(tmp_path / "in.csv", "Company,Phone\nAcme,06-12345678\n"))
    old = os.umask(0o022)
    try:
        cli("export", "--out", tmp_path / "leads.csv")
        cli("export", "--excel", "--out", tmp_path / "leads-nl.csv")
        cli("export", "--person", "0612345678", "--out", tmp_path / "person.json")
        cli("callbacks", "--ics", tmp_path / "callbacks.ics")
        shared = tmp_path / "shared.csv"
        shared.write_text("old")
        shared.chmod(0o644)  # a file the user made readable keeps its mode
        cli("export", "--out", shared)
    finally:
        os.umask(old)
    for name in ("leads.csv", "leads-nl.csv", "person.json", "callbacks.ics"):
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o600, name
    assert shared.stat().st_mode & 0o777 == 0o644 and "Acme" in shared.read_text()


# -- one "your time": a time without a zone is the desk's zone, not the machine's (issue 16) ----


def _callback_dues(tmp_path) -> list[datetime]:
    import sqlite3

    with closing(sqlite3.connect(tmp_path / "desk.db")) as conn:
        rows = conn.execute("SELECT due_at FROM callbacks ORDER BY id").fetchall()
    return [datetime.fromisoformat(str(due)).replace(tzinfo=UTC) for (due,) in rows]


@pytest.mark.parametrize("machine_zone", ["UTC", "America/New_York", "Europe/Amsterdam"])
def test_a_naive_callback_time_is_the_desks_zone_whatever_the_machines(cli, tmp_path, machine_zone):
    path = write_csv(tmp_path / "leads.csv", "Company;Phone\nAcme;06-12345678\n")
    cli("import", path, "--at", MONDAY)
    lead_id = cli("next", "--at", MONDAY).stdout.split("\t")[0]
    env = {"TZ": machine_zone}
    cli("log", lead_id, "callback", "--callback", "2026-12-04T10:00", "--at", "2026-11-23T10:30", extra_env=env)
    cli("log", lead_id, "callback", "--callback", "morgen 10:00", "--at", "2026-11-23T10:30", "--again", extra_env=env)
    # 10:00 in Amsterdam is 09:00 UTC, on a UTC server too (it saved 10:00 UTC = 11:00 Amsterdam).
    assert _callback_dues(tmp_path) == [datetime(2026, 12, 4, 9, 0, tzinfo=UTC), datetime(2026, 11, 24, 9, 0, tzinfo=UTC)]


def test_the_timezone_key_names_the_desks_zone_and_a_bad_one_is_a_clear_error(cli, tmp_path):
    path = write_csv(tmp_path / "leads.csv", "Company;Phone\nAcme;06-12345678\n")
    cli("import", path, "--at", MONDAY)
    lead_id = cli("next", "--at", MONDAY).stdout.split("\t")[0]
    (tmp_path / "london.toml").write_text('timezone = "Europe/London"\n', encoding="utf-8")
    cli("log", lead_id, "callback", "--callback", "2026-12-04T10:00", "--at", MONDAY, "--config", "london.toml",
        extra_env={"TZ": "UTC"})
    assert _callback_dues(tmp_path) == [datetime(2026, 12, 4, 10, 0, tzinfo=UTC)]
    (tmp_path / "bad.toml").write_text('timezone = "Europe/Amsterdamm"\n', encoding="utf-8")
    one_line_error(cli("queue", "--config", "bad.toml", code=1),
                   "bad.toml: timezone: expected an IANA time zone such as Europe/Amsterdam, got 'Europe/Amsterdamm'")


def test_a_time_in_the_spring_forward_gap_is_the_same_instant_in_the_cli_and_the_app(cli, tmp_path):
    """02:30 on 28 March 2027 does not exist in Amsterdam: it moves on by the gap, to 03:30 CEST
    (01:30 UTC), as the picker reads it, whatever the machine's zone (issue 18)."""
    from calldesk.rules.schedule import parse_when

    path = write_csv(tmp_path / "leads.csv", "Company;Phone\nAcme;06-12345678\n")
    cli("import", path, "--at", MONDAY)
    lead_id = cli("next", "--at", MONDAY).stdout.split("\t")[0]
    for zone in ("Europe/Amsterdam", "UTC"):
        cli("log", lead_id, "callback", "--callback", "2027-03-28T02:30", "--at", "2027-03-25T10:00", "--again",
            extra_env={"TZ": zone})
    app = parse_when("28-03-2027 02:30", datetime(2027, 3, 25, 9, 0, tzinfo=UTC), "Europe/Amsterdam", "NL")
    assert _callback_dues(tmp_path) == [app, app] == [datetime(2027, 3, 28, 1, 30, tzinfo=UTC)] * 2


def test_help_says_a_time_without_a_zone_is_the_desks(cli):
    for command in (["log", "--help"], ["queue", "--help"], ["callbacks", "--help"]):
        text = " ".join(cli(*command, extra_env={"COLUMNS": "200"}).stdout.split())
        assert "desk's zone" in text, command


def test_queue_table_speaks_dutch_and_scripts_keep_english(cli, demo_db):
    table = cli("--lang", "nl", "queue", "--db", demo_db, "--at", MONDAY, "--limit", "12").stdout
    assert "beslisser (" in table and "decision-maker" not in table
    assert "hot lead" in table and "hot_lead" not in table and "terugb. team" in table
    assert " ma 1" in table and "Mon " not in table
    rows = json.loads(cli("--lang", "nl", "queue", "--db", demo_db, "--at", MONDAY, "--format", "json").stdout)["leads"]
    assert any("decision-maker (" in row["reasons"] for row in rows)  # what a script reads stays English
    assert {row["stage"] for row in rows} >= {"hot_lead"}


def test_import_premium_numbers_and_lead_of_several_zones_in_the_queue(cli, tmp_path):
    path = write_csv(tmp_path / "us.csv", "Company,Phone,Country\nToll Free Inc,1-800-555-0199,USA\n"
                     "Betaallijn,0909 8164818,\nBuiten,06-12345678,Narnia\n")
    out = cli("import", path).stdout
    assert "imported          1" in out and "rejected          2" in out
    assert "premium-rate number in NL (import with --allow-premium to keep it)" in out
    assert "unknown country 'Narnia'" in out
    assert "imported          1" in cli("import", path, "--allow-premium").stdout
    # 19:30 UTC Monday: 09:30 in Honolulu, 14:30 in New York — open in every US zone.
    rows = json.loads(cli("queue", "--at", "2026-11-23T19:30Z", "--format", "json").stdout)["leads"]
    toll = next(r for r in rows if r["company"] == "Toll Free Inc")
    assert toll["local_time"] == "Mon 09:30–14:30"
    nothing = cli("queue", "--at", "2026-11-23T14:30Z", "--format", "json").stdout  # 09:30 New York
    assert "Toll Free Inc" not in nothing
