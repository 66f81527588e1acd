"""Data is shown as text, never as markup, in every widget of the desktop app.

A demo case gets markup in every text the app shows — case number, status,
description, ledger zone name, responsible unit, zone name and category,
finding, rectification, history, photo file name, EXIF make and model — and
each widget must show the literal string: ``label.text()`` equals it and the
format is ``Qt.PlainText`` (or, for a tooltip, the text Qt would render equals
it). A giant red 已销号 must not be painted, a broken image not shown.
"""
from __future__ import annotations

import json
import os
import shutil

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QApplication, QFormLayout, QGroupBox, QMessageBox

from evidence_fixtures import make_recent_photo
from inspector.casework.evidence_attach import attach
from inspector.casework.findings import DEFAULT_ACTIVITY_TYPES, add_finding
from inspector.casework.rectification import add_progress_note, add_rectification
from inspector.casework.workflow import transition
from tests.ui_fixtures import *  # noqa: F403 - fixtures
from tests.ui_fixtures import wait_reads

BIG_RED = '<b style="font-size:80px;color:red">已销号</b>'
BROKEN_IMAGE = "<img src=x onerror=alert(1)>"
TEMPLATE = "${7*7}"
CASE_NO = "LD2026-320100-001"


def hostile(tag: str) -> str:
    """A value naming its field, carrying all three payloads."""
    return f"{tag}{BIG_RED}{BROKEN_IMAGE}{TEMPLATE}"


def exif_hostile(tag: str) -> str:
    """The payloads in ASCII, as EXIF's ASCII fields (Make, Model) can hold them."""
    return f'{tag}<b style="font-size:80px;color:red">CLOSED</b>{BROKEN_IMAGE}{TEMPLATE}'


def assert_plain(label, text: str) -> None:
    assert label.textFormat() == Qt.TextFormat.PlainText, label.text()
    assert label.text() == text


def rendered(markup: str) -> str:
    """What Qt shows for a tooltip or other auto-detected text."""
    document = QTextDocument()
    document.setHtml(markup) if GuiQt.mightBeRichText(markup) else document.setPlainText(markup)
    return document.toPlainText()


@pytest.fixture
def marked(session, tmp_path):
    """The demo case LD2026-320100-001 with markup in everything it shows; returns its uuid."""
    ws = session.ws
    case = ws.conn.execute("SELECT id, uuid, lon, lat FROM cases WHERE case_no = ?", (CASE_NO,)).fetchone()
    ws.conn.execute("UPDATE zones SET name = ?, category = ? WHERE id IN (SELECT zone_id FROM case_zones "
                    "WHERE case_id = ?)", (hostile("区"), hostile("类"), case["id"]))
    ws.set_meta("activity_types", json.dumps([*DEFAULT_ACTIVITY_TYPES, hostile("活动")], ensure_ascii=False))
    transition(ws, CASE_NO, "现场核查", role="inspector", actor=hostile("人"), reason=hostile("理由"))
    add_finding(ws, CASE_NO, assessment="确认问题", activity_type=hostile("活动"), description=hostile("核查"),
                inspector=hostile("核查员"))
    rectification = add_rectification(ws, CASE_NO, measure_type="整治", measures=hostile("措施"),
                                      responsible_unit=hostile("整改单位"))
    add_progress_note(ws, rectification["uuid"], hostile("进展"))
    inside = make_recent_photo(tmp_path / f"{BROKEN_IMAGE}.jpg", case["lon"], case["lat"],
                               make=exif_hostile("Make"), model=exif_hostile("Model"))
    outside = make_recent_photo(tmp_path / f"{BIG_RED.replace('/', '∕')}.jpg", 116.5, 39.5)
    results = attach(ws, CASE_NO, [inside, outside])
    assert all("error" not in r for r in results)
    ws.conn.execute(
        "UPDATE cases SET case_no = ?, status = ?, description = ?, ledger_zone_name = ?, responsible_unit = ?, "
        "problem_type = ?, clue_source = ?, discovered_on = ?, deadline = ? WHERE id = ?",
        (hostile("编号"), hostile("状态"), hostile("描述"), hostile("台账区"), hostile("单位"), hostile("类型"),
         hostile("来源"), hostile("日"), TEMPLATE, case["id"]))
    return case["uuid"], [r["evidence_uuid"] for r in results], [p.name for p in (inside, outside)]


def test_case_detail_shows_every_value_as_plain_text(session, marked, qtbot, tmp_path):
    from ui.cases.case_detail import CaseDetailPanel

    uuid, _, names = marked
    panel = CaseDetailPanel(session)
    qtbot.addWidget(panel)
    panel.resize(560, 1600)
    with qtbot.waitSignal(panel.loaded, timeout=10_000):
        panel.show_case(uuid)
    panel.show()
    qtbot.waitExposed(panel)
    assert_plain(panel.title, hostile("编号"))
    assert_plain(panel.chip, hostile("状态"))
    assert panel.overdue.text() == ""  # a deadline that is no date is not overdue (and nothing crashes)
    fields = {}
    for row in range(panel.problem.rowCount()):
        key = panel.problem.itemAt(row, QFormLayout.ItemRole.LabelRole).widget().text()
        fields[key] = panel.problem.itemAt(row, QFormLayout.ItemRole.FieldRole).widget()
    for key, tag in (("问题类型", "类型"), ("问题描述", "描述"), ("台账保护地", "台账区"), ("发现时间", "日"),
                     ("责任单位", "单位"), ("线索来源", "来源")):
        assert_plain(fields[key], hostile(tag))
    assert_plain(fields["整改时限"], TEMPLATE)
    for lines in (panel.attribution, panel.findings, panel.rectification, panel.history):
        assert all(label.textFormat() == Qt.TextFormat.PlainText for label in lines.labels)
    assert panel.attribution.labels[0].text() == hostile("区")
    assert hostile("类") in panel.attribution.labels[1].text()
    assert [label.text() for label in panel.findings.labels][1] == hostile("核查")
    assert hostile("活动") in panel.findings.text() and hostile("核查员") in panel.findings.text()
    assert hostile("措施") in panel.rectification.text() and hostile("整改单位") in panel.rectification.text()
    assert any(label.text().endswith(hostile("进展")) for label in panel.rectification.labels)
    assert hostile("人") in panel.history.text() and hostile("理由") in panel.history.labels[1].text()
    gallery = panel.gallery
    assert_plain(gallery.flags_label, f"⚠ {names[1]}：照片位置不在江苏省内，未用作位置")
    tooltips = [rendered(gallery.list.item(i).toolTip()) for i in range(gallery.list.count())]
    assert tooltips[0] == names[0] and tooltips[1].startswith(names[1] + "\n")
    assert panel.title.heightForWidth(4000) < 60 and fields["问题描述"].heightForWidth(4000) < 60  # no 80 px text
    panel.message.hide()
    boxes = panel.findChildren(QGroupBox)
    qtbot.waitUntil(lambda: all(box.height() >= box.heightForWidth(box.width()) for box in boxes))  # laid out
    shot = tmp_path / "detail.png"
    assert panel.grab().save(str(shot))
    target = os.environ.get("PLAIN_TEXT_SHOT")
    if target:  # a developer looks at the picture: PLAIN_TEXT_SHOT=/tmp/detail.png
        shutil.copy(shot, target)


def test_evidence_viewer_shows_exif_and_zone_text_as_text(session, marked, qtbot):
    from ui.cases.evidence_gallery import EvidenceViewer

    _, evidence, names = marked
    viewer = EvidenceViewer(session, evidence[0])
    qtbot.addWidget(viewer)
    assert viewer.windowTitle() == names[0]
    assert_plain(viewer.fields["设备"], f"{exif_hostile('Make')} {exif_hostile('Model')}")
    assert_plain(viewer.fields["所在区域"], hostile("区"))
    assert viewer.image.pixmap() is not None and not viewer.image.pixmap().isNull()
    outside = EvidenceViewer(session, evidence[1])
    qtbot.addWidget(outside)
    assert all(label.textFormat() == Qt.TextFormat.PlainText for label in outside.warnings)


def test_lists_banners_messages_and_tooltips_are_plain(session, marked, qtbot):
    from ui import labels
    from ui.banner import Banner
    from ui.cases.case_model import COL_ZONE, CaseTableModel
    from ui.cases.finding_form import FindingForm
    from ui.cases.form_preview import BatchExport
    from ui.plain_text import warn
    from ui.review.review_queue import ReviewQueuePanel
    from ui.status_summary import StatusSummary

    uuid, _, _ = marked
    model = CaseTableModel(session)
    wait_reads(qtbot, session)
    row = model.row_of_uuid(uuid)
    tooltip = model.data(model.index(row, COL_ZONE), Qt.ItemDataRole.ToolTipRole)
    kind = model.record_at(row)["zone"]["kind"]
    assert rendered(tooltip) == f"{hostile('区')} · {labels.kind_text(kind)}"
    assert model.data(model.index(row, COL_ZONE)) == hostile("区")
    assert model.data(model.index(row, 1)) == hostile("编号")

    banner = Banner()
    qtbot.addWidget(banner)
    banner.alert(hostile("横幅"), beep=False)
    assert_plain(banner.label, hostile("横幅"))
    summary = StatusSummary(session)
    qtbot.addWidget(summary)
    summary.show_zones([{"name": hostile("区"), "function_zone": None, "kind": "自然保护地"}])
    assert_plain(summary.zone, f"当前位置：{hostile('区')}")
    summary.show_gps(hostile("串口"))
    assert_plain(summary.gps, f"GPS：{hostile('串口')}")
    queue = ReviewQueuePanel(session)
    qtbot.addWidget(queue)
    queue._done({"case_no": hostile("编号"), "from_state": "申请销号", "status": "县级验收"})
    assert_plain(queue.message, f"✔ {hostile('编号')}：申请销号 → 县级验收")
    form = FindingForm(session, uuid)
    qtbot.addWidget(form)
    assert form.windowTitle() == f"核查记录 — {hostile('编号')}"
    form._refused(hostile("拒绝"))
    assert_plain(form.errors, hostile("拒绝"))
    export = BatchExport(session)
    qtbot.addWidget(export)
    export._exported({"forms": [], "failed": [{"case_no": hostile("编号"), "reason": hostile("原因")}]}, "/tmp")
    assert export.message.textFormat() == Qt.TextFormat.PlainText
    assert export.message.text().endswith(f"{hostile('编号')}：{hostile('原因')}")

    seen = {}

    def read_and_close() -> None:
        box = QApplication.activeModalWidget()
        seen["format"], seen["text"] = box.textFormat(), box.text()
        box.done(QMessageBox.StandardButton.Ok)

    QTimer.singleShot(0, read_and_close)
    warn(None, "标题", hostile("警告"))
    assert seen == {"format": Qt.TextFormat.PlainText, "text": hostile("警告")}


def test_evidence_viewer_refuses_a_blob_behind_a_link(session, marked, qtbot, tmp_path):
    from inspector.store.media_store import blob_path
    from ui.cases.evidence_gallery import EvidenceViewer

    _, evidence, _ = marked
    sha = session.ws.conn.execute("SELECT sha256 FROM evidence WHERE uuid = ?", (evidence[0],)).fetchone()[0]
    blob = blob_path(session.ws.media_dir, sha)
    outside = shutil.copy2(blob, tmp_path / "outside.jpg")
    blob.chmod(0o644)
    blob.unlink()
    blob.symlink_to(outside)
    viewer = EvidenceViewer(session, evidence[0])
    qtbot.addWidget(viewer)
    assert viewer.image.pixmap().isNull() and "符号链接" in viewer.image.text()
    assert viewer.image.textFormat() == Qt.TextFormat.PlainText


def test_sync_views_show_server_text_as_text(session, qtbot):
    """Login reasons and errors, conflict messages and cell tooltips, the sync status tooltip: server text."""
    from sync.errors import ServerError
    from sync.protocol import Conflict, ConflictList
    from ui.sync_views.conflicts_view import ConflictsDialog
    from ui.sync_views.sync_controller import SyncController, SyncOutcome
    from ui.sync_views.sync_dialogs import LoginDialog
    from ui.sync_views.sync_status import SyncStatus
    from ui.sync_views.sync_text import error_text

    login = LoginDialog(session, reason=hostile("原因"))
    qtbot.addWidget(login)
    assert_plain(login.reason, hostile("原因"))
    login._show(hostile("错误"))
    assert_plain(login.error, hostile("错误"))
    conflicts = ConflictsDialog(session)
    qtbot.addWidget(conflicts)
    conflicts._say(hostile("消息"), ok=False)
    assert_plain(conflicts.message, hostile("消息"))
    conflict = Conflict(id=1, kind="findings", uuid="0" * 36, base_revision=1, server_revision=2,
                        server_deleted=False, server_content={"description": hostile("服务器版")},
                        client_deleted=False, client_content={"description": hostile("提交版")},
                        user=hostile("用户"), received_at="2026-11-30T08:00:00Z")
    conflicts._listed(ConflictList(conflicts=[conflict], server_time="2026-11-30T08:00:00Z"))
    cells = [conflicts.diff.item(row, column) for row in range(conflicts.diff.rowCount()) for column in (1, 2)]
    assert {rendered(cell.toolTip()) for cell in cells} >= {hostile("服务器版"), hostile("提交版")}
    status = SyncStatus(SyncController(session, interval_min=0))
    qtbot.addWidget(status)
    failed = SyncOutcome(kind="failed", manual=False, error=ServerError(hostile("服务器")))
    status.show_outcome(failed)
    assert rendered(status.label.toolTip()) == error_text(failed.error)
