"""Where am I, where is it: 定位到我 with follow mode, and the way to the selected case (issue 16).

:class:`NavigationPanel` is a tool bar under the main one. It wraps the
position feed (``fixChanged``), the map view and the selected case:

- **定位到我** centres the map on the GPS position and follows it (the map
  keeps the position centred; the marker and its accuracy circle are the
  map's own). Following stops when the user pans the map and resumes with
  the button. The follow logic is ``resources/web/app/follow.js``, loaded into
  the map page whenever the map is ready; Python calls it without arguments.
- For the selected case: the distance and bearing from the current position
  (text, and a :class:`BearingArrow` rotated to the bearing), and the distance
  to the nearest zone edge, inside or outside (:func:`inspector.geo.navigation.navigate`,
  the computation ``inspector navigate`` prints).
- Arriving within the workspace's arrival radius (``arrival_radius_m``, default
  30 m) offers, once per arrival, in a non-modal bar, to start 现场核查:
  accepting emits ``inspectRequested(case_uuid, fix)`` (the window opens the
  finding form with the fix). Leaving beyond 1.5 × the radius arms the offer again.

All text shown is plain; zone names come from the workspace and are data.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QPointF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPolygonF
from PySide6.QtWidgets import QFrame, QPushButton, QSizePolicy, QToolBar, QWidget

from inspector.casework.case_queries import case_brief
from inspector.geo.field_settings import arrival_radius_m
from inspector.geo.gnss import GnssFix
from inspector.geo.navigation import compass_point, navigate
from inspector.resources import resource_path
from ui import i18n
from ui.layouts import hbox
from ui.plain_text import plain_label
from ui.session import Session

FOLLOW_JS = ("web", "app", "follow.js")  # under resources/
REARM_FACTOR = 1.5  # leaving beyond this many arrival radii arms the 现场核查 offer again
ARROW_PX = 36  # size of the bearing arrow, pixels


class BearingArrow(QWidget):
    """An arrow pointing along a bearing (degrees clockwise from north; the top of the screen is north)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bearing: float | None = None
        self.setFixedSize(ARROW_PX, ARROW_PX)

    def set_bearing(self, bearing: float | None) -> None:
        self.bearing = bearing
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        if self.bearing is None:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.translate(self.width() / 2, self.height() / 2)
        painter.rotate(self.bearing)
        half = ARROW_PX / 2 - 2
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#1e88e5"))
        painter.drawPolygon(QPolygonF([QPointF(0, -half), QPointF(half * 0.55, half), QPointF(0, half * 0.5),
                                       QPointF(-half * 0.55, half)]))
        painter.end()


class NavigationPanel(QToolBar):
    """定位到我, follow mode, distance/bearing/edge to the selected case, the arrival offer."""

    inspectRequested = Signal(str, object)  # case uuid, GnssFix: start 现场核查 here
    arrived = Signal(str)  # case uuid: within the arrival radius (once per arrival)
    updated = Signal(dict)  # the latest navigation result (``inspector navigate``'s keys)

    def __init__(self, session: Session, feed: QObject, map_view: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session, self.feed, self.map_view = session, feed, map_view
        self.setObjectName("navigationBar")
        self.setWindowTitle(self.tr("导航"))
        self.setMovable(False)
        self.case_uuid: str | None = None
        self.case: dict[str, Any] | None = None
        self.fix: GnssFix | None = None
        self.result: dict[str, Any] | None = None
        self._offered = False  # the 现场核查 offer was made for this arrival
        self.locate_button = QPushButton(self.tr("定位到我"), self)
        self.locate_button.setToolTip(self.tr("地图居中到当前位置并跟随；拖动地图即停止跟随"))
        self.arrow = BearingArrow(self)
        self.route = plain_label(self.tr("未选择问题"), self, wrap=False)
        self.edge = plain_label(parent=self, wrap=False)
        self.arrival_text = plain_label(parent=self, wrap=False)
        self.inspect_button = QPushButton(self.tr("开始现场核查"), self)
        self.inspect_button.setProperty("primary", True)
        self.dismiss_button = QPushButton(self.tr("稍后"), self)
        self.arrival_bar = QFrame(self)
        self.arrival_bar.setObjectName("arrivalBar")
        hbox(self.arrival_text, self.inspect_button, self.dismiss_button, parent=self.arrival_bar)
        self.arrival_bar.hide()
        body = QWidget(self)
        body.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        hbox(self.locate_button, self.arrow, self.route, self.edge, (QWidget(body), 1), self.arrival_bar,
             parent=body)
        self.addWidget(body)
        self.locate_button.clicked.connect(self.locate_me)
        self.inspect_button.clicked.connect(self._accept_offer)
        self.dismiss_button.clicked.connect(self.arrival_bar.hide)
        feed.fixChanged.connect(self.on_fix)  # type: ignore[attr-defined]  # a PositionFeed
        map_view.mapReady.connect(self._load_follow_script)
        session.workspaceChanged.connect(lambda: self.set_case(None))
        if map_view.is_ready():
            self._load_follow_script()

    # -- map follow ------------------------------------------------------------------
    def _run(self, script: str) -> None:
        if hasattr(self.map_view, "page") and self.map_view.is_ready():
            self.map_view.page().runJavaScript(script)

    def _load_follow_script(self) -> None:
        self._run(resource_path(*FOLLOW_JS).read_text(encoding="utf-8"))

    def locate_me(self) -> None:
        """Centre the map on the position and follow it (again)."""
        self._run("window.LvdunFollow && LvdunFollow.locate()")

    # -- the selected case -----------------------------------------------------------------
    def set_case(self, case_uuid: str | None) -> None:
        self.case_uuid, self._offered = case_uuid, False
        self.case = case_brief(self.session.ws, case_uuid) if case_uuid else None
        self.arrival_bar.hide()
        self._refresh()

    def on_fix(self, fix: GnssFix) -> None:
        self.fix = fix
        self._run("window.LvdunFollow && LvdunFollow.moved()")
        self._refresh()

    def _refresh(self) -> None:
        if self.case is None:
            self.result = None
            self.arrow.set_bearing(None)
            self.route.setText(self.tr("未选择问题"))
            self.edge.setText("")
            return
        if self.fix is None:
            self.result = None
            self.arrow.set_bearing(None)
            self.route.setText(self.tr("{case}：等待定位").format(case=self.case["case_no"]))
            self.edge.setText("")
            return
        result = navigate(self.session.ws, self.case["lon"], self.case["lat"], self.fix.lon, self.fix.lat)
        self.result = result
        zh, en = compass_point(result["bearing_deg"])
        self.arrow.set_bearing(result["bearing_deg"])
        self.route.setText(self.tr("{case}：{distance}，方位 {bearing:.0f}°（{point}）").format(
            case=self.case["case_no"], distance=self._metres(result["distance_m"]), bearing=result["bearing_deg"],
            point=en if i18n.current_language() == "en" else zh))
        self.edge.setText(self._edge_text(result))
        self.updated.emit(result)
        self._check_arrival(result["distance_m"])

    def _metres(self, metres: float) -> str:
        if metres >= 1000:
            return self.tr("{km:.2f} 千米").format(km=metres / 1000)
        return self.tr("{m:.0f} 米").format(m=metres)

    def _edge_text(self, result: dict[str, Any]) -> str:
        edge = result["nearest_edge_m"]
        if edge is None:
            return self.tr("附近没有管控区域")
        if result["inside_zones"]:
            zone = result["inside_zones"][0]
            name = zone["name"] + (f"（{zone['function_zone']}）" if zone["function_zone"] else "")
            return self.tr("位于 {zone}，距边界 {distance}").format(zone=name, distance=self._metres(edge))
        return self.tr("区域外，距最近区域边界 {distance}").format(distance=self._metres(edge))

    # -- arrival ------------------------------------------------------------------------
    def _check_arrival(self, distance_m: float) -> None:
        radius = arrival_radius_m(self.session.ws)
        if distance_m > radius * REARM_FACTOR:
            self._offered = False
            self.arrival_bar.hide()
        elif distance_m <= radius and not self._offered and self.case is not None:
            self._offered = True
            self.arrival_text.setText(self.tr("已到达 {case}（{distance}以内）").format(
                case=self.case["case_no"], distance=self._metres(radius)))
            self.arrival_bar.show()
            self.arrived.emit(self.case["uuid"])

    def _accept_offer(self) -> None:
        self.arrival_bar.hide()
        if self.case is not None and self.fix is not None:
            self.inspectRequested.emit(self.case["uuid"], self.fix)
