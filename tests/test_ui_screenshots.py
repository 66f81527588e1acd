"""Screenshots of the main screens (inspector and reviewer, 1366×768 and 1920×1200), through the same
code path as ``inspector gui --screenshot``; set LVDUN_SCREENSHOT_DIR to keep copies for review."""
from __future__ import annotations

import os
import shutil

import pytest
from PySide6.QtGui import QImage

from tests.ui_fixtures import *  # noqa: F403 - fixtures
from tests.ui_fixtures import make_geotagged_photo, move_to_closure_request, show_exposed

pytestmark = pytest.mark.map_page
SIZES = ((1366, 768), (1920, 1200))
CORE_WALK_END = (120.4372, 33.5977)  # inside the demo's 盐城 core zone (tests/data/walk_into_core_zone.nmea)


def _stage(ws, tmp_path) -> str:
    """A case with a finding and photos, two cases waiting for review."""
    from inspector.casework.evidence_attach import attach
    from inspector.casework.findings import add_finding
    from inspector.casework.workflow import transition

    for case_no in ("LD2026-320100-002", "LD2026-320100-004"):
        move_to_closure_request(ws, case_no, tmp_path)
    row = ws.conn.execute("SELECT case_no, uuid, lon, lat FROM cases WHERE case_no = 'LD2026-320100-001'").fetchone()
    transition(ws, row["case_no"], "现场核查", role="inspector", actor="李四")
    add_finding(ws, row["case_no"], assessment="确认问题", activity_type="旅游设施",
                description="保护地一般控制区内新建观景平台约 300 平方米，未办理审批手续", inspector="李四、王五")
    photos = [make_geotagged_photo(tmp_path / f"site-{i}.jpg", row["lon"] + i * 0.0002, row["lat"], bearing=40.0 * i)
              for i in range(3)]
    attach(ws, row["case_no"], photos)
    return row["uuid"]


@pytest.mark.parametrize("role", ["inspector", "reviewer"])
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_screenshot(session, new_window, qtbot, tmp_path, role, size):
    from ui.app import save_when_ready
    uuid = _stage(session.ws, tmp_path)
    session.set_role(role)
    window = show_exposed(qtbot, new_window(), size)
    if role == "inspector":
        window.select_case(uuid)
        window.gps.positionChanged.emit(*CORE_WALK_END, 9.0)
        assert window.banner.isVisible()
    else:
        window.queue.list.table.selectRow(0)
    target = tmp_path / f"{role}-{size[0]}x{size[1]}.png"
    done = []
    save_when_ready(window, str(target), 30, on_done=lambda: done.append(1))
    qtbot.waitUntil(lambda: bool(done), timeout=40_000)
    image = QImage(str(target))
    assert (image.width(), image.height()) == size
    assert window.map_ready, "the map did not report ready"
    keep = os.environ.get("LVDUN_SCREENSHOT_DIR")
    if keep:
        os.makedirs(keep, exist_ok=True)
        shutil.copy(target, keep)
