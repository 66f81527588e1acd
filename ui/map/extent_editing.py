"""核实范围 in the window: the case detail asks, the map edits, the core validates and stores.

:class:`ExtentEditing` joins three parts that do not know each other: the case
detail's 核实范围 button (``extentRequested(uuid)``) starts editing on the map
from the stored verified extent, else the delivered patch; the map's
``extentEdited(uuid, geojson)`` runs :func:`ui.operations.set_verified_extent`
on the worker thread (the core parses the page's text as hostile input); on
success the map draws the stored extent and editing ends, and the detail
re-reads the case from the change summary (核实面积 beside the delivered area).
A refusal — the map's own bounds check or the core's — is shown in the detail
and editing goes on.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

from inspector.casework.case_queries import case_record
from ui import operations
from ui.session import Session


class ExtentEditing(QObject):
    """Routes one verified-extent edit from the detail panel through the map to the core."""

    def __init__(self, session: Session, map_view: QWidget, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session, self.map_view = session, map_view
        self.detail: Any = None
        self.last_job: operations.Job | None = None
        self.available = hasattr(map_view, "start_extent_edit")
        if self.available:
            map_view.extentEdited.connect(self.store)  # type: ignore[attr-defined]
            map_view.extentRefused.connect(self._refused)  # type: ignore[attr-defined]

    def attach_detail(self, detail: Any) -> None:
        """The (re)built case detail panel whose 核实范围 button starts an edit."""
        self.detail = detail
        detail.extentRequested.connect(self.start)
        detail.extent_button.setEnabled(self.available)

    def start(self, case_uuid: str) -> bool:
        case = case_record(self.session.ws, case_uuid) if case_uuid and self.available else None
        if case is None:
            return False
        start = case.get("verified_geometry_geojson") or case.get("geometry_geojson")
        started = bool(self.map_view.start_extent_edit(case_uuid, start))  # type: ignore[attr-defined]
        if started and self.detail is not None:
            self.detail.show_message(self.tr("在地图上编辑核实范围，完成后点“保存”"), True)
        return started

    def store(self, case_uuid: str, geojson: str) -> operations.Job:
        job = operations.set_verified_extent(session=self.session, case_uuid=case_uuid, geojson=geojson)
        job.succeeded.connect(self._stored)
        job.failed.connect(self._refused)
        self.last_job = job
        return job

    def _stored(self, result: dict[str, Any]) -> None:
        from json import dumps

        self.map_view.show_verified(result["uuid"], dumps(result["verified_geometry"]))  # type: ignore[attr-defined]
        if self.detail is not None:
            self.detail.show_message(self.tr("已保存核实范围：核实面积 {area:,.0f} m²").format(
                area=result["verified_area_m2"]), True)

    def _refused(self, text: str) -> None:
        if self.detail is not None:
            self.detail.show_message(text, False)
