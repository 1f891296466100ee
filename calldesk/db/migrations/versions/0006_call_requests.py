"""a call logged once: request keys of `calldesk log --request-id`

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('call_requests',
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('lead_id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=True),
    sa.Column('caller', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('outcome', sa.Enum('no_answer', 'busy', 'voicemail', 'wrong_number', 'not_interested', 'no_fit',
                                 'callback', 'interested', 'qualified', 'appointment', 'won', 'do_not_call',
                                 name='outcome', native_enum=False, length=22), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_call_requests_call_id_calls'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['lead_id'], ['leads.id'], name=op.f('fk_call_requests_lead_id_leads'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_call_requests'))
    )
    with op.batch_alter_table('call_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_call_requests_lead_id'), ['lead_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('call_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_call_requests_lead_id'))
    op.drop_table('call_requests')
