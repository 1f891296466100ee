"""Deterministic demo data for calldesk: realistic Dutch B2B lead rows (with some
Belgian, German and UK leads) keyed by the Dutch CSV headers, plus a fast,
low-variety generator for benchmarks. Every phone number is typed the way a
person would type it, is valid according to ``phonenumbers`` and is unique per
call. Pure: standard library and ``phonenumbers`` only, no I/O, no clock. The names
it draws from are in demo_names.py.
"""

from __future__ import annotations

import math
import random
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from typing import NamedTuple

import phonenumbers

from calldesk.rules import demo_names as names

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
    code, _, size = area.partition(":")
    return rng.choice(_DE_FORMATS)(code, _digits(rng, int(size)))


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


_NL = _Locale(
    land="Nederland",
    tld="nl",
    cities=names.NL_CITIES,
    first_names=names.NL_FIRST_NAMES,
    surnames=names.NL_SURNAMES,
    companies=names.NL_COMPANIES,
    titles=names.NL_TITLES,
    phone=_nl_phone,
)

_BE_FLEMISH = _Locale(
    land="België",
    tld="be",
    cities=names.BE_FLEMISH_CITIES,
    first_names=names.BE_FLEMISH_FIRST_NAMES,
    surnames=names.BE_FLEMISH_SURNAMES,
    companies=names.BE_FLEMISH_COMPANIES,
    titles=names.BE_FLEMISH_TITLES,
    phone=_be_phone,
)

_BE_WALLOON = _Locale(
    land="België",
    tld="be",
    cities=names.BE_WALLOON_CITIES,
    first_names=names.BE_WALLOON_FIRST_NAMES,
    surnames=names.BE_WALLOON_SURNAMES,
    companies=names.BE_WALLOON_COMPANIES,
    titles=names.BE_WALLOON_TITLES,
    phone=_be_phone,
)

_DE = _Locale(
    land="Duitsland",
    tld="de",
    cities=names.DE_CITIES,
    first_names=names.DE_FIRST_NAMES,
    surnames=names.DE_SURNAMES,
    companies=names.DE_COMPANIES,
    titles=names.DE_TITLES,
    phone=_de_phone,
    german_fold=True,
)

_UK = _Locale(
    land="Verenigd Koninkrijk",
    tld="co.uk",
    cities=names.UK_CITIES,
    first_names=names.UK_FIRST_NAMES,
    surnames=names.UK_SURNAMES,
    companies=names.UK_COMPANIES,
    titles=names.UK_TITLES,
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
        thing=rng.choice(names.NL_THINGS),
        region=rng.choice(names.NL_REGIONS),
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
    for first in names.FAKE_FIRST:
        for tussen, last in names.FAKE_LAST:
            people.append((first, tussen, last, _token(first)))
    rng.shuffle(people)
    companies: list[tuple[str, str, str]] = []
    for tussen, last in names.FAKE_LAST:
        for word, branche in names.FAKE_SECTORS:
            name = f"{_company_surname(f'{tussen} {last}'.strip())} {word} B.V."
            companies.append((name, branche, "@" + _domain(name, "nl", False)))
    rng.shuffle(companies)
    stages = [STAGES[k] for k in _quota(rng, 100, _STAGE_WEIGHTS)]
    n_people, n_companies = len(people), len(companies)
    titles, sizes = names.FAKE_TITLES, names.FAKE_SIZES
    n_titles, n_sizes = len(titles), len(sizes)

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
            "Functie": titles[i % n_titles],
            "Telefoonnummer": phone,
            "E-mailadres": local + at_domain,
            "LinkedIn": "",
            "Branche": branche,
            "Aantal medewerkers": sizes[i % n_sizes],
            "Land": "Nederland",
            "Fase": stages[i % 100],
        }
