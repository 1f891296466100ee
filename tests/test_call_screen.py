"""The call, driven with Pilot on the demo store: script, outcomes, callbacks, undo, backing out."""

import time
from datetime import timedelta

import sqlalchemy as sa
from textual.widgets import Static, TextArea

from calldesk.db.leads import lead_detail
from calldesk.db.models import Activity, Callback, Lead
from calldesk.errors import CalldeskError
from calldesk.screens import call as call_module
from calldesk.screens.call import CallScreen
from calldesk.screens.lead_form import LeadForm
from calldesk.screens.modals import Confirm, OutcomePicker
from calldesk.screens.queue import QueueScreen
from calldesk.screens.when_picker import WhenPicker
from tests.conftest import NOW, orm
from tests.pilot import make_app, settle, take_next, text_of
from tests.stored import claims


def lead(store, lead_id):
    with orm(store) as session:
        return session.get(Lead, lead_id)


async def test_n_bant_answers_then_appointment_makes_an_opportunity(demo_store):
    app = make_app(demo_store)
    async with app.run_test(size=(140, 40)) as pilot:
        lead_id = await take_next(pilot)
        assert claims(demo_store) == {lead_id: "anne"}
        # Budget yes, authority decision-maker, need yes, timing within 3 months.
        await pilot.press("1", "1", "1", "2")
        assert app.screen.panel.verdict.qualified
        await pilot.press("tab", *"demo next week", "escape")
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, OutcomePicker)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, WhenPicker)
        await pilot.press("2", "tab", "tab", *"with Piet", "enter")  # tomorrow at the start of calling hours
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        stored = lead(demo_store, lead_id)
        assert (stored.stage, stored.claimed_by, stored.last_outcome) == ("opportunity", None, "appointment")
        detail = lead_detail(demo_store, lead_id)
        assert detail.bant == {"budget": "yes", "authority": "decision_maker", "need": "yes", "timing": "3m"}
        call = detail.calls[0]
        assert (call.caller, call.notes) == ("anne", "demo next week\nAppointment: with Piet")
        assert call.appointment_at > NOW
        # The queue shows the next lead, not this one.
        assert app.screen.entries and lead_id not in [e.lead_id for e in app.screen.entries]


async def test_no_answer_then_undo_reopens_the_lead_exactly_as_it_was(demo_store):
    app = make_app(demo_store)
    async with app.run_test(size=(140, 40)) as pilot:
        lead_id = await take_next(pilot)
        before = lead(demo_store, lead_id)
        await pilot.press("o", "n")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        assert lead(demo_store, lead_id).attempts == before.attempts + 1
        await pilot.press("u")
        await settle(pilot)
        assert isinstance(app.screen, CallScreen) and app.screen.lead_id == lead_id
        after = lead(demo_store, lead_id)
        for column in ("stage", "attempts", "no_answer_streak", "next_call_at", "warmth", "warmth_reasons",
                       "last_outcome", "last_called_at"):
            assert getattr(after, column) == getattr(before, column), column
        assert claims(demo_store) == {lead_id: "anne"}


async def test_undo_reopens_the_call_with_what_was_typed_on_it(demo_store):
    """Undo takes back the outcome, not the caller's work: the notes and answers of the undone
    call come back on the reopened call, which then counts as having typed data."""
    app = make_app(demo_store)
    async with app.run_test(size=(140, 40)) as pilot:
        lead_id = await take_next(pilot)
        screen = app.screen
        await pilot.press("1", "up", "m", *"cash", "enter")  # budget, then back to it for a note
        await pilot.press("tab", *"send the brochure", "escape")
        typed = dict(screen.panel.answers)
        assert typed["budget"].note == "cash"
        await pilot.press("o", "n")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        await pilot.press("u")
        await settle(pilot)
        assert app.screen is screen and screen.lead_id == lead_id
        assert screen.panel.answers == typed and screen.notes() == "send the brochure"
        assert screen.panel.current != "budget"  # on at the first question still open
        await pilot.press("o", "n")  # recorded again: with the same notes and answers
        await settle(pilot)
        detail = lead_detail(demo_store, lead_id)
        assert detail.calls[0].notes == "send the brochure" and detail.bant["budget"] == typed["budget"].value


async def test_callback_for_tomorrow_for_the_team(demo_store):
    app = make_app(demo_store)
    async with app.run_test(size=(140, 40)) as pilot:
        lead_id = await take_next(pilot)
        await pilot.press("o", "c")
        await settle(pilot)
        assert isinstance(app.screen, WhenPicker)
        await pilot.press("ctrl+t", "2", "enter")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        with orm(demo_store) as session:
            made = session.scalars(sa.select(Callback).where(Callback.lead_id == lead_id, Callback.status == "open",
                                                             Callback.created_by == "anne")).one()
        assert made.caller is None and made.due_at > NOW + timedelta(hours=12)


async def test_qualified_without_the_rule_asks_and_says_what_is_missing(demo_store):
    app = make_app(demo_store)
    async with app.run_test(size=(140, 40)) as pilot:
        lead_id = await take_next(pilot)
        stage = lead(demo_store, lead_id).stage
        await pilot.press("down", "down", "3")  # need: no
        await pilot.press("o", "h")
        await settle(pilot)
        assert isinstance(app.screen, Confirm) and "no need" in app.screen.detail
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, CallScreen) and lead(demo_store, lead_id).stage == stage
        await pilot.press("o", "h", "y")
        await settle(pilot)
        assert lead(demo_store, lead_id).stage in ("hot_lead", "opportunity", "customer")


async def test_do_not_call_from_the_picker(demo_store):
    app = make_app(demo_store)
    async with app.run_test(size=(140, 40)) as pilot:
        lead_id = await take_next(pilot)
        await pilot.press("o", "d")
        await settle(pilot)
        stored = lead(demo_store, lead_id)
        assert (stored.stage, stored.lost_reason) == ("lost", "do not call")
        assert lead_id not in [e.lead_id for e in app.screen.entries]


async def test_escape_with_answers_asks_first_and_nothing_is_lost(demo_store):
    app = make_app(demo_store)
    async with app.run_test(size=(140, 40)) as pilot:
        lead_id = await take_next(pilot)
        calls_before = len(lead_detail(demo_store, lead_id, calls=100).calls)
        await pilot.press("1")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, Confirm)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, CallScreen) and app.screen.panel.answers["budget"].value == "yes"
        await pilot.press("tab", *"note", "escape")  # Escape in the notes leaves the notes only
        await settle(pilot)
        assert isinstance(app.screen, CallScreen) and not app.screen.query_one(TextArea).has_focus
        await pilot.press("q", "ctrl+q")  # no quitting mid-call: nothing typed is lost that way
        await settle(pilot)
        assert isinstance(app.screen, CallScreen) and app.is_running
        await pilot.press("escape", "y")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen) and claims(demo_store) == {}
        assert len(lead_detail(demo_store, lead_id, calls=100).calls) == calls_before  # nothing recorded


async def test_a_failed_save_keeps_the_call_on_screen(demo_store, monkeypatch):
    def broken(*args, **kwargs):
        raise CalldeskError("the store is read-only")

    monkeypatch.setattr(call_module, "record_outcome", broken)
    app = make_app(demo_store)
    async with app.run_test(size=(140, 40)) as pilot:
        lead_id = await take_next(pilot)
        await pilot.press("1", "tab", *"keep me")
        await pilot.press("escape", "o", "i")
        await settle(pilot)
        assert isinstance(app.screen, CallScreen)
        assert app.screen.notes() == "keep me" and app.screen.panel.answers["budget"].value == "yes"
        assert claims(demo_store) == {lead_id: "anne"}
        assert any("not recorded: the store is read-only" in n.message for n in app._notifications)


async def test_log_an_email_and_edit_the_lead_during_the_call(demo_store):
    app = make_app(demo_store)
    async with app.run_test(size=(140, 40)) as pilot:
        lead_id = await take_next(pilot)
        await pilot.press("l")
        await settle(pilot)
        await pilot.press("e", *"prijslijst", "enter")
        await settle(pilot)
        with orm(demo_store) as session:
            act = session.scalars(sa.select(Activity).where(Activity.lead_id == lead_id)).one()
        assert (act.kind, act.note, act.caller) == ("email", "prijslijst", "anne")
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, LeadForm)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, CallScreen)


async def test_a_wrong_number_is_found_with_the_filter_and_fixed_with_e(demo_store):
    """`w` takes a lead out of the queue until someone corrects its number with `e`: the `/`
    filter finds it again (marked "fix number"), Enter opens it, `e` fixes it, and it returns."""
    from textual.widgets import Input

    from calldesk.db.queue import queue
    from calldesk.rules.config import Config

    app = make_app(demo_store)
    async with app.run_test(size=(140, 40)) as pilot:
        lead_id = await take_next(pilot)
        company = lead(demo_store, lead_id).company
        await pilot.press("o", "w")
        await settle(pilot)
        assert lead(demo_store, lead_id).phone_bad and lead_id not in [e.lead_id for e in app.screen.entries]
        await pilot.press("slash", *company, "enter")
        await settle(pilot)
        found = [e for e in app.screen.entries if e.lead_id == lead_id]
        assert found and found[0].next_action == "fix number"
        table = app.screen.query_one("#queue")
        table.move_cursor(row=app.screen.entries.index(found[0]))
        table.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CallScreen) and app.screen.lead_id == lead_id
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, LeadForm)
        form.query_one("#field-phone", Input).value = "06-19998877"
        await pilot.press("ctrl+s")
        await settle(pilot)
        fixed = lead(demo_store, lead_id)
        assert not fixed.phone_bad and fixed.phone_e164 == "+31619998877"
        await pilot.press("escape")  # back to the queue: the lead is callable again
        await settle(pilot)
        await pilot.press("escape")  # the filter off
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen) and claims(demo_store) == {}
    # Offered again once the hour after a contact has passed (as any lead just called).
    later = queue(demo_store, "anne", NOW + timedelta(hours=2), Config(), limit=400).entries
    assert lead_id in [e.lead_id for e in later if not e.phone_bad]


async def test_quitting_during_a_call_says_how_to_leave_it(demo_store):
    app = make_app(demo_store)
    async with app.run_test(size=(140, 40)) as pilot:
        await take_next(pilot)
        for key in ("ctrl+q", "q"):
            app._notifications.clear()
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, CallScreen) and app.is_running
            assert any("leave it (Escape)" in str(n.message) for n in app._notifications), key


async def test_add_a_lead_from_the_queue(demo_store):
    app = make_app(demo_store)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, LeadForm)
        await pilot.press(*"Nieuw BV", "tab", "tab", "tab", *"06-19998877", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        with orm(demo_store) as session:
            added = session.scalars(sa.select(Lead).where(Lead.phone_e164 == "+31619998877")).one()
        assert (added.company, added.source) == ("Nieuw BV", "manual")


def test_snapshot_call_screen_mid_call(snap_compare, demo_store):
    async def answered(pilot):
        await take_next(pilot)
        await pilot.press("1", "2")

    assert snap_compare(make_app(demo_store), terminal_size=(140, 40), run_before=answered)


def test_snapshot_outcome_picker(snap_compare, demo_store):
    async def picking(pilot):
        await take_next(pilot)
        await pilot.press("1", "1", "1", "2", "o")
        await settle(pilot)

    assert snap_compare(make_app(demo_store), terminal_size=(140, 40), run_before=picking)


async def test_the_question_before_leaving_is_readable(demo_store):
    app = make_app(demo_store)
    async with app.run_test(size=(100, 30)) as pilot:
        await take_next(pilot)
        await pilot.press("1", "escape")
        await settle(pilot)
        assert isinstance(app.screen, Confirm)
        texts = {str(s.render()): s.region.width for s in app.screen.query(Static)}
        question = "Leave this call without an outcome?"
        assert texts[question] >= len(question)  # the box once collapsed to an empty frame
        assert all(width > 0 for width in texts.values())


def slowed(monkeypatch, name, seconds=0.3):
    real = getattr(call_module, name)

    def slow(*args, **kwargs):
        time.sleep(seconds)
        return real(*args, **kwargs)

    monkeypatch.setattr(call_module, name, slow)


async def test_escape_twice_while_the_lead_is_released_goes_back_once(demo_store, monkeypatch):
    slowed(monkeypatch, "release_claim")
    app = make_app(demo_store)
    async with app.run_test(size=(140, 40)) as pilot:
        await take_next(pilot)
        await pilot.press("escape", "escape", "o")
        await settle(pilot)
        assert [type(s) for s in app.screen_stack][1:] == [QueueScreen]  # not a blank screen
        assert claims(demo_store) == {}


async def test_escape_while_the_outcome_saves_closes_nothing_else(demo_store, monkeypatch):
    slowed(monkeypatch, "record_outcome")
    app = make_app(demo_store)
    async with app.run_test(size=(140, 40)) as pilot:
        lead_id = await take_next(pilot)
        await pilot.press("1", "o", "i", "escape")
        await settle(pilot)
        # The save closed the call (not a "leave?" question the Escape opened over it).
        assert [type(s) for s in app.screen_stack][1:] == [QueueScreen]
        assert lead(demo_store, lead_id).last_outcome == "interested" and claims(demo_store) == {}


async def test_a_modal_still_open_when_the_call_closes_goes_with_it(demo_store, monkeypatch):
    # Long enough that ctrl+p surely lands while saving, even on a loaded machine (at 0.3 s a
    # busy CI saw the palette open after the call had closed: right, but not what is tested).
    slowed(monkeypatch, "record_outcome", seconds=1.5)
    app = make_app(demo_store)
    async with app.run_test(size=(140, 40)) as pilot:
        await take_next(pilot)
        await pilot.press("o", "n", "ctrl+p")  # the command palette opens while the outcome saves
        assert CallScreen in [type(s) for s in app.screen_stack]  # the save is still running
        await settle(pilot)
        assert [type(s) for s in app.screen_stack][1:] == [QueueScreen]


async def test_a_store_error_on_release_or_renew_does_not_end_the_app(demo_store, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("server closed the connection")

    monkeypatch.setattr(call_module, "release_claim", broken)
    monkeypatch.setattr(call_module, "renew_claim", broken)
    app = make_app(demo_store)
    async with app.run_test(size=(140, 40)) as pilot:
        await take_next(pilot)
        app.screen.renew()
        await settle(pilot)
        assert isinstance(app.screen, CallScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        messages = [n.message for n in app._notifications]
        assert any("Could not renew" in m for m in messages) and any("Could not release" in m for m in messages)


async def test_the_apps_timer_renews_the_open_calls_claim(demo_store, monkeypatch):
    renewed = []
    monkeypatch.setattr(call_module, "renew_claim", lambda store, lead_id, *rest: renewed.append(lead_id) or True)
    app = make_app(demo_store)
    async with app.run_test(size=(140, 40)) as pilot:
        app.renew_calls()  # no call open: nothing to renew
        await settle(pilot)
        lead_id = await take_next(pilot)
        app.renew_calls()
        await settle(pilot)
        assert renewed == [lead_id]


async def test_calls_left_do_not_stay_in_memory(demo_store, monkeypatch):
    """Calls must not pile up: a caller opens a hundred a day. The app keeps one call screen
    for them all (a new screen per call stayed in memory: Textual keeps removed widgets as
    watchers of the app's theme and title until they change)."""
    import gc
    import weakref

    made: list[weakref.ref] = []  # every call screen of this test (other tests' apps may live on)
    real_init = CallScreen.__init__

    def tracked(self, *args, **kwargs):
        real_init(self, *args, **kwargs)
        made.append(weakref.ref(self))

    monkeypatch.setattr(CallScreen, "__init__", tracked)
    app = make_app(demo_store)
    async with app.run_test(size=(140, 40)) as pilot:
        for _ in range(3):
            await take_next(pilot)
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(app.screen, QueueScreen)
        app.prune_watchers()  # what the queue's refresh does after every call and every 30 s
        gc.collect()
        assert [ref() for ref in made if ref() is not None] == [app._kept_call]  # three calls, one screen


async def test_a_call_screen_of_its_own_is_freed_when_it_closes(demo_store, monkeypatch):
    """A lead the claim's worker could not load gets a screen of its own, which loads the
    lead itself; once closed (backed out, or the lead gone meanwhile) it must not stay."""
    import gc
    import weakref

    from textual.worker import get_current_worker

    from calldesk.db.privacy import erase
    from calldesk.screens import queue as queue_module

    made: list[weakref.ref] = []
    real_init = CallScreen.__init__

    def tracked(self, *args, **kwargs):
        real_init(self, *args, **kwargs)
        made.append(weakref.ref(self))

    vanish: list[bool] = []  # whether the next lead taken is erased before its load
    taken: list[int] = []

    def not_loaded(store, lead_id, **kwargs):
        if get_current_worker().group != "claim":  # the queue's detail panel
            return lead_detail(store, lead_id, **kwargs)
        taken.append(lead_id)
        if vanish:
            phone = lead(store, lead_id).phone_e164
            erase(store, phone, by="tess", now=NOW, region="NL")
        return None  # as if the lead were gone: the screen loads it again itself

    monkeypatch.setattr(CallScreen, "__init__", tracked)
    monkeypatch.setattr(queue_module, "lead_detail", not_loaded)
    app = make_app(demo_store)
    async with app.run_test(size=(140, 40)) as pilot:
        first = await take_next(pilot)  # still there: the screen of its own shows it
        screen = app.screen
        assert screen.detail is not None and screen.detail.lead.id == first and app._kept_call is None
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen) and claims(demo_store) == {}
        vanish.append(True)
        await settle(pilot)
        await pilot.press("n")  # erased between the claim and the load: the screen closes itself
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen) and claims(demo_store) == {}
        assert len(made) == 2 and len(taken) == 2 and lead(demo_store, taken[1]) is None
        assert any("no longer exists" in str(n.message) for n in app._notifications)
        del screen
        # A closed screen is removed by messages of its own: let them run (a busy machine takes
        # longer than a second; a leak never gets there).
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            app.prune_watchers()
            gc.collect()
            if all(ref() is None for ref in made):
                break
            await pilot.pause(0.05)
        assert [ref() for ref in made if ref() is not None] == []


async def test_the_next_call_starts_clean_on_the_kept_screen(demo_store, monkeypatch):
    """The call screen is reused: nothing of the last call may show on the next one."""
    clock = [0.0]
    app = make_app(demo_store)
    app.ticks = lambda: clock[0]
    async with app.run_test(size=(140, 40)) as pilot:
        first = await take_next(pilot)
        screen = app.screen
        await pilot.press("1", "1", "up", "m", *"cash", "enter")  # budget, authority, a note on authority
        assert screen.panel.answers["authority"].note == "cash"
        await pilot.press("tab", *"call me later", "escape")  # the call's notes, and out of them
        await pilot.press("o", "n")  # no answer: the lead leaves the top of the queue
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen) and claims(demo_store) == {}
        assert lead_detail(demo_store, first).calls[0].notes == "call me later"
        clock[0] = 300.0  # five minutes on: the next call's timer starts at 00:00 again
        second = await take_next(pilot)
        assert app.screen is screen and second != first
        detail = lead_detail(demo_store, second)
        assert screen.lead_id == second and screen.detail.lead.id == second
        assert screen.panel.answers == {} and screen.panel.current == "budget" and screen.notes() == ""
        assert screen.panel.has_focus and not screen.saving and not screen.leaving
        card, bar = (text_of(screen.query_one(name, Static).content) for name in ("#card", "#call-bar"))
        assert detail.lead.company in card and detail.lead.company in bar and "00:00" in bar
        assert lead(demo_store, first).company not in card
        await pilot.press("o", "n")  # and it records on the second lead
        await settle(pilot)
        assert lead(demo_store, second).last_outcome == "no_answer" and claims(demo_store) == {}
        assert lead_detail(demo_store, second).calls[0].notes == ""


async def test_the_kept_call_screen_takes_a_theme_chosen_while_it_was_away(demo_store):
    """Shown again, the kept screen skips Textual's restyle of every widget, unless the theme
    changed meanwhile (then it must not keep the old theme's colours)."""
    from textual.color import Color

    app = make_app(demo_store)
    async with app.run_test(size=(140, 40)) as pilot:
        await take_next(pilot)
        screen = app.screen
        restyled: list[bool] = []
        whole = screen.update_node_styles
        screen.update_node_styles = lambda *args, **kwargs: (restyled.append(True), whole(*args, **kwargs))[1]
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        await take_next(pilot)  # same theme: no whole restyle, same colours
        assert app.screen is screen and restyled == []
        old = screen.styles.background
        assert old == Color.parse(app.get_css_variables()["background"])
        await pilot.press("escape")
        await settle(pilot)
        app.theme = "textual-light" if app.theme != "textual-light" else "nord"
        await pilot.pause()
        await take_next(pilot)
        assert app.screen is screen and restyled
        assert screen.styles.background == Color.parse(app.get_css_variables()["background"]) != old


async def test_the_footer_greys_keys_while_saving_and_shows_them_on_the_next_call(demo_store, monkeypatch):
    from textual.widgets._footer import FooterKey

    slowed(monkeypatch, "record_outcome", seconds=0.5)
    app = make_app(demo_store)

    def greyed() -> set[str]:
        return {key.key for key in app.screen.query(FooterKey) if key.has_class("-disabled")}

    async with app.run_test(size=(140, 40)) as pilot:
        await take_next(pilot)
        assert greyed() == set() and "q" not in {key.key for key in app.screen.query(FooterKey)}
        await pilot.press("o", "n")
        await pilot.pause(0.1)
        assert {"o", "e", "l", "escape"} <= greyed()  # while the outcome saves
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen) and "q" in {key.key for key in app.screen.query(FooterKey)}
        await take_next(pilot)
        assert greyed() == set()


async def test_the_lead_comes_with_the_claim(demo_store, monkeypatch):
    """n and Enter load the lead in the claim's worker: the call screen composes with it and
    starts no second load (one worker round less before the caller sees the lead)."""
    loads = []
    monkeypatch.setattr(CallScreen, "load", lambda self: loads.append(self.lead_id))
    app = make_app(demo_store)
    async with app.run_test(size=(140, 40)) as pilot:
        lead_id = await take_next(pilot)
        screen = app.screen
        assert loads == [] and screen.detail is not None and screen.detail.lead.id == lead_id
        assert screen.panel is not None and screen.panel.has_focus
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CallScreen) and app.screen.detail is not None and loads == []
