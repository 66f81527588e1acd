"""Operations: one keyword-only function per user action, run in the background.

Each function starts the core call on the session's worker thread and
returns a :class:`Job` at once; the job reports ``progress``, then either
``succeeded(result)`` or ``failed(message)`` (the core's reason text in the
UI language), and finally ``finished``. A mutation's result carries the core's
own summary of what it wrote (``result.changes``,
:class:`inspector.store.changes.Changes`); on success the session passes it to
the views, which refresh only that — nothing here guesses. Widgets never
change data themselves: they call these functions.
"""
from __future__ import annotations

import logging
import traceback
from pathlib import Path
from typing import Any, Callable, Sequence

from PySide6.QtCore import QObject, QRunnable, QTimer, Signal

from inspector.errors import InspectorError
from ui.i18n import core_message, translate
from ui.session import Session

log = logging.getLogger(__name__)
Work = Callable[["Job"], Any]


class Cancelled(Exception):
    """Raised inside a job's work when the user pressed Cancel (the transaction rolls back)."""


class Job(QObject):
    """A running operation: connect to its signals; :meth:`cancel` asks it to stop."""

    progress = Signal(int, int, str)
    succeeded = Signal(object)
    failed = Signal(str)
    finished = Signal()

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.cancelled = False
        self.result: Any = None
        self.error: str | None = None
        self.done = False  # set on the GUI thread once ``finished`` has been delivered
        self.finished.connect(self._mark_done)

    def _mark_done(self) -> None:
        self.done = True

    def cancel(self) -> None:
        self.cancelled = True

    def report(self, done: int, total: int, message: str) -> None:
        """Progress callback for core functions; raises :class:`Cancelled` after :meth:`cancel`."""
        if self.cancelled:
            raise Cancelled()
        self.progress.emit(done, total, message)


class _Runner(QRunnable):
    def __init__(self, job: Job, work: Work) -> None:
        super().__init__()
        self.job, self.work = job, work

    def run(self) -> None:
        job = self.job
        try:
            result = self.work(job)
        except Cancelled:
            job.error = translate("operations", "已取消，没有写入任何内容")
        except InspectorError as exc:
            job.error = core_message(exc)
        except Exception as exc:  # noqa: BLE001 - reported to the user, never swallowed silently
            log.error("operation %s failed:\n%s", job.name, traceback.format_exc())
            job.error = f"{type(exc).__name__}: {exc}"
        else:
            job.result = result
        if job.error is None:
            job.succeeded.emit(job.result)
        else:
            job.failed.emit(job.error)
        job.finished.emit()


def start(session: Session, name: str, work: Work, *, mutation: bool = False,
          connect: Callable[[Job], None] | None = None) -> Job:
    """Run ``work(job)`` on the session's worker thread. For a ``mutation`` (its result is a core
    mutation's, with ``changes``), tell the session what the core reported as changed. ``connect(job)``
    connects the caller's handlers before the work starts, so the work starts at once; without it the work
    starts from the event loop, after the caller has connected its handlers to the returned job."""
    job = Job(name)
    session.jobs.add(job)
    if mutation:
        job.succeeded.connect(lambda result: session.notify(result.changes))
    job.finished.connect(lambda: session.jobs.discard(job))
    runner = _Runner(job, work)
    if connect is not None:
        connect(job)
        session.pool.start(runner)
    else:
        QTimer.singleShot(0, lambda: session.pool.start(runner))
    return job


# -- case work -------------------------------------------------------------
def transition_case(*, session: Session, case_uuid: str, target: str, reason: str | None = None,
                    recurred: bool = False, signatures: Sequence[Any] = ()) -> Job:
    """A workflow move as the session's acting user, signed by ``signatures`` (core Signature values)."""
    from inspector.casework.workflow import transition

    def work(job: Job) -> Any:
        actor = session.actor
        return transition(session.writer(), case_uuid, target, role=session.role, actor=actor.user,
                          actor_name=actor.name, jurisdiction=actor.jurisdiction, reason=reason, recurred=recurred,
                          signatures=signatures)
    return start(session, "transition", work, mutation=True)


def create_field_case(*, session: Session, lon: float, lat: float, problem_type: str, description: str) -> Job:
    """Record a problem found in the field (现场发现) at (lon, lat) as the session's acting user; the result is the
    new case as the case list shows it (its provisional 临- number, its attribution)."""
    from inspector.casework.field_cases import create_field_case as create

    def work(job: Job) -> Any:
        return create(session.writer(), lon=lon, lat=lat, problem_type=problem_type, description=description,
                      actor=session.actor.user)
    return start(session, "field-case", work, mutation=True)


def set_verified_extent(*, session: Session, case_uuid: str, geojson: str) -> Job:
    """Store the case's verified extent (核实范围) the inspector edited on the map; the core validates it."""
    from inspector.casework.verified_extent import set_verified_extent as store

    def work(job: Job) -> Any:
        return store(session.writer(), case_uuid, geojson, actor=session.actor.user)
    return start(session, "verified-extent", work, mutation=True)


def attach_evidence(*, session: Session, case_uuid: str, files: list[str], phase: str,
                    document_type: str | None = None, receiver_fix: Any = None) -> Job:
    """Photos, drone stills and orthophotos — or, with ``document_type``, documents of that type;
    ``receiver_fix`` (a GnssFix) is the connected receiver's fresh fix, recorded with them."""
    from inspector.casework.evidence_attach import attach

    def work(job: Job) -> Any:
        return attach(session.writer(), case_uuid, [Path(f) for f in files], phase=phase, actor=session.actor.user,
                      document_type=document_type, receiver_fix=receiver_fix)
    return start(session, "attach", work, mutation=True)


def add_finding(*, session: Session, case_uuid: str, values: dict[str, Any],
                signatures: Sequence[Any] = ()) -> Job:
    """A finding (核查记录), signed by ``signatures`` (core Signature values)."""
    from inspector.casework import findings

    def work(job: Job) -> Any:
        return findings.add_finding(session.writer(), case_uuid, actor=session.actor.user, signatures=signatures,
                                    **values)
    return start(session, "finding", work, mutation=True)


def add_rectification(*, session: Session, case_uuid: str, values: dict[str, Any]) -> Job:
    from inspector.casework import rectification

    def work(job: Job) -> Any:
        return rectification.add_rectification(session.writer(), case_uuid, actor=session.actor.user, **values)
    return start(session, "rectification", work, mutation=True)


def set_checklist(*, session: Session, case_uuid: str, items: dict[str, bool], note: str | None) -> Job:
    from inspector.casework import rectification

    def work(job: Job) -> Any:
        return rectification.set_checklist(session.writer(), case_uuid, items=items, note=note,
                                           actor=session.actor.user)
    return start(session, "checklist", work, mutation=True)


def verify_audit(*, session: Session) -> Job:
    from inspector.store.audit import verify

    return start(session, "verify-audit", lambda job: verify(session.writer()))


# -- forms -----------------------------------------------------------------
def render_form_pdf(*, session: Session, case_uuid: str, kind: str) -> Job:
    """PDF bytes of one form of a case (for preview and export)."""
    from inspector.forms.form_data import gather_case
    from inspector.forms.render import render_form

    return start(session, "form", lambda job: render_form(gather_case(session.writer(), case_uuid), kind))


def export_forms(*, session: Session, cases: list[tuple[str, str]], kind: str, folder: str) -> Job:
    """Write one form per ``(uuid, case_no)`` into ``folder``, progress per case; result:
    :func:`inspector.forms.form_export.export_forms`'s ``{"forms", "failed"}`` (one case failing never
    stops the others)."""
    from inspector.forms.form_export import export_forms as export

    def work(job: Job) -> Any:
        return export(session.writer(), cases, kind, Path(folder), progress=job.report)
    return start(session, "export-forms", work)


# -- imports ---------------------------------------------------------------
def dry_run_ledger(*, session: Session, path: str, column_map: dict[str, str | None] | None = None) -> Job:
    """Parse and check a ledger without writing.

    Result: (valid rows, LedgerImportResult or None, header rows per sheet, refusal text or None):
    when the columns cannot be resolved the headers still come back, so the mapping can be edited."""
    from inspector.errors import BadInput
    from inspector.importers.ledger_import import check_sheets, ledger_headers
    from inspector.importers.ledger_reader import read_sheets

    def work(job: Job) -> Any:
        sheets = list(read_sheets(Path(path)))  # one bounded parse serves the headers and the check
        try:
            headers = ledger_headers(sheets, column_map)
        except BadInput:
            headers = ledger_headers(sheets)
        try:
            records, result = check_sheets(sheets, session.writer(), column_map=column_map)
        except BadInput as exc:
            if not headers:
                raise
            return [], None, headers, core_message(exc)
        return records, result, headers, None
    return start(session, "ledger-dry-run", work)


def import_ledger_file(*, session: Session, path: str, column_map: dict[str, str | None] | None = None) -> Job:
    from inspector.importers.ledger_import import import_ledger

    def work(job: Job) -> Any:
        job.report(0, 1, translate("operations", "读取台账"))
        return import_ledger(session.writer(), Path(path), progress=job.report, column_map=column_map)
    return start(session, "ledger-import", work, mutation=True)


def inspect_zone_file(*, session: Session, path: str, encoding: str | None, crs: str | None,
                      field_map: dict[str, str] | None = None) -> Job:
    """Layers of a vector file with their detected encoding, CRS and field mapping."""
    from inspector.geo.vector_source import VectorSource
    from inspector.importers.zone_import import resolve_fields

    def work(job: Job) -> Any:
        with VectorSource(Path(path), encoding=encoding, crs=crs) as source:
            return [{"name": info.name, "features": info.feature_count, "fields": info.fields, "crs": info.crs,
                     "encoding": info.encoding, "mapping": resolve_fields(info.fields, field_map or {})}
                    for info in source.layer_infos()]
    return start(session, "zones-inspect", work)


def import_zone_file(*, session: Session, path: str, crs: str | None, encoding: str | None,
                     field_map: dict[str, str], kind: str | None, layer: str | None) -> Job:
    from inspector.importers.zone_import import import_zones

    def work(job: Job) -> Any:
        return import_zones(session.writer(), Path(path), crs=crs, encoding=encoding, field_map=field_map,
                            kind=kind, layer=layer, progress=job.report)
    return start(session, "zones-import", work, mutation=True)
