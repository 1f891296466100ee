"""How a lead reads on screen: shared by the queue's detail panel and the lead card."""

from __future__ import annotations

from datetime import datetime

from rich.console import Group
from rich.table import Table
from rich.text import Text

from calldesk.db.leads import LeadDetail
from calldesk.phones import display
from calldesk.warmth import parse_reasons
from calldesk.windows import local_time


def when(moment: datetime, now: datetime, zone: str | None, region: str) -> str:
    local = local_time(zone, moment, region)
    days = (local.date() - local_time(zone, now, region).date()).days
    day = {0: "today", -1: "yesterday", 1: "tomorrow"}.get(days, local.strftime("%a %d %b"))
    return f"{day} {local:%H:%M}"


def lead_view(detail: LeadDetail, now: datetime, region: str) -> Group:
    lead = detail.lead
    local = local_time(lead.time_zone, now, region)
    head = Text()
    head.append(lead.company or "(no company)", style="bold")
    head.append(f"\n{lead.contact_name or '(no contact)'}")
    if lead.role:
        head.append(f" · {lead.role}", style="dim")
    head.append(f"\n{display(lead.phone_e164, region)}  ({lead.phone_type.replace('_', ' ')})")
    head.append(f"\nlocal time {local:%a %H:%M} {lead.time_zone or 'zone unknown'}", style="dim")
    head.append(f"\nstage {lead.stage.replace('_', ' ')}  ·  owner {lead.owner or 'team'}")
    if lead.industry or lead.employees:
        head.append(f"\n{lead.industry or ''}{'  ·  ' if lead.industry and lead.employees else ''}"
                    f"{f'{lead.employees} employees' if lead.employees else ''}", style="dim")
    parts: list = [head]

    reasons = Table.grid(padding=(0, 1))
    reasons.add_column(justify="right", style="bold")
    reasons.add_column()
    for text, points in parse_reasons(lead.warmth_reasons):
        reasons.add_row(f"{points:+d}", text)
    parts += [Text(f"\nWarmth {lead.warmth}", style="bold"), reasons]

    if detail.bant:
        parts.append(Text("\nBANT  " + "  ".join(f"{k}: {v}" for k, v in sorted(detail.bant.items()))))
    if detail.callbacks:
        parts.append(Text("\nCallbacks", style="bold"))
        for cb in detail.callbacks:
            who = cb.caller or (f"team, was {cb.released_from}'s" if cb.released_from else "team")
            parts.append(Text(f"  {when(cb.due_at, now, lead.time_zone, region)} ({who}) {cb.note}"))
    if detail.signals:
        parts.append(Text("\nSignals", style="bold"))
        for signal in detail.signals[:5]:
            parts.append(Text(f"  {when(signal.at, now, lead.time_zone, region)}  "
                              f"{signal.kind.replace('_', ' ')}  {signal.detail}"))
    # One history, newest first: calls with their notes, and contact outside calls.
    history = [(call.started_at, call.caller, call.outcome.replace("_", " "), call.notes) for call in detail.calls]
    history += [(act.at, act.caller, _ACTIVITY[act.kind], act.note) for act in detail.activities]
    if history:
        parts.append(Text("\nHistory", style="bold"))
        for at, caller, what, note in sorted(history, key=lambda item: item[0], reverse=True)[:10]:
            line = f"  {when(at, now, lead.time_zone, region)}  {caller}  {what}"
            parts.append(Text(line + (f" — {note}" if note else "")))
    return Group(*parts)


_ACTIVITY = {"email": "e-mail sent", "linkedin": "LinkedIn message"}
