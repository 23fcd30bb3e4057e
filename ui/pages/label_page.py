"""Label: gallery with filters, big zoomable view, one-key labels, brush masks, undo.

Keys: G good, D defective, 1/2/3 severity, the defect types' own keys, B brush,
Shift+B eraser (a right-button drag also erases), Del clears the region, [ and ] brush
size, Left/Right previous/next, Ctrl+Z undo (stroke first, then label).
A region painted on an image not labelled defective labels it defective when the
operator moves on (it was dropped without a word).
Every label is one ``labeling.label_image`` call; undo appends the previous label again
because the label history is append-only. Pictures load in the background
(ui.image_loader): the name of the next image shows at once, its picture when decoded,
and label keys wait for the picture (nobody labels a part they have not seen).
"""

from __future__ import annotations

from collections import deque

from PySide6.QtCore import QItemSelectionModel
from PySide6.QtGui import QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from inspector.errors import UserError
from inspector.services import labeling, products
from inspector.services.dto import ImageInfo
from inspector.store import roles
from ui.coalesced_job import CoalescedJob
from ui.dialogs import show_error
from ui.image_loader import Picture, PictureLoader
from ui.label_listing import (
    Listing,
    info_html,
    label_of,
    load_picture,
    nothing_shown_text,
    query_listing,
)
from ui.label_undo import UNDO_DEPTH, LabelUndo, undo_last
from ui.shortcuts import page_key
from ui.state import AppState
from ui.widgets.brush_controls import BrushControls
from ui.widgets.defect_types import DefectTypePanel
from ui.widgets.image_view import ImageView
from ui.widgets.next_step import NextStep
from ui.widgets.since_date import SinceDateEdit
from ui.widgets.thumbnails import InfoRole, ThumbnailModel, gallery_view

SEVERITY_KEYS = {"1": "minor", "2": "major", "3": "critical"}
ANY = "(any)"
# Images the gallery lists at first, the newest that match; "Show older" adds as many.
# Every inspected part is stored, so a line's library grows by thousands a day, and
# listing 100,000 images held the window for seconds at every change.
PAGE = 1000


class LabelPage(QWidget):
    """Gallery on the left, image in the middle, label controls on the right."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.current: ImageInfo | None = None
        self.severity: str | None = None
        self.undo_stack: deque[LabelUndo] = deque(maxlen=UNDO_DEPTH)
        self._mask_dirty = False
        self._changed_elsewhere = False  # a label key refused: relabelled elsewhere
        self._own_notice = False  # this page announced the change and updated itself
        self.background = CoalescedJob(self, self._listing_args,
                                       lambda listing: self._apply_listing(listing, True),
                                       lambda exc: self.state.say(str(exc)))
        # "Show older" lists up to tens of thousands: 1-2 s, read off the GUI thread
        self.older = CoalescedJob(self, self._listing_args, self._older_listed,
                                  self._older_failed)
        self.counting = CoalescedJob(
            self, lambda: (labeling.label_counts, self.state.project, self._filter_product()),
            self._show_counts, lambda exc: self.state.say(str(exc)))
        self._type_shortcuts: list[QShortcut] = []
        self.limit = PAGE  # how many of the newest matching images are listed
        self._total = 0  # how many match in all (said beside "Show older")

        self.counts = QLabel()
        self.counts.setProperty("role", "title")
        self.state_filter = QComboBox()
        self.state_filter.addItems([ANY, "unlabelled", "good", "defective"])
        self.type_filter = QComboBox()
        self.product_filter = QComboBox()
        self.since = SinceDateEdit()
        self.since.setAccessibleName("Since date")  # a screen reader said only "any date"
        for box in (self.state_filter, self.type_filter, self.product_filter):
            box.currentIndexChanged.connect(lambda _index: self._new_filter())
        self.since.dateChanged.connect(lambda _date: self._new_filter())  # not keep_shown
        self.since.picked.connect(lambda: self.gallery.setFocus())  # the label keys work again
        filters = QGridLayout()  # four across above gallery and picture: the gallery needs
        for n, (text, widget) in enumerate(  # one column of thumbnails, so on a 1024 px
            [("Show", self.state_filter), ("Type", self.type_filter),  # screen the
             ("Product", self.product_filter), ("Since", self.since)]  # picture gets the
        ):  # width (two by two beside the gallery left it 210 px for the brush)
            filters.addWidget(QLabel(text), 0, n)
            filters.addWidget(widget, 1, n)
            widget.setMinimumWidth(60)
            widget.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)

        self.model = ThumbnailModel(self)
        self.gallery = gallery_view(self.model)
        self.focus_target = self.gallery
        self.gallery.selectionModel().currentChanged.connect(self._row_changed)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.gallery, 1)
        self.older_label = QLabel()
        self.older_label.setWordWrap(True)
        self.older_button = QPushButton(f"Show {PAGE:,} older")
        self.older_button.clicked.connect(self.show_older)
        left_layout.addWidget(self.older_label)  # under the one column of thumbnails
        left_layout.addWidget(self.older_button)
        self._show_listed(0, 0)

        self.view = ImageView()
        self.view.setMinimumSize(150, 150)  # the page fits 960 px wide (1080p at 200 %)
        self.view.mask_changed.connect(lambda: setattr(self, "_mask_dirty", True))
        self.loader = PictureLoader(self)
        self.loader.ready.connect(self._picture_ready)
        self.loader.failed.connect(self._picture_failed)
        self.info = QLabel()  # always two lines, cut at the edge (all of it in the tooltip):
        self.info.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.next_step = NextStep(state)  # an empty list: where images come from
        self.good_button = QPushButton("Good  [G]")
        self.good_button.clicked.connect(lambda: self.label("good"))
        self.bad_button = QPushButton("Defective  [D]")
        self.bad_button.clicked.connect(lambda: self.label("defective"))
        # a plain list: Tab skipped the checkable buttons of a QButtonGroup after the first
        self.severity_buttons: list[QPushButton] = []
        sev_row = QHBoxLayout()
        for key, name in SEVERITY_KEYS.items():
            button = QPushButton(f"{name} [{key}]")
            button.setStyleSheet("padding: 4px 4px;")  # three across: the words must fit
            button.setCheckable(True)
            button.clicked.connect(lambda _c=False, n=name: self.set_severity(n))
            self.severity_buttons.append(button)
            sev_row.addWidget(button)
        self.types = DefectTypePanel(state)
        self.types.picked.connect(self.set_defect_type)
        self.types.picked.connect(lambda _t: self.types.list.hasFocus()  # Enter on a type:
                                  and self.gallery.setFocus())  # the label keys work again
        self.types.types_changed.connect(self.reload_types)
        self.brush = BrushControls(self.view, state.say)
        self.brush_button, self.erase_button = self.brush.brush_button, self.brush.erase_button
        self.clear_button = self.brush.clear_button
        self.undo_button = QPushButton("Undo  [Ctrl+Z]")
        self.undo_button.setToolTip("Ctrl+Z: undo the last brush stroke, then the last label")
        self.undo_button.clicked.connect(self.undo)
        nav_row = QHBoxLayout()
        nav_row.addWidget(self.undo_button)
        for text, step, key in (("◀ Prev", -1, "Left"), ("Next ▶", 1, "Right")):
            button = QPushButton(text)
            button.setToolTip(f"{key} arrow: the {'previous' if step < 0 else 'next'} image "
                              "of the list")
            button.clicked.connect(lambda _c=False, s=step: self.step(s))
            nav_row.addWidget(button)
        right = QWidget()
        right.setMinimumWidth(280)
        right.setMaximumWidth(380)
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.info)
        rl.addWidget(self.next_step)
        verdict_row = QHBoxLayout()  # one row: the page fits a 1024x600 screen unscrolled
        verdict_row.addWidget(self.good_button)
        verdict_row.addWidget(self.bad_button)
        rl.addLayout(verdict_row)
        rl.addLayout(sev_row)
        rl.addWidget(QLabel("Defect type"))
        rl.addWidget(self.types)
        rl.addWidget(self.brush)
        rl.addLayout(nav_row)
        rl.addStretch(1)

        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(self.view)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([400, 600])  # the image gets the larger share from the start
        middle = QVBoxLayout()
        middle.addLayout(filters)
        middle.addWidget(splitter, 1)
        body = QHBoxLayout()
        body.addLayout(middle, 1)
        body.addWidget(right)
        layout = QVBoxLayout(self)
        layout.addWidget(self.counts)
        layout.addLayout(body, 1)
        self._make_shortcuts()
        state.data_changed.connect(self._data_changed)
        # shown pages only: a hidden one is listed again when it is opened (a product
        # picked on Sign in re-listed it, 0.27 s of a 150,000-part project)
        state.product_changed.connect(lambda _p: self.isVisible() and self.on_shown())
        state.actor_changed.connect(lambda _a: self._apply_role())
        state.signing_out.connect(self._leave)

    # -- shortcuts ----------------------------------------------------------------------
    def _make_shortcuts(self) -> None:
        page_key(self, "G", lambda: self.label("good"))
        page_key(self, "D", lambda: self.label("defective"))
        for key, name in SEVERITY_KEYS.items():
            page_key(self, key, lambda n=name: self.set_severity(n))
        page_key(self, "B", self.brush_button.toggle)
        page_key(self, "Shift+B", self.erase_button.toggle)
        page_key(self, "[", lambda: self.brush.resize_brush(1 / 1.25))
        page_key(self, "]", lambda: self.brush.resize_brush(1.25))
        page_key(self, "Left", lambda: self.step(-1))
        page_key(self, "Right", lambda: self.step(1))
        page_key(self, "Ctrl+Z", self.undo)
        page_key(self, "Del", self.brush.clear_region)

    def _rebuild_type_shortcuts(self) -> None:
        for shortcut in self._type_shortcuts:
            shortcut.setEnabled(False)
            shortcut.deleteLater()
        self._type_shortcuts = [
            page_key(self, key, lambda n=name: self.set_defect_type(n), repeat=False)
            for key, name in self.types.shortcuts().items()
        ]

    # -- loading ------------------------------------------------------------------------
    def on_shown(self) -> None:
        self.reload_types()
        self._reload_products()
        if self.model.rowCount() == 0 and self.current is None:
            # First open (a QA lead's sign-in lands here): listed in the background. On
            # the GUI thread the 1,000 newest rows took 0.1 s, 0.5 s while the engine
            # was still loading (every fetched row hands the interpreter over).
            self.counts.setText("Listing…")
            self.background.request()
        else:
            self.reload_images()
        self.gallery.setFocus()

    def _leave(self) -> None:
        """Before a sign-out: a painted mask is saved under its painter, and the strokes
        are not left for the next operator to undo or save as theirs."""
        self.save_pending_mask()
        self.brush_button.setChecked(False)  # the next operator starts with clicks, not paint
        if self.current is not None:
            self.show_image(self.current)

    def shutdown(self) -> None:
        """Closing the window must not lose a painted mask."""
        self.save_pending_mask()

    def _apply_role(self) -> None:
        self.undo_stack.clear()  # nobody undoes the previous operator's labels
        self.types.reload(self.state.may(roles.MANAGE_DEFECT_TYPES))

    def reload_types(self) -> None:
        self.types.reload(self.state.may(roles.MANAGE_DEFECT_TYPES))
        self._rebuild_type_shortcuts()
        current = self.type_filter.currentData()
        box = self.type_filter
        box.blockSignals(True)
        box.clear()
        box.addItem(ANY, None)
        for t in self.types.types:
            box.addItem(t.name, t.name)
        # types taken off the list that labels still carry: their parts must stay findable
        for name in labeling.removed_types_in_use(self.state.project):
            box.addItem(f"{name} (removed)", name)
        box.setCurrentIndex(max(0, box.findData(current)))
        box.blockSignals(False)
        if current is not None and box.currentData() != current:
            self.reload_images()  # the filtered type is gone: show what "(any)" says

    def _reload_products(self) -> None:
        self.product_filter.blockSignals(True)
        self.product_filter.clear()
        self.product_filter.addItems([ANY] + [p.name for p in products.list_products(
            self.state.project)])
        self.product_filter.setCurrentText(self.state.product or ANY)
        self.product_filter.blockSignals(False)

    def _filter_product(self) -> str | None:
        text = self.product_filter.currentText()
        return None if text in ("", ANY) else text

    def _new_filter(self) -> None:
        """Another filter lists the newest page again (its older images are another set)."""
        self.limit = PAGE
        self.reload_images()

    def show_older(self) -> None:
        """Another page of older images, in the background; the image on screen stays."""
        self.limit += PAGE
        self.older_button.setEnabled(False)
        self.older_label.setText("Listing older images…")
        self.background.overtake()  # a refresh read now would list the shorter page
        self.older.overtake()
        self.older.request()

    def _older_listed(self, listing: Listing) -> None:
        self.older_button.setEnabled(True)
        self._apply_listing(listing, keep_shown=True)

    def _older_failed(self, exc: BaseException) -> None:
        """Failed (a busy database): the page stays, its button ready for another try."""
        self.state.say(str(exc))
        self.limit = max(PAGE, self.limit - PAGE)
        self.older_button.setEnabled(True)
        self._show_listed(len(self.model.images), self._total)

    def _listing_args(self) -> tuple:
        """(query, project, filters, limit, product) as the page stands now."""
        state = self.state_filter.currentText()
        filters = {"product": self._filter_product(), "state": None if state == ANY else state,
                   "defect_type": self.type_filter.currentData(),
                   "since": self.since.since()}
        # the counts over the listed product: they named the signed-in one and counted it
        # while the gallery listed another
        return query_listing, self.state.project, filters, self.limit, filters["product"]

    def reload_images(self, keep_shown: bool = False) -> None:
        """Query the newest ``limit`` images that match the filters and refresh the counts
        (a person asked: a filter, Show older, the page opened)."""
        self.background.overtake()  # results read before this one are dropped
        self.older.overtake()
        self.older_button.setEnabled(True)
        self.counting.overtake()
        fn, *args = self._listing_args()
        try:  # the list now, its counts in the background (the page opens 0.25 s sooner)
            listing = fn(*args, counts=False)
        except UserError as exc:
            self.state.say(str(exc))
            listing = Listing([], 0, None, self.model.sensor_bits)
        self._apply_listing(listing, keep_shown)
        if listing.counts is None:  # while the pool is busy (training), not the old ones
            self.counts.setText(f"{self._filter_product() or 'All products'}: counting…")
        self.counting.request()

    def _apply_listing(self, listing: Listing, keep_shown: bool = False) -> None:
        """Show a listing. ``keep_shown`` (someone else changed the data): the image on
        screen stays, even if it no longer matches, so the operator's next key lands on
        the image they are looking at."""
        self.model.sensor_bits = listing.sensor_bits
        images = list(listing.images)
        self._show_listed(len(images), listing.total)
        old_row = self.gallery.currentIndex().row()
        after = [i.id for i in self.model.images[max(old_row, 0):]]
        shown = self.current
        if keep_shown and shown is not None and all(i.id != shown.id for i in images):
            try:  # as it is now (another station may have labelled it too)
                images.insert(min(max(old_row, 0), len(images)),
                              labeling.get_image(self.state.project, shown.id))
            except UserError:
                pass  # deleted meanwhile: the next image is shown
        self.model.set_images(images)
        if listing.counts is not None:
            self._show_counts(listing.counts)
        # The shown image, or (when it left the filter) the next one that is still listed.
        rows = {info.id: r for r, info in enumerate(self.model.images)}  # one pass: a
        # scan per id froze the page for minutes with 20,000 images listed and none kept
        row = next((rows[i] for i in after if i in rows), -1)
        self.select_row(row if row >= 0 else max(0, min(old_row, self.model.rowCount() - 1)))

    def _show_listed(self, listed: int, total: int) -> None:
        """Say when older images are left out, with the button that lists them."""
        self._total = total
        more = total > listed
        self.older_label.setVisible(more)
        self.older_button.setVisible(more)
        if more:
            self.older_label.setText(f"Newest {listed:,} of {total:,}")

    def update_counts(self) -> None:
        """Counts again after a label given here, in the background (at 100,000 images
        they take 0.2 s, and a label key must not wait for them)."""
        self.counting.request()

    def _show_counts(self, counts: dict[str, int]) -> None:
        self.counts.setText(
            f"{self._filter_product() or 'All products'}: {counts['good']} good · "
            f"{counts['defective']} defective · {counts['unlabelled']} unlabelled"
        )

    def _data_changed(self, kind: str) -> None:
        # A label given here already updated the gallery in place. Re-running the query
        # would drop a just-labelled image from an "unlabelled" view under the operator's
        # hands, and the next key would land on another image.
        if self._own_notice:
            return
        if kind in ("images", "labels") and self.isVisible():
            self.background.request()  # off the GUI thread: see ui.coalesced_job

    def select_row(self, row: int) -> None:
        if not 0 <= row < self.model.rowCount():
            self.show_image(None)
            return
        index = self.model.index(row)
        self.gallery.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
        )
        self.gallery.scrollTo(index)
        listed = self.model.images[row]
        if self.current is None or self.current.id != listed.id:
            self.show_image(listed)
        elif label_of(listed) != label_of(self.current):  # another station relabelled it
            mask_changed = listed.has_mask != self.current.has_mask and not self._mask_dirty
            self.current = listed  # the keys act on the label as it is now
            self._show_info(listed)
            if mask_changed:
                self.show_image(listed)  # its region came or went: the picture again

    def _row_changed(self, index, _previous) -> None:  # noqa: ANN001 - Qt indexes
        info = index.data(InfoRole) if index.isValid() else None
        if info is not None and (self.current is None or info.id != self.current.id):
            self.show_image(info)

    def show_image(self, info: ImageInfo | None) -> None:
        """Name and label at once; the picture when the loader delivers it. The previous
        picture goes now: it must never stand under this image's name."""
        self.save_pending_mask()  # a filter that leaves the painted image out drops none
        self.current = info
        self._mask_dirty = False
        self.info.setVisible(info is not None)
        if info is None:
            self.loader.forget()
            self.view.set_image(None)
            self.next_step.show_step(nothing_shown_text(self.state.project),
                                     [("Open Capture", "capture")])
            return
        self.next_step.clear()
        self._show_info(info)
        self._load_picture(info)

    def _load_picture(self, info: ImageInfo) -> None:
        self.view.show_loading()  # the old picture must never stand under this name
        self.loader.request(info.id, load_picture, self.state.project, info.id,
                            info.has_mask)

    def picture_pending(self) -> bool:
        """True while the picture of the image named on the page is still loading."""
        return self.current is not None and self.loader.pending()

    def _picture_ready(self, image_id: int, picture: Picture) -> None:
        if self.current is None or self.current.id != image_id:
            return  # the operator moved on meanwhile
        self.view.show_picture(picture)
        self._mask_dirty = False

    def _picture_failed(self, image_id: int, exc: BaseException) -> None:
        if self.current is not None and self.current.id == image_id:
            self.view.set_image(None)
            self.info.setText(str(exc))

    def _not_seen_yet(self) -> bool:
        """Label keys while the picture is still loading are refused: the image named on
        the page has not been looked at (a G pressed on the previous picture lands here
        when the keys come faster than the pictures). Nor one that failed to load: a key
        there relabelled it blind and dropped its stored region."""
        if not self.picture_pending() and self.view.has_image():
            return False
        what = "is still loading" if self.picture_pending() else "cannot be shown"
        self.state.say(f"Image #{self.current.id} {what}: label it once you see it")
        return True

    def _show_info(self, info: ImageInfo) -> None:
        self.info.setText(info_html(info))  # two lines: a long name moved the buttons
        self.info.setToolTip(self.info.text())
        self.types.select(info.defect_type)
        self.severity = info.severity
        for button in self.severity_buttons:
            button.setChecked(button.text().startswith(info.severity or "-"))

    # -- labelling ----------------------------------------------------------------------
    def label(self, verdict: str, advance: bool | None = None) -> bool:
        """Save a label for the current image; a good label moves on to the next image."""
        info = self.current
        if info is None or self._not_seen_yet():
            return False
        defective = verdict == "defective"
        fresh = self._reread(info)  # one row: another station may have labelled it since
        if label_of(fresh) != label_of(info):  # a key on what it was would overwrite that
            self.state.say(f"Image #{info.id} was labelled {fresh.state} elsewhere meanwhile:"
                           " shown now; press the key again to change it")
            self._changed_elsewhere = True
            return False
        if not defective and info.state == "good":  # G again: no duplicate label row
            self._mask_dirty = False  # a stroke on a good part is dropped, not saved as NG
            if not self.step(1):
                self.state.say("Already good; this is the last image of the list")
            return True
        previous = LabelUndo.before_change(self.state.project, info)
        # A type removed since is not in the list: the label keeps its name.
        dtype = self.types.current() or (info.defect_type if info.state == "defective"
                                         else None)
        try:
            made = labeling.label_image(
                self.state.project, self.state.actor, info.id, verdict,
                defect_type=dtype if defective else None,
                severity=self.severity if defective else None,
                mask=self.view.mask() if defective else None,
            )
        except UserError as exc:
            show_error(self, exc)
            return False
        self.undo_stack.append(previous.made(made))
        self._mask_dirty = False
        if not defective:  # the region belongs to no label now: Ctrl+Z undoes the label
            self.view.forget_strokes()
        self._after_label(info.id)
        if advance if advance is not None else not defective:
            self.step(1)
        return True

    def _reread(self, info: ImageInfo) -> ImageInfo:
        """The image's label as stored now, shown (``info`` when it is gone)."""
        try:
            fresh = labeling.get_image(self.state.project, info.id)
        except UserError:
            return info  # deleted meanwhile: label() says so when it writes
        if label_of(fresh) != label_of(info):
            self.model.replace(fresh)
            self.current = fresh
            self._show_info(fresh)
            if fresh.has_mask != info.has_mask:  # its region came or went: shown too
                self._load_picture(fresh)
        return fresh

    def _after_label(self, image_id: int) -> None:
        self.background.overtake()  # a listing under way was read before this label
        fresh = labeling.get_image(self.state.project, image_id)
        self.model.replace(fresh)
        if self.current and self.current.id == image_id:
            self.current = fresh
            self._show_info(fresh)
        self.update_counts()
        self._own_notice = True
        try:
            self.state.notify("labels")
        finally:
            self._own_notice = False

    def set_severity(self, severity: str) -> None:
        """Choose a severity; an image already labelled defective is relabelled with it."""
        if self._not_seen_yet():
            return
        self.severity = severity
        for button in self.severity_buttons:
            button.setChecked(button.text().startswith(severity))
        if self.current is not None and self.current.state == "defective":
            self.label("defective", advance=False)

    def set_defect_type(self, name: str) -> None:
        """Choosing a type labels the current image defective with that type."""
        if self._not_seen_yet():
            return
        self.types.select(name)
        if self.current is not None:
            self.label("defective", advance=False)

    def save_pending_mask(self) -> None:
        """A mask painted after D is saved when the user moves on. A region painted on an
        image not labelled defective says where its defect is: it is labelled defective
        with it (undoable) rather than the strokes being dropped unsaved."""
        info = self.current
        if not self._mask_dirty or info is None:
            return
        if info.state == "defective":
            self.label("defective", advance=False)
        elif self.view.mask() is not None and self.label("defective", advance=False):
            self.state.say(f"Image #{info.id} labelled defective: a region was painted on "
                           "it (Ctrl+Z undoes)")

    def step(self, delta: int) -> bool:
        """Move through the list; False at its end (nothing to move to)."""
        self._changed_elsewhere = False
        self.save_pending_mask()
        if self._changed_elsewhere:  # the strokes wait on the label just shown
            return True
        row = self.gallery.currentIndex().row()
        target = min(max(0, row + delta), self.model.rowCount() - 1)
        if target != row:
            self.select_row(target)
            return True
        return False

    def undo(self) -> None:
        """Undo the last brush stroke; with none left, re-append the previous label."""
        undo_last(self)
