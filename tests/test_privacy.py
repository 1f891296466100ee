"""Privacy: erasing a person, the access-request export and the retention purge, on real stores;
the erased bytes are looked for in the SQLite files themselves."""

import json
import re
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from calldesk.db.calls import CallbackRequest, dnc_add, dnc_list, dnc_remove, log_activity, record_outcome
from calldesk.db.demo import load_demo
from calldesk.db.engine import open_store
from calldesk.db.imports import import_csv
from calldesk.db.leads import add_lead, update_lead
from calldesk.db.models import Lead, Signal, StageChange, Suppression
from calldesk.db.privacy import HASH_PREFIX, erase, months_before, person_record, purge_lost
from calldesk.db.team import save_caller
from calldesk.errors import CalldeskError
from calldesk.rules.config import Config, parse_config
from calldesk.rules.kinds import ActivityKind, Role
from calldesk.rules.outcomes import Outcome
from calldesk.rules.script import Answer
from tests.command import one_line_error
from tests.conftest import NOW, orm, write_csv
from tests.stored import everything

CONFIG = Config()
PHONE, E164 = "06-12345678", "+31612345678"
# What must not be found anywhere after an erase: the number in every form it was stored in,
# the name (as first entered and as corrected), the e-mail, the company and words from notes.
TRACES = ("Jozefien", "Ravensbergen", "jozefien@zwaluw.example", "Zwaluw", "Kwartiermaker",
          E164, PHONE, "612345678")


def team_lead(store, name="tess"):
    save_caller(store, name, by=name, now=NOW, role=Role.team_lead)


def person(store, phone=PHONE, company="Zwaluw Bouw", now=NOW):
    """A lead with a full history: calls with notes, BANT answers, a callback, a signal, an
    e-mail, stage changes and a corrected name."""
    lead_id = add_lead(store, phone=phone, now=now - timedelta(days=40), by="tess", config=CONFIG,
                       company=company, contact_name="Jozefien Ravensbergen", email="jozefien@zwaluw.example")
    with orm(store) as session:
        session.add(Signal(lead_id=lead_id, kind="download", at=now - timedelta(days=3),
                           detail="Jozefien downloadde de brochure"))
    record_outcome(store, lead_id, Outcome.callback, caller="anne", now=now, config=CONFIG,
                   notes="Jozefien vraagt om terug te bellen, Kwartiermaker-project",
                   bant={"need": Answer("yes", "Jozefien wil een planning")},
                   callback=CallbackRequest(now + timedelta(days=1), note="bel Jozefien"))
    update_lead(store, lead_id, {"contact_name": "Jozefien Ravensbergen-Smit"}, now=now, by="anne", config=CONFIG)
    log_activity(store, lead_id, ActivityKind.email, caller="anne", now=now, note="prijslijst aan Jozefien")
    record_outcome(store, lead_id, Outcome.interested, caller="anne", now=now + timedelta(days=1, minutes=5),
                   config=CONFIG, notes="Jozefien enthousiast")
    return lead_id


def suppression(store):
    with store.read() as conn:
        return conn.scalars(sa.select(Suppression.phone_e164)).all()


def test_erase_removes_the_person_and_nothing_else(store):
    team_lead(store)
    other = add_lead(store, phone="020 123 4567", now=NOW, by="tess", company="Ander BV", contact_name="Piet")
    record_outcome(store, other, Outcome.interested, caller="anne", now=NOW, config=CONFIG, notes="Piet belt terug")
    before = everything(store)
    lead_id = person(store)
    done = erase(store, str(lead_id), by="tess", now=NOW, region="NL")
    assert (done.number, done.lead_ids, done.company, done.suppressed) == (E164, [lead_id], "Zwaluw Bouw", False)
    assert done.rows == {"bant_answers": 1, "callbacks": 1, "signals": 1, "activities": 1, "stage_changes": 1,
                         "calls": 2, "leads": 1}
    assert done.scrubbed is (True if store.is_sqlite else None)
    after = everything(store)
    # Every table as it was before the person came: the other lead and its history untouched.
    assert {t: rows for t, rows in after.items() if t != "meta"} == {t: rows for t, rows in before.items() if t != "meta"}
    # Not on the do-not-call list: no trace kept, and the number may come back as a new lead.
    assert suppression(store) == []
    assert add_lead(store, phone=PHONE, now=NOW, by="tess")


def test_an_objection_stays_as_a_keyed_hash_only(store, tmp_path):
    team_lead(store)
    lead_id = person(store)
    record_outcome(store, lead_id, Outcome.do_not_call, caller="anne", now=NOW + timedelta(days=2), config=CONFIG)
    assert suppression(store) == [E164]
    done = erase(store, "+31 6 1234 5678", by="tess", now=NOW + timedelta(days=3), region="NL")
    assert done.lead_ids == [lead_id] and done.suppressed
    [kept] = suppression(store)
    assert kept.startswith(HASH_PREFIX) and "12345678" not in kept
    [entry] = dnc_list(store)
    assert (entry.phone_e164, entry.reason, entry.added_by) == ("(erased person)", "objected (person erased)", "anne")
    assert entry.added_at == NOW + timedelta(days=2)  # when they objected, not when they were erased
    # Still suppressed everywhere a number is checked.
    with pytest.raises(CalldeskError, match="do-not-call list"):
        add_lead(store, phone=PHONE, now=NOW, by="tess")
    other = add_lead(store, phone="020 123 4567", now=NOW, by="tess")
    with pytest.raises(CalldeskError, match="do-not-call list"):
        update_lead(store, other, {"phone": "0612345678"}, now=NOW, by="tess", config=CONFIG)
    csv = write_csv(tmp_path / "again.csv", "Company;Phone;Bel niet\nZwaluw Bouw;06 12345678;ja\nNieuw BV;0301234567;\n")
    summary = import_csv(store, csv, now=NOW, by="t")
    assert (summary.imported, summary.suppressed) == (1, 1)
    assert suppression(store) == [kept]  # the import's do-not-call column added no plain copy
    assert dnc_add(store, PHONE, now=NOW, by="anne", region="NL") == (E164, False)
    assert person_record(store, PHONE, region="NL", now=NOW)["do_not_call"]["kept_as"] == "keyed hash"
    # Erasing again finds nothing but the hash, and keeps it (nothing to scrub).
    again = erase(store, PHONE, by="tess", now=NOW, region="NL")
    assert again.suppressed and again.scrubbed is None
    # If they ask to be called again, the hashed entry comes off like a plain one.
    assert dnc_remove(store, PHONE, region="NL") == (E164, True)
    assert suppression(store) == []
    assert add_lead(store, phone=PHONE, now=NOW, by="tess")


def test_objected_suppresses_even_without_a_lead_or_entry(store):
    team_lead(store)
    done = erase(store, PHONE, by="tess", now=NOW, region="NL", objected=True)
    assert (done.lead_ids, done.suppressed) == ([], True)
    [entry] = dnc_list(store)
    assert (entry.phone_e164, entry.added_by, entry.added_at) == ("(erased person)", "tess", NOW)
    with pytest.raises(CalldeskError, match="do-not-call list"):
        add_lead(store, phone=PHONE, now=NOW, by="tess")


@pytest.mark.parametrize("target, by, message", [
    ("0612345678", "tess", "nothing stored about +31612345678"),
    ("99", "tess", "no lead with id 99, and '99' is not a phone number"),
    ("call me", "tess", "'call me' is neither a lead id nor a phone number"),
    ("0201234567", "anne", "only a team lead can erase a person's data"),
])
def test_erase_refusals_write_nothing(store, target, by, message):
    team_lead(store)
    person(store, phone="020 123 4567")
    before = everything(store)
    with pytest.raises(CalldeskError, match=re.escape(message)):
        erase(store, target, by=by, now=NOW, region="NL")
    assert everything(store) == before


def test_each_store_has_its_own_key(store, tmp_path):
    other = open_store(str(tmp_path / "other.db"))
    try:
        for each in (store, other):
            team_lead(each)
            erase(each, PHONE, by="tess", now=NOW, region="NL", objected=True)
        assert suppression(store) != suppression(other)  # a hash from one store means nothing in another
    finally:
        other.close()


def _file_bytes(path: Path) -> dict[str, bytes]:
    files = {suffix: Path(f"{path}{suffix}") for suffix in ("", "-wal", "-shm")}
    return {suffix or "db": file.read_bytes() for suffix, file in files.items() if file.exists()}


def _found(path: Path) -> list[str]:
    return [f"{trace} in {name}" for name, data in _file_bytes(path).items() for trace in TRACES
            if trace.encode() in data]


@pytest.mark.parametrize("build_default", ["secure_delete on", "secure_delete off"])
def test_erased_bytes_are_gone_from_the_sqlite_files(tmp_path, build_default):
    """Read while the store is still open (closing the last connection would tidy the WAL away).
    Some SQLite builds zero deleted content by default, others don't: both are tried."""
    path = tmp_path / "desk.db"
    store = open_store(str(path))
    try:
        if build_default == "secure_delete off":
            event.listen(store.engine, "connect", lambda conn, _: conn.execute("PRAGMA secure_delete = OFF"))
            store.engine.dispose()
        load_demo(store, NOW - timedelta(days=2), count=150, team_lead="tess")
        lead_id = person(store)
        add_lead(store, phone="020 123 4567", now=NOW, by="tess", company="Na Zwaluw")  # a later row beside it
        with store.write() as conn:
            conn.execute(sa.delete(Lead).where(Lead.company == "Na Zwaluw"))
        record_outcome(store, lead_id, Outcome.do_not_call, caller="anne", now=NOW + timedelta(days=2),
                       config=CONFIG, notes="bel Jozefien nooit meer")
        assert {trace.split(" in ")[0] for trace in _found(path)} == set(TRACES)  # there to be found
        done = erase(store, str(lead_id), by="tess", now=NOW + timedelta(days=3), region="NL")
        assert done.scrubbed and done.suppressed
        assert _found(path) == []
        with store.read() as conn:  # the store still works, with everyone else in it
            assert conn.scalar(sa.select(sa.func.count()).select_from(Lead)) == 150
    finally:
        store.close()


def test_person_export_has_everything_stored_about_them(store):
    team_lead(store)
    lead_id = person(store)
    add_lead(store, phone="020 123 4567", now=NOW, by="tess", company="Ander BV")
    record = person_record(store, "+31612345678", region="NL", now=NOW)
    json.dumps(record)  # JSON as it is
    assert (record["number"], record["exported_at"], record["do_not_call"]) == (E164, NOW.isoformat(), None)
    [entry] = record["leads"]
    lead = entry["lead"]
    assert (lead["id"], lead["company"], lead["contact_name"], lead["email"], lead["phone_raw"], lead["phone_e164"]) == (
        lead_id, "Zwaluw Bouw", "Jozefien Ravensbergen-Smit", "jozefien@zwaluw.example", PHONE, E164)
    assert lead["created_at"] == (NOW - timedelta(days=40)).isoformat()
    assert isinstance(lead["warmth_reasons"], list)
    assert entry["imported_from"] is None  # added by hand
    assert [c["notes"] for c in entry["calls"]] == ["Jozefien vraagt om terug te bellen, Kwartiermaker-project",
                                                    "Jozefien enthousiast"]
    assert all("undo" not in c for c in entry["calls"])
    assert [(b["element"], b["value"], b["note"]) for b in entry["bant_answers"]] == [
        ("need", "yes", "Jozefien wil een planning")]
    assert [(c["note"], c["status"], c["due_at"]) for c in entry["callbacks"]] == [
        ("bel Jozefien", "done", (NOW + timedelta(days=1)).isoformat())]
    assert [s["detail"] for s in entry["signals"]] == ["Jozefien downloadde de brochure"]
    assert [a["note"] for a in entry["activities"]] == ["prijslijst aan Jozefien"]
    assert [(s["from_stage"], s["to_stage"]) for s in entry["stage_changes"]] == [("suspect", "prospect")]
    dnc_add(store, PHONE, now=NOW, by="anne", region="NL", reason="vroeg het zelf")
    assert person_record(store, PHONE, region="NL", now=NOW)["do_not_call"] == {
        "since": NOW.isoformat(), "added_by": "anne", "reason": "vroeg het zelf", "kept_as": "number"}
    assert person_record(store, "0301234567", region="NL", now=NOW)["leads"] == []


def test_an_imported_person_export_names_the_source(store, tmp_path):
    csv = write_csv(tmp_path / "beurs.csv", "Company;Contact;Phone\nZwaluw Bouw;Jozefien;06-12345678\n")
    import_csv(store, csv, now=NOW, by="t", source="beurs 2026")
    [entry] = person_record(store, PHONE, region="NL", now=NOW)["leads"]
    assert entry["imported_from"] == {"file_name": "beurs.csv", "source": "beurs 2026", "imported_at": NOW.isoformat()}


def test_months_before():
    assert months_before(datetime(2026, 11, 23, 9, 30, tzinfo=UTC), 24) == datetime(2024, 11, 23, 9, 30, tzinfo=UTC)
    assert months_before(datetime(2026, 3, 31, tzinfo=UTC), 1) == datetime(2026, 2, 28, tzinfo=UTC)
    assert months_before(datetime(2028, 3, 31, tzinfo=UTC), 13) == datetime(2027, 2, 28, tzinfo=UTC)
    assert months_before(datetime(2026, 1, 15, tzinfo=UTC), 1) == datetime(2025, 12, 15, tzinfo=UTC)


def test_retention_setting():
    assert Config().privacy.retain_lost_months == 24
    assert parse_config("[privacy]\nretain_lost_months = 6\n").privacy.retain_lost_months == 6
    with pytest.raises(CalldeskError, match="privacy.retain_lost_months: Input should be greater than or equal to 1"):
        parse_config("[privacy]\nretain_lost_months = 0\n")


def lost_lead(store, phone, company, lost_at, outcome=Outcome.not_interested):
    lead_id = add_lead(store, phone=phone, now=lost_at - timedelta(days=10), by="tess", company=company)
    record_outcome(store, lead_id, outcome, caller="anne", now=lost_at, config=CONFIG)
    return lead_id


def test_purge_lists_then_removes_lost_leads_past_retention(store):
    team_lead(store)
    old = lost_lead(store, "0201000001", "Oud BV", NOW - timedelta(days=800))
    objected = lost_lead(store, "0201000002", "Bezwaar BV", NOW - timedelta(days=900), Outcome.do_not_call)
    recent = lost_lead(store, "0201000003", "Recent BV", NOW - timedelta(days=300))
    edited = lost_lead(store, "0201000004", "Bewerkt BV", NOW - timedelta(days=800))
    update_lead(store, edited, {"industry": "bouw"}, now=NOW - timedelta(days=100), by="tess", config=CONFIG)
    relost = lost_lead(store, "0201000005", "Weer verloren BV", NOW - timedelta(days=800))
    with orm(store) as session:  # moved back and lost again lately, updated_at left old
        session.add(StageChange(lead_id=relost, from_stage="prospect", to_stage="lost", at=NOW - timedelta(days=10),
                                changed_by="tess", reason="weer niets"))
    active = add_lead(store, phone="0201000006", now=NOW - timedelta(days=900), by="tess", company="Stil BV")

    before = everything(store)
    dry = purge_lost(store, now=NOW, months=24, by="anne")  # anyone may look
    assert everything(store) == before
    assert dry.cutoff == datetime(2024, 11, 23, 9, 30, tzinfo=UTC) and not dry.applied
    assert [(i.lead_id, i.company, i.lost_since) for i in dry.leads] == [
        (objected, "Bezwaar BV", NOW - timedelta(days=900)), (old, "Oud BV", NOW - timedelta(days=800))]

    with pytest.raises(CalldeskError, match="only a team lead can purge lost leads"):
        purge_lost(store, now=NOW, months=24, by="anne", apply=True)
    assert everything(store) == before
    done = purge_lost(store, now=NOW, months=24, by="tess", apply=True)
    assert done.applied and [i.lead_id for i in done.leads] == [objected, old]
    assert (done.rows["leads"], done.rows["calls"], done.rows["stage_changes"], done.kept_suppressed) == (2, 2, 2, 1)
    assert done.scrubbed is (True if store.is_sqlite else None)
    with store.read() as conn:
        assert sorted(conn.scalars(sa.select(Lead.id))) == sorted([recent, edited, relost, active])
    [kept] = suppression(store)
    assert kept.startswith(HASH_PREFIX)
    with pytest.raises(CalldeskError, match="do-not-call list"):
        add_lead(store, phone="0201000002", now=NOW, by="tess")
    assert purge_lost(store, now=NOW, months=24, by="tess", apply=True).leads == []


# -- the commands ----------------------------------------------------------------------------

def test_erase_and_export_person_commands(cli, tmp_path):
    csv = write_csv(tmp_path / "leads.csv",
                    "Company;Contact;Phone\nZwaluw Bouw;Jozefien;06-12345678\nAnder BV;Piet;020 123 4567\n")
    cli("import", csv, "--at", NOW.isoformat())
    cli("log", "1", "do_not_call", "--note", "bel Jozefien nooit meer", "--at", NOW.isoformat())
    one_line_error(cli("erase", "1", code=1), "only a team lead can erase a person's data")
    cli("caller", "add", "tester", "--role", "team_lead")

    record = json.loads(cli("export", "--person", "+31 6 12345678").stdout)
    assert record["leads"][0]["calls"][0]["notes"] == "bel Jozefien nooit meer"
    assert record["do_not_call"]["kept_as"] == "number"
    cli("export", "--person", PHONE, "--out", tmp_path / "jozefien.json")
    assert json.loads((tmp_path / "jozefien.json").read_text(encoding="utf-8"))["number"] == E164
    one_line_error(cli("export", "--person", PHONE, "--excel", code=1), "goes without --stage and --excel")
    one_line_error(cli("export", "--person", "12", code=1), "'12' is not a number calldesk can use")

    out = cli("erase", "1").stdout
    assert out == ("lead 1 (Zwaluw Bouw) erased with 1 call, 1 stage change; "
                   "the number stays on the do-not-call list as a keyed hash only\n")
    one_line_error(cli("erase", "77", code=1), "no lead with id 77")
    assert cli("dnc", "list").stdout.startswith("(erased person)\t")
    empty = cli("export", "--person", PHONE)
    assert json.loads(empty.stdout)["leads"] == [] and "nothing stored" not in empty.stderr
    assert "imported          0" in cli("import", csv).stdout  # Ander BV is a duplicate, Zwaluw suppressed
    assert E164 not in cli("export").stdout
    assert "nothing stored about +31301234567" in cli("export", "--person", "030 123 4567").stderr


def test_purge_command(cli, tmp_path):
    csv = write_csv(tmp_path / "leads.csv", "Company;Phone\nOud BV;0201000001\nNieuw BV;0201000002\n")
    cli("import", csv, "--at", "2023-01-02T10:00+00:00")
    cli("log", "1", "not_interested", "--at", "2023-01-02T11:00+00:00")
    cli("log", "2", "not_interested", "--at", "2026-01-02T11:00+00:00")
    (tmp_path / "privacy.toml").write_text("[privacy]\nretain_lost_months = 12\n")
    at = ("--at", NOW.isoformat(), "--config", tmp_path / "privacy.toml")
    assert cli("purge", *at).stdout == (
        "Dry run: 1 lead lost before 2025-11-23 (kept 12 months) would be removed; --apply removes them.\n"
        "       id  company                         lost since\n"
        "        1  Oud BV                          2023-01-02\n")
    one_line_error(cli("purge", "--apply", *at, code=1), "only a team lead can purge lost leads")
    cli("caller", "add", "tester", "--role", "team_lead")
    assert cli("purge", "--apply", *at).stdout.startswith(
        "1 lead lost before 2025-11-23 (kept 12 months) removed with 1 call, 1 stage change\n")
    assert cli("purge", *at).stdout == "Dry run: 0 leads lost before 2025-11-23 (kept 12 months) would be removed.\n"
    assert [line.split(",")[1] for line in cli("export").stdout.splitlines()[1:]] == ["Nieuw BV"]


def test_a_reader_holding_the_wal_is_reported_not_hidden(tmp_path, monkeypatch):
    monkeypatch.setattr("calldesk.db.engine.BUSY_TIMEOUT_MS", 100)  # the test needn't wait 15 s
    path = tmp_path / "desk.db"
    store = open_store(str(path))
    reader = sqlite3.connect(path, isolation_level=None)
    try:
        team_lead(store)
        lead_id = person(store)
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM leads").fetchone()  # another desk, mid-read
        done = erase(store, str(lead_id), by="tess", now=NOW, region="NL")
        assert done.lead_ids == [lead_id] and done.scrubbed is False
        reader.execute("COMMIT")
    finally:
        reader.close()
        store.close()
