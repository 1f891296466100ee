import codecs
import csv
import os

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calldesk.db import imports as imports_module
from calldesk.db.engine import StoreFault, open_store
from calldesk.db.exports import export_leads
from calldesk.db.imports import import_csv
from calldesk.db.models import ImportRun, Lead, Suppression
from calldesk.db.team import ensure_caller
from calldesk.errors import CalldeskError
from tests.conftest import NOW, orm, write_csv

HUBSPOT = (
    "First Name,Last Name,Company Name,Job Title,Phone Number,Mobile Phone Number,Email,"
    "Lifecycle Stage,Number of Employees\n"
    "Sanne,de Vries,Bakkerij De Korenschoof,Eigenaar,020-1234567,,sanne@korenschoof.nl,Lead,11-50\n"
    'Jürgen,Müller,"Müller Maschinenbau GmbH",Geschäftsführer,+49 30 12345678,,,Customer,200\n'
    "Tom,Bakker,Bakker Bouw,Directeur,,06 1234 5678,tom@bakkerbouw.nl,Sales Qualified Lead,\n"
    "No,Phone,Nobody BV,,,,,Lead,\n"
)
EXCEL_NL = (
    "Bedrijfsnaam;Voornaam;Achternaam;Functie;Telefoonnummer;Branche;Fase\r\n"
    "Café Zoë;Zoë;Peeters;Eigenaar;(020) 123 45 67;Horeca;prospect\r\n"
    "Brasserie Geneviève;Geneviève;Dubois;Chef;+32 2 512 34 56;Horeca;\r\n"
    "Fout BV;Piet;Jansen;Inkoper;12345;ICT;suspect\r\n"
)


def run(store, path, **kwargs):
    kwargs.setdefault("now", NOW)
    kwargs.setdefault("by", "tester")
    return import_csv(store, path, **kwargs)


def leads(store):
    with orm(store) as session:
        return {lead.phone_e164: lead for lead in session.exec(sa.select(Lead)).scalars()}


def test_hubspot_export(store, tmp_path):
    summary = run(store, write_csv(tmp_path / "hubspot.csv", HUBSPOT))
    assert (summary.rows_read, summary.imported, summary.rejected) == (4, 3, 1)
    stored = leads(store)
    assert stored["+31201234567"].contact_name == "Sanne de Vries"
    assert stored["+31201234567"].stage == "prospect"
    assert stored["+31612345678"].stage == "hot_lead"  # from the mobile column: phone was empty
    assert stored["+493012345678"].company == "Müller Maschinenbau GmbH"
    assert stored["+493012345678"].time_zone == "Europe/Berlin"
    assert stored["+493012345678"].source == "hubspot"


def test_excel_nl_cp1252_semicolons(store, tmp_path):
    path = write_csv(tmp_path / "excel.csv", EXCEL_NL, "cp1252")
    summary = run(store, path, source="beurs 2026")
    assert (summary.encoding, summary.delimiter) == ("cp1252", ";")
    assert (summary.imported, summary.rejected) == (2, 1)
    stored = leads(store)
    assert stored["+31201234567"].company == "Café Zoë"  # accents survive
    assert stored["+3225123456"].contact_name == "Geneviève Dubois"
    assert stored["+3225123456"].source == "beurs 2026"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252", "latin-1"])
@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_encodings_and_delimiters(sqlite_store, tmp_path, encoding, delimiter):
    text = EXCEL_NL.replace(";", delimiter)
    if encoding == "latin-1":
        text += f"Œuvre{delimiter}A{delimiter}B{delimiter}C{delimiter}06-87654321{delimiter}X{delimiter}\r\n".replace("Œ", "Ø")
    summary = run(sqlite_store, write_csv(tmp_path / "in.csv", text, encoding))
    assert summary.delimiter == delimiter
    assert summary.imported == (3 if encoding == "latin-1" else 2)
    assert leads(sqlite_store)["+31201234567"].company == "Café Zoë"


def test_rejects_file_has_line_and_reason(sqlite_store, tmp_path):
    path = write_csv(tmp_path / "hubspot.csv", HUBSPOT)
    summary = run(sqlite_store, path)
    assert summary.rejects_path == tmp_path / "hubspot.rejects.csv"
    with summary.rejects_path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][-2:] == ["line", "reason"]
    assert rows[1][:3] == ["No", "Phone", "Nobody BV"]
    assert rows[1][-2:] == ["5", "missing phone number"]
    assert summary.first_rejects == [(5, "missing phone number")]


def test_line_numbers_count_quoted_newlines(sqlite_store, tmp_path):
    text = 'Company,Phone\n"Two\nlines",06-12345678\nBad,12\n'
    summary = run(sqlite_store, write_csv(tmp_path / "q.csv", text))
    assert summary.first_rejects[0][0] == 4


def test_reimport_changes_nothing(store, tmp_path):
    path = write_csv(tmp_path / "hubspot.csv", HUBSPOT)
    run(store, path)
    before = {k: v.model_dump() for k, v in leads(store).items()}
    again = run(store, path, now=NOW.replace(hour=15))
    assert (again.imported, again.updated, again.duplicates) == (0, 0, 3)
    assert {k: v.model_dump() for k, v in leads(store).items()} == before


def test_duplicates_fill_empty_fields_only_and_never_move_stage_back(store, tmp_path):
    run(store, write_csv(tmp_path / "a.csv", "Company,Phone,Stage,Email\nAcme,06-12345678,hot lead,\n"))
    with store.write() as conn:  # a caller recorded a contact name on the phone
        conn.execute(sa.update(Lead).values(contact_name="Eva (recorded)"))
    summary = run(store, write_csv(
        tmp_path / "b.csv",
        "Company,Contact,Phone,Stage,Email\nOther name,Someone else,+31 6 12345678,suspect,eva@acme.nl\n",
    ))
    assert (summary.imported, summary.updated, summary.duplicates) == (0, 1, 0)
    lead = leads(store)["+31612345678"]
    assert (lead.company, lead.contact_name, lead.stage, lead.email) == (
        "Acme", "Eva (recorded)", "hot_lead", "eva@acme.nl")


def test_duplicates_within_the_file_across_chunks(store, tmp_path, monkeypatch):
    monkeypatch.setattr(imports_module, "CHUNK_ROWS", 2)
    text = "Company,Phone,Email\nA,06-12345678,\nB,020 123 4567,\nC,020-1234567,c@x.nl\nD,0612345678,d@x.nl\nE,06 1234 5678,\n"
    summary = run(store, write_csv(tmp_path / "d.csv", text))
    assert (summary.imported, summary.duplicates, summary.updated) == (2, 3, 0)
    stored = leads(store)
    assert stored["+31612345678"].company == "A" and stored["+31612345678"].email == "d@x.nl"
    assert stored["+31201234567"].email == "c@x.nl"


def test_suppressed_numbers_never_come_back(store, tmp_path):
    with orm(store) as session:
        session.add(Suppression(phone_e164="+31612345678", reason="asked", added_at=NOW))
    summary = run(store, write_csv(tmp_path / "s.csv", "Company,Phone\nA,06-12345678\nB,020 123 4567\n"))
    assert (summary.imported, summary.suppressed) == (1, 1)
    assert "+31612345678" not in leads(store)


def test_do_not_call_column_suppresses(store, tmp_path):
    summary = run(store, write_csv(tmp_path / "s.csv", "Company,Phone,Niet bellen\nA,06-12345678,ja\nB,020 123 4567,\n"))
    assert (summary.imported, summary.suppressed) == (1, 1)
    with orm(store) as session:
        assert session.exec(sa.select(Suppression.phone_e164)).scalars().all() == ["+31612345678"]


def test_dry_run_writes_nothing(store, tmp_path):
    path = write_csv(tmp_path / "hubspot.csv", HUBSPOT)
    summary = run(store, path, dry_run=True)
    assert (summary.imported, summary.rejected, summary.dry_run) == (3, 1, True)
    assert leads(store) == {}
    assert not (tmp_path / "hubspot.rejects.csv").exists()


def test_owner_and_map_options(store, tmp_path):
    ensure_caller(store, "anne", NOW)
    path = write_csv(tmp_path / "m.csv", "Org,Tel werk,Notes\nAcme,06-12345678,x\n")
    run(store, path, owner="anne", overrides={"Org": "company", "Tel werk": "phone", "Notes": "ignore"})
    lead = leads(store)["+31612345678"]
    assert (lead.company, lead.owner) == ("Acme", "anne")


def test_all_or_nothing_when_the_rejects_file_cannot_be_written(store, tmp_path):
    path = write_csv(tmp_path / "hubspot.csv", HUBSPOT)
    with pytest.raises(CalldeskError, match="cannot write rejects file"):
        run(store, path, rejects_path=tmp_path / "missing-folder" / "r.csv")
    assert leads(store) == {}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty: no header row"),
        (b"\n\n", "is empty: no header row"),
        (b"PK\x03\x04rest of a zip", "Excel workbook"),
        (b"\x00\x01\x02\x03binary\x00junk\xff" * 20, "binary data"),
        (b"Naam,Stad\nPiet,Delft\n", "no phone column found; headers found: 'Naam', 'Stad'"),
    ],
)
def test_unreadable_files_are_one_line_errors(sqlite_store, tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(CalldeskError, match=message) as error:
        run(sqlite_store, path)
    assert "\n" not in str(error.value)
    assert leads(sqlite_store) == {}


def test_missing_file_and_folder(sqlite_store, tmp_path):
    with pytest.raises(CalldeskError, match="no such file"):
        run(sqlite_store, tmp_path / "nope.csv")
    with pytest.raises(CalldeskError, match="it is a folder"):
        run(sqlite_store, tmp_path)


def test_header_only_file_is_processed(sqlite_store, tmp_path):
    summary = run(sqlite_store, write_csv(tmp_path / "h.csv", "Company,Phone\n"))
    assert (summary.rows_read, summary.imported) == (0, 0)


cells = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(st.lists(cells, min_size=0, max_size=5), max_size=8),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"]),
    delimiter=st.sampled_from([",", ";", "\t"]),
    junk=st.binary(max_size=40),
)
def test_generated_files_never_traceback(tmp_path_factory, rows, encoding, delimiter, junk):
    folder = tmp_path_factory.mktemp("fuzz")
    path = folder / "in.csv"
    body = [["Company", "Phone", "Stage"], *rows]
    text = "\n".join(delimiter.join(r) for r in body)
    data = codecs.encode(text, encoding, errors="replace") + junk
    path.write_bytes(data)
    store = open_store(str(folder / "f.db"))
    try:
        summary = import_csv(store, path, now=NOW, by="fuzz")
    except CalldeskError as exc:
        assert "\n" not in str(exc)
        assert leads(store) == {}
    else:
        assert summary.imported + summary.duplicates + summary.rejected + summary.suppressed == summary.rows_read
        assert len(leads(store)) == summary.imported
    finally:
        store.close()


def test_worker_processes_give_the_same_result(sqlite_store, tmp_path, monkeypatch):
    # Big files parse phones in worker processes; force that path on a small file.
    monkeypatch.setattr(imports_module, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(imports_module, "CHUNK_ROWS", 3)
    text = "Company,Phone,Stage\n" + "".join(
        f"C{i},06-1234{i:04d},{'bogus' if i % 7 == 0 else 'lead'}\n" for i in range(1, 40)
    ) + "Dup,06-12340001,\n"
    summary = run(sqlite_store, write_csv(tmp_path / "w.csv", text))
    assert imports_module._workers_for(0) >= 1
    assert (summary.rows_read, summary.imported, summary.rejected, summary.duplicates) == (40, 34, 5, 1)
    assert [line for line, _ in summary.first_rejects] == [8, 15, 22, 29, 36]
    assert leads(sqlite_store)["+31612340001"].company == "C1"


def test_chunk_wide_constants_are_stored_exactly(store, tmp_path):
    # 80 rows sharing company, industry, stage and source: those are written into the INSERT
    # once (escaped), the rest bound per row. Quotes must survive, types must round-trip.
    company = 'Bakker\'s "Brood" & Zn; DROP TABLE leads --'
    text = "Company,Phone,Industry,Stage\n" + "".join(
        f'"{company.replace(chr(34), chr(34) * 2)}",06-2{i:07d},Bouw,hot lead\n' for i in range(80))
    summary = run(store, write_csv(tmp_path / "same.csv", text), source="O'Neill's list")
    assert summary.imported == 80
    stored = leads(store)
    assert len(stored) == 80
    for lead in stored.values():
        assert (lead.company, lead.industry, lead.stage, lead.source) == (company, "Bouw", "hot_lead", "O'Neill's list")
        assert lead.created_at == NOW and lead.phone_bad is False and lead.claimed_by is None
        assert lead.warmth == 40 and lead.attempts == 0


# --- owners ---------------------------------------------------------------------------------


def test_owner_column_is_stored_as_a_callers_name_or_rejected_with_strict_owners(store, tmp_path):
    ensure_caller(store, "anne", NOW)
    text = ("Company,Phone,Owner\nA,06-12345678,ANNE\nB,020 123 4567,  anne \nC,06-11112222,team\n"
            "D,06-22223333,ghost\nE,06-33334444,\nF,06-44445555,Anne de Vries\n")
    summary = run(store, write_csv(tmp_path / "o.csv", text), strict_owners=True)
    assert (summary.imported, summary.rejected) == (3, 3)
    stored = leads(store)
    assert [stored[p].owner for p in ("+31612345678", "+31201234567", "+31633334444")] == ["anne", "anne", None]
    assert summary.first_rejects == [
        (4, "owner 'team': 'team' stands for the whole team; pick another name"),
        (5, "owner ghost is not a caller (add them with: calldesk caller add ghost)"),
        (7, "owner anne de vries is not a caller (add them with: calldesk caller add 'anne de vries')"),
    ]
    with summary.rejects_path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert [r[:3] for r in rows[1:]] == [["C", "06-11112222", "team"], ["D", "06-22223333", "ghost"],
                                         ["F", "06-44445555", "Anne de Vries"]]


def test_owner_option_is_normalised(store, tmp_path):
    ensure_caller(store, "anne", NOW)
    run(store, write_csv(tmp_path / "o.csv", "Company,Phone\nA,06-12345678\n"), owner="  ANNE ")
    assert leads(store)["+31612345678"].owner == "anne"


@pytest.mark.parametrize(("owner", "message"), [
    ("ghost", r"^owner ghost is not a caller \(add them with: calldesk caller add ghost\)$"),
    ("Team", "'team' stands for the whole team"),
])
def test_owner_option_must_be_a_caller_before_anything_is_written(store, tmp_path, owner, message):
    path = write_csv(tmp_path / "o.csv", "Company,Phone\nA,06-12345678\nB,12\n")
    with pytest.raises(CalldeskError, match=message) as error:
        run(store, path, owner=owner)
    assert "\n" not in str(error.value)
    assert leads(store) == {}
    with orm(store) as session:
        assert session.exec(sa.select(sa.func.count()).select_from(ImportRun)).scalar_one() == 0
    assert not (tmp_path / "o.rejects.csv").exists()


# --- do not call ----------------------------------------------------------------------------


def test_do_not_call_column_accepts_no_values_and_rejects_unknown_ones(store, tmp_path):
    text = ("Company,Phone,Do not call\nA,06-12345678,nee\nB,020 123 4567,No\nC,06-11112222,maybe\n"
            "D,06-22223333,0\nE,06-33334444,yes\n")
    summary = run(store, write_csv(tmp_path / "d.csv", text))
    assert (summary.imported, summary.suppressed, summary.rejected) == (3, 1, 1)
    assert summary.first_rejects[0][0] == 4
    assert summary.first_rejects[0][1].startswith("do not call 'maybe': expected yes (")
    assert set(leads(store)) == {"+31612345678", "+31201234567", "+31622223333"}
    with orm(store) as session:
        assert session.exec(sa.select(Suppression.phone_e164)).scalars().all() == ["+31633334444"]


# --- our own export read back ---------------------------------------------------------------


def test_export_reimports_formula_like_names_without_the_apostrophe(store, tmp_path):
    text = "Company,Contact,Phone,Industry\n-Min BV,@cmd,06-12345678,'t Hart\n"
    run(store, write_csv(tmp_path / "in.csv", text))
    exported = tmp_path / "export.csv"
    with exported.open("w", newline="", encoding="utf-8") as handle:
        export_leads(store, handle)
    assert "'-Min BV" in exported.read_text(encoding="utf-8")  # the export did neutralise it
    other = open_store(str(tmp_path / "other.db"))
    try:
        summary = run(other, exported)
        assert (summary.imported, summary.rejected) == (1, 0)
        lead = leads(other)["+31612345678"]
        assert (lead.company, lead.contact_name, lead.industry) == ("-Min BV", "@cmd", "'t Hart")
    finally:
        other.close()


# --- where rejected rows go -----------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["", "-wal", "-journal"])
def test_rejects_file_is_never_the_store(sqlite_store, tmp_path, suffix):
    run(sqlite_store, write_csv(tmp_path / "first.csv", "Company,Phone\nA,06-12345678\n"))
    store_file = sqlite_store.path
    path = write_csv(tmp_path / "hubspot.csv", HUBSPOT)
    for dry_run in (False, True):
        with pytest.raises(CalldeskError, match=r"--rejects .* would write over .*: choose another file") as error:
            run(sqlite_store, path, rejects_path=store_file.with_name(store_file.name + suffix), dry_run=dry_run)
        assert "\n" not in str(error.value)
    assert set(leads(sqlite_store)) == {"+31612345678"}
    with orm(sqlite_store) as session:
        assert session.exec(sa.select(sa.func.count()).select_from(ImportRun)).scalar_one() == 1
    reopened = open_store(str(store_file))
    try:
        assert set(leads(reopened)) == {"+31612345678"}
    finally:
        reopened.close()


def test_rejects_file_is_never_the_input(sqlite_store, tmp_path):
    path = write_csv(tmp_path / "hubspot.csv", HUBSPOT)
    before = path.read_bytes()
    link = tmp_path / "link.csv"
    link.symlink_to(path)
    for rejects in (path, tmp_path / "." / "hubspot.csv", link):
        with pytest.raises(CalldeskError, match="would write over"):
            run(sqlite_store, path, rejects_path=rejects)
    assert path.read_bytes() == before
    assert leads(sqlite_store) == {}


def test_default_rejects_file_is_checked_too(sqlite_store, tmp_path):
    # A store named like the default rejects file of the input beside it.
    store = open_store(str(tmp_path / "hubspot.rejects.csv"))
    try:
        with pytest.raises(CalldeskError, match="--rejects .* would write over"):
            run(store, write_csv(tmp_path / "hubspot.csv", HUBSPOT))
        assert leads(store) == {}
    finally:
        store.close()


# --- not a CSV file -------------------------------------------------------------------------


def test_a_sqlite_store_given_as_the_csv_is_binary(sqlite_store, tmp_path):
    run(sqlite_store, write_csv(tmp_path / "in.csv", HUBSPOT))
    other = open_store(str(tmp_path / "other.db"))
    try:
        for path in (sqlite_store.path, tmp_path / "other.db"):
            with pytest.raises(CalldeskError, match=r"^not a CSV file: it holds binary data$"):
                run(other, path)
        assert leads(other) == {}
    finally:
        other.close()


@pytest.mark.parametrize("content", [
    # The header alone says so, even when UTF-16-like text follows.
    b"SQLite format 3\x00" + "Company,Phone\nA,06-12345678\n".encode("utf-16-le"),
    "Company,Phone\n".encode("utf-16-le") + b"\x00" * 400,  # zeros pass for UTF-16 at a glance
    "Company,Phone\n".encode("utf-16-le") + b"\x00\xdc" * 20,  # lone surrogates
])
def test_files_with_nul_bytes_text_would_not_have_are_binary(sqlite_store, tmp_path, content):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(CalldeskError, match=r"^not a CSV file: it holds binary data$"):
        run(sqlite_store, path)


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_with_zero_low_bytes_still_reads(sqlite_store, tmp_path, encoding):
    # Ā (U+0100), 一 (U+4E00) and the ideographic space (U+3000) have a zero byte of their own.
    text = "Company,Phone\r\nĀ一\u3000Łódź BV,06-12345678\r\n"
    summary = run(sqlite_store, write_csv(tmp_path / "u.csv", text, encoding))
    assert (summary.encoding, summary.imported) == (encoding, 1)
    assert leads(sqlite_store)["+31612345678"].company == "Ā一\u3000Łódź BV"


# Values a percent-style driver or a literal could mangle: each must come back exactly.
AWKWARD = ["jan 100%", "50%s korting", "%%", "O'Neill \\ Zn", "Zoë 'quoted' %(name)s", "日本 – ½"]


@pytest.mark.parametrize("constant", [True, False], ids=["constant-in-chunk", "per-row"])
def test_awkward_text_round_trips_in_every_column(store, tmp_path, constant):
    # 80 rows (over the inline threshold): a value shared by all rows is written into the
    # statement as a literal, a varying one is bound; both must store the text as given.
    rows = []
    for i in range(80):
        value = AWKWARD[0 if constant else i % len(AWKWARD)]
        cells = [value, value, value, f"06-2{i:07d}", value, value, value]
        rows.append(",".join('"' + c.replace('"', '""') + '"' for c in cells))
    text = "Company,Contact,Role,Phone,Industry,Email,Notes\n" + "\n".join(rows) + "\n"
    ensure_caller(store, "jan 100%", now=NOW)
    summary = run(store, write_csv(tmp_path / "awkward.csv", text), source=AWKWARD[0] if constant else None,
                  owner="jan 100%")
    assert summary.imported == 80
    stored = sorted(leads(store).values(), key=lambda lead: lead.phone_e164)
    for i, lead in enumerate(stored):
        value = AWKWARD[0 if constant else i % len(AWKWARD)]
        assert (lead.company, lead.contact_name, lead.role, lead.industry) == (value, value, value, value)
        assert lead.owner == "jan 100%"
        if constant:
            assert lead.source == value


# --- the rejects and duplicates files follow the import: all or nothing ---------------------

def _failing_after_the_rejects(monkeypatch):
    """The import fails after a row was rejected (a store error at its first stored chunk)."""
    def fail(*_args, **_kwargs):
        raise sa.exc.OperationalError("INSERT", {}, Exception("disk I/O error"))
    monkeypatch.setattr(imports_module, "_store_chunk", fail)


def test_a_failed_import_leaves_an_existing_rejects_file_as_it_was(store, tmp_path, monkeypatch):
    rejects = tmp_path / "rejects.csv"
    rejects.write_text("yesterday's rejects\n")
    rejects.chmod(0o640)
    target = tmp_path / "kept.csv"
    target.write_text("kept\n")
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    _failing_after_the_rejects(monkeypatch)
    for path in (rejects, link):
        with pytest.raises(StoreFault, match="disk I/O error"):
            run(store, write_csv(tmp_path / "in.csv", HUBSPOT), rejects_path=path)
    assert rejects.read_text() == "yesterday's rejects\n" and rejects.stat().st_mode & 0o777 == 0o640
    assert link.is_symlink() and target.read_text() == "kept\n"
    assert leads(store) == {}
    assert not list(tmp_path.glob(".*.partial"))  # nothing left half-written beside them


def test_a_failed_import_writes_no_rejects_or_duplicates_file(store, tmp_path, monkeypatch):
    path = write_csv(tmp_path / "in.csv", HUBSPOT)
    _failing_after_the_rejects(monkeypatch)
    with pytest.raises(StoreFault, match="disk I/O error"):
        run(store, path)
    assert not (tmp_path / "in.rejects.csv").exists() and not (tmp_path / "in.duplicates.csv").exists()
    assert not list(tmp_path.glob(".*.partial"))


def test_a_committed_import_puts_its_rejects_in_place(store, tmp_path):
    rejects = tmp_path / "rejects.csv"
    rejects.write_text("yesterday's rejects\n")
    rejects.chmod(0o640)
    run(store, write_csv(tmp_path / "in.csv", HUBSPOT), rejects_path=rejects)
    assert "missing phone number" in rejects.read_text(encoding="utf-8-sig")
    assert rejects.stat().st_mode & 0o777 == 0o640  # an existing file keeps its mode
    old = os.umask(0o022)
    try:
        run(store, write_csv(tmp_path / "more.csv", "Company,Phone\nNo BV,12\n"))
    finally:
        os.umask(old)
    assert (tmp_path / "more.rejects.csv").stat().st_mode & 0o777 == 0o600  # a new one: its owner's only
