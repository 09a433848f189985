"""Database access for the core and integrations: SQLite (default) or PostgreSQL, with versioned migrations."""

from core.storage.database import Database, DatabaseError, Row, open_database
from core.storage.migrations import Migration

__all__ = ["Database", "DatabaseError", "Migration", "Row", "open_database"]
