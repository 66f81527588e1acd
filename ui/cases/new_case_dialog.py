"""新建问题: record a problem found in the field, at the current GPS position or a position picked on the map.

The dialog takes the position from the current GPS fix (shown with its accuracy; a fix too poor to capture
is refused with :func:`inspector.geo.gnss.capture_problem`'s reason)
or from a click on the map (地图选点, the same hand-over as the finding form:
the dialog hides while the user picks), a problem type (the workspace's problem
types as suggestions, free text allowed) and a description. Saving runs
:func:`ui.operations.create_field_case` as the acting user; the core gives the
provisional number (临-<device>-<n>) and the attribution. Until a position is
chosen and both texts are filled in, the dialog says what is missing and does
not submit; a refusal from the core is shown in the dialog with every value
kept, so nothing typed is lost.
"""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QPlainTextEdit, QPushButton, QWidget

from inspector.casework.case_list_query import filter_choices
from inspector.geo.field_settings import max_accuracy_m
from inspector.geo.gnss import capture_problem
from ui import i18n, operations
from ui.cases.finding_form import GpsFix, MapPick, MapPickingDialog
from ui.layouts import form_layout, hbox, vbox
from ui.plain_text import plain_label
from ui.session import Session

Position = tuple[str, float, float, float | None]  # source ("device_gps" / "map_pick"), lon, lat, accuracy m


class NewCaseDialog(MapPickingDialog):
    """A problem found in the field; ``job`` is the save operation once started, its result the new case;
    ``created(uuid)`` once it is recorded (after the views heard of it)."""

    created = Signal(str)

    def __init__(self, session: Session, *, gps_fix: GpsFix | None = None, map_pick: MapPick | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(session, "", parent)  # no case yet: the operation creates it
        self.gps_fix, self.map_pick = gps_fix, map_pick
        self.position: Position | None = None
        self.setWindowTitle(self.tr("新建问题"))
        self.resize(560, 420)
        self.problem_type = QComboBox(self)
        self.problem_type.setEditable(True)
        for value, text in filter_choices(session.ws)["problem_types"]:
            self.problem_type.addItem(text, value)
        self.problem_type.setCurrentIndex(-1)
        self.problem_type.lineEdit().setPlaceholderText(self.tr("从台账的问题类型中选择，或直接填写"))
        self.description = QPlainTextEdit(self)
        self.description.setPlaceholderText(self.tr("现场发现的情况：设施、规模、是否在生产…"))
        self.description.setMinimumHeight(90)
        self.position_label = plain_label(parent=self)
        self.gps_button = QPushButton(self.tr("用 GPS 位置"), self)
        self.map_button = QPushButton(self.tr("地图选点"), self)
        self.map_button.setEnabled(map_pick is not None)
        if map_pick is None:
            self.map_button.setToolTip(self.tr("地图模块未提供选点"))
        self.save_button = QPushButton(self.tr("新建问题"), self)
        self.save_button.setProperty("primary", True)
        self.cancel_button = QPushButton(self.tr("取消"), self)
        fields = form_layout([
            (self.tr("位置 *"), self.position_label),
            ("", hbox(self.gps_button, self.map_button)),
            (self.tr("问题类型 *"), self.problem_type),
            (self.tr("问题描述 *"), self.description),
        ])
        vbox((fields, 1), hbox((self.errors, 1), self.cancel_button, self.save_button), parent=self)
        self.gps_button.clicked.connect(self.use_gps)
        self.map_button.clicked.connect(self.use_map)
        self.problem_type.currentTextChanged.connect(self.validate)
        self.description.textChanged.connect(self.validate)
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.reject)
        self.validate()

    # -- position -------------------------------------------------------------------
    def use_gps(self) -> None:
        fix = self.gps_fix() if self.gps_fix else None
        if fix is None:
            self.errors.setText(self.tr("还没有 GPS 定位：请先开始 GPS 定位，或在地图上选点"))
            self.errors.show()
            return
        problem = capture_problem(fix, max_accuracy_m(self.session.ws))
        if problem is not None:  # too poor to record as the problem's position: the one rule, its reason
            self.errors.setText(i18n.core_message(problem))
            self.errors.show()
            return
        self.set_position(("device_gps", fix.lon, fix.lat, fix.accuracy_m))

    def place_picked(self, lon: float, lat: float) -> None:
        self.set_position(("map_pick", lon, lat, None))

    def set_position(self, position: Position) -> None:
        self.position = position
        self.validate()

    # -- validation and saving --------------------------------------------------------
    def problems(self) -> list[str]:
        found = []
        if self.position is None:
            found.append(self.tr("请选择位置：用 GPS 位置或地图选点"))
        if not self.problem_type.currentText().strip():
            found.append(self.tr("请填写问题类型"))
        if not self.description.toPlainText().strip():
            found.append(self.tr("请填写问题描述"))
        return found

    def validate(self) -> bool:
        if self.position is None:
            self.position_label.setText(self.tr("未选择"))
        else:
            source, lon, lat, accuracy = self.position
            names = {"device_gps": self.tr("GPS"), "map_pick": self.tr("地图选点")}
            text = f"{lon:.6f}, {lat:.6f}（{names[source]}）"
            if accuracy is not None:
                text += self.tr(" ±{m:.0f} 米").format(m=accuracy)
            self.position_label.setText(text)
        found = self.problems()
        self.errors.setText("；".join(found))
        self.errors.setVisible(bool(found))
        return not found

    def save(self) -> operations.Job | None:
        """Create the case once position, type and description are given; otherwise say what is missing."""
        return self.submit() if self.validate() else None

    def start(self) -> operations.Job:
        assert self.position is not None  # save() validated it
        _, lon, lat, _ = self.position
        return operations.create_field_case(session=self.session, lon=lon, lat=lat,
                                            problem_type=self.problem_type.currentText().strip(),
                                            description=self.description.toPlainText().strip())

    def submit(self) -> operations.Job | None:
        job = super().submit()
        if job is not None:
            job.succeeded.connect(lambda case: self.created.emit(case["uuid"]))
        return job

    def submit_control(self) -> QWidget:
        return self.save_button
