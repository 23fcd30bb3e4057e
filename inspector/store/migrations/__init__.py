"""Alembic migration environment, packaged so no alembic.ini is needed at run time."""
