"""`calldesk export`: leads as CSV, streamed, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import re
from typing import Any, TextIO

import phonenumbers
import sqlalchemy as sa
from phonenumbers import PhoneNumberFormat

from calldesk.db.engine import Store
from calldesk.db.tables import leads, suppression
from calldesk.rules.mapping import FORMULA_START
from calldesk.rules.stages import Stage

COLUMNS = ("id", "company", "contact", "phone", "extension", "stage", "warmth", "owner", "do_not_call",
           "last_outcome", "next_call_at", "role", "email", "linkedin", "industry",
           "employees", "country", "time_zone", "phone_type", "source", "lost_reason",
           "created_at", "updated_at")
_NUMBER = re.compile(r"^[+-]?\d[\d.]*$")


def neutralise(value: str) -> str:
    """Stop a spreadsheet from running a cell as a formula (=, +, -, @, tab, CR first)."""
    if value and value[0] in FORMULA_START and not _NUMBER.match(value):
        return "'" + value
    return value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return neutralise(str(value))


def spreadsheet_phone(e164: str) -> str:
    """+31 6 52965724: with its spaces a spreadsheet keeps it as text (E.164 digits become a
    number and lose the +), and the import reads it back as the same number."""
    try:
        return phonenumbers.format_number(phonenumbers.parse(e164, None), PhoneNumberFormat.INTERNATIONAL)
    except phonenumbers.NumberParseException:
        return e164


def export_leads(store: Store, out: TextIO, *, stage: Stage | None = None,
                 delimiter: str = ",", spreadsheet: bool = False) -> int:
    """Every lead (or a stage's) as CSV; `spreadsheet` (--excel) writes phones as text."""
    lead = leads.c
    dnc = sa.exists().where(suppression.c.phone_e164 == lead.phone_e164)
    query = sa.select(
        lead.id, lead.company, lead.contact_name, lead.phone_e164, lead.phone_extension, lead.stage, lead.warmth,
        lead.owner, dnc.label("do_not_call"), lead.last_outcome, lead.next_call_at, lead.role,
        lead.email, lead.linkedin_url, lead.industry, lead.employees, lead.country,
        lead.time_zone, lead.phone_type, lead.source, lead.lost_reason, lead.created_at,
        lead.updated_at,
    ).order_by(lead.id)
    if stage is not None:
        query = query.where(lead.stage == stage)
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    # The csv module quotes only the line terminator's characters: a cell holding a lone CR
    # (imported from a quoted field) would split its row. Such rows are written fully quoted.
    quoted = csv.writer(out, delimiter=delimiter, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(COLUMNS)
    count = 0
    with store.read() as conn:
        # Streamed in batches: an export of a million leads does not sit in memory.
        result = conn.execution_options(yield_per=2000).execute(query)
        for row in result:
            cells = [_cell(v) for v in row]
            if spreadsheet:  # our own formatting (digits, spaces, +, -): not a formula to neutralise
                cells[3] = spreadsheet_phone(row.phone_e164)
            (quoted if "\r" in "".join(cells) else writer).writerow(cells)
            count += 1
    return count
