"""The main window's two layouts: the desktop's three panes side by side, and the touch layout, one pane at a time.

:class:`WindowLayout` owns the splitter that holds the three panes (列表,
地图, 详情) and decides from the window's size which layout shows them: below
:data:`TOUCH_BELOW_PX` wide, or taller than wide (a tablet in portrait), it is
the touch layout — one pane fills the window and a bottom bar of three big
buttons switches between them; choosing a case in the list shows its 详情,
with ‹ 列表 above it to go back; a pick on the map shows the map. Otherwise
the panes stand side by side as they always did. Switching only hides and
shows the panes (nothing is rebuilt or reparented), so the selection, the map
and every half-filled field stay as they are; the splitter's sizes are kept
for the way back.

In the touch layout the window also wears :data:`ui.style.TOUCH_STYLESHEET`
(finger-sized controls), the case tables get taller rows, the list, the
detail panel and the gallery scroll kinetically by finger drag
(:func:`ui.touch.set_kinetic`), and the map's controls grow (its
``set_touch_mode``, when the map offers one).
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QMainWindow,
    QPushButton,
    QSplitter,
    QTableView,
    QWidget,
)

from ui.style import ROW_PX, TOUCH_ROW_PX, TOUCH_STYLESHEET
from ui.touch import set_kinetic

TOUCH_BELOW_PX = 1100  # logical px: a window narrower than this gets the touch layout
MIN_WINDOW = QSize(640, 480)  # logical px: the smallest window either layout works in
PANES = ("list", "map", "detail")
PANE_SHARES = (0.37, 0.33, 0.30)  # desktop: share of the width of each pane at first
SCREEN_SHARE = 0.8  # a first window covers this share of the screen's available width and height
LARGEST_FIRST = QSize(1920, 1200)  # logical px: a first window never opens larger than this
MAXIMISE_BELOW = QSize(1440, 900)  # logical px: on a screen smaller than this a first window opens maximised


def is_touch_size(size: QSize) -> bool:
    """Whether a window of ``size`` gets the touch layout (narrow, or portrait)."""
    return size.width() < TOUCH_BELOW_PX or size.height() > size.width()


def first_window_size(available: QSize) -> tuple[QSize, bool]:
    """The size of a window opened for the first time on a screen with ``available`` room, and whether to
    maximise it (a small screen: a laptop or a tablet)."""
    wanted = QSize(int(available.width() * SCREEN_SHARE), int(available.height() * SCREEN_SHARE))
    size = wanted.boundedTo(LARGEST_FIRST).expandedTo(MIN_WINDOW).boundedTo(available)
    small = available.width() < MAXIMISE_BELOW.width() or available.height() < MAXIMISE_BELOW.height()
    return size, small


class WindowLayout(QObject):
    """The three panes of ``window`` in a splitter, laid out for the desktop or for touch."""

    modeChanged = Signal(bool)  # True: the touch layout
    paneShown = Signal(str)  # touch layout: the pane now shown (one of PANES)

    def __init__(self, window: QMainWindow, left: QWidget, map_view: QWidget, detail: QWidget) -> None:
        super().__init__(window)
        self.window = window
        self.panes = dict(zip(PANES, (left, map_view, detail)))
        self.touch = False
        self.current = "list"
        self.splitter = QSplitter(Qt.Orientation.Horizontal, window)
        for widget in self.panes.values():
            self.splitter.addWidget(widget)
        self.splitter.setChildrenCollapsible(False)
        for index, share in enumerate(PANE_SHARES):
            self.splitter.setStretchFactor(index, round(share * 10))
        self.desktop_sizes: list[int] = []
        self.back = QPushButton(self.tr("‹ 列表"), window)
        self.back.setObjectName("touchBack")
        self.back.clicked.connect(lambda: self.show_pane("list"))
        self.bar = QFrame(window)
        self.bar.setObjectName("touchBar")
        self.buttons = QButtonGroup(self.bar)
        row = QHBoxLayout(self.bar)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        for name, text in zip(PANES, (self.tr("列表"), self.tr("地图"), self.tr("详情"))):
            button = QPushButton(text, self.bar)
            button.setObjectName(f"pane:{name}")
            button.setCheckable(True)
            button.clicked.connect(lambda checked=False, n=name: self.show_pane(n))
            self.buttons.addButton(button)
            row.addWidget(button, 1)
        self.back.hide()
        self.bar.hide()
        window.installEventFilter(self)

    def resize_panes(self, width: int) -> None:
        """Desktop: the panes' first sizes for a window ``width`` wide."""
        self.splitter.setSizes([int(width * share) for share in PANE_SHARES])

    def button(self, pane: str) -> QPushButton:
        return next(b for b in self.bar.findChildren(QPushButton) if b.objectName() == f"pane:{pane}")

    # -- switching -----------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.window and event.type() == QEvent.Type.Resize:
            self.fit(self.window.size())
        return False

    def fit(self, size: QSize) -> None:
        """The layout for a window of ``size``."""
        self.set_touch(is_touch_size(size))

    def set_touch(self, touch: bool) -> None:
        if touch == self.touch:
            return
        if touch:
            self.desktop_sizes = self.splitter.sizes()
        self.touch = touch
        self.window.setStyleSheet(TOUCH_STYLESHEET if touch else "")
        self.bar.setVisible(touch)
        self.refresh_panes()
        self._show_panes()
        if not touch:  # the sizes the panes had, unless the window was never laid out for the desktop
            if len(self.desktop_sizes) == len(PANES) and min(self.desktop_sizes) > 0:
                self.splitter.setSizes(self.desktop_sizes)
            else:
                self.resize_panes(self.window.width())
        map_view = self.panes["map"]
        if hasattr(map_view, "set_touch_mode"):
            map_view.set_touch_mode(touch)
        self.modeChanged.emit(touch)

    def refresh_panes(self) -> None:
        """Row heights and kinetic scrolling of the panes' lists for the current layout (again after a pane
        gained a list, e.g. the reviewer's queue)."""
        for table in self.panes["list"].findChildren(QTableView):
            table.verticalHeader().setDefaultSectionSize(TOUCH_ROW_PX if self.touch else ROW_PX)
            set_kinetic(table, self.touch)
        detail = self.panes["detail"]
        for area in (getattr(detail, "scroll", None), getattr(getattr(detail, "gallery", None), "list", None)):
            if isinstance(area, QAbstractScrollArea):
                set_kinetic(area, self.touch)

    def show_pane(self, pane: str) -> None:
        """Touch layout: show ``pane`` (one of :data:`PANES`); the desktop shows them all anyway."""
        self.current = pane
        if self.touch:
            self._show_panes()
            self.paneShown.emit(pane)

    def case_chosen(self) -> None:
        """A case was chosen in the list: the touch layout shows its 详情."""
        if self.touch:
            self.show_pane("detail")

    def _show_panes(self) -> None:
        for name, widget in self.panes.items():
            widget.setVisible(not self.touch or name == self.current)
        self.back.setVisible(self.touch and self.current == "detail")
        self.button(self.current).setChecked(True)
