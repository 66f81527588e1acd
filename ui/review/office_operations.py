"""Operations of the office records: countersigns (会签), 公示, 省级抽查 and signed sign-offs.

The one place the GUI calls the core's record API for issue 13
(:mod:`inspector.casework.countersigns`, :mod:`inspector.casework.publicity`,
:mod:`inspector.casework.signatures`, and ``transition`` / ``add_finding``
with ``signatures=``), each as a keyword-only function that runs the call on
the session's worker thread like :mod:`ui.operations` and returns its
:class:`ui.operations.Job`. Dialogs hand over plain values and
:class:`Captured` signatures; only this module builds the core's types.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from ui import operations
from ui.operations import Job
from ui.session import Session
from ui.widgets.signature_pad import Captured

# Who signs a sign-off (the core's SIGNER_ROLES)
INSPECTOR_SIGNS, PARTY_SIGNS, COUNTY_SIGNS, CITY_SIGNS, COUNTERSIGN_SIGNS = (
    "inspector", "inspected_party", "county", "city", "countersign")
SIGN_OFF_ROLES = {"县级验收": COUNTY_SIGNS, "市级验收": CITY_SIGNS}  # approval target → signer's role
SPOT_CONFIRMED, SPOT_REOPENED = "confirmed", "reopened"  # 抽查 outcomes


def signer_name(session: Session) -> str:
    """The name a signature of the acting user is recorded under: the account's display name."""
    return session.actor.name


def departments() -> tuple[str, ...]:
    """The departments a countersign may come from (自然资源 / 林业 / 水利 / 农业农村 / 其他)."""
    from inspector.casework.countersigns import DEPARTMENTS

    return tuple(DEPARTMENTS)


def _core_signatures(captured: list[Captured]) -> list[Any]:
    from inspector.casework.signatures import Signature

    return [Signature(c.png, c.signer_role, c.signer_name) for c in captured]


def approve(*, session: Session, case_uuid: str, target: str, signature: Captured | None) -> Job:
    """One acceptance step, with the reviewer's signature when one was drawn."""
    return operations.transition_case(session=session, case_uuid=case_uuid, target=target,
                                      signatures=_core_signatures([signature] if signature else []))


def add_signed_finding(*, session: Session, case_uuid: str, values: dict[str, Any],
                       signatures: list[Captured]) -> Job:
    """A finding (核查记录) with the signatures of the inspector and / or the inspected party."""
    return operations.add_finding(session=session, case_uuid=case_uuid, values=values,
                                  signatures=_core_signatures(signatures))


def add_countersign(*, session: Session, case_uuid: str, department: str, signer: str, opinion: str,
                    signed_on: str | None, document: str | None, signature: Captured | None) -> Job:
    from inspector.casework.countersigns import add_countersign as add

    def work(job: Job) -> Any:
        return add(session.writer(), case_uuid, department=department, signer=signer, opinion=opinion,
                   signed_on=signed_on, document=Path(document) if document else None,
                   signature=signature.png if signature else None, actor=session.actor.user)
    return operations.start(session, "countersign", work, mutation=True)


def add_publicity(*, session: Session, case_uuid: str, starts_on: str, ends_on: str, where: str) -> Job:
    from inspector.casework.publicity import add_publicity as add

    def work(job: Job) -> Any:
        return add(session.writer(), case_uuid, starts_on=starts_on, ends_on=ends_on, where=where,
                   actor=session.actor.user)
    return operations.start(session, "publicity", work, mutation=True)


def spot_check(*, session: Session, case_uuid: str, outcome: str, reason: str | None) -> Job:
    """省级抽查 of a closed case: confirmed keeps it closed, reopened sends it back to 整改中."""
    from inspector.casework.workflow import SPOT_CHECK

    return operations.transition_case(session=session, case_uuid=case_uuid, target=SPOT_CHECK, reason=reason,
                                      recurred=outcome == SPOT_REOPENED)
