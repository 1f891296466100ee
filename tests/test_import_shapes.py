"""Real CRM exports (tests/fixtures/crm, see SOURCES.md there): their column names, owners,
lead statuses and file shapes; extensions; merged rows listed."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import phonenumbers
import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from calldesk.db.imports import import_csv
from calldesk.db.models import Lead
from calldesk.db.team import ensure_caller
from calldesk.errors import CalldeskError
from calldesk.rules.mapping import parse_stage_map
from calldesk.rules.phones import split_extension
from tests.conftest import NOW, orm, write_csv

FIXTURES = Path(__file__).parent / "fixtures" / "crm"


def fixture(tmp_path: Path, name: str) -> Path:
    """A copy beside the test's own files: the rejects and duplicates files go next to it."""
    return Path(shutil.copyfile(FIXTURES / name, tmp_path / name))


def run(store, path, **kwargs):
    kwargs.setdefault("now", NOW)
    kwargs.setdefault("by", "tester")
    return import_csv(store, path, **kwargs)


def leads(store) -> list[Lead]:
    with orm(store) as session:
        return list(session.exec(sa.select(Lead).order_by(Lead.id)).scalars())


def read_csv(path: Path, delimiter: str = ",") -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle, delimiter=delimiter))


# --- owners that are no caller ---------------------------------------------------------------


def test_zoho_owners_are_crm_users_the_leads_go_to_the_pool_and_are_listed(store, tmp_path):
    summary = run(store, fixture(tmp_path, "zoho_leads.csv"), region="US")
    assert (summary.rows_read, summary.imported, summary.rejected) == (100, 100, 0)  # was 0 of 100
    assert all(lead.owner is None for lead in leads(store))
    assert summary.unknown_owners["Harold Pawlan"] == 19 and sum(summary.unknown_owners.values()) == 100


def test_map_owner_gives_a_crm_users_leads_to_a_caller_and_strict_owners_rejects(store, tmp_path):
    ensure_caller(store, "jan", NOW)
    path = write_csv(tmp_path / "o.csv", "Company,Phone,Lead Owner\nA,06-12345678,Jan  Jansen\n"
                                         "B,020 123 4567,Piet Pieters\nC,06-11112222,\n")
    with pytest.raises(CalldeskError, match=r"^--map-owner 'Jan Jansen=ghost': owner ghost is not a caller"):
        run(store, path, owner_map={"Jan Jansen": "ghost"})
    assert leads(store) == []
    summary = run(store, path, owner_map={"jan jansen": "JAN"}, owner="jan")
    assert {lead.company: lead.owner for lead in leads(store)} == {"A": "jan", "B": None, "C": "jan"}
    assert dict(summary.unknown_owners) == {"Piet Pieters": 1}  # its lead stays in the pool, not --owner's


def test_strict_owners_keeps_the_reject(sqlite_store, tmp_path):
    summary = run(sqlite_store, fixture(tmp_path, "zoho_leads.csv"), region="US", strict_owners=True)
    assert (summary.imported, summary.rejected) == (0, 100)
    assert summary.first_rejects[0][1].startswith("owner david love is not a caller")


def test_cli_summary_names_each_unknown_owner_with_its_count_and_option(cli, tmp_path):
    out = cli("import", fixture(tmp_path, "zoho_leads.csv"), "--region", "US").stdout
    assert ("owner 'Harold Pawlan' is not a caller: 19 leads went to the shared pool "
            "(give them to a caller with --map-owner 'Harold Pawlan=CALLER')") in out
    assert "… and 1 more owner that is not a caller (4 leads in the pool)" in out


# --- lead status ---------------------------------------------------------------------------


def test_zoho_lead_status_maps_to_stages_and_lost(store, tmp_path):
    run(store, fixture(tmp_path, "zoho_leads.csv"), region="US")
    with (FIXTURES / "zoho_leads.csv").open(encoding="utf-8", newline="") as handle:
        statuses = [row["Lead Status"] for row in csv.DictReader(handle)]  # one lead per row, in order
    expected = {"Contacted": "prospect", "Junk Lead": "lost", "Lost Lead": "lost", "Not Contacted": "suspect",
                "Attempted to Contact": "suspect", "Contact in Future": "prospect", "Pre-Qualified": "hot_lead",
                "Not Qualified": "lost", "Pre Qualified": "hot_lead"}
    stored = leads(store)
    assert len(stored) == len(statuses)
    for lead, status in zip(stored, statuses, strict=True):
        assert lead.stage == expected[status], lead.company
        assert lead.lost_reason == (status if lead.stage == "lost" else "")


def test_salesforce_status_column_and_map_stage(store, tmp_path):
    path = write_csv(tmp_path / "s.csv", "Company,Phone,Status,Lifecycle Stage\nA,06-12345678,Nurturing,\n"
                                         "B,020 123 4567,Unqualified,Lead\nC,06-11112222,Working - Contacted,\n"
                                         "D,06-22223333,Gebeld 3x,\n")
    summary = run(store, path)
    assert summary.first_rejects == [(5, "unknown lead status 'Gebeld 3x': map it with --map-stage "
                                         "'Gebeld 3x=STAGE' (stages: suspect, prospect, hot_lead, opportunity, "
                                         "customer, lost)")]
    assert {lead.company: lead.stage for lead in leads(store)} == {"A": "prospect", "B": "lost", "C": "prospect"}
    run(store, path, stage_map=parse_stage_map({"gebeld 3x": "hot lead"}))
    assert {lead.company: lead.stage for lead in leads(store)}["D"] == "hot_lead"


def test_map_stage_must_name_a_stage():
    with pytest.raises(CalldeskError, match="--map-stage Lost Lead=gone: unknown stage; stages are: suspect"):
        parse_stage_map({"Lost Lead": "gone"})


# --- merged rows listed --------------------------------------------------------------------


def test_municipalities_sharing_a_number_are_listed_in_the_duplicates_file(store, tmp_path):
    path = fixture(tmp_path, "straat_gemeenten_2019.csv")
    summary = run(store, path)
    assert summary.duplicates == 5 and summary.duplicates_path == tmp_path / "straat_gemeenten_2019.duplicates.csv"
    rows = read_csv(summary.duplicates_path)
    assert rows[0][-3:] == ["line", "lead", "filled"] and len(rows) == 1 + 5
    ids = {lead.phone_e164: lead.id for lead in leads(store)}
    for row in rows[1:]:
        joined = [lead for lead in leads(store) if lead.id == int(row[-2])]
        assert joined and joined[0].company != row[0]  # another municipality's lead, named by id
        assert ids[joined[0].phone_e164] == int(row[-2])


def test_duplicates_file_says_which_fields_a_row_filled(store, tmp_path):
    first = write_csv(tmp_path / "a.csv", "Company,Phone,Email\nBakker BV,06-12345678,\n")
    run(store, first)
    again = write_csv(tmp_path / "b.csv", "Company,Phone,Email,Job Title\nBakker,06 1234 5678,info@bakker.nl,\n"
                                          "Bakker B.V.,0612345678,,Inkoper\n")
    summary = run(store, again)
    rows = read_csv(tmp_path / "b.duplicates.csv")
    lead_id = str(leads(store)[0].id)
    assert rows[1:] == [["Bakker", "06 1234 5678", "info@bakker.nl", "", "2", lead_id, "email"],
                        ["Bakker B.V.", "0612345678", "", "Inkoper", "3", lead_id, "role"]]
    assert (summary.updated, summary.duplicates) == (1, 1)


def test_duplicates_file_only_when_the_import_commits(store, tmp_path):
    path = write_csv(tmp_path / "d.csv", "Company,Phone\nA,06-12345678\nB,06 1234 5678\n")
    run(store, path, dry_run=True)
    assert not (tmp_path / "d.duplicates.csv").exists()
    with pytest.raises(CalldeskError, match="cannot write rejects file"):  # a failed import leaves none
        run(store, write_csv(tmp_path / "e.csv", "Company,Phone\nA,06-12345678\nB,06 1234 5678\nC,12\n"),
            rejects_path=tmp_path / "missing" / "r.csv")
    assert not (tmp_path / "e.duplicates.csv").exists() and leads(store) == []


def test_duplicates_file_is_never_the_store_the_input_or_the_rejects(sqlite_store, tmp_path):
    path = write_csv(tmp_path / "d.csv", "Company,Phone\nA,06-12345678\nB,06 1234 5678\n")
    for target, kept in ((tmp_path / "calldesk.db", "calldesk.db"), (path, "d.csv"),
                         (tmp_path / "d.rejects.csv", "d.rejects.csv")):
        with pytest.raises(CalldeskError, match=f"--duplicates .* would write over .*{kept}"):
            run(sqlite_store, path, duplicates_path=target)
    assert leads(sqlite_store) == []


# --- column names real CRMs use ---------------------------------------------------------------


@pytest.mark.parametrize(("name", "region", "company_column"), [
    ("odoo_crm_lead.csv", "US", "partner_name"),
    ("datablist_leads-100.csv", "US", "Company"),
    ("hubspot_companies.csv", "US", "Company name"),
    ("salesforce_contact.csv", "EC", None),
])
def test_crm_column_names(sqlite_store, tmp_path, name, region, company_column):
    summary = run(sqlite_store, fixture(tmp_path, name), region=region)
    assert summary.imported
    stored = leads(sqlite_store)
    if company_column:
        with (FIXTURES / name).open(encoding="utf-8", newline="") as handle:
            companies = {" ".join(row[company_column].split()) for row in csv.DictReader(handle)}
        assert all(lead.company in companies for lead in stored) and any(lead.company for lead in stored)
    for lead in stored:  # each stored number is phonenumbers' own reading of its digits
        assert phonenumbers.is_valid_number(phonenumbers.parse(lead.phone_e164))


@pytest.mark.parametrize("header", ["Account Name", "Company / Account", "Organisation", "Organization", "partner_name"])
def test_company_column_names(sqlite_store, tmp_path, header):
    run(sqlite_store, write_csv(tmp_path / "c.csv", f"{header},Phone 2,Work Phone\nBakker BV,,06-12345678\n"))
    assert [(lead.company, lead.phone_e164) for lead in leads(sqlite_store)] == [("Bakker BV", "+31612345678")]


def test_a_bare_name_column_without_a_company_is_asked_about(sqlite_store, tmp_path):
    path = write_csv(tmp_path / "n.csv", "Name,Phone\nBakker BV,06-12345678\n")
    with pytest.raises(CalldeskError, match=r"^column 'Name' may be the company or the contact.*"
                                            r"--map Name=company or --map Name=contact_name$"):
        run(sqlite_store, path)
    run(sqlite_store, path, overrides={"Name": "company"})
    assert leads(sqlite_store)[0].company == "Bakker BV"


# --- file shapes ----------------------------------------------------------------------------


def test_excel_sep_line(sqlite_store, tmp_path):
    path = write_csv(tmp_path / "s.csv", "sep=;\r\nBedrijf;Telefoon\r\nBakker, Zn.;06-12345678\r\n", "cp1252")
    summary = run(sqlite_store, path)
    assert (summary.delimiter, summary.imported) == (";", 1)
    assert leads(sqlite_store)[0].company == "Bakker, Zn."


def test_linkedin_preamble_is_skipped(sqlite_store, tmp_path):
    path = fixture(tmp_path, "linkedin_connections.csv")
    # LinkedIn has no phone column: the error names the real header, not the "Notes:" line.
    with pytest.raises(CalldeskError, match="headers found: 'First Name', 'Last Name', 'URL', 'Email Address'"):
        run(sqlite_store, path)
    with pytest.raises(CalldeskError, match="headers found: 'First Name'"):  # --map names it too
        run(sqlite_store, path, overrides={"URL": "linkedin_url"})


def test_preamble_then_header_then_leads(sqlite_store, tmp_path):
    text = "Export from CRM\nGenerated 2026-11-23\n\nCompany,Phone\nBakker BV,06-12345678\nVis BV,020 123 4567\n"
    summary = run(sqlite_store, write_csv(tmp_path / "p.csv", text))
    assert (summary.imported, summary.skipped_lines) == (2, 3)
    assert [lead.company for lead in leads(sqlite_store)] == ["Bakker BV", "Vis BV"]


def test_a_file_without_a_header_loses_no_lead(sqlite_store, tmp_path):
    path = write_csv(tmp_path / "h.csv", "Bakker BV,06-12345678,info@bakker.nl\nVis BV,020 123 4567,\n")
    with pytest.raises(CalldeskError, match=r"h.csv has no header row \(line 1 is a lead\): name its columns "
                                            r"with --map, e.g. --map 'column 1=company'; columns: column 1 \('Bakker BV'\)$"):
        run(sqlite_store, path)
    summary = run(sqlite_store, path, overrides={"column 1": "company"})
    assert (summary.shape, summary.imported) == ("no header", 2)
    assert [(lead.company, lead.email) for lead in leads(sqlite_store)] == [("Bakker BV", "info@bakker.nl"), ("Vis BV", "")]


def test_vicidial_lead_file_with_its_phone_code(store, tmp_path):
    summary = run(store, fixture(tmp_path, "vicidial_test_lead_file.txt"))  # the desk's region is NL
    assert (summary.shape, summary.delimiter, summary.rows_read, summary.rejected) == ("vicidial", "|", 14, 0)
    stored = leads(store)
    assert [(lead.phone_e164, lead.country, lead.contact_name) for lead in stored] == [
        ("+17275551213", "US", "I Q SMITH01")]
    assert stored[0].source == "10001" and stored[0].email == "test@test.com"


def test_vicidial_tab_separated(sqlite_store, tmp_path):
    line = "\t".join(["v1", "src", "107", "44", "2079460958", "MR", "Ann", "", "Smith", *[""] * 7, "GBR", "F",
                      "", "", "ann@example.co.uk", "", "", ""])
    summary = run(sqlite_store, write_csv(tmp_path / "v.txt", line + "\n"))
    assert summary.shape == "vicidial"
    assert [(lead.phone_e164, lead.contact_name) for lead in leads(sqlite_store)] == [("+442079460958", "Ann Smith")]


def test_newlines_and_tabs_in_names_are_folded(store, tmp_path):
    path = write_csv(tmp_path / "n.csv", 'Company,Contact,Phone\n"Bakker\r\nBouw\tBV","Jan\nde Vries",06-12345678\n')
    run(store, path)
    assert [(lead.company, lead.contact_name) for lead in leads(store)] == [("Bakker Bouw BV", "Jan de Vries")]


def test_odoo_description_with_newlines_does_not_move_rows(sqlite_store, tmp_path):
    summary = run(sqlite_store, fixture(tmp_path, "odoo_crm_lead.csv"), region="US")
    assert summary.imported and all("\n" not in lead.company for lead in leads(sqlite_store))


# --- extensions -----------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "number", "extension"), [
    ("(954) 233-8000 x 2117", "(954) 233-8000", "2117"),
    ("020 123 4567 toestel 12", "020 123 4567", "12"),
    ("020 123 4567 ext. 5", "020 123 4567", "5"),
    ("020-1234567 tst. 12", "020-1234567", "12"),
    ("0201234567#12", "0201234567", "12"),
    ("+31 20 123 4567", "+31 20 123 4567", ""),
    ("ext 5", "ext 5", ""),
])
def test_split_extension(text, number, extension):
    assert split_extension(text) == (number, extension)


def test_extensions_are_stored_exported_and_read_back(store, tmp_path):
    import io

    from calldesk.db.exports import export_leads

    path = write_csv(tmp_path / "x.csv", "Company,Phone,Country\nSun BV,(954) 233-8000 x 2117,US\n"
                                         "Bakker BV,020 123 4567 toestel 12,\nVis BV,06-12345678,\n")
    run(store, path)
    assert {lead.phone_e164: lead.phone_extension for lead in leads(store)} == {
        "+19542338000": "2117", "+31201234567": "12", "+31612345678": ""}
    out = io.StringIO()
    export_leads(store, out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [(r["phone"], r["extension"]) for r in rows] == [("+19542338000", "2117"), ("+31201234567", "12"),
                                                            ("+31612345678", "")]
    # The export's own extension column is read back by an import.
    (tmp_path / "back.csv").write_text(out.getvalue(), encoding="utf-8")
    from calldesk.db.engine import open_store

    other = open_store(str(tmp_path / "other.db"))
    try:
        run(other, tmp_path / "back.csv")
        assert {lead.phone_e164: lead.phone_extension for lead in leads(other)} == {
            "+19542338000": "2117", "+31201234567": "12", "+31612345678": ""}
    finally:
        other.close()


def test_next_prints_the_extension(cli, tmp_path):
    cli("import", write_csv(tmp_path / "x.csv", "Company,Phone\nBakker BV,020 123 4567 toestel 12\n"))
    text = cli("next", "--at", "2026-11-23T10:00+01:00").stdout
    assert text.rstrip("\n").split("\t")[1:] == ["+31201234567", "Bakker BV", "12"]
    cli("import", write_csv(tmp_path / "y.csv", "Company,Phone\nVis BV,06-12345678 ext. 7\n"))
    import json

    data = json.loads(cli("next", "--caller", "bram", "--at", "2026-11-23T10:00+01:00", "--format", "json").stdout)
    assert data["extension"] == "7" and data["phone"] == "+31612345678"


@given(number=st.from_regex(r"\+?[0-9][0-9 ()\-]{5,14}[0-9]", fullmatch=True),
       marker=st.sampled_from(["x", " x ", " ext. ", " ext ", " toestel ", " Toestel: ", " tst. ", "#", ", ext "]),
       extension=st.from_regex(r"[0-9]{1,6}", fullmatch=True))
def test_split_extension_finds_every_written_extension(number, marker, extension):
    assert split_extension(f"{number}{marker}{extension}") == (number.strip(), extension)
    assert split_extension(number) == (number, "")  # a number alone has none
