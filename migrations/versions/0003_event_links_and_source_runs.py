"""From main: EventLink (another source's listing of an event), SourceRun (one run of a source), and the
generation's refinement columns (parent_id, refinement, owner_token_hash).

Revision ID: 0003
Revises: 0002
Created: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'sourcerun',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(), nullable=False),
        sa.Column('kind', sa.String(), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=False),
        sa.Column('finished_at', sa.DateTime(), nullable=False),
        sa.Column('created', sa.Integer(), nullable=False),
        sa.Column('updated', sa.Integer(), nullable=False),
        sa.Column('unchanged', sa.Integer(), nullable=False),
        sa.Column('withdrawn', sa.Integer(), nullable=False),
        sa.Column('skipped', sa.Integer(), nullable=False),
        sa.Column('error', sa.String(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('sourcerun', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sourcerun_name'), ['name'], unique=False)
        batch_op.create_index(batch_op.f('ix_sourcerun_started_at'), ['started_at'], unique=False)

    op.create_table(
        'eventlink',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.String(), nullable=False),
        sa.Column('source', sa.String(), nullable=False),
        sa.Column('source_id', sa.String(), nullable=False),
        sa.Column('url', sa.String(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['event_id'],
            ['event.id'],
        ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('source', 'source_id'),
    )
    with op.batch_alter_table('eventlink', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_eventlink_event_id'), ['event_id'], unique=False)

    with op.batch_alter_table('generation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('parent_id', sa.String(), nullable=True))
        batch_op.add_column(sa.Column('refinement', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('owner_token_hash', sa.String(), nullable=True))
        batch_op.create_index(batch_op.f('ix_generation_parent_id'), ['parent_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('generation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_generation_parent_id'))
        batch_op.drop_column('owner_token_hash')
        batch_op.drop_column('refinement')
        batch_op.drop_column('parent_id')

    with op.batch_alter_table('eventlink', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_eventlink_event_id'))

    op.drop_table('eventlink')
    with op.batch_alter_table('sourcerun', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sourcerun_started_at'))
        batch_op.drop_index(batch_op.f('ix_sourcerun_name'))

    op.drop_table('sourcerun')
