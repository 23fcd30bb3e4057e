"""PySide6 GUI: a thin layer over inspector.services."""
