"""选择表单照片…: the inspector chooses which photos a form shows and pairs before/after photos explicitly.

The dialog reads what the form shows now (the choice, or the default
pairing: :func:`inspector.casework.form_evidence.form_evidence`) and lets
the inspector edit it: on the closure form, before/after pairs (a 整改前 or
现场核查 photo with a 整改后 photo, added and removed in order) and the photos
shown on their own; on the inspection form, which 现场核查 photos it shows.
保存 runs :func:`choose_form_evidence` in the background; 恢复默认 clears the
choice. A photo is named by its file, phase and local time.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui import operations
from ui.plain_text import plain_label
from ui.session import Session

UUID_ROLE = Qt.ItemDataRole.UserRole


def choose_form_evidence(*, session: Session, case_uuid: str, form: str, photos: list[str],
                         pairs: list[tuple[str, str]]) -> operations.Job:
    """Set (or, with nothing given, clear) the photos ``form`` of the case shows."""
    from inspector.casework.form_evidence import choose_form_evidence as choose

    def work(job: operations.Job) -> Any:
        return choose(session.writer(), case_uuid, form, photos=photos, pairs=pairs, actor=session.actor.user)
    return operations.start(session, "form-evidence", work, mutation=True)


class FormEvidenceDialog(QDialog):
    """Choose the photos of one form (``inspection`` or ``closure``) of a case."""

    def __init__(self, session: Session, case_uuid: str, form: str, parent: QWidget | None = None) -> None:
        from inspector.casework.form_evidence import form_evidence
        from inspector.forms.form_data import local_time
        from ui.labels import phase_text

        super().__init__(parent)
        self.session, self.case_uuid, self.form = session, case_uuid, form
        self.job: operations.Job | None = None
        shown = form_evidence(session.ws, case_uuid, form)
        self.candidates = {c["uuid"]: c for c in shown["candidates"]}
        self.labels = {uuid: "{name}（{phase}，{time}）".format(
            name=c["original_name"] or uuid[:8], phase=phase_text(c["phase"]),
            time=local_time(session.ws, c["taken_at_utc"]) or "—") for uuid, c in self.candidates.items()}
        self.setWindowTitle(self.tr("选择表单照片 — {case}").format(case=shown["case_no"]))
        layout = QVBoxLayout(self)
        layout.addWidget(plain_label(self.tr("当前为默认选择；保存后表单按你的选择打印。") if not shown["chosen"]
                                     else self.tr("表单按已保存的选择打印。"), self))
        self.pairs = QListWidget(self)
        if form == "closure":
            layout.addWidget(self._pairs_box(shown["pairs"]))
        self.photos = QListWidget(self)
        for uuid in self._photo_order(shown["photos"]):
            item = QListWidgetItem(self.labels[uuid], self.photos)
            item.setData(UUID_ROLE, uuid)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if uuid in shown["photos"] else Qt.CheckState.Unchecked)
        box = QGroupBox(self.tr("单独显示的照片") if form == "closure" else self.tr("表单上的现场照片"), self)
        QVBoxLayout(box).addWidget(self.photos)
        layout.addWidget(box, 1)
        self.message = plain_label(parent=self)
        layout.addWidget(self.message)
        self.save_button = QPushButton(self.tr("保存"), self)
        self.save_button.setProperty("primary", True)
        self.save_button.clicked.connect(lambda: self.save())
        default = QPushButton(self.tr("恢复默认"), self)
        default.clicked.connect(lambda: self.save(clear=True))
        cancel = QPushButton(self.tr("取消"), self)
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(default)
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.save_button)
        layout.addLayout(buttons)
        self.resize(640, 560)

    def _photo_order(self, shown: list[str]) -> list[str]:
        """The photos the form shows first (in their order), then the other eligible ones."""
        eligible = [uuid for uuid, c in self.candidates.items() if "photo" in c["sides"]]
        return [*shown, *(uuid for uuid in eligible if uuid not in shown)]

    def _pairs_box(self, pairs: list[dict[str, str]]) -> QGroupBox:
        box = QGroupBox(self.tr("整改前后配对（按顺序打印）"), self)
        self.before_box, self.after_box = QComboBox(box), QComboBox(box)
        for combo, side in ((self.before_box, "before"), (self.after_box, "after")):
            for uuid, candidate in self.candidates.items():
                if side in candidate["sides"]:
                    combo.addItem(self.labels[uuid], uuid)
        for pair in pairs:
            self.add_pair(pair["before"], pair["after"])
        add = QPushButton(self.tr("添加配对"), box)
        add.clicked.connect(lambda: self.add_pair(self.before_box.currentData(), self.after_box.currentData()))
        remove = QPushButton(self.tr("移除配对"), box)
        remove.clicked.connect(lambda: self.pairs.takeItem(self.pairs.currentRow()))
        chooser = QHBoxLayout()
        chooser.addWidget(self.before_box, 1)
        chooser.addWidget(plain_label("↔", box))
        chooser.addWidget(self.after_box, 1)
        chooser.addWidget(add)
        layout = QVBoxLayout(box)
        layout.addWidget(self.pairs)
        layout.addLayout(chooser)
        layout.addWidget(remove, 0, Qt.AlignmentFlag.AlignRight)
        return box

    def add_pair(self, before: str | None, after: str | None) -> None:
        """Append a pair (整改前 ↔ 整改后) to the list, unless either photo is missing."""
        if not before or not after:
            return
        item = QListWidgetItem(f"{self.labels[before]}  ↔  {self.labels[after]}", self.pairs)
        item.setData(UUID_ROLE, (before, after))

    def chosen(self) -> tuple[list[tuple[str, str]], list[str]]:
        """(pairs, photos shown on their own) as the dialog has them now."""
        pairs = [tuple(self.pairs.item(row).data(UUID_ROLE)) for row in range(self.pairs.count())]
        photos = [self.photos.item(row).data(UUID_ROLE) for row in range(self.photos.count())
                  if self.photos.item(row).checkState() == Qt.CheckState.Checked]
        return [(str(b), str(a)) for b, a in pairs], photos

    def save(self, *, clear: bool = False) -> operations.Job:
        pairs, photos = ([], []) if clear else self.chosen()
        self.save_button.setEnabled(False)
        self.job = choose_form_evidence(session=self.session, case_uuid=self.case_uuid, form=self.form,
                                        photos=photos, pairs=pairs)
        self.job.succeeded.connect(lambda _result: self.accept())
        self.job.failed.connect(self._refused)
        return self.job

    def _refused(self, text: str) -> None:
        self.message.setText(text)
        self.save_button.setEnabled(True)
