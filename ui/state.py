"""What the whole window shares: the open project, who is signed in, station and product.

Pages read it and listen to its signals instead of talking to each other.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QSettings, Signal
from sqlalchemy.exc import SQLAlchemyError

from inspector.errors import UserError
from inspector.services import session
from inspector.services.session import Actor
from inspector.store import roles

log = logging.getLogger(__name__)
GUI_BUSY_WAIT_S = 2.0


class AppState(QObject):
    """Shared session state; ``data_changed(kind)`` tells pages to reload (images, labels...)."""

    actor_changed = Signal(object)
    signing_out = Signal()  # before the actor changes: pages save what is still open
    product_changed = Signal(object)
    data_changed = Signal(str)
    status_message = Signal(str)
    page_wanted = Signal(str)  # a page asks the window to open another (a next-step link)
    # a part judged away from the Inspect page (the hot folder): the record and its
    # thumbnail (or None), for Inspect's banner and recent strip
    part_inspected = Signal(object, object)

    def __init__(self, project: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.project = project
        # Writes on this (the GUI) thread say "busy" after 2 s: a 30 s wait froze the window
        project.db.wait_briefly_on_this_thread(GUI_BUSY_WAIT_S)
        self.actor: Actor | None = None
        # Who the station's automatic work (hot folder, continuous camera) runs as: the
        # person signed in, kept through an idle sign-out (the line goes on inspecting
        # while their rights at the keyboard end); an explicit sign-out ends it too.
        self.automation_actor: Actor | None = None
        self.keeping_automation = False  # True during an idle sign-out's signing_out
        # The window's progress panels (training, import, folder inspection...): whoever
        # ends a session by hand is asked about the ones still busy
        self.running_work: Callable[[], list[Any]] = list
        settings = QSettings()
        self.station: str | None = _text_setting(settings, "station")
        self.product: str | None = _text_setting(settings, "product")

    def may(self, permission: str) -> bool:
        """Whether the signed-in operator's role grants ``permission`` (to enable widgets)."""
        return self.actor is not None and roles.allowed(self.actor.role, permission)

    def set_actor(self, actor: Actor | None, why: str = "signed out",
                  keep_automation: bool = False) -> None:
        """Who is signed in now. The session that ends is audited with ``why``;
        ``keep_automation`` (an idle sign-out while the station inspects on its own)
        keeps the automatic work running under the person who was signed in."""
        old = self.actor
        if old is not None and actor != old:
            self.keeping_automation = keep_automation and actor is None
            try:
                self.signing_out.emit()  # unsaved work is saved under the one who did it
            finally:
                self.keeping_automation = False
            _end_session(self.project, old, why)
        if actor is not None:
            self.automation_actor = actor
        elif not keep_automation:
            self.automation_actor = None
        self.actor = actor
        self.actor_changed.emit(actor)

    def set_station(self, station: str | None) -> None:
        self.station = station or None
        QSettings().setValue("station", self.station or "")

    def set_product(self, product: str | None) -> None:
        product = product or None
        QSettings().setValue("product", product or "")
        if product != self.product:
            self.product = product
            self.product_changed.emit(product)

    def notify(self, kind: str) -> None:
        """Something of ``kind`` changed in the project ("images", "labels", "models"...)."""
        self.data_changed.emit(kind)

    def go_to(self, page: str) -> None:
        """Open page ``page`` ("label", "train"...), as its navigation entry would."""
        self.page_wanted.emit(page)

    def say(self, message: str) -> None:
        self.status_message.emit(message)


def _end_session(project: Any, actor: Actor, why: str) -> None:
    """Audited; a database that cannot take the row (a server gone) must not keep the
    person signed in, so it is logged instead."""
    try:
        session.end_session(project, actor, why)
    except (SQLAlchemyError, UserError, OSError) as exc:
        log.warning("the end of %s's session could not be audited: %r", actor.name, exc)


def _text_setting(settings: QSettings, key: str) -> str | None:
    """A remembered name, or None: a hand-edited "Line 1, Station 2" reads back as a
    list, a value IT seeded in the registry as a number; either stopped every start."""
    value = settings.value(key, None)
    return value if isinstance(value, str) and value else None
