"""The tables, once: every db module writes its SQL against these (Core: `tables.leads.c.id`).

The models (calldesk.db.models) define them and the migrations follow the models; the db
modules read and write through the tables, not the model classes, so a column is typed as a
column (`Lead.id == x` is a bool to a type checker) and no ORM session is needed.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import SQLModel

from calldesk.db import models


def _table(model: type[SQLModel]) -> sa.Table:
    """The model's table (SQLModel sets `__table__` at runtime; type checkers don't see it)."""
    table = vars(model)["__table__"]
    assert isinstance(table, sa.Table)
    return table


activities = _table(models.Activity)
bant_answers = _table(models.BantAnswer)
call_requests = _table(models.CallRequest)
callbacks = _table(models.Callback)
campaign_callers = _table(models.CampaignCaller)
campaigns = _table(models.Campaign)
callers = _table(models.Caller)
calls = _table(models.Call)
clients = _table(models.Client)
import_runs = _table(models.ImportRun)  # "imports"
leads = _table(models.Lead)
meta = _table(models.Meta)
signals = _table(models.Signal)
stage_changes = _table(models.StageChange)
suppression = _table(models.Suppression)
window_keys = _table(models.WindowKey)
