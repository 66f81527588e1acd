"""The status bar's content: cases per state, pending changes, GPS (position, fix type, satellites, HDOP,
accuracy) and the zone you stand in.

The 待同步 count shows once the workspace has a sync server (a bureau working
without one has nothing to push).

Wraps the session (counts refresh on every change summary the session announces; they are
counted on the session's reading thread, :func:`ui.background.reader_for`, and ``refreshed``
announces each answer shown) and
the geofence (the zone label follows ``zonesChanged``). The counts line is our
own markup (colours, numbers); zone names and GPS sources are plain text.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from inspector.casework.case_queries import status_counts
from inspector.casework.workflow import STATES, status_colours
from inspector.geo.gnss import GnssFix
from inspector.geo.gnss_quality import quality_text
from inspector.store.record_store import pending_changes
from inspector.store.workspace import Workspace
from sync.settings import SERVER_URL_KEY
from ui import i18n, labels
from ui.background import reader_for
from ui.plain_text import plain_label
from ui.session import Session


class StatusSummary(QWidget):
    """Counts per status (coloured), 待同步 count, GPS source and current zone."""

    refreshed = Signal()  # the counts shown are those of the latest refresh

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.counts = QLabel(self)
        self.counts.setTextFormat(Qt.TextFormat.RichText)  # built from our states and numbers only
        self.pending = plain_label(parent=self, wrap=False)
        self.pending.hide()  # until the first count says whether the workspace syncs
        self.gps = plain_label(self.tr("GPS：未启用"), self, wrap=False)
        self.zone = plain_label(parent=self, wrap=False)
        self.pending_refresh = False
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.addWidget(self.counts, 1)
        layout.addWidget(self.pending)
        layout.addWidget(self.gps)
        layout.addWidget(self.zone)
        session.changed.connect(lambda changes: self.refresh())
        session.workspaceChanged.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        """Count again (the labels change when the reading thread answers)."""
        self.pending_refresh = True
        reader_for(self.session).read(_counts, self._show_counts, owner=self, lane=f"status-summary-{id(self)}")

    def _show_counts(self, counted: tuple[dict[str, int], bool, int]) -> None:
        counts, syncing, pending = counted
        parts = []
        for state in STATES:
            if counts.get(state):
                colours = status_colours(state)
                parts.append(f"<span style='background:{colours.fill}; color:{colours.text}'>"
                             f"&nbsp;{labels.status_text(state)} <b>{counts[state]:,}</b>&nbsp;</span>")
        self.counts.setText(" ".join(parts))
        self.pending.setVisible(syncing)
        self.pending.setText(self.tr("待同步 {n}").format(n=pending))
        self.pending.setStyleSheet("color: #a14d00; font-weight: bold;" if pending else "color: #6b7570;")
        self.pending_refresh = False
        self.refreshed.emit()

    def show_gps(self, text: str) -> None:
        self.gps.setText(self.tr("GPS：{source}").format(source=text))

    def show_fix(self, fix: GnssFix) -> None:
        """The position with its quality: fix type, satellites, HDOP, accuracy (what the source gave)."""
        quality = quality_text(fix.quality(), i18n.current_language())
        self.gps.setText(f"GPS {fix.lon:.5f}, {fix.lat:.5f}" + (f"  {quality}" if quality else ""))

    def show_zones(self, zones: list[dict[str, Any]]) -> None:
        if not zones:
            self.zone.setText(self.tr("当前位置：不在任何区域内"))
            self.zone.setStyleSheet("")
            return
        first = zones[0]
        text = first["name"] + (f"（{first['function_zone']}）" if first["function_zone"] else "")
        self.zone.setText(self.tr("当前位置：{zone}").format(zone=text))
        alert = labels.is_alert_zone(first)
        self.zone.setStyleSheet("color: #b71c1c; font-weight: bold;" if alert else "color: #1b6e4f;")


def _counts(ws: Workspace) -> tuple[dict[str, int], bool, int]:
    """Cases per status, whether the workspace syncs, and its 待同步 count (on the reading thread). Without
    a sync server every record is simply local: no 待同步 count, which would only alarm."""
    syncing = bool(ws.meta(SERVER_URL_KEY))
    return status_counts(ws), syncing, pending_changes(ws.conn) if syncing else 0
