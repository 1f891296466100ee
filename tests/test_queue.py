"""The call queue on real stores: order, calling windows, exclusions, claims."""

import multiprocessing
from dataclasses import fields
from datetime import UTC, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from calldesk.db.engine import open_store
from calldesk.db.leads import add_lead
from calldesk.db.models import Callback, Lead, Signal, Suppression, WindowKey
from calldesk.db.queue import QueueEntry, claim_lead, claim_next, queue, release_claim, renew_claim
from calldesk.db.scoring import refresh_if_due, rescore
from calldesk.rules.config import Config
from calldesk.rules.stages import Stage
from tests.conftest import orm

MON = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)  # Monday 10:30 Amsterdam, 09:30 London
CONFIG = Config()
_numbers = iter(range(10_000_000, 99_999_999))


def lead(store, phone=None, at=MON - timedelta(days=30), **columns):
    editable = {k: columns.pop(k) for k in list(columns) if k in {"company", "stage", "owner", "role", "industry"}}
    lead_id = add_lead(store, phone=phone or f"06{next(_numbers)}", now=at, by="t", **editable)
    if columns:
        with store.write() as conn:
            conn.execute(sa.update(Lead).where(Lead.id == lead_id).values(**columns))
    return lead_id


def callback(store, lead_id, due, caller=None, status="open"):
    with orm(store) as session:
        session.add(Callback(lead_id=lead_id, due_at=due, caller=caller, created_by="t",
                             created_at=due - timedelta(days=1), status=status))


def ids(store, caller="anne", now=MON, limit=50):
    return [e.lead_id for e in queue(store, caller, now, CONFIG, limit).entries]


def test_callbacks_first_personal_before_team_oldest_first(store):
    warm = lead(store, stage="hot_lead")
    team_old = lead(store)
    mine_new, mine_old = lead(store), lead(store)
    bram_only = lead(store, stage="hot_lead")
    callback(store, team_old, MON - timedelta(hours=5))
    callback(store, mine_new, MON - timedelta(minutes=5), "anne")
    callback(store, mine_old, MON - timedelta(hours=2), "anne")
    callback(store, bram_only, MON - timedelta(hours=1), "bram")
    assert ids(store, "anne") == [mine_old, mine_new, team_old, warm]
    bram = ids(store, "bram")
    assert bram[:3] == [bram_only, team_old, warm]
    assert mine_new not in bram and mine_old not in bram  # anne's personal callbacks stay hers
    entries = queue(store, "anne", MON, CONFIG).entries
    assert [e.next_action for e in entries] == ["callback", "callback", "team callback", "new"]


def test_warmth_order_hot_prospect_suspect(store):
    suspect, prospect, hot = lead(store), lead(store, stage="prospect"), lead(store, stage="hot_lead")
    assert ids(store) == [hot, prospect, suspect]
    entry = queue(store, "anne", MON, CONFIG).entries[0]
    assert entry.warmth == 40 and entry.reasons == [("hot lead", 40)]


def test_ties_least_recently_called_first(store):
    long_ago = lead(store, last_called_at=MON - timedelta(days=9), attempts=1)
    never = lead(store)
    yesterday = lead(store, last_called_at=MON - timedelta(days=1), attempts=1)
    assert ids(store) == [never, long_ago, yesterday]
    assert [e.next_action for e in queue(store, "anne", MON, CONFIG).entries] == ["new", "retry", "retry"]


def test_signals_warm_and_decay(store):
    plain, eager = lead(store), lead(store)
    with orm(store) as session:
        session.add(Signal(lead_id=eager, kind="demo_request", at=MON - timedelta(days=1)))
        session.flush()
        rescore(session.connection(), [plain, eager], MON, CONFIG)
    assert ids(store) == [eager, plain]
    # Months later the demo request has decayed past the horizon: both leads tie again.
    later = MON + timedelta(days=120)
    refresh_if_due(store, later, CONFIG)
    assert [e.warmth for e in queue(store, "anne", later.replace(day=23, month=3, year=2027), CONFIG).entries] == [0, 0]


def test_no_answer_streak_cools(store):
    cold = lead(store, stage="prospect", no_answer_streak=3)
    fresh = lead(store, stage="prospect")
    with store.write() as conn:
        rescore(conn, [cold, fresh], MON, CONFIG)
    assert ids(store) == [fresh, cold]


def test_calling_windows_across_time_zones(store):
    nl = lead(store, phone="020 123 4567")
    uk = lead(store, phone="+44 20 7946 0018")
    assert set(ids(store, now=datetime(2026, 11, 23, 8, 30, tzinfo=UTC))) == {nl}  # 09:30 NL, 08:30 UK
    assert set(ids(store, now=datetime(2026, 11, 23, 16, 45, tzinfo=UTC))) == {uk}  # 17:45 NL, 16:45 UK


def test_dst_switch(store):
    nl = lead(store, phone="020 123 4567", at=datetime(2026, 9, 1, tzinfo=UTC))
    # Monday after the October switch to CET: 09:00 local is 08:00 UTC (it was 07:00 in summer).
    assert ids(store, now=datetime(2026, 10, 26, 7, 30, tzinfo=UTC)) == []
    assert ids(store, now=datetime(2026, 10, 26, 8, 0, tzinfo=UTC)) == [nl]


def test_kings_day(store):
    at = datetime(2027, 4, 27, 10, 0, tzinfo=UTC)  # Tuesday, Koningsdag
    nl = lead(store, phone="020 123 4567", at=at - timedelta(days=5))
    be = lead(store, phone="+32 2 512 34 56", at=at - timedelta(days=5))
    assert ids(store, now=at) == [be]
    assert nl in ids(store, now=at + timedelta(days=1))


def test_exclusions(store):
    ok = lead(store)
    excluded = {
        "suppressed": lead(store, phone="06-11111111"),
        "claimed by bram": lead(store, claimed_by="bram", claim_expires_at=MON + timedelta(minutes=5)),
        "owned by bram": lead(store, owner="bram"),
        "lost": lead(store, stage="lost"),
        "opportunity": lead(store, stage="opportunity"),
        "customer": lead(store, stage="customer"),
        "wrong number": lead(store, phone_bad=True),
        "unreachable": lead(store, unreachable=True),
        "cooling down": lead(store, next_call_at=MON + timedelta(minutes=1)),
        "called 30 min ago": lead(store, last_called_at=MON - timedelta(minutes=30)),
        "callback later": lead(store),
    }
    callback(store, excluded["callback later"], MON + timedelta(hours=2), "anne")
    with orm(store) as session:
        session.add(Suppression(phone_e164="+31611111111", added_at=MON))
    assert ids(store) == [ok]
    mine = lead(store, owner="anne")
    expired = lead(store, claimed_by="bram", claim_expires_at=MON - timedelta(seconds=1))
    opportunity_due = lead(store, stage="opportunity")
    callback(store, opportunity_due, MON - timedelta(minutes=1), "anne")
    assert set(ids(store)) == {ok, mine, expired, opportunity_due}


def test_claims_never_give_one_lead_to_two_callers(store):
    first, second = lead(store, stage="hot_lead"), lead(store, stage="prospect")
    anne, _ = claim_next(store, "anne", MON, CONFIG)
    bram, _ = claim_next(store, "bram", MON, CONFIG)
    assert (anne.lead_id, bram.lead_id) == (first, second)
    assert ids(store, "carla") == []
    assert claim_lead(store, first, "carla", MON) == "anne"
    # Asking again gives each caller the lead they already hold, not a second one.
    assert claim_next(store, "anne", MON + timedelta(minutes=1), CONFIG)[0].lead_id == first
    # bram renews his lease; anne's app crashed: her claim expires and the lead comes back.
    assert renew_claim(store, second, "bram", MON + timedelta(minutes=5))
    assert ids(store, "carla", now=MON + timedelta(minutes=12)) == [first]
    release_claim(store, second, "bram")
    assert ids(store, "carla") == [second]


def test_claim_takes_callbacks_first(store):
    lead(store, stage="hot_lead")
    due = lead(store)
    callback(store, due, MON - timedelta(minutes=1), "anne")
    entry, why = claim_next(store, "anne", MON, CONFIG)
    assert (entry.lead_id, entry.next_action, why) == (due, "callback", "")


def test_why_nothing_is_callable(store):
    assert "no leads yet" in queue(store, "anne", MON, CONFIG).why_empty
    lead(store, phone="020 123 4567")
    saturday = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
    result = queue(store, "anne", saturday, CONFIG)
    assert result.entries == []
    assert result.why_empty == "not a calling day (Sat) — next callable at 09:00 Europe/Amsterdam on Mon 30 Nov"
    entry, why = claim_next(store, "anne", saturday, CONFIG)
    assert entry is None and why == result.why_empty
    with store.write() as conn:
        conn.execute(sa.update(Lead).values(next_call_at=MON + timedelta(hours=3)))
    assert "next retry falls due at 2026-11-23 12:30 UTC" in queue(store, "anne", MON, CONFIG).why_empty


def test_an_empty_queue_says_why_evening_and_holiday_by_name(store):
    from calldesk.i18n import using

    lead(store, phone="020 123 4567")
    evening = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)  # Monday 19:00 in Amsterdam
    assert queue(store, "anne", evening, CONFIG).why_empty == (
        "outside calling hours — next callable at 09:00 Europe/Amsterdam on Tue 24 Nov")
    christmas = datetime(2026, 12, 25, 10, 0, tzinfo=UTC)  # a Friday
    assert queue(store, "anne", christmas, CONFIG).why_empty == (
        "Christmas Day in NL — next callable at 09:00 Europe/Amsterdam on Mon 28 Dec")
    with using("nl"):
        assert queue(store, "anne", christmas, CONFIG).why_empty == (
            "Eerste kerstdag in NL — weer te bellen vanaf 09:00 Europe/Amsterdam op ma 28 dec")


def test_the_headers_callbacks_due_are_what_can_be_called_now(store):
    """On Saturday the header said "callbacks due now 28" with the queue empty (issue 16): it
    counts what the queue offers now, so 0 when nothing may be called, or another caller holds it."""
    from calldesk.db.leads import desk_status

    first, second = lead(store, phone="020 123 4567"), lead(store, phone="020 123 4568")
    for lead_id in (first, second):
        callback(store, lead_id, datetime(2026, 11, 27, 14, 0, tzinfo=UTC), "anne")  # Friday 15:00
    saturday = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)

    def due(now):
        return desk_status(store, "anne", now, now - timedelta(hours=10), CONFIG).callbacks_due

    assert queue(store, "anne", saturday, CONFIG).entries == [] and due(saturday) == 0
    monday = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    assert due(monday) == 2 == len(queue(store, "anne", monday, CONFIG).entries)
    with store.write() as conn:  # bram has the first on his screen
        conn.execute(sa.update(Lead).where(Lead.id == first).values(
            claimed_by="bram", claim_expires_at=monday + timedelta(minutes=5)))
    assert due(monday) == 1


def _claim_loop(target, caller, rounds, results):
    store = open_store(target)
    got = []
    try:
        for _ in range(rounds):
            entry, _why = claim_next(store, caller, MON, CONFIG)
            if entry is not None:
                got.append(entry.lead_id)
                # What recording an outcome does to the claim: the call is made, the lead let go.
                with store.write() as conn:
                    conn.execute(sa.update(Lead).where(Lead.id == entry.lead_id, Lead.claimed_by == caller)
                                    .values(claimed_by=None, last_called_at=MON, attempts=Lead.attempts + 1))
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which fails the test
        got.append(f"{type(exc).__name__}: {exc}")
    finally:
        store.close()
    results.put((caller, got))


@pytest.mark.parametrize("workers", [6])
def test_claim_race_between_processes(store, store_target, workers):
    for i in range(100):
        lead(store, stage=("hot_lead", "prospect", "suspect")[i % 3])
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    procs = [context.Process(target=_claim_loop, args=(store_target, f"caller{w}", 20, results)) for w in range(workers)]
    for p in procs:
        p.start()
    claimed = dict(results.get(timeout=120) for _ in procs)
    for p in procs:
        p.join(30)
    every = [lead_id for got in claimed.values() for lead_id in got]
    assert all(isinstance(x, int) for x in every), every
    assert len(every) == len(set(every)) == 100  # all leads handed out, none twice
    with store.read() as conn:
        assert conn.execute(sa.select(sa.func.sum(Lead.attempts))).scalar() == 100


def test_search_filters_by_name_or_number(store):
    zoe = lead(store, phone="06-12345678", company="Café Zoë")
    other = lead(store, phone="020 123 4567", company="Bakker Bouw")
    assert ids(store) and set(ids(store)) == {zoe, other}
    assert [e.lead_id for e in queue(store, "anne", MON, CONFIG, search="zoë").entries] == [zoe]
    assert [e.lead_id for e in queue(store, "anne", MON, CONFIG, search="0612345").entries] == [zoe]
    assert [e.lead_id for e in queue(store, "anne", MON, CONFIG, search="BAKKER").entries] == [other]
    assert queue(store, "anne", MON, CONFIG, search="nobody").why_empty == "no callable lead matches 'nobody'"


def test_callbacks_stay_first_when_one_lead_has_several(store):
    many = lead(store)
    for hours in (5, 4, 3):
        callback(store, many, MON - timedelta(hours=hours), "anne")
    other = lead(store)
    callback(store, other, MON - timedelta(hours=1), "anne")
    warm = lead(store, stage="hot_lead")
    # The lead with three due callbacks is listed once, and the next callback still comes
    # before any warm lead.
    assert ids(store, limit=2) == [many, other]
    assert ids(store, limit=3) == [many, other, warm]
    assert [e.callback_due_at for e in queue(store, "anne", MON, CONFIG, 1).entries] == [MON - timedelta(hours=5)]


def test_entries_are_whole_queue_entries(store):
    lead(store, stage="hot_lead", last_called_at=MON - timedelta(days=2), attempts=1, owner="anne")
    due = lead(store)
    callback(store, due, MON - timedelta(minutes=3), "anne")
    entries = queue(store, "anne", MON, CONFIG).entries
    assert len(entries) == 2
    for entry in entries:  # built without __init__ (speed): the same as built with it
        assert set(vars(entry)) == {f.name for f in fields(QueueEntry)}
        assert QueueEntry(**vars(entry)) == entry
        assert isinstance(entry.stage, Stage) and entry.warmth == int(entry.warmth)
    assert entries[0].callback_due_at == MON - timedelta(minutes=3)
    assert entries[0].callback_due_at.tzinfo is not None and entries[0].callback_due_at.utcoffset() == timedelta(0)
    assert entries[1].last_called_at == MON - timedelta(days=2) and entries[1].callback_id is None


def test_calling_window_edges_within_and_across_minutes(store):
    nl = lead(store, phone="020 123 4567")
    at = lambda h, m, s=0, us=0: datetime(2026, 11, 23, h, m, s, us, tzinfo=UTC)  # noqa: E731
    # Open pairs are kept per minute: each answer below follows one that filled the cache.
    assert ids(store, now=at(16, 29)) == [nl]
    assert ids(store, now=at(16, 29, 59, 999_999)) == [nl]  # 17:29:59 in Amsterdam
    assert ids(store, now=at(16, 30)) == []  # 17:30: closed
    assert claim_next(store, "anne", at(16, 30, 30), CONFIG)[0] is None
    assert ids(store, now=at(7, 59, 59, 999_999)) == []
    assert ids(store, now=at(8, 0)) == [nl]  # 09:00
    # Hours not on the minute: the answer changes inside a minute, so it is not kept for it.
    half = Config.model_validate({"calling_hours": {"start": time(9, 0, 30), "end": time(17, 30)}})
    assert [e.lead_id for e in queue(store, "anne", at(8, 0, 10), half).entries] == []
    assert [e.lead_id for e in queue(store, "anne", at(8, 0, 40), half).entries] == [nl]
    assert [e.lead_id for e in queue(store, "anne", at(8, 0, 20), half).entries] == []


def test_calling_window_with_an_offset_in_seconds(store):
    # Amsterdam kept local mean time (+00:19:32) until 1937: 09:00 there was 08:40:28 UTC.
    nl = lead(store, phone="020 123 4567", at=datetime(1899, 12, 1, tzinfo=UTC))
    tuesday = lambda s: datetime(1900, 1, 2, 8, 40, s, tzinfo=UTC)  # noqa: E731
    assert ids(store, now=tuesday(27)) == []
    assert ids(store, now=tuesday(28)) == [nl]
    assert ids(store, now=tuesday(27)) == []


def test_unknown_zone_follows_home_hours(store):
    unknown, blank = lead(store, time_zone=None), lead(store, time_zone="")
    with orm(store) as session:
        session.add(WindowKey(time_zone="", country="NL"))
    assert set(ids(store)) == {unknown, blank}
    assert ids(store, now=datetime(2026, 11, 23, 16, 45, tzinfo=UTC)) == []  # 17:45 in Amsterdam


def test_many_time_zones(store):
    # 41 open pairs bound into one statement, one closed pair left out.
    zones = [f"Test/Zone{i:02}" for i in range(40)]  # unknown names: the home zone's hours
    by_zone = {zone: lead(store, stage="prospect", time_zone=zone) for zone in zones}
    new_york = lead(store, stage="hot_lead", phone="+1 212 555 0100")  # 04:30 there: closed
    with orm(store) as session:
        session.add_all(WindowKey(time_zone=zone, country="NL") for zone in zones)
    assert sorted(ids(store, limit=100)) == sorted(by_zone.values())
    entry, _ = claim_next(store, "anne", MON, CONFIG)
    assert entry.lead_id in by_zone.values()
    assert new_york in ids(store, now=MON + timedelta(hours=6))  # 10:30 in New York


def test_the_headers_callbacks_due_are_the_ones_the_queue_offers(store):
    """The header's "callbacks due now" counts what this caller would be offered: not a team
    callback on another caller's lead (unless released to all), nor lost or wrong-number leads."""
    from calldesk.db.leads import desk_status

    mine, pool, theirs, lost, wrong = (lead(store), lead(store), lead(store, owner="bram"),
                                       lead(store, stage="lost"), lead(store, phone_bad=True))
    callback(store, mine, MON - timedelta(hours=1), "anne")
    for lead_id in (pool, theirs, lost, wrong):
        callback(store, lead_id, MON - timedelta(hours=1))  # team callbacks
    callback(store, mine, MON + timedelta(hours=1), "anne")  # not due yet

    def due(caller):
        return desk_status(store, caller, MON, MON - timedelta(hours=10), CONFIG).callbacks_due

    offered = [e.lead_id for e in queue(store, "anne", MON, CONFIG).entries if e.callback_due_at is not None]
    assert sorted(offered) == sorted([mine, pool]) and due("anne") == 2
    assert due("bram") == 2  # the pool's and the one on his own lead
    with store.write() as conn:
        conn.execute(sa.update(Callback).where(Callback.lead_id == theirs).values(
            released_from="bram", released_at=MON))
    assert due("anne") == 3 and theirs in ids(store, "anne")


def test_a_wrong_number_is_found_by_search_to_be_fixed_but_never_offered(store):
    """Marked a wrong number, a lead leaves the queue; searched for, it is listed (after the
    callable matches) so someone can fix its number; a wrong number that is lost, on the
    do-not-call list, another caller's or held by another stays out."""
    callable_ = lead(store, company="Kooiman Transport")
    wrong = lead(store, company="Kooiman Logistiek", phone_bad=True, next_call_at=MON + timedelta(days=300))
    lead(store, company="Kooiman Verloren", phone_bad=True, stage="lost")
    lead(store, company="Kooiman Bram", phone_bad=True, owner="bram")
    held = lead(store, company="Kooiman Vast", phone_bad=True)
    assert claim_lead(store, held, "bram", MON) is None
    dnc = lead(store, company="Kooiman Niet", phone_bad=True)
    with orm(store) as session:
        phone = session.execute(sa.select(Lead.phone_e164).where(Lead.id == dnc)).scalar()
        session.add(Suppression(phone_e164=phone, reason="asked", added_at=MON))
    assert wrong not in ids(store)  # never offered
    found = queue(store, "anne", MON, CONFIG, search="kooiman").entries
    assert [e.lead_id for e in found] == [callable_, wrong]
    assert found[1].phone_bad and found[1].next_action == "fix number" and found[1].stage is Stage.suspect
    assert [e.lead_id for e in queue(store, "anne", MON, CONFIG, search="logistiek").entries] == [wrong]
    # Outside calling hours the search still finds it: fixing a number needs no call.
    sunday = MON - timedelta(days=1)
    assert [e.lead_id for e in queue(store, "anne", sunday, CONFIG, search="logistiek").entries] == [wrong]


def test_lead_of_several_zones_is_queued_only_when_all_are_in_hours(store, tmp_path):
    """A US toll-free number and a Kazakh mobile were called on the desk's clock (03:30
    Eastern, 21:00 Almaty); now on theirs, every zone of theirs, in SQL on both stores."""
    from calldesk.db.imports import import_csv
    from tests.conftest import write_csv

    path = write_csv(tmp_path / "abroad.csv", "Company,Phone,Country\n"
                     "Toll Free Inc,1-800-555-0199,United States\n"
                     "Almaty LLP,8 701 234 5678,Kazakhstan\n"
                     "Thuis BV,06-12345678,\n")
    assert import_csv(store, path, now=MON - timedelta(days=1), by="t").imported == 3
    with store.read() as conn:
        rows = dict(conn.execute(sa.select(Lead.company, Lead.id)).all())
        zones = dict(conn.execute(sa.select(Lead.company, Lead.time_zone)).all())
    assert zones["Toll Free Inc"].split()[0] == "America/New_York" and "Pacific/Honolulu" in zones["Toll Free Inc"]
    assert zones["Almaty LLP"] == "Asia/Almaty"

    def names(now):
        return {e.company for e in queue(store, "anne", now, CONFIG, 50).entries}

    assert names(MON) == {"Almaty LLP", "Thuis BV"}  # 10:30 Amsterdam, 14:30 Almaty; 04:30 Eastern
    assert names(datetime(2026, 11, 23, 4, 30, tzinfo=UTC)) == {"Almaty LLP"}  # 09:30 Almaty, 05:30 Amsterdam
    assert names(datetime(2026, 11, 23, 15, 30, tzinfo=UTC)) == {"Thuis BV"}  # 20:30 Almaty; 05:30 Honolulu
    # 09:00 Honolulu is 14:00 Eastern: every US zone is in hours (Amsterdam and Almaty are not).
    entries = queue(store, "anne", datetime(2026, 11, 23, 19, 0, tzinfo=UTC), CONFIG, 50).entries
    assert [e.lead_id for e in entries] == [rows["Toll Free Inc"]]
    assert names(datetime(2026, 11, 23, 18, 59, tzinfo=UTC)) == set()  # 08:59 Honolulu
