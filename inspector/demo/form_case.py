"""A made-up but realistic case for form previews, the benchmark and the tests.

It sits on the Yancheng coast near 120.5°E 33.6°N: a nature reserve with
core/buffer/experimental zones, an overlapping ecological red line, a fish
pond problem in the buffer zone, camera photos (one stored with an EXIF
rotation) and drone stills with footprints. Images are drawn with Pillow
into a folder the caller gives; :func:`write_demo_mbtiles` writes a small
synthetic raster basemap in TMS order. Nothing here is real data.
"""
from __future__ import annotations

import hashlib
import io
import math
import random
import sqlite3
from pathlib import Path

import numpy as np
from PIL import Image as PILImage
from PIL import ImageDraw
from shapely.affinity import rotate
from shapely.geometry import Polygon, box

from inspector.forms.basemap import TILE_PX
from inspector.forms.model import (
    FormAcceptanceStep,
    FormAdmin,
    FormCase,
    FormChecklist,
    FormFinding,
    FormFootprint,
    FormPhoto,
    FormRectification,
    FormZone,
    PhotoPhase,
)

CASE_LON, CASE_LAT = 120.5012, 33.6034  # degrees, CGCS2000
METRES_PER_DEGREE_LAT = 110_900.0  # near 33.6°N
METRES_PER_DEGREE_LON = 92_800.0  # near 33.6°N
EXIF_ORIENTATION_TAG = 0x0112


def _offset(east_m: float, north_m: float) -> tuple[float, float]:
    return CASE_LON + east_m / METRES_PER_DEGREE_LON, CASE_LAT + north_m / METRES_PER_DEGREE_LAT


def _square(east_m: float, north_m: float, half_width_m: float, half_height_m: float) -> Polygon:
    min_lon, min_lat = _offset(east_m - half_width_m, north_m - half_height_m)
    max_lon, max_lat = _offset(east_m + half_width_m, north_m + half_height_m)
    return box(min_lon, min_lat, max_lon, max_lat)


def demo_zones() -> list[FormZone]:
    core = rotate(_square(-700, 500, 520, 380), 12)
    buffer_zone = rotate(_square(-500, 300, 1000, 800), 12).difference(core)
    experimental = rotate(_square(-300, 100, 1600, 1300), 12).difference(core.union(buffer_zone))
    red_line = Polygon([_offset(300, -1500), _offset(1700, -900), _offset(1300, 1400), _offset(500, 1600)])
    reserve = "盐城湿地珍禽国家级自然保护区"
    return [
        FormZone(reserve, "ZR-320900-01-1", "自然保护地", "自然保护区", "核心区", core),
        FormZone(reserve, "ZR-320900-01-2", "自然保护地", "自然保护区", "缓冲区", buffer_zone),
        FormZone(reserve, "ZR-320900-01-3", "自然保护地", "自然保护区", "实验区", experimental),
        FormZone("射阳河口湿地生态保护红线", "HX-320924-07", "生态保护红线", "湿地生态系统", None, red_line),
    ]


def _scene(index: int, width: int, height: int, after: bool) -> PILImage.Image:
    """A simple landscape: sky, ground, ponds or sheds (fewer after rectification)."""
    rng = random.Random(index)
    horizon = int(height * rng.uniform(0.32, 0.45))
    rows = np.linspace(0.0, 1.0, height)[:, None]
    sky = np.stack([150 + 60 * rows, 185 + 40 * rows, 235 - 10 * rows], axis=-1)
    ground = np.stack([90 + 50 * rows, 120 + 40 * rows, 60 + 20 * rows], axis=-1)
    pixels = np.where(np.arange(height)[:, None, None] < horizon, sky, ground)
    pixels = np.repeat(pixels.astype(np.int16), width, axis=1)
    # sensor-like grain so the JPEG is as large as a real photo of this size (flat colours compress 20×)
    pixels += np.random.default_rng(index).integers(-14, 15, (height, width, 1), dtype=np.int16)
    image = PILImage.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(image)
    for _ in range(rng.randint(2, 4)):
        x, y = rng.uniform(0.05, 0.7) * width, rng.uniform(horizon / height + 0.1, 0.8) * height
        w, h = rng.uniform(0.15, 0.3) * width, rng.uniform(0.05, 0.12) * height
        if after:
            draw.ellipse([x, y, x + w, y + h], fill=(70, 140, 60))
        else:
            draw.ellipse([x, y, x + w, y + h], fill=(60, 110, 160))
    if not after:
        x = rng.uniform(0.1, 0.7) * width
        draw.rectangle([x, horizon - 0.12 * height, x + 0.2 * width, horizon + 0.05 * height],
                       fill=(150, 150, 155), outline=(60, 60, 60), width=max(2, width // 300))
    return image


def write_demo_photo(path: Path, index: int, *, size: tuple[int, int] = (1600, 1200), after: bool = False,
                     exif_rotated: bool = False) -> str:
    """Draw and save one JPEG; returns its SHA-256. ``exif_rotated`` stores it sideways with Orientation=6."""
    image = _scene(index, *size, after)
    exif = PILImage.Exif()
    if exif_rotated:
        image = image.transpose(PILImage.Transpose.ROTATE_90)  # stored sideways; Orientation 6 turns it back
        exif[EXIF_ORIENTATION_TAG] = 6
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85, exif=exif.tobytes())
    data = buffer.getvalue()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def demo_photos(folder: Path, count: int = 6, *, large: bool = False) -> list[FormPhoto]:
    """``count`` photos: first half before/inspection, second half after; every third a drone still."""
    photos: list[FormPhoto] = []
    size = (4000, 3000) if large else (1600, 1200)
    half = max(1, count // 2)
    for index in range(count):
        after = index >= half
        drone = index % 3 == 2
        angle = 2 * math.pi * index / max(count, 1)
        lon, lat = _offset(180 * math.cos(angle) - 60, 140 * math.sin(angle) + 40)
        sha = write_demo_photo(folder / f"photo_{index + 1:02d}.jpg", index, size=size, after=after,
                               exif_rotated=index == 1)
        phase: PhotoPhase = "after" if after else ("inspection" if index == 0 else "before")
        photos.append(
            FormPhoto(
                path=folder / f"photo_{index + 1:02d}.jpg", sha256=sha,
                taken_at=f"2024-{5 if not after else 9:02d}-{10 + index % 18:02d} "
                         f"{9 + index % 8:02d}:{(index * 7) % 60:02d}:12",
                lon=lon, lat=lat, bearing_deg=None if index == 4 else (index * 67.5) % 360,
                kind="drone" if drone else "photo", phase=phase,
                caption=("养殖塘及看护房全貌" if not after else "养殖设施已拆除，已覆绿") if index % 2 == 0 else None,
            )
        )
    return photos


def demo_footprints(photos: list[FormPhoto]) -> list[FormFootprint]:
    footprints = []
    for number, photo in enumerate(photos, start=1):
        if photo.kind == "drone" and photo.lon is not None and photo.lat is not None:
            east = (photo.lon - CASE_LON) * METRES_PER_DEGREE_LON
            north = (photo.lat - CASE_LAT) * METRES_PER_DEGREE_LAT
            footprint = rotate(_square(east, north + 60, 110, 75), photo.bearing_deg or 0)
            footprints.append(FormFootprint(footprint, f"图{number}"))
    return footprints


def build_demo_case(folder: Path, *, photo_count: int = 6, large_photos: bool = False, description: str | None = None,
                    basemap: Path | None = None) -> FormCase:
    """A complete case with findings, rectification, checklist and the acceptance chain."""
    photos = demo_photos(Path(folder), photo_count, large=large_photos)
    return FormCase(
        uuid="6f1c2a7e-3b5d-4e8f-9a10-2c4d6e8f0a1b", case_no="LD2024-320924-0137",
        zone_names=("盐城湿地珍禽国家级自然保护区", "射阳河口湿地生态保护红线"),
        kind="自然保护地", category="自然保护区", function_zone="缓冲区",
        admin=FormAdmin("盐城市", "射阳县", "320924"), lon=CASE_LON, lat=CASE_LAT, area_m2=18650.0,
        problem_type="违规养殖", discovered_on="2024-04-18", deadline="2024-10-31",
        responsible_unit="射阳县海河镇人民政府", status="申请销号",
        description=description or (
            "遥感监测发现保护区缓冲区内新增养殖塘 3 处及看护房 1 座，占用滩涂湿地，"
            "塘埂硬化，有增氧设备及投饵痕迹。"
        ),
        findings=(
            FormFinding(
                inspectors=("张建国", "李敏"), time="2024-05-10 09:30", activity_type="水产养殖",
                description="现场核实养殖塘 3 处，总面积约 1.87 公顷，看护房 1 座（砖混，约 40 m²），"
                "塘内有增氧机 4 台，正在养殖。经营者称 2023 年起租赁经营，无审批手续。",
                area_m2=18650.0, assessment="确认问题",
                basis="《中华人民共和国自然保护区条例》第二十六条、第三十二条；江苏省生态空间管控区域规划。",
                weather="晴，东南风 3 级", accompanying=("王海（海河镇）", "经营者 陈某"),
            ),
        ),
        photos=tuple(photos), footprints=tuple(demo_footprints(photos)), zones=tuple(demo_zones()),
        rectification=FormRectification(
            measure_type="退出",
            measures="拆除看护房及增氧设备，排干养殖塘，平整塘埂，恢复滩涂自然湿地，补植盐地碱蓬。",
            deadline="2024-10-31", responsible_unit="射阳县海河镇人民政府", responsible_person="周立新",
            progress=(("2024-06-15", "已断水断电，增氧设备清运完毕。"), ("2024-08-30", "看护房拆除，塘埂平整完成。"),
                      ("2024-09-20", "补植盐地碱蓬约 1.5 公顷。")),
        ),
        checklist=FormChecklist(True, True, True, None, True, note="该养殖点无成品库存，“清产品”不适用。"),
        acceptance=(
            FormAcceptanceStep("责任单位", "整改已完成，申请销号。", "周立新", "2024-09-25", "同意"),
            FormAcceptanceStep("县级 生态环境", "经现场复核，设施已拆除，湿地恢复中，同意销号。", "孙伟", "2024-10-08",
                               "同意"),
            FormAcceptanceStep("县级 自然资源/林业", "同意。", "刘洋", "2024-10-09", "同意"),
        ),
        publicity="2024-10-12 至 2024-10-18 在射阳县人民政府网站公示，公示期内无异议。",
        basemap_mbtiles=basemap, basemap_label="示意影像（合成）" if basemap else None,
    )


def _tile_image(zoom: int, column: int, row: int) -> bytes:
    rng = random.Random(zoom * 1_000_003 + column * 1009 + row)
    base = (rng.randint(150, 185), rng.randint(170, 200), rng.randint(130, 160))
    image = PILImage.new("RGB", (TILE_PX, TILE_PX), base)
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        x, y = rng.randint(0, TILE_PX), rng.randint(0, TILE_PX)
        colour = (rng.randint(90, 130), rng.randint(140, 175), rng.randint(170, 210))
        draw.rectangle([x, y, x + rng.randint(20, 90), y + rng.randint(15, 70)], fill=colour)
    draw.line([(0, 0), (TILE_PX - 1, 0)], fill=(200, 200, 200))
    draw.line([(0, 0), (0, TILE_PX - 1)], fill=(200, 200, 200))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def write_demo_mbtiles(path: Path, lon: float = CASE_LON, lat: float = CASE_LAT, zooms: tuple[int, ...] = (14, 15, 16),
                       radius_tiles: int = 3) -> Path:
    """A small MBTiles (TMS rows, PNG tiles) around a point."""
    path.unlink(missing_ok=True)
    connection = sqlite3.connect(path)
    with connection:
        connection.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
        connection.execute(
            "CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB)")
        connection.executemany("INSERT INTO metadata VALUES (?, ?)",
                               [("name", "demo"), ("format", "png"), ("scheme", "tms")])
        for zoom in zooms:
            n = 1 << zoom
            column = int((lon + 180.0) / 360.0 * n)
            xyz_row = int((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n)
            for dx in range(-radius_tiles, radius_tiles + 1):
                for dy in range(-radius_tiles, radius_tiles + 1):
                    tms_row = n - 1 - (xyz_row + dy)
                    tile = _tile_image(zoom, column + dx, xyz_row + dy)
                    connection.execute("INSERT INTO tiles VALUES (?, ?, ?, ?)", (zoom, column + dx, tms_row, tile))
    connection.close()
    return path


__all__ = ["build_demo_case", "demo_zones", "write_demo_mbtiles", "write_demo_photo"]
