"""Alembic environment: calldesk passes its own connection (see calldesk.db.engine.upgrade)."""

from alembic import context
from sqlmodel import SQLModel

from calldesk.db.models import include_in_autogenerate  # also registers the tables

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    # For developers: `alembic -x url=sqlite:///dev.db revision --autogenerate -m …`
    import sqlalchemy as sa

    connection = sa.create_engine(context.get_x_argument(as_dictionary=True)["url"]).connect()

context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=True,  # SQLite alters tables by copy-and-move
    compare_type=True,
    include_object=include_in_autogenerate,
)
with context.begin_transaction():
    context.run_migrations()
