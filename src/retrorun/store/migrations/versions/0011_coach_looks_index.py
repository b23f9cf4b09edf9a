"""when a coach last looked at each client, from an index of their looks alone: the caseload
list records a row a day per client shown, which the lookup otherwise steps over one by one
(a year of mornings: hundreds of rows per client)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# `services.audit.CASELOAD_LIST`: the caseload list's own rows are not a look at the client.
NOT_THE_LIST = sa.text("what <> 'caseload.caseload'")


def upgrade() -> None:
    op.drop_index("ix_audit_log_actor_athlete_at", "audit_log")
    op.create_index(
        "ix_audit_log_coach_looks",
        "audit_log",
        ["actor_id", "athlete_id", "at"],
        postgresql_where=NOT_THE_LIST,
        sqlite_where=NOT_THE_LIST,
    )


def downgrade() -> None:
    op.drop_index("ix_audit_log_coach_looks", "audit_log")
    op.create_index("ix_audit_log_actor_athlete_at", "audit_log", ["actor_id", "athlete_id", "at"])
