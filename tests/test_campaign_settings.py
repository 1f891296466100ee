"""Clients' and campaigns' settings layered over the desk's config (rules.campaigns), the
campaigns' window on a lead's day (recycling.other_campaign_quiet_until)."""

from datetime import UTC, date, datetime, time, timedelta
from importlib import resources

import pytest
import tomli_w
from hypothesis import given
from hypothesis import strategies as st

from calldesk.errors import CalldeskError
from calldesk.rules.campaigns import (
    LAYERED_SECTIONS,
    check_campaign_script,
    layer,
    leaf_keys,
    parse_settings,
    why_not_offered,
)
from calldesk.rules.config import (
    WEEKDAYS,
    CallingHours,
    Config,
    WarmthWeights,
    config_data,
    config_toml,
    format_duration,
    parse_config,
)
from calldesk.rules.kinds import CampaignStatus
from calldesk.rules.recycling import other_campaign_quiet_until

SOURCE = "campaign Zomeractie: settings"
SECTIONS = "calling_hours, icp, warmth, retry, qualification, daily_goal"


def refused(text: str, source: str = SOURCE) -> str:
    with pytest.raises(CalldeskError) as error:
        parse_settings(text, source)
    assert "\n" not in str(error.value)
    return str(error.value)


# -- parse_settings ----------------------------------------------------------------------------


def test_settings_are_the_plain_data_the_text_holds():
    assert parse_settings("", SOURCE) == {}
    assert parse_settings('daily_goal = 40\n[calling_hours]\nstart = "8:30"\n[retry]\nbusy = "5m"\n', SOURCE) == {
        "daily_goal": 40, "calling_hours": {"start": "8:30"}, "retry": {"busy": "5m"}}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[calling_hours]\nstart = "9am"', f"{SOURCE}: calling_hours.start: expected a time as HH:MM, got '9am'"),
        ('[calling_hours]\nstart = "18:00"', f"{SOURCE}: calling_hours: start must be before end"),
        ("[calling_hours]\ndays = []", f'{SOURCE}: calling_hours.days: expected at least one weekday, such as ["mon"]'),
        ("[icp]\nsize = 3", f"{SOURCE}: icp.size: unknown key"),
        ("[icp]\nmin_employees = 500\nmax_employees = 50", f"{SOURCE}: icp: min_employees (500) is above max_employees (50)"),
        ('[retry]\nvoicemail = "soon"', f"{SOURCE}: retry.voicemail: expected a duration such as '20m', '3h' or '2d', got 'soon'"),
        ("daily_goal = 1001", f"{SOURCE}: daily_goal: Input should be less than or equal to 1000"),
        ("[warmth]\nsignal_cap = -1", f"{SOURCE}: warmth.signal_cap: Input should be greater than or equal to 0"),
        ("calling_hours = 5", f"{SOURCE}: calling_hours: Input should be a valid dictionary or instance of CallingHours"),
    ],
)
def test_bad_values_name_the_key_and_the_campaign_as_the_config_file_does(text, message):
    assert refused(text) == message
    with pytest.raises(CalldeskError) as error:
        parse_config(text, SOURCE)
    assert str(error.value) == message  # one formatting for both


def test_not_toml_names_the_campaign():
    assert refused("daily_goal = ").startswith(f"{SOURCE}: not valid TOML: ")


@pytest.mark.parametrize(("text", "key"), [('region = "BE"', "region"), ('[keys]\n"queue.next" = "x"', "keys"),
                                           ('[script]\npath = "x.toml"', "script"), ('database = "x.db"', "database"),
                                           ("[serve]\nmax_desks = 2", "serve"), ("colour = 1", "colour")])
def test_other_sections_are_no_campaign_setting(text, key):
    assert refused(text) == f"{SOURCE}: {key}: not a campaign setting (campaign settings: {SECTIONS})"


def test_the_refusal_speaks_dutch(dutch):
    assert refused('region = "BE"', "campagne Zomeractie: instellingen") == (
        "campagne Zomeractie: instellingen: region: geen instelling van een campagne "
        f"(instellingen van een campagne: {SECTIONS})")


def test_settings_are_checked_over_the_base_given():
    # Over the default config (end 17:30) a start at 19:00 cannot be; over a desk open till 22:00 it can.
    assert refused('[calling_hours]\nstart = "19:00"') == f"{SOURCE}: calling_hours: start must be before end"
    late = parse_config('[calling_hours]\nend = "22:00"')
    assert parse_settings('[calling_hours]\nstart = "19:00"', SOURCE, base=late) == {"calling_hours": {"start": "19:00"}}


# -- layer ---------------------------------------------------------------------------------------


DESK = parse_config('region = "BE"\ndaily_goal = 50\n[calling_hours]\nend = "21:00"\n[retry]\nfollowup = "3d"\n')
CLIENT = parse_settings('daily_goal = 40\n[calling_hours]\nstart = "10:00"\n[retry]\nbusy = "5m"\n'
                        '[icp]\nindustries = ["ICT"]\nroles = ["ceo"]\n', "client Acme: settings")
CAMPAIGN = parse_settings('[calling_hours]\ndays = ["sat"]\n[retry]\nbusy = "10m"\n[icp]\nmin_employees = 10\n'
                          'roles = ["cfo", "cto"]\n', SOURCE)


def test_layers_merge_key_by_key_each_key_from_the_last_that_set_it():
    layered = layer(DESK, CLIENT, CAMPAIGN)
    config = layered.config
    assert config.calling_hours == CallingHours(days=("sat",), start=time(10), end=time(21))
    assert config.retry.busy == timedelta(minutes=10)
    assert config.retry.followup == timedelta(days=3)
    assert config.retry.no_answer == timedelta(hours=3)
    assert config.daily_goal == 40
    # Partial tables: the client's industries and the campaign's size stand side by side.
    assert (config.icp.industries, config.icp.min_employees) == (("ICT",), 10)
    # A list replaces the one below it, it is not joined to it.
    assert config.icp.roles == ("cfo", "cto")
    assert config.region == "BE"  # what no layer may set stays the desk's
    assert {key: layered.origin(key) for key in (
        "calling_hours.days", "calling_hours.start", "calling_hours.end", "calling_hours.skip_holidays",
        "retry.busy", "retry.followup", "retry.no_answer", "daily_goal", "icp.industries", "icp.min_employees",
        "icp.roles", "icp.max_employees", "warmth.stage_prospect", "qualification.need")} == {
        "calling_hours.days": "campaign", "calling_hours.start": "client", "calling_hours.end": "desk",
        "calling_hours.skip_holidays": "desk", "retry.busy": "campaign", "retry.followup": "desk",
        "retry.no_answer": "desk", "daily_goal": "client", "icp.industries": "client",
        "icp.min_employees": "campaign", "icp.roles": "campaign", "icp.max_employees": "desk",
        "warmth.stage_prospect": "desk", "qualification.need": "desk"}


def test_no_layers_give_the_desks_config():
    layered = layer(DESK, {}, {})
    assert layered.config == DESK
    assert {origin for _key, _value, origin in layered.rows()} == {"desk"}


def test_a_key_set_to_the_desks_own_value_is_still_the_layers():
    assert layer(DESK, {}, {"daily_goal": 50}).origin("daily_goal") == "campaign"


def test_origin_of_what_is_no_layered_key_is_a_key_error():
    layered = layer(DESK, CLIENT, CAMPAIGN)
    for key in ("region", "calling_hours", "calling_hours.lunch", "keys.queue.next"):
        with pytest.raises(KeyError):
            layered.origin(key)


def test_a_bad_combination_names_the_campaign():
    # Each alone is fine over the desk (open till 21:00); together the window is 19:00-18:00.
    client = parse_settings('[calling_hours]\nstart = "19:00"', "client Acme: settings", base=DESK)
    campaign = parse_settings('[calling_hours]\nend = "18:00"', SOURCE, base=DESK)
    with pytest.raises(CalldeskError) as error:
        layer(DESK, client, campaign, client_source="client Acme: settings", campaign_source=SOURCE)
    assert str(error.value) == f"{SOURCE}: calling_hours: start must be before end"
    with pytest.raises(CalldeskError, match=r"^campaign: icp: min_employees \(90\) is above max_employees \(50\)$"):
        layer(DESK, {"icp": {"max_employees": 50}}, {"icp": {"min_employees": 90}})


def test_a_client_bad_over_the_desk_is_named_unless_the_campaign_makes_it_whole():
    client = {"calling_hours": {"start": "19:00"}}  # past the default desk's end, 17:30
    with pytest.raises(CalldeskError) as error:
        layer(Config(), client, {"retry": {"busy": "5m"}}, client_source="client Acme: settings")
    assert str(error.value) == "client Acme: settings: calling_hours: start must be before end"
    evening = layer(Config(), client, {"calling_hours": {"end": "21:30"}})
    assert (evening.config.calling_hours.start, evening.config.calling_hours.end) == (time(19), time(21, 30))


def test_layer_refuses_what_no_layer_may_set_naming_its_source():
    with pytest.raises(CalldeskError) as error:
        layer(DESK, {"region": "NL"}, {}, client_source="client Acme: settings")
    assert str(error.value) == f"client Acme: settings: region: not a campaign setting (campaign settings: {SECTIONS})"
    with pytest.raises(CalldeskError, match=r"^campaign Zomeractie: settings: retry\.bussy: unknown key$"):
        layer(DESK, {}, {"retry": {"bussy": "5m"}}, campaign_source=SOURCE)


def test_rows_are_every_layered_key_in_order_as_the_file_writes_it():
    rows = layer(DESK, CLIENT, CAMPAIGN).rows()
    assert [key for key, _value, _origin in rows] == list(leaf_keys())
    assert rows[:4] == [("calling_hours.days", '["sat"]', "campaign"), ("calling_hours.start", '"10:00"', "client"),
                        ("calling_hours.end", '"21:00"', "desk"), ("calling_hours.skip_holidays", "true", "desk")]
    found = {key: (value, origin) for key, value, origin in rows}
    assert found["retry.busy"] == ('"10m"', "campaign")
    assert found["retry.voicemail"] == ('"next_working_day"', "desk")
    assert found["retry.recent_contact_other_campaign"] == ('"rest_of_day"', "desk")
    assert found["warmth.signal_half_life_days"] == ("14.0", "desk")
    assert found["icp.max_employees"] == ("", "desk")  # unset: no bound, nothing to write
    assert found["daily_goal"] == ("40", "client")
    assert rows[-1] == ("daily_goal", "40", "client")


def _rows_as_toml(rows: list[tuple[str, str, str]]) -> str:
    top = [f"{key} = {value}" for key, value, _origin in rows if "." not in key]
    tables: dict[str, list[str]] = {}
    for key, value, _origin in rows:
        if "." in key and value:
            section, name = key.split(".")
            tables.setdefault(section, []).append(f"{name} = {value}")
    return "\n".join(top + [f"[{section}]\n" + "\n".join(lines) for section, lines in tables.items()]) + "\n"


def _layered_part(config: Config) -> dict:
    return {section: config_data(config).get(section) for section in LAYERED_SECTIONS}


def test_rows_read_back_to_the_same_config():
    client = {**CLIENT, "icp": {**CLIENT["icp"], "max_employees": 500}}
    campaign = {**CAMPAIGN, "qualification": {"need": ["yes", "maybe"]},
                "retry": {"recent_contact_other_campaign": "90m", "voicemail": "1d"}}
    layered = layer(DESK, client, campaign)
    again = parse_config(_rows_as_toml(layered.rows()))
    assert _layered_part(again) == _layered_part(layered.config)
    assert again.icp.max_employees == 500
    assert again.retry.recent_contact_other_campaign == timedelta(minutes=90)
    # Over a desk of defaults elsewhere, the whole config is the same.
    plain = layer(Config(), client, campaign)
    assert parse_config(_rows_as_toml(plain.rows())) == plain.config


# -- layer, for any keys any layer sets ---------------------------------------------------------

_DURATION = st.integers(min_value=0, max_value=400 * 86400).map(lambda s: format_duration(timedelta(seconds=s)))


def _clock(hours: st.SearchStrategy[int]) -> st.SearchStrategy[str]:
    return st.builds(lambda h, m: f"{h:02d}:{m:02d}", hours, st.integers(0, 59))


def _values() -> dict:
    values = {
        "calling_hours.days": st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=7, unique=True),
        # Starts before noon, ends after: any start lies before any end.
        "calling_hours.start": _clock(st.integers(0, 11)),
        "calling_hours.end": _clock(st.integers(12, 23)),
        "calling_hours.skip_holidays": st.booleans(),
        "icp.industries": st.lists(st.sampled_from(["ICT", "Zorg", "Bouw", "Logistiek"]), unique=True),
        "icp.min_employees": st.integers(0, 100),
        "icp.max_employees": st.integers(100, 100_000),
        "icp.roles": st.lists(st.sampled_from(["ceo", "cfo", "inkoper", "hoofd"]), unique=True),
        "retry.no_answer": _DURATION,
        "retry.busy": _DURATION,
        "retry.voicemail": st.one_of(st.just("next_working_day"), _DURATION),
        "retry.max_attempts": st.integers(1, 50),
        "retry.recent_contact": _DURATION,
        "retry.recent_contact_other_campaign": st.one_of(st.just("rest_of_day"), _DURATION),
        "retry.followup": _DURATION,
        "qualification.need": st.lists(st.sampled_from(["yes", "maybe", "no"]), unique=True),
        "qualification.authority": st.lists(st.sampled_from(["decision_maker", "involved", "none"]), unique=True),
        "qualification.budget_ruled_out": st.lists(st.sampled_from(["no", "unknown"]), unique=True),
        "qualification.timing_within_months": st.integers(0, 120),
        "daily_goal": st.integers(0, 1000),
    }
    for name in WarmthWeights.model_fields:
        values[f"warmth.{name}"] = st.integers(0, 1000)
    values["warmth.signal_half_life_days"] = st.integers(1, 60)
    values["warmth.signal_horizon_days"] = st.integers(0, 36500)
    return values


VALUES = _values()


def test_the_property_covers_every_layered_key():
    assert set(VALUES) == set(leaf_keys())


@st.composite
def settings(draw: st.DrawFn) -> dict:
    """Some layered keys with values, as a settings file holds them."""
    data: dict = {}
    for key in draw(st.sets(st.sampled_from(leaf_keys()))):
        section, _dot, name = key.partition(".")
        value = draw(VALUES[key])
        if name:
            data.setdefault(section, {})[name] = value
        else:
            data[section] = value
    return data


def _value(data: dict, key: str) -> object:
    section, _dot, name = key.partition(".")
    return data.get(section, {}).get(name) if name else data.get(section)


def _sets(data: dict, key: str) -> bool:
    section, _dot, name = key.partition(".")
    return section in data and (not name or name in data[section])


@given(settings(), settings(), settings())
def test_each_key_comes_from_the_last_layer_that_set_it(desk_settings, client, campaign):
    desk = layer(Config(), desk_settings, {}).config
    layered = layer(desk, client, campaign)
    got, desks = config_data(layered.config), config_data(desk)
    for key in leaf_keys():
        if _sets(campaign, key):
            assert (layered.origin(key), _value(got, key)) == ("campaign", _value(campaign, key)), key
        elif _sets(client, key):
            assert (layered.origin(key), _value(got, key)) == ("client", _value(client, key)), key
        else:
            assert (layered.origin(key), _value(got, key)) == ("desk", _value(desks, key)), key


@given(settings())
def test_settings_written_as_toml_parse_back_to_the_same_data(data):
    assert parse_settings(tomli_w.dumps(data), SOURCE) == data


# -- the Retry key -------------------------------------------------------------------------------


def test_recent_contact_other_campaign_is_rest_of_day_or_a_duration():
    assert Config().retry.recent_contact_other_campaign == "rest_of_day"
    assert parse_config('[retry]\nrecent_contact_other_campaign = "rest_of_day"').retry.recent_contact_other_campaign == "rest_of_day"
    assert parse_config('[retry]\nrecent_contact_other_campaign = "90m"').retry.recent_contact_other_campaign == timedelta(minutes=90)
    assert parse_config("[retry]\nrecent_contact_other_campaign = 0").retry.recent_contact_other_campaign == timedelta(0)
    varied = parse_config('[retry]\nrecent_contact_other_campaign = "2d"')
    assert parse_config(config_toml(varied)) == varied
    assert 'recent_contact_other_campaign = "rest_of_day"' in config_toml(Config())


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ('"soon"', "cfg.toml: retry.recent_contact_other_campaign: expected a duration such as '20m', '3h' or '2d', got 'soon'"),
        ('"rest_of_week"', "cfg.toml: retry.recent_contact_other_campaign: expected a duration"),
        ('"99999999d"', "cfg.toml: retry.recent_contact_other_campaign: expected a duration of at most 36500d"),
        ("-5", "cfg.toml: retry.recent_contact_other_campaign: expected a duration"),
    ],
)
def test_a_bad_recent_contact_other_campaign_names_the_key(value, message):
    with pytest.raises(CalldeskError) as error:
        parse_config(f"[retry]\nrecent_contact_other_campaign = {value}", "cfg.toml")
    assert str(error.value).startswith(message)
    assert refused(f"[retry]\nrecent_contact_other_campaign = {value}").startswith(
        message.replace("cfg.toml", SOURCE))


# -- other_campaign_quiet_until ------------------------------------------------------------------

HOURS = CallingHours()  # Mon-Fri 09:00-17:30
AMSTERDAM = "Europe/Amsterdam"


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(
    ("contact", "zone", "until"),
    [
        (at(2026, 11, 23, 9, 30), AMSTERDAM, at(2026, 11, 23, 16, 30)),  # 10:30 CET: till 17:30 CET
        (at(2026, 6, 1, 9, 30), AMSTERDAM, at(2026, 6, 1, 15, 30)),  # summer: 17:30 CEST
        (at(2026, 11, 23, 15, 0), "America/New_York", at(2026, 11, 23, 22, 30)),  # 10:00 EST
        # 08:00 on Tuesday in Tokyo while it is still Monday in UTC: Tokyo's day counts.
        (at(2026, 11, 23, 23, 0), "Asia/Tokyo", at(2026, 11, 24, 8, 30)),
        # 22:00 on Monday in New York (Tuesday in UTC): that day's calling is over.
        (at(2026, 11, 24, 3, 0), "America/New_York", at(2026, 11, 24, 3, 0)),
        (at(2026, 11, 23, 16, 30), AMSTERDAM, at(2026, 11, 23, 16, 30)),  # at the very end
        # A number of several zones: till the last of them closes (Los Angeles, 17:30 PST).
        (at(2026, 11, 23, 15, 0), "America/New_York America/Los_Angeles", at(2026, 11, 24, 1, 30)),
        # Before the day's start (an early callback): the whole day.
        (at(2026, 11, 23, 6, 0), AMSTERDAM, at(2026, 11, 23, 16, 30)),
    ],
)
def test_rest_of_day_lasts_till_the_end_of_that_calling_day_on_the_leads_clock(contact, zone, until):
    assert other_campaign_quiet_until(contact, zone, HOURS, "rest_of_day") == until
    assert other_campaign_quiet_until(contact, zone, HOURS, "rest_of_day").tzinfo is UTC


def test_rest_of_day_across_a_clock_change():
    weekend = CallingHours(days=WEEKDAYS, start=time(0, 0), end=time(17, 30))
    # Sunday 28 March 2027, 01:30 CET: the clocks go forward at 02:00, the day ends at 17:30 CEST.
    assert other_campaign_quiet_until(at(2027, 3, 28, 0, 30), AMSTERDAM, weekend, "rest_of_day") == at(2027, 3, 28, 15, 30)
    # Sunday 25 October 2026 the clocks go back at 03:00: 17:30 CET.
    assert other_campaign_quiet_until(at(2026, 10, 25, 0, 30), AMSTERDAM, weekend, "rest_of_day") == at(2026, 10, 25, 16, 30)
    # An end the clock passes twice (02:30 that night): the later of the two.
    night = CallingHours(days=WEEKDAYS, start=time(1, 0), end=time(2, 30))
    assert other_campaign_quiet_until(at(2026, 10, 24, 23, 15), AMSTERDAM, night, "rest_of_day") == at(2026, 10, 25, 1, 30)
    # An end the clock skips (02:30 on 28 March 2027): the moment after the gap, 03:30 CEST.
    assert other_campaign_quiet_until(at(2027, 3, 27, 23, 15), AMSTERDAM, night, "rest_of_day") == at(2027, 3, 28, 1, 30)


def test_an_unknown_zone_is_the_home_regions():
    contact = at(2026, 11, 23, 9, 30)
    assert other_campaign_quiet_until(contact, None, HOURS, "rest_of_day") == at(2026, 11, 23, 16, 30)
    assert other_campaign_quiet_until(contact, None, HOURS, "rest_of_day", region="GB") == at(2026, 11, 23, 17, 30)


def test_a_duration_counts_from_the_contact():
    contact = at(2026, 11, 23, 10, 30)
    assert other_campaign_quiet_until(contact, AMSTERDAM, HOURS, timedelta(hours=2)) == at(2026, 11, 23, 12, 30)
    assert other_campaign_quiet_until(contact, AMSTERDAM, HOURS, timedelta(0)) == contact


def test_a_naive_contact_is_refused():
    for setting in ("rest_of_day", timedelta(hours=1)):
        with pytest.raises(ValueError, match="timezone-aware"):
            other_campaign_quiet_until(datetime(2026, 11, 23, 10, 30), AMSTERDAM, HOURS, setting)


# -- campaign scripts ----------------------------------------------------------------------------


def test_a_campaigns_script_is_checked_and_given_back():
    text = resources.files("calldesk").joinpath("scripts", "nl.toml").read_text(encoding="utf-8")
    assert check_campaign_script(text, "campaign Zomeractie: script") == text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "campaign Zomeractie: script: name: required"),
        ("name = ", "campaign Zomeractie: script: not valid TOML"),
        ('name = "x"\nlanguage = "nl"\nopener = "Hoi"\ncolour = 1', "campaign Zomeractie: script: colour: unknown key"),
    ],
)
def test_a_bad_campaign_script_names_the_campaign(text, message):
    with pytest.raises(CalldeskError) as error:
        check_campaign_script(text, "campaign Zomeractie: script")
    assert str(error.value).startswith(message)


# -- why_not_offered -----------------------------------------------------------------------------

TODAY = date(2026, 6, 1)  # a Monday


@pytest.mark.parametrize(
    ("status", "starts_on", "ends_on", "why"),
    [
        (CampaignStatus.active, None, None, None),
        (CampaignStatus.active, TODAY, TODAY, None),  # both ends are days of the campaign
        (CampaignStatus.active, TODAY - timedelta(days=30), TODAY + timedelta(days=30), None),
        (CampaignStatus.active, TODAY + timedelta(days=1), None, "campaign Zomeractie starts on Tue 2 Jun"),
        (CampaignStatus.active, None, TODAY - timedelta(days=1), "campaign Zomeractie ended on Sun 31 May"),
        (CampaignStatus.active, date(2027, 1, 4), None, "campaign Zomeractie starts on Mon 4 Jan 2027"),
        (CampaignStatus.active, None, date(2025, 12, 31), "campaign Zomeractie ended on Wed 31 Dec 2025"),
        (CampaignStatus.paused, None, None, "campaign Zomeractie is paused"),
        (CampaignStatus.paused, TODAY + timedelta(days=1), None, "campaign Zomeractie is paused"),
        (CampaignStatus.archived, None, TODAY - timedelta(days=1), "campaign Zomeractie is archived"),
    ],
)
def test_why_a_campaign_offers_no_leads(status, starts_on, ends_on, why):
    assert why_not_offered("Zomeractie", status, starts_on, ends_on, TODAY) == why


def test_why_not_offered_speaks_dutch(dutch):
    assert why_not_offered("Zomeractie", CampaignStatus.paused, None, None, TODAY) == "campagne Zomeractie is gepauzeerd"
    assert why_not_offered("Zomeractie", CampaignStatus.archived, None, None, TODAY) == "campagne Zomeractie is gearchiveerd"
    assert why_not_offered("Zomeractie", CampaignStatus.active, TODAY + timedelta(days=1), None, TODAY) == (
        "campagne Zomeractie begint op di 2 jun")
    assert why_not_offered("Zomeractie", CampaignStatus.active, None, TODAY - timedelta(days=1), TODAY) == (
        "campagne Zomeractie is geëindigd op zo 31 mei")


def test_campaign_statuses():
    assert [status.value for status in CampaignStatus] == ["active", "paused", "archived"]
