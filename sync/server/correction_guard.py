"""Corrections on the server: an edit or void of a finding, evidence item or rectification is checked, not trusted.

A device corrects a record by writing new values and appending an entry to its ``corrections`` list
(:mod:`inspector.casework.corrections`). The server checks a pushed finding, evidence item or rectification:

- its history is append-only: the stored entries are the first entries of the pushed list, and ``recorded_by``
  never changes (a new record's is taken as the device recorded it: a device may record for a colleague);
- every new entry is well formed, made by the pushing account, and allowed by the core's rule for the case's
  state on the server (:func:`inspector.casework.correction_rules.correction_missing`, the rule the device
  used; a phase change also by :func:`~inspector.casework.correction_rules.phase_missing`);
- when the push is based on the server's current revision, replaying the new entries on the stored record gives
  exactly the pushed values of the fields they name and of the void fields: an entry says truly what it changed
  from what, a record is voided only by a void entry, and a voided record stays voided and unchanged. (A plain
  edit without an entry — devices before corrections — is still accepted as before; this device always writes
  one.)
  A push from an older base is not replayed here (its history forked from the server's): it becomes a
  conflict for office review, as any concurrent edit; its own new entries must still be the pusher's and allowed.
"""
from __future__ import annotations

from typing import Any, Optional

from inspector.casework.correction_rules import (
    CORRECTABLE_FIELDS,
    VOID,
    VOID_FIELDS,
    correction_list,
    correction_missing,
    entry_problem,
    phase_missing,
    replay,
)
from inspector.errors import Message
from sync.protocol import RecordChange
from sync.server.auth import User
from sync.server.push_context import PushContext, content_of


def _entries(text: Any) -> Optional[list[dict[str, Any]]]:
    try:
        return correction_list(text if text is not None else "[]")
    except ValueError:
        return None


def _entry_authority(ctx: PushContext, user: User, kind: str, entry: dict[str, Any], recorded_by: Optional[str],
                     case_uuid: str, state: Optional[str]) -> Optional[Message]:
    problem = entry_problem(kind, entry)
    if problem:
        return Message(*problem)
    if entry["by"] != user.name:
        return Message(f"更正人 {entry['by']!r} 不是推送的账号 {user.name}",
                       f"the correction's author {entry['by']!r} is not the pushing account {user.name}")
    case = ctx.row(case_uuid)
    missing = correction_missing(roles=(user.role,), user=user.name, jurisdiction=user.jurisdiction,
                                 recorded_by=recorded_by, state=state, city_adcode=getattr(case, "city_adcode", None),
                                 county_adcode=getattr(case, "county_adcode", None))
    if "phase" in entry["changes"]:
        missing += phase_missing(entry["changes"]["phase"][1], state)
    if missing:
        return Message.joined(Message(zh, en) for zh, en in missing).prefixed(
            "按服务器上该案件的记录，不能更正：", "the correction is refused on the server's records of this case: ")
    return None


def correction_problem(ctx: PushContext, user: User, change: RecordChange, existing: Any,
                       state: Optional[str]) -> Optional[Message]:
    """Why a pushed finding, evidence item or rectification is refused as a correction (``None`` when it is not);
    ``state``: the case's workflow state on the server."""
    kind, content = change.kind, change.content
    if kind not in CORRECTABLE_FIELDS or change.deleted:
        return None
    entries = _entries(content.get("corrections"))
    if entries is None:
        return Message("corrections 不是对象列表", "corrections is not a list of objects")
    stored = content_of(existing) if existing is not None else None
    if stored is None:
        new_entries, recorded_by = entries, content.get("recorded_by")
        if (content.get("voided_at") is not None) != any(e.get("action") == VOID for e in entries):
            return Message("作废字段与更正记录不符", "the void fields do not match the corrections")
    else:
        recorded_by = stored.get("recorded_by")
        if content.get("recorded_by") != recorded_by:
            return Message("记录人不能更改", "recorded_by cannot be changed")
        before = _entries(stored.get("corrections")) or []
        new_entries = [entry for entry in entries if entry not in before]
        if change.base_revision == existing.revision:
            if entries[:len(before)] != before:
                return Message("更正历史只能追加，不能改写或删除", "the corrections history can only grow: it "
                               "cannot be rewritten or shortened")
            replayed = replay(kind, stored, new_entries)
            named = {field for entry in new_entries if isinstance(entry.get("changes"), dict)
                     for field in entry["changes"] if field in CORRECTABLE_FIELDS[kind]}
            if replayed is None or any(replayed[f] != content.get(f) for f in (*named, *VOID_FIELDS)):
                return Message("记录被更改却没有对应的更正记录（原值、新值、原因）",
                               "the record was changed without a correction entry (old value, new value, reason) "
                               "for each change")
    for entry in new_entries:
        problem = _entry_authority(ctx, user, kind, entry, recorded_by, content["case_uuid"], state)
        if problem:
            return problem
    return None
