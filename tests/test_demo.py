import sqlalchemy as sa

from calldesk.db.demo import load_demo
from calldesk.db.models import Call, Callback, Lead, Signal, StageChange, Suppression
from calldesk.rules.stages import Stage
from tests.conftest import NOW, orm


def count(session, model, *where):
    return session.exec(sa.select(sa.func.count()).select_from(model).where(*where)).scalar_one()


def test_demo_loads_leads_and_history(store):
    summary = load_demo(store, NOW)
    assert (summary.imported, summary.rejected) == (300, 0)
    with orm(store) as session:
        assert count(session, Lead) == 300
        assert count(session, Lead, Lead.country != "NL") > 30
        assert count(session, Signal) > 50
        assert count(session, Call) > 100
        assert count(session, Callback, Callback.due_at < NOW) > 0  # some overdue
        assert count(session, Callback, Callback.due_at > NOW) > 0
        assert count(session, Suppression) > 0
        # Every lead past suspect got there through recorded stage changes.
        for lead in session.exec(sa.select(Lead).where(Lead.stage != Stage.suspect)).scalars():
            last = session.exec(sa.select(StageChange).where(StageChange.lead_id == lead.id)
                                .order_by(StageChange.at.desc())).scalars().first()
            assert last is not None and last.to_stage == lead.stage, lead.id


def test_demo_is_deterministic(store, tmp_path):
    from calldesk.db.engine import open_store

    load_demo(store, NOW)
    other = open_store(str(tmp_path / "other.db"))
    load_demo(other, NOW)

    def snapshot(s):
        with orm(s) as session:
            return [(c.lead_id, c.outcome, c.started_at) for c in session.exec(sa.select(Call).order_by(Call.id)).scalars()]

    assert snapshot(store) == snapshot(other)
    other.close()
