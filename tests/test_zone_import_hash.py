"""A zone's content hash is stable across versions: a re-import of an unchanged layer by a newer program must
find every zone unchanged (no new revision, nothing to sync). Pinned to the value the original formula gives."""
from __future__ import annotations

import json

from inspector.importers.zone_import import import_zones
from inspector.store.workspace import Workspace

# sha256 of "code=…\x1fname=…\x1f…attributes=…\x1f" and the zone's WKB, as computed since the first version
PINNED = "b84a04d345c6a4c8c4ccad9b3c1f9e9262cfe100497ebdd6cf79f7310d438172"


def test_content_hash_is_the_one_earlier_versions_stored(tmp_path):
    ring = [[119.5, 32.5], [119.51, 32.5], [119.51, 32.51], [119.5, 32.51], [119.5, 32.5]]
    data = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"名称": "固定区域", "编码": "H-1", "类型": "生态保护红线", "级别": "省级"},
         "geometry": {"type": "Polygon", "coordinates": [ring]}}]}
    path = tmp_path / "redline.geojson"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    ws = Workspace.create(tmp_path / "ws")
    import_zones(ws, path)
    assert ws.conn.execute("SELECT content_hash FROM zones").fetchone()[0] == PINNED
    again = import_zones(ws, path)
    assert (again.imported, again.updated, again.unchanged) == (0, 0, 1)
    ws.close()
