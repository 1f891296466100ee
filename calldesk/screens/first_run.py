"""The first screen of a new, empty desk: who you are, and how leads get in.

Shown over the queue when the store has no leads yet (a plain `calldesk` after trying the
demo opens the default store, which is new). A desk without a team lead offers `t`: the
first team lead may make themselves one (as `calldesk caller add NAME --role team_lead`).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Header, Static

from calldesk.db.team import list_callers, save_caller
from calldesk.i18n import N_, _
from calldesk.rules.kinds import Role
from calldesk.screens.base import DeskApp, DeskScreen, desk_work, help_key
from calldesk.screens.keys import KeysFooter


class FirstRun(DeskScreen[str | None]):
    """Dismissed with "add" when the caller pressed a (the queue opens the lead form), else None."""

    DEFAULT_CSS = """
    FirstRun > VerticalScroll {
        align-horizontal: center;
    }
    FirstRun #first-run {
        width: 76;
        max-width: 100%;
        height: auto;
        padding: 1 2;
        border: round $primary;
        background: $panel;
    }
    FirstRun .title {
        text-style: bold;
        margin-bottom: 1;
    }
    FirstRun .part {
        margin-bottom: 1;
    }
    FirstRun #who.-team-lead {
        color: $success;
    }
    """
    BINDINGS = [
        Binding("t", "team_lead", N_("Become team lead"), id="first_run.team_lead"),
        Binding("a", "add_lead", N_("Add lead"), id="first_run.add"),
        Binding("enter,escape", "queue", N_("To the queue"), id="first_run.queue", show=False),  # the hint says it
        help_key("first_run"),
    ]

    def __init__(self, lead_wanted: bool) -> None:
        """lead_wanted: the desk has no team lead yet, so `t` is offered."""
        super().__init__()
        self.lead_wanted = lead_wanted

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(), Vertical(id="first-run"):
            yield Static(_("Welcome to calldesk: this desk has no leads yet"), classes="title", markup=False)
            yield Static(self._who(), id="who", classes="part", markup=False)
            yield Static("\n".join((
                _("Leads get in two ways:"),
                "  calldesk import " + _("FILE"),
                "      " + _("a CSV export of your CRM, in a terminal"),
                "  a   " + _("add a lead by hand, here"))), classes="part", markup=False)
            yield Static(_("Enter or Escape: to the queue"), classes="hint", markup=False)
        yield KeysFooter()

    def _who(self) -> str:
        me = _("You are {caller} (--caller, CALLDESK_CALLER or your login name).").format(caller=self.app.caller)
        if self.lead_wanted:
            return "\n".join((me, _("This desk has no team lead yet:"),
                              "  t   " + _("become its team lead: assign leads and add callers")))
        if self.app.team_lead:
            return me + "\n" + _("You are this desk's team lead.")
        return me

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "team_lead":
            return self.lead_wanted  # hidden once the desk has one
        return True

    def action_team_lead(self) -> None:
        self.become_team_lead()

    @desk_work(group="first-run", exclusive=True)
    def become_team_lead(self) -> None:
        app = self.app
        me, _new = save_caller(app.store, app.caller, by=app.caller, now=app.now(), role=Role.team_lead)
        app.call_from_thread(self._became_team_lead, me)

    def _became_team_lead(self, me) -> None:  # noqa: ANN001 - CallerInfo
        self.app.me = me
        self.lead_wanted = False
        who = self.query_one("#who", Static)
        who.update(self._who())
        who.add_class("-team-lead")
        self.refresh_bindings()
        self.notify(_("You are now the team lead of this desk"))

    def action_add_lead(self) -> None:
        self.dismiss("add")

    def action_queue(self) -> None:
        self.dismiss(None)


def lead_wanted(callers: list) -> bool:  # noqa: ANN001 - CallerInfo
    """A desk without an active team lead: its first one may step up."""
    return not any(caller.is_team_lead for caller in callers)


def desk_is_new(app: DeskApp) -> tuple[bool, bool]:
    """(no leads yet, no team lead yet), read in a worker."""
    from calldesk.db.leads import has_leads

    return not has_leads(app.store), lead_wanted(list_callers(app.store))
