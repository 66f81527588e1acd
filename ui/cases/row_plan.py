"""How a shown list of case ids becomes the list a query now returns, when only some cases changed.

:func:`plan_rows` compares the rows shown with the ids the list's query
returns after a change that named some cases, and says which rows to remove,
which to insert where and which to refresh in place — the least a table
model must tell its views (rows removed and inserted, ``dataChanged`` for
the rest) instead of resetting. A changed case that still belongs where it
is stays and is refreshed; one that no longer matches goes; one that now
matches (or moved under the sort order) is inserted at its place. When rows
of cases *not* named differ too (the date turned, someone else wrote), there
is no plan: the list reloads. Plain Python, no Qt.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RowPlan:
    """Apply in this order: ``removals`` (row numbers, highest first), then ``insertions`` ((row, id),
    lowest row first, each row counted in the list as it is by then); ``updates`` are the rows, in the
    final list, whose content changed in place."""

    removals: tuple[int, ...] = ()
    insertions: tuple[tuple[int, int], ...] = ()
    updates: tuple[int, ...] = ()


def _kept_changed(shown: list[int], position: dict[int, int], changed: set[int]) -> set[int]:
    """The changed ids that may stay in their rows: in the new list each lies between the same unchanged
    neighbours as before, in the same order as the changed ids kept before it (greedy, gap by gap)."""
    unchanged = [position[case_id] for case_id in shown if case_id not in changed]  # increasing
    kept: set[int] = set()
    gap, floor = 0, -1  # the next unchanged id's index in ``unchanged``; the last kept row's new position
    for case_id in shown:
        if case_id not in changed:
            floor = position[case_id]
            gap += 1
            continue
        ceiling = unchanged[gap] if gap < len(unchanged) else len(position)
        target = position.get(case_id)
        if target is not None and floor < target < ceiling:
            kept.add(case_id)
            floor = target
    return kept


def plan_rows(shown: list[int], wanted: list[int], changed: set[int]) -> RowPlan | None:
    """The row changes that turn ``shown`` into ``wanted`` when only ``changed`` ids may differ; ``None``
    when other rows differ too."""
    if [i for i in shown if i not in changed] != [i for i in wanted if i not in changed]:
        return None
    position = {case_id: row for row, case_id in enumerate(wanted)}
    kept = _kept_changed(shown, position, changed)
    removals = tuple(row for row in range(len(shown) - 1, -1, -1)
                     if shown[row] in changed and shown[row] not in kept)
    remaining = [case_id for case_id in shown if case_id not in changed or case_id in kept]
    insertions: list[tuple[int, int]] = []
    cursor = 0
    for row, case_id in enumerate(wanted):
        if cursor < len(remaining) and remaining[cursor] == case_id:
            cursor += 1
        else:
            insertions.append((row, case_id))
    updates = tuple(position[case_id] for case_id in sorted(kept, key=position.__getitem__))
    return RowPlan(removals, tuple(insertions), updates)
