"""The office's and the province's ledger export: every case in a jurisdiction with its progress, from the server.

The server's records are the truth about progress (devices push findings,
rectifications, transitions and evidence; the server's case records carry
the status). :func:`server_ledger_rows` reads the records of one scope —
the same :meth:`User.scope_clause` every other query uses, so a city sees
its counties and the province all thirteen cities — and gathers, per case,
what the core's export gathers from a workspace
(:func:`inspector.reports.ledger_rows.progress_values`); the zones a case lies in and
the place names come from the server's workspace, which attributed the
published cases. The core's writers (:func:`inspector.reports.ledger_export.write_ledger`)
then write the same xlsx/csv/gpkg a device writes.

Used by ``inspector-server export-ledger`` and ``GET /api/v1/export/ledger``
(reviewers and admins).
"""
from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from pathlib import Path
from typing import Any, BinaryIO, Iterator, Optional

import sqlalchemy as sa

from inspector.casework.authority import PROVINCE_ADCODE
from inspector.casework.statuses import ADMIN
from inspector.errors import BadInput
from inspector.geo.attribution import zone_precedence
from inspector.reports.ledger_export import ExportResult, write_ledger
from inspector.reports.ledger_rows import LedgerRow, LedgerRows, original_values, progress_values, workspace_zone
from inspector.store.workspace import Workspace
from sync.server import auth
from sync.server.storage import Storage, records

CHILD_KINDS = ("findings", "rectifications", "transitions", "evidence")


def export_scope(jurisdiction: Optional[str]) -> auth.User:
    """The scope of an export made on the server itself (the province, or ``jurisdiction``)."""
    adcode = jurisdiction or PROVINCE_ADCODE
    try:
        auth.jurisdiction_level(adcode)
    except ValueError:
        raise BadInput(f"行政区代码须为 6 位数字：{adcode}", f"a jurisdiction is a 6-digit adcode: {adcode}") from None
    return auth.User(id=0, name="export", role=ADMIN, jurisdiction=adcode)


def _contents(conn: sa.Connection, scope: auth.User, kinds: tuple[str, ...]) -> Iterator[tuple[str, dict]]:
    """(kind, content with its ``uuid``) of the live records of these kinds in scope, oldest change first (a
    voided finding, evidence item or rectification is not live: it counts nowhere)."""
    query = (sa.select(records.c.kind, records.c.uuid, records.c.content)
             .where(records.c.kind.in_(kinds), records.c.deleted.is_(False), scope.scope_clause(records))
             .order_by(records.c.server_seq))
    for kind, uuid, content in conn.execute(query):
        decoded = json.loads(content)
        if decoded.get("voided_at") is None:
            yield kind, {**decoded, "uuid": uuid}


def _progress_by_case(conn: sa.Connection, scope: auth.User) -> dict[str, dict[str, Any]]:
    """Per case UUID, the facts the progress columns need, from the child records."""
    facts: dict[str, dict[str, Any]] = {}
    for kind, content in _contents(conn, scope, CHILD_KINDS):
        case = facts.setdefault(content.get("case_uuid") or "", {"evidence_count": 0, "measures": []})
        if kind == "findings":
            if (content.get("observed_at_utc") or "") >= case.get("observed_at", ""):
                case.update(observed_at=content.get("observed_at_utc") or "", assessment=content.get("assessment"),
                            activity=content.get("activity_type"))
        elif kind == "rectifications":
            measures = content.get("measures") or ""
            case["measures"].append(f"{content.get('measure_type')}：{measures}" if measures
                                    else content.get("measure_type"))
            if content.get("deadline"):
                case["rectification_deadline"] = content["deadline"]
        elif kind == "transitions":
            at = content.get("at_utc") or ""
            for key, matches in (("requested_at", content.get("to_state") == "申请销号"),
                                 ("closed_at", content.get("to_state") == "已销号"),
                                 ("returned_at", content.get("action") == "退回")):
                if matches and at >= (case.get(key) or ""):
                    case[key] = at
                    if key == "returned_at":
                        case["return_reason"] = content.get("reason")
        else:
            case["evidence_count"] += 1
    return facts


def server_ledger_rows(conn: sa.Connection, ws: Workspace, scope: auth.User,
                       today: Optional[dt.date] = None) -> LedgerRows:
    """The export rows of the cases in ``scope`` (see the module docstring)."""
    today = today or dt.date.today()
    cases = [content for _, content in _contents(conn, scope, ("cases",))]
    cases.sort(key=lambda c: (c.get("source_file") is None, c.get("source_file") or "", c.get("source_sheet") or "",
                              c.get("source_row") or 0, c.get("case_no") or ""))
    columns: dict[str, None] = {}
    for case in cases:
        source = case.get("source_record")
        try:
            keys = json.loads(source) if isinstance(source, str) else {}
        except ValueError:
            keys = {}
        if isinstance(keys, dict):
            columns.update(dict.fromkeys(keys))
    facts = _progress_by_case(conn, scope)
    names = {row[0]: row[1] for row in ws.conn.execute("SELECT adcode, name FROM admin_areas")}
    zones: dict[str, list[dict[str, Any]]] = {}
    for row in ws.conn.execute("SELECT c.uuid, z.name, z.kind, z.function_zone FROM case_zones cz "
                               "JOIN cases c ON c.id = cz.case_id JOIN zones z ON z.id = cz.zone_id "
                               "WHERE z.deleted = 0"):
        zones.setdefault(row[0], []).append({"name": row[1], "kind": row[2], "function_zone": row[3]})
    zone = workspace_zone(ws)
    header = list(columns)

    def rows() -> Iterator[LedgerRow]:
        for case in cases:
            found = facts.get(case.get("uuid") or "", {})
            record = {
                "status": case.get("status"), "deadline": case.get("deadline"),
                "city": names.get(case.get("city_adcode") or ""), "county": names.get(case.get("county_adcode") or ""),
                "assessment": found.get("assessment"), "activity": found.get("activity"),
                "measures": "；".join(found.get("measures", [])) or None,
                "rectification_deadline": found.get("rectification_deadline"),
                "requested_at": found.get("requested_at"), "closed_at": found.get("closed_at"),
                "return_reason": found.get("return_reason"), "evidence_count": found.get("evidence_count", 0),
                "patch_area_m2": case.get("area_m2") if case.get("geometry_geojson") else None,
                "verified_area_m2": case.get("verified_area_m2"),
            }
            attributed = sorted(zones.get(case.get("uuid") or "", []), key=zone_precedence)
            yield LedgerRow(case.get("case_no") or "", original_values(case.get("source_record"), header),
                            progress_values(record, attributed, zone, today),
                            float(case.get("lon") or 0), float(case.get("lat") or 0))

    return LedgerRows(header, len(cases), rows())


def export_server_ledger(data_dir: Path, storage: Storage, path: Path, scope: auth.User, *,
                         encoding: Optional[str] = None) -> ExportResult:
    """Write the ledger of ``scope`` to ``path`` (.xlsx, .csv or .gpkg)."""
    from sync.server.publish import server_workspace

    with server_workspace(data_dir) as ws, storage.read() as conn:
        return write_ledger(path, server_ledger_rows(conn, ws, scope), encoding=encoding)


EXPORT_MEDIA_TYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                      "csv": "text/csv; charset=utf-8"}
EXPORTS_DIR = "exports"  # under the data directory: exports being written (unlinked before they are sent)
EXPORT_CHUNK_BYTES = 1024 * 1024  # bytes per chunk of a streamed export


def _stream(handle: BinaryIO) -> Iterator[bytes]:
    with handle:
        while chunk := handle.read(EXPORT_CHUNK_BYTES):
            yield chunk


def export_response(data_dir: Path, storage: Storage, user: auth.User, kind: str) -> Any:
    """``GET /export/ledger``: the caller's ledger, streamed from a file that is written, opened and unlinked
    before the response starts — so no export is left behind, whether the client reads it all or not."""
    from fastapi.responses import StreamingResponse

    folder = data_dir / EXPORTS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix="ledger-", suffix=f".{kind}", dir=folder)
    path = Path(name)
    try:
        os.close(handle)
        export_server_ledger(data_dir, storage, path, user)
        opened = path.open("rb")
    finally:
        path.unlink(missing_ok=True)
    size = os.fstat(opened.fileno()).st_size
    filename = f"ledger-{user.jurisdiction}-{dt.date.today().isoformat()}.{kind}"
    return StreamingResponse(_stream(opened), media_type=EXPORT_MEDIA_TYPES[kind],
                             headers={"Content-Length": str(size),
                                      "Content-Disposition": f'attachment; filename="{filename}"'})
