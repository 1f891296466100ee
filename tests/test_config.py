from datetime import time, timedelta

import pytest

from calldesk.config import Config, parse_config
from calldesk.errors import CalldeskError


def test_empty_file_gives_documented_defaults():
    config = parse_config("")
    assert config == Config()
    assert config.region == "NL"
    assert config.calling_hours.days == ("mon", "tue", "wed", "thu", "fri")
    assert (config.calling_hours.start, config.calling_hours.end) == (time(9), time(17, 30))
    assert config.retry.no_answer == timedelta(hours=3)
    assert config.retry.busy == timedelta(minutes=20)
    assert config.retry.voicemail == "next_working_day"
    assert config.retry.max_attempts == 6


def test_values_are_read():
    config = parse_config(
        'region = "be"\n[calling_hours]\nstart = "08:30"\nend = "20:00"\ndays = ["mon", "sat"]\n'
        '[retry]\nbusy = "5m"\nvoicemail = "1d"\n[icp]\nindustries = ["ICT"]\nmax_employees = 250\n'
    )
    assert config.region == "BE"
    assert config.calling_hours.start == time(8, 30)
    assert config.calling_hours.days == ("mon", "sat")
    assert config.retry.busy == timedelta(minutes=5)
    assert config.retry.voicemail == timedelta(days=1)
    assert config.icp.industries == ("ICT",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('region = "XX"', "cfg.toml: region: expected a two-letter country code"),
        ('[calling_hours]\nstart = "9am"', "cfg.toml: calling_hours.start: expected a time as HH:MM"),
        ('[calling_hours]\nstart = "18:00"', "cfg.toml: calling_hours: start must be before end"),
        ('[calling_hours]\ndays = ["mon", "funday"]', "cfg.toml: calling_hours.days.1:"),
        ('[retry]\nbusy = "soon"', "cfg.toml: retry.busy: expected a duration"),
        ("[retry]\nmax_attempts = 0", "cfg.toml: retry.max_attempts:"),
        ("colour = 1", "cfg.toml: colour: unknown key"),
        ("[icp]\nsize = 3", "cfg.toml: icp.size: unknown key"),
        ("region = ", "cfg.toml: not valid TOML"),
    ],
)
def test_bad_values_name_the_key(text, message):
    with pytest.raises(CalldeskError) as error:
        parse_config(text, "cfg.toml")
    assert str(error.value).startswith(message)
    assert "\n" not in str(error.value)
