import csv
import io

import sqlalchemy as sa

from calldesk.db.exports import COLUMNS, export_leads, neutralise
from calldesk.db.imports import import_csv
from calldesk.db.models import Lead, Suppression
from calldesk.db.team import ensure_caller
from calldesk.rules.stages import Stage
from tests.conftest import NOW, orm, write_csv


def exported(store, **kwargs):
    out = io.StringIO()
    export_leads(store, out, **kwargs)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def test_header_and_values(store, tmp_path):
    ensure_caller(store, "anne", NOW)  # an owner must be a caller
    import_csv(store, write_csv(tmp_path / "in.csv",
               "Company,Contact,Phone,Stage,Owner\n=HYPERLINK(\"http://x\"),Eva,06-12345678,hot lead,anne\nB,,020 123 4567,,\n"),
               now=NOW, by="t")
    with orm(store) as session:
        session.add(Suppression(phone_e164="+31201234567", reason="asked", added_at=NOW))
    rows = exported(store)
    assert tuple(rows[0]) == COLUMNS
    first, second = rows
    assert first["company"] == "'=HYPERLINK(\"http://x\")"  # a spreadsheet shows it, doesn't run it
    assert (first["contact"], first["phone"], first["stage"], first["owner"]) == ("Eva", "+31612345678", "hot_lead", "anne")
    assert (first["do_not_call"], second["do_not_call"]) == ("no", "yes")
    assert first["warmth"] == "40" and first["next_call_at"] == ""  # hot lead, stage points only
    assert first["created_at"] == NOW.isoformat()


def test_stage_filter(store, tmp_path):
    import_csv(store, write_csv(tmp_path / "in.csv", "Phone,Stage\n06-12345678,klant\n020 123 4567,\n"), now=NOW, by="t")
    assert [r["phone"] for r in exported(store, stage=Stage.customer)] == ["+31612345678"]


def test_export_reimports_without_change(store, tmp_path):
    import_csv(store, write_csv(tmp_path / "in.csv", "Company,Contact,Phone,Stage,Employees\nA,Eva,06-12345678,prospect,11-50\n"), now=NOW, by="t")
    out = tmp_path / "out.csv"
    with out.open("w", newline="") as handle:
        export_leads(store, handle)
    summary = import_csv(store, out, now=NOW, by="t")
    assert (summary.imported, summary.updated, summary.duplicates, summary.rejected) == (0, 0, 1, 0)
    with orm(store) as session:
        assert session.exec(sa.select(sa.func.count()).select_from(Lead)).scalar_one() == 1


def test_neutralise():
    assert [neutralise(v) for v in ["=1+1", "+31612345678", "-5", "@SUM(A1)", "-x", "plain", "", "\tx"]] == [
        "'=1+1", "+31612345678", "-5", "'@SUM(A1)", "'-x", "plain", "", "'\tx"]
