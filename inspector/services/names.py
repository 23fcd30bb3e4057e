"""Names people type (operators, products, stations, defect types), cleaned one way.

They end up in tables, PDFs and workbooks: a line break or a control character would
break those layouts (or the Excel export), so whitespace runs become one space and
other control characters are refused.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from inspector.errors import UserError


def clean_name(text: str | None, what: str, max_len: int) -> str:
    """``text`` with whitespace collapsed; UserError when empty, too long or odd."""
    cleaned = decodable(" ".join((text or "").split()))
    if not cleaned or len(cleaned) > max_len:
        raise UserError(f"{what} must have 1 to {max_len} characters")
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in cleaned):
        raise UserError(f"{what} must not contain control characters")
    return cleaned


def name_key(name: str) -> str:
    """What two names that should be one compare by: compatibility forms folded (a
    full-width Ａ is A) and case folded the Unicode way (STRASSE is straße)."""
    return unicodedata.normalize("NFKC", name).casefold()


def mixed_scripts(name: str) -> list[str]:
    """The alphabets a name's letters come from, when more than one: "bоb" with a
    Cyrillic о looks like "bob" in every list and audit row."""
    scripts = {_script(ch) for ch in unicodedata.normalize("NFKC", name)
               if ch.isalpha() and unicodedata.category(ch) != "Lm"}  # 々 ー ʻ belong to any
    return sorted(scripts) if len(scripts) > 1 else []


# Written together in one name: Japanese mixes kanji and kana as a matter of course.
_ONE_WRITING = {"HIRAGANA": "CJK", "KATAKANA": "CJK"}


def _script(ch: str) -> str:
    first = unicodedata.name(ch, "").split(" ")[0]
    return _ONE_WRITING.get(first, first)


# Invisible characters that turn the text after them around or hide it: in a report an
# override reason "RTL override txt.exe" printed as "exe.txt edirrevo LTR".
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def reason_problem(text: str, max_len: int) -> str | None:
    """Why a typed reason (several lines allowed) cannot be stored, or None. Shared by
    the service and the dialog, so a refusal never comes after the dialog closed."""
    if not text:
        return "Please give a reason."
    if len(text) > max_len:
        return f"Keep the reason under {max_len:,} characters (now {len(text):,})."
    if any(ch in _BIDI_CONTROLS or (unicodedata.category(ch) == "Cc" and ch not in "\n\t")
           for ch in text):
        return "The reason must not contain control characters (pasted from another program?)."
    return None


# A reason (an override's, a deletion's) goes into every report row and the audit log: a
# pasted log file would swamp them.
MAX_REASON = 2000


def clean_reason(text: str | None, max_len: int) -> str:
    """A typed reason: line ends made \\n, spaces around it trimmed; UserError if refused."""
    cleaned = decodable((text or "").replace("\r\n", "\n").replace("\r", "\n").strip())
    problem = reason_problem(cleaned, max_len)
    if problem is not None:
        raise UserError(problem)
    return cleaned


def column_width(project: Any, width: int) -> int | None:
    """The limit a text column has in ``project``'s database: PostgreSQL refuses the whole
    row for a longer text, so it is checked before writing; SQLite stores any length, and
    projects that stored longer texts there keep working (None: no limit)."""
    return None if project.db.is_sqlite else width


def short_text(text: str | None, what: str, max_len: int | None) -> str | None:
    """Free text for a column of ``max_len`` characters (None stays None; a ``max_len``
    of None: no limit, see ``column_width``)."""
    if text is not None and max_len is not None and len(text) > max_len:
        raise UserError(f"{what} can have at most {max_len} characters")
    return None if text is None else decodable(text)


def decodable(text: str) -> str:
    """Lone surrogates (a Latin-1 folder name or argument read as UTF-8) become U+FFFD:
    no database driver can encode them, and the import stopped with an internal error."""
    return "".join("\ufffd" if unicodedata.category(ch) == "Cs" else ch for ch in text)


def printable_file_name(name: str | None, max_len: int = 500) -> str | None:
    """A file name as stored and shown: control characters (an escape sequence that clears
    the terminal, a line break that fakes a line of output) become "?". Files are not
    refused for their names; only what is shown is made safe. A name whose bytes are not
    UTF-8 (a Latin-1 "café" from an old share) reaches Python as lone surrogates, which no
    database driver, JSON reader or report can encode: each becomes U+FFFD."""
    if name is None:
        return None
    safe = "".join(_printable(ch) for ch in name)
    return safe[:max_len]


def _printable(ch: str) -> str:
    category = unicodedata.category(ch)
    if category == "Cs":  # undecodable byte (surrogateescape)
        return "\ufffd"
    return "?" if category in ("Cc", "Cf") else ch
