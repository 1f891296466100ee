"""Generated CSV files against a real store: no tracebacks, every rejected row has a reason,
all or nothing, re-import changes nothing, and the export never hands a spreadsheet a formula.

Each example gets its own copy of one seeded SQLite store (migrating a store per example would
cost most of the run).
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlmodel import SQLModel

from calldesk.db import imports as imports_module
from calldesk.db.engine import open_store
from calldesk.db.exports import COLUMNS, export_leads
from calldesk.db.imports import COUNTS, FILLABLE, import_csv
from calldesk.db.models import ImportRun, Lead, Suppression
from calldesk.errors import CalldeskError
from tests.conftest import NOW, orm, write_csv

# CALLDESK_FUZZ_EXAMPLES=2000 for a longer hunt; 60 keeps the suite quick.
SETTINGS = settings(max_examples=int(os.environ.get("CALLDESK_FUZZ_EXAMPLES", "60")), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

# The seeded store: leads with gaps an import may fill, and one number on the do-not-call list.
SEED_CSV = (
    "Company,Phone,Email,Stage\n"
    "Acme,06-12345678,,prospect\n"
    ",020 123 4567,info@bakker.nl,\n"
    "Café Zoë,+32 2 512 34 56,,klant\n"
)
SUPPRESSED = "+31687654321"

PHONES = ["06-12345678", "+31 6 12345678", "0612345678", "020 123 4567", "+32 2 512 34 56",
          "06 8765 4321", "06-11112222", "+49 30 12345678", "010-7654321", "0031 6 33334444",
          "12", "abc", "+999 1", "", " ", "=HYPERLINK(\"tel:0612345678\",\"bel\")"]
FORMULAS = ["=HYPERLINK(\"http://evil.example\",\"klik\")", "=1+1", "+SUM(A1:A9)", "-2+3",
            "@SUM(A1)", "=cmd|' /C calc'!A0", "\t=1+1", "\r=1+1", "-", "+", "@", "'=1+1"]
WORDS = ["lead", "klant", "prospect", "opportunity", "warm", "ja", "no", "x", "Nederland",
         "Belgium", "DE", "11-50", "500+", "1.000", "Horeca", "anne", "Sanne de Vries", ""]
HEADERS = ["Company", "Bedrijfsnaam", "Contact", "Voornaam", "Achternaam", "Functie", "Email",
           "Stage", "Fase", "Industry", "Employees", "Country", "Source", "Owner", "Niet bellen",
           "Notes", "", "Lifecycle Stage", "LinkedIn"]
PHONE_HEADERS = ["Phone", "Telefoon", "Mobile", "Telefoonnummer", "Phone Number"]
# Encodings whose detection the import promises (the others may be read as a near relative).
FAITHFUL = {"utf-8": {"utf-8"}, "utf-8-sig": {"utf-8-sig"}, "utf-16": {"utf-16"},
            "cp1252": {"cp1252", "utf-8"}}
CSV_FIELD_LIMIT = csv.field_size_limit()
TEXT_COLUMNS = {"company": "company", "contact": "contact_name", "role": "role", "email": "email",
                "linkedin": "linkedin_url", "industry": "industry", "source": "source",
                "owner": "owner", "lost_reason": "lost_reason"}


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("template")
    store = open_store(str(folder / "seed.db"))
    try:
        import_csv(store, write_csv(folder / "seed.csv", SEED_CSV), now=NOW - timedelta(days=1), by="seed")
        with orm(store) as session:
            session.add(Suppression(phone_e164=SUPPRESSED, reason="asked", added_at=NOW))
    finally:
        store.close()
    return folder / "seed.db"


def everything(store) -> dict[str, list[tuple]]:
    with store.read() as conn:
        return {t.name: sorted(map(tuple, conn.execute(sa.select(t)).all()), key=repr)
                for t in SQLModel.metadata.sorted_tables}


def leads_by_phone(store) -> dict[str, dict]:
    with store.read() as conn:
        rows = conn.execute(sa.select(Lead.__table__)).mappings().all()
    return {row["phone_e164"]: dict(row) for row in rows}


# --- generated files ------------------------------------------------------------------------

text_cell = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=25)
cell = st.one_of(
    st.sampled_from(PHONES), st.sampled_from(FORMULAS), st.sampled_from(WORDS), text_cell,
    # Longer than a field may be (rejected with its reason), but within the csv module's limit.
    st.builds(lambda ch, n: ch * n, st.sampled_from("x,;\"é\n"), st.integers(1001, 3000)),
)


@st.composite
def csv_files(draw):
    """(bytes, facts): a file as people and programs write them, or something worse."""
    headers = draw(st.lists(st.sampled_from(HEADERS), max_size=6, unique=True))
    if draw(st.integers(0, 9)):  # mostly a phone column, sometimes none
        spot = draw(st.integers(0, len(headers)))
        headers.insert(spot, draw(st.sampled_from(PHONE_HEADERS)))
    # A quarter of the files are clean (good numbers, no stray stages): imports without rejects.
    clean = draw(st.integers(0, 3)) == 0
    phones, other = (st.sampled_from(PHONES[:10]), st.sampled_from(FORMULAS + WORDS[5:])) if clean else (
        st.sampled_from(PHONES), cell)
    rows = []
    for _ in range(draw(st.integers(0, 12))):
        # Phone columns mostly hold something phone-like, so that many rows do get imported.
        row = [draw(phones if h in PHONE_HEADERS and (clean or draw(st.integers(0, 4))) else other)
               for h in headers]
        ragged = 2 if clean else draw(st.integers(0, 9))
        if ragged == 0:
            row = row[:draw(st.integers(0, len(row)))]
        elif ragged == 1:
            row += draw(st.lists(cell, min_size=1, max_size=3))
        rows.append(row)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16",
                                     "utf-16-le", "utf-16-be"]))
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    layout = draw(st.sampled_from(["writer", "writer", "raw"]))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    out = io.StringIO(newline="")
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))
    # The csv module quotes a CR only when its line terminator holds one: else the row is split.
    bare_cr = quoting == csv.QUOTE_MINIMAL and newline == "\n" and any("\r" in c for r in rows for c in r)
    if layout == "writer":
        writer = csv.writer(out, delimiter=delimiter, quoting=quoting, lineterminator=newline)
        writer.writerow(headers)
        writer.writerows(rows)
    else:  # no quoting at all: stray quotes, delimiters and newlines inside cells
        out.write(newline.join(delimiter.join(r) for r in [headers, *rows]) + newline)
    text = out.getvalue()
    if draw(st.integers(0, 14)) == 0:  # a field past the csv module's own limit
        text += delimiter.join(["06-99990000", "y" * (CSV_FIELD_LIMIT + 10)]) + newline
    data = text.encode(encoding, errors="replace")
    junk = draw(st.sampled_from(["none"] * 12 + ["tail", "middle", "only", "empty", "bom"]))
    if junk == "tail":
        data += draw(st.binary(min_size=1, max_size=40))
    elif junk == "middle":
        cut = draw(st.integers(0, len(data)))
        data = data[:cut] + draw(st.binary(min_size=1, max_size=40)) + data[cut:]
    elif junk == "only":
        data = draw(st.binary(max_size=200))
    elif junk == "empty":
        data = b""
    elif junk == "bom":
        data = draw(st.sampled_from([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"]))
    # Well formed: the row count is known in advance (see test_generated_files).
    faithful = (junk == "none" and layout == "writer" and not bare_cr and encoding in FAITHFUL
                and "" not in headers and (len(headers) > 1 or delimiter == ",")
                and len(text) < CSV_FIELD_LIMIT and any(h in PHONE_HEADERS for h in headers))
    return data, {"rows": rows, "encoding": encoding, "delimiter": delimiter, "faithful": faithful}


def read_rejects(path: Path, delimiter: str) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle, delimiter=delimiter))


def counts(summary) -> tuple[int, ...]:
    return tuple(getattr(summary, name) for name in COUNTS)


def dangerous(cell: str) -> bool:
    """What a spreadsheet would run as a formula (a plain signed number is only a number)."""
    return cell[:1] in ("=", "+", "-", "@", "\t", "\r") and not re.fullmatch(r"[+-]?\d[\d.]*", cell)


@SETTINGS
@given(file=csv_files(), chunk_rows=st.sampled_from([2, 5, 2000]), rejects_ok=st.integers(0, 7),
       export_delimiter=st.sampled_from([",", ";"]))
def test_generated_files(template, file, chunk_rows, rejects_ok, export_delimiter):
    data, facts = file
    with tempfile.TemporaryDirectory(prefix="calldesk-fuzz-") as folder_name, \
            mock.patch.object(imports_module, "CHUNK_ROWS", chunk_rows):
        folder = Path(folder_name)
        shutil.copyfile(template, folder / "desk.db")
        path = folder / "in.csv"
        path.write_bytes(data)
        # Now and then the rejects file can't be written: the whole import must then be undone.
        rejects = folder / ("rejects.csv" if rejects_ok else "missing-folder/rejects.csv")
        store = open_store(str(folder / "desk.db"))
        try:
            check_file(store, path, rejects, facts, export_delimiter)
        finally:
            store.close()


def check_file(store, path: Path, rejects: Path, facts: dict, export_delimiter: str) -> None:
    def run(**kwargs):
        return import_csv(store, path, now=NOW, by="fuzz", rejects_path=rejects, **kwargs)

    before = everything(store)
    leads_before = leads_by_phone(store)

    # A dry run counts exactly as the real one and writes nothing, not even rejects.
    try:
        dry = run(dry_run=True)
    except CalldeskError as exc:
        dry, dry_error = None, str(exc)
    assert everything(store) == before
    assert not rejects.exists()

    try:
        summary = run()
    except CalldeskError as exc:
        message = str(exc)
        event(f"refused: {message.replace(str(path), 'FILE')[:40]}")  # --hypothesis-show-statistics
        assert message and "\n" not in message
        # The same error as the dry run's, or writing rejects (which a dry run skips) failed first.
        assert message == (dry_error if dry is None else None) or "rejects file" in message, message
        assert everything(store) == before  # all or nothing
        assert not rejects.exists()  # nor a rejects file describing an import that didn't happen
        assert not facts["faithful"] or "rejects file" in message, message
        return
    assert dry is not None, dry_error
    event(f"read {'well-formed' if facts['faithful'] else 'other'} file, rejected rows: {bool(summary.rejected)}, "
          f"imported: {bool(summary.imported)}, updated: {bool(summary.updated)}")
    assert counts(dry) == counts(summary)

    # Every row read is accounted for once; every rejected row is in the rejects file, with a reason.
    assert summary.rows_read == sum(counts(summary)[1:])
    if summary.rejected:
        rejected = read_rejects(rejects, summary.delimiter)
        header, body = rejected[0], rejected[1:]
        assert header[-2:] == ["line", "reason"]
        assert len(body) == summary.rejected
        assert all(row[-1] and row[-2].isdigit() for row in body)
        lines = [int(row[-2]) for row in body]
        # A file without a header row has its first lead on line 1.
        assert lines == sorted(lines) and len(set(lines)) == len(lines) and min(lines) >= (1 if summary.shape else 2)
        assert summary.first_rejects == [(int(r[-2]), r[-1]) for r in body[:10]]
        assert summary.rejects_path == rejects
    else:
        assert not rejects.exists() and summary.rejects_path is None and not summary.first_rejects

    if facts["faithful"]:
        assert summary.encoding in FAITHFUL[facts["encoding"]]
        assert summary.delimiter == facts["delimiter"]
        written = [[c.encode(facts["encoding"], "replace").decode(summary.encoding, "replace") for c in row]
                   for row in facts["rows"]]
        assert summary.rows_read == sum(1 for row in written if any(c.strip() for c in row))

    after = everything(store)
    leads_after = leads_by_phone(store)
    run_row = [r for r in after["imports"] if r not in before["imports"]]
    assert len(run_row) == 1
    with orm(store) as session:
        stored_run = session.get(ImportRun, run_row[0][0])
        assert tuple(getattr(stored_run, name) for name in COUNTS) == counts(summary)
    for table in ("calls", "callbacks", "signals", "stage_changes", "bant_answers", "activities", "callers"):
        assert after[table] == before[table]

    # Leads: old ones keep what they had (an import only fills their gaps), new ones are counted.
    assert set(leads_before) <= set(leads_after)
    new = set(leads_after) - set(leads_before)
    assert len(new) == summary.imported
    suppressed = {row[0] for row in after["suppression"]}
    assert not new & suppressed
    changed = 0
    for phone, old in leads_before.items():
        now_ = leads_after[phone]
        if now_ == old:
            continue
        changed += 1
        for name, value in old.items():
            if name in FILLABLE and value in (None, ""):
                continue
            if name == "updated_at":
                assert now_[name] == NOW
                continue
            assert now_[name] == value, (phone, name)
    assert (changed > 0) == (summary.updated > 0) and changed <= summary.updated
    for phone in new:
        assert leads_after[phone]["import_id"] == run_row[0][0]
        assert leads_after[phone]["created_at"] == NOW

    check_export(store, leads_after, export_delimiter)

    # Re-import: nothing new, nothing changed, the same rows rejected.
    again = run()
    assert (again.imported, again.updated) == (0, 0)
    assert (again.rows_read, again.rejected) == (summary.rows_read, summary.rejected)
    final = everything(store)
    for table, rows in final.items():
        if table != "imports":
            assert rows == after[table], table


def check_export(store, leads: dict[str, dict], delimiter: str) -> None:
    out = io.StringIO()
    assert export_leads(store, out, delimiter=delimiter) == len(leads)
    rows = list(csv.reader(io.StringIO(out.getvalue()), delimiter=delimiter))
    assert tuple(rows[0]) == COLUMNS and len(rows) == len(leads) + 1
    for row in rows[1:]:
        for value in row:
            assert not dangerous(value), value
        exported = dict(zip(COLUMNS, row, strict=True))
        lead = leads[exported["phone"]]
        for column, name in TEXT_COLUMNS.items():
            stored = lead[name] or ""
            # Neutralised cells differ by the leading quote only.
            assert exported[column] == (f"'{stored}" if dangerous(stored) else stored), column


# --- deliberate cases the generator reaches only by luck ------------------------------------


def test_failure_after_chunks_were_written_leaves_the_store_as_it_was(template, tmp_path):
    # Good rows fill several chunks, then bytes no UTF-16 can end with: the error comes late.
    shutil.copyfile(template, tmp_path / "desk.db")
    text = "Company,Phone\n" + "".join(f"C{i},06-2{i:07d}\n" for i in range(30))
    path = tmp_path / "late.csv"
    path.write_bytes(text.encode("utf-16") + b"\x00")
    store = open_store(str(tmp_path / "desk.db"))
    try:
        before = everything(store)
        with mock.patch.object(imports_module, "CHUNK_ROWS", 4), \
                pytest.raises(CalldeskError, match="not text in utf-16") as error:
            import_csv(store, path, now=NOW, by="t")
        assert "\n" not in str(error.value)
        assert everything(store) == before
    finally:
        store.close()


def test_failed_import_leaves_no_rejects_file(template, tmp_path):
    # A rejects file from a run that was undone would list rows of an import that never happened.
    shutil.copyfile(template, tmp_path / "desk.db")
    text = "Company,Phone\nBad,12\n" + "".join(f"C{i},06-2{i:07d}\n" for i in range(10))
    path = tmp_path / "late.csv"
    path.write_bytes(text.encode("utf-16") + b"\x00")
    store = open_store(str(tmp_path / "desk.db"))
    try:
        with mock.patch.object(imports_module, "CHUNK_ROWS", 2), pytest.raises(CalldeskError):
            import_csv(store, path, now=NOW, by="t")
        assert not (tmp_path / "late.rejects.csv").exists()
    finally:
        store.close()


@pytest.mark.parametrize("formula", FORMULAS)
def test_formula_cells_are_stored_as_given_and_exported_inert(template, tmp_path, formula):
    shutil.copyfile(template, tmp_path / "desk.db")
    out = io.StringIO()
    csv.writer(out).writerows([["Company", "Contact", "Phone", "Industry"],
                               [formula, formula, "06-11112222", formula]])
    store = open_store(str(tmp_path / "desk.db"))
    try:
        import_csv(store, write_csv(tmp_path / "f.csv", out.getvalue()), now=NOW, by="t")
        lead = leads_by_phone(store)["+31611112222"]
        stripped = formula.strip()  # the import trims cells, as for any other value
        # and drops the apostrophe an export put before a formula: "'=1+1" was "=1+1"
        expected = stripped[1:] if stripped.startswith("'=") else stripped
        assert (lead["company"], lead["contact_name"], lead["industry"]) == (expected,) * 3
        exported = io.StringIO()
        export_leads(store, exported)
        row = next(r for r in csv.DictReader(io.StringIO(exported.getvalue())) if r["phone"] == "+31611112222")
        for column in ("company", "contact", "industry"):
            assert not dangerous(row[column])
            assert row[column] in (expected, "'" + expected)
    finally:
        store.close()


def test_line_breaks_inside_cells_export_as_one_row(template, tmp_path):
    # Quoted cells may hold CR, LF or both; the export must keep each lead on one CSV row.
    shutil.copyfile(template, tmp_path / "desk.db")
    values = ["Bakker\rBouw", "Bakker\nBouw", "Bakker\r\nBouw"]
    out = io.StringIO()
    csv.writer(out, quoting=csv.QUOTE_ALL).writerows(
        [["Company", "Phone"], *([v, f"06-1111222{i}"] for i, v in enumerate(values))])
    store = open_store(str(tmp_path / "desk.db"))
    try:
        import_csv(store, write_csv(tmp_path / "cr.csv", out.getvalue()), now=NOW, by="t")
        # The import folds them to spaces; a lead can still hold one (stored by hand, older stores).
        assert sorted(leads_by_phone(store)[f"+3161111222{i}"]["company"] for i in range(3)) == ["Bakker Bouw"] * 3
        with store.write() as conn:
            for i, value in enumerate(values):
                conn.execute(sa.update(Lead).where(Lead.phone_e164 == f"+3161111222{i}")
                                             .values(company=value))
        for delimiter in (",", ";"):
            exported = io.StringIO()
            export_leads(store, exported, delimiter=delimiter)
            rows = list(csv.DictReader(io.StringIO(exported.getvalue()), delimiter=delimiter))
            assert [r["company"] for r in rows if r["phone"].startswith("+3161111222")] == values
    finally:
        store.close()
