"""What the whole window shares: the open project, who is signed in, station and product.

Pages read it and listen to its signals instead of talking to each other.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QSettings, Signal

from inspector.services.session import Actor
from inspector.store import roles


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
        self.actor: Actor | None = None
        settings = QSettings()
        self.station: str | None = _text_setting(settings, "station")
        self.product: str | None = _text_setting(settings, "product")

    def may(self, permission: str) -> bool:
        """Whether the signed-in operator's role grants ``permission`` (to enable widgets)."""
        return self.actor is not None and roles.allowed(self.actor.role, permission)

    def set_actor(self, actor: Actor | None) -> None:
        if self.actor is not None and actor != self.actor:
            self.signing_out.emit()  # unsaved work is saved under the one who did it
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


def _text_setting(settings: QSettings, key: str) -> str | None:
    """A remembered name, or None: a hand-edited "Line 1, Station 2" reads back as a
    list, a value IT seeded in the registry as a number; either stopped every start."""
    value = settings.value(key, None)
    return value if isinstance(value, str) and value else None
