"""The one row each benchmark target contributes to ``run_all.py``'s table.

A benchmark prints its own detailed lines and, for each target it measures,
calls :func:`ratio_row` (ours against a peer timed in the same run) or
:func:`floor_row` (a rate or a limit with no peer). When the benchmark runs under
``run_all.py`` the rows are appended as JSON lines to the file named by
``LVDUN_BENCH_SUMMARY``; run alone, the call only returns the row.
"""
from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass

SUMMARY_FILE_VARIABLE = "LVDUN_BENCH_SUMMARY"


@dataclass(frozen=True)
class Row:
    work: str
    ours: str
    peer: str
    ratio: str
    target: str
    met: bool


def ratio_row(work: str, ours_s: float, peer_s: float, peer_name: str, limit: float) -> Row:
    """Ours against a peer in seconds; met when ours / peer ≤ ``limit``."""
    ratio = ours_s / peer_s
    return _record(Row(work, f"{ours_s:.2f} s", f"{peer_s:.2f} s ({peer_name})", f"{ratio:.2f}×",
                       f"≤ {limit}×", ratio <= limit))


def floor_row(work: str, ours: float, unit: str, target: float, higher_is_better: bool,
              peer: str = "—") -> Row:
    """A measurement against a fixed target (a rate to reach or a limit to stay under)."""
    met = ours >= target if higher_is_better else ours <= target
    sign = "≥" if higher_is_better else "≤"
    shown = f"{ours:.3f}" if abs(ours) < 10 else f"{ours:,.1f}"  # a ratio like 1.021 keeps its digits
    return _record(Row(work, f"{shown} {unit}", peer, "—", f"{sign} {target:,g} {unit}", met))


def _record(row: Row) -> Row:
    path = os.environ.get(SUMMARY_FILE_VARIABLE)
    if path:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(asdict(row), ensure_ascii=False) + "\n")
    return row


def read_rows(path: str) -> list[Row]:
    """The rows a run appended, in order (a missing file means no rows)."""
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as handle:
        return [Row(**json.loads(line)) for line in handle if line.strip()]
