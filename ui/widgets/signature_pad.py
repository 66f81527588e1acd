"""A handwritten signature: a pad for pen, finger or mouse, and the dialog that asks for one.

:class:`SignaturePad` records strokes from mouse events, touch points and
tablet pens (the pen's pressure widens the line), draws them in dark ink, and
exports them as a PNG — transparent background, trimmed to the ink with a
margin — ready to be stored as evidence and stamped into a form's box. Events
a pad accepts are not synthesized into mouse events again, so one pen stroke
is one stroke. :class:`SignatureDialog` puts a pad under the signer's role and
name with 清除 / 取消 / 确定 (确定 only once something is drawn) and, where
signing is optional, a separate 不签名 choice.
"""
from __future__ import annotations

from typing import NamedTuple

from PySide6.QtCore import QBuffer, QByteArray, QEvent, QIODevice, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QTabletEvent,
    QTouchEvent,
)
from PySide6.QtWidgets import QDialog, QPushButton, QSizePolicy, QWidget

from ui.layouts import STRETCH, hbox, vbox
from ui.plain_text import plain_label

PAD_MIN_WIDTH_PX = 560  # big enough to sign on a tablet with a finger
PAD_MIN_HEIGHT_PX = 220
INK = QColor("#111a2e")  # dark blue-black ink
INK_WIDTH_PX = 3.0  # line width at normal pressure
TRIM_MARGIN_PX = 12  # blank border kept around the ink in the exported PNG
Stroke = list[tuple[QPointF, float]]  # points with pen pressure (1.0 for mouse and touch)


class Captured(NamedTuple):
    """A signature drawn on the pad, for one sign-off: the PNG, the signer's role in it and their name."""

    png: bytes
    signer_role: str
    signer_name: str


class SignaturePad(QWidget):
    """Draw a signature; :meth:`png` gives it as PNG bytes (``None`` while the pad is empty)."""

    changed = Signal()  # a stroke was drawn or the pad cleared

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.strokes: list[Stroke] = []
        self._drawing = False
        self.setMinimumSize(PAD_MIN_WIDTH_PX, PAD_MIN_HEIGHT_PX)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_StaticContents)
        self.setCursor(Qt.CursorShape.CrossCursor)

    def is_empty(self) -> bool:
        return not any(self.strokes)

    def clear(self) -> None:
        self.strokes.clear()
        self._drawing = False
        self.update()
        self.changed.emit()

    # -- input ------------------------------------------------------------------
    def _begin(self, point: QPointF, pressure: float = 1.0) -> None:
        self._drawing = True
        self.strokes.append([(point, pressure)])
        self.update()

    def _extend(self, point: QPointF, pressure: float = 1.0) -> None:
        if self._drawing:
            self.strokes[-1].append((point, pressure))
            self.update()

    def _end(self) -> None:
        if self._drawing:
            self._drawing = False
            self.changed.emit()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._begin(event.position())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        self._extend(event.position())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._extend(event.position())
        self._end()

    def tabletEvent(self, event: QTabletEvent) -> None:
        pressure = max(0.2, event.pressure()) if event.pressure() > 0 else 1.0
        kind = event.type()
        if kind == QEvent.Type.TabletPress:
            self._begin(event.position(), pressure)
        elif kind == QEvent.Type.TabletMove:
            self._extend(event.position(), pressure)
        elif kind == QEvent.Type.TabletRelease:
            self._end()
        event.accept()  # not again as a mouse event

    def event(self, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate, QEvent.Type.TouchEnd) \
                and isinstance(event, QTouchEvent) and event.points():
            point = event.points()[0].position()  # one finger signs; others are ignored
            if kind == QEvent.Type.TouchBegin:
                self._begin(point)
            elif kind == QEvent.Type.TouchUpdate:
                self._extend(point)
            else:
                self._extend(point)
                self._end()
            event.accept()
            return True
        if kind == QEvent.Type.TouchCancel:
            self._end()
            return True
        return super().event(event)

    # -- drawing ------------------------------------------------------------------
    def _paint_strokes(self, painter: QPainter) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for stroke in self.strokes:
            if len(stroke) == 1:
                point, pressure = stroke[0]
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(INK)
                painter.drawEllipse(point, INK_WIDTH_PX * pressure, INK_WIDTH_PX * pressure)
                continue
            for (a, pa), (b, pb) in zip(stroke, stroke[1:]):
                pen = QPen(INK, INK_WIDTH_PX * (pa + pb) / 2, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                           Qt.PenJoinStyle.RoundJoin)
                painter.setPen(pen)
                painter.drawLine(a, b)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#ffffff"))
        painter.setPen(QPen(QColor("#b9c4bf"), 1))
        painter.drawRect(self.rect().adjusted(0, 0, -1, -1))
        baseline = int(self.height() * 0.75)
        painter.setPen(QPen(QColor("#d6dcd9"), 1, Qt.PenStyle.DashLine))
        painter.drawLine(24, baseline, self.width() - 24, baseline)
        if self.is_empty():
            painter.setPen(QColor("#9aa5a0"))
            painter.drawText(QRectF(self.rect()), Qt.AlignmentFlag.AlignCenter, self.tr("请在此处签名"))
        self._paint_strokes(painter)
        painter.end()

    # -- export ---------------------------------------------------------------------
    def ink_rect(self) -> QRectF:
        """The bounding box of the ink (line width included)."""
        points = [p for stroke in self.strokes for p, _ in stroke]
        xs, ys = [p.x() for p in points], [p.y() for p in points]
        pad = INK_WIDTH_PX * 2
        return QRectF(min(xs) - pad, min(ys) - pad, max(xs) - min(xs) + 2 * pad, max(ys) - min(ys) + 2 * pad)

    def png(self) -> bytes | None:
        """The signature as PNG bytes: dark ink on a transparent background, trimmed to the ink plus a margin."""
        if self.is_empty():
            return None
        box = self.ink_rect().adjusted(-TRIM_MARGIN_PX, -TRIM_MARGIN_PX, TRIM_MARGIN_PX, TRIM_MARGIN_PX)
        image = QImage(max(1, round(box.width())), max(1, round(box.height())), QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.translate(-box.left(), -box.top())
        self._paint_strokes(painter)
        painter.end()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")
        buffer.close()
        return bytes(data.data())


class SignatureDialog(QDialog):
    """Ask ``signer_name`` (signing as ``signer_label``) to sign. After ``accept()``, :attr:`png` holds the
    signature, or ``None`` when the user chose 不签名 (offered only with ``allow_skip``)."""

    def __init__(self, signer_label: str, signer_name: str, parent: QWidget | None = None, *,
                 allow_skip: bool = False) -> None:
        super().__init__(parent)
        self.png: bytes | None = None
        self.skipped = False
        self.setWindowTitle(self.tr("签名 — {role}").format(role=signer_label))
        self.signer = plain_label(self.tr("{role}：{name}").format(role=signer_label, name=signer_name), self)
        self.signer.setObjectName("caseTitle")
        self.pad = SignaturePad(self)
        self.hint = plain_label(self.tr("用手写笔、手指或鼠标在框内签名"), self, object_name="muted")
        self.clear_button = QPushButton(self.tr("清除"), self)
        self.cancel_button = QPushButton(self.tr("取消"), self)
        self.ok_button = QPushButton(self.tr("确定"), self)
        self.ok_button.setProperty("primary", True)
        self.ok_button.setDefault(True)
        self.skip_button = QPushButton(self.tr("不签名，继续"), self)
        self.skip_button.setVisible(allow_skip)
        self.clear_button.clicked.connect(self.pad.clear)
        self.cancel_button.clicked.connect(self.reject)
        self.ok_button.clicked.connect(self.confirm)
        self.skip_button.clicked.connect(self.skip)
        self.pad.changed.connect(self._update)
        vbox(self.signer, (self.pad, 1), self.hint,
             hbox(self.clear_button, STRETCH, self.skip_button, self.cancel_button, self.ok_button), parent=self)
        self.resize(PAD_MIN_WIDTH_PX + 80, PAD_MIN_HEIGHT_PX + 180)
        self._update()

    def _update(self) -> None:
        self.ok_button.setEnabled(not self.pad.is_empty())

    def confirm(self) -> bool:
        """Accept with the drawn signature; refused (False) while the pad is empty."""
        png = self.pad.png()
        if png is None:
            return False
        self.png = png
        self.accept()
        return True

    def skip(self) -> None:
        self.png, self.skipped = None, True
        self.accept()
