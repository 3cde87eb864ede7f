"""Owners: the API key (its digest) a job or a fetch was made under, and the keys each stored
briefing was made or found for, so that with API keys one caller does not read another's.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# "sha256:" and 64 hex digits (service/settings.py's api_key_digest).
OWNER = sa.String(71)


def upgrade() -> None:
    op.add_column("jobs", sa.Column("owner", OWNER, nullable=True))
    op.add_column("fetches", sa.Column("owner", OWNER, nullable=True))
    op.create_table(
        "briefing_owners",
        sa.Column("briefing_id", sa.String(32), nullable=False),
        sa.Column("owner", OWNER, nullable=False),
        sa.ForeignKeyConstraint(["briefing_id"], ["briefings.id"]),
        sa.PrimaryKeyConstraint("briefing_id", "owner"),
    )


def downgrade() -> None:
    op.drop_table("briefing_owners")
    # SQLite cannot drop a column of a table with constraints in place: batch mode copies the table.
    with op.batch_alter_table("fetches") as batch:
        batch.drop_column("owner")
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("owner")
