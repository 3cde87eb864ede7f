"""Alembic's environment script: runs the migrations on the connection that service.migrations
hands over, inside the transaction that holds its migration lock.

Only that way of running is supported (no alembic.ini, no offline SQL): `newsbrief db ...`
and the service's start-up are the entry points. There is no target metadata either: the
tests compare the migrated schema with the models (tests/service/test_migrations.py).
"""

from alembic import context

context.configure(connection=context.config.attributes["connection"])
with context.begin_transaction():
    context.run_migrations()
