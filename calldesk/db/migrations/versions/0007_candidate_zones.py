"""a lead's zone text holds every zone its number could be in (space-separated), not None

Leads stored before had no zone (None) when their number spanned zones (a US mobile, a UK
mobile, a Kazakh one); they are recomputed from the number, and their (zone, country) pairs
added to window_keys. Leads with one zone keep it.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from calldesk.rules.phones import zones_for

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 5000


def upgrade() -> None:
    conn = op.get_bind()
    leads = sa.table("leads", sa.column("id", sa.Integer), sa.column("phone_e164", sa.String),
                     sa.column("country", sa.String), sa.column("time_zone", sa.String))
    keys = sa.table("window_keys", sa.column("time_zone", sa.String), sa.column("country", sa.String))
    unzoned = sa.or_(leads.c.time_zone.is_(None), leads.c.time_zone == "")
    last, pairs = 0, set()
    while True:
        rows = conn.execute(sa.select(leads.c.id, leads.c.phone_e164, leads.c.country)
                            .where(unzoned, leads.c.id > last).order_by(leads.c.id).limit(_BATCH)).all()
        if not rows:
            break
        last = rows[-1].id
        updates = []
        for row in rows:
            zone = zones_for(row.phone_e164, row.country)
            if zone:
                updates.append({"_id": row.id, "zone": zone})
                pairs.add((zone, row.country))
        if updates:
            conn.execute(sa.update(leads).where(leads.c.id == sa.bindparam("_id"))
                         .values(time_zone=sa.bindparam("zone")), updates)
    known = {tuple(row) for row in conn.execute(sa.select(keys.c.time_zone, keys.c.country))}
    new = [{"time_zone": zone, "country": country} for zone, country in sorted(pairs - known)]
    if new:
        conn.execute(sa.insert(keys), new)


def downgrade() -> None:
    # Back to the old shape: a lead of several zones had none.
    op.execute("UPDATE leads SET time_zone = NULL WHERE time_zone LIKE '% %'")
    op.execute("DELETE FROM window_keys WHERE time_zone LIKE '% %'")
    op.execute("INSERT INTO window_keys (time_zone, country) SELECT DISTINCT '', l.country FROM leads l "
               "WHERE l.time_zone IS NULL AND NOT EXISTS (SELECT 1 FROM window_keys k "
               "WHERE k.time_zone = '' AND k.country = l.country)")
