"""What the Inspect page's last file or folder batch did: counts, files not inspected,
or how far a cancelled or failed batch got. It stays until the next batch."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from PySide6.QtWidgets import QLabel, QWidget
from sqlalchemy.exc import SQLAlchemyError

from inspector.services import inspection

log = logging.getLogger(__name__)


class BatchNote(QLabel):
    """A word-wrapped note, hidden while empty; amber and bold when it warns."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setVisible(False)

    def show_text(self, text: str, warn: bool = False) -> None:
        self.setText(text)
        self.setProperty("role", "warning" if warn else None)
        self.style().unpolish(self)
        self.style().polish(self)
        self.setVisible(bool(text))


def stopped_text(what: str, done: int | None, ng: int | None) -> str:
    """ "Inspection cancelled after 6 part(s): …" for a batch that did not finish (None:
    the counts could not be read)."""
    if done is None or ng is None:
        return f"{what}. The parts judged before it stopped are stored; History lists them."
    return (f"{what} after {done} part(s): {ng} NG, {done - ng} OK or uncertain. "
            "They are stored; History lists them.")


def stored_since(project: Any, started: dt.datetime,
                 by: str | None) -> tuple[int, int] | tuple[None, None]:
    """Parts and NG parts stored by ``by`` since ``started``: a batch that ended in an
    error or a cancel before it could say which parts it judged (two counts, not
    thousands of rows on the GUI thread). (None, None) when the database cannot say:
    the error that stopped the batch (a server gone) has its own dialog already."""
    if by is None:
        return 0, 0
    mine = {"since": started, "operator": by}
    try:
        return (inspection.count_inspections(project, **mine),
                inspection.count_inspections(project, verdict="ng", **mine))
    except SQLAlchemyError as exc:
        log.warning("cannot count the stopped batch's parts: %r", exc)
        return None, None
