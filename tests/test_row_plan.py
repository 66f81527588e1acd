"""The row plan of the case list, without Qt: removals and insertions turn the shown ids into the queried
ones, changed cases that stay are refreshed in place, and other rows differing means a reload."""
from __future__ import annotations

import random

from ui.cases.row_plan import RowPlan, plan_rows


def _apply(shown: list[int], plan: RowPlan) -> list[int]:
    rows = list(shown)
    for row in plan.removals:
        del rows[row]
    for row, case_id in plan.insertions:
        rows.insert(row, case_id)
    return rows


def test_a_changed_row_in_place_is_only_refreshed():
    assert plan_rows([1, 2, 3, 4], [1, 2, 3, 4], {3}) == RowPlan(updates=(2,))


def test_rows_leave_enter_and_move():
    assert plan_rows([1, 2, 3], [1, 3], {2}) == RowPlan(removals=(1,))
    assert plan_rows([1, 3], [1, 2, 3], {2}) == RowPlan(insertions=((1, 2),))
    moved = plan_rows([1, 2, 3, 4], [2, 3, 4, 1], {1})
    assert moved == RowPlan(removals=(0,), insertions=((3, 1),))


def test_other_rows_differing_means_reload():
    assert plan_rows([1, 2, 3], [1, 3, 2], {9}) is None
    assert plan_rows([1, 2, 3], [1, 2], {9}) is None


def test_any_change_of_the_named_rows_is_planned_exactly():
    rng = random.Random(12)
    for _ in range(3000):
        size = rng.randint(0, 12)
        ids = list(range(size))
        rng.shuffle(ids)
        changed = set(rng.sample(range(size + 4), rng.randint(0, min(size + 4, 5))))
        shown = [i for i in ids if i not in changed or rng.random() < 0.7]
        wanted = [i for i in shown if i not in changed]
        for case_id in changed:
            if rng.random() < 0.7:
                wanted.insert(rng.randint(0, len(wanted)), case_id)
        plan = plan_rows(shown, wanted, changed)
        assert plan is not None and _apply(shown, plan) == wanted
        final = _apply(shown, plan)
        assert all(final[row] in changed and final[row] in shown for row in plan.updates)
        assert not set(plan.updates) & {row for row, _ in plan.insertions}
        if shown == wanted:
            assert not plan.removals and not plan.insertions
            assert list(plan.updates) == [row for row, case_id in enumerate(wanted) if case_id in changed]
