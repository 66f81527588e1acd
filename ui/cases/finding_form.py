"""The finding form (核查记录): validated fields, position from GPS / photo / map, undoable edits.

Every change to a field is a command on the form's :class:`QUndoStack`
(consecutive typing in one field merges into one step), so Undo/Redo walk
the edit history of the session with the form; the history is listed in a
:class:`QUndoView`. The inspector and the inspected party may sign on the
pad (:class:`ui.widgets.signature_field.SignatureField`). Saving runs
:func:`ui.review.office_operations.add_signed_finding`; a
refusal from the core keeps the form open with the reason shown.
"""
from __future__ import annotations

from typing import Any, Callable

from PySide6.QtGui import QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QUndoView,
    QWidget,
)

from inspector.casework.case_queries import case_brief
from inspector.casework.findings import ASSESSMENTS, activity_types
from inspector.geo.field_settings import max_accuracy_m
from inspector.geo.gnss import GnssFix, capture_problem
from ui import i18n, operations
from ui.cases.operation_dialog import OperationDialog
from ui.layouts import form_layout, hbox, vbox
from ui.plain_text import plain_label
from ui.review import office_operations
from ui.review.office_operations import INSPECTOR_SIGNS, PARTY_SIGNS
from ui.session import Session
from ui.widgets.signature_field import SignatureField
from ui.widgets.signature_pad import Captured

GpsFix = Callable[[], GnssFix | None]  # the current GNSS fix (fresh), if any
# Starts a pick on the map; calls back with (lon, lat), or None when the pick is cancelled.
MapPick = Callable[[Callable[[tuple[float, float] | None], None]], Any]
_MERGE_ID = 0x5EED  # QUndoCommand id base for merging edits of the same field


class FieldEdit(QUndoCommand):
    """One change of one form field (text edits of a field merge)."""

    def __init__(self, form: "FindingForm", name: str, old: Any, new: Any) -> None:
        super().__init__(form.field_title(name))
        self.form, self.name, self.old, self.new = form, name, old, new

    def id(self) -> int:
        return _MERGE_ID + sorted(self.form.FIELDS).index(self.name) if self.name in self.form.TEXT_FIELDS else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if isinstance(other, FieldEdit) and other.name == self.name:
            self.new = other.new
            return True
        return False

    def redo(self) -> None:
        self.form.put(self.name, self.new)

    def undo(self) -> None:
        self.form.put(self.name, self.old)


class MapPickingDialog(OperationDialog):
    """A dialog that hides while the user clicks a position on the map (its ``map_pick``), then comes back
    with it (:meth:`place_picked`)."""

    map_pick: MapPick | None = None

    def use_map(self) -> None:
        """Hide the dialog while the user clicks a position on the map; come back with it."""
        if self.map_pick is None:
            return
        self.hide()
        if self.map_pick(self.map_picked) is False:
            self.show()

    def map_picked(self, point: tuple[float, float] | None) -> None:
        self.show()
        self.raise_()
        self.activateWindow()
        if point is not None:
            self.place_picked(point[0], point[1])

    def place_picked(self, lon: float, lat: float) -> None:
        raise NotImplementedError


class FindingForm(MapPickingDialog):
    """Record a finding for one case; ``job`` is the save operation once started."""

    FIELDS = ("inspector", "assessment", "activity_type", "description", "basis", "area", "estimate", "position")
    TEXT_FIELDS = ("inspector", "description", "basis", "area")

    def __init__(self, session: Session, case_uuid: str, *, gps_fix: GpsFix | None = None,
                 map_pick: MapPick | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(session, case_uuid, parent)
        self.gps_fix, self.map_pick = gps_fix, map_pick
        self._gps_quality: dict[tuple[float, float], GnssFix] = {}  # fixes taken, by position (undo keeps them)
        self.undo_stack = QUndoStack(self)
        self._applying = False
        case = case_brief(session.ws, case_uuid)
        if case is None:
            raise ValueError(f"no case {case_uuid}")
        self._ledger_position = (case["lon"], case["lat"])
        self.setWindowTitle(self.tr("核查记录 — {case}").format(case=case["case_no"]))
        self.resize(900, 720)
        self._build(session)
        self._values = {name: self.get(name) for name in self.FIELDS}
        self._connect()
        self.validate()

    # -- layout -------------------------------------------------------------
    def _build(self, session: Session) -> None:
        self.inspector = QLineEdit(session.actor.name, self)
        self.assessment = QComboBox(self)
        self.assessment.addItem(self.tr("请选择"), None)
        for value in ASSESSMENTS:
            self.assessment.addItem(value, value)
        self.activity = QComboBox(self)
        self.activity.addItem(self.tr("请选择"), None)
        for value in activity_types(session.ws):
            self.activity.addItem(value, value)
        self.description = QPlainTextEdit(self)
        self.description.setPlaceholderText(self.tr("现场看到的情况：设施、规模、是否在生产…"))
        self.description.setMinimumHeight(90)
        self.basis = QLineEdit(self)
        self.area = QLineEdit(self)
        self.area.setPlaceholderText(self.tr("平方米，可不填"))
        self.estimate = QCheckBox(self.tr("估算"), self)
        self.estimate.setChecked(True)
        self.position_label = plain_label(parent=self)
        self.gps_button = QPushButton(self.tr("用 GPS 位置"), self)
        self.photo_button = QPushButton(self.tr("从照片读取"), self)
        self.map_button = QPushButton(self.tr("地图选点"), self)
        self.ledger_button = QPushButton(self.tr("用台账位置"), self)
        self.map_button.setEnabled(self.map_pick is not None)
        if self.map_pick is None:
            self.map_button.setToolTip(self.tr("地图模块未提供选点"))
        self.party = QLineEdit(self)
        self.party.setPlaceholderText(self.tr("被检查单位或个人（签名时填写）"))
        self.inspector_signature = SignatureField(INSPECTOR_SIGNS, self.tr("核查人员"), self.inspector.text, self)
        self.party_signature = SignatureField(PARTY_SIGNS, self.tr("被检查方"), self.party.text, self)
        self.save_button = QPushButton(self.tr("保存核查记录"), self)
        self.save_button.setProperty("primary", True)
        self.cancel_button = QPushButton(self.tr("取消"), self)
        undo = self.undo_stack.createUndoAction(self, self.tr("撤销"))
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        redo = self.undo_stack.createRedoAction(self, self.tr("重做"))
        redo.setShortcut(QKeySequence.StandardKey.Redo)
        self.addActions([undo, redo])
        self.undo_button = QPushButton(self.tr("撤销"), self)
        self.undo_button.clicked.connect(self.undo_stack.undo)
        self.undo_stack.canUndoChanged.connect(self.undo_button.setEnabled)
        self.undo_button.setEnabled(False)
        self.redo_button = QPushButton(self.tr("重做"), self)
        self.redo_button.clicked.connect(self.undo_stack.redo)
        self.undo_stack.canRedoChanged.connect(self.redo_button.setEnabled)
        self.redo_button.setEnabled(False)

        fields = form_layout([
            (self.tr("核查人员 *"), self.inspector),
            (self.tr("核查结论 *"), self.assessment),
            (self.tr("活动类型 *"), self.activity),
            (self.tr("问题描述 *"), self.description),
            (self.tr("认定依据"), self.basis),
            (self.tr("面积"), hbox((self.area, 1), self.estimate)),
            (self.tr("位置"), self.position_label),
            ("", hbox(self.gps_button, self.photo_button, self.map_button, self.ledger_button)),
            (self.tr("被检查方"), self.party),
            (self.tr("核查人员签名"), self.inspector_signature),
            (self.tr("被检查方签名"), self.party_signature),
        ])
        view = QUndoView(self.undo_stack, self)
        view.setEmptyLabel(self.tr("<打开表单>"))
        history = vbox(QLabel(self.tr("编辑记录"), self), (view, 1), hbox(self.undo_button, self.redo_button))
        vbox((hbox((fields, 3), (history, 1)), 1), hbox((self.errors, 1), self.cancel_button, self.save_button),
             parent=self)
        self._position: tuple[str, float | None, float | None, float | None] = ("ledger", None, None, None)

    def _connect(self) -> None:
        self.inspector.textEdited.connect(lambda: self._edited("inspector"))
        self.description.textChanged.connect(lambda: self._edited("description"))
        self.basis.textEdited.connect(lambda: self._edited("basis"))
        self.area.textEdited.connect(lambda: self._edited("area"))
        self.assessment.currentIndexChanged.connect(lambda: self._edited("assessment"))
        self.activity.currentIndexChanged.connect(lambda: self._edited("activity_type"))
        self.estimate.toggled.connect(lambda: self._edited("estimate"))
        self.gps_button.clicked.connect(self.use_gps)
        self.photo_button.clicked.connect(self.use_photo)
        self.map_button.clicked.connect(self.use_map)
        self.ledger_button.clicked.connect(lambda: self.set_position("ledger", None, None, None))
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.reject)

    # -- field access (used by FieldEdit) ------------------------------------------
    def field_title(self, name: str) -> str:
        titles = {"inspector": self.tr("核查人员"), "assessment": self.tr("核查结论"),
                  "activity_type": self.tr("活动类型"), "description": self.tr("问题描述"),
                  "basis": self.tr("认定依据"), "area": self.tr("面积"), "estimate": self.tr("估算"),
                  "position": self.tr("位置")}
        return self.tr("修改{field}").format(field=titles[name])

    def get(self, name: str) -> Any:
        return {"inspector": self.inspector.text, "assessment": self.assessment.currentData,
                "activity_type": self.activity.currentData, "description": self.description.toPlainText,
                "basis": self.basis.text, "area": self.area.text, "estimate": self.estimate.isChecked,
                "position": lambda: self._position}[name]()

    def put(self, name: str, value: Any) -> None:
        self._applying = True
        try:
            if name in ("inspector", "basis", "area"):
                if getattr(self, name).text() != value:
                    getattr(self, name).setText(value)
            elif name == "description":
                if self.description.toPlainText() != value:
                    self.description.setPlainText(value)
            elif name == "assessment":
                self.assessment.setCurrentIndex(max(self.assessment.findData(value), 0))
            elif name == "activity_type":
                self.activity.setCurrentIndex(max(self.activity.findData(value), 0))
            elif name == "estimate":
                self.estimate.setChecked(value)
            elif name == "position":
                self._position = value
            self._values[name] = value
        finally:
            self._applying = False
        self.validate()

    def _edited(self, name: str) -> None:
        if self._applying:
            return
        new, old = self.get(name), self._values[name]
        if new != old:
            self.undo_stack.push(FieldEdit(self, name, old, new))

    # -- position ----------------------------------------------------------------
    def set_position(self, source: str, lon: float | None, lat: float | None, accuracy: float | None) -> None:
        new = (source, lon, lat, accuracy)
        if new != self._position:
            self.undo_stack.push(FieldEdit(self, "position", self._position, new))

    def use_gps(self) -> None:
        fix = self.gps_fix() if self.gps_fix else None
        if fix is None:
            self.errors.setText(self.tr("还没有 GPS 定位"))
            self.errors.show()
            return
        self.use_fix(fix)

    def use_fix(self, fix: GnssFix) -> bool:
        """Take a GNSS fix as the finding's position, with its quality, unless it is too poor to capture (the
        workspace's threshold; the reason is shown)."""
        problem = capture_problem(fix, max_accuracy_m(self.session.ws))
        if problem is not None:
            self.errors.setText(i18n.core_message(problem))
            self.errors.show()
            return False
        self._gps_quality[(fix.lon, fix.lat)] = fix
        self.set_position("device_gps", fix.lon, fix.lat, fix.accuracy_m)
        return True

    def use_photo(self, path: str | None = None) -> None:
        from inspector.evidence.exif import read_photo_metadata

        if not path:
            path, _ = QFileDialog.getOpenFileName(self, self.tr("选择带 GPS 的照片"), "",
                                                  self.tr("图像") + " (*.jpg *.jpeg *.JPG *.JPEG *.tif *.tiff)")
        if not path:
            return
        try:
            meta = read_photo_metadata(path)
        except Exception as exc:  # noqa: BLE001 - any unreadable file is reported in the form
            self.errors.setText(self.tr("无法读取照片：{e}").format(e=exc))
            self.errors.show()
            return
        if meta.lon is None or meta.lat is None:
            self.errors.setText(self.tr("照片中没有可用的 GPS 位置"))
            self.errors.show()
            return
        self.set_position("photo_exif", meta.lon, meta.lat, None)

    def place_picked(self, lon: float, lat: float) -> None:
        self.set_position("map_pick", lon, lat, None)

    # -- validation and saving ------------------------------------------------------
    def problems(self) -> list[str]:
        from inspector.geo.attribution import lookup_for

        found = []
        if not self.inspector.text().strip():
            found.append(self.tr("请填写核查人员"))
        if self.assessment.currentData() is None:
            found.append(self.tr("请选择核查结论"))
        if self.activity.currentData() is None:
            found.append(self.tr("请选择活动类型"))
        if not self.description.toPlainText().strip():
            found.append(self.tr("请填写问题描述"))
        if self.area.text().strip():
            try:
                if float(self.area.text()) < 0:
                    raise ValueError
            except ValueError:
                found.append(self.tr("面积须为不小于 0 的数字"))
        source, lon, lat, _ = self._position
        if lon is not None and lat is not None and not lookup_for(self.session.ws).admin.in_province(lon, lat):
            found.append(self.tr("位置不在江苏省内"))
        return found

    def validate(self) -> bool:
        source, lon, lat, accuracy = self._position
        names = {"device_gps": self.tr("GPS"), "photo_exif": self.tr("照片"), "map_pick": self.tr("地图选点"),
                 "ledger": self.tr("台账")}
        shown_lon, shown_lat = (lon, lat) if lon is not None else self._ledger_position
        text = f"{shown_lon:.6f}, {shown_lat:.6f}（{names[source]}）"
        if accuracy is not None:
            text += self.tr(" ±{m:.0f} 米").format(m=accuracy)
        self.position_label.setText(text)
        found = self.problems()
        self.errors.setText("；".join(found))
        self.errors.setVisible(bool(found))
        self.save_button.setEnabled(not found and self.job is None)
        return not found

    def values(self) -> dict[str, Any]:
        source, lon, lat, accuracy = self._position
        area = self.area.text().strip()
        values: dict[str, Any] = {
            "inspector": self.inspector.text().strip(), "assessment": self.assessment.currentData(),
            "activity_type": self.activity.currentData(), "description": self.description.toPlainText().strip(),
            "basis": self.basis.text().strip() or None, "area_m2": float(area) if area else None,
            "area_is_estimate": self.estimate.isChecked(),
        }
        if lon is not None and lat is not None:
            values.update(lon=lon, lat=lat, position_source=source, accuracy_m=accuracy)
            fix = self._gps_quality.get((lon, lat)) if source == "device_gps" else None
            if fix is not None:
                values.update(fix_type=fix.fix_type, satellites=fix.satellites, hdop=fix.hdop)
        return values

    def save(self) -> operations.Job | None:
        """Save once the fields are valid (see :meth:`OperationDialog.submit`)."""
        return self.submit() if self.validate() else None

    def signatures(self) -> list[Captured]:
        """The signatures taken on this form (the inspector's, the inspected party's)."""
        return [f.captured for f in (self.inspector_signature, self.party_signature) if f.captured is not None]

    def start(self) -> operations.Job:
        return office_operations.add_signed_finding(session=self.session, case_uuid=self.case_uuid,
                                                    values=self.values(), signatures=self.signatures())

    def submit_control(self) -> QWidget:
        return self.save_button
