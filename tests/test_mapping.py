import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calldesk.errors import CalldeskError
from calldesk.mapping import (
    RowError,
    build_header_map,
    convert_row,
    country_code,
    parse_employees,
)

HUBSPOT = ["First Name", "Last Name", "Company Name", "Job Title", "Phone Number",
           "Mobile Phone Number", "Email", "Industry", "Number of Employees", "Lifecycle Stage",
           "Contact owner", "Country/Region"]
EXCEL_NL = ["Bedrijfsnaam", "Voornaam", "Tussenvoegsel", "Achternaam", "Functie",
            "Telefoonnummer", "E-mailadres", "Branche", "Aantal medewerkers", "Fase", "Land"]


def fields_of(headers, **overrides):
    return [f for _, f in build_header_map(headers, overrides or None).columns]


def test_hubspot_headers_map():
    assert fields_of(HUBSPOT) == ["first_name", "last_name", "company", "role", "phone", "phone",
                                  "email", "industry", "company_size", "stage", "owner", "country"]


def test_dutch_headers_map():
    assert fields_of(EXCEL_NL) == ["company", "first_name", "middle_name", "last_name", "role",
                                   "phone", "email", "industry", "company_size", "stage", "country"]


@pytest.mark.parametrize("header", ["Company", "company name", "BEDRIJF", " Bedrijfsnaam ", "\ufeffCompany"])
def test_company_header_variants(header):
    assert fields_of([header, "Phone"])[0] == "company"


@pytest.mark.parametrize("header", ["Phone", "Phone Number", "Mobile", "Telefoon", "Telefoonnummer", "Tel.", "GSM"])
def test_phone_header_variants(header):
    assert fields_of(["Contactpersoon", header]) == ["contact_name", "phone"]


def test_map_overrides_and_ignores():
    assert fields_of(["Org", "Tel werk", "Notes"], **{"Org": "company", "tel werk": "phone"}) == ["company", "phone"]
    assert fields_of(["Phone", "Company"], Company="ignore") == ["phone"]


def test_no_phone_column_lists_headers():
    with pytest.raises(CalldeskError, match=r"no phone column found; headers found: 'Naam', 'Stad'"):
        build_header_map(["Naam", "Stad"])


def test_map_errors():
    with pytest.raises(CalldeskError, match="unknown field"):
        build_header_map(["Phone"], {"Phone": "telephone"})
    with pytest.raises(CalldeskError, match="no column 'Tel'"):
        build_header_map(["Phone"], {"Tel": "phone"})


def test_dutch_row_converts():
    header_map = build_header_map(EXCEL_NL)
    row = ["Café Zoë", "Zoë", "van der", "Berg", "Eigenaar", "06-12345678", "zoe@cafe.nl",
           "Horeca", "11-50", "Klant", "Nederland"]
    lead = convert_row(row, header_map, "NL")
    assert lead["contact_name"] == "Zoë van der Berg"
    assert lead["phone_e164"] == "+31612345678"
    assert lead["phone_raw"] == "06-12345678"
    assert lead["stage"] == "customer"
    assert lead["employees"] == 11 and lead["company_size"] == "11-50"
    assert lead["country"] == "NL" and lead["time_zone"] == "Europe/Amsterdam"


def test_country_column_reads_national_numbers_then_falls_back():
    header_map = build_header_map(["Phone", "Country"])
    assert convert_row(["02 512 34 56", "Belgium"], header_map, "NL")["phone_e164"] == "+3225123456"
    # A Dutch mobile at a Belgian company is still read, in the default region.
    assert convert_row(["06-12345678", "België"], header_map, "NL")["phone_e164"] == "+31612345678"


def test_second_phone_column_used_when_first_is_empty_or_bad():
    header_map = build_header_map(["Phone", "Mobile"])
    assert convert_row(["", "06-12345678"], header_map, "NL")["phone_e164"] == "+31612345678"
    assert convert_row(["12", "06-12345678"], header_map, "NL")["phone_e164"] == "+31612345678"


@pytest.mark.parametrize(
    ("cells", "reason"),
    [
        (["", "x"], "missing phone number"),
        (["12", "x"], "invalid phone '12': too short"),
        (["06-12345678", "warmish"], "unknown stage 'warmish'"),
        (["06-12345678", "x" * 1001], "longer than 1000 characters"),
    ],
)
def test_bad_rows_say_why(cells, reason):
    with pytest.raises(RowError, match=reason):
        convert_row(cells, build_header_map(["Phone", "Stage"]), "NL")


def test_hubspot_stages():
    header_map = build_header_map(["Phone", "Lifecycle Stage"])
    stages = {word: convert_row(["06-12345678", word], header_map, "NL")["stage"]
              for word in ["Subscriber", "Lead", "Marketing Qualified Lead", "Sales Qualified Lead",
                           "Opportunity", "Customer", "hot lead", "verloren", ""]}
    assert stages == {"Subscriber": "suspect", "Lead": "prospect", "Marketing Qualified Lead": "prospect",
                      "Sales Qualified Lead": "hot_lead", "Opportunity": "opportunity",
                      "Customer": "customer", "hot lead": "hot_lead", "verloren": "lost", "": "suspect"}


@pytest.mark.parametrize(("text", "count"), [("45", 45), ("11-50", 11), ("500+", 500), ("1.000", 1000), ("", None), ("veel", None)])
def test_parse_employees(text, count):
    assert parse_employees(text) == count


def test_country_names():
    assert [country_code(c) for c in ["Nederland", "belgië", "Germany", "de", "Verenigd Koninkrijk", "Narnia"]] == ["NL", "BE", "DE", "DE", "GB", None]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(max_size=30), max_size=8))
def test_any_row_converts_or_gives_a_reason(cells):
    header_map = build_header_map(["Company", "Phone", "Stage", "Employees", "Country"])
    try:
        lead = convert_row(cells, header_map, "NL")
    except RowError as exc:
        assert str(exc)
    else:
        assert lead["phone_e164"].startswith("+")


@pytest.mark.parametrize(("text", "suppressed"), [
    ("", False), ("no", False), ("N", False), ("nee", False), ("false", False), ("0", False), ("Onwaar", False),
    ("yes", True), ("Ja", True), ("x", True), ("1", True), ("waar", True),
])
def test_do_not_call_values(text, suppressed):
    header_map = build_header_map(["Phone", "Niet bellen"])
    assert convert_row(["06-12345678", text], header_map, "NL")["do_not_call"] is suppressed


@pytest.mark.parametrize("text", ["maybe", "misschien", "?", "2"])
def test_unknown_do_not_call_value_says_what_is_accepted(text):
    with pytest.raises(RowError, match=rf"do not call '{re.escape(text)}': expected yes \(.*ja.*\) or no \(.*nee.*\)"):
        convert_row(["06-12345678", text], build_header_map(["Phone", "Do not call"]), "NL")


@pytest.mark.parametrize(("cell", "stored"), [
    ("'-Min BV", "-Min BV"), ("'@cmd", "@cmd"), ("'=1+1", "=1+1"), ("'+SUM(A1)", "+SUM(A1)"),
    ("'\t=1+1", "=1+1"), (" '=x ", "=x"), ("''=x", "''=x"),
    ("'t Hart BV", "'t Hart BV"), ("'", "'"), ("Bakker's", "Bakker's"), ("-Min BV", "-Min BV"),
])
def test_export_apostrophe_before_a_formula_is_dropped(cell, stored):
    lead = convert_row([cell, "06-12345678"], build_header_map(["Company", "Phone"]), "NL")
    assert lead["company"] == stored
