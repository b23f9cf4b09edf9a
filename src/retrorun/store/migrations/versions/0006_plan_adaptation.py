"""plan adaptation: the program step each planned session holds, the plan's setting limit and
pause, and red flags reported in logs

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("planned_sessions") as batch:
        batch.add_column(sa.Column("step", sa.Integer(), nullable=True))
    with op.batch_alter_table("plans") as batch:
        batch.add_column(sa.Column("setting_limit", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("paused_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("paused_reason", sa.Text(), nullable=True))
    with op.batch_alter_table("session_logs") as batch:
        batch.add_column(sa.Column("red_flags", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("session_logs") as batch:
        batch.drop_column("red_flags")
    with op.batch_alter_table("plans") as batch:
        batch.drop_column("paused_reason")
        batch.drop_column("paused_on")
        batch.drop_column("setting_limit")
    with op.batch_alter_table("planned_sessions") as batch:
        batch.drop_column("step")
