"""Leads, outcomes and callbacks written through the store's own functions, and whole stores
read back, for the tests of more than one module."""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import SQLModel

from calldesk.db.calls import CallbackRequest, record_outcome
from calldesk.db.leads import add_lead
from calldesk.db.models import Lead
from calldesk.db.tables import campaigns
from calldesk.rules.config import Config
from calldesk.rules.outcomes import Outcome
from tests.conftest import NOW, orm

CONFIG = Config()  # region NL: the desk is in Amsterdam
_numbers = iter(range(20_000_000, 99_999_999))


def campaign_id(store, name="default"):
    """A campaign's id (every store has "default"): for leads written as rows, not by add_lead."""
    with store.read() as conn:
        return conn.execute(sa.select(campaigns.c.id).where(campaigns.c.name == name)).scalar_one()


def lead(store, stage="suspect", **columns):
    lead_id = add_lead(store, phone=f"06{next(_numbers)}", now=NOW - timedelta(days=30), by="t",
                       company=columns.pop("company", "Acme BV"), stage=stage)
    if columns:
        with store.write() as session:
            session.execute(sa.update(Lead).where(Lead.id == lead_id).values(**columns))
    return lead_id


def everything(store):
    """Every row of every table, to compare whole stores before and after."""
    with store.read() as conn:
        return {t.name: sorted(map(tuple, conn.execute(sa.select(t)).all()), key=repr)
                for t in SQLModel.metadata.sorted_tables}


def row(store, lead_id):
    with orm(store) as session:
        return session.get(Lead, lead_id)


def record(store, lead_id, outcome, caller="anne", now=NOW, **kwargs):
    return record_outcome(store, lead_id, outcome, caller=caller, now=now, config=CONFIG, **kwargs)


def claims(store):
    """Who holds which lead: {lead id: caller}."""
    with store.read() as session:
        return dict(session.execute(sa.select(Lead.id, Lead.claimed_by).where(Lead.claimed_by.is_not(None))).all())


# -- the callback agenda ----------------------------------------------------------------------

def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


SET = NOW - timedelta(days=2)  # when the callbacks were set: some are overdue by now


def setup(store):
    """Callbacks on an Amsterdam and a London lead and others, set two days before NOW."""
    def lead(phone, company, contact="Jan de Vries"):
        return add_lead(store, phone=phone, now=SET - timedelta(days=10), by="t", company=company,
                        contact_name=contact)

    def callback(lead_id, due, caller, team=False, note=""):
        done = record_outcome(store, lead_id, Outcome.callback, caller=caller, now=SET, config=CONFIG,
                              callback=CallbackRequest(due, team=team, note=note))
        return done.callback_id

    ids = {
        "overdue": callback(lead("0612345601", "Acme BV"), NOW - timedelta(hours=1), "anne", note="after lunch"),
        "london": callback(lead("+44 20 7946 0958", "Thames Ltd", "Ann Smith"), utc(2026, 11, 23, 23, 30), "bram",
                           team=True, note="their evening"),
        "week": callback(lead("0612345603", "Delta BV"), utc(2026, 11, 25, 10, 0), "bram"),
        "later": callback(lead("0612345604", "Echo BV"), utc(2026, 12, 10, 10, 0), "anne"),
        "today": callback(lead("0612345605", "Foxtrot BV"), utc(2026, 11, 23, 14, 0), "cees", team=True),
    }
    settled = lead("0612345606", "Golf BV")
    callback(settled, NOW + timedelta(days=1), "anne")
    record_outcome(store, settled, Outcome.interested, caller="anne", now=SET + timedelta(hours=1), config=CONFIG)
    met = lead("0612345607", "Hotel BV", "Piet Jansen")
    meeting = record_outcome(store, met, Outcome.appointment, caller="anne", now=SET, config=CONFIG,
                             appointment_at=utc(2026, 11, 27, 13, 0), notes="demo at their office").call_id
    return ids, meeting
