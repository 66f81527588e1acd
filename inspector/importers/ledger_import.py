"""Import the 绿盾 problem ledger (问题台账) into a workspace as cases.

Finds the header row under any merged title rows, maps the columns through
Chinese synonyms, validates each row (问题编号 present and unique, parseable
coordinates inside Jiangsu, real dates, no cell longer than Excel allows and
no control character in any cell kept) and rejects bad rows with the sheet
row number and reason — in Chinese and English: ``reason`` in the current
language, ``reason_zh`` and ``reason_en`` beside it — while keeping every valid
row. Cases are upserted by
问题编号: an unchanged row changes nothing, a changed row updates the ledger
fields (never the workflow status), and the source row is kept verbatim.
A ledger this program exported (:mod:`inspector.reports`) comes back with its
progress columns after the original ones; that block is recognised by its
exact headers at the end of the header row and ignored. The rows are checked one by one
(:mod:`inspector.importers.ledger_rows`) as the bounded child sends them and, run by run, against the
province outline; each run's new cases are attributed to zones and counties in bulk (a large ledger's, into a
workspace without cases, by a helper process started with the import) and inserted with their
attribution by one prepared statement in a writer thread while the next rows are checked
(:class:`~inspector.importers.ledger_writer.NewCaseWriter`).

``column_map`` (canonical field → header text, e.g. ``{"case_no": "编号",
"lon": "X"}``) overrides the synonym detection for the fields it names; an
empty header text leaves that field out. :func:`parse_column_map` reads the
CLI's ``case_no=编号,lon=X`` form.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping

import numpy as np

from inspector.errors import BadInput, InvalidValue, Message
from inspector.geo.admin_areas import AdminLookup
from inspector.geo.attribution import lookup_for
from inspector.importers.area_units import AreaUnit, unit_in_header
from inspector.importers.ledger_attributor import ATTRIBUTION_PROCESS_MIN_BYTES
from inspector.importers.ledger_reader import Sheet, SheetPart, stream_sheets
from inspector.importers.ledger_rows import check_cells, parse_row, row_texts, verbatim_record
from inspector.importers.ledger_rows import ledger_hash as ledger_hash  # where the patch importer finds it
from inspector.importers.ledger_values import cell_text
from inspector.importers.ledger_writer import NewCaseWriter, Progress
from inspector.store.changes import Changes
from inspector.store.workspace import Workspace
from inspector.vocabulary import (
    LEDGER_FIELD_SYNONYMS,
    match_fields,
    normalise_label,
    original_width,
    parse_map_option,
)

Checked = Callable[[list[dict[str, Any]]], None]  # given the rows that passed every check, run by run
ColumnMap = dict[str, str | None]
HEADER_SCAN_ROWS = 30  # header rows are looked for among the first rows of a sheet
REQUIRED_COLUMNS = ("case_no", "lon", "lat")
ATTRIBUTION_RUN_ROWS = 10_000  # rows per run checked against the province, attributed and inserted


@dataclass
class LedgerImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    sheets: list[dict[str, Any]] = field(default_factory=list)
    changes: Changes = field(default_factory=Changes, repr=False)  # what the import wrote (not in as_dict)

    def as_dict(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        del data["changes"]
        return data


def check_column_map(column_map: Mapping[str, str | None] | None) -> ColumnMap:
    """The column map with its keys checked (canonical ledger fields) and its header texts
    stripped; an empty text means "leave this field out". Bad input names the problem."""
    checked: ColumnMap = {}
    seen: dict[str, str] = {}
    for key, header in (column_map or {}).items():
        if key not in LEDGER_FIELD_SYNONYMS:
            raise BadInput(f"未知的台账字段：{key}（可用：{', '.join(LEDGER_FIELD_SYNONYMS)}）",
                           f"unknown ledger field: {key} (fields: {', '.join(LEDGER_FIELD_SYNONYMS)})")
        text = str(header).strip() if header is not None else ""
        if not text and key in REQUIRED_COLUMNS:
            raise BadInput(f"台账字段 {key} 必须对应一列", f"the ledger field {key} needs a column")
        if text:
            norm = normalise_label(text)
            if norm in seen:
                raise BadInput(f"列“{text}”同时指定给了 {seen[norm]} 和 {key}",
                               f'column "{text}" is given to both {seen[norm]} and {key}')
            seen[norm] = key
        checked[key] = text or None
    return checked


def parse_column_map(text: str | None) -> ColumnMap:
    """Parse ``case_no=编号,lon=X`` into a column map; unknown fields are bad input."""
    return check_column_map(parse_map_option(text, LEDGER_FIELD_SYNONYMS, ("表头", "HEADER")))


def header_mapping(labels: list[str], column_map: ColumnMap | None = None) -> tuple[dict[str, int], list[str]]:
    """Column positions of the ledger fields in one header row, and the mapped header texts
    that are not in it. ``column_map`` wins over the synonyms; the synonyms fill the rest. The progress
    columns an exported ledger carries after its own (:func:`original_width`) are not looked at."""
    labels = labels[:original_width(labels)]
    overrides = column_map or {}
    normalised = [normalise_label(label) for label in labels]
    fixed: dict[str, int] = {}
    missing: list[str] = []
    for key, header in overrides.items():
        if header is None:
            continue
        target = normalise_label(header)
        if target in normalised:
            fixed[key] = normalised.index(target)
        else:
            missing.append(header)
    rest = {k: v for k, v in LEDGER_FIELD_SYNONYMS.items() if k not in overrides}
    free = [label if i not in fixed.values() else "" for i, label in enumerate(labels)]
    mapping = {**match_fields(free, rest), **fixed}
    return mapping, missing


def find_header(rows: list[list[Any]], column_map: ColumnMap | None = None) -> tuple[int, dict[str, int]] | None:
    """The index of the header row and its column mapping, or None."""
    best: tuple[int, dict[str, int]] | None = None
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        labels = [cell_text(c) or "" for c in row]
        mapping, missing = header_mapping(labels, column_map)
        if missing:
            continue
        if all(k in mapping for k in REQUIRED_COLUMNS) and (best is None or len(mapping) > len(best[1])):
            best = (index, mapping)
    return best


def ledger_headers(sheets: list[Sheet], column_map: ColumnMap | None = None) -> list[dict[str, Any]]:
    """Per sheet (as :func:`read_sheets` read them), the header row (1-based), its column texts and the
    columns the synonyms (and ``column_map``) give, for choosing a column map: the detected header row,
    else the row among the first ones with the most texts."""
    found = []
    for sheet in sheets:
        header = find_header(sheet.rows, check_column_map(column_map))
        if header is not None:
            index = header[0]
        else:
            counts = [sum(1 for c in row if cell_text(c)) for row in sheet.rows[:HEADER_SCAN_ROWS]]
            if not counts or max(counts) == 0:
                continue
            index = counts.index(max(counts))
        texts = [cell_text(c) or "" for c in sheet.rows[index]]
        mapping, _ = header_mapping(texts, check_column_map(column_map))
        found.append({"name": sheet.name, "header_row": index + 1, "headers": [t for t in texts if t],
                      "columns": {k: texts[v] for k, v in mapping.items()}})
    return found


def _missing_headers(sheets: list[Sheet], column_map: ColumnMap) -> list[str]:
    """The mapped header texts missing from the row that has most of them (for the message)."""
    best: list[str] | None = None
    for sheet in sheets:
        for row in sheet.rows[:HEADER_SCAN_ROWS]:
            _, missing = header_mapping([cell_text(c) or "" for c in row], column_map)
            if best is None or len(missing) < len(best):
                best = missing
    return best if best is not None else [h for h in column_map.values() if h]


@dataclass(frozen=True)
class _SheetLayout:
    """Where a sheet's header is and what its columns hold."""

    header_index: int
    mapping: dict[str, int]  # ledger field → column index
    headers: list[str | None]  # the header texts of the ledger's own columns
    names: list[str]  # the same, with a name for the columns without one
    area_unit: AreaUnit | None
    columns: dict[str, str | None]  # ledger field → its header text

    @classmethod
    def of(cls, rows: list[list[Any]], column_map: ColumnMap) -> _SheetLayout | None:
        """The layout of a sheet from its first rows, or None when they hold no header row."""
        header = find_header(rows, column_map)
        if header is None:
            return None
        header_index, mapping = header
        headers = [cell_text(h) for h in rows[header_index]]
        headers = headers[:original_width([h or "" for h in headers])]  # an exported ledger's progress: ignored
        return cls(header_index, mapping, headers, [h or f"列{i + 1}" for i, h in enumerate(headers)],
                   unit_in_header(headers[mapping["area_m2"]]) if "area_m2" in mapping else None,
                   {k: cell_text(rows[header_index][v]) for k, v in mapping.items()})


def _with_heads(parts: Iterable[SheetPart]) -> Iterator[SheetPart]:
    """The parts, a sheet's first ones joined until they hold the rows its header is looked for in."""
    held: SheetPart | None = None
    for part in parts:
        if held is not None:
            held = SheetPart(held.name, 0, held.rows + part.rows, {**held.too_long, **part.too_long}, part.last)
        elif part.first == 0:
            held = part
        else:
            yield part
            continue
        if held.last or len(held.rows) >= HEADER_SCAN_ROWS:
            yield held
            held = None
    if held is not None:
        yield held


def read_ledger(path: str | Path, ws: Workspace | None = None, *, column_map: ColumnMap | None = None,
                on_checked: Checked | None = None) -> tuple[list[dict[str, Any]], LedgerImportResult]:
    """Parse and validate a ledger file without writing anything (a dry run).

    ``column_map`` (canonical field → header text) overrides the detected columns; ``on_checked`` is given
    the rows that pass the row checks and the province check, run by run, as they do."""
    with stream_sheets(Path(path)) as parts:
        return check_parts(parts, ws, column_map=column_map, on_checked=on_checked)


def check_sheets(sheets: list[Sheet], ws: Workspace | None = None, *, column_map: ColumnMap | None = None,
                 on_checked: Checked | None = None) -> tuple[list[dict[str, Any]], LedgerImportResult]:
    """:func:`read_ledger` on sheets already read (a dry run that also shows the headers reads the file once)."""
    parts = (SheetPart(sheet.name, 0, sheet.rows, sheet.too_long, True) for sheet in sheets)
    return check_parts(parts, ws, column_map=column_map, on_checked=on_checked)


def check_parts(parts: Iterable[SheetPart], ws: Workspace | None = None, *, column_map: ColumnMap | None = None,
                on_checked: Checked | None = None) -> tuple[list[dict[str, Any]], LedgerImportResult]:
    """:func:`read_ledger` on the parts of the sheets as they are read (:func:`stream_sheets`)."""
    column_map = check_column_map(column_map)
    result = LedgerImportResult()
    records: list[dict[str, Any]] = []
    checked: list[dict[str, Any]] = []  # rows that passed the row checks since the last run was handed on
    first_row: dict[str, tuple[str, int]] = {}

    # the province outline, taken once: handing a run on reads nothing from the database (an importer may be
    # writing the runs already handed on, on the same connection, in its helper thread)
    admin = lookup_for(ws).admin if ws is not None else None

    def hand_on() -> None:
        """The run of rows checked so far, through the province check, to ``records`` and ``on_checked``."""
        passed = _keep_inside_province(admin, checked, result) if admin is not None else list(checked)
        checked.clear()
        records.extend(passed)
        if on_checked is not None and passed:
            on_checked(passed)

    heads: list[Sheet] = []  # each sheet's first rows, where its header is looked for
    sheet: _SheetLayout | None = None  # the layout of the sheet being read, None when it has no header
    for part in _with_heads(parts):
        if part.first == 0:
            heads.append(Sheet(part.name, part.rows[:HEADER_SCAN_ROWS]))
            sheet = _SheetLayout.of(part.rows, column_map)
            result.sheets.append({"name": part.name, "header_row": None, "rows": 0} if sheet is None else
                                 {"name": part.name, "header_row": sheet.header_index + 1, "columns": sheet.columns})
        if sheet is None:
            continue
        headers, mapping = sheet.headers, sheet.mapping
        for index in range(max(sheet.header_index + 1, part.first), part.first + len(part.rows)):
            cells = part.rows[index - part.first]
            too_long = {c: n for c, n in part.too_long.get(index, {}).items() if c < len(headers)} or None
            texts = row_texts(cells)
            if too_long is None and not any(texts):
                continue
            where = {"sheet": part.name, "row": index + 1}
            try:
                check_cells(headers, cells, too_long)
                record = parse_row(cells, mapping, sheet.area_unit, texts)
                if record["case_no"] in first_row:
                    other_sheet, other_row = first_row[record["case_no"]]
                    raise InvalidValue(
                        f"问题编号 {record['case_no']} 重复（{other_sheet} 第 {other_row} 行已出现）",
                        f"case number {record['case_no']} repeated (already on sheet {other_sheet}, row {other_row})")
            except InvalidValue as exc:
                result.rejected.append({**where, "case_no": texts[mapping["case_no"]]
                                        if mapping["case_no"] < len(cells) else None, **exc.message.fields()})
                continue
            first_row[record["case_no"]] = (part.name, index + 1)
            record.update(source_sheet=part.name, source_row=index + 1,
                          source_record=verbatim_record(sheet.names, texts))
            checked.append(record)
            if len(checked) >= ATTRIBUTION_RUN_ROWS:
                hand_on()
    if checked:
        hand_on()
    if not any(s.get("header_row") for s in result.sheets):
        missing = _missing_headers(heads, column_map) if column_map else []
        if missing:
            listed = "、".join(missing)
            raise BadInput(f"台账表头中找不到指定的列：{listed}", f"columns not found in the ledger header: {listed}")
        raise BadInput(
            "未找到表头行：需要至少包含 问题编号、经度、纬度 三列",
            "no header row found: the ledger needs at least the columns 问题编号, 经度, 纬度",
        )
    if ws is not None and first_row:  # the province check's rejections among the others, in sheet order
        result.rejected.sort(key=lambda r: (r["sheet"], r["row"]))
    return records, result


def _keep_inside_province(admin: AdminLookup, records: list[dict[str, Any]],
                          result: LedgerImportResult) -> list[dict[str, Any]]:
    """The rows whose position lies inside Jiangsu (checked for all the rows at once); the others rejected."""
    inside = admin.in_province_many(
        np.array([r["lon"] for r in records]), np.array([r["lat"] for r in records]))
    kept = []
    for record, ok in zip(records, inside):
        if ok:
            kept.append(record)
        else:
            position = f"{record['lon']}, {record['lat']}"
            result.rejected.append({"sheet": record["source_sheet"], "row": record["source_row"],
                                    "case_no": record["case_no"],
                                    **Message(f"坐标不在江苏省范围内（{position}）",
                                              f"the position is outside Jiangsu ({position})").fields()})
    return kept


def import_ledger(ws: Workspace, path: str | Path, *, progress: Progress | None = None,
                  column_map: ColumnMap | None = None) -> LedgerImportResult:
    """Import (or re-import) a ledger; returns created / updated / unchanged / rejected, and in
    ``changes`` the cases it created, updated or attributed.

    ``column_map`` as for :func:`read_ledger`."""
    path = Path(path)
    existing = {
        row[0]: (row[1], row[2])
        for row in ws.conn.execute("SELECT case_no, id, ledger_hash FROM cases")
    }
    # a ledger into a workspace without cases: every row is new, and a large one is attributed by a helper
    # process started now, in parallel with the parse
    helper = not existing and path.is_file() and path.stat().st_size >= ATTRIBUTION_PROCESS_MIN_BYTES
    with NewCaseWriter(ws, path, existing, attribution_process=helper) as writer, stream_sheets(path) as parts:
        if helper:  # the province check reads nothing from the database once the writer has the connection
            writer.lookup.admin.province.load_all(nearest=True)
        elif not existing:  # every row is new: the geometries are loaded while the child starts and parses
            writer.lookup.load_all()
        records, result = check_parts(parts, ws, column_map=column_map, on_checked=writer.take)
        writer.finish(records, result, progress)
    result.changes = writer.changes
    return result
