"""decision fields the caseload reads, as columns: where backward steps may happen after and
before the decision, and its first reason (reading them out of each `json` document cost the
caseload most of its database time)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

decisions = sa.table(
    "progression_decisions",
    sa.column("id", sa.Integer()),
    sa.column("document", sa.JSON()),
    sa.column("setting_limit", sa.String()),
    sa.column("setting_limit_before", sa.String()),
    sa.column("first_reason", sa.Text()),
)


def upgrade() -> None:
    with op.batch_alter_table("progression_decisions") as batch:
        batch.add_column(sa.Column("setting_limit", sa.String(length=30), nullable=True))
        batch.add_column(sa.Column("setting_limit_before", sa.String(length=30), nullable=True))
        batch.add_column(sa.Column("first_reason", sa.Text(), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(sa.select(decisions.c.id, decisions.c.document)).all()
    for decision_id, document in rows:
        bind.execute(
            decisions.update().where(decisions.c.id == decision_id).values(**fields(document))
        )


def fields(document: dict[str, Any]) -> dict[str, Any]:
    """The columns of a kept decision, from its document (older documents may lack some)."""
    reasons = document.get("reasons") or [None]
    return {
        "setting_limit": document.get("setting_limit"),
        "setting_limit_before": (document.get("inputs") or {}).get("setting_limit_before"),
        "first_reason": reasons[0],
    }


def downgrade() -> None:
    with op.batch_alter_table("progression_decisions") as batch:
        batch.drop_column("first_reason")
        batch.drop_column("setting_limit_before")
        batch.drop_column("setting_limit")
