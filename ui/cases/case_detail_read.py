"""What the case detail shows of one case, read in one go on the session's reading thread.

:func:`read_case_view` runs on :class:`ui.background.BackgroundReader`'s thread with its read-only
connection: the case row, its places, findings, rectifications and 两断三清, transitions, audit count,
evidence list and the 前时相 / 后时相 chips (clipped from MBTiles, outlined, encoded and scaled into
``QImage`` s, which unlike pixmaps may be made off the GUI thread). The panel
(:mod:`ui.cases.case_detail`) only fills its widgets from the :class:`CaseView` it gets back, so choosing a
case never runs a query or decodes an image on the GUI thread. Times are already in the workspace's zone.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from inspector.casework.case_queries import audit_entry_count, case_findings, case_places, case_record
from inspector.casework.evidence_attach import list_evidence
from inspector.casework.rectification import checklist, list_rectifications
from inspector.casework.workflow import history
from inspector.forms.form_data import local_time
from inspector.imagery.chips import Chip, case_chips
from inspector.store.workspace import Workspace

CHIP_VIEW_PX = 240  # side of a chip as shown in the panel, pixels


@dataclass(frozen=True)
class ChipView:
    """One imagery chip ready to show: its epoch, date and the scaled image."""

    epoch: str
    date: str | None
    image: QImage


@dataclass(frozen=True)
class CaseView:
    """Everything the case detail shows of one case (see the module docstring)."""

    case: dict[str, Any]
    places: dict[str, Any]
    findings: list[dict[str, Any]]  # each with ``observed_local``
    rectifications: list[dict[str, Any]]
    checklist: dict[str, Any] | None
    history: list[dict[str, Any]]  # each with ``at_local``
    audit_entries: int
    evidence: list[dict[str, Any]]
    chips: dict[str, ChipView | None] = field(default_factory=dict)  # "before" / "after"


def chip_image(chip: Chip) -> QImage:
    """The chip as a ``QImage`` of at most :data:`CHIP_VIEW_PX` a side (smoothly scaled)."""
    buffer = io.BytesIO()
    chip.image.save(buffer, format="PNG")
    image = QImage.fromData(buffer.getvalue(), "PNG")
    return image.scaled(CHIP_VIEW_PX, CHIP_VIEW_PX, Qt.AspectRatioMode.KeepAspectRatio,
                        Qt.TransformationMode.SmoothTransformation)


def read_case_view(ws: Workspace, uuid: str) -> CaseView | None:
    """The case's view, or None when no case has that uuid (deleted meanwhile)."""
    case = case_record(ws, uuid)
    if case is None:
        return None
    findings = [{**row, "observed_local": local_time(ws, row["observed_at_utc"])}
                for row in case_findings(ws, case["id"])]
    moves = [{**row, "at_local": local_time(ws, row["at_utc"])} for row in history(ws, case["uuid"])]
    chips = case_chips(ws, case["uuid"])
    return CaseView(
        case=case, places=case_places(ws, case), findings=findings,
        rectifications=list_rectifications(ws, case["id"]), checklist=checklist(ws, case["id"]),
        history=moves, audit_entries=audit_entry_count(ws, case["id"]), evidence=list_evidence(ws, case["id"]),
        chips={role: ChipView(chip.epoch, chip.date, chip_image(chip)) if chip else None
               for role, chip in (("before", chips.before), ("after", chips.after))})
