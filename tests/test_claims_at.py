"""Claims hold on the real clock whatever --at says, calls never go back in time for a lead,
another caller's lead is a team lead's to log, and one limit for a note (issue 18)."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from calldesk.db.models import Call
from calldesk.db.queue import CLAIM_LEASE, claim_lead, claim_next
from calldesk.db.team import ensure_caller, save_caller
from calldesk.errors import CalldeskError
from calldesk.rules.kinds import Role
from calldesk.rules.mapping import MAX_FIELD
from calldesk.rules.outcomes import Outcome
from tests.command import cli_runner, one_line_error
from tests.conftest import NOW, write_csv
from tests.stored import CONFIG, everything, lead, record, row


def test_a_moment_set_ahead_never_records_over_anothers_open_lead(store):
    lead_id = lead(store)
    assert claim_lead(store, lead_id, "c1", NOW) is None
    before = everything(store)
    ahead = NOW + timedelta(minutes=11)  # past c1's lease by the desk's moment, not by the clock
    with pytest.raises(CalldeskError, match="c1 has lead"):
        record(store, lead_id, Outcome.not_interested, caller="c2", now=ahead, clock=NOW + timedelta(seconds=5))
    assert everything(store) == before
    record(store, lead_id, Outcome.interested, caller="c1", now=NOW + timedelta(minutes=1))
    assert row(store, lead_id).stage == "prospect"  # c1's call stands, the lead is not lost


def test_a_preview_never_moves_a_claims_expiry(store):
    lead_id = lead(store, company="Vooruit BV")
    ensure_caller(store, "c1", NOW)
    entry, why = claim_next(store, "c1", NOW + timedelta(hours=3), CONFIG, clock=NOW)
    assert entry is not None and entry.lead_id == lead_id, why
    assert row(store, lead_id).claim_expires_at == NOW + CLAIM_LEASE
    # Judged on the clock: at NOW + 1 min c1 still holds it, whatever moment c2 previews.
    assert claim_lead(store, lead_id, "c2", NOW + timedelta(hours=3), clock=NOW + timedelta(minutes=1)) == "c1"


def test_call_times_never_go_backwards_for_a_lead(store):
    lead_id = lead(store)
    record(store, lead_id, Outcome.busy, now=NOW + timedelta(hours=1))
    before = everything(store)
    with pytest.raises(CalldeskError, match="a call is never recorded before it"):
        record(store, lead_id, Outcome.no_answer, now=NOW)
    assert everything(store) == before
    record(store, lead_id, Outcome.no_answer, now=NOW + timedelta(hours=2))


def test_another_callers_lead_is_a_team_leads_to_log(store):
    lead_id = lead(store, owner="anne")
    ensure_caller(store, "bram", NOW)
    before = everything(store)
    with pytest.raises(CalldeskError, match="lead .* is anne's: only a team lead"):
        record(store, lead_id, Outcome.busy, caller="bram")
    with pytest.raises(CalldeskError, match="only a team lead can"):
        record(store, lead_id, Outcome.busy, caller="bram", as_team_lead=True)  # bram is no team lead
    assert everything(store) == before
    save_caller(store, "tess", by="tess", now=NOW, role=Role.team_lead)  # the desk's first team lead
    record(store, lead_id, Outcome.busy, caller="tess", as_team_lead=True)
    record(store, lead_id, Outcome.no_answer, caller="anne", now=NOW + timedelta(hours=1))  # the owner, as always


def test_one_limit_for_a_note(store):
    lead_id = lead(store)
    before = everything(store)
    with pytest.raises(CalldeskError, match=f"a note is at most {MAX_FIELD} characters"):
        record(store, lead_id, Outcome.busy, notes="x" * (MAX_FIELD + 1))
    assert everything(store) == before
    record(store, lead_id, Outcome.busy, notes="x" * MAX_FIELD)
    with store.read() as conn:
        assert len(conn.execute(sa.select(Call.notes)).scalar_one()) == MAX_FIELD


def test_the_cli_judges_claims_on_the_clock_and_says_who_holds_the_lead(tmp_path):
    cli = cli_runner(tmp_path)
    cli("import", write_csv(tmp_path / "leads.csv", "Company,Phone\nAcme,06-12345678\n"))
    # c1 takes it now (a Monday morning preview changes nothing about the lease).
    lead_id = cli("next", "--caller", "c1", "--at", "2026-11-23T10:30").stdout.split("\t")[0]
    one_line_error(cli("log", lead_id, "not_interested", "--caller", "c2", "--at", "2026-11-23T10:41", code=1),
                   f"c1 has lead {lead_id} open")
    cli("log", lead_id, "interested", "--caller", "c1", "--at", "2026-11-23T10:35")
    one_line_error(cli("log", lead_id, "busy", "--caller", "c1", "--at", "2026-11-23T10:00", code=1),
                   "a call is never recorded before it")
    one_line_error(cli("log", lead_id, "busy", "--caller", "c1", "--note", "x" * 1001, code=1),
                   "a note is at most 1000 characters (this one has 1001)")
