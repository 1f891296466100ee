"""Deterministic demo data for calldesk: realistic Dutch B2B lead rows (with some
Belgian, German and UK leads) keyed by the Dutch CSV headers, plus a fast,
low-variety generator for benchmarks. Every phone number is typed the way a
person would type it, is valid according to ``phonenumbers`` and is unique per
call. Pure: standard library and ``phonenumbers`` only, no I/O, no clock.
"""

from __future__ import annotations

import math
import random
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from typing import NamedTuple

import phonenumbers

__all__ = ["DEMO_HEADERS", "STAGES", "demo_rows", "fake_phone_rows"]

DEMO_HEADERS: tuple[str, ...] = (
    "Bedrijfsnaam",
    "Voornaam",
    "Tussenvoegsel",
    "Achternaam",
    "Functie",
    "Telefoonnummer",
    "E-mailadres",
    "LinkedIn",
    "Branche",
    "Aantal medewerkers",
    "Land",
    "Fase",
)

STAGES: tuple[str, ...] = ("suspect", "prospect", "hot lead", "opportunity", "klant", "verloren")
_STAGE_WEIGHTS: tuple[int, ...] = (50, 27, 10, 7, 3, 3)

# Redraws per row before a country's number pool counts as exhausted.
_MAX_DRAWS = 64


# --------------------------------------------------------------------------- phones
# Each formatter gets the national significant number split as (code, subscriber)
# and returns one of the ways people actually type it. Foreign numbers are always
# international: the app parses with default region NL.

_Fmt = Callable[[str, str], str]

_NL_MOBILE_FORMATS: tuple[_Fmt, ...] = (
    lambda c, s: f"06-{s}",
    lambda c, s: f"06 {s[:4]} {s[4:]}",
    lambda c, s: f"06 {s[:2]} {s[2:4]} {s[4:6]} {s[6:]}",
    lambda c, s: f"06{s}",
    lambda c, s: f"06 - {s}",
    lambda c, s: f"+31 6 {s}",
    lambda c, s: f"+31 6 {s[:4]} {s[4:]}",
    lambda c, s: f"+316{s}",
    lambda c, s: f"0031 6 {s}",
    lambda c, s: f"(06) {s}",
)

_NL_FIXED_FORMATS: tuple[_Fmt, ...] = (
    lambda c, s: f"0{c}-{s}",
    lambda c, s: f"(0{c}) {s[:3]} {s[3:5]} {s[5:]}",
    lambda c, s: f"+31 (0){c} {s[:3]} {s[3:]}",
    lambda c, s: f"0{c} {s[:3]} {s[3:]}",
    lambda c, s: f"0{c} {s[:3]} {s[3:5]} {s[5:]}",
    lambda c, s: f"0{c}-{s[:3]} {s[3:5]} {s[5:]}",
    lambda c, s: f"+31 {c} {s}",
    lambda c, s: f"+31{c}{s}",
    lambda c, s: f"0031 {c} {s[:3]} {s[3:]}",
    lambda c, s: f"0{c}{s}",
)

_BE_FIXED_FORMATS: tuple[_Fmt, ...] = (
    lambda c, s: f"+32 {c} {s[:3]} {s[3:5]} {s[5:]}",
    lambda c, s: f"+32 (0){c} {s[:3]} {s[3:5]} {s[5:]}",
    lambda c, s: f"+32 {c}/{s[:3]}.{s[3:5]}.{s[5:]}",
    lambda c, s: f"0032 {c} {s}",
    lambda c, s: f"+32{c}{s}",
)

_BE_MOBILE_FORMATS: tuple[_Fmt, ...] = (
    lambda c, s: f"+32 {c} {s[:2]} {s[2:4]} {s[4:]}",
    lambda c, s: f"+32 (0){c} {s[:2]} {s[2:4]} {s[4:]}",
    lambda c, s: f"+32 {c}/{s[:2]}.{s[2:4]}.{s[4:]}",
    lambda c, s: f"0032 {c} {s}",
    lambda c, s: f"+32{c}{s}",
)

_DE_FORMATS: tuple[_Fmt, ...] = (
    lambda c, s: f"+49 {c} {s}",
    lambda c, s: f"+49 (0){c} {s}",
    lambda c, s: f"+49 {c}/{s}",
    lambda c, s: f"+49-{c}-{s}",
    lambda c, s: f"0049 {c} {s[:-4]} {s[-4:]}",
    lambda c, s: f"+49 {c} {s[:-4]} {s[-4:]}",
)

# UK subscriber parts carry their own internal space ("7946 0123").
_UK_FORMATS: tuple[_Fmt, ...] = (
    lambda c, s: f"+44 {c} {s}",
    lambda c, s: f"+44 (0){c} {s}",
    lambda c, s: f"0044 {c} {s}",
    lambda c, s: f"+44{c}{s.replace(' ', '')}",
)

_NL_MOBILE_BLOCKS: tuple[str, ...] = ("1", "2", "3", "4", "5")
_BE_MOBILE_PREFIXES: tuple[str, ...] = (
    "460", "468", "470", "471", "472", "473", "474", "475", "476", "477", "478", "479",
    "484", "485", "486", "487", "488", "489", "491", "492", "493", "494", "495", "496",
    "497", "498", "499",
)
# (prefix, subscriber length): 017x has 7 digits, 0176/015x have 8.
_DE_MOBILE_PREFIXES: tuple[tuple[str, int], ...] = (
    ("170", 7), ("171", 7), ("175", 7), ("176", 8), ("151", 8), ("160", 7),
)


def _digits(rng: random.Random, length: int, first_low: int = 2) -> str:
    """Random subscriber digits; the first digit avoids 0/1 like real numbers."""
    head = str(rng.randint(first_low, 9))
    return head + "".join(str(rng.randrange(10)) for _ in range(length - 1))


def _nl_phone(rng: random.Random, area: str) -> str:
    r = rng.random()
    if r < 0.45:
        sub = rng.choice(_NL_MOBILE_BLOCKS) + _digits(rng, 7, 0)
        return rng.choice(_NL_MOBILE_FORMATS)("6", sub)
    if r < 0.85:
        code = area
    elif r < 0.90:
        code = "85"  # VoIP
    else:
        code = "88"  # company-wide number
    return rng.choice(_NL_FIXED_FORMATS)(code, _digits(rng, 7))


def _be_phone(rng: random.Random, area: str) -> str:
    if rng.random() < 0.5:
        return rng.choice(_BE_MOBILE_FORMATS)(rng.choice(_BE_MOBILE_PREFIXES), _digits(rng, 6, 0))
    return rng.choice(_BE_FIXED_FORMATS)(area, _digits(rng, 7))


def _de_phone(rng: random.Random, area: str) -> str:
    if rng.random() < 0.35:
        prefix, length = rng.choice(_DE_MOBILE_PREFIXES)
        return rng.choice(_DE_FORMATS)(prefix, _digits(rng, length, 1))
    code, _, length = area.partition(":")
    return rng.choice(_DE_FORMATS)(code, _digits(rng, int(length)))


def _uk_phone(rng: random.Random, area: str) -> str:
    # Only Ofcom drama ranges (never real subscribers). 07700 900xxx is left out:
    # phonenumbers rejects it as invalid.
    code, _, local = area.partition(":")
    return rng.choice(_UK_FORMATS)(code, f"{local}{rng.randrange(1000):03d}")


def _e164_if_valid(raw: str) -> str | None:
    try:
        number = phonenumbers.parse(raw, "NL")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# --------------------------------------------------------------------------- locales


class _Locale(NamedTuple):
    land: str
    tld: str
    # (city as used in company names, phone area spec for the phone drawer)
    cities: tuple[tuple[str, str], ...]
    first_names: tuple[str, ...]
    # Leading lowercase words are the tussenvoegsel ("van der Meer").
    surnames: tuple[str, ...]
    companies: tuple[tuple[str, str], ...]  # (template, branche)
    titles: tuple[str, ...]
    phone: Callable[[random.Random, str], str]
    german_fold: bool = False


_NL_THINGS: tuple[str, ...] = (
    "Korenschoof", "Gouden Leeuw", "Zwaan", "Linde", "Eikenhof", "Sterrenhof", "Kroon",
    "Vlinder", "Zonnebloem", "Regenboog", "Klimop", "Notenboom", "Waag", "Molen",
    "Vergulde Hand", "Blauwe Reiger", "Hoeksteen", "Wilg",
)

_NL_REGIONS: tuple[str, ...] = (
    "Rivierenland", "West-Brabant", "Noord-Holland Noord", "Oost-Achterhoek",
    "Zuid-Limburg", "Bollenstreek", "Drechtsteden", "Twente", "Het Gooi",
    "Zeeuws-Vlaanderen", "Kennemerland", "Midden-Holland", "Veluwe", "Rijnmond",
)

_NL_COMPANIES: tuple[tuple[str, str], ...] = (
    ("{last} Automatisering", "ICT"),
    ("{last} ICT B.V.", "ICT"),
    ("{city} IT Services", "ICT"),
    ("{last} & {last2} Software", "ICT"),
    ("Netwerkbeheer {city}", "ICT"),
    ("Bouwbedrijf {last}", "Bouw"),
    ("{last} Bouw B.V.", "Bouw"),
    ("Aannemersbedrijf {last} & Zn.", "Bouw"),
    ("{city} Bouwgroep", "Bouw"),
    ("{last} Logistiek", "Logistiek"),
    ("Hofstede Logistiek", "Logistiek"),
    ("Transportbedrijf {last} B.V.", "Logistiek"),
    ("{city} Distributie", "Logistiek"),
    ("{last} Transport & Opslag", "Logistiek"),
    ("Zorggroep {region}", "Zorg"),
    ("Thuiszorg {city}", "Zorg"),
    ("Huisartsenpraktijk {last}", "Zorg"),
    ("Tandartspraktijk {city}", "Zorg"),
    ("Zorgcentrum De {thing}", "Zorg"),
    ("{last} Groothandel B.V.", "Groothandel"),
    ("Groothandel {last}", "Groothandel"),
    ("{city} Foodservice", "Groothandel"),
    ("{last} Technische Groothandel", "Groothandel"),
    ("{last} & {last2} Advocaten", "Zakelijke dienstverlening"),
    ("Adviesbureau {last}", "Zakelijke dienstverlening"),
    ("{city} Consultancy", "Zakelijke dienstverlening"),
    ("Uitzendbureau {city}", "Zakelijke dienstverlening"),
    ("Schoonmaakbedrijf {last}", "Zakelijke dienstverlening"),
    ("Café {first}", "Horeca"),
    ("Restaurant De {thing}", "Horeca"),
    ("Hotel {city} Centrum", "Horeca"),
    ("Eetcafé De {thing}", "Horeca"),
    ("Brasserie {last}", "Horeca"),
    ("{city} College", "Onderwijs"),
    ("Basisschool De {thing}", "Onderwijs"),
    ("Taalinstituut {last}", "Onderwijs"),
    ("Stichting Openbaar Onderwijs {region}", "Onderwijs"),
    ("Opleidingscentrum {city}", "Onderwijs"),
    ("{last} Metaalbewerking B.V.", "Industrie"),
    ("{city} Kunststoffen", "Industrie"),
    ("{last} Machinebouw", "Industrie"),
    ("Drukkerij {last}", "Industrie"),
    ("{last} Verpakkingen B.V.", "Industrie"),
    ("{last} Financieel Advies", "Financiële dienstverlening"),
    ("Hypotheekhuis {city}", "Financiële dienstverlening"),
    ("{last} Verzekeringen", "Financiële dienstverlening"),
    ("Administratiekantoor {last}", "Financiële dienstverlening"),
    ("{last} Accountants", "Financiële dienstverlening"),
    ("Bakkerij De {thing}", "Detailhandel"),
    ("{last} Mode", "Detailhandel"),
    ("Fietsenwinkel {last}", "Detailhandel"),
    ("Slagerij {last}", "Detailhandel"),
    ("Bloemisterij De {thing}", "Detailhandel"),
    ("{last} Wonen", "Detailhandel"),
    ("{last} Installatietechniek B.V.", "Installatietechniek"),
    ("Installatiebedrijf {last}", "Installatietechniek"),
    ("{city} Elektrotechniek", "Installatietechniek"),
    ("{last} Klimaattechniek", "Installatietechniek"),
    ("{last} Zonnepanelen", "Installatietechniek"),
)

_NL_TITLES: tuple[str, ...] = (
    # Decision makers are listed twice to make them a bit more common.
    "Directeur", "Directeur", "Eigenaar", "Eigenaar", "Algemeen directeur",
    "Directeur-eigenaar", "CFO", "Financieel directeur", "Commercieel directeur",
    "Operationeel manager", "IT-manager", "Inkoper", "Hoofd inkoop", "Marketingmanager",
    "Facilitair manager", "Vestigingsmanager",
    "Office manager", "Office manager", "Medewerker administratie", "HR-adviseur",
    "Managementassistent", "Receptionist", "Medewerker binnendienst", "Projectleider",
    "Teamleider", "Boekhouder", "Marketingmedewerker", "Accountmanager", "",
)

_NL = _Locale(
    land="Nederland",
    tld="nl",
    cities=(
        ("Amsterdam", "20"), ("Amsterdam", "20"), ("Rotterdam", "10"), ("Rotterdam", "10"),
        ("Utrecht", "30"), ("Eindhoven", "40"), ("Groningen", "50"), ("Den Haag", "70"),
        ("Breda", "76"), ("Maastricht", "43"), ("Haarlem", "23"), ("Nijmegen", "24"),
        ("Arnhem", "26"), ("Leiden", "71"), ("Zwolle", "38"), ("Enschede", "53"),
        ("Leeuwarden", "58"), ("Den Bosch", "73"), ("Dordrecht", "78"),
        ("Amersfoort", "33"), ("Tilburg", "13"),
    ),
    first_names=(
        "Jan", "Pieter", "Sanne", "Lotte", "Daan", "Bram", "Thijs", "Femke", "Eva", "Sem",
        "Lucas", "Anouk", "Marieke", "Henk", "Gerrit", "Ingrid", "Wim", "Kees", "Joost",
        "Ruud", "Marloes", "Esther", "Mark", "Martijn", "Jeroen", "Niels", "Sven", "Ilse",
        "Iris", "Linda", "Sandra", "Petra", "Monique", "Erik", "Rob", "Dennis", "Willemijn",
        "Floor", "Noor", "Fleur", "Julia", "Emma", "Tim", "Koen", "Maarten", "Hanneke",
        "Zoë", "Chloë", "Daniëlle", "Noël", "René", "André", "Anaïs", "Inès", "Ömer",
        "Özlem", "Mohamed", "Fatima", "Yasmina", "Priya", "Rajesh", "Wei", "Hüseyin",
    ),
    surnames=(
        "de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen",
        "Visser", "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters",
        "Hendriks", "van Leeuwen", "Dekker", "Brouwer", "de Wit", "Dijkstra", "Smits",
        "de Graaf", "van der Meer", "van der Linden", "Kok", "Jacobs", "de Haan",
        "Vermeulen", "van den Heuvel", "van der Veen", "van den Broek", "de Bruijn",
        "van der Heijden", "Schouten", "van Beek", "Willems", "van Vliet", "van de Ven",
        "Hoekstra", "Maas", "Verhoeven", "Koster", "van Dam", "van der Wal", "Prins",
        "Blom", "Huisman", "ter Horst", "ter Haar", "Hofstede", "Kramer", "Postma",
        "Yilmaz", "Öztürk", "El Amrani", "Bouzid", "Nguyen", "Lefèvre", "Kooiman",
    ),
    companies=_NL_COMPANIES,
    titles=_NL_TITLES,
    phone=_nl_phone,
)

_BE_FLEMISH = _Locale(
    land="België",
    tld="be",
    cities=(("Antwerpen", "3"), ("Gent", "9"), ("Brussel", "2")),
    first_names=(
        "Wout", "Fien", "Jens", "Lies", "Bart", "Kristof", "Els", "Griet", "Tine", "Koen",
        "Stijn", "Jelle", "Lotte", "Ine", "Sofie", "Pieter-Jan", "Wannes", "Ann", "Dirk",
    ),
    # Belgian particles are capitalised and part of the surname.
    surnames=(
        "Janssens", "Peeters", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens",
        "Wouters", "De Smet", "Van Damme", "Vermeersch", "De Clercq", "Verstraete",
        "Van den Broeck", "De Backer", "Declercq", "Van Acker",
    ),
    companies=(
        ("{last} Bouw BV", "Bouw"),
        ("Bouwonderneming {last} NV", "Bouw"),
        ("{last} Logistics NV", "Logistiek"),
        ("Transport {last} BV", "Logistiek"),
        ("{city} ICT BV", "ICT"),
        ("{last} & Zonen NV", "Industrie"),
        ("Brouwerij {last}", "Industrie"),
        ("Bakkerij {last}", "Detailhandel"),
        ("Woonzorgcentrum {last}hof", "Zorg"),
        ("Boekhoudkantoor {last} BV", "Financiële dienstverlening"),
        ("{last} Elektriciteitswerken BV", "Installatietechniek"),
        ("Advocatenkantoor {last}", "Zakelijke dienstverlening"),
        ("Frituur {first}", "Horeca"),
        ("{last} Groothandel NV", "Groothandel"),
        ("Rijschool {last}", "Onderwijs"),
    ),
    titles=(
        "Zaakvoerder", "Zaakvoerder", "Gedelegeerd bestuurder", "Directeur", "Aankoper",
        "Aankoopverantwoordelijke", "Office manager", "Boekhouder", "IT-manager",
        "Administratief medewerker", "HR-verantwoordelijke",
    ),
    phone=_be_phone,
)

_BE_WALLOON = _Locale(
    land="België",
    tld="be",
    cities=(("Bruxelles", "2"), ("Liège", "4")),
    first_names=(
        "Geneviève", "Inès", "Benoît", "Hélène", "François", "Amélie", "Céline", "Jérôme",
        "Marie", "Luc", "Nathalie", "Thierry", "Sébastien", "Chloé", "Gaëlle", "Aurélie",
    ),
    surnames=(
        "Dubois", "Lambert", "Dupont", "Martin", "Lejeune", "Renard", "Leclercq", "Lemaire",
        "Fontaine", "Delvaux", "Collard", "Denis", "Gérard", "Lefèbvre",
    ),
    companies=(
        ("Boulangerie {last}", "Detailhandel"),
        ("Transports {last} SA", "Logistiek"),
        ("{last} Construction SRL", "Bouw"),
        ("Brasserie {last}", "Horeca"),
        ("Fiduciaire {last} SRL", "Financiële dienstverlening"),
        ("{last} Informatique SA", "ICT"),
        ("Cabinet {last} & Associés", "Zakelijke dienstverlening"),
        ("Chauffage {last} SRL", "Installatietechniek"),
        ("{last} Distribution NV", "Groothandel"),
    ),
    titles=(
        "Gérant", "Gérant", "Directeur général", "Administrateur délégué",
        "Responsable achats", "Assistante de direction", "Comptable", "Office manager",
    ),
    phone=_be_phone,
)

_DE = _Locale(
    land="Duitsland",
    tld="de",
    # area spec "code:subscriber length"
    cities=(
        ("Berlin", "30:8"), ("München", "89:7"), ("München", "89:8"), ("Hamburg", "40:8"),
        ("Frankfurt am Main", "69:8"), ("Köln", "221:7"), ("Düsseldorf", "211:7"),
    ),
    first_names=(
        "Jürgen", "Stefan", "Katrin", "Jörg", "Sabine", "Matthias", "Uwe", "Anja", "Björn",
        "Sören", "Günter", "Ulrike", "Lena", "Lukas", "Dörte", "Maximilian", "Tobias",
        "Kerstin", "Jan",
    ),
    surnames=(
        "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
        "Schulz", "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf",
        "Schröder", "Neumann", "Zimmermann", "Braun", "Krüger", "Bäcker", "Weiß",
        "von der Heide",
    ),
    companies=(
        ("{last} Maschinenbau GmbH", "Industrie"),
        ("{last} Logistik GmbH", "Logistiek"),
        ("{last} Bau GmbH & Co. KG", "Bouw"),
        ("{last} IT-Systeme GmbH", "ICT"),
        ("{last} Haustechnik GmbH", "Installatietechniek"),
        ("Großhandel {last} GmbH", "Groothandel"),
        ("Steuerberatung {last}", "Financiële dienstverlening"),
        ("Pflegedienst {last}", "Zorg"),
        ("Gasthaus {last}", "Horeca"),
        ("{last} & Söhne KG", "Industrie"),
        ("{last} Consulting GmbH", "Zakelijke dienstverlening"),
        ("Bäckerei {last}", "Detailhandel"),
        ("{last} Akademie GmbH", "Onderwijs"),
    ),
    titles=(
        "Geschäftsführer", "Geschäftsführer", "Inhaber", "Einkaufsleiter", "Leiter IT",
        "Prokurist", "Assistenz der Geschäftsführung", "Vertriebsleiter", "Buchhaltung",
    ),
    phone=_de_phone,
    german_fold=True,
)

_UK = _Locale(
    land="Verenigd Koninkrijk",
    tld="co.uk",
    # area spec "code:local prefix" inside Ofcom's fictional drama ranges
    cities=(
        ("London", "20:7946 0"), ("London", "20:7946 0"), ("Manchester", "161:496 0"),
        ("Leeds", "113:496 0"), ("Sheffield", "114:496 0"), ("Leicester", "116:496 0"),
        ("Bristol", "117:496 0"), ("Reading", "118:496 0"), ("Birmingham", "121:496 0"),
        ("Edinburgh", "131:496 0"), ("Glasgow", "141:496 0"), ("Liverpool", "151:496 0"),
        ("Newcastle", "191:498 0"), ("Belfast", "28:9649 6"), ("Cardiff", "29:2018 0"),
    ),
    first_names=(
        "James", "Oliver", "Emma", "Charlotte", "Harry", "Sophie", "Siobhan", "Rhys",
        "Amelia", "Thomas", "Grace", "Daniel", "Hannah", "Liam", "Chloe", "Aisha", "George",
        "Ruth", "Callum",
    ),
    surnames=(
        "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Evans", "Thomas",
        "Johnson", "Roberts", "Walker", "Wright", "Robinson", "Hughes", "Edwards", "Green",
        "O'Brien", "MacDonald", "Patel", "Khan",
    ),
    companies=(
        ("{last} Logistics Ltd", "Logistiek"),
        ("{city} Freight Ltd", "Logistiek"),
        ("{last} & {last2} LLP", "Zakelijke dienstverlening"),
        ("{last} Engineering Ltd", "Industrie"),
        ("{last} Software Ltd", "ICT"),
        ("{city} IT Solutions Ltd", "ICT"),
        ("{last} Construction Ltd", "Bouw"),
        ("{last} Wholesale Ltd", "Groothandel"),
        ("{city} Care Group Ltd", "Zorg"),
        ("{last} Financial Services Ltd", "Financiële dienstverlening"),
        ("{last} Electrical Ltd", "Installatietechniek"),
        ("{city} Training Ltd", "Onderwijs"),
        ("{last} Retail Ltd", "Detailhandel"),
        ("The {last} Arms", "Horeca"),
    ),
    titles=(
        "Managing Director", "Managing Director", "Owner", "Operations Manager",
        "Procurement Manager", "Office Manager", "Finance Director", "IT Manager",
        "Head of Facilities", "Sales Executive",
    ),
    phone=_uk_phone,
)

# (locales with weights) per country, country weights ~75/10/8/7.
_COUNTRIES: tuple[tuple[tuple[_Locale, ...], tuple[int, ...]], ...] = (
    ((_NL,), (1,)),
    ((_BE_FLEMISH, _BE_WALLOON), (65, 35)),
    ((_DE,), (1,)),
    ((_UK,), (1,)),
)
_COUNTRY_WEIGHTS: tuple[int, ...] = (75, 10, 8, 7)

_SIZE_RANGES: tuple[str, ...] = ("1-10", "11-50", "11-50", "51-200", "51-200", "201-500", "500+")
_SIZE_BUCKETS: tuple[tuple[int, int], ...] = ((1, 10), (11, 50), (51, 200), (201, 500), (501, 2500))
_SIZE_BUCKET_WEIGHTS: tuple[int, ...] = (30, 35, 20, 10, 5)


# --------------------------------------------------------------------------- helpers

_GERMAN_FOLD = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"}
)
_LEGAL_FORMS = frozenset({"bv", "nv", "gmbh", "ltd", "llp", "kg", "ag", "co", "sa", "srl", "zn"})


def _ascii(text: str, german: bool = False) -> str:
    """Fold to ASCII for e-mail and URLs (Zoë -> Zoe, Müller -> Mueller in German)."""
    if german:
        text = text.translate(_GERMAN_FOLD)
    text = text.replace("ß", "ss")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def _token(text: str, german: bool = False) -> str:
    return re.sub(r"[^a-z0-9]", "", _ascii(text, german).lower())


def _split_surname(full: str) -> tuple[str, str]:
    """'van der Meer' -> ('van der', 'Meer'); capitalised particles stay in the name."""
    words = full.split(" ")
    i = 0
    while i < len(words) - 1 and words[i].islower():
        i += 1
    return " ".join(words[:i]), " ".join(words[i:])


def _company_surname(full: str) -> str:
    """Surnames start with a capital in company names: 'Van Dijk Bouw B.V.'."""
    return full[:1].upper() + full[1:]


def _domain(company: str, tld: str, german: bool) -> str:
    words = [w for w in re.findall(r"[a-z0-9]+", _ascii(company, german).lower().replace(".", ""))
             if w not in _LEGAL_FORMS]
    joined = "".join(words)
    if len(joined) > 28 and len(words) > 2:
        # Long names get an acronym-style domain, like many real organisations.
        joined = "".join(w[0] for w in words[:-1]) + words[-1]
    return f"{joined}.{tld}"


def _quota(rng: random.Random, count: int, weights: Sequence[int]) -> list[int]:
    """Exactly proportional category indices (largest remainder), shuffled.

    Quotas instead of independent draws so small samples still contain every
    category regardless of seed.
    """
    total = sum(weights)
    exact = [count * w / total for w in weights]
    counts = [math.floor(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda k: exact[k] - counts[k], reverse=True)
    for k in by_remainder[: count - sum(counts)]:
        counts[k] += 1
    out = [k for k, n in enumerate(counts) for _ in range(n)]
    rng.shuffle(out)
    return out


def _employees(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.25:
        return ""
    if r < 0.60:
        low, high = rng.choices(_SIZE_BUCKETS, weights=_SIZE_BUCKET_WEIGHTS)[0]
        return str(rng.randint(low, high))
    return rng.choice(_SIZE_RANGES)


def _email(
    rng: random.Random, first: str, tussen: str, last: str, domain: str, german: bool
) -> str:
    if rng.random() < 0.10:
        return ""
    f = _token(first, german)
    surname = _token(f"{tussen}{last}", german)
    r = rng.random()
    if r < 0.35:
        local = f
    elif r < 0.70:
        local = f"{f}.{surname}"
    elif r < 0.90:
        local = f"{f[:1]}.{surname}"
    else:
        local = f"{f}{surname[:1]}"
    return f"{local}@{domain}"


def _linkedin(rng: random.Random, first: str, tussen: str, last: str, german: bool) -> str:
    if rng.random() >= 0.40:
        return ""
    parts = [first, *tussen.split(), *last.replace("-", " ").split()]
    slug = "-".join(t for t in (_token(p, german) for p in parts) if t)
    if rng.random() < 0.5:
        # LinkedIn appends a short suffix when the plain slug is taken.
        slug += "-" + "".join(rng.choice("0123456789abcdef") for _ in range(rng.randint(6, 9)))
    return f"https://www.linkedin.com/in/{slug}"


# --------------------------------------------------------------------------- public


def demo_rows(count: int = 300, seed: int = 7) -> Iterator[dict[str, str]]:
    """Yield ``count`` realistic lead rows keyed by DEMO_HEADERS.

    Numbers are ~75% Dutch, ~10% Belgian, ~8% German, ~7% UK; each one is valid
    for ``phonenumbers.parse(raw, "NL")`` and unique (by E.164) within one call.
    """
    if count < 0:
        raise ValueError("count must be >= 0")
    rng = random.Random(seed)
    countries = _quota(rng, count, _COUNTRY_WEIGHTS)
    stages = _quota(rng, count, _STAGE_WEIGHTS)
    used: set[str] = set()
    for country, stage in zip(countries, stages, strict=True):
        locales, weights = _COUNTRIES[country]
        locale = rng.choices(locales, weights=weights)[0]
        city, area, raw = _unique_phone(rng, locale, used)
        if raw is None:
            # Small pools (UK drama ranges) can run dry on huge counts: use NL.
            locale = _NL
            city, area, raw = _unique_phone(rng, locale, used)
            if raw is None:
                raise RuntimeError("could not draw a unique phone number")
        yield _build_row(rng, locale, city, raw, STAGES[stage])


def _unique_phone(
    rng: random.Random, locale: _Locale, used: set[str]
) -> tuple[str, str, str | None]:
    city, area = rng.choice(locale.cities)
    for _ in range(_MAX_DRAWS):
        raw = locale.phone(rng, area)
        key = _e164_if_valid(raw)
        if key is not None and key not in used:
            used.add(key)
            return city, area, raw
    return city, area, None


def _build_row(
    rng: random.Random, locale: _Locale, city: str, phone: str, stage: str
) -> dict[str, str]:
    german = locale.german_fold
    first = rng.choice(locale.first_names)
    tussen, last = _split_surname(rng.choice(locale.surnames))
    template, branche = rng.choice(locale.companies)
    company = template.format(
        last=_company_surname(rng.choice(locale.surnames)),
        last2=_company_surname(rng.choice(locale.surnames)),
        first=rng.choice(locale.first_names),
        city=city,
        thing=rng.choice(_NL_THINGS),
        region=rng.choice(_NL_REGIONS),
    )
    domain = _domain(company, locale.tld, german)
    land = locale.land
    if locale is _NL and rng.random() < 0.20:
        land = ""
    return {
        "Bedrijfsnaam": company,
        "Voornaam": first,
        "Tussenvoegsel": tussen,
        "Achternaam": last,
        "Functie": rng.choice(locale.titles),
        "Telefoonnummer": phone,
        "E-mailadres": _email(rng, first, tussen, last, domain, german),
        "LinkedIn": _linkedin(rng, first, tussen, last, german),
        "Branche": branche,
        "Aantal medewerkers": _employees(rng),
        "Land": land,
        "Fase": stage,
    }


# --------------------------------------------------------------------------- benchmark rows

# Every 5th row is a 020 fixed line, the rest 06 mobiles. Index -> number via an
# affine bijection modulo the pool size, so numbers are unique without a set.
_FAKE_MOBILE_SPACE = 50_000_000  # 06-10000000 .. 06-59999999
_FAKE_FIXED_SPACE = 8_000_000  # 020-2000000 .. 020-9999999
_FAKE_MAX_ROWS = 5 * _FAKE_FIXED_SPACE

_FAKE_FIRST: tuple[str, ...] = (
    "Jan", "Sanne", "Pieter", "Lotte", "Daan", "Eva", "Kees", "Fleur", "Bram", "Noor", "Zoë",
)
_FAKE_LAST: tuple[tuple[str, str], ...] = (
    ("", "Jansen"), ("de", "Vries"), ("van", "Dijk"), ("", "Bakker"), ("", "Visser"),
    ("van der", "Meer"), ("", "Smit"), ("de", "Boer"), ("", "Mulder"), ("ter", "Horst"),
    ("", "Hofstede"), ("van den", "Berg"), ("", "Dekker"),
)
_FAKE_SECTORS: tuple[tuple[str, str], ...] = (
    ("Bouw", "Bouw"), ("Logistiek", "Logistiek"), ("ICT", "ICT"), ("Groothandel", "Groothandel"),
    ("Installatietechniek", "Installatietechniek"), ("Advies", "Zakelijke dienstverlening"),
    ("Zorg", "Zorg"),
)
_FAKE_TITLES: tuple[str, ...] = ("Directeur", "Eigenaar", "Inkoper", "Office manager", "IT-manager")
_FAKE_SIZES: tuple[str, ...] = ("", "11-50", "51-200", "12", "201-500")


def _coprime(rng: random.Random, modulus: int) -> int:
    while True:
        a = rng.randrange(1, modulus)
        if math.gcd(a, modulus) == 1:
            return a


def fake_phone_rows(count: int, seed: int = 1) -> Iterator[dict[str, str]]:
    """Yield ``count`` low-variety Dutch rows with unique valid numbers, fast.

    Meant for benchmarks (100k-1M rows): constant memory, no per-row parsing.
    """
    if count < 0:
        raise ValueError("count must be >= 0")
    if count > _FAKE_MAX_ROWS:
        raise ValueError(f"count must be <= {_FAKE_MAX_ROWS}")
    rng = random.Random(seed)
    mob_a, mob_b = _coprime(rng, _FAKE_MOBILE_SPACE), rng.randrange(_FAKE_MOBILE_SPACE)
    fix_a, fix_b = _coprime(rng, _FAKE_FIXED_SPACE), rng.randrange(_FAKE_FIXED_SPACE)

    # Precompute the small per-row pieces once; rows then only pick by index.
    people: list[tuple[str, str, str, str]] = []
    for first in _FAKE_FIRST:
        for tussen, last in _FAKE_LAST:
            people.append((first, tussen, last, _token(first)))
    rng.shuffle(people)
    companies: list[tuple[str, str, str]] = []
    for tussen, last in _FAKE_LAST:
        for word, branche in _FAKE_SECTORS:
            name = f"{_company_surname(f'{tussen} {last}'.strip())} {word} B.V."
            companies.append((name, branche, "@" + _domain(name, "nl", False)))
    rng.shuffle(companies)
    stages = [STAGES[k] for k in _quota(rng, 100, _STAGE_WEIGHTS)]
    n_people, n_companies = len(people), len(companies)
    n_titles, n_sizes = len(_FAKE_TITLES), len(_FAKE_SIZES)

    for i in range(count):
        block, slot = divmod(i, 5)
        if slot == 4:
            phone = f"020-{2_000_000 + (fix_a * block + fix_b) % _FAKE_FIXED_SPACE}"
        else:
            n = 10_000_000 + (mob_a * (block * 4 + slot) + mob_b) % _FAKE_MOBILE_SPACE
            phone = f"+31 6 {n}" if slot == 2 else f"06-{n}"
        first, tussen, last, local = people[i % n_people]
        company, branche, at_domain = companies[i % n_companies]
        yield {
            "Bedrijfsnaam": company,
            "Voornaam": first,
            "Tussenvoegsel": tussen,
            "Achternaam": last,
            "Functie": _FAKE_TITLES[i % n_titles],
            "Telefoonnummer": phone,
            "E-mailadres": local + at_domain,
            "LinkedIn": "",
            "Branche": branche,
            "Aantal medewerkers": _FAKE_SIZES[i % n_sizes],
            "Land": "Nederland",
            "Fase": stages[i % 100],
        }
