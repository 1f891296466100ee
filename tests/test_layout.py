"""The screens at 80x24, 100x30 and 160x45, in English and Dutch: what a caller must see
without scrolling, read from what the screen draws (a clipped line fails), and SVG snapshots."""

import io

import pytest
from rich.console import Console
from textual.widgets import DataTable
from textual.widgets._footer import FooterKey

from calldesk.i18n import set_language
from calldesk.rules.config import Config
from calldesk.rules.outcomes import KEY_OF, Outcome
from calldesk.rules.phones import display
from calldesk.rules.script import builtin_script
from calldesk.screens.layout import Column, fit_columns
from calldesk.screens.modals import OutcomePicker, outcome_label
from calldesk.screens.schedule import ScheduleScreen
from calldesk.screens.when_picker import WhenPicker
from tests.pilot import make_app, open_screen, settle, take_next

SIZES = [(80, 24), (100, 30), (160, 45)]
LANGUAGES = ["en", "nl"]


def app_in(store, language, caller="anne"):
    return make_app(store, caller=caller, config=Config(language=language))


def screen_lines(app) -> list[str]:
    """The text of every line the screen in front draws now."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def flat(text: str) -> str:
    return " ".join(text.split())


def drawn_in(app, region) -> list[str]:
    """The lines the screen draws inside a region (what is clipped is not there)."""
    return [line[region.x:region.right] for line in screen_lines(app)[region.y:region.bottom]]


def on_screen(app) -> str:
    """All the screen shows, as one line of words (a wrapped sentence reads whole)."""
    return flat(" ".join(line.strip("▏▕│ ") for line in screen_lines(app)))


# -- the call screen --------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
async def test_every_question_and_all_its_answers_are_on_screen(demo_store, language, size):
    """Question by question, as the caller answers: the lead, the prompt, every numbered
    answer and the verdict are drawn, without scrolling by hand."""
    app = app_in(demo_store, language)
    async with app.run_test(size=size) as pilot:
        await take_next(pilot)
        screen = app.screen
        lead = screen.detail.lead
        script = builtin_script()  # the app has set the language: the script in it
        assert script.language == language
        for question in script.questions:
            await pilot.pause()
            shown = on_screen(app)
            for fact in (lead.company, lead.contact_name, display(lead.phone_e164, app.config.region)):
                assert flat(fact) in shown, fact
            lines = drawn_in(app, screen.panel.query_one(".script-questions").scrollable_content_region)
            assert flat(question.prompt) in flat(" ".join(lines)), question.prompt
            for option in question.options:
                assert any(f" {option.key}  {option.label}" in line for line in lines), option.label
            verdict = screen.panel.query_one(".script-verdict")
            assert verdict.region.height >= 2 and verdict.region.bottom <= screen.query_one("#notes").region.y
            assert flat(str(verdict.render()).split(":")[0]) in shown  # "Not qualified yet" / "Qualifies…"
            await pilot.press("1")


@pytest.mark.parametrize("language", LANGUAGES)
async def test_the_card_is_one_line_at_80_columns_and_c_opens_it(demo_store, language):
    set_language(language)
    app = app_in(demo_store, language)
    async with app.run_test(size=(80, 24)) as pilot:
        await take_next(pilot)
        screen = app.screen
        card, line = screen.query_one("#call-card"), screen.query_one("#card-line")
        assert not card.display and line.display and line.region.height == 1
        card_key = "Kaart" if language == "nl" else "Card"
        assert f"▸ c {card_key}" in on_screen(app)
        assert any(key.key == "c" and key.display for key in screen.query(FooterKey))
        await pilot.press("c")
        await pilot.pause()
        assert card.display and card.region.height > 3
        assert f"▾ c {card_key}" in on_screen(app)
        assert screen.panel.has_focus  # the digits still answer
        await pilot.press("c")
        await pilot.pause()
        assert not card.display


async def test_a_wide_call_shows_the_card_beside_the_script_and_c_folds_it(demo_store):
    app = make_app(demo_store)
    async with app.run_test(size=(160, 45)) as pilot:
        await take_next(pilot)
        screen = app.screen
        card = screen.query_one("#call-card")
        assert card.display and not screen.query_one("#card-line").display
        assert card.region.x < screen.panel.region.x and card.region.y == screen.panel.region.y
        await pilot.press("c")
        await pilot.pause()
        assert not card.display and screen.query_one("#card-line").display


async def test_the_next_call_starts_with_the_card_as_the_width_has_it(demo_store):
    app = make_app(demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await take_next(pilot)
        await pilot.press("c", "escape")
        await settle(pilot)
        await take_next(pilot)
        assert not app.screen.query_one("#call-card").display


async def test_a_call_screen_kept_while_the_terminal_was_resized_fits_the_new_size(demo_store):
    app = make_app(demo_store)
    async with app.run_test(size=(160, 45)) as pilot:
        await take_next(pilot)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        await take_next(pilot)
        assert app.screen.has_class("-narrow", "-short")
        assert not app.screen.query_one("#call-card").display


# -- the queue --------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
async def test_the_queue_at_80x24_shows_company_local_time_stage_and_warmth(demo_store, language):
    app = app_in(demo_store, language)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        table = screen.query_one("#queue", DataTable)
        assert table.region.right <= 80 and not screen.query_one("#detail-panel").display
        first = screen.entries[0]
        row = next(line for line in screen_lines(app) if first.company[:12] in line)
        for cell in table.get_row_at(0)[1:]:  # every cell after the company, drawn whole
            assert str(cell) in row, cell
        assert first.stage.ui_label in row and str(first.warmth) in row
        header = screen_lines(app)[table.region.y]
        for label in ("Local", "Stage", "Warmth") if language == "en" else ("Lokaal", "Fase", "Warmte"):
            assert label in header
        assert first.contact_name in on_screen(app)  # in the line under the table


@pytest.mark.parametrize("language", LANGUAGES)
async def test_company_names_use_the_room_of_a_wide_queue(demo_store, language):
    widths = {}
    for size in ((100, 30), (160, 45)):
        app = app_in(demo_store, language)
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            columns = app.screen.query_one("#queue", DataTable).columns
            widths[size[0]] = columns["company"].width
            if size[0] == 160:
                assert "contact" in columns
                longest = max(len(entry.company) for entry in app.screen.entries)
                assert columns["company"].width >= min(longest, 32)
    assert widths[160] > widths[100] + 10


# -- footers ----------------------------------------------------------------------------------


def footer_fits(app) -> list[str]:
    """The keys the footer shows: all inside the terminal, ? (help) among them."""
    shown = [key for key in app.screen.query(FooterKey) if key.display]
    width = app.size.width
    assert all(key.region.right <= width and key.region.width > 0 for key in shown), \
        [(key.key, key.region) for key in shown]
    keys = [key.key for key in shown]
    assert "question_mark" in keys or app.screen.query("WhenPicker, OutcomePicker")
    return keys


@pytest.mark.parametrize("language", LANGUAGES)
async def test_every_footer_fits_80_columns_and_keeps_help(demo_store, language):
    app = app_in(demo_store, language, caller="tess")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert {"n", "enter", "b", "question_mark"} <= set(footer_fits(app))
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, ScheduleScreen)
        assert {"space", "g", "s", "question_mark"} <= set(footer_fits(app))
        await pilot.press("escape")
        await take_next(pilot)
        assert {"1", "o", "c", "question_mark"} <= set(footer_fits(app))
        await pilot.press("question_mark")
        await pilot.pause()
        console = Console(width=200, record=True, file=io.StringIO())
        console.print(app.screen.query_one("BindingsTable").render_bindings_table())
        listed = console.export_text()
        left_out = [key for key in app.screen.query(FooterKey) if not key.display]
        assert left_out and all(key.description in listed for key in left_out)  # ? lists what the footer left out


# -- the modals -------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
async def test_the_outcome_picker_fits_80_columns(demo_store, language):
    app = app_in(demo_store, language)
    async with app.run_test(size=(80, 24)) as pilot:
        await take_next(pilot)
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, OutcomePicker)
        box = app.screen.query_one("Vertical")
        assert box.region.x >= 0 and box.region.right <= 80 and box.region.bottom <= 24
        shown = " | ".join(flat(" ".join(drawn_in(app, column.region)))
                           for column in app.screen.query("Grid > Static"))
        for outcome in Outcome:
            assert flat(f"{KEY_OF[outcome]} {outcome_label(outcome)}") in shown, outcome


@pytest.mark.parametrize("language", LANGUAGES)
async def test_the_callback_picker_fits_80x24(demo_store, language):
    app = app_in(demo_store, language)
    async with app.run_test(size=(80, 24)) as pilot:
        await take_next(pilot)
        await pilot.press("o", "c")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, WhenPicker)
        dialog = picker.query_one("#when-dialog")
        assert dialog.region.bottom <= 23  # above the footer
        for part in ("#when-now", "#when-choices", "#when-entry", "#when-preview", "#when-note", "#when-help"):
            region = picker.query_one(part).region
            assert region.height > 0 and region.bottom <= dialog.region.bottom, part
        shown = on_screen(app)
        for choice in picker.choices:
            assert flat(f"{choice.key} {choice.label}") in shown


# -- the schedule -----------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
async def test_the_schedule_at_80_columns_shows_the_lead_its_time_and_the_note(demo_store, language):
    app = app_in(demo_store, language)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_screen(pilot, "b", ScheduleScreen)
        table = screen.query_one("#agenda", DataTable)
        assert {"company", "lead_time", "note"} <= set(table.columns)
        assert table.columns["note"].width >= 15 and table.region.right <= 80
        item = screen.items[0]
        row = next(line for line in screen_lines(app) if (item.company or "—")[:12] in line)
        lead = item.due_local
        assert f"{lead:%H:%M} {lead.tzname()}" in row and item.note[:12] in row
        assert flat(item.note) in on_screen(app)  # whole, in the detail below the table


async def test_notes_and_companies_use_the_room_of_a_wide_schedule(demo_store):
    widths = {}
    for size in ((100, 30), (160, 45)):
        app = make_app(demo_store, caller="tess")
        async with app.run_test(size=size) as pilot:
            screen = await open_screen(pilot, "b", ScheduleScreen)
            columns = screen.query_one("#agenda", DataTable).columns
            widths[size[0]] = columns["note"].width, columns["company"].width
            if size[0] == 160:
                assert {"contact", "set_by", "for", "group"} <= set(columns)
                longest = max(len(item.company or "") for item in screen.items)
                assert columns["company"].width >= min(longest, 28)
    assert widths[160][0] > widths[100][0] + 15 and widths[160][1] > widths[100][1] + 10


def test_fit_columns_shares_the_room_and_leaves_out_what_does_not_fit():
    columns = (Column("a", "", 10, grow=1, most=20), Column("b", "", 5), Column("c", "", 10, grow=3),
               Column("d", "", 4, from_width=60))
    assert fit_columns(columns, 50) == [(columns[0], 15), (columns[1], 5), (columns[2], 22)]  # 42 + padding + scrollbar
    fitted = dict((column.key, width) for column, width in fit_columns(columns, 200))
    assert fitted["a"] == 20 and fitted["d"] == 4 and sum(fitted.values()) + 4 * 2 + 2 == 200
    assert [width for _column, width in fit_columns(columns, 10)] == [10, 5, 10]  # too narrow: the least


# -- snapshots: every screen, three sizes, both languages --------------------------------------


async def _queue(pilot):
    await settle(pilot)


async def _call(pilot):
    await take_next(pilot)
    await pilot.press("1")
    await pilot.pause()


async def _outcome(pilot):
    await take_next(pilot)
    await pilot.press("1", "1", "o")
    await pilot.pause()


async def _callback(pilot):
    await take_next(pilot)
    await pilot.press("o", "c")
    await pilot.pause()
    await pilot.press("2")
    await pilot.pause()


async def _schedule(pilot):
    await open_screen(pilot, "b", ScheduleScreen)


SCREENS = {"queue": _queue, "call": _call, "outcome_picker": _outcome, "callback_picker": _callback,
           "schedule": _schedule}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
@pytest.mark.parametrize("screen", list(SCREENS))
def test_snapshot(snap_compare, demo_store, screen, size, language):
    caller = "tess" if screen == "schedule" else "anne"  # the team lead's schedule: every column and key
    assert snap_compare(app_in(demo_store, language, caller=caller), terminal_size=size,
                        run_before=SCREENS[screen])
