"""`calldesk demo`: a fresh store with demo leads (through the real import) and their history."""

from __future__ import annotations

import csv
import random
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from calldesk.db.campaigns import DEFAULT
from calldesk.db.engine import Store
from calldesk.db.imports import ImportSummary, import_csv
from calldesk.db.scoring import rescore
from calldesk.db.tables import bant_answers, callbacks, callers, calls, leads, signals, stage_changes, suppression
from calldesk.rules.config import Config
from calldesk.rules.demo import DEMO_HEADERS, demo_rows
from calldesk.rules.kinds import Role
from calldesk.rules.outcomes import Outcome
from calldesk.rules.stages import FUNNEL, Stage

DEMO_CALLERS = ("anne", "bram", "sanne", "daan")
# The outcome of the call that brought a lead to its stage.
_OUTCOME_FOR = {
    Stage.prospect: Outcome.interested,
    Stage.hot_lead: Outcome.qualified,
    Stage.opportunity: Outcome.appointment,
    Stage.customer: Outcome.won,
}
_SIGNALS = (("demo_request", "Demo aangevraagd via de website"),
            ("contact_form", "Contactformulier: vraag over prijzen"),
            ("download", "Whitepaper 'Slimmer plannen' gedownload"),
            ("webinar", "Webinar 'Groeien met data' bijgewoond"),
            ("email_reply", "Reageerde op de nieuwsbrief"),
            ("email_click", "Klikte op de link in de mailing"),
            ("website_visit", "Bekeek de prijzenpagina"))


def load_demo(store: Store, now: datetime, *, count: int = 300, seed: int = 7,
              config: Config | None = None, team_lead: str | None = None) -> ImportSummary:
    """Write the demo leads as an Excel-NL CSV (cp1252, ';'), import it, then add history.
    The demo callers join the desk as callers; `team_lead` (whoever opens the demo, unless
    that is one of the demo callers) joins as their team lead, to try the team lead's screens."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "demo-leads.csv"
        with path.open("w", encoding="cp1252", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=DEMO_HEADERS, delimiter=";")
            writer.writeheader()
            writer.writerows(demo_rows(count, seed))
        summary = import_csv(store, path, now=now - timedelta(days=60), by="demo", source="demo",
                             config=config, campaign=DEFAULT)
    _add_history(store, now, random.Random(seed))
    _add_callers(store, now, team_lead)
    with store.write() as conn:  # warmth from the history just written
        rescore(conn, list(conn.execute(sa.select(leads.c.id)).scalars()), now, config or Config())
    return summary


def _add_history(store: Store, now: datetime, rnd: random.Random) -> None:
    rows: dict[str, list[dict[str, Any]]] = {"signals": [], "calls": [], "stage_changes": [],
                                             "bant_answers": [], "callbacks": [], "suppression": []}
    lead_updates: list[dict[str, Any]] = []
    with store.write() as conn:
        found = conn.execute(sa.select(leads.c.id, leads.c.stage, leads.c.phone_e164).order_by(leads.c.id)).all()
        for lead_id, stage, phone in found:
            _lead_history(lead_id, Stage(stage), phone, now, rnd, rows, lead_updates)
        for table in (signals, calls, stage_changes, bant_answers, callbacks, suppression):
            if rows[table.name]:
                conn.execute(sa.insert(table), rows[table.name])
        conn.execute(
            sa.update(leads).where(leads.c.id == sa.bindparam("_id")).values(
                owner=sa.bindparam("owner"), attempts=sa.bindparam("attempts"),
                last_outcome=sa.bindparam("last_outcome"),
                last_called_at=sa.bindparam("last_called_at"),
                lost_reason=sa.bindparam("lost_reason"),
            ),
            lead_updates,
        )


def _add_callers(store: Store, now: datetime, team_lead: str | None) -> None:
    rows = [{"name": name, "role": Role.caller.value, "daily_goal": goal, "active": True, "created_at": now}
            for name, goal in zip(DEMO_CALLERS, (60, 60, 50, None), strict=True)]
    if team_lead and team_lead not in DEMO_CALLERS:
        rows.append({"name": team_lead, "role": Role.team_lead.value, "daily_goal": 20, "active": True,
                     "created_at": now})
    with store.write() as conn:
        conn.execute(sa.insert(callers), rows)


def _working_time(now: datetime, rnd: random.Random, days_back: int) -> datetime:
    """A moment on a past weekday between 08:00 and 16:00 UTC (office hours in NL)."""
    day = now - timedelta(days=rnd.randint(1, days_back))
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day.replace(hour=rnd.randint(8, 15), minute=rnd.randint(0, 59), second=0, microsecond=0)


def _lead_history(lead_id: int, stage: Stage, phone: str, now: datetime, rnd: random.Random,
                  rows: dict[str, list[dict[str, Any]]], lead_updates: list[dict[str, Any]]) -> None:
    caller = rnd.choice(DEMO_CALLERS)
    update: dict[str, Any] = {"_id": lead_id, "owner": caller if rnd.random() < 0.2 else None, "attempts": 0,
              "last_outcome": None, "last_called_at": None, "lost_reason": ""}
    lead_updates.append(update)
    warm = stage is not Stage.suspect
    for _ in range(rnd.randint(1, 3) if warm else int(rnd.random() < 0.15)):
        kind, detail = rnd.choice(_SIGNALS[:5] if warm else _SIGNALS[5:])
        rows["signals"].append({"lead_id": lead_id, "kind": kind, "detail": detail,
                                "at": now - timedelta(days=rnd.randint(0, 45), hours=rnd.randint(0, 20))})
    calls: list[tuple[datetime, Outcome]] = []
    if stage is Stage.suspect:
        if rnd.random() < 0.15:
            calls.append((_working_time(now, rnd, 10), rnd.choice((Outcome.no_answer, Outcome.busy))))
    elif stage is Stage.lost:
        outcome = rnd.choice((Outcome.not_interested, Outcome.no_fit, Outcome.do_not_call))
        calls.append((_working_time(now, rnd, 30), outcome))
        update["lost_reason"] = outcome.label
        if outcome is Outcome.do_not_call:
            rows["suppression"].append({"phone_e164": phone, "reason": "asked not to be called",
                                        "added_at": calls[-1][0], "added_by": caller})
    else:
        steps = [Outcome.no_answer] if rnd.random() < 0.5 else []
        steps += [_OUTCOME_FOR[step] for step in FUNNEL[1 : FUNNEL.index(stage) + 1]]
        # Distinct moments, in funnel order: a lead's history reads forwards.
        times = sorted({_working_time(now, rnd, 40) for _ in range(len(steps) * 3)})[: len(steps)]
        while len(times) < len(steps):
            times.append(times[-1] + timedelta(hours=1))
        calls.extend(zip(times, steps, strict=True))
    previous = Stage.suspect
    for at, outcome in calls:
        rows["calls"].append({"lead_id": lead_id, "caller": caller, "started_at": at,
                              "ended_at": at + timedelta(minutes=rnd.randint(1, 9)),
                              "outcome": outcome.value, "notes": _NOTES.get(outcome, "")})
        target = {Outcome.not_interested: Stage.lost, Outcome.no_fit: Stage.lost,
                  Outcome.do_not_call: Stage.lost}.get(outcome) or next(
            (s for s, o in _OUTCOME_FOR.items() if o is outcome), None)
        if target is not None and target is not previous:
            rows["stage_changes"].append({"lead_id": lead_id, "from_stage": previous.value,
                                          "to_stage": target.value, "at": at, "changed_by": caller,
                                          "reason": outcome.label})
            previous = target
        update.update(attempts=update["attempts"] + 1, last_outcome=outcome.value, last_called_at=at)
    if stage in (Stage.hot_lead, Stage.opportunity, Stage.customer):
        for element, value in (("budget", "yes"), ("authority", "decision_maker"),
                               ("need", "yes"), ("timing", rnd.choice(("1m", "3m", "6m")))):
            rows["bant_answers"].append({"lead_id": lead_id, "element": element, "value": value,
                                         "note": "", "call_id": None, "updated_at": calls[-1][0]})
    if stage in (Stage.prospect, Stage.hot_lead) and rnd.random() < 0.3:
        # Some overdue (yesterday), some due today, tomorrow morning or next week.
        due = now + rnd.choice((timedelta(days=-1), timedelta(hours=2), timedelta(days=1),
                                timedelta(days=6)))
        while due < now and due.weekday() >= 5:  # missed on the last working day, not on a Sunday
            due -= timedelta(days=1)
        due = due.replace(minute=0, second=0, microsecond=0)
        rows["callbacks"].append({"lead_id": lead_id, "due_at": due,
                                  "caller": caller if rnd.random() < 0.6 else None,
                                  "created_by": caller, "created_at": due - timedelta(days=2),
                                  "status": "open", "note": "Terugbellen: beslissing na overleg"})


_NOTES = {
    Outcome.no_answer: "Geen gehoor",
    Outcome.busy: "In gesprek",
    Outcome.interested: "Wil meer informatie; brochure gemaild",
    Outcome.qualified: "Budget en behoefte bevestigd, beslisser aan de lijn",
    Outcome.appointment: "Afspraak gepland met de directeur",
    Outcome.won: "Offerte getekend",
    Outcome.not_interested: "Geen interesse",
    Outcome.no_fit: "Te klein voor ons aanbod",
    Outcome.do_not_call: "Wil niet meer gebeld worden",
}
