import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calldesk.phones import Phone, PhoneError, PhoneType, display, normalize

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


def test_us_number_spanning_zones_has_no_single_zone():
    # A US toll-free number belongs to no one zone: unknown, not a guess.
    assert normalize("+1 800 555 0199").time_zone is None


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
