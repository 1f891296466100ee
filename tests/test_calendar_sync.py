"""The .ics export kept in step with calendars: UIDs unique across stores, callbacks done,
moved or cancelled sent again (cancelled, higher SEQUENCE), texts in the UI language."""

from __future__ import annotations

import io
from datetime import timedelta

import icalendar

from calldesk.db.agenda import CANCELLED_KEPT, agenda, appointments, closed_callbacks, store_id, write_ics
from calldesk.db.calls import record_outcome
from calldesk.db.engine import open_store
from calldesk.db.team import cancel_callbacks, reschedule_callbacks, save_caller
from calldesk.rules.kinds import Role
from calldesk.rules.outcomes import Outcome
from tests.conftest import NOW, orm
from tests.stored import CONFIG, setup, utc


def export(store, now) -> dict[str, icalendar.Event]:
    buffer = io.BytesIO()
    write_ics(agenda(store, now, CONFIG), appointments(store, CONFIG), buffer, now=now, store=store_id(store),
              closed=closed_callbacks(store, now))
    return {str(event["uid"]): event for event in icalendar.Calendar.from_ical(buffer.getvalue()).walk("VEVENT")}


def test_two_stores_never_share_a_uid(tmp_path):
    first, second = open_store(str(tmp_path / "a.db")), open_store(str(tmp_path / "b.db"))
    try:
        setup(first)
        setup(second)
        one, two = export(first, NOW), export(second, NOW)
        assert len(one) == len(two) == 7 and not set(one) & set(two)  # the same ids, other stores
        assert store_id(first) != store_id(second)
    finally:
        first.close()
        second.close()
    again = open_store(str(tmp_path / "a.db"))
    try:
        assert set(export(again, NOW)) == set(one)  # stored once: every export names them the same
    finally:
        again.close()


def test_done_moved_and_cancelled_callbacks_are_sent_again(store):
    ids, _meeting = setup(store)
    save_caller(store, "tess", by="tess", now=NOW, role=Role.team_lead)
    sid = store_id(store)

    def uid(name):
        return f"callback-{ids[name]}.{sid}@calldesk"

    before = export(store, NOW)
    assert "STATUS" not in before[uid("week")] and "STATUS" not in before[uid("later")]
    # The callback set and then settled in setup() is already closed: calendars are told so.
    closed = [e for e in before.values() if str(e.get("status", "")) == "CANCELLED"]
    assert len(closed) == 1

    later = NOW + timedelta(hours=1)
    reschedule_callbacks(store, [ids["week"]], utc(2026, 11, 26, 15, 0), by="tess", now=later)
    cancel_callbacks(store, [ids["later"]], "dubbel", by="tess")
    record_outcome(store, _lead_of(store, ids["today"]), Outcome.interested, caller="cees", now=later, config=CONFIG)
    after = export(store, later)

    moved = after[uid("week")]
    assert moved.decoded("dtstart") == utc(2026, 11, 26, 15, 0) and "STATUS" not in moved
    assert int(moved["sequence"]) > int(before[uid("week")]["sequence"])
    for name in ("later", "today"):  # cancelled by a team lead; done by a call
        event = after[uid(name)]
        assert str(event["status"]) == "CANCELLED", name
        assert int(event["sequence"]) > int(before[uid(name)]["sequence"]), name
    # Unchanged callbacks keep their SEQUENCE: a calendar has nothing to update.
    assert int(after[uid("london")]["sequence"]) == int(before[uid("london")]["sequence"])

    # Written as cancelled for CANCELLED_KEPT after the first export that saw them closed, then no more.
    assert uid("later") in export(store, later + CANCELLED_KEPT - timedelta(minutes=1))
    assert uid("later") not in export(store, later + CANCELLED_KEPT + timedelta(minutes=1))


def _lead_of(store, callback_id):
    from calldesk.db.models import Callback

    with orm(store) as session:
        return session.get(Callback, callback_id).lead_id


def test_ics_texts_in_dutch_and_with_the_extension(store, dutch):
    ids, meeting = setup(store)
    import sqlalchemy as sa

    from calldesk.db.models import Lead

    with store.write() as conn:
        conn.execute(sa.update(Lead).where(Lead.phone_e164 == "+442079460958")
                                     .values(phone_extension="12"))
    sid = store_id(store)
    events = export(store, NOW)
    london = events[f"callback-{ids['london']}.{sid}@calldesk"]
    assert str(london["summary"]) == "Thames Ltd terugbellen"
    assert str(london["location"]) == "+442079460958 toestel 12"
    description = str(london["description"])
    for text in ("Contactpersoon: Ann Smith", "Telefoon: +442079460958 toestel 12", "Tijd bij de lead: 23:30",
                 "Notitie: their evening", "Voor: het team", "Gezet door: bram"):
        assert text in description, text
    appointment = events[f"appointment-{meeting}.{sid}@calldesk"]
    assert str(appointment["summary"]) == "Afspraak Hotel BV"
    assert "Gemaakt door: anne" in str(appointment["description"])


def test_cli_ics_in_dutch(tmp_path):
    from tests.command import cli_runner

    cli = cli_runner(tmp_path)
    cli("import", _csv(tmp_path))
    lead_id = cli("next", "--at", "2026-11-23T10:00+01:00").stdout.split("\t")[0]
    cli("log", lead_id, "callback", "--callback", "2026-11-24T10:00+01:00", "--at", "2026-11-23T10:05+01:00")
    cli("--lang", "nl", "callbacks", "--at", "2026-11-23T10:10+01:00", "--ics", tmp_path / "a.ics")
    event = icalendar.Calendar.from_ical((tmp_path / "a.ics").read_bytes()).walk("VEVENT")[0]
    assert str(event["summary"]) == "Bakker BV terugbellen"
    assert str(event["location"]) == "+31201234567 toestel 12"


def _csv(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text("Company,Phone\nBakker BV,020 123 4567 toestel 12\n", encoding="utf-8")
    return path
