"""SourceRun.report: every skip of a source's run with its reason (and what was capped, flagged, noted).

Revision ID: 0007
Revises: 0006
Created: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('sourcerun', schema=None) as batch_op:
        batch_op.add_column(sa.Column('report', sa.String(), server_default='', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('sourcerun', schema=None) as batch_op:
        batch_op.drop_column('report')
