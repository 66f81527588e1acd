"""Gather a case's sign-offs for the forms: the acceptance chain, countersigns, 公示, signatures, server confirmation.

Only what was recorded is printed, each in its own box:

- each acceptance level's opinion comes from that level's own transition —
  the applicant's 申请销号, the county's 县级验收 (or its 退回 of a request),
  the city's 市级验收 (or its 退回) — found through the workflow's
  :data:`~inspector.casework.workflow.ACCEPTANCE_STEPS`; a later 回头看 or
  抽查, or the city's closing move, is never printed as an opinion;
- countersigns are the ``countersigns`` records, by department;
- a signature is stamped in the box of the record it signs (``signs_uuid``)
  and only when its PNG decodes within the signature bounds (a blob pulled
  from a server is checked like a file given to the CLI);
- a case whose transitions are not all acknowledged by a sync server (dirty,
  or never pushed) is marked 未经服务器确认.
"""
from __future__ import annotations

from typing import Any, Callable, Optional

from inspector.casework.countersigns import countersigns_of
from inspector.casework.publicity import publicity_of
from inspector.casework.signatures import MAX_SIGNATURE_BYTES, checked_png, signatures_of
from inspector.casework.workflow import ACCEPTANCE_STEPS, RETURN, REVIEW_LEVELS, is_closed
from inspector.errors import BadInput
from inspector.forms.model import FormAcceptanceStep, FormCountersign, FormSignature
from inspector.store.media_store import open_no_follow, readable_blob
from inspector.store.workspace import Workspace

APPLICANT = "责任单位"
APPLICATION = ACCEPTANCE_STEPS[0][0]  # 申请销号: the applicant's move
LEVEL_LABELS = {"county": "县级", "city": "市级"}  # jurisdiction level → its row in forms.model.ACCEPTANCE_LEVELS
# an approving move → the level whose acceptance it is (the closing move 已销号 is no acceptance opinion)
ACCEPTING_MOVES = {target: level for _state, level, target in ACCEPTANCE_STEPS if not is_closed(target)}
LocalTime = Callable[[Workspace, Optional[str]], str]
Signed = dict[str, list[tuple[str, FormSignature]]]  # signed record uuid → [(signer role, signature)]


def _signature(ws: Workspace, row: dict[str, Any], local_time: LocalTime) -> Optional[FormSignature]:
    """The signature row as a stampable image, or ``None`` when its PNG is missing or does not decode in bounds."""
    try:
        path = readable_blob(ws.media_dir, row["sha256"])
        with open_no_follow(path) as handle:
            data = handle.read(MAX_SIGNATURE_BYTES + 1)
        width, height = checked_png(data)
    except (BadInput, OSError):
        return None
    return FormSignature(path=path, signer_name=row["signer_name"] or "", signed_at=local_time(ws, row["created_at"]),
                         width_px=width, height_px=height)


def signatures_by_record(ws: Workspace, case_id: int, local_time: LocalTime) -> Signed:
    """Signed record uuid → [(signer role, signature)], oldest first, of the case's stampable signatures."""
    found: Signed = {}
    for row in signatures_of(ws, case_id):
        signature = _signature(ws, row, local_time)
        if signature is not None:
            found.setdefault(row["signs_uuid"], []).append((row["signer_role"], signature))
    return found


def _latest(signed: list[tuple[str, FormSignature]], *roles: str) -> Optional[FormSignature]:
    matching = [signature for role, signature in signed if role in roles]
    return matching[-1] if matching else None


def acceptance(ws: Workspace, case_id: int, signed: Signed,
               local_time: LocalTime) -> tuple[FormAcceptanceStep, ...]:
    """The latest decision of each acceptance level, each from that level's own transition."""
    steps: dict[str, FormAcceptanceStep] = {}
    for t in ws.conn.execute("SELECT uuid, action, from_state, coalesce(actor_name, actor) AS actor, reason, at_utc "
                             "FROM transitions "
                             "WHERE case_id = ? AND deleted = 0 ORDER BY id", (case_id,)):
        returned = t["action"] == RETURN
        if t["action"] == APPLICATION:
            level, roles = APPLICANT, ("inspector",)
        elif returned and t["from_state"] in REVIEW_LEVELS:
            level, roles = LEVEL_LABELS[REVIEW_LEVELS[t["from_state"]]], (REVIEW_LEVELS[t["from_state"]],)
        elif t["action"] in ACCEPTING_MOVES:
            level, roles = LEVEL_LABELS[ACCEPTING_MOVES[t["action"]]], (ACCEPTING_MOVES[t["action"]],)
        else:
            continue
        steps[level] = FormAcceptanceStep(
            level=level, opinion=t["reason"] or "", signer=t["actor"], date=local_time(ws, t["at_utc"])[:10],
            decision="退回" if returned else "同意", return_reason=t["reason"] if returned else None,
            signature=_latest(signed.get(t["uuid"], []), *roles))
    return tuple(steps.values())


def countersigns(ws: Workspace, case_id: int,
                 signed: Signed) -> tuple[FormCountersign, ...]:
    documents = {row[0]: row[1] for row in ws.conn.execute(
        "SELECT uuid, original_name FROM evidence WHERE case_id = ? AND kind = 'document' AND deleted = 0 "
        "AND voided_at IS NULL",
        (case_id,))}
    return tuple(FormCountersign(department=c["department"], signer=c["signer"], date=c["signed_on"],
                                 opinion=c["opinion"], document=documents.get(c["document_uuid"] or ""),
                                 signature=_latest(signed.get(c["uuid"], []), "countersign"))
                 for c in countersigns_of(ws, case_id))


def publicity_text(ws: Workspace, case_id: int) -> Optional[str]:
    lines = [f"公示期：{p['starts_on']} 至 {p['ends_on']}；公示地点：{p['published_where']}"
             for p in publicity_of(ws, case_id)]
    return "\n".join(lines) or None


def field_signatures(ws: Workspace, case_id: int,
                     signed: Signed) -> dict[str, FormSignature]:
    """The latest signature of each role (inspector, inspected party) on the case's findings."""
    found: dict[str, FormSignature] = {}
    for (uuid,) in ws.conn.execute("SELECT uuid FROM findings WHERE case_id = ? AND deleted = 0 AND voided_at IS NULL "
                                   "ORDER BY id",
                                   (case_id,)):
        for role, signature in signed.get(uuid, []):
            found[role] = signature
    return found


def unconfirmed(ws: Workspace, case_id: int) -> bool:
    """Whether some transition of the case has not been acknowledged by a sync server."""
    return ws.conn.execute("SELECT EXISTS (SELECT 1 FROM transitions WHERE case_id = ? AND "
                           "(dirty = 1 OR base_revision IS NULL))", (case_id,)).fetchone()[0] == 1
