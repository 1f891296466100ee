"""clients and campaigns: every lead belongs to a campaign; existing leads go to campaign "default"

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEFAULT = 'default'  # the client and campaign every store starts with (calldesk.db.campaigns.DEFAULT)
# 0002's queue index, by hand: SQLite's batch mode copies leads with its indexes as reflected,
# and reflection loses the DESC the queue's order needs.
QUEUE_INDEX = 'ix_leads_queue'


def upgrade() -> None:
    op.create_table('clients',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('notes', sa.Text(), server_default='', nullable=False),
    sa.Column('settings', sa.Text(), server_default='', nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clients')),
    sa.UniqueConstraint('name', name=op.f('uq_clients_name'))
    )
    op.create_table('campaigns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), server_default='active', nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=True),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('priority', sa.Integer(), server_default='0', nullable=False),
    sa.Column('settings', sa.Text(), server_default='', nullable=False),
    sa.Column('script', sa.Text(), server_default='', nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_campaigns_client_id_clients')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaigns')),
    sa.UniqueConstraint('name', name=op.f('uq_campaigns_name'))
    )
    op.create_index(op.f('ix_campaigns_client_id'), 'campaigns', ['client_id'], unique=False)
    op.create_table('campaign_callers',
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('caller', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['caller'], ['callers.name'], name=op.f('fk_campaign_callers_caller_callers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_campaign_callers_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('campaign_id', 'caller', name=op.f('pk_campaign_callers'))
    )
    op.create_index(op.f('ix_campaign_callers_caller'), 'campaign_callers', ['caller'], unique=False)

    # Every store has them, a new one too: its leads must belong somewhere from the first import.
    conn = op.get_bind()
    now = datetime.now(UTC)
    clients = sa.table('clients', sa.column('id', sa.Integer()), sa.column('name', sa.String()),
                       sa.column('created_at', sqlmodel.sql.sqltypes.UTCDateTime()))
    campaigns = sa.table('campaigns', sa.column('id', sa.Integer()), sa.column('name', sa.String()),
                         sa.column('client_id', sa.Integer()),
                         sa.column('created_at', sqlmodel.sql.sqltypes.UTCDateTime()))
    conn.execute(clients.insert().values(name=DEFAULT, created_at=now))
    client_id = conn.execute(sa.select(clients.c.id).where(clients.c.name == DEFAULT)).scalar_one()
    conn.execute(campaigns.insert().values(name=DEFAULT, client_id=client_id, created_at=now))
    campaign_id = conn.execute(sa.select(campaigns.c.id).where(campaigns.c.name == DEFAULT)).scalar_one()

    # Nullable first, filled by one UPDATE (a million leads: no statement per row), then NOT NULL.
    with op.batch_alter_table('leads', schema=None) as batch_op:
        batch_op.add_column(sa.Column('campaign_id', sa.Integer(), nullable=True))
    conn.execute(sa.text('UPDATE leads SET campaign_id = :id'), {'id': campaign_id})
    sqlite = conn.dialect.name == 'sqlite'
    if sqlite:
        op.drop_index(QUEUE_INDEX, table_name='leads')
    with op.batch_alter_table('leads', schema=None) as batch_op:
        batch_op.alter_column('campaign_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(batch_op.f('ix_leads_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_leads_campaign_id_campaigns'), 'campaigns', ['campaign_id'], ['id'])
    if sqlite:
        op.execute(f'CREATE INDEX {QUEUE_INDEX} ON leads (warmth DESC, last_called_at ASC, id)')


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == 'sqlite'
    if sqlite:
        op.drop_index(QUEUE_INDEX, table_name='leads')
    with op.batch_alter_table('leads', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_leads_campaign_id_campaigns'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_leads_campaign_id'))
        batch_op.drop_column('campaign_id')
    if sqlite:
        op.execute(f'CREATE INDEX {QUEUE_INDEX} ON leads (warmth DESC, last_called_at ASC, id)')
    op.drop_index(op.f('ix_campaign_callers_caller'), table_name='campaign_callers')
    op.drop_table('campaign_callers')
    op.drop_index(op.f('ix_campaigns_client_id'), table_name='campaigns')
    op.drop_table('campaigns')
    op.drop_table('clients')
