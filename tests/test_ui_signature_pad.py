"""The signature pad: strokes from the mouse become dark ink in a trimmed PNG; an empty pad is refused."""
from __future__ import annotations

import io

from PIL import Image
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from tests.ui_fixtures import *  # noqa: F403 - fixtures
from tests.ui_fixtures import show_exposed


def _stroke(pad, points: list[tuple[int, int]]) -> None:
    QTest.mousePress(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(*points[0]))
    for point in points[1:]:
        QTest.mouseMove(pad, QPoint(*point))
    QTest.mouseRelease(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(*points[-1]))


def test_a_drawn_stroke_is_dark_ink_in_the_png(qapp, qtbot):
    from ui.widgets.signature_pad import TRIM_MARGIN_PX, SignatureDialog

    dialog = show_exposed(qtbot, SignatureDialog("核查人员", "张三"), (700, 420))
    pad = dialog.pad
    assert pad.width() >= 560 and pad.height() >= 220
    assert not dialog.ok_button.isEnabled()
    _stroke(pad, [(100, 100), (160, 130), (220, 90), (300, 150)])
    assert dialog.ok_button.isEnabled()
    assert dialog.confirm() and dialog.result() == dialog.DialogCode.Accepted
    image = Image.open(io.BytesIO(dialog.png))
    assert image.format == "PNG"
    rgba = image.convert("RGBA")
    dark = [(x, y) for x in range(rgba.width) for y in range(rgba.height)
            if rgba.getpixel((x, y))[3] > 200 and sum(rgba.getpixel((x, y))[:3]) < 200]
    assert len(dark) > 150  # a line about 200 px long, 3 px wide
    # trimmed to the ink: 200 × 60 px of stroke plus the line width and a margin on each side, not the pad
    assert image.width < 200 + 2 * TRIM_MARGIN_PX + 20 and image.height < 60 + 2 * TRIM_MARGIN_PX + 20
    assert rgba.getpixel((0, 0))[3] == 0  # transparent around the ink
    xs = [x for x, _ in dark]
    assert min(xs) >= TRIM_MARGIN_PX and max(xs) < image.width - TRIM_MARGIN_PX


def test_an_empty_pad_cannot_be_confirmed_and_clear_empties_it(qapp, qtbot):
    from ui.widgets.signature_pad import SignatureDialog

    dialog = show_exposed(qtbot, SignatureDialog("县级验收", "李四", allow_skip=True), (700, 420))
    assert dialog.pad.png() is None
    assert not dialog.ok_button.isEnabled()
    assert dialog.confirm() is False and dialog.isVisible() and dialog.png is None
    _stroke(dialog.pad, [(50, 50), (120, 80)])
    dialog.clear_button.click()
    assert dialog.pad.is_empty() and not dialog.ok_button.isEnabled()
    assert dialog.skip_button.isVisible()
    dialog.skip_button.click()
    assert dialog.skipped and dialog.png is None and dialog.result() == dialog.DialogCode.Accepted


def test_the_pad_grows_with_its_dialog(qapp, qtbot):
    from ui.widgets.signature_pad import SignatureDialog

    dialog = show_exposed(qtbot, SignatureDialog("核查人员", "张三"), (1000, 700))
    dialog.layout().activate()
    assert dialog.pad.width() > 800 and dialog.pad.height() > 400
    assert not dialog.skip_button.isVisible()


def test_finger_and_pen_strokes_are_ink_too(qapp, qtbot):
    from PySide6.QtCore import QEvent, QPointF
    from PySide6.QtGui import QPointingDevice, QTabletEvent

    from ui.widgets.signature_pad import SignaturePad

    pad = show_exposed(qtbot, SignaturePad(), (600, 240))
    touch = QTest.createTouchDevice()
    QTest.touchEvent(pad, touch).press(0, QPoint(40, 40)).commit()
    QTest.touchEvent(pad, touch).move(0, QPoint(140, 90)).commit()
    QTest.touchEvent(pad, touch).release(0, QPoint(200, 60)).commit()
    assert len(pad.strokes) == 1 and len(pad.strokes[0]) >= 3

    pen = QPointingDevice.primaryPointingDevice()
    for kind, x, pressure in ((QEvent.Type.TabletPress, 300, 0.9), (QEvent.Type.TabletMove, 380, 0.5),
                              (QEvent.Type.TabletRelease, 380, 0.0)):
        point = QPointF(x, 120)
        event = QTabletEvent(kind, pen, point, pad.mapToGlobal(point), pressure, 0.0, 0.0, 0.0, 0.0, 0.0,
                             Qt.KeyboardModifier.NoModifier, Qt.MouseButton.LeftButton, Qt.MouseButton.LeftButton)
        qapp.sendEvent(pad, event)
    assert len(pad.strokes) == 2 and [p for _, p in pad.strokes[1]] == [0.9, 0.5]
    assert pad.png() is not None
