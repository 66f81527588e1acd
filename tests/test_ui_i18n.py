"""Translations: Chinese by default, English at run time from the committed .qm (kept in step with the .ts)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from tests.ui_fixtures import *  # noqa: F403 - fixtures
from tests.ui_fixtures import wait_reads

I18N = Path(__file__).resolve().parents[1] / "resources" / "i18n"


def test_switch_to_english_and_back(window, qtbot):
    window.case_list.table.selectRow(0)
    uuid = window.case_list.model.uuid_at(0)
    qtbot.waitUntil(lambda: window.detail.case_uuid == uuid)
    assert window.actions_by_name["ledger"].text() == "导入台账"
    window.language_box.setCurrentIndex(window.language_box.findData("en"))
    assert window.actions_by_name["ledger"].text() == "Import ledger"
    wait_reads(qtbot, window.session)  # the rebuilt list asked for its rows
    model = window.case_list.model
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Status"
    assert model.data(model.index(0, 0)) == "To inspect"
    assert window.case_list.count_label.text() == "80 cases"
    qtbot.waitUntil(lambda: window.detail.case_uuid == uuid)
    assert window.detail.findChild(QPushButton, "move:现场核查").text() == "→ Site check"
    assert window.settings.value("language") == "en"
    window.language_box.setCurrentIndex(window.language_box.findData("zh"))
    assert window.actions_by_name["ledger"].text() == "导入台账"


def test_core_refusals_follow_the_ui_language(window, qtbot):
    from tests.ui_fixtures import wait_job
    from ui import i18n, operations

    i18n.set_language("en")
    uuid = window.case_list.model.uuid_at(0)
    _, error = wait_job(qtbot, operations.transition_case(session=window.session, case_uuid=uuid, target="整改中"))
    assert error.startswith("cannot go from 待核查 to 整改中")


def test_compiled_translation_matches_the_source(tmp_path):
    # the venv's scripts directory need not be on PATH (the README runs .venv/bin/python -m pytest)
    search = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    lrelease = shutil.which("pyside6-lrelease", path=search)
    if lrelease is None:
        pytest.skip("pyside6-lrelease not installed")
    out = tmp_path / "lvdun_en.qm"
    subprocess.run([lrelease, "-silent", str(I18N / "lvdun_en.ts"), "-qm", str(out)], check=True)
    assert out.read_bytes() == (I18N / "lvdun_en.qm").read_bytes(), "run pyside6-lrelease on lvdun_en.ts"
    assert 'type="unfinished"' not in (I18N / "lvdun_en.ts").read_text(encoding="utf-8")


def test_qt_standard_buttons_follow_the_ui_language(window, qtbot):
    """Qt's own strings (dialog buttons) come from Qt's catalogue: Chinese in the Chinese UI."""
    from PySide6.QtWidgets import QDialogButtonBox

    from ui import i18n

    def button_texts() -> tuple[str, str]:
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close | QDialogButtonBox.StandardButton.Cancel)
        texts = (box.button(QDialogButtonBox.StandardButton.Close).text(),
                 box.button(QDialogButtonBox.StandardButton.Cancel).text())
        box.deleteLater()
        return texts

    i18n.set_language("zh")
    assert button_texts() == ("关闭", "取消")
    i18n.set_language("en")
    assert button_texts() == ("Close", "Cancel")
    i18n.set_language("zh")


def test_every_domain_word_of_the_core_has_an_english_label(qapp):
    """States, workflow actions and zone kinds come from the core's lists and are their own source texts."""
    from ui import i18n, labels

    try:
        assert i18n.set_language("en")
        english = {word: labels.status_text(word) for word in labels.DOMAIN_WORDS}
        assert [word for word, text in english.items() if text == word or not text.isascii()] == []
        assert labels.status_text("待核查") == "To inspect" and labels.kind_text("未分类") != "未分类"
        assert labels.status_text("某个未知状态") == "某个未知状态"
    finally:
        i18n.set_language("zh")
