"""Statements run on the driver's cursor (calldesk.db.plans) read and write as SQLAlchemy does.

test_a_plan_sends_what_sqlalchemy_sends guards the SQLAlchemy compiler internals plans.py leans
on (see its docstring): it fails when a release changes the SQL, the order or the processing of
the values a plan hands the driver.
"""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from calldesk.db import calls as calls_module
from calldesk.db import plans
from calldesk.db.demo import load_demo
from calldesk.db.engine import StoreFault
from calldesk.db.models import Lead, StageChange
from calldesk.db.plans import Plan
from calldesk.db.tables import callbacks, leads, stage_changes
from calldesk.rules.outcomes import Outcome
from tests.conftest import NOW, orm


def _leads() -> sa.Select:
    return sa.select(leads).order_by(leads.c.id)


def _callbacks_due() -> sa.Select:
    due = sa.bindparam("due", type_=callbacks.c.due_at.type)
    return sa.select(callbacks).where(callbacks.c.due_at <= due, callbacks.c.status == "open").order_by(callbacks.c.id)


def test_rows_come_back_as_sqlalchemy_gives_them(store):
    load_demo(store, NOW, team_lead="tess")
    with store.read() as conn:
        expected = [dict(row._mapping) for row in conn.execute(_leads())]
        due = [dict(row._mapping) for row in conn.execute(_callbacks_due(), {"due": NOW + timedelta(days=2)})]
    with store.cursor() as cur:
        got = [dict(zip([c.key for c in leads.c], row, strict=True)) for row in cur.all(_leads)]
        first = cur.first(_leads)
        got_due = [dict(zip([c.key for c in callbacks.c], row, strict=True))
                   for row in cur.all(_callbacks_due, due=NOW + timedelta(days=2))]
    assert len(expected) == 300 and got == expected and first == expected[0]
    assert due and got_due == due
    # Aware UTC times, enum members and booleans, as the ORM gives them.
    called = next(row for row in got if row["last_called_at"] is not None)
    assert called["last_called_at"].utcoffset() == timedelta(0)
    assert type(got[0]["stage"]) is type(expected[0]["stage"]) and isinstance(got[0]["phone_bad"], bool)


def test_inserts_fill_column_defaults_and_updates_set_only_what_they_name(store):
    load_demo(store, NOW, team_lead="tess")
    with store.write_cursor() as cur:
        change_id = cur.insert(stage_changes, lead_id=1, from_stage="suspect", to_stage="prospect", at=NOW,
                               changed_by="anne")
        cur.update(leads, 1, company="Bakkerij Jansen", updated_at=NOW + timedelta(hours=1))
    with orm(store) as session:
        change = session.get(StageChange, change_id)
        lead = session.get(Lead, 1)
    assert change is not None and change.reason == "" and change.manual is False  # the models' defaults
    assert change.at == NOW
    assert lead is not None and lead.company == "Bakkerij Jansen" and lead.updated_at == NOW + timedelta(hours=1)
    assert lead.phone_e164.startswith("+")  # untouched


def test_driver_errors_are_raised_as_sqlalchemy_raises_them_and_roll_back(store):
    load_demo(store, NOW, team_lead="tess")
    with orm(store) as session:
        taken = session.get(Lead, 2).phone_e164
    with pytest.raises(StoreFault, match="UNIQUE|duplicate key") as fault:
        with store.write_cursor() as cur:
            cur.update(leads, 1, company="half written")
            cur.update(leads, 1, phone_e164=taken)  # one lead per number
    assert str(fault.value).startswith(f"store {store.describe()}: ")  # the line the command line prints
    assert isinstance(fault.value.__cause__, sa.exc.IntegrityError)  # what the store was given
    with orm(store) as session:
        assert session.get(Lead, 1).company != "half written"


def test_a_statement_sqlalchemy_must_expand_is_refused(store):
    with store.read() as conn:
        with pytest.raises(AssertionError, match="plain parameters"):
            Plan.compile(sa.select(leads.c.id).where(leads.c.id.in_(sa.bindparam("ids", expanding=True))),
                         conn.dialect)


def test_a_value_its_column_refuses_is_a_statement_error_and_writes_nothing(store):
    load_demo(store, NOW, team_lead="tess")
    with pytest.raises(sa.exc.StatementError, match="timezone"):
        with store.write_cursor() as cur:
            cur.update(leads, 1, company="half written")
            cur.update(leads, 1, updated_at=NOW.replace(tzinfo=None))  # times are stored aware
    with orm(store) as session:
        assert session.get(Lead, 1).company != "half written"


@pytest.mark.parametrize("build, args, values", [
    (_callbacks_due, (), {"due": NOW}),  # a value given per call, a fixed one
    (calls_module._repeated_call, (), {"lead_id": 1, "caller": "anne", "outcome": Outcome.busy,  # typed, LIMIT
                                       "since": NOW - timedelta(minutes=1), "until": NOW}),
    (plans._update, (leads, ("company", "updated_at", "phone_bad")), {
        "row_id": 1, "v_company": "100% Bakkerij", "v_updated_at": NOW, "v_phone_bad": True}),
    (plans._insert, (stage_changes, ("lead_id", "from_stage", "to_stage", "at", "changed_by")), {  # defaults
        "v_lead_id": 1, "v_from_stage": "suspect", "v_to_stage": "prospect", "v_at": NOW, "v_changed_by": "anne"}),
])
def test_a_plan_sends_what_sqlalchemy_sends(store, build, args, values):
    """The SQL and the values, in order and processed by the columns' types, that a plan gives
    the driver are what SQLAlchemy gives it for the same statement."""
    load_demo(store, NOW, team_lead="tess")
    sent = []

    def spy(_conn, _cursor, statement, parameters, _context, _many):  # noqa: ANN001, ANN202
        sent.append((statement, parameters))

    sa.event.listen(store.engine, "before_cursor_execute", spy)
    try:
        with store.read() as conn:
            conn.execute(build(*args), dict(values))
            conn.rollback()
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", spy)
    with store.read() as conn:
        plan = plans.plan(conn.dialect, build, *args)
    params = plan.bind(plan.process(dict(values)))
    [(statement, parameters)] = [(sql, given) for sql, given in sent if not sql.startswith("BEGIN")]
    assert plan.sql == statement
    if isinstance(parameters, dict):
        assert params == parameters
    else:
        assert list(params) == list(parameters)
