"""Drop jobs.total: written once per job and never read (a job's clusters are counted).

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # SQLite cannot drop a column of a table with constraints in place: batch mode copies the
    # table without it (elsewhere it is a plain ALTER TABLE).
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("total")


def downgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("total", sa.Integer(), nullable=True))
    jobs = sa.table("jobs", sa.column("id"), sa.column("total"))
    clusters = sa.table("job_clusters", sa.column("job_id"))
    counted = sa.select(sa.func.count()).where(clusters.c.job_id == jobs.c.id).scalar_subquery()
    op.execute(jobs.update().values(total=counted))
    with op.batch_alter_table("jobs") as batch:
        batch.alter_column("total", existing_type=sa.Integer(), nullable=False)
