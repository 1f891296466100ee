"""The --excel export through a real spreadsheet: LibreOffice (Debian's libreoffice-calc-nogui)
opens it with the Dutch CSV settings, saves it as xlsx and back as CSV; every phone stays text
with its +, and the CSV it saves imports without changing anything.

Skipped without soffice, unless CALLDESK_REQUIRE_SPREADSHEET=1 (CI sets it)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa

from calldesk.db.engine import open_store
from calldesk.db.exports import export_leads
from calldesk.db.imports import import_csv
from calldesk.db.models import Lead
from tests.conftest import NOW, write_csv

SOFFICE = shutil.which("soffice")
REQUIRED = os.environ.get("CALLDESK_REQUIRE_SPREADSHEET") == "1"
# LibreOffice's CSV filter: ; as separator, " as quote, UTF-8 (76), from line 1.
DUTCH_CSV = "59,34,76,1"

LEADS = (
    "Company;Contact;Phone;Country\n"
    "Bakker Bouw BV;Jan de Vries;06 52965724;\n"
    "Café Zoë;Zoë Peeters;020 123 4567 toestel 12;\n"
    "Müller GmbH;Jürgen Müller;+49 30 12345678;\n"
    "Sun Corp;Ann Lee;(954) 233-8000 x 2117;US\n"
    "'=1+1 BV;;+32 2 512 34 56;\n"
    "Vis & Zn.;Piet;0031 10 123 4567;\n"
)


def soffice(tmp_path: Path, source: Path, to: str, *options: str) -> Path:
    if SOFFICE is None:
        if REQUIRED:
            pytest.fail("CALLDESK_REQUIRE_SPREADSHEET=1 but soffice is not installed (apt-get install libreoffice-calc-nogui)")
        pytest.skip("needs LibreOffice (soffice): apt-get install libreoffice-calc-nogui")
    out = tmp_path / "converted"
    out.mkdir(exist_ok=True)
    # A profile of its own: never the user's, and no clash with a LibreOffice already running.
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run([SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--convert-to", to, *options,
                    "--outdir", str(out), str(source)], check=True, capture_output=True, timeout=180)
    converted = out / f"{source.stem}.{to.split(':')[0]}"
    assert converted.is_file(), f"soffice wrote no {converted.name}"
    return converted


def stored(store) -> list[tuple]:
    with store.read() as conn:
        return conn.execute(sa.select(
            Lead.company, Lead.contact_name, Lead.phone_e164, Lead.phone_extension, Lead.country, Lead.stage)
            .order_by(Lead.phone_e164)).all()


def test_excel_export_survives_a_spreadsheet(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    store = open_store(str(tmp_path / "desk.db"))
    try:
        summary = import_csv(store, write_csv(tmp_path / "in.csv", LEADS), now=NOW, by="t")
        assert (summary.imported, summary.rejected) == (6, 0)
        before = stored(store)
        export = tmp_path / "export.csv"
        with export.open("w", encoding="utf-8-sig", newline="") as handle:  # as `export --excel` writes it
            export_leads(store, handle, delimiter=";", spreadsheet=True)

        workbook = soffice(tmp_path, export, "xlsx:Calc MS Excel 2007 XML", f"--infilter=CSV:{DUTCH_CSV}")
        sheet = openpyxl.load_workbook(workbook).active
        header = [cell.value for cell in sheet[1]]
        phones = [row[header.index("phone")] for row in sheet.iter_rows(min_row=2)]
        assert len(phones) == 6
        for cell in phones:  # text, never a number that lost its + (and its leading digits' meaning)
            assert cell.data_type == "s" and cell.value.startswith("+"), (cell.value, cell.data_type)
        assert sorted(cell.value for cell in phones)[0] == "+1 954-233-8000"

        saved = soffice(tmp_path, workbook, f"csv:Text - txt - csv (StarCalc):{DUTCH_CSV}")
        again = import_csv(store, saved, now=NOW, by="t")
        assert (again.rows_read, again.imported, again.updated, again.rejected) == (6, 0, 0, 0)
        assert stored(store) == before
    finally:
        store.close()
    fresh = open_store(str(tmp_path / "fresh.db"))
    try:  # read into a new store, the spreadsheet's CSV gives the same leads
        assert import_csv(fresh, saved, now=NOW, by="t").imported == 6
        assert stored(fresh) == before
    finally:
        fresh.close()
