"""Finger-friendly behaviour applied to existing widgets by object: kinetic scrolling and wheel-proof fields.

:func:`set_kinetic` gives a scroll area finger (kinetic) scrolling with
QScroller: in the touch layout a drag with the finger — which many rugged
tablets deliver as a left-button drag — scrolls the area with momentum; on the
desktop only real touch gestures do, so dragging with the mouse still selects.

:class:`WheelGuard`, installed on every combo box and spin box of a window or
dialog by :func:`guard_wheel`, keeps the mouse wheel (or a two-finger swipe)
from changing a field the user did not focus: the wheel then scrolls whatever
holds the field, as if the field were not there. Scrolling the case detail
must never turn 现场核查 into 整改后 behind the user's back. (The guard sits
on the fields, not on the application: a Python filter on the whole
application sees QtWebEngine's internal objects and brings the process down.)
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractScrollArea,
    QAbstractSpinBox,
    QComboBox,
    QScroller,
    QScrollerProperties,
    QWidget,
)

WHEEL_GUARD_NAME = "lvdunWheelGuard"  # object name of the guard a window or dialog holds
OVERSHOOT_OFF = QScrollerProperties.OvershootPolicy.OvershootAlwaysOff  # lists stop at their ends


class WheelGuard(QObject):
    """Lets a wheel event reach a combo box or spin box only when that field has the keyboard focus."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.Wheel and isinstance(watched, (QComboBox, QAbstractSpinBox)) \
                and not watched.hasFocus():
            event.ignore()  # not accepted: Qt hands the wheel on to the parent (the scroll area)
            return True
        return False


def guard_wheel(root: QWidget) -> WheelGuard:
    """Guard every combo box and spin box inside ``root`` (a window or dialog, once it is built)."""
    guard = root.findChild(WheelGuard, WHEEL_GUARD_NAME, Qt.FindChildOption.FindDirectChildrenOnly)
    if guard is None:
        guard = WheelGuard(root)
        guard.setObjectName(WHEEL_GUARD_NAME)
    for field in (*root.findChildren(QComboBox), *root.findChildren(QAbstractSpinBox)):
        field.removeEventFilter(guard)  # installed once, however often the root is guarded
        field.installEventFilter(guard)
    return guard


def set_kinetic(area: QAbstractScrollArea, touch: bool) -> None:
    """Kinetic scrolling of ``area`` by finger drag (``touch``) or by touch gestures only (desktop)."""
    viewport = area.viewport()
    QScroller.ungrabGesture(viewport)
    gesture = (QScroller.ScrollerGestureType.LeftMouseButtonGesture if touch
               else QScroller.ScrollerGestureType.TouchGesture)
    QScroller.grabGesture(viewport, gesture)
    scroller = QScroller.scroller(viewport)
    properties = scroller.scrollerProperties()
    for axis in (QScrollerProperties.ScrollMetric.HorizontalOvershootPolicy,
                 QScrollerProperties.ScrollMetric.VerticalOvershootPolicy):
        properties.setScrollMetric(axis, OVERSHOOT_OFF)
    scroller.setScrollerProperties(properties)
    if isinstance(area, QAbstractItemView):  # kinetic scrolling needs pixel steps, not whole rows
        area.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        area.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)


def has_kinetic(area: QAbstractScrollArea) -> bool:
    """Whether ``area`` scrolls kinetically."""
    return QScroller.hasScroller(area.viewport())

