"""A Country cell → ISO 3166 alpha-2 code, from Babel's (CLDR's) territory names.

Read: alpha-2 and alpha-3 codes, CRM codes (Odoo's `base.mx`), and each country's name in
English, Dutch, German, French, Spanish, Portuguese, Italian and its own official languages ("Deutschland", "België",
"Belgique", "Österreich", "Türkiye"), compared without case, accents, spaces or punctuation.
CLDR has no names for a few everyday ones (England, Holland…): those are the aliases below.
Only countries phonenumbers knows count. The name index is built on first use and kept.
Pure: no I/O of our own (Babel reads its locale data).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import phonenumbers

__all__ = ["country_code", "is_blank"]

# Languages whose names every desk understands, besides each country's own.
_COMMON_LANGUAGES = ("en", "nl", "de", "fr", "es", "pt", "it")
# Everyday names CLDR does not give as a territory name (keys as _key writes them).
_ALIASES = {
    "uk": "GB", "england": "GB", "scotland": "GB", "wales": "GB", "northernireland": "GB", "greatbritain": "GB",
    "grootbrittannie": "GB", "engeland": "GB", "schotland": "GB", "unitedkingdomofgreatbritainandnorthernireland": "GB",
    "holland": "NL", "thenetherlands": "NL", "nederlanden": "NL", "kingdomofthenetherlands": "NL",
    "usa": "US", "unitedstatesofamerica": "US", "america": "US", "verenigdestatenvanamerika": "US",
    "turkey": "TR", "turkije": "TR", "czechrepublic": "CZ", "tsjechie": "CZ",
    "russianfederation": "RU", "southkorea": "KR", "republicofkorea": "KR",
    # Older or official English names CRMs and sample generators still write.
    "swaziland": "SZ", "kyrgyzrepublic": "KG", "unitedstatesvirginislands": "VI", "usvirginislands": "VI",
    "laopeoplesdemocraticrepublic": "LA", "palestinianterritory": "PS", "libyanarabjamahiriya": "LY",
    "holysee": "VA", "vaticancitystate": "VA", "macedonia": "MK", "burma": "MM", "ivorycoast": "CI",
    "capeverde": "CV", "easttimor": "TL", "slovakrepublic": "SK", "syrianarabrepublic": "SY",
    "iranislamicrepublicof": "IR", "tanzaniaunitedrepublicof": "TZ", "vietnam": "VN",
    "bruneidarussalam": "BN", "moldovarepublicof": "MD", "micronesiafederatedstatesof": "FM",
    "saintvincentandthegrenadines": "VC", "netherlandsantilles": "CW", "reunion": "RE", "saintbarthelemy": "BL", "saintmartin": "MF",
}
_CRM_PREFIX = re.compile(r"^(?:base\.|country[_.:-])", re.IGNORECASE)  # Odoo's base.mx


def _key(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text.casefold().replace("&", " and "))
    plain = re.sub(r"\bst\b\.?", "saint", plain)  # St. Lucia, St Kitts & Nevis
    return "".join(ch for ch in plain if ch.isalnum() and not unicodedata.combining(ch))


def is_blank(text: str) -> bool:
    """No letter or digit at all ("", "-", "—"): the cell says nothing."""
    return not any(ch.isalnum() for ch in text)


@lru_cache(maxsize=1)
def _codes() -> dict[str, str]:
    """Alpha-2 and alpha-3 → alpha-2, for the countries phonenumbers knows."""
    from babel.core import get_global

    regions = phonenumbers.SUPPORTED_REGIONS
    codes = {code.lower(): code for code in regions}
    for alias, targets in get_global("territory_aliases").items():
        if len(alias) == 3 and alias.isalpha() and len(targets) == 1 and targets[0] in regions:
            codes.setdefault(alias.lower(), targets[0])
    return codes


@lru_cache(maxsize=2)
def _names(common_only: bool) -> dict[str, str]:
    """Name → code, in the common languages (or also each country's own); a name two
    countries share in different languages counts for neither."""
    from babel import Locale, UnknownLocaleError
    from babel.languages import get_official_languages

    regions = phonenumbers.SUPPORTED_REGIONS
    found: dict[str, set[str]] = {}

    def add(locale: str, only: set[str] | None) -> None:
        try:
            names = Locale.parse(locale).territories
        except (UnknownLocaleError, ValueError):
            return
        for code, name in names.items():
            if code in regions and (only is None or code in only):
                key = _key(name)
                found.setdefault(key, set()).add(code)

    for language in _COMMON_LANGUAGES:
        add(language, None)
    # The common languages' names win over a clash with a country's own name.
    first = {key: next(iter(codes)) for key, codes in found.items() if len(codes) == 1}
    if common_only:
        return first
    own: dict[str, set[str]] = {}
    for region in regions:
        for language in get_official_languages(region, de_facto=True):
            own.setdefault(language, set()).add(region)
    for language, countries in own.items():
        if language not in _COMMON_LANGUAGES:
            add(language, countries)
    names = {key: next(iter(codes)) for key, codes in found.items() if len(codes) == 1}
    names.update(first)
    return names


@lru_cache(maxsize=1024)  # a file repeats a handful of countries: each is looked up once
def country_code(text: str) -> str | None:
    """'Nederland', 'Belgique', 'DEU', 'base.mx', 'England' → ISO code; None when not a country."""
    cell = _CRM_PREFIX.sub("", text.strip())
    code = _lookup(cell)
    if code is None and "(" in cell:  # "Slovakia (Slovak Republic)": either part may be known
        outside, _sep, inside = cell.partition("(")
        code = _lookup(outside) or _lookup(inside.rstrip(") "))
    return code


def _lookup(cell: str) -> str | None:
    key = _key(cell)
    if not key:
        return None
    if len(key) in (2, 3) and key.isascii():
        code = _codes().get(key)
        if code is not None:
            return code
    code = _ALIASES.get(key) or _names(True).get(key)
    if code is None:  # the own-language names: built only when a cell needs them
        code = _names(False).get(key)
    return code
