"""The main window only wires pages together: navigation, shortcuts, status, sign-out."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QByteArray, QEvent, QObject, QSettings, QSize, Qt
from PySide6.QtGui import (
    QCloseEvent,
    QKeyEvent,
    QKeySequence,
    QResizeEvent,
    QShortcut,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QStatusBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ui.dialogs import disposed, show_error
from ui.idle import IdleWatcher
from ui.screen_fit import fit_to_screen
from ui.state import AppState
from ui.style import guard_wheels
from ui.widgets.elided_label import ElidedLabel
from ui.widgets.progress_panel import ProgressPanel
from ui.widgets.touch_scroll import touch_scrolling
from ui.worker import Job

log = logging.getLogger(__name__)

NAV_TITLE_ROLE = Qt.ItemDataRole.UserRole + 1
# px per navigation entry: two lines at 64; one line as tall as the list allows (gloved
# fingers need >= 48), but never under 36, where the list would rather scroll.
NAV_FULL_HEIGHT, NAV_MIN_HEIGHT = 64, 36
SIDE_MIN_WIDTH = 160  # the page list and About; wider where larger text needs it

# key, navigation title, module, class; Ctrl+N opens the N-th page.
PAGES: list[tuple[str, str, str, str]] = [
    ("signin", "Sign in", "ui.pages.signin_page", "SignInPage"),
    ("capture", "Capture", "ui.pages.capture_page", "CapturePage"),
    ("label", "Label", "ui.pages.label_page", "LabelPage"),
    ("train", "Train", "ui.pages.train_page", "TrainPage"),
    ("inspect", "Inspect", "ui.pages.inspect_page", "InspectPage"),
    ("history", "History", "ui.pages.history_page", "HistoryPage"),
    ("reports", "Reports", "ui.pages.reports_page", "ReportsPage"),
]
LEAD_ONLY = {"reports"}  # pages shown to QA leads and admins only


class _PageHolder(QWidget):
    """Holds a page in its scroll area. A scroll area sizes a height-for-width widget (any
    page with a word-wrapped label) to its preferred height, not its minimum, and would
    scroll where the page fits. The holder has no layout, so it is sized by the page's
    minimum size, and it stretches the page over itself."""

    def __init__(self, page: QWidget) -> None:
        super().__init__()
        self.page = page
        page.setParent(self)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return self.page.sizeHint()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        """The page's minimum; at the current width, tall enough for its wrapped text
        (a word-wrapped label squeezed below that would be drawn over its neighbours)."""
        hint = self.page.minimumSizeHint()
        layout = self.page.layout()
        if layout is not None and layout.hasHeightForWidth() and self.width() > 0:
            hint.setHeight(max(hint.height(), layout.totalMinimumHeightForWidth(self.width())))
        return hint

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        self.page.setGeometry(self.rect())
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width():
            self.updateGeometry()  # the wrapped text's height depends on the width

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:  # the page's minimum size changed
            self.updateGeometry()
        return super().event(event)


class StatusLine(QWidget):
    """The status bar's contents: the temporary message, the progress of a job started
    from a page without its own panel, and who is signed in where.

    QStatusBar draws its message only left of the permanent widgets and cuts it without
    "…". Here the message is a label (filled from ``messageChanged``, so ``showMessage``
    and its timeout still work) and, when the line is short, the who label yields first,
    down to a fifth of the line; then every text ends in "…" with the whole of it in its
    tooltip.
    """

    SPACING = 12

    def __init__(self, status_bar: QStatusBar, progress: ProgressPanel) -> None:
        super().__init__()
        self.message = ElidedLabel()
        self.message.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.progress = progress
        self.who = ElidedLabel(mode=Qt.TextElideMode.ElideMiddle)  # name and product stay
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 0, 0)  # where QStatusBar starts its message
        layout.setSpacing(self.SPACING)
        layout.addWidget(self.message, 1)
        layout.addWidget(progress, 1)
        layout.addWidget(self.who)
        status_bar.messageChanged.connect(self.message.setText)

    def event(self, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.LayoutRequest, QEvent.Type.Resize):
            self._fit()  # a text changed, the progress came or went, or the bar resized
        return super().event(event)

    def _fit(self) -> None:
        """Cap the who label's width so the message and progress get their room first."""
        margins = self.layout().contentsMargins()
        room = self.contentsRect().width() - margins.left() - margins.right()
        others = [w.sizeHint().width() for w in (self.message, self.progress)
                  if w.isVisibleTo(self) and (w is not self.message or w.text())]
        cap = room
        if others:
            wanted = self.who.sizeHint().width()
            left = room - sum(others) - self.SPACING * len(others)
            cap = max(min(wanted, room // 5), left)
        self.who.setMaximumWidth(max(cap, self.who.minimumSizeHint().width()))


class MainWindow(QMainWindow):
    """Left navigation (Ctrl+1..7) over a stack of pages; only Sign in until signed in."""

    def __init__(self, state: AppState) -> None:
        super().__init__()
        self.state = state
        if state.parent() is None:
            # The window owns its session state: deleting the window deletes the state and
            # every connection the pages made to it, lambdas included. Otherwise each lambda
            # (held by the state, holding its page) keeps page, window, state and project
            # alive for good, a cycle through Qt that Python's collector cannot see.
            state.setParent(self)
        self.setWindowTitle(f"Inspector — {state.project.root}")
        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.stack = QStackedWidget()
        self.pages: dict[str, QWidget] = {}
        self.containers: dict[str, QWidget] = {}
        self.items: dict[str, QListWidgetItem] = {}
        self.progress = ProgressPanel(compact=True)  # in the status bar
        for index, (key, title, module, cls) in enumerate(PAGES, start=1):
            page = self._make_page(key, module, cls)
            if page is None:
                continue
            self.pages[key] = page
            self.containers[key] = self._container(page)
            self.stack.addWidget(self.containers[key])
            item = QListWidgetItem()
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setData(NAV_TITLE_ROLE, (title, index))
            item.setToolTip(f"{title}  (Ctrl+{index})")
            self.nav.addItem(item)
            self.items[key] = item
            shortcut = QShortcut(QKeySequence(f"Ctrl+{index}"), self)
            shortcut.activated.connect(lambda k=key: self.show_page(k))
        self.nav.currentItemChanged.connect(self._nav_changed)
        self._nav_fit: tuple[bool, int] | None = None
        self._fit_navigation()
        self.nav.installEventFilter(self)  # its height changes with the window and status
        self.about_button = QPushButton("About  [F1]")
        self._fit_side_width()
        self.about_button.clicked.connect(self.show_about)
        QShortcut(QKeySequence("F1"), self).activated.connect(self.show_about)
        QShortcut(QKeySequence("Esc"), self).activated.connect(self.cancel_visible_job)
        side = QVBoxLayout()
        side.addWidget(self.nav, 1)
        side.addWidget(self.about_button)
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.addLayout(side)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self.status_line = StatusLine(self.statusBar(), self.progress)
        self.who = self.status_line.who
        self.statusBar().addPermanentWidget(self.status_line, 1)
        state.status_message.connect(lambda m: self.statusBar().showMessage(m, 8000))
        state.actor_changed.connect(self._actor_changed)
        state.page_wanted.connect(self.show_page)
        state.running_work = lambda: self.findChildren(ProgressPanel)
        state.product_changed.connect(lambda _p: self._update_who())
        self.idle = IdleWatcher(self._idle_minutes(), self)
        self.idle.idle.connect(self._idle_sign_out)
        self._watch_input(True)
        signin = self.pages["signin"]
        if hasattr(signin, "idle_minutes_changed"):
            signin.idle_minutes_changed.connect(self.idle.set_timeout)
        guard_wheels(self)  # a stray wheel turn must not change a setting or a filter
        touch_scrolling(self)  # a finger drags lists and pages; a tap still selects
        self._restore_geometry()
        self._actor_changed(state.actor)
        self._load_engine()

    # -- construction -------------------------------------------------------------------
    def _make_page(self, key: str, module: str, cls: str) -> QWidget | None:
        """Build one page; the optional Reports page may be missing or broken."""
        if key == "reports":
            try:
                page_cls = getattr(importlib.import_module(module), cls)
                return page_cls(self.state.project, lambda: self.state.actor, self.run_job)
            except ModuleNotFoundError as exc:
                log.info("reports page not available: %s", exc)
                return None
            except Exception:  # noqa: BLE001 - the window must work without this page
                log.exception("reports page not available")
                return None
        return getattr(importlib.import_module(module), cls)(self.state)

    @staticmethod
    def _container(page: QWidget) -> QWidget:
        """Every page scrolls when the screen is smaller than the page needs (a 1024x600
        panel PC), instead of pushing its buttons off the screen."""
        scroll = QScrollArea()
        scroll.setWidget(_PageHolder(page))
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # a Tab stop that showed nothing
        return scroll

    def _fit_side_width(self) -> None:
        """The page list and About as wide as their words at this font: 160 px cut
        "Sign i…" and the About button's words on a PC set to larger text."""
        self.nav.ensurePolished()  # the style sheet's larger list font applies now
        metrics = self.nav.fontMetrics()
        words = max(metrics.horizontalAdvance(item.data(NAV_TITLE_ROLE)[0])
                    for item in self.items.values())
        self.about_button.ensurePolished()
        width = max(SIDE_MIN_WIDTH, words + 48, self.about_button.sizeHint().width())
        self.nav.setFixedWidth(width)
        self.about_button.setFixedWidth(width)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        """Enter on a button reached with Tab presses it, as Space does (outside dialogs
        Qt ignores Enter there, and a gloved hand reaches for Enter)."""
        focused = QApplication.focusWidget()
        if (event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and isinstance(focused, QPushButton | QToolButton) and focused.isEnabled()
                and self.isAncestorOf(focused)):
            focused.animateClick()
            return
        super().keyPressEvent(event)

    @staticmethod
    def _app() -> Any:
        return QApplication.instance()

    def _watch_input(self, on: bool) -> None:
        """The idle watcher sees every input event of the application while the window is
        open; a closed one (not deleted yet) must not still filter them all."""
        app_instance = self._app()
        if app_instance is None:
            return
        if on:
            app_instance.installEventFilter(self.idle)  # once, however often it is shown
        else:
            app_instance.removeEventFilter(self.idle)

    def _idle_minutes(self) -> float:
        signin = self.pages.get("signin")
        return float(signin.idle_minutes()) if hasattr(signin, "idle_minutes") else 10.0

    def show_about(self) -> None:
        """Versions and the self-test (F1)."""
        from ui.widgets.about_dialog import AboutDialog

        with disposed(AboutDialog(self.state.project, self)) as dialog:
            dialog.exec()

    def cancel_visible_job(self) -> bool:
        """Esc: cancel the job whose progress the user can see (this page, status bar)."""
        page = self.stack.currentWidget()
        panels = [p for p in page.findChildren(ProgressPanel) if p.isVisible()]
        panels += [self.progress] if self.progress.isVisible() else []
        for panel in panels:
            if panel.busy and panel.cancel_button.isEnabled():
                panel.cancel()
                return True
        return False

    # -- navigation ---------------------------------------------------------------------
    def show_page(self, key: str) -> bool:
        """Switch to page ``key`` if it is available to the signed-in operator."""
        item = self.items.get(key)
        if item is None or item.isHidden() or not item.flags() & Qt.ItemFlag.ItemIsEnabled:
            self.statusBar().showMessage("Sign in first" if self.state.actor is None else
                                         "Your role cannot open that page", 5000)
            return False
        self.nav.setCurrentItem(item)
        return True

    def current_key(self) -> str:
        return next(k for k, c in self.containers.items() if c is self.stack.currentWidget())

    def _nav_changed(self, item: QListWidgetItem | None, _previous: Any) -> None:
        if item is None:
            return
        key = item.data(Qt.ItemDataRole.UserRole)
        page = self.pages[key]
        before = QApplication.focusWidget()  # the switch itself moves the focus on
        self.stack.setCurrentWidget(self.containers[key])
        if hasattr(page, "on_shown"):
            page.on_shown()
        self._focus_page(page, before)

    @staticmethod
    def _focus_page(page: QWidget, before: QWidget | None) -> None:
        """Move keyboard focus into the page so its one-key shortcuts work at once; the
        page's first field (History's search box) is not where a hidden page's focus
        should land, only where it was before."""
        focus = QApplication.focusWidget()
        if focus is not None and focus is before and page.isAncestorOf(focus):
            return
        target = getattr(page, "focus_target", None) or page
        if target.focusPolicy() == Qt.FocusPolicy.NoFocus:
            target.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        target.setFocus()

    # -- session ------------------------------------------------------------------------
    def _actor_changed(self, actor: Any) -> None:
        lead = actor is not None and actor.role in ("qa_lead", "admin")
        for key, item in self.items.items():
            enabled = key == "signin" or actor is not None
            flags = Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled
            item.setFlags(flags if enabled else Qt.ItemFlag.NoItemFlags)
            item.setHidden(key in LEAD_ONLY and not lead)
        self._fit_navigation()
        if actor is None:
            self.idle.stop()
            self.show_page("signin")
        else:
            self.idle.reset()
            self.show_page("inspect" if actor.role == "operator" else "label")
            self._warm_up()
        self._update_who()

    def _load_engine(self) -> None:
        """The engine's imports in the background as the window opens (see load_engine)."""
        from inspector.services.inspection import load_engine
        from ui.worker import Job

        job = Job(load_engine)
        job.failed.connect(lambda exc: log.warning("engine could not be loaded: %s", exc))
        self.engine_job = job.start()

    def _warm_up(self) -> None:
        """Load the engine and the active model in the background after sign-in, so the
        first part is not kept waiting (the window itself opens without them)."""
        from inspector.services.inspection import warm_up
        from ui.worker import Job

        job = Job(warm_up, self.state.project, self.state.product)
        job.failed.connect(lambda exc: log.info("model warm-up failed: %s", exc))
        self.warm_up_job = job.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.nav and event.type() == QEvent.Type.Resize:
            self._fit_navigation()
        return super().eventFilter(watched, event)

    def _fit_navigation(self) -> None:
        """Two-line entries (title, shortcut) where they fit; on a short screen one line
        each, the shortcut in the tooltip, the rows as tall as the list allows, so no entry
        hides below the list (down to a 420 px window at 200 %: 960x460 with a taskbar)."""
        shown = max(1, sum(not item.isHidden() for item in self.items.values()))
        row = (self.nav.contentsRect().height() - 4) // shown  # 4 px to spare, as before
        compact = row < NAV_FULL_HEIGHT
        fit = (compact, max(NAV_MIN_HEIGHT, row) if compact else NAV_FULL_HEIGHT)
        if fit == self._nav_fit:
            return
        self._nav_fit = fit
        for item in self.items.values():
            title, index = item.data(NAV_TITLE_ROLE)
            item.setText(title if compact else f"{title}\nCtrl+{index}")
            item.setSizeHint(QSize(150, fit[1]))

    def _update_who(self) -> None:
        actor = self.state.actor
        who = f"{actor.name} ({actor.role})" if actor else "not signed in"
        self.who.setText(
            f"{who} · station {self.state.station or '—'} · product {self.state.product or '—'}"
        )

    def _idle_sign_out(self) -> None:
        """Sign out after inactivity. Automatic work (a hot folder, a continuous camera)
        goes on under the person who was signed in: the line keeps inspecting, but their
        rights no longer stand open at an unattended keyboard (it stayed signed in)."""
        actor = self.state.actor
        if actor is None:
            return
        running = [w for page in self.pages.values() if hasattr(page, "automatic_work")
                   and (w := page.automatic_work())]
        log.info("idle sign-out of %s%s", actor.name,
                 f" ({', '.join(running)} goes on)" if running else "")
        _close_dialogs()
        minutes = self.idle.minutes
        why = (f"Signed out after {minutes:g} min without use." if minutes >= 1
               else "Signed out after a while without use.")
        if running:
            why += f" {' and '.join(running).capitalize()} goes on under {actor.name}."
        signin = self.pages["signin"]
        if hasattr(signin, "signed_out_why"):  # the page it lands on says why
            signin.signed_out_why = why + " "
        self.state.set_actor(None, why="idle", keep_automation=bool(running))
        self.state.say(why)

    # -- jobs for pages that do not own a progress panel (reports) ----------------------
    def run_job(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Job:
        """Run ``fn`` in the background with the status-bar progress and Cancel.

        The job starts when control returns to the event loop, so callers can connect to
        its signals (finished, failed, cancelled) first; failures are also shown here.
        """
        job = Job(fn, *args, **kwargs)
        self.progress.attach(job, getattr(fn, "__name__", "").replace("_", " ").capitalize())
        job.failed.connect(lambda exc: show_error(self, exc))
        return job.start_later()

    # -- window state -------------------------------------------------------------------
    def _restore_geometry(self) -> None:
        geometry = QSettings().value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:  # first start: the whole window on the screen (1024x768, or a 1080p at 200 %)
            fit_to_screen(self, 1366, 768)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        QSettings().setValue("window/geometry", self.saveGeometry())
        for page in self.pages.values():
            if hasattr(page, "shutdown"):
                page.shutdown()
        if self.state.actor is not None:  # the session's end, audited
            self.state.set_actor(None, why="window closed")
        self.idle.stop()
        self._watch_input(False)
        super().closeEvent(event)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        self._watch_input(True)  # again, after a close
        super().showEvent(event)


def _close_dialogs() -> None:
    """An idle sign-out closes the dialogs left open (an override reason half typed by
    someone called away): left up, its OK would act for nobody and fail, and anybody
    walking up could otherwise finish it in the signed-out person's name."""
    for _ in range(10):  # nested dialogs, innermost first
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QDialog):
            return
        log.info("idle sign-out closes the dialog %r", dialog.windowTitle())
        dialog.reject()
