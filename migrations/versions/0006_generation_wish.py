"""Generation.wish: the planner's reading of the request (understood, notUnderstood) and its notes.

Revision ID: 0006
Revises: 0005
Created: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('generation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('wish', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('generation', schema=None) as batch_op:
        batch_op.drop_column('wish')
