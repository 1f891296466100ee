import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calldesk.rules.phones import Phone, PhoneError, PhoneType, display, normalize

VALID = [
    # typed, region, E.164, type, zone
    ("06-12345678", "NL", "+31612345678", PhoneType.mobile, "Europe/Amsterdam"),
    ("06 1234 5678", "NL", "+31612345678", PhoneType.mobile, "Europe/Amsterdam"),
    ("+31 (0)20 123 4567", "NL", "+31201234567", PhoneType.fixed, "Europe/Amsterdam"),
    ("0031 6 12345678", "NL", "+31612345678", PhoneType.mobile, "Europe/Amsterdam"),
    ("(020) 123 45 67", "NL", "+31201234567", PhoneType.fixed, "Europe/Amsterdam"),
    ("020-1234567", "NL", "+31201234567", PhoneType.fixed, "Europe/Amsterdam"),
    ("010 123 4567", "NL", "+31101234567", PhoneType.fixed, "Europe/Amsterdam"),
    ("085 123 4567", "NL", "+31851234567", PhoneType.voip, "Europe/Amsterdam"),
    ("088 123 4567", "NL", "+31881234567", PhoneType.company, "Europe/Amsterdam"),
    ("0800 1234", "NL", "+318001234", PhoneType.toll_free, "Europe/Amsterdam"),
    ("+32 2 512 34 56", "NL", "+3225123456", PhoneType.fixed, "Europe/Brussels"),
    ("02 512 34 56", "BE", "+3225123456", PhoneType.fixed, "Europe/Brussels"),
    ("+32 470 12 34 56", "NL", "+32470123456", PhoneType.mobile, "Europe/Brussels"),
    ("+49 30 12345678", "NL", "+493012345678", PhoneType.fixed, "Europe/Berlin"),
    ("+44 20 7946 0018", "NL", "+442079460018", PhoneType.fixed, "Europe/London"),
    ("tel:+31-6-12345678", "NL", "+31612345678", PhoneType.mobile, "Europe/Amsterdam"),
    # What spreadsheets do to numbers: the leading 0 or the + is lost.
    ("612345678", "NL", "+31612345678", PhoneType.mobile, "Europe/Amsterdam"),
    ("31612345678", "NL", "+31612345678", PhoneType.mobile, "Europe/Amsterdam"),
]

INVALID = [
    ("", "missing phone number"),
    ("   ", "missing phone number"),
    ("abc", "not a phone number"),
    ("12", "too short for a NL number"),
    ("06-1234", "not a valid NL number"),
    ("06-123456789012", "too long"),
    ("+999 1234567", "unknown country code"),
    ("3,16123E+10", "scientific notation"),
    ("0612345670000000000000", "too long"),
    ("069 123 4567", "not a valid NL number"),
]


@pytest.mark.parametrize(("typed", "region", "e164", "kind", "zone"), VALID)
def test_valid_numbers_normalise(typed, region, e164, kind, zone):
    phone = normalize(typed, region)
    assert (phone.e164, phone.kind, phone.time_zone) == (e164, kind, zone)
    assert phone.raw == typed.strip()


@pytest.mark.parametrize(("typed", "reason"), INVALID)
def test_invalid_numbers_say_why(typed, reason):
    with pytest.raises(PhoneError, match=reason):
        normalize(typed, "NL")


def test_us_toll_free_number_gets_every_us_zone_not_one_guess():
    zones = normalize("+1 800 555 0199").zones
    assert zones[0] == "America/New_York"
    assert {"America/Chicago", "America/Denver", "America/Phoenix", "America/Los_Angeles",
            "America/Anchorage", "Pacific/Honolulu"} <= set(zones)
    assert "America/Toronto" not in zones  # Canada's zones are not the US's
    # Zones that agree all year count once: Detroit and Louisville keep New York's clock.
    assert not {"America/Detroit", "America/Kentucky/Louisville", "America/Indiana/Indianapolis"} & set(zones)


def test_display_national_at_home_international_abroad():
    assert display("+31201234567", "NL") == "020 123 4567"
    assert display("+31612345678", "NL") == "06 12345678"
    assert display("+3225123456", "NL") == "+32 2 512 34 56"
    assert display("+3225123456", "BE") == "02 512 34 56"


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=40))
def test_any_text_is_a_phone_or_a_reason(text):
    try:
        phone = normalize(text, "NL")
    except PhoneError as exc:
        assert str(exc)
    else:
        assert isinstance(phone, Phone)
        assert phone.e164.startswith("+") and phone.e164[1:].isdigit()
        assert phonenumbers.is_valid_number(phonenumbers.parse(phone.e164))


digits = st.text(alphabet="0123456789", min_size=6, max_size=13)


@settings(max_examples=400, deadline=None)
@given(digits, st.sampled_from(["NL", "BE", "DE", "GB", "US"]))
def test_validation_agrees_with_is_valid_number(number, region):
    # normalize() validates through number_type() to save a call; it must agree with the library.
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return
    library_valid = phonenumbers.is_valid_number(parsed)
    try:
        normalize(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164), region)
        ours = True
    except PhoneError:
        ours = False
    assert ours == library_valid


@settings(max_examples=200, deadline=None)
@given(st.from_regex(r"6[1-5][0-9]{7}", fullmatch=True), st.sampled_from(["{}", "0{}", "+31{}", "0031 {}", "+31 (0){}"]))
def test_every_way_of_typing_a_mobile_gives_one_e164(subscriber, form):
    typed = form.format(subscriber)
    assert normalize(typed, "NL").e164 == "+31" + subscriber


# -- repairs that never move a number abroad (issue: "the lost + repair invents countries") --

@pytest.mark.parametrize(("digits", "region", "foreign"), [
    ("4953467238", "US", "DE"),  # Country US: was stored as a German number
    ("3236321094", "NL", "BE"),  # no Country: was +32
    ("6096650334", "NL", "MY"),  # no Country: was +60
])
def test_lost_plus_repair_never_picks_another_country(digits, region, foreign):
    with pytest.raises(PhoneError) as caught:
        normalize(digits, region)
    reason = str(caught.value)
    assert f"not a valid {region} number" in reason
    assert f"a number in {foreign}" in reason  # the reading that was possible


@pytest.mark.parametrize(("typed", "region", "e164"), [
    # +numbers a spreadsheet saved as digits, re-imported with the row's Country.
    ("491754066683", "DE", "+491754066683"),  # not +49491754066683
    ("4930123456789", "DE", "+4930123456789"),
    ("32470123456", "BE", "+32470123456"),
    ("3225123456", "BE", "+3225123456"),
    ("447400123456", "GB", "+447400123456"),
    ("442079460018", "GB", "+442079460018"),
    ("33612345678", "FR", "+33612345678"),
    ("33145678901", "FR", "+33145678901"),
    ("31612345678", "NL", "+31612345678"),
    ("31201234567", "NL", "+31201234567"),
    ("12125551234", "US", "+12125551234"),
    ("19548168181", "US", "+19548168181"),
])
def test_spreadsheet_mangled_international_numbers_read_in_their_own_country(typed, region, e164):
    phone = normalize(typed, region)
    assert phone.e164 == e164
    assert phonenumbers.region_code_for_number(phonenumbers.parse(e164)) == region


def test_national_number_without_the_country_code_is_read_nationally():
    # 0315 is a Dutch area code; 315123456 as +31 5123456 is no valid number: a lost 0 it is.
    assert normalize("315123456", "NL").e164 == "+31315123456"


def test_reject_reason_names_the_country_the_number_was_read_in():
    with pytest.raises(PhoneError, match="not a valid EC number"):
        normalize("0812345678", "EC")
    with pytest.raises(PhoneError, match="too short for a EC number"):
        normalize("12345", "EC")
    with pytest.raises(PhoneError, match="not a valid CA number"):  # +1, read in Canada
        normalize("(555) 123-4567", "CA")


REGIONS = ["NL", "BE", "DE", "GB", "FR", "US", "EC", "KZ", "ES", "PL"]


def _reading(text: str, region: str) -> str | None:
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@settings(max_examples=600, deadline=None)
@given(st.text("0123456789", min_size=6, max_size=14), st.sampled_from(REGIONS))
def test_digits_are_read_in_the_country_given_never_another(digits, region):
    """Every stored number is phonenumbers' own reading of the digits in the row's country,
    with a + (the spreadsheet case) or a leading 0; its calling code is that country's."""
    try:
        phone = normalize(digits, region)
    except PhoneError as exc:
        assert str(exc)
        return
    number = phonenumbers.parse(phone.e164)
    dialled = phonenumbers.parse(digits, region, keep_raw_input=True)
    if dialled.country_code_source == phonenumbers.CountryCodeSource.FROM_NUMBER_WITH_IDD:
        # Dialled abroad from the row's country (00 224 … from NL): phonenumbers' own reading.
        assert phone.e164 == _reading(digits, region)
        return
    assert number.country_code == phonenumbers.country_code_for_region(region)
    assert phone.e164 in {_reading(digits, region), _reading("+" + digits, region), _reading("0" + digits, region)}
    code = str(phonenumbers.country_code_for_region(region))
    if digits.startswith(code) and _reading("+" + digits, region):
        assert phone.e164 == _reading("+" + digits, region)  # the spreadsheet reading wins


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(REGIONS), st.sampled_from(REGIONS), st.integers(0, 10**12))
def test_written_numbers_are_phonenumbers_own_reading(row_region, number_region, seed):
    """A number written as people write it (national or international format, any country)
    is stored exactly as phonenumbers reads it in the row's country."""
    example = phonenumbers.example_number_for_type(number_region, phonenumbers.PhoneNumberType.MOBILE) \
        or phonenumbers.example_number(number_region)
    style = [phonenumbers.PhoneNumberFormat.INTERNATIONAL, phonenumbers.PhoneNumberFormat.NATIONAL][seed % 2]
    text = phonenumbers.format_number(example, style)
    expected = _reading(text, row_region)
    try:
        phone = normalize(text, row_region)
    except PhoneError:
        assert expected is None or style == phonenumbers.PhoneNumberFormat.NATIONAL
        return
    if not text.startswith("+") and _SEP_DIGITS(text) != text:
        assert phone.e164 == expected or phone.e164 == _reading("+" + _SEP_DIGITS(text), row_region)
    else:
        assert phone.e164 == expected


def _SEP_DIGITS(text: str) -> str:  # noqa: N802
    return "".join(ch for ch in text if ch.isdigit())


# -- the zones a number could be in -------------------------------------------------------

def test_kazakh_mobile_gets_kazakhstans_zones_only():
    # phonenumbers gives every +7 zone (Moscow… Anadyr); only Kazakhstan's count, and those
    # keep one clock (UTC+5 since 2024): one zone.
    phone = normalize("+7 701 234 5678", "NL")
    assert phone.region == "KZ"
    assert phone.zones == ("Asia/Almaty",)


def test_zones_that_agree_all_year_are_one():
    from calldesk.rules.phones import candidate_zones, zones_agree

    assert zones_agree("Europe/London", "Europe/Jersey")
    assert zones_agree("Europe/London", "Europe/Isle_of_Man")
    assert not zones_agree("Europe/London", "Europe/Amsterdam")
    assert not zones_agree("America/New_York", "America/Phoenix")
    # A UK mobile: never the desk's clock, and one zone for the islands and the mainland.
    assert candidate_zones("GB", ("Europe/Guernsey", "Europe/Isle_of_Man", "Europe/Jersey", "Europe/London")) \
        == ("Europe/London",)
    assert normalize("07400 123456", "GB").zones == ("Europe/London",)


def test_ecuador_mobile_could_be_on_the_mainland_or_galapagos():
    phone = normalize("099 123 4567", "EC")
    assert phone.e164 == "+593991234567"
    assert phone.zones == ("America/Guayaquil", "Pacific/Galapagos")


def test_geographic_number_keeps_its_own_zone():
    assert normalize("(212) 555-1234", "US").zones == ("America/New_York",)
    assert normalize("+1 514 333 4444", "NL").zones == ("America/Toronto",)


def test_non_geographic_international_number_has_no_zone():
    phone = normalize("+800 1234 5678", "NL")
    assert phone.region == "001" and phone.time_zone is None
