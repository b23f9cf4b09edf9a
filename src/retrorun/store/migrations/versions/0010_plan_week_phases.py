"""each plan's week phases as a short text column: the caseload reads where every client is in
their plan from it (reading the weeks out of each plan's `json` summary was a fifth of the
caseload's time)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

plans = sa.table(
    "plans",
    sa.column("id", sa.Integer()),
    sa.column("summary", sa.JSON()),
    sa.column("week_phases", sa.Text()),
)


def upgrade() -> None:
    with op.batch_alter_table("plans") as batch:
        batch.add_column(sa.Column("week_phases", sa.Text(), nullable=True))
    bind = op.get_bind()
    for plan_id, summary in bind.execute(sa.select(plans.c.id, plans.c.summary)).all():
        bind.execute(
            plans.update().where(plans.c.id == plan_id).values(week_phases=phases(summary))
        )
    with op.batch_alter_table("plans") as batch:
        batch.alter_column("week_phases", existing_type=sa.Text(), nullable=False)


def phases(summary: dict[str, Any]) -> str:
    """The phase of each week in order, as `core.serialize.week_phases` writes them."""
    return ",".join(str(week["phase"]) for week in summary.get("weeks") or [])


def downgrade() -> None:
    with op.batch_alter_table("plans") as batch:
        batch.drop_column("week_phases")
