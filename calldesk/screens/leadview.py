"""How a lead reads on screen: shared by the queue's detail panel and the lead card."""

from __future__ import annotations

from datetime import datetime

from rich.console import Group
from rich.table import Table
from rich.text import Text

from calldesk.db.leads import LeadDetail
from calldesk.i18n import _, format_day, format_number, format_weekday_time, ngettext, pgettext
from calldesk.rules.outcomes import Outcome
from calldesk.rules.phones import display, kind_label, with_extension
from calldesk.rules.script import Script, builtin_script
from calldesk.rules.stages import Stage
from calldesk.rules.warmth import parse_reasons, reason_text
from calldesk.rules.windows import local_time, their_time, zones_of

CALLS_SHOWN = 10  # earlier calls on the call screen's card


def when(moment: datetime, now: datetime, zone: str | None, region: str) -> str:
    local = local_time(zone, moment, region)
    days = (local.date() - local_time(zone, now, region).date()).days
    if days == 0:
        day = _("today")
    elif days == -1:
        day = _("yesterday")
    elif days == 1:
        day = _("tomorrow")
    else:
        day = format_day(local, pad=True)
    return f"{day} {local:%H:%M}"


def lead_view(detail: LeadDetail, now: datetime, region: str, script: Script | None = None) -> Group:
    """script: whose question titles and answer labels the card shows (the built-in script of
    the UI language when not given)."""
    lead = detail.lead
    head = Text()
    head.append(lead.company or _("(no company)"), style="bold")
    head.append(f"\n{lead.contact_name or _('(no contact)')}")
    if lead.role:
        head.append(f" · {lead.role}", style="dim")
    head.append(f"\n{with_extension(display(lead.phone_e164, region), lead.phone_extension)}  "
                f"({kind_label(lead.phone_type)})")
    if len(zones_of(lead.time_zone)) > 1:  # no one zone is theirs: the span of their clocks
        head.append("\n" + _("their time {span}; called only when all are in calling hours").format(
            span=their_time((lead.time_zone, lead.country), now, region, weekday=True)), style="dim")
    else:
        local = local_time(lead.time_zone, now, region)
        head.append("\n" + _("local time {time} {zone}").format(time=format_weekday_time(local),
                                                                zone=lead.time_zone or _("zone unknown")), style="dim")
    head.append("\n" + _("stage {stage}  ·  owner {owner}").format(stage=stage_label(lead.stage),
                                                                   owner=lead.owner or _("team")))
    if lead.industry or lead.employees:
        size = company_size(lead.company_size, lead.employees)
        head.append(f"\n{lead.industry or ''}{'  ·  ' if lead.industry and size else ''}{size}", style="dim")
    parts: list = [head]

    reasons = Table.grid(padding=(0, 1))
    reasons.add_column(justify="right", style="bold")
    reasons.add_column()
    for text, points in parse_reasons(lead.warmth_reasons):
        reasons.add_row(f"{points:+d}", reason_text(text))
    parts += [Text("\n" + _("Warmth {score}").format(score=lead.warmth), style="bold"), reasons]

    if detail.bant:
        parts.append(Text("\nBANT  " + "  ".join(bant_answers(detail.bant, script or builtin_script()))))
    if detail.callbacks:
        parts.append(Text("\n" + _("Callbacks"), style="bold"))
        for cb in detail.callbacks:
            if cb.caller:
                who = cb.caller
            elif cb.released_from:
                who = _("team, was {caller}'s").format(caller=cb.released_from)
            else:
                who = _("team")
            parts.append(Text(f"  {when(cb.due_at, now, lead.time_zone, region)} ({who}) {cb.note}"))
    if detail.signals:
        parts.append(Text("\n" + _("Signals"), style="bold"))
        for signal in detail.signals[:5]:
            parts.append(Text(f"  {when(signal.at, now, lead.time_zone, region)}  "
                              f"{signal_label(signal.kind)}  {signal.detail}"))
    # One history, newest first: calls with their notes, and contact outside calls.
    history = [(call.started_at, call.caller, _outcome(call.outcome), call.notes) for call in detail.calls]
    history += [(act.at, act.caller, activity_label(act.kind), act.note) for act in detail.activities]
    if history:
        parts.append(Text("\n" + _("History"), style="bold"))
        for at, caller, what, note in sorted(history, key=lambda item: item[0], reverse=True)[:10]:
            line = f"  {when(at, now, lead.time_zone, region)}  {caller}  {what}"
            parts.append(Text(line + (f" — {note}" if note else "")))
    return Group(*parts)


def company_size(typed: str | None, employees: int | None) -> str:
    """The size as it was typed or imported ("11-50 employees"), as the form shows it too; the
    head count read from it only decides singular or plural."""
    if not employees:
        return ""
    text = (typed or "").strip()
    count = format_number(employees) if not text or text.isdigit() else text
    return ngettext("{count} employee", "{count} employees", employees).format(count=count)


def bant_answers(bant: dict[str, str], script: Script) -> list[str]:
    """"Authority: Decision-maker": the script's question titles and answer labels, as the
    caller picked them, in the script's order; never the stored values ("decision_maker")."""
    shown = []
    for question in script.questions:
        if value := bant.get(question.element):
            option = question.option(value)
            shown.append(f"{question.title}: {option.label if option else _bant_value(value)}")
    known = {question.element for question in script.questions}
    shown += [f"{_bant_element(k)}: {_bant_value(v)}" for k, v in sorted(bant.items()) if k not in known and v]
    return shown


def activity_label(kind: str) -> str:
    """Contact outside a call, as the history shows it."""
    return {"email": _("e-mail sent"), "linkedin": _("LinkedIn message")}.get(kind, kind)


def signal_label(kind: str) -> str:
    """A stored signal kind ("demo_request") as the card shows it."""
    labels = {
        "demo_request": pgettext("signal", "demo request"),
        "contact_form": pgettext("signal", "contact form"),
        "download": pgettext("signal", "download"),
        "webinar": pgettext("signal", "webinar"),
        "email_reply": pgettext("signal", "email reply"),
        "email_click": pgettext("signal", "email click"),
        "website_visit": pgettext("signal", "website visit"),
    }
    return labels.get(kind, kind.replace("_", " "))


def stage_label(value: str) -> str:
    """A stored stage value as the screens show it."""
    try:
        return Stage(value).ui_label
    except ValueError:
        return value.replace("_", " ")


def _outcome(value: str) -> str:
    try:
        return Outcome(value).ui_label
    except ValueError:
        return value.replace("_", " ")


def _bant_element(element: str) -> str:
    names = {"budget": pgettext("BANT", "budget"), "authority": pgettext("BANT", "authority"),
             "need": pgettext("BANT", "need"), "timing": pgettext("BANT", "timing")}
    return names.get(element, element)


def _bant_value(value: str) -> str:
    """A stored BANT answer ("decision_maker", "3m") that the script has no label for, in words."""
    values = {
        "yes": pgettext("BANT answer", "yes"),
        "no": pgettext("BANT answer", "no"),
        "unknown": pgettext("BANT answer", "unknown"),
        "maybe": pgettext("BANT answer", "maybe"),
        "clear": pgettext("BANT answer", "clear"),
        "approved": pgettext("BANT answer", "approved"),
        "available": pgettext("BANT answer", "available"),
        "decision_maker": pgettext("BANT answer", "decision-maker"),
        "involved": pgettext("BANT answer", "involved"),
        "now": pgettext("BANT answer", "now"),
        "none": pgettext("BANT answer", "none"),
    }
    if value in values:
        return values[value]
    if value[:-1].isdigit() and value.endswith("m"):  # months until the start: "3m"
        months = int(value[:-1])
        return ngettext("within {n} month", "within {n} months", months).format(n=months)
    return value


def lead_line(detail: LeadDetail, now: datetime, region: str, *, phone: bool = True) -> str:
    """The lead in one line, for a screen with no room for the card: who, their number, how
    warm, and the last thing that happened."""
    lead = detail.lead
    who = lead.contact_name or _("(no contact)")
    parts = [f"{who} ({lead.role})" if lead.role else who]
    if phone:
        parts.append(display(lead.phone_e164, region))
    parts.append(_("Warmth {score}").format(score=lead.warmth))
    history = [(call.started_at, _outcome(call.outcome)) for call in detail.calls]
    history += [(act.at, activity_label(act.kind)) for act in detail.activities]
    if history:
        at, what = max(history, key=lambda item: item[0])
        parts.append(f"{when(at, now, lead.time_zone, region)} {what}")
    return " · ".join(parts)
