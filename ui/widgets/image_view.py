"""A large image view: wheel, pinch or Ctrl with + / - / 0 to zoom, drag to pan, optional
brush for defect masks.

The brush paints into an ARGB image layered over the picture; ``mask()`` turns it into
the HxW boolean array the labelling service stores. Each stroke can be undone; the
eraser (or a right-button drag) takes paint away. The brush size is in screen pixels, so
it feels the same on a 0.3 MP and a 12 MP photo, and a circle under the pointer shows
what it will cover. On a 12 MP photo the layer is 48 MB: a mouse move repaints only the
segment's rectangle, and each undo step keeps the mask packed to one bit per pixel
(1.5 MB), not a full copy.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QNativeGestureEvent,
    QPainter,
    QPen,
    QPixmap,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QGestureEvent,
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsView,
    QPinchGesture,
    QStyleOptionGraphicsItem,
    QWidget,
)

from ui.image_loader import Picture, mask_layer, prepare
from ui.qimage import alpha_mask, rgb_to_qimage

BRUSH_COLOUR = QColor(255, 0, 60)
MIN_BRUSH, MAX_BRUSH = 2, 200
UNDO_STEPS = 30
ZOOM_STEP = 1.25  # one wheel notch, one key press
# Ctrl with them, not the bare keys: a defect type may take +, - or 0 as its labelling key
# on the Label page, and a key that zooms or labels depending on the types is a trap.
ZOOM_KEYS = {Qt.Key.Key_Plus: ZOOM_STEP, Qt.Key.Key_Equal: ZOOM_STEP,
             Qt.Key.Key_Minus: 1 / ZOOM_STEP, Qt.Key.Key_0: 0.0}  # 0.0: fit
ZOOM_HELP = ("Ctrl and + or = zooms in, Ctrl and - zooms out, Ctrl and 0 fits the picture; "
             "pinch or the mouse wheel zoom too, a drag pans")


class _MaskItem(QGraphicsItem):
    """Draws the brush layer straight from its QImage, only where the scene asks: no
    full-size pixmap copy per mouse move."""

    def __init__(self) -> None:
        super().__init__()
        self.image = QImage()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)

    def set_image(self, image: QImage) -> None:
        self.prepareGeometryChange()
        self.image = image
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt override
        return QRectF() if self.image.isNull() else QRectF(self.image.rect())

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        if self.image.isNull():
            return
        area = option.exposedRect.intersected(self.boundingRect())
        painter.drawImage(area, self.image, area)


def _packed(image: QImage) -> tuple[bytes, tuple[int, int]]:
    """One bit per pixel: an undo step of a 12 MP mask is 1.5 MB instead of 48 MB."""
    mask = alpha_mask(image)
    return np.packbits(mask).tobytes(), mask.shape


def _unpacked(packed: tuple[bytes, tuple[int, int]]) -> QImage:
    data, (h, w) = packed
    mask = np.unpackbits(np.frombuffer(data, np.uint8), count=h * w).reshape(h, w)
    return mask_layer(mask.astype(bool))


class ImageView(QGraphicsView):
    """Zoomable, pannable image with an optional overlay and a defect-region brush."""

    mask_changed = Signal()
    brush_toggled = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setBackgroundBrush(QColor("#202124"))
        self.setMinimumSize(320, 240)
        self._image_item = QGraphicsPixmapItem()
        self._overlay_item = QGraphicsPixmapItem()
        self._mask_item = _MaskItem()
        self._mask_item.setOpacity(0.45)
        for z, item in enumerate((self._image_item, self._overlay_item, self._mask_item)):
            item.setZValue(z)
            if isinstance(item, QGraphicsPixmapItem):
                item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
            self.scene().addItem(item)
        self._outline = QGraphicsEllipseItem()
        pen = QPen(QColor(255, 255, 255), 2)
        pen.setCosmetic(True)  # 2 screen pixels at any zoom
        self._outline.setPen(pen)
        self._outline.setBrush(QBrush(Qt.BrushStyle.NoBrush))
        self._outline.setZValue(3)
        self._outline.setVisible(False)
        self.scene().addItem(self._outline)
        self.viewport().setMouseTracking(True)  # the outline follows the pointer
        self._mask_image = QImage()  # made at the first stroke where no mask was stored
        self._message = ""  # drawn over an empty view ("Loading…")
        self._undo: list[tuple[bytes, tuple[int, int]]] = []
        self._painting = False
        self._erasing_stroke = False
        self._last_point: QPointF | None = None
        self.brush_enabled = False
        self.erasing = False
        self.brush_size = 20
        self.zoom_factor = self._fitted_zoom = 1.0
        self._user_zoomed = False
        # A screen reader names it, and gloves on a touch panel zoom with two fingers.
        self.setAccessibleName("Picture")
        self.setAccessibleDescription(ZOOM_HELP)
        self.viewport().setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents)
        self.viewport().grabGesture(Qt.GestureType.PinchGesture)

    # -- image and overlays -------------------------------------------------------------
    def set_image(self, rgb: np.ndarray | None, mask: np.ndarray | None = None) -> None:
        """Show ``rgb`` fitted to the view; ``mask`` (HxW) preloads the brush layer. Big
        pictures: ui.image_loader prepares them off the GUI thread for show_picture."""
        self.show_picture(None if rgb is None else prepare(rgb, mask))

    def show_picture(self, picture: Picture | None) -> None:
        """Show a prepared picture (its overlay too) fitted to the view; None: empty."""
        self._undo.clear()
        self._user_zoomed = False
        self._message = ""
        self.set_overlay(None)
        self._outline.setVisible(False)  # shown again when the pointer moves over the image
        self._mask_image = QImage() if picture is None or picture.mask is None else picture.mask
        if picture is None:
            self._image_item.setPixmap(QPixmap())
            self._mask_item.set_image(self._mask_image)
            self.viewport().update()
            return
        self._image_item.setPixmap(QPixmap.fromImage(picture.image))
        self._refresh_mask()
        self.scene().setSceneRect(QRectF(picture.image.rect()))
        self.fit()
        if picture.overlay is not None:
            self.set_overlay(picture.overlay)

    def show_loading(self, text: str = "Loading…") -> None:
        """Empty while a picture loads: the previous one must not stand under the next
        image's name."""
        self.show_picture(None)
        self._message = text

    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:  # noqa: N802 - Qt override
        super().drawForeground(painter, rect)
        if self._message and not self.has_image():
            painter.save()
            painter.resetTransform()
            painter.setPen(QColor(220, 220, 220))
            painter.drawText(self.viewport().rect(), Qt.AlignmentFlag.AlignCenter,
                             self._message)
            painter.restore()

    def set_overlay(self, rgba: np.ndarray | QImage | None) -> None:
        """Show an RGB(A) overlay (a heat map) over the image, scaled to it; None hides it."""
        if rgba is None or (isinstance(rgba, QImage) and rgba.isNull()):
            self._overlay_item.setPixmap(QPixmap())
            return
        image = rgba if isinstance(rgba, QImage) else rgb_to_qimage(rgba)
        pix = QPixmap.fromImage(image)
        self._overlay_item.setPixmap(pix)
        image = self._image_item.pixmap()
        if not image.isNull() and pix.width():
            self._overlay_item.setScale(image.width() / pix.width())

    def set_overlay_visible(self, visible: bool) -> None:
        self._overlay_item.setVisible(visible)

    def overlay_visible(self) -> bool:
        return self._overlay_item.isVisible() and not self._overlay_item.pixmap().isNull()

    def has_image(self) -> bool:
        return not self._image_item.pixmap().isNull()

    def event(self, event: QEvent) -> bool:
        """Let page shortcuts (H, B, G...) win: the scene would otherwise claim the keys."""
        if event.type() == QEvent.Type.ShortcutOverride:
            event.ignore()
            return True
        return super().event(event)

    # -- zoom -----------------------------------------------------------------------------
    def fit(self) -> None:
        """Fit the whole image in the view."""
        if self.has_image():
            self.resetTransform()
            self.fitInView(self._image_item, Qt.AspectRatioMode.KeepAspectRatio)
            self.zoom_factor = self._fitted_zoom = self.transform().m11()
            self._move_outline(self._outline.rect().center())  # same size on screen

    def zoom(self, factor: float) -> None:
        self._user_zoomed = True
        # The limits are around the fitted scale too: a 16 px crop fits at 56x, and
        # "zoom in" clamped at 40x made it smaller.
        fitted = self._fitted_zoom
        new = min(max(40.0, 8 * fitted), max(min(0.02, fitted / 8), self.zoom_factor * factor))
        self.scale(new / self.zoom_factor, new / self.zoom_factor)
        self.zoom_factor = new
        self._move_outline(self._outline.rect().center())

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 - Qt override
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.zoom(ZOOM_STEP**steps)
        event.accept()

    def zoom_at(self, factor: float, point: QPoint | None = None) -> None:
        """Zoom keeping the picture under ``point`` (viewport pixels) in place, or the
        centre: a key press has no pointer, and the mouse may rest anywhere."""
        if not self.has_image():
            return
        inside = point is not None and self.viewport().rect().contains(point)
        anchor = self.transformationAnchor()
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor if inside
                                     else QGraphicsView.ViewportAnchor.AnchorViewCenter)
        try:
            before = self.mapToScene(point) if inside and point is not None else None
            self.zoom(factor)
            if before is not None and point is not None:
                drift = self.mapFromScene(before) - point
                self.horizontalScrollBar().setValue(self.horizontalScrollBar().value()
                                                    + drift.x())
                self.verticalScrollBar().setValue(self.verticalScrollBar().value() + drift.y())
        finally:
            self.setTransformationAnchor(anchor)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        """Ctrl with + (or =), - and 0: zoom in, out and fit without a mouse wheel."""
        factor = ZOOM_KEYS.get(event.key())  # an IntEnum: ints find it
        extra = Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.KeypadModifier
        if factor is None or event.modifiers() & ~extra != Qt.KeyboardModifier.ControlModifier:
            super().keyPressEvent(event)
            return
        if factor:
            self.zoom_at(factor)
        else:
            self._user_zoomed = False  # fitted again: a resize fits it too
            self.fit()
        event.accept()

    def pinch(self, gesture: QPinchGesture) -> None:
        """Two fingers apart or together zoom about their middle; each update carries the
        step since the previous one."""
        if gesture.changeFlags() & QPinchGesture.ChangeFlag.ScaleFactorChanged:
            step = gesture.scaleFactor()
            if step > 0:
                centre = self.viewport().mapFromGlobal(gesture.centerPoint()).toPoint()
                self.zoom_at(step, centre)

    def viewportEvent(self, event: QEvent) -> bool:  # noqa: N802 - Qt override
        """Pinches reach the viewport; the scene has no use for them."""
        if isinstance(event, QGestureEvent):
            gesture = event.gesture(Qt.GestureType.PinchGesture)
            if isinstance(gesture, QPinchGesture):
                event.accept(gesture)
                if event.type() == QEvent.Type.Gesture:
                    self.pinch(gesture)
                return True
        if (isinstance(event, QNativeGestureEvent)  # a touchpad's pinch (macOS, Wayland)
                and event.gestureType() == Qt.NativeGestureType.ZoomNativeGesture):
            self.zoom_at(1 + event.value(), event.position().toPoint())
            event.accept()
            return True
        return super().viewportEvent(event)

    def resizeEvent(self, event) -> None:  # noqa: N802, ANN001 - Qt override
        super().resizeEvent(event)
        if self.has_image() and not self._user_zoomed:
            self.fit()

    # -- brush ----------------------------------------------------------------------------
    def set_brush_enabled(self, enabled: bool) -> None:
        """Brush mode paints on drag; otherwise drag pans."""
        self.brush_enabled = enabled
        self.setDragMode(
            QGraphicsView.DragMode.NoDrag if enabled else QGraphicsView.DragMode.ScrollHandDrag
        )
        self.viewport().setCursor(
            Qt.CursorShape.CrossCursor if enabled else Qt.CursorShape.OpenHandCursor
        )
        if not enabled:
            self._outline.setVisible(False)
        self.brush_toggled.emit(enabled)

    def set_erasing(self, erasing: bool) -> None:
        """Left drags take paint away instead of adding it (a right drag always erases)."""
        self.erasing = erasing

    def set_brush_size(self, size: int) -> None:
        """Diameter in screen pixels."""
        self.brush_size = int(min(MAX_BRUSH, max(MIN_BRUSH, size)))
        self._move_outline(self._outline.rect().center())

    def pen_width(self) -> float:
        """The brush diameter in image pixels at the current zoom (at least one pixel)."""
        return max(1.0, self.brush_size / max(self.zoom_factor, 1e-6))

    def _move_outline(self, centre: QPointF) -> None:
        r = self.pen_width() / 2
        self._outline.setRect(QRectF(centre.x() - r, centre.y() - r, 2 * r, 2 * r))

    def _layer(self) -> QImage:
        """The brush layer, made clear at the first stroke (48 MB for 12 MP: not made for
        every picture shown, most are never painted on)."""
        if self._mask_image.isNull() and self.has_image():
            pix = self._image_item.pixmap()
            self._mask_image = QImage(pix.width(), pix.height(),
                                      QImage.Format.Format_ARGB32_Premultiplied)
            self._mask_image.fill(Qt.GlobalColor.transparent)
            self._mask_item.set_image(self._mask_image)
        return self._mask_image

    def mask(self) -> np.ndarray | None:
        """The painted region as HxW bool, or None when nothing is painted."""
        if self._mask_image.isNull():
            return None
        arr = alpha_mask(self._mask_image)
        return arr if arr.any() else None

    def clear_mask(self) -> None:
        if not self._mask_image.isNull():
            self.begin_stroke()
            self._mask_image.fill(Qt.GlobalColor.transparent)
            self._refresh_mask()

    def forget_strokes(self) -> None:
        """The strokes so far were saved with a label: none of them is undone on its own."""
        self._undo.clear()

    def can_undo(self) -> bool:
        return bool(self._undo)

    def undo_stroke(self) -> bool:
        """Undo the last brush stroke; False when there is none."""
        if not self._undo:
            return False
        self._mask_image = _unpacked(self._undo.pop())
        self._refresh_mask()
        return True

    def paint_line(self, start: QPointF, end: QPointF, erase: bool | None = None) -> None:
        """Paint (or erase) one brush segment in image coordinates; mouse drags end up
        here. ``erase`` None follows the eraser setting."""
        if self._layer().isNull():  # no picture to paint on
            return
        erase = self.erasing if erase is None else erase
        width = self.pen_width()
        painter = QPainter(self._mask_image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        if erase:
            painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Clear)
        if start == end:  # a click: Qt draws nothing for a zero-length line
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(BRUSH_COLOUR)
            painter.drawEllipse(start, width / 2, width / 2)
            # At least the pixel under the pointer: zoomed in, a brush under one image
            # pixel wide filled no pixel's centre, and a click painted nothing.
            painter.fillRect(QRectF(math.floor(start.x()), math.floor(start.y()), 1, 1),
                             BRUSH_COLOUR)
        else:
            pen = QPen(BRUSH_COLOUR, width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
            painter.setPen(pen)
            painter.drawLine(start, end)
        painter.end()
        reach = width / 2 + 2
        self._mask_item.update(QRectF(start, end).normalized().adjusted(
            -reach, -reach, reach, reach))  # only the new segment is redrawn
        self.mask_changed.emit()

    def begin_stroke(self) -> None:
        if not self._layer().isNull():
            self._undo.append(_packed(self._mask_image))
            del self._undo[:-UNDO_STEPS]

    def _refresh_mask(self) -> None:
        self._mask_item.set_image(self._mask_image)
        self.mask_changed.emit()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        button = event.button()
        if self.brush_enabled and button in (Qt.MouseButton.LeftButton,
                                             Qt.MouseButton.RightButton):
            self._painting = True
            self._erasing_stroke = self.erasing or button == Qt.MouseButton.RightButton
            self.begin_stroke()
            self._last_point = self.mapToScene(event.position().toPoint())
            self.paint_line(self._last_point, self._last_point, self._erasing_stroke)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if self.brush_enabled:
            point = self.mapToScene(event.position().toPoint())
            self._move_outline(point)
            self._outline.setVisible(self.has_image())
        if self._painting and self._last_point is not None:
            point = self.mapToScene(event.position().toPoint())
            self.paint_line(self._last_point, point, self._erasing_stroke)
            self._last_point = point
            event.accept()
            return
        super().mouseMoveEvent(event)

    def leaveEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        self._outline.setVisible(False)
        super().leaveEvent(event)

    def contextMenuEvent(self, event) -> None:  # noqa: N802, ANN001 - Qt override
        if self.brush_enabled:
            event.accept()  # the right button erases while the brush is on
            return
        super().contextMenuEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if self._painting:
            self._painting = False
            self._last_point = None
            event.accept()
            return
        super().mouseReleaseEvent(event)
