"""One source per domain rule (issue 12 item 3), headless: the workflow module's tables, the overdue rule in
SQL and in Python, the roles every command line offers, the status palette in the map document and on the
forms, and the synced kinds."""
from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from inspector.casework import workflow
from inspector.casework.cases import list_cases, summary
from inspector.casework.workflow import (
    APPROVAL_TARGET,
    CLOSED_STATES,
    OFFICE_ROLES,
    RETURN,
    REVIEW_LEVELS,
    REVIEW_STATES,
    ROLES,
    STATES,
    STATUS_PALETTE,
    UNKNOWN_STATUS_COLOURS,
    find_rule,
    is_closed,
    is_overdue,
    overdue_days,
    overdue_sql,
    rules_from,
    status_colours,
)
from inspector.forms.blocks import case_info_grid
from inspector.forms.fonts import form_fonts
from inspector.forms.styles import make_styles
from inspector.maps.map_document import build_map_document
from inspector.maps.map_layers import CaseRecord, LayerSet, status_code
from inspector.store.record_store import SYNCED_KINDS
from tests.case_fixtures import build_case_workspace, run_cli
from tests.test_forms_parts import minimal_case

TODAY = dt.date(2026, 11, 24)
# Deadlines as they may arrive (a hostile ledger cell, a hand-edited workspace): only real dates count.
DEADLINES = ("2026-11-23", "2026-11-24", "2027-01-01", "2024-02-29", "2023-02-29", "2024-02-30", "2024-1-5",
             "20240105", "2024-01-05T00:00", "0000-01-01", "${7*7}", "<b>x</b>", "", None)


def test_the_acceptance_queue_comes_from_the_rule_table():
    assert REVIEW_STATES == ("申请销号", "县级验收", "市级验收")
    assert REVIEW_LEVELS == {"申请销号": "county", "县级验收": "city", "市级验收": "city"}
    assert APPROVAL_TARGET == {"申请销号": "县级验收", "县级验收": "市级验收", "市级验收": "已销号"}
    assert tuple(rule.from_state for rule in workflow.RULES if rule.action == RETURN) == REVIEW_STATES
    for state, target in APPROVAL_TARGET.items():
        rule = find_rule(state, target)
        assert rule is not None and rule.to_state == target and rule.roles == OFFICE_ROLES
        assert [r.action for r in rules_from(state, "inspector")] == []
        assert [r.action for r in rules_from(state, "reviewer")] == [target, RETURN]
    assert set(OFFICE_ROLES) < set(ROLES) and set(CLOSED_STATES) < set(STATES)
    assert [s for s in STATES if is_closed(s)] == ["排除", "已销号"]


@pytest.mark.parametrize("status", [*STATES, "", "<i>外来状态</i>"])
def test_overdue_is_one_rule_in_sql_and_python(ws, status):
    sql = f"SELECT coalesce({overdue_sql(':d', ':s', ':today')}, 0)"
    for deadline in DEADLINES:
        in_sql = ws.conn.execute(sql, {"d": deadline, "s": status, "today": TODAY.isoformat()}).fetchone()[0]
        assert bool(in_sql) == is_overdue(deadline, status, TODAY), (deadline, status)
        assert is_overdue(deadline, status, TODAY) == (overdue_days(deadline, status, TODAY) > 0)
    assert is_overdue("2026-11-23", status, TODAY) == (status not in CLOSED_STATES)


def test_a_deadline_that_is_no_date_is_never_overdue_in_cases_and_summary(tmp_path):
    """``cases`` and ``summary`` used to compare the text with today's date, so ``${7*7}`` (and any text
    starting with a digit below '2') was overdue there while the case detail said it was not."""
    with build_case_workspace(tmp_path) as ws:
        ws.conn.execute("UPDATE cases SET deadline = NULL")
        given = {"LD-001": ("${7*7}", "整改中"), "LD-002": ("2001-01-01", "排除"), "LD-003": ("2001-01-01", "整改中")}
        for case_no, (deadline, status) in given.items():
            ws.conn.execute("UPDATE cases SET deadline = ?, status = ? WHERE case_no = ?", (deadline, status, case_no))
        cases = {c["case_no"]: c for c in list_cases(ws)}
        assert set(cases) == set(given)
        assert sorted(no for no, c in cases.items() if c["overdue"]) == ["LD-003"]
        assert all(c["overdue"] == is_overdue(c["deadline"], c["status"], dt.date.today()) for c in cases.values())
        assert summary(ws)["cases_overdue"] == 1


def test_every_command_line_offers_the_workflow_roles():
    from sync.protocol import ROLES as PROTOCOL_ROLES
    from sync.server import app
    from sync.server.cli import build_parser

    assert PROTOCOL_ROLES is ROLES and app.OFFICE_ROLES is OFFICE_ROLES
    assert "{" + ",".join(ROLES) + "}" in run_cli("transition", "--help").stdout
    server = build_parser()
    add_user = server._subparsers._group_actions[0].choices["add-user"]
    assert next(a.choices for a in add_user._actions if a.dest == "role") == ROLES


def test_synced_kinds_are_listed_once():
    from sync.protocol import RECORD_KINDS, RecordChange

    assert RECORD_KINDS is SYNCED_KINDS
    assert RecordChange.model_json_schema()["properties"]["kind"]["enum"] == list(SYNCED_KINDS)


def test_every_state_has_colours_with_readable_text():
    assert set(STATUS_PALETTE) == set(STATES)
    assert status_colours("外来状态") == status_colours(None) == UNKNOWN_STATUS_COLOURS

    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    for colours in (*STATUS_PALETTE.values(), UNKNOWN_STATUS_COLOURS):
        assert re.fullmatch(r"#[0-9a-f]{6}", colours.fill) and re.fullmatch(r"#[0-9a-f]{6}", colours.text)
        light, dark = sorted((luminance(colours.fill), luminance(colours.text)), reverse=True)
        assert (light + 0.05) / (dark + 0.05) >= 4.5, colours


def test_the_map_document_carries_the_core_palette():
    """The map used its own table (待核查 red on the map, blue in the case list); now the page gets the palette
    as data, indexed by the case layer's status codes (the last entry for a state the workflow does not name)."""
    cases = [CaseRecord(f"00000000-0000-4000-8000-{i:012d}", 120.0, 33.0, state) for i, state in enumerate(STATES)]
    bundle = build_map_document(LayerSet(zones=[], cases=cases, evidence=[], admin=[]))
    config = json.loads(re.search(r'id="lvdun-config">(.*?)</script>', bundle.html).group(1))
    for state in (*STATES, "外来状态"):
        code = status_code(state)
        assert (config["statusFills"][code], config["statusTexts"][code]) == (
            status_colours(state).fill, status_colours(state).text), state
    assert config["states"] == list(STATES) and len(config["statusFills"]) == len(STATES) + 1


@pytest.mark.parametrize("status", [*STATES, "<b>外来状态</b>"])
def test_the_forms_print_the_status_in_its_palette_colours(status):
    styles = make_styles(form_fonts())
    grid = case_info_grid(minimal_case(status=status), styles)
    cells = [row[3] for row in grid.rows if getattr(row[2], "text", "") == "当前状态"]
    assert len(cells) == 1 and cells[0].text == status.replace("<", "&lt;").replace(">", "&gt;")
    style = cells[0].style
    assert (style.backColor.hexval(), style.textColor.hexval()) == (
        "0x" + status_colours(status).fill[1:], "0x" + status_colours(status).text[1:])
