"""Names people type (operators, products, stations, defect types), cleaned one way.

They end up in tables, PDFs and workbooks: a line break or a control character would
break those layouts (or the Excel export), so whitespace runs become one space and
other control characters are refused.
"""

from __future__ import annotations

import unicodedata

from inspector.errors import UserError


def clean_name(text: str | None, what: str, max_len: int) -> str:
    """``text`` with whitespace collapsed; UserError when empty, too long or odd."""
    cleaned = " ".join((text or "").split())
    if not cleaned or len(cleaned) > max_len:
        raise UserError(f"{what} must have 1 to {max_len} characters")
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in cleaned):
        raise UserError(f"{what} must not contain control characters")
    return cleaned


def short_text(text: str | None, what: str, max_len: int) -> str | None:
    """Free text for a column of ``max_len`` characters (None stays None). SQLite stores a
    longer text anyway; PostgreSQL refuses the whole row, so say so before writing."""
    if text is not None and len(text) > max_len:
        raise UserError(f"{what} can have at most {max_len} characters")
    return text


def printable_file_name(name: str | None, max_len: int = 500) -> str | None:
    """A file name as stored and shown: control characters (an escape sequence that clears
    the terminal, a line break that fakes a line of output) become "?". Files are not
    refused for their names; only what is shown is made safe."""
    if name is None:
        return None
    safe = "".join("?" if unicodedata.category(ch) in ("Cc", "Cf") else ch for ch in name)
    return safe[:max_len]
