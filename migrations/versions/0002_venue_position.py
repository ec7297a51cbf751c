"""Venue.lat and Venue.lon: positions in WGS84 degrees, NULL where the source gave none.

Revision ID: 0002
Revises: 0001
Created: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('venue', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lat', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('lon', sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('venue', schema=None) as batch_op:
        batch_op.drop_column('lon')
        batch_op.drop_column('lat')
