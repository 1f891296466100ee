"""Real exports that real systems wrote (tests/fixtures/crm, origins in SOURCES.md), imported
with the real `calldesk import` into real stores and checked against phonenumbers' own reading.

What each row should become is worked out here without calldesk's code: the row's country is
read from its country cell with Babel's territory names (plus a small explicit table below for
names Babel spells otherwise), or is the --region the import is given; the number is what
phonenumbers.parse(cell, country) makes of the first phone cell (in column order) that it reads
as a valid number that is not premium-rate or shared-cost. A row with no such cell must be in
the rejects file with a reason; every other row's number must be stored, exactly that number,
under that number's country, and nothing else may be stored.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import phonenumbers
import pytest
import sqlalchemy as sa
from babel import Locale
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType
from phonenumbers.timezone import time_zones_for_number

from calldesk.db.engine import open_store
from calldesk.db.models import Lead

FIXTURES = Path(__file__).parent / "fixtures" / "crm"
AT = "2026-11-23T10:30+01:00"  # the import's clock, never the wall clock
DESK_REGION = "NL"  # calldesk's default region: what a row without a country is read in


@dataclass(frozen=True)
class Export:
    file: str
    delimiter: str
    phones: tuple[str, ...] = ()  # header names of the phone columns (every column of that name)
    countries: tuple[str, ...] = ()  # header names of the country columns (first non-empty wins)
    region: str = DESK_REGION  # country of rows without one; anything else is passed as --region
    options: tuple[str, ...] = ()  # further import options the file needs
    vicidial: bool = False  # VICIdial's standard lead file: no header, phone_code + phone_number
    odoo_codes: bool = False  # country cells are Odoo's external ids (base.mx)

    @property
    def args(self) -> tuple[str, ...]:
        region = ("--region", self.region) if self.region != DESK_REGION else ()
        return (*region, *self.options)


def _country_zones() -> dict[str, set[str]]:
    """Country → its zones, from the tz database's own zone.tab (not calldesk's reading)."""
    found: dict[str, set[str]] = {}
    for line in Path("/usr/share/zoneinfo/zone.tab").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            code, _coords, zone = line.split("\t")[:3]
            found.setdefault(code, set()).add(zone)
    return found


COUNTRY_ZONES = _country_zones()


def _offsets(zone: str) -> tuple:
    """The zone's UTC offset at each month's start over two years: zones alike here agree."""
    tz = ZoneInfo(zone)
    return tuple(datetime(year, month, 1, 12, tzinfo=UTC).astimezone(tz).utcoffset()
                 for year in (2026, 2027) for month in range(1, 13))


def _zone_problems(number: str, stored: str | None, country: str) -> list[str]:
    """A lead's zones: the zones its number could be in (phonenumbers' zones for it, those in
    its own country), each one stored or agreeing with one stored; none outside the country."""
    zones = (stored or "").split()
    if not zones:
        return [f"{number}: no zone stored"]
    own = COUNTRY_ZONES.get(country, set())
    problems = [f"{number}: zone {zone} is not in {country}" for zone in zones if own and zone not in own]
    candidates = [z for z in time_zones_for_number(phonenumbers.parse(number)) if z in own] or sorted(own)
    kept = {_offsets(zone) for zone in zones}
    missed = [z for z in candidates if _offsets(z) not in kept]
    if missed:
        problems.append(f"{number}: zones {zones} leave out {missed}, where the number could be too")
    return problems


EXPORTS = [
    Export("salesforce_lead.csv", ",", phones=("Phone", "MobilePhone"), countries=("Country",)),
    Export("salesforce_contact.csv", ",", phones=("Phone", "MobilePhone"), countries=("MailingCountry",)),
    Export("hubspot_contacts.csv", ",", phones=("Phone Number", "Mobile Phone Number"),
           countries=("Country/Region",), region="US"),
    Export("hubspot_companies.csv", ",", phones=("Phone Number",), countries=("Country/Region",), region="US"),
    Export("odoo_crm_lead.csv", ",", phones=("phone", "mobile"), countries=("country_id/id",), region="US",
           odoo_codes=True),
    Export("zoho_leads.csv", ",", phones=("Mobile",), region="US"),
    Export("vicidial_test_lead_file.txt", "|", vicidial=True),
    Export("vicidial_utf8_lead_file.txt", "|", vicidial=True),
    # The municipality's name is in "host name"; "first name"/"last name" hold placeholders.
    Export("straat_gemeenten_2019.csv", ",", phones=("phone number",), countries=("country",),
           options=("--map", "host name=company")),
    Export("datablist_leads-100.csv", ",", phones=("Phone 1", "Phone 2"), region="US"),
    Export("datablist_customers-100_semicolon.csv", ";", phones=("Phone 1", "Phone 2"), countries=("Country",)),
]

# Country cells in the fixtures that Babel's names don't give (older or official names).
COUNTRY_TABLE = {
    "French Southern Territories": "TF", "Kyrgyz Republic": "KG", "Lao People's Democratic Republic": "LA",
    "Palestinian Territory": "PS", "Russian Federation": "RU", "Saint Vincent and the Grenadines": "VC",
    "Slovakia (Slovak Republic)": "SK", "South Georgia and the South Sandwich Islands": "GS",
    "Swaziland": "SZ", "USA": "US", "United States Virgin Islands": "VI", "United States of America": "US",
    "base.uk": "GB",  # Odoo's id for the United Kingdom
}


def _name_key(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()
    text = re.sub(r"\bst\b\.?", "saint", text.replace("&", " and "))
    return re.sub(r"[^a-z0-9]", "", text)


# Territory names as Babel (CLDR) spells them in the languages of these files and their users.
_BABEL = {}
for _locale in ("en", "nl", "de", "fr", "es", "pt", "it"):
    for _code, _name in Locale(_locale).territories.items():
        if len(_code) == 2 and _code.isalpha():
            _BABEL.setdefault(_name_key(_name), _code)
_TABLE = {_name_key(k): v for k, v in COUNTRY_TABLE.items()}


class TableGap(Exception):
    """A country cell this test cannot read: the test's table needs it, not calldesk."""


def country_of(cell: str, export: Export) -> str:
    text = cell.strip()
    if not text:
        return export.region
    key = _name_key(text)
    if key in _TABLE:
        return _TABLE[key]
    if export.odoo_codes and text.startswith("base.") and len(text) == 7:
        return text[5:].upper()
    if len(text) == 2 and text.isalpha():
        return text.upper()
    if key in _BABEL:
        return _BABEL[key]
    raise TableGap(text)


@dataclass
class Row:
    line: int  # physical line the record starts on, as the rejects file counts
    country: str
    phones: list[str]  # the phone cells, in column order (VICIdial: +code number)
    number: str | None  # phonenumbers' E.164 reading, or None: the row must be rejected


def _cell(text: str) -> str:
    # A stray Latin-1 byte in a UTF-8 file (Salesforce's "Per\xfa") is that byte in cp1252.
    if any("\udc80" <= ch <= "\udcff" for ch in text):
        return text.encode("utf-8", "surrogateescape").decode("cp1252")
    return text


def reading(raw: str, country: str) -> phonenumbers.PhoneNumber | None:
    """phonenumbers' own reading of a cell in the row's country; None when it can't be called."""
    try:
        number = phonenumbers.parse(raw, country)
    except NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    if phonenumbers.number_type(number) in (PhoneNumberType.PREMIUM_RATE, PhoneNumberType.SHARED_COST):
        return None  # rejected by default (issue 17): only --allow-premium keeps them
    return number


def expected_rows(export: Export) -> list[Row]:
    data = (FIXTURES / export.file).read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    reader = csv.reader(io.StringIO(data.decode("utf-8", "surrogateescape"), newline=""),
                        delimiter=export.delimiter)
    header: list[str] | None = None
    rows: list[Row] = []
    line = 1
    for cells in reader:
        start, line = line, reader.line_num + 1
        cells = [_cell(c) for c in cells]
        if header is None and not export.vicidial:
            header = [h.strip() for h in cells]
            phone_columns = [i for i, h in enumerate(header) if h in export.phones]
            country_columns = [i for i, h in enumerate(header) if h in export.countries]
            assert phone_columns, f"{export.file}: no column named {export.phones}"
            continue
        if not any(c.strip() for c in cells):
            continue
        if export.vicidial:
            code, national = cells[3].strip(), cells[4].strip()
            # Dialled as +code national; a national 0 a spreadsheet dropped (Milan's 02…) is the
            # import's documented repair, so that reading counts too, after the plain one.
            phones = [f"+{code}{national}", f"+{code}0{national}"] if national else []
            country = phonenumbers.region_code_for_country_code(int(code)) if code.isdigit() else "ZZ"
        else:
            country_cell = next((cells[i] for i in country_columns if i < len(cells) and cells[i].strip()), "")
            country = country_of(country_cell, export)
            phones = [cells[i].strip() for i in phone_columns if i < len(cells) and cells[i].strip()]
        number = None
        for raw in phones:
            parsed = reading(raw, country)
            if parsed is not None:
                number = phonenumbers.format_number(parsed, PhoneNumberFormat.E164)
                break
        rows.append(Row(start, country, phones, number))
    return rows


def calldesk_import(path: Path, target: str, args: tuple[str, ...]) -> subprocess.CompletedProcess:
    """`calldesk import` in a subprocess, in a clean environment of its own."""
    home = path.parent
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALLDESK_")}
    env.update(XDG_DATA_HOME=str(home / "data"), XDG_CONFIG_HOME=str(home / "config"),
               XDG_CACHE_HOME=str(home / "cache"), CALLDESK_CALLER="tester")
    return subprocess.run([sys.executable, "-m", "calldesk", "import", str(path), "--db", target, "--at", AT,
                           *args], capture_output=True, text=True, env=env, cwd=home, timeout=300)


def read_rejects(path: Path, delimiter: str) -> dict[int, str]:
    """line → reason from FILE.rejects.csv (the rows as they were, then line and reason)."""
    if not path.exists():
        return {}
    with path.open(encoding="utf-8-sig", newline="") as file:
        records = list(csv.reader(file, delimiter=delimiter))
    return {int(r[-2]): r[-1] for r in records[1:] if len(r) >= 2 and r[-2].isdigit()}


@dataclass(frozen=True)
class Stored:
    phone_raw: str
    country: str
    time_zone: str | None
    phone_extension: str


def stored_leads(target: str) -> dict[str, Stored]:
    table = Lead.__table__
    store = open_store(target)
    try:
        with store.read() as conn:
            found = conn.execute(
                sa.select(table.c.phone_e164, table.c.phone_raw, table.c.country, table.c.time_zone,
                          table.c.phone_extension)).all()
    finally:
        store.close()
    return {row[0]: Stored(*row[1:]) for row in found}


def _imported(export: Export, tmp_path: Path, target: str) -> tuple[list[Row], dict[str, Stored], dict[int, str], Path]:
    try:
        rows = expected_rows(export)
    except TableGap as gap:
        pytest.fail(f"{export.file}: the test cannot read the country {gap.args[0]!r}: add it to COUNTRY_TABLE")
    path = tmp_path / export.file
    shutil.copyfile(FIXTURES / export.file, path)
    result = calldesk_import(path, target, export.args)
    assert result.returncode == 0, (
        f"{export.file} was refused as a whole (exit {result.returncode}): {result.stderr.strip()}")
    assert "Traceback" not in result.stderr
    rejects = read_rejects(path.with_name(f"{path.stem}.rejects.csv"), export.delimiter)
    return rows, stored_leads(target), rejects, path


_IN_COUNTRY = re.compile(r"\b([A-Z]{2}) number\b")


def _countries_named(row: Row) -> set[str]:
    """Countries a reject reason may name: the row's, or one a cell's own +code gives."""
    named = {row.country}
    for raw in row.phones:
        try:
            named.update(phonenumbers.region_codes_for_country_code(phonenumbers.parse(raw, row.country).country_code))
        except NumberParseException:
            pass
    return named


@pytest.mark.parametrize("export", EXPORTS, ids=lambda e: e.file)
def test_every_number_is_phonenumbers_reading_in_the_rows_country(export, tmp_path, store_target):
    rows, leads, rejects, _path = _imported(export, tmp_path, store_target)
    problems: list[str] = []
    wanted: dict[str, list[Row]] = {}
    for row in rows:
        if row.number is None:
            if row.line not in rejects:
                stored = [n for n, lead in leads.items() if lead.phone_raw.strip() in row.phones]
                problems.append(f"line {row.line} ({row.country}, {row.phones}): no valid {row.country} number, "
                                f"yet not rejected" + (f"; stored as {stored}" if stored else ""))
            elif not rejects[row.line].strip():
                problems.append(f"line {row.line}: rejected without a reason")
            else:
                named = set(_IN_COUNTRY.findall(rejects[row.line])) - _countries_named(row)
                if named:
                    problems.append(f"line {row.line} ({row.country}): reason names {sorted(named)}: "
                                    f"{rejects[row.line]!r}")
            continue
        wanted.setdefault(row.number, []).append(row)
        if row.number not in leads:
            if row.line in rejects:
                what = f"rejected: {rejects[row.line]!r}"
            else:
                stored = [n for n, lead in leads.items() if lead.phone_raw.strip() in row.phones]
                what = f"stored as {stored}" if stored else "neither stored nor rejected"
            problems.append(f"line {row.line} ({row.country}, {row.phones}): expected {row.number}, {what}")
    for number, lead in sorted(leads.items()):
        if number not in wanted:
            problems.append(f"stored {number} (raw {lead.phone_raw!r}, {lead.country}) is no row's reading")
            continue
        region = phonenumbers.region_code_for_number(phonenumbers.parse(number))
        if lead.country != region:
            problems.append(f"{number}: stored under {lead.country!r}, the number is in {region}")
        problems += _zone_problems(number, lead.time_zone, region)
        # The raw cell as it was, less an extension kept in its own field ("206-967-2711x98197").
        raws = {raw for row in wanted[number] for raw in row.phones}
        raws |= {raw[: -len(f"x{lead.phone_extension}")] for raw in raws
                 if lead.phone_extension and raw.endswith(f"x{lead.phone_extension}")}
        if lead.phone_raw.strip() not in raws and not export.vicidial:
            problems.append(f"{number}: raw {lead.phone_raw!r} is none of its rows' cells {sorted(raws)}")
    assert not problems, f"{export.file}: {len(problems)} problems\n" + "\n".join(problems)


@pytest.mark.parametrize("export", EXPORTS, ids=lambda e: e.file)
def test_rows_merged_into_a_lead_are_listed(export, tmp_path, sqlite_path):
    """A row whose number an earlier row already gave is listed in FILE.duplicates.csv."""
    rows, _leads, _rejects, path = _imported(export, tmp_path, sqlite_path)
    seen: set[str] = set()
    merged = []
    for row in rows:
        if row.number is not None:
            if row.number in seen:
                merged.append(row.line)
            seen.add(row.number)
    if not merged:
        return
    listing = path.with_name(f"{path.stem}.duplicates.csv")
    assert listing.exists(), f"{export.file}: lines {merged} were merged into earlier leads, unlisted"
    with listing.open(encoding="utf-8-sig", newline="") as file:
        records = list(csv.DictReader(file, delimiter=export.delimiter))
    listed = {int(r["line"]) for r in records if (r.get("line") or "").isdigit()}
    assert set(merged) <= listed, f"{export.file}: merged lines not listed: {sorted(set(merged) - listed)}"


def test_linkedin_connections_preamble_is_read_and_no_phone_column_is_named(tmp_path, sqlite_path):
    """LinkedIn writes "Notes:" lines before its header and has no phone column: the error says
    so about the real header, not about the preamble."""
    path = tmp_path / "linkedin_connections.csv"
    shutil.copyfile(FIXTURES / path.name, path)
    result = calldesk_import(path, sqlite_path, ())
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 1 and len(lines) == 1, result.stdout + result.stderr
    assert lines[0].startswith("calldesk: error: ") and "no phone column" in lines[0], lines[0]
    assert "'First Name'" in lines[0] and "'Connected On'" in lines[0], lines[0]
    assert "Notes:" not in lines[0], lines[0]


@pytest.mark.parametrize("export", EXPORTS, ids=lambda e: e.file)
def test_the_test_reads_every_country_cell(export):
    """The expectations above depend on this test's own country reading being complete."""
    try:
        rows = expected_rows(export)
    except TableGap as gap:
        pytest.fail(f"add {gap.args[0]!r} to COUNTRY_TABLE")
    assert rows


@pytest.fixture
def sqlite_path(tmp_path: Path) -> str:
    return str(tmp_path / "calldesk.db")
