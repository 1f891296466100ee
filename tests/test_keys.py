"""The config's [keys] (its parsing: tests/test_config.py): the same refusal from the CLI and the app's
start, the table of actions against the screens' bindings, and the app running the moved keys and
showing them (footer, ? panel, command palette)."""

import io
import subprocess
import sys

import pytest
from rich.console import Console
from textual.screen import ModalScreen
from textual.widgets import DataTable, OptionList
from textual.widgets._footer import FooterKey
from textual.widgets._key_panel import BindingsTable

from calldesk.rules.config import Config, parse_config
from calldesk.rules.keys import ACTIONS, SCREENS, check_keys, split_keys
from calldesk.screens.app import CalldeskApp
from calldesk.screens.call import CallScreen
from calldesk.screens.dashboard import DashboardScreen, LeadCard
from calldesk.screens.first_run import FirstRun
from calldesk.screens.lead_form import LeadForm
from calldesk.screens.modals import Confirm, LogContact, OutcomePicker
from calldesk.screens.queue import QueueScreen
from calldesk.screens.schedule import ScheduleScreen
from calldesk.screens.script_panel import ScriptPanel
from calldesk.screens.team_modals import CallerPicker, ReasonPrompt, StagePicker
from calldesk.screens.when_picker import WhenPicker, _Choices
from tests.command import cli_runner, one_line_error
from tests.pilot import make_app, settle


def test_the_cli_and_the_app_start_refuse_a_bad_keys_section_with_the_same_line(tmp_path):
    cli = cli_runner(tmp_path)
    path = tmp_path / "keys.toml"
    path.write_text('[keys]\n"queue.next" = "a"\n')
    line = f"calldesk: error: {path}: keys.queue.next: 'a' is queue.add's key too, on the queue screen"
    for args in (("config", "--config", path), ("--config", path), ("queue", "--config", path)):
        result = cli(*args, code=1)
        one_line_error(result, line)
        assert result.stderr.strip() == line


def test_reading_a_config_imports_no_textual():
    # `calldesk config` and every command check [keys] without the UI (its ids are rules.keys').
    code = "import sys, calldesk.rules.config as c; c.parse_config('[keys]\\nqueue.next = \"x\"'); " \
           "print(sorted(m for m in sys.modules if m.split('.')[0] == 'textual'))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


# -- the table of actions agrees with the screens ---------------------------------------------

# Where each screen's keys are bound: the screen (or modal), then the widget it focuses.
BOUND_IN = {
    "queue": (QueueScreen, DataTable), "call": (CallScreen, ScriptPanel), "dashboard": (DashboardScreen, DataTable),
    "schedule": (ScheduleScreen, DataTable), "first_run": (FirstRun,), "lead_card": (LeadCard,),
    "lead_form": (LeadForm,), "confirm": (Confirm,), "outcome": (OutcomePicker,), "contact": (LogContact,),
    "caller_picker": (CallerPicker, OptionList), "reason": (ReasonPrompt,), "stage_picker": (StagePicker, OptionList),
    "when": (WhenPicker, _Choices),
}
# Bound without an id and yet free to take: the call's q only hides the app's quit during a call.
NOT_TAKEN = {("call", "q")}


def bindings_of(cls):
    return [(key, binding) for key, bindings in cls._merge_bindings().key_to_bindings.items() for binding in bindings]


def test_every_screen_is_in_the_table():
    assert set(BOUND_IN) == set(SCREENS)


def test_the_table_has_every_action_id_with_its_default_keys():
    bound: dict[str, set[str]] = {}
    for cls in {CalldeskApp, *(cls for classes in BOUND_IN.values() for cls in classes)}:
        for key, binding in bindings_of(cls):
            if binding.id:
                bound.setdefault(binding.id, set()).add(key)
    assert bound == {action: set(split_keys(keys)) for action, keys in ACTIONS.items()}
    assert check_keys({}) == ACTIONS  # the defaults never clash


@pytest.mark.parametrize("name", sorted(BOUND_IN))
def test_a_screens_actions_and_taken_keys_are_the_ones_bound_there(name):
    screen, *widgets = BOUND_IN[name]
    sources = SCREENS[name].sources
    assert ("app" in sources) is not issubclass(screen, ModalScreen)
    ids = {binding.id for cls in BOUND_IN[name] for _key, binding in bindings_of(cls) if binding.id}
    assert {action.split(".")[0] for action in ids} | ({"app"} & set(sources)) == set(sources)
    assert ids | {action for action in ACTIONS if action.startswith("app.") and "app" in sources} == \
        {action for action in ACTIONS if action.split(".")[0] in sources}
    owned = {key for action in ids for key in split_keys(ACTIONS[action])}
    unnamed = {key for cls in BOUND_IN[name] for key, binding in bindings_of(cls) if not binding.id}
    textual = {"ctrl+q", "ctrl+c", "ctrl+p"}  # the app's own (quit, copy's hint, the palette)
    expected = {key for key in (unnamed | textual) - owned if (name, key) not in NOT_TAKEN}
    assert expected == set(SCREENS[name].taken) - owned


# -- the app runs and shows the keys in effect ------------------------------------------------


def footer_keys(app) -> dict[str, str]:
    """Action → key of what the footer shows."""
    return {key.action: key.key for key in app.screen.query(FooterKey)}


def key_panel(app) -> str:
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(app.screen.query_one(BindingsTable).render_bindings_table())
    return console.export_text()


async def test_a_moved_screen_key_shows_in_the_footer_and_the_help_and_runs_the_action(demo_store):
    config = parse_config('[keys]\n"queue.next" = "x"\n')
    app = make_app(demo_store, config=config)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        assert footer_keys(app)["next_lead"] == "x"
        assert "n" not in footer_keys(app).values()
        await pilot.press("n")  # no longer bound
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        await pilot.press("question_mark")
        await pilot.pause()
        lines = [line for line in key_panel(app).splitlines() if "Next lead" in line]
        assert len(lines) == 1 and lines[0].split()[0] == "x"
        await pilot.press("question_mark", "x")
        await settle(pilot)
        assert isinstance(app.screen, CallScreen)


async def test_a_moved_app_key_shows_on_every_screen_and_quits(demo_store):
    config = parse_config('[keys]\n"app.quit" = "z"\n')
    app = make_app(demo_store, config=config)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        assert footer_keys(app)["quit"] == "z"
        await pilot.press("question_mark")
        await pilot.pause()
        lines = [line for line in key_panel(app).splitlines() if "Quit" in line]
        assert [line.split()[:3] for line in lines] == [["^q", "z", "Quit"]]  # Textual's ctrl+q, then ours
        commands = {command.title: command.help for command in app.get_system_commands(app.screen)}
        assert commands["Next lead"] == "Key: n"  # not moved: as before
        await pilot.press("question_mark", "q")
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, QueueScreen)
        await pilot.press("z")
        await pilot.pause()
        assert not app.is_running


async def test_the_command_palette_names_the_moved_key(demo_store):
    app = make_app(demo_store, config=parse_config('[keys]\n"queue.schedule" = "ctrl+b"\n'))
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        commands = {command.title: command.help for command in app.get_system_commands(app.screen)}
        assert commands["Callbacks"] == "Key: ^b"
        assert footer_keys(app)["schedule"] == "ctrl+b"


async def test_a_moved_key_keeps_its_place_in_the_footer(demo_store):
    # Textual lists a moved key after the screen's others; a narrow footer drops keys from the end.
    async def footer(config, size):
        app = make_app(demo_store, config=config)
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            return [(key.key, key.action) for key in app.screen.query(FooterKey) if key.display]

    moved = parse_config('[keys]\n"queue.next" = "x"\n"queue.open" = "o"\n"app.quit" = "z"\n')
    for size in ((160, 45), (80, 24)):
        before = await footer(Config(), size)
        assert [action for _key, action in before][:2] == ["open_selected", "next_lead"]
        assert await footer(moved, size) == [({"n": "x", "enter": "o", "q": "z"}.get(key, key), action)
                                             for key, action in before]
