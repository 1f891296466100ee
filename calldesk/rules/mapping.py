"""CSV columns → lead fields: header auto-mapping (English and Dutch) and row conversion.

Pure: takes header names and cell strings; reading files is the import's job (calldesk.db).
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

import phonenumbers

from calldesk.errors import CalldeskError
from calldesk.i18n import _
from calldesk.rules.config import Config
from calldesk.rules.countries import country_code as _country_code
from calldesk.rules.countries import is_blank
from calldesk.rules.phones import PREMIUM_KINDS, Phone, PhoneError, normalize, split_extension
from calldesk.rules.stages import STAGE_WORDS_HELP, Stage, parse_stage
from calldesk.rules.warmth import score_new_lead

# Field → header names people use for it (compared without case, spaces or punctuation).
ALIASES: dict[str, tuple[str, ...]] = {
    "company": ("company", "company name", "organisation", "organization", "organisatie",
                "bedrijf", "bedrijfsnaam", "account", "account name", "firma", "klantnaam",
                "partner_name", "company / account", "organisation name", "organization name"),
    # "Name"/"Naam" alone is the contact only beside a company column (build_header_map).
    "contact_name": ("contact", "contact name", "contact person", "contactpersoon", "name",
                     "naam", "full name", "volledige naam"),
    "first_name": ("first name", "firstname", "given name", "voornaam", "roepnaam"),
    "middle_name": ("tussenvoegsel", "tussenvoegsels", "middle name", "infix"),
    "last_name": ("last name", "lastname", "surname", "family name", "achternaam"),
    "role": ("job title", "title", "role", "position", "functie", "functietitel", "positie"),
    "phone": ("phone", "phone number", "telephone", "telephone number", "tel", "telefoon",
              "telefoonnummer", "telnr", "work phone", "business phone", "direct phone",
              "mobile", "mobile phone", "mobile phone number", "mobiel", "mobiel nummer",
              "mobielnummer", "gsm", "phone 1", "phone 2", "phone 3", "phone1", "phone2", "phone3",
              "other phone", "home phone", "alt phone", "alt_phone"),
    "phone_extension": ("extension", "ext", "phone extension", "toestel", "toestelnummer"),
    # VICIdial's phone_code: the country calling code of a national phone_number beside it.
    "calling_code": ("phone code", "phone_code", "country calling code", "calling code", "dial code"),
    "email": ("email", "e-mail", "email address", "e-mail address", "e-mailadres", "mail"),
    "linkedin_url": ("linkedin", "linkedin url", "linkedin profile", "linkedin profiel"),
    "industry": ("industry", "sector", "branche", "branch"),
    "company_size": ("employees", "number of employees", "company size", "size",
                     "aantal medewerkers", "aantal werknemers", "medewerkers", "werknemers",
                     "bedrijfsgrootte", "fte"),
    # Salesforce contacts: MailingCountry; Odoo: country_id/id (its base.xx codes).
    "country": ("country", "country/region", "land", "mailing country", "country_id", "country_id/id"),
    "source": ("source", "lead source", "original source", "list", "bron", "leadbron", "lijst"),
    "owner": ("owner", "contact owner", "lead owner", "assigned to", "caller", "eigenaar",
              "beller", "toegewezen aan"),
    "stage": ("stage", "lifecycle stage", "lead stage", "fase", "leadfase"),
    "status": ("lead status", "status", "leadstatus"),
    "do_not_call": ("do not call", "do_not_call", "dnc", "niet bellen", "bel niet"),
}
FIELDS: tuple[str, ...] = (*ALIASES, "ignore")
MAX_FIELD = 1000  # characters; longer cells are junk or an export gone wrong


def _key(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.lower())


_BY_KEY = {_key(alias): field for field, aliases in ALIASES.items() for alias in aliases}

_TRUE = ("1", "yes", "y", "true", "ja", "j", "x", "waar")
_FALSE = ("0", "no", "n", "false", "nee", "onwaar")  # blank means no as well
# A cell starting with one of these is run by a spreadsheet: the export puts a ' before it
# (db.exports.neutralise) and the import takes that ' off again (clean_cell).
FORMULA_START = "=+-@\t\r"


@lru_cache(maxsize=1024)
def _row_country(text: str) -> str | None:
    """A Country cell's code; "" for a cell that says nothing ("-"), None for no country."""
    return "" if is_blank(text) else _country_code(text)


def country_code(text: str) -> str | None:
    """'Nederland', 'Belgique', 'DEU', 'base.mx' → ISO code; None when not a country
    (calldesk.rules.countries)."""
    return _country_code(text)


@lru_cache(maxsize=4096)
def parse_employees(text: str) -> int | None:
    """'45', '11-50', '500+', '1.000' → a head count (the low end of a range)."""
    match = re.match(r"\s*(\d[\d.,]*)", text)
    if not match:
        return None
    digits = re.sub(r"[.,]", "", match[1])
    return int(digits) if digits.isdigit() and len(digits) < 10 else None


# A CRM's lead status (Zoho, Salesforce, HubSpot, Odoo) as a stage; --map-stage adds others.
# None: the lead is lost (the status is kept as its reason).
_STATUS_WORDS: dict[str, Stage | None] = {
    "new": Stage.suspect, "open": Stage.suspect, "notcontacted": Stage.suspect,
    "opennotcontacted": Stage.suspect, "attemptedtocontact": Stage.suspect, "nieuw": Stage.suspect,
    "contacted": Stage.prospect, "working": Stage.prospect, "workingcontacted": Stage.prospect, "connected": Stage.prospect,
    "inprogress": Stage.prospect, "contactinfuture": Stage.prospect, "badtiming": Stage.prospect,
    "nurturing": Stage.prospect, "gecontacteerd": Stage.prospect, "gesproken": Stage.prospect,
    "qualified": Stage.hot_lead, "prequalified": Stage.hot_lead, "opendeal": Stage.opportunity,
    "closedconverted": Stage.opportunity, "converted": Stage.opportunity,
    "lostlead": None, "junklead": None, "junk": None, "unqualified": None, "notqualified": None,
    "disqualified": None, "closednotconverted": None, "lost": None, "verloren": None,
}
STAGE_MAP_VALUES = (*(s.value for s in Stage),)


def parse_stage_map(items: dict[str, str]) -> tuple[tuple[str, str], ...]:
    """--map-stage VALUE=STAGE pairs, checked: the value's key and a stage's value."""
    pairs = []
    for value, stage in items.items():
        parsed = parse_stage(stage)
        if parsed is None:
            raise CalldeskError(_("--map-stage {value}={stage}: unknown stage; stages are: {stages}").format(
                value=value, stage=stage, stages=", ".join(STAGE_MAP_VALUES)))
        pairs.append((_key(value), parsed.value))
    return tuple(pairs)


@dataclass(frozen=True)
class HeaderMap:
    headers: tuple[str, ...]
    columns: tuple[tuple[int, str], ...]  # (column index, field), in column order
    stage_map: tuple[tuple[str, str], ...] = ()  # --map-stage: (value's key, stage)
    # Per field, its columns in order (several phone columns: the first valid number wins).
    by_field: dict[str, tuple[int, ...]] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        grouped: dict[str, list[int]] = {}
        for index, name in self.columns:
            grouped.setdefault(name, []).append(index)
        object.__setattr__(self, "by_field", {k: tuple(v) for k, v in grouped.items()})


def build_header_map(headers: list[str], overrides: dict[str, str] | None = None,
                     stage_map: tuple[tuple[str, str], ...] = ()) -> HeaderMap:
    """Map each header to a field; overrides are COLUMN → FIELD from --map."""
    clean = [h.strip().lstrip("\ufeff").strip() for h in headers]
    by_header = {h.lower(): i for i, h in enumerate(clean)}
    chosen: dict[int, str] = {}
    for i, header in enumerate(clean):
        field = _BY_KEY.get(_key(header))
        if field:
            chosen[i] = field
    for column, field in (overrides or {}).items():
        if field not in FIELDS:
            raise CalldeskError(_("--map {column}={field}: unknown field; fields are: {fields}").format(
                column=column, field=field, fields=", ".join(FIELDS)))
        index = by_header.get(column.strip().lower())
        if index is None:
            raise CalldeskError(_("--map {column}={field}: no column {quoted}; headers found: {headers}").format(
                column=column, field=field, quoted=repr(column), headers=_list(clean)))
        chosen[index] = field
    columns = tuple((i, f) for i, f in sorted(chosen.items()) if f != "ignore")
    if not any(field == "phone" for _index, field in columns):
        raise CalldeskError(
            _("no phone column found; headers found: {headers} (name one with --map COLUMN=phone)").format(
                headers=_list(clean))
        )
    _refuse_a_lone_name(clean, chosen, overrides or {})
    return HeaderMap(tuple(clean), columns, stage_map)


def _refuse_a_lone_name(headers: list[str], chosen: dict[int, str], overrides: dict[str, str]) -> None:
    """A bare "Name" column beside no company column may be either: ask, never guess."""
    if "company" in chosen.values():
        return
    given = {column.strip().lower() for column in overrides}
    for index, header in enumerate(headers):
        if chosen.get(index) == "contact_name" and _key(header) in ("name", "naam") and header.lower() not in given:
            raise CalldeskError(_(
                "column {column} may be the company or the contact, and there is no company column: "
                "say which with --map {company} or --map {contact}").format(
                column=repr(header), company=shlex.quote(f"{header}=company"),
                contact=shlex.quote(f"{header}=contact_name")))


def header_score(cells: list[str]) -> int:
    """How many cells are header names calldesk knows: a header row has a few, data none."""
    return sum(_key(cell) in _BY_KEY for cell in cells if cell.strip())


_PHONE_LIKE = re.compile(r"^\+?[\d\s().\-/]+$")


def looks_like_phone(text: str) -> bool:
    """Digits as a phone number is written (6 or more): never a header's name."""
    cell = split_extension(text.strip())[0]
    return bool(_PHONE_LIKE.match(cell)) and sum(ch.isdigit() for ch in cell) >= 6


def clean_cell(text: str) -> str:
    """A cell trimmed, without the apostrophe an export put before a formula-like value
    ("'=1+1", "'-Min BV"); "'t Hart BV" is a name and stays as it is."""
    cell = text.strip()
    if cell[:1] == "'" and cell[1:2] and cell[1] in FORMULA_START:
        cell = cell[1:].strip()
    return cell


def _list(headers: list[str]) -> str:
    return ", ".join(repr(h) for h in headers) if any(headers) else _("(none)")


class RowError(ValueError):
    """The reason a row cannot be imported (goes to the rejects file)."""


def convert_row(cells: list[str], header_map: HeaderMap, region: str,
                allow_premium: bool = False) -> dict[str, Any]:
    """One CSV row → lead fields; raise RowError with the reason when it can't be imported."""
    width = len(cells)
    if width and max(map(len, cells)) > MAX_FIELD:  # checked at C speed; named only when it fails
        for index, _name in header_map.columns:
            if index < width and len(cells[index].strip()) > MAX_FIELD:
                raise RowError(_("{column} is longer than {max} characters").format(
                    column=repr(header_map.headers[index]), max=MAX_FIELD))
    by_field = header_map.by_field

    def first(name: str) -> str:
        for index in by_field.get(name, ()):
            if index < width:
                cell = clean_cell(cells[index])
                if cell:
                    return cell
        return ""

    # A national number is read in the row's country, or without one in the desk's region;
    # never in another: a number that is not valid there is refused, not moved abroad.
    country = region
    country_text = first("country") if "country" in by_field else ""
    if "calling_code" in by_field and (calling := calling_code_region(first("calling_code"))):
        # VICIdial's phone_code is how the number is dialled: it wins over the address's country.
        country = calling
    elif country_text:
        code = _row_country(country_text)
        if code is None:
            raise RowError(_("unknown country {value}").format(value=repr(country_text)))
        country = code or region
    phones = [split_extension(clean_cell(cells[i])) for i in by_field["phone"] if i < width]
    phone, extension = _first_valid_phone([p for p in phones if p[0]], country, allow_premium)
    extension = extension or first("phone_extension")

    stage, lost_reason = _stage(first("stage"), first("status"), header_map.stage_map)

    contact = first("contact_name") or " ".join(
        part for part in (first("first_name"), first("middle_name"), first("last_name")) if part
    )
    do_not_call = _do_not_call(first("do_not_call"))
    size = first("company_size")
    return {
        "company": single_line(first("company")),
        "contact_name": single_line(contact),
        "role": single_line(first("role")),
        "phone_raw": phone.raw,
        "phone_e164": phone.e164,
        "phone_extension": extension,
        "phone_type": phone.kind.value,
        "time_zone": phone.time_zone,
        "country": phone.region,
        "email": first("email"),
        "linkedin_url": first("linkedin_url"),
        "industry": single_line(first("industry")),
        "company_size": size,
        "employees": parse_employees(size) if size else None,
        "source": single_line(first("source")),
        "owner": first("owner") or None,
        "stage": stage.value,
        "lost_reason": lost_reason,
        "do_not_call": do_not_call,
    }


def single_line(text: str) -> str:
    """Newlines and tabs inside a one-line field (a company, a name) as single spaces."""
    return " ".join(text.split()) if any(ch in text for ch in "\r\n\t\v\f") else text


def calling_code_region(text: str) -> str | None:
    """VICIdial's phone_code ('1', '44', '+31') → the main region of that calling code."""
    digits = text.strip().lstrip("+")
    if not digits.isdigit() or len(digits) > 3:
        return None
    found = phonenumbers.region_code_for_country_code(int(digits))
    return None if found == "ZZ" else found


@lru_cache(maxsize=256)  # a file repeats a handful of statuses
def _status_key(text: str) -> str:
    return _key(text)


def _stage(stage_text: str, status_text: str, stage_map: tuple[tuple[str, str], ...]) -> tuple[Stage, str]:
    """The lead's stage from its stage column and its CRM lead status; a lost status wins."""
    mapped = dict(stage_map) if stage_map else {}
    stage: Stage | None = None
    if stage_text:
        key = _key(stage_text) if mapped else ""
        stage = Stage(mapped[key]) if key in mapped else parse_stage(stage_text)
        if stage is None:
            raise RowError(_("unknown stage {stage} (use {stages}, or map it with --map-stage {example})").format(
                stage=repr(stage_text), stages=STAGE_WORDS_HELP, example=shlex.quote(f"{stage_text}=STAGE")))
    if status_text:
        key = _status_key(status_text)
        if key in mapped:
            status: Stage | None = Stage(mapped[key])
        elif key in _STATUS_WORDS:
            status = _STATUS_WORDS[key] or Stage.lost
        else:
            raise RowError(_("unknown lead status {status}: map it with --map-stage {example} "
                             "(stages: {stages})").format(status=repr(status_text),
                             example=shlex.quote(f"{status_text}=STAGE"), stages=", ".join(STAGE_MAP_VALUES)))
        if status is Stage.lost or stage is None:
            stage = status
    stage = stage or Stage.suspect
    return stage, (status_text or stage_text or "import") if stage is Stage.lost else ""


def _do_not_call(text: str) -> bool:
    word = text.lower()
    if not word or word in _FALSE:
        return False
    if word in _TRUE:
        return True
    # Guessing either way is wrong: calling someone who said no, or losing a lead for good.
    raise RowError(_("do not call {value}: expected yes ({yes}) or no ({no}, or empty)").format(
        value=repr(text), yes=", ".join(_TRUE), no=", ".join(_FALSE)))


def _first_valid_phone(candidates: list[tuple[str, str]], country: str,
                       allow_premium: bool) -> tuple[Phone, str]:
    if not candidates:
        raise RowError(_("missing phone number"))
    errors: list[str] = []
    for raw, extension in candidates:
        try:
            phone = normalize(raw, country)
        except PhoneError as exc:
            errors.append(f"{raw!r}: {exc}")
            continue
        if phone.kind.value in PREMIUM_KINDS and not allow_premium:
            # Paid by the caller per minute: a wrong reading more often than a lead.
            errors.append(f"{raw!r}: " + _("a {kind} number in {country} (import with --allow-premium to keep it)").format(
                kind=_kind_word(phone.kind.value), country=phone.region))
            continue
        return phone, extension
    raise RowError(_("invalid phone {errors}").format(errors="; ".join(errors)))


def _kind_word(kind: str) -> str:
    return _("premium-rate") if kind == "premium" else _("shared-cost")


# (line, cells kept for a rejected row, lead fields or None, reason)
Converted = list[tuple[int, list[str] | None, dict[str, Any] | None, str]]


def convert_chunk(chunk: list[tuple[int, list[str] | None]], header_map: HeaderMap, region: str,
                  scoring: tuple[datetime, Config], allow_premium: bool = False) -> Converted:
    """(line, cells kept for a rejected row, fields or None, reason) per row; runs in a worker too.

    New leads are scored here as well (stage and ICP fit), in parallel with the writes.
    """
    now, config = scoring
    out: Converted = []
    for line, cells in chunk:
        if cells is None:
            out.append((line, None, None, _("malformed CSV row")))
            continue
        try:
            fields = convert_row(cells, header_map, region, allow_premium)
        except RowError as exc:
            out.append((line, cells, None, str(exc)))
            continue
        fields["warmth"], fields["warmth_reasons"] = score_new_lead(fields, now, config)
        out.append((line, None, fields, ""))
    return out
