"""Two languages: the Dutch catalog is complete and current, the language is chosen by the rules,
dates and numbers read as a Dutch caller writes them, and the screens speak Dutch."""

import gettext
import re
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

import calldesk
from calldesk import i18n
from calldesk.i18n import (
    _,
    format_day,
    format_day_time,
    format_number,
    format_percent,
    format_weekday_time,
    language,
    ngettext,
    resolve_language,
    set_language,
    using,
)
from calldesk.rules.config import CallingHours, Config, Qualification
from calldesk.rules.outcomes import Outcome
from calldesk.rules.schedule import check_when, quick_choices
from calldesk.rules.script import builtin_script, qualify
from calldesk.rules.stages import Stage
from calldesk.rules.warmth import LeadFacts, reason_text, score
from tests.conftest import NOW
from tests.pilot import make_app, settle, take_next

PACKAGE = Path(calldesk.__file__).parent
LOCALE = PACKAGE / "locale"
PO = LOCALE / "nl" / "LC_MESSAGES" / "calldesk.po"
MO = PO.with_suffix(".mo")
POT = LOCALE / "calldesk.pot"
HOW = "see calldesk/locale/README.md"


def _catalog(path: Path, locale: str | None = None):
    with path.open("rb") as file:
        return read_po(file, locale=locale)


def _key(message) -> tuple[str, str | None]:
    return (message.id[0] if isinstance(message.id, tuple) else message.id), message.context


def _in_code() -> dict[tuple[str, str | None], str]:
    """Every string the code marks for translation, as Babel extracts it: (msgid, context) → file."""
    found = {}
    method_map = [("**.py", "python")]
    for filename, _line, message, _comments, context in extract_from_dir(
            str(PACKAGE), method_map=method_map, keywords=DEFAULT_KEYWORDS):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.setdefault((msgid, context), filename)
    return found


# -- the catalog -----------------------------------------------------------------------------


def test_the_dutch_catalog_translates_every_string():
    catalog = _catalog(PO, "nl")
    assert not catalog.fuzzy, "the catalog's header is marked fuzzy: pybabel compile would skip it"
    untranslated = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            untranslated.append(f"{'fuzzy ' if message.fuzzy else ''}{message.id!r}")
    assert not untranslated, f"untranslated in {PO.name} ({HOW}):\n" + "\n".join(untranslated)


def test_the_dutch_plural_rule_is_in_the_header():
    catalog = _catalog(PO, "nl")
    assert catalog.plural_forms == "nplurals=2; plural=(n != 1);"


def test_the_catalog_covers_every_marked_string_in_the_code():
    in_code = _in_code()
    for path in (POT, PO):
        listed = {_key(message) for message in _catalog(path) if message.id}
        missing = sorted(f"{msgid!r} ({where})" for (msgid, context), where in in_code.items()
                         if (msgid, context) not in listed)
        assert not missing, f"not in {path.name}: extract and update ({HOW}):\n" + "\n".join(missing)
        stale = sorted(repr(key[0]) for key in listed - set(in_code))
        assert not stale, f"in {path.name} but no longer in the code ({HOW}):\n" + "\n".join(stale)


def _messages(catalog) -> dict[tuple[str | None, str | tuple[str, ...]], str | tuple[str, ...]]:
    """(context, msgid) → msgstr of every translated message; plurals as tuples of all forms."""
    found = {}
    for message in catalog:
        if not message.id or message.fuzzy:  # the header; fuzzy ones are never compiled
            continue
        ids = tuple(message.id) if isinstance(message.id, list | tuple) else message.id
        strings = tuple(message.string) if isinstance(message.string, list | tuple) else message.string
        found[(message.context, ids)] = strings
    return found


def test_the_compiled_catalog_holds_the_po_messages():
    # By messages, not bytes or file times: another Babel writes another header and byte
    # order, and a checkout sets file times in any order; what the app reads must be the same.
    po = _catalog(PO, "nl")
    with MO.open("rb") as file:
        mo = read_mo(file)
    wanted, compiled = _messages(po), _messages(mo)
    differ = sorted(repr(key) for key in wanted.keys() | compiled.keys() if wanted.get(key) != compiled.get(key))
    assert not differ, f"{MO.name} does not hold what {PO.name} says: compile it ({HOW}):\n" + "\n".join(differ)
    assert mo.plural_forms == po.plural_forms
    # And as the app reads it, through gettext: each message, each plural form.
    with MO.open("rb") as file:
        runtime = gettext.GNUTranslations(file)
    for (context, ids), strings in wanted.items():
        if isinstance(ids, tuple):
            for n, string in ((1, strings[0]), (2, strings[1])):
                got = (runtime.npgettext(context, ids[0], ids[1], n) if context
                       else runtime.ngettext(ids[0], ids[1], n))
                assert got == string, (context, ids, n)
        else:
            assert (runtime.pgettext(context, ids) if context else runtime.gettext(ids)) == strings, (context, ids)


def test_translations_keep_every_placeholder():
    wrong = []
    for message in _catalog(PO, "nl"):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(re.findall(r"\{(\w*)\}", ids[-1]))
        for string in strings:
            if set(re.findall(r"\{(\w*)\}", string)) != wanted:
                wrong.append(f"{ids[0]!r} → {string!r}")
    assert not wrong, "placeholders differ:\n" + "\n".join(wrong)


def test_the_compiled_catalog_ships_in_the_package():
    # hatch puts everything under calldesk/ into the wheel; gettext finds it beside i18n.py.
    assert i18n.LOCALE_DIR == LOCALE and MO.is_file()


# -- choosing the language ---------------------------------------------------------------------


@pytest.mark.parametrize(("cli", "config", "environ", "expected"), [
    ("nl", "en", {"LANG": "en_US.UTF-8"}, "nl"),  # --lang wins
    (None, "nl", {"LANG": "en_GB.UTF-8"}, "nl"),  # then the config
    (None, None, {"LANG": "nl_NL.UTF-8"}, "nl"),  # then the locale
    (None, None, {"LANG": "nl_BE.UTF-8"}, "nl"),
    (None, None, {"LC_MESSAGES": "nl_NL", "LANG": "en_US.UTF-8"}, "nl"),
    (None, None, {"LC_ALL": "en_US.UTF-8", "LANG": "nl_NL.UTF-8"}, "en"),  # LC_ALL overrides LANG
    (None, None, {"LC_ALL": "C", "LANG": "nl_NL.UTF-8"}, "en"),  # C means the source language
    (None, None, {"LANGUAGE": "fr:nl", "LANG": "en_US.UTF-8"}, "nl"),  # a priority list
    (None, None, {"LANGUAGE": "fr", "LANG": "nl_NL.UTF-8"}, "nl"),
    (None, None, {"LANG": "fr_FR.UTF-8"}, "en"),  # neither Dutch nor English: English
    (None, None, {}, "en"),
    ("", None, {"LANG": "nl_NL.UTF-8"}, "nl"),
])
def test_lang_then_config_then_locale_then_english(cli, config, environ, expected):
    assert resolve_language(cli, config, environ) == expected


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="unsupported language 'de'"):
        set_language("de")
    assert language() == "en"


def test_using_switches_for_a_block_only(dutch):
    with using("en"):
        assert _("Next lead") == "Next lead"
    assert _("Next lead") == "Volgende lead"


def test_the_config_leaves_the_language_to_the_environment_unless_it_names_one():
    assert Config().language is None
    assert Config(language="nl").language == "nl"


# -- dates, times and numbers ------------------------------------------------------------------

MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))


def test_dates_and_times_in_dutch(dutch):
    assert format_day_time(MONDAY) == "ma 23 nov 09:00"
    assert format_day(MONDAY) == "ma 23 nov"
    assert format_day(datetime(2026, 12, 3, tzinfo=UTC), pad=True) == "do 03 dec"
    assert format_day(datetime(2027, 1, 4, tzinfo=UTC), year=2026) == "ma 4 jan 2027"
    assert format_weekday_time(MONDAY) == "ma 09:00"


def test_dates_and_times_in_english_read_as_before():
    assert format_day_time(MONDAY) == "Mon 23 Nov 09:00"
    assert format_day(datetime(2026, 9, 3, tzinfo=UTC), pad=True) == "Thu 03 Sep"
    assert format_weekday_time(MONDAY) == f"{MONDAY:%a %H:%M}"


def test_numbers_and_rates(dutch):
    assert format_number(12345) == "12.345"
    assert format_percent(0.054) == "5,4%"
    assert format_percent(0.385) == "38%"  # rounded as Python's "%" format rounds it
    assert format_percent(None) == "—"
    with using("en"):
        assert (format_number(12345), format_percent(0.054)) == ("12,345", "5.4%")


@pytest.mark.parametrize("rate", [0.0, 0.005, 0.0549, 0.099, 0.1, 0.125, 0.215, 0.385, 0.5, 0.995, 1.0])
def test_english_rates_are_pythons(rate):
    assert format_percent(rate) == (f"{rate:.0%}" if rate >= 0.1 else f"{rate:.1%}")


# -- what the rules say ------------------------------------------------------------------------


def test_plurals_follow_the_dutch_rule(dutch):
    assert ngettext("{count} callback", "{count} callbacks", 1).format(count=1) == "1 terugbelverzoek"
    assert ngettext("{count} callback", "{count} callbacks", 2).format(count=2) == "2 terugbelverzoeken"


def test_labels_are_translated_but_stored_values_stay_english(dutch):
    assert Outcome.no_answer.ui_label == "geen gehoor" and Outcome.no_answer.label == "no answer"
    assert Stage.customer.ui_label == "klant" and Stage.customer.label == "customer"


def test_warmth_reasons_are_stored_in_english_and_shown_in_dutch(dutch):
    facts = LeadFacts(stage=Stage.hot_lead, industry="IT", employees=45, role="CEO",
                      bant={"budget": "yes", "authority": "involved", "timing": "3m"},
                      signals=[("demo_request", NOW), ("demo_request", NOW)], no_answer_streak=1)
    config = Config.model_validate({"icp": {"industries": ["IT"]}})
    reasons = [r.text for r in score(facts, NOW, config.warmth, config.icp).reasons]
    assert "demo request today (+1 earlier)" in reasons  # stored: English whatever the UI speaks
    assert "1 unanswered call in a row" in reasons
    shown = {reason_text(text) for text in reasons}
    assert {"hot lead", "demoaanvraag vandaag (+1 eerder)", "past bij ICP-branche (IT)", "bedrijfsgrootte 45",
            "beslisser (CEO)", "budget bevestigd", "in gesprek met iemand die meebeslist",
            "wil binnen 3 maanden starten", "1 onbeantwoorde poging op rij"} == shown
    assert reason_text("something an older version stored") == "something an older version stored"


def test_english_reasons_read_as_stored():
    for text in ("hot lead", "fits ICP industry (IT)", "company size 45", "decision-maker (CEO)",
                 "e-mail click 3 weeks ago", "contact form 2 days ago (+2 earlier)", "website visit 3 months ago",
                 "3 unanswered calls in a row", "1 unanswered call in a row", "wants to start within 1 month",
                 "wants to start within 3 months", "talking to the decision-maker", "timing fits"):
        assert reason_text(text) == text


def test_the_script_verdict_and_the_schedule_speak_dutch(dutch):
    verdict = qualify({"need": "no", "timing": "12m"}, Qualification())
    assert verdict.missing == ("beslisser onbekend", "geen behoefte", "tijdpad verder dan 6 maanden")
    saturday = datetime(2026, 11, 28, 20, 0, tzinfo=UTC)
    assert check_when(saturday, NOW, "Europe/Amsterdam", "NL", CallingHours(), "NL") == [
        "geen beldag (za)", "buiten de beltijden (09:00–17:30 tijd van de lead)"]
    labels = [choice.label for choice in quick_choices(NOW, "Europe/Amsterdam", "NL", CallingHours(), "NL")]
    assert labels[:2] == ["over 1 uur", "morgen 09:00"]


def test_the_script_follows_the_ui_language(dutch):
    assert builtin_script().language == "nl"
    assert builtin_script("en").language == "en"  # a named language still wins


# -- the screens -------------------------------------------------------------------------------


async def test_the_footer_speaks_dutch_and_the_class_bindings_stay_english(demo_store):
    from calldesk.screens.queue import QueueScreen

    app = make_app(demo_store, config=Config(language="nl"))
    async with app.run_test(size=(140, 36)) as pilot:
        await settle(pilot)
        shown = {binding.description for _key, binding in app.screen._bindings}
        assert {"Volgende lead", "Terugbellen", "Toetsen", "Ongedaan maken"} <= shown
        commands = {command.title for command in app.get_system_commands(app.screen)}
        assert {"Volgende lead", "Thema", "Stoppen"} <= commands
    assert language() == "nl"  # the app set it; the autouse fixture puts English back
    assert {binding.description for binding in QueueScreen.BINDINGS} >= {"Next lead", "Callbacks"}


def test_snapshot_queue_in_dutch(snap_compare, demo_store):
    async def loaded(pilot):
        await settle(pilot)

    assert snap_compare(make_app(demo_store, config=Config(language="nl")), terminal_size=(140, 36),
                        run_before=loaded)


def test_snapshot_call_screen_in_dutch(snap_compare, demo_store):
    async def answered(pilot):
        await take_next(pilot)
        await pilot.press("1", "2")

    assert snap_compare(make_app(demo_store, config=Config(language="nl")), terminal_size=(140, 40),
                        run_before=answered)


# -- the command line --------------------------------------------------------------------------


def _help_texts(command) -> set[str]:
    texts = {text for text in (command.help, command.short_help) if text}
    texts |= {param.help for param in command.params if getattr(param, "help", None)}
    for sub in getattr(command, "commands", {}).values():
        texts |= _help_texts(sub)
    return texts


def test_every_cli_help_text_is_in_the_catalog():
    # Typer makes help texts at import, so they are marked with N_ and translated in cli.main:
    # a help= or command help without N_ is missing here.
    import typer

    from calldesk.cli import _CLICK_HELP, app

    listed = {_key(message)[0] for message in _catalog(PO, "nl") if message.id}
    texts = _help_texts(typer.main.get_command(app)) | {_CLICK_HELP}
    missing = sorted(repr(text) for text in texts if text not in listed)
    assert not missing, f"help texts not in {PO.name}: mark them with N_ ({HOW}):\n" + "\n".join(missing)


def test_cli_help_texts_follow_the_language(dutch):
    import typer

    from calldesk.cli import app, translate_help

    command = typer.main.get_command(app)
    translate_help(command)
    assert command.commands["export"].help == "Exporteer leads als CSV (formuleveilig voor spreadsheets)."
    assert {p.name: p.help for p in command.params}["version"] == "Toon de versie en stop."
    dnc_add = command.commands["dnc"].commands["add"]
    assert {p.name: p.help for p in dnc_add.params}["reason"] == "Waarom (wordt bij het nummer bewaard)."


@pytest.mark.parametrize(("argv", "config", "environ", "expected"), [
    (["--lang", "nl", "--help"], None, {}, "nl"),
    (["--lang=nl", "queue"], None, {"LANG": "en_US.UTF-8"}, "nl"),
    (["--lang", "en", "queue"], 'language = "nl"\n', {"LANG": "nl_NL.UTF-8"}, "en"),
    (["--help"], 'language = "nl"\n', {}, "nl"),  # the config's language
    (["--help"], "colour = 1\n", {"LANG": "nl_NL.UTF-8"}, "nl"),  # a bad config: the command reports it
    (["--help"], None, {"LANG": "nl_NL.UTF-8"}, "nl"),
    (["--help"], None, {"LANG": "C"}, "en"),
    (["log", "1", "busy", "--note", "--lang"], None, {}, "en"),  # no value after it: not a language
])
def test_the_cli_knows_the_language_before_parsing(tmp_path, monkeypatch, argv, config, environ, expected):
    from calldesk.cli import early_language

    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "nothing"))
    monkeypatch.delenv("CALLDESK_CONFIG", raising=False)
    if config is not None:
        (tmp_path / "config.toml").write_text(config)
        argv = ["--config", str(tmp_path / "config.toml"), *argv]
    assert early_language(argv) == expected
