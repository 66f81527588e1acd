"""Import remote-sensing change patches (变化图斑) as cases with their extent.

``import_patches`` reads a polygon file through the same reader as the zones
(:mod:`inspector.geo.vector_source`: Shapefile, zipped Shapefile, GPKG, GeoJSON, KML, FileGDB; GBK
detection, CRS from the file or ``--crs``, bounded before allocating) and checks it part by part with
:mod:`inspector.importers.patch_reading`: each geometry checked and repaired like a zone's (repairs
reported, impossible coordinates and too many vertices rejected with the feature and the reason), the
attributes mapped through :data:`~inspector.vocabulary.PATCH_FIELD_SYNONYMS` (or ``--map``), the area
read with its unit (:mod:`inspector.importers.area_units`, from the field name or the value). A large
file is read in a bounded child process that reads ahead while this one attributes the parts received
(:data:`CHILD_READ_MIN_BYTES`); the parts, and so the import, are the same either way.

A patch joins an existing case by 问题编号 or 图斑编号 (``join``: ``case_no`` or ``patch_no``; by default
the 问题编号 when the patch has one that exists, else the 图斑编号); otherwise it creates a case
(origin ``patch``, numbered by its 问题编号, else its 图斑编号). Re-importing updates and never duplicates.
The case keeps the polygon (EPSG:4490 GeoJSON), a representative point inside it as ``lon``/``lat``, the
area computed in the Gauss-Krüger zone and the reported one; a disagreement over 5 % is flagged
(``area_flags``). Like a ledger re-import, a changed case gets a new revision and is marked dirty, and
the written cases are attributed to every zone they overlap, in one transaction.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from inspector.errors import BadInput, Message
from inspector.importers.bounded_parse import ParseBounds, ParseStream
from inspector.importers.ledger_import import ledger_hash
from inspector.importers.patch_reading import TEXT_COLUMNS, PatchLayers, PatchPart, patch_parts
from inspector.store.changes import Changes, note_cases, recording
from inspector.store.db import atomic
from inspector.store.workspace import Workspace, new_uuid, utc_now
from inspector.vocabulary import PATCH_FIELD_SYNONYMS, parse_map_option

JOIN_FIELDS = ("case_no", "patch_no")
# The case columns a patch sets (besides case_no / origin on creation).
PATCH_COLUMNS = ("geometry_geojson", "lon", "lat", "area_m2", "patch_no", "imaged_before", "imaged_after",
                 "change_type")
OPTIONAL_COLUMNS = ("reported_area_m2", "area_unit") + TEXT_COLUMNS
# A file at least this large is read and checked in a child process while this one attributes the parts
# received: the child's start (about 0.3 s: an interpreter with numpy, shapely and GDAL) pays from about
# 2,500 patches of 100 vertices (reading and checking take ~0.15 ms a patch), a ~4 MB file.
CHILD_READ_MIN_BYTES = 4 * 1024 ** 2
# The child's bounds: generous, so that no file the import read in-process before is refused for its size
# (the time counts only the waits for the child; the result bytes are all the parts together).
CHILD_READ_BOUNDS = ParseBounds(seconds=600.0, memory_bytes=4 * 1024 ** 3, result_bytes=16 * 1024 ** 3)


@dataclass
class PatchImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    repaired: list[dict[str, Any]] = field(default_factory=list)
    area_flags: list[dict[str, Any]] = field(default_factory=list)
    layers: list[dict[str, Any]] = field(default_factory=list)
    changes: Changes = field(default_factory=Changes, repr=False)  # what the import wrote (not in as_dict)

    def as_dict(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        del data["changes"]
        return data


def parse_patch_map(text: str | None) -> dict[str, str]:
    """Parse ``patch_no=TBBH,area=MJ`` into a mapping; unknown keys are bad input."""
    return parse_map_option(text, PATCH_FIELD_SYNONYMS, ("源字段", "FIELD"))


def import_patches(ws: Workspace, path: str | Path, *, crs: str | None = None, encoding: str | None = None,
                   field_map: dict[str, str] | None = None, join: str | None = None) -> PatchImportResult:
    """Import every polygon layer of ``path`` as change patches; see the module docstring."""
    if join is not None and join not in JOIN_FIELDS:
        raise BadInput(f"--join 只能是 {' 或 '.join(JOIN_FIELDS)}：{join}",
                       f"--join takes {' or '.join(JOIN_FIELDS)}: {join}")
    path = Path(path)
    result = PatchImportResult()
    cases = _PatchCases(ws, join)
    unreadable: list[dict[str, Any]] = []
    rejected: list[dict[str, Any]] = []
    with _read(path, crs, encoding, field_map or {}) as (parts, in_child):
        if in_child:
            cases.load_zones()  # while the child starts and reads the first part
        for part in parts:
            if isinstance(part, PatchLayers):
                result.layers = part.layers
                continue
            unreadable += part.unreadable
            rejected += part.rejected
            result.repaired += part.repaired
            result.area_flags += part.area_flags
            cases.add(part.patches)
    result.rejected = unreadable + rejected + cases.rejected
    result.unchanged = cases.unchanged
    cases.write(result)
    return result


@contextmanager
def _read(path: Path, crs: str | None, encoding: str | None,
          field_map: dict[str, str]) -> Iterator[tuple[Iterator[PatchLayers | PatchPart], bool]]:
    """:func:`~inspector.importers.patch_reading.patch_parts` of the file, and whether they come from a bounded
    child process (:class:`~inspector.importers.bounded_parse.ParseStream`, which reads ahead while the parts
    received are attributed): it does when the file has :data:`CHILD_READ_MIN_BYTES`; the same parts."""
    if _file_bytes(path) < CHILD_READ_MIN_BYTES:
        parts = patch_parts(str(path), crs, encoding, field_map)
        try:
            yield parts, False
        finally:
            parts.close()
        return
    with ParseStream(patch_parts, str(path), crs, encoding, field_map, name=path.name,
                     bounds=CHILD_READ_BOUNDS) as stream:
        yield iter(stream), True


def _file_bytes(path: Path) -> int:
    """The size of a file, or of the files directly in a folder (a File Geodatabase); 0 when missing (the
    reader then says so)."""
    try:
        if path.is_dir():
            return sum(child.stat().st_size for child in path.iterdir() if child.is_file())
        return path.stat().st_size
    except OSError:
        return 0


class _PatchCases:
    """The cases the patches join or create, decided part by part in file order: which patches are
    written (inserted, or updated when changed), rejected (twice in the file, or a case number of another
    patch's case) or unchanged, with the attribution of those written; :meth:`write` then stores them in
    one transaction."""

    def __init__(self, ws: Workspace, join: str | None) -> None:
        self.ws, self.join = ws, join
        conn = ws.conn
        self.by_case_no = {r[0]: r[1] for r in conn.execute("SELECT case_no, id FROM cases")}
        self.by_patch_no = {r[0]: r[1] for r in conn.execute(
            "SELECT patch_no, id FROM cases WHERE patch_no IS NOT NULL")}
        self.stored = {r[0]: tuple(r[1:]) for r in conn.execute(
            f"SELECT id, {', '.join(PATCH_COLUMNS + OPTIONAL_COLUMNS)} FROM cases WHERE origin = 'patch' "
            "OR geometry_geojson IS NOT NULL")}
        self.inserts: list[dict[str, Any]] = []
        self.updates: list[tuple[int, dict[str, Any]]] = []
        self.rejected: list[dict[str, Any]] = []
        self.unchanged = 0
        self.seen: set[Any] = set()

    def load_zones(self) -> None:
        """Load the zone and admin lookups now rather than at the first attribution (no other change)."""
        from inspector.geo.attribution import lookup_for

        lookup_for(self.ws).load_all()

    def add(self, patches: list[dict[str, Any]]) -> None:
        """Decide the fate of the next patches of the file (they bring their polygons) and attribute those
        to write."""
        from inspector.geo.attribution import attributions

        inserts, updates = [], []
        for patch in patches:
            case_id = _joined_case(patch, self.join, self.by_case_no, self.by_patch_no)
            if case_id is None and patch["case_no"] is None:
                patch["case_no"] = patch["patch_no"]
            key = case_id if case_id is not None else patch["case_no"]
            if key in self.seen:
                self.rejected.append({**patch["where"], **Message(
                    "同一图斑或问题在文件中重复", "the same patch or case appears twice in the file").fields()})
                continue
            self.seen.add(key)
            if case_id is None and patch["case_no"] in self.by_case_no:
                self.rejected.append({**patch["where"], **Message(
                    f"问题编号 {patch['case_no']} 已属于另一个图斑的问题",
                    f"case number {patch['case_no']} belongs to a case of another patch").fields()})
                continue
            if case_id is None:
                inserts.append(patch)
            elif case_id in self.stored and self.stored[case_id] == _merged(patch, self.stored[case_id]):
                self.unchanged += 1
            else:
                updates.append((case_id, patch))
        written = inserts + [patch for _, patch in updates]
        if written:
            found = attributions(self.ws, np.array([p["lon"] for p in written], dtype=float),
                                 np.array([p["lat"] for p in written], dtype=float),
                                 [p["polygon"] for p in written])
            for patch, attribution in zip(written, found):
                patch["attribution"] = attribution
        self.inserts += inserts
        self.updates += updates

    def write(self, result: PatchImportResult) -> None:
        """Insert or update the cases with where they lie, in one transaction."""
        from inspector.geo.attribution import ATTRIBUTION_COLUMNS, write_zone_links

        conn = self.ws.conn
        inserts, updates = self.inserts, self.updates
        now = utc_now()
        columns = PATCH_COLUMNS + OPTIONAL_COLUMNS
        with recording(conn) as journal, atomic(conn):
            conn.executemany(
                f"INSERT INTO cases (case_no, {', '.join(columns + ATTRIBUTION_COLUMNS)}, origin, ledger_hash, "
                f"uuid, created_at, updated_at) VALUES (?, {', '.join('?' * len(columns + ATTRIBUTION_COLUMNS))}, "
                "'patch', ?, ?, ?, ?)",
                [(p["case_no"], *(p[c] for c in columns), *p["attribution"].columns, ledger_hash(p), new_uuid(),
                  now, now) for p in inserts])
            assignments = ", ".join([f"{c} = ?" for c in PATCH_COLUMNS + ATTRIBUTION_COLUMNS]
                                    + [f"{c} = COALESCE(?, {c})" for c in OPTIONAL_COLUMNS])
            conn.executemany(
                f"UPDATE cases SET {assignments}, revision = revision + 1, dirty = 1, updated_at = ? WHERE id = ?",
                [(*(p[c] for c in PATCH_COLUMNS), *p["attribution"].columns, *(p[c] for c in OPTIONAL_COLUMNS),
                  now, case_id) for case_id, p in updates])
            result.created, result.updated = len(inserts), len(updates)
            ids = [case_id for case_id, _ in updates]
            linked = [patch["attribution"] for _, patch in updates]
            by_number = {p["case_no"]: p for p in inserts}
            numbers = list(by_number)
            for start in range(0, len(numbers), 900):
                chunk = numbers[start:start + 900]
                for case_id, case_no in conn.execute(
                        f"SELECT id, case_no FROM cases WHERE case_no IN ({','.join('?' * len(chunk))})", chunk):
                    ids.append(case_id)
                    linked.append(by_number[case_no]["attribution"])
            note_cases(conn, "cases", ids)
            write_zone_links(conn, ids, linked)
        result.changes = journal.changes


def _merged(patch: dict[str, Any], old: tuple[Any, ...]) -> tuple[Any, ...]:
    """The case's patch and optional columns after the patch is applied to ``old`` (their stored values)."""
    optional = old[len(PATCH_COLUMNS):]
    return tuple(patch[c] for c in PATCH_COLUMNS) + tuple(
        patch[c] if patch[c] is not None else kept for c, kept in zip(OPTIONAL_COLUMNS, optional))


def _joined_case(patch: dict[str, Any], join: str | None, by_case_no: dict[str, int],
                 by_patch_no: dict[str, int]) -> int | None:
    """The id of the case a patch joins, or None when it creates one."""
    by_case = by_case_no.get(patch["case_no"]) if patch["case_no"] else None
    by_patch = by_patch_no.get(patch["patch_no"]) if patch["patch_no"] else None
    if join == "case_no":
        return by_case
    if join == "patch_no":
        return by_patch
    return by_case if by_case is not None else by_patch


def patch_summary(result: PatchImportResult) -> str:
    """One line for the terminal, then one per rejection, repair and area flag."""
    from inspector.i18n import pick

    lines = [pick(f"新增 {result.created}，更新 {result.updated}，未变 {result.unchanged}，"
                  f"修复 {len(result.repaired)}，拒绝 {len(result.rejected)}，面积不符 {len(result.area_flags)}",
                  f"created {result.created}, updated {result.updated}, unchanged {result.unchanged}, "
                  f"repaired {len(result.repaired)}, rejected {len(result.rejected)}, "
                  f"area disagreements {len(result.area_flags)}")]
    for kind_zh, kind_en, items in (("修复", "repaired", result.repaired), ("拒绝", "rejected", result.rejected)):
        lines += [pick(f"  {kind_zh} {r['layer']}#{r['feature']}：{r['reason']}",
                       f"  {kind_en} {r['layer']}#{r['feature']}: {r['reason']}") for r in items]
    lines += [pick(f"  面积不符 {f['layer']}#{f['feature']}：计算 {f['area_m2']} ㎡，上报 {f['reported_area_m2']} ㎡",
                   f"  area disagrees {f['layer']}#{f['feature']}: computed {f['area_m2']} m², "
                   f"reported {f['reported_area_m2']} m²") for f in result.area_flags]
    return "\n".join(lines)

