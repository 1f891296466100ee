"""Statements run on the driver's cursor (calldesk.db.plans) read and write as SQLAlchemy does."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from calldesk.db.demo import load_demo
from calldesk.db.models import BantAnswer, Callback, Lead, StageChange
from calldesk.db.plans import Cursor, Plan
from tests.conftest import NOW

_L, _CB, _SC, _B = Lead.__table__, Callback.__table__, StageChange.__table__, BantAnswer.__table__


def _leads() -> sa.Select:
    return sa.select(_L).order_by(_L.c.id)


def _callbacks_due() -> sa.Select:
    due = sa.bindparam("due", type_=_CB.c.due_at.type)
    return sa.select(_CB).where(_CB.c.due_at <= due, _CB.c.status == "open").order_by(_CB.c.id)


def test_rows_come_back_as_sqlalchemy_gives_them(store):
    load_demo(store, NOW, team_lead="tess")
    with store.read() as session:
        conn = session.connection()
        expected = [dict(row._mapping) for row in conn.execute(_leads())]
        due = [dict(row._mapping) for row in conn.execute(_callbacks_due(), {"due": NOW + timedelta(days=2)})]
        with Cursor(conn) as cur:
            got = [dict(zip([c.key for c in _L.c], row, strict=True)) for row in cur.all(_leads)]
            first = cur.first(_leads)
            got_due = [dict(zip([c.key for c in _CB.c], row, strict=True))
                       for row in cur.all(_callbacks_due, due=NOW + timedelta(days=2))]
    assert len(expected) == 300 and got == expected and first == expected[0]
    assert due and got_due == due
    # Aware UTC times, enum members and booleans, as the ORM gives them.
    called = next(row for row in got if row["last_called_at"] is not None)
    assert called["last_called_at"].utcoffset() == timedelta(0)
    assert type(got[0]["stage"]) is type(expected[0]["stage"]) and isinstance(got[0]["phone_bad"], bool)


def test_inserts_fill_column_defaults_and_updates_set_only_what_they_name(store):
    load_demo(store, NOW, team_lead="tess")
    with store.write() as session, Cursor(session.connection()) as cur:
        change_id = cur.insert(_SC, lead_id=1, from_stage="suspect", to_stage="prospect", at=NOW, changed_by="anne")
        cur.update(_L, 1, company="Bakkerij Jansen", updated_at=NOW + timedelta(hours=1))
    with store.read() as session:
        change = session.get(StageChange, change_id)
        lead = session.get(Lead, 1)
    assert change is not None and change.reason == "" and change.manual is False  # the models' defaults
    assert change.at == NOW
    assert lead is not None and lead.company == "Bakkerij Jansen" and lead.updated_at == NOW + timedelta(hours=1)
    assert lead.phone_e164.startswith("+")  # untouched


def test_driver_errors_are_raised_as_sqlalchemy_raises_them_and_roll_back(store):
    load_demo(store, NOW, team_lead="tess")
    with store.read() as session:
        taken = session.get(Lead, 2).phone_e164
    with pytest.raises(sa.exc.IntegrityError):
        with store.write() as session, Cursor(session.connection()) as cur:
            cur.update(_L, 1, company="half written")
            cur.update(_L, 1, phone_e164=taken)  # one lead per number
    with store.read() as session:
        assert session.get(Lead, 1).company != "half written"


def test_a_statement_sqlalchemy_must_expand_is_refused(store):
    with store.engine.connect() as conn:
        with pytest.raises(AssertionError, match="plain parameters"):
            Plan.compile(sa.select(_L.c.id).where(_L.c.id.in_(sa.bindparam("ids", expanding=True))), conn.dialect)


def test_a_value_its_column_refuses_is_a_statement_error_and_writes_nothing(store):
    load_demo(store, NOW, team_lead="tess")
    with pytest.raises(sa.exc.StatementError, match="timezone"):
        with store.write() as session, Cursor(session.connection()) as cur:
            cur.update(_L, 1, company="half written")
            cur.update(_L, 1, updated_at=NOW.replace(tzinfo=None))  # times are stored aware
    with store.read() as session:
        assert session.get(Lead, 1).company != "half written"
