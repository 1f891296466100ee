"""Tests for calldesk.rules.demo: determinism, shape, phone validity/uniqueness, cp1252."""

from __future__ import annotations

import phonenumbers
import pytest

from calldesk.rules.demo import DEMO_HEADERS, demo_rows, fake_phone_rows

ALLOWED_STAGES = {"suspect", "prospect", "hot lead", "opportunity", "klant", "verloren"}


def _e164_all_valid(rows: list[dict[str, str]]) -> list[str]:
    keys = []
    for row in rows:
        raw = row["Telefoonnummer"]
        number = phonenumbers.parse(raw, "NL")
        assert phonenumbers.is_valid_number(number), raw
        keys.append(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
    return keys


def test_headers_exact() -> None:
    assert DEMO_HEADERS == (
        "Bedrijfsnaam", "Voornaam", "Tussenvoegsel", "Achternaam", "Functie",
        "Telefoonnummer", "E-mailadres", "LinkedIn", "Branche", "Aantal medewerkers",
        "Land", "Fase",
    )


def test_deterministic_per_seed() -> None:
    assert list(demo_rows(200, seed=3)) == list(demo_rows(200, seed=3))
    assert list(demo_rows(200, seed=3)) != list(demo_rows(200, seed=4))
    assert list(fake_phone_rows(500, seed=3)) == list(fake_phone_rows(500, seed=3))
    assert list(fake_phone_rows(500, seed=3)) != list(fake_phone_rows(500, seed=4))


def test_count_and_keys() -> None:
    rows = list(demo_rows())
    assert len(rows) == 300
    assert all(tuple(row) == DEMO_HEADERS for row in rows)
    assert all(isinstance(v, str) for row in rows for v in row.values())
    fake = list(fake_phone_rows(1000))
    assert len(fake) == 1000
    assert all(tuple(row) == DEMO_HEADERS for row in fake)
    assert list(demo_rows(0)) == [] and list(fake_phone_rows(0)) == []


@pytest.mark.parametrize("count", [300, 5000])
def test_demo_numbers_valid_and_unique(count: int) -> None:
    keys = _e164_all_valid(list(demo_rows(count)))
    assert len(set(keys)) == count


def test_fake_numbers_valid_and_unique() -> None:
    keys = _e164_all_valid(list(fake_phone_rows(20_000, seed=5)))
    assert len(set(keys)) == 20_000
    assert all(k.startswith("+31") for k in keys)


def test_country_mix_matches_land() -> None:
    rows = list(demo_rows(300))
    regions = [
        phonenumbers.region_code_for_number(phonenumbers.parse(r["Telefoonnummer"], "NL"))
        for r in rows
    ]
    for region in ("NL", "BE", "DE", "GB"):
        assert region in regions
    assert regions.count("NL") > 0.6 * len(rows)
    land = {
        "NL": {"Nederland", ""},
        "BE": {"België"},
        "DE": {"Duitsland"},
        "GB": {"Verenigd Koninkrijk"},
    }
    for row, region in zip(rows, regions, strict=True):
        assert row["Land"] in land[region]


def test_all_values_cp1252() -> None:
    for row in demo_rows(2000, seed=11):
        for value in row.values():
            value.encode("cp1252")
    for row in fake_phone_rows(2000):
        for value in row.values():
            value.encode("cp1252")


def test_email_and_linkedin_shape() -> None:
    rows = list(demo_rows(1000))
    emails = [r["E-mailadres"] for r in rows]
    assert all(e == "" or (e.isascii() and e.count("@") == 1) for e in emails)
    assert 0.03 < emails.count("") / len(rows) < 0.2
    links = [r["LinkedIn"] for r in rows if r["LinkedIn"]]
    assert all(link.startswith("https://www.linkedin.com/in/") and link.isascii() for link in links)
    assert 0.3 < len(links) / len(rows) < 0.5


def test_stages_allowed_and_all_present() -> None:
    stages = [r["Fase"] for r in demo_rows(300)]
    assert set(stages) == ALLOWED_STAGES
    assert 0.4 < stages.count("suspect") / len(stages) < 0.6
    assert {r["Fase"] for r in fake_phone_rows(1000)} == ALLOWED_STAGES
