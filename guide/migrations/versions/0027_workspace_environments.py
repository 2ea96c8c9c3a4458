"""workspace environments: a staging workspace linked to its production workspace

docs/ENVIRONMENTS.md. Every existing workspace is a production workspace (the
server default); nothing to backfill.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-06 11:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


# Plain ALTER TABLE, never a batch "recreate" of workspace: on SQLite a rebuild drops the old
# table, and with foreign keys on, dropping it deletes every row that refers to a workspace
# (ON DELETE CASCADE: users, progress, events, rollups). SQLite cannot drop a column that
# has a foreign key, so its downgrade keeps production_id (unused by older code; the next
# upgrade finds it there).

def _columns():
    return {c["name"] for c in sa.inspect(op.get_bind()).get_columns("workspace")}


def upgrade():
    present = _columns()
    if "environment" not in present:
        op.add_column("workspace", sa.Column("environment", sa.String(length=32),
                                             server_default="production", nullable=False))
    if "production_id" not in present and op.get_bind().dialect.name == "sqlite":
        # Alembic would add the foreign key as a constraint of its own, which SQLite lacks.
        op.execute("ALTER TABLE workspace ADD COLUMN production_id INTEGER CONSTRAINT "
                   "fk_workspace_production_id_workspace "
                   "REFERENCES workspace (id) ON DELETE CASCADE")
    elif "production_id" not in present:
        op.add_column("workspace", sa.Column(
            "production_id", sa.Integer(),
            sa.ForeignKey("workspace.id", name="fk_workspace_production_id_workspace",
                          ondelete="CASCADE"), nullable=True))
    op.create_index("ix_workspace_production_id", "workspace", ["production_id"])
    op.create_index("uq_workspace_production_id_environment", "workspace",
                    ["production_id", "environment"], unique=True)


def downgrade():
    op.drop_index("uq_workspace_production_id_environment", table_name="workspace")
    op.drop_index("ix_workspace_production_id", table_name="workspace")
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint("fk_workspace_production_id_workspace", "workspace",
                           type_="foreignkey")
        op.drop_column("workspace", "production_id")
    op.drop_column("workspace", "environment")
