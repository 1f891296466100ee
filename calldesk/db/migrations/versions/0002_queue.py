"""queue: stored warmth and reasons, claims, recycling state, window keys

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The queue's order: warmest first, then least recently called (never called first).
QUEUE_INDEX = "ix_leads_queue"


def upgrade() -> None:
    op.create_table(
        "meta",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("value", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_meta")),
    )
    op.create_table(
        "window_keys",
        sa.Column("time_zone", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("country", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("time_zone", "country", name=op.f("pk_window_keys")),
    )
    op.execute("INSERT INTO window_keys (time_zone, country) "
               "SELECT DISTINCT COALESCE(time_zone, ''), country FROM leads")
    op.execute("UPDATE leads SET warmth = 0 WHERE warmth IS NULL")
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.add_column(sa.Column("warmth_reasons", sqlmodel.sql.sqltypes.AutoString(), server_default="[]", nullable=False))
        batch_op.add_column(sa.Column("no_answer_streak", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("unreachable", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("claimed_by", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column("claim_expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.alter_column("warmth", existing_type=sa.INTEGER(), nullable=False, server_default="0")
        # Most leads have no owner and no claim: index only the rows that have one.
        batch_op.drop_index("ix_leads_owner")
        batch_op.create_index("ix_leads_owner", ["owner"], unique=False,
                              sqlite_where=sa.text("owner IS NOT NULL"), postgresql_where=sa.text("owner IS NOT NULL"))
        batch_op.create_index("ix_leads_claimed_by", ["claimed_by"], unique=False,
                              sqlite_where=sa.text("claimed_by IS NOT NULL"),
                              postgresql_where=sa.text("claimed_by IS NOT NULL"))
    with op.batch_alter_table("callbacks", schema=None) as batch_op:
        batch_op.create_index("ix_callbacks_status_due_at", ["status", "due_at"], unique=False)
    with op.batch_alter_table("signals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_signals_at"), ["at"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE INDEX {QUEUE_INDEX} ON leads (warmth DESC, last_called_at ASC NULLS FIRST, id)")
    else:  # SQLite sorts NULLs first in ASC already, and rejects NULLS FIRST in an index
        op.execute(f"CREATE INDEX {QUEUE_INDEX} ON leads (warmth DESC, last_called_at ASC, id)")


def downgrade() -> None:
    op.drop_index(QUEUE_INDEX, table_name="leads")
    with op.batch_alter_table("signals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signals_at"))
    with op.batch_alter_table("callbacks", schema=None) as batch_op:
        batch_op.drop_index("ix_callbacks_status_due_at")
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.drop_index("ix_leads_claimed_by")
        batch_op.drop_index("ix_leads_owner")
        batch_op.create_index("ix_leads_owner", ["owner"], unique=False)
        batch_op.alter_column("warmth", existing_type=sa.INTEGER(), nullable=True, server_default=None)
        batch_op.drop_column("claim_expires_at")
        batch_op.drop_column("claimed_by")
        batch_op.drop_column("unreachable")
        batch_op.drop_column("no_answer_streak")
        batch_op.drop_column("warmth_reasons")
    op.drop_table("window_keys")
    op.drop_table("meta")
