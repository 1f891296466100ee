"""phone extensions on leads; callbacks get an iCalendar revision and closed stamp; a per-store id for .ics UIDs

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('leads') as batch:
        batch.add_column(sa.Column('phone_extension', sqlmodel.sql.sqltypes.AutoString(), server_default='', nullable=False))
    with op.batch_alter_table('callbacks') as batch:
        batch.add_column(sa.Column('closed_seen_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column('revision', sa.Integer(), server_default='0', nullable=False))
    # Once per store: two stores' calendars in one calendar app never share a UID.
    meta = sa.table('meta', sa.column('key', sa.String()), sa.column('value', sa.String()))
    op.execute(meta.insert().values(key='store_id', value=uuid.uuid4().hex[:12]))


def downgrade() -> None:
    op.execute("DELETE FROM meta WHERE key = 'store_id'")
    with op.batch_alter_table('callbacks') as batch:
        batch.drop_column('revision')
        batch.drop_column('closed_seen_at')
    with op.batch_alter_table('leads') as batch:
        batch.drop_column('phone_extension')
