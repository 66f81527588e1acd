"""Real files nobody here made, and where the tests find them.

Five public sample photos and what the reference parser reads from them live in
``tests/data/photos`` (see ``tests/data/README.md``), so the EXIF, imaging and
evidence tests run on any checkout. The rest of the public data (nine more
photos, the DJI metadata dumps, Jiangsu's boundaries) stays in ``../shared/data``
next to the checkout, or wherever ``LVDUN_SHARED_DATA`` points; tests that need
it skip with a reason when it is not there. Both folders have the same layout
(``photos/real/<name>``, ``photos/expected-metadata/<name>.txt``) and a photo is
taken from ``tests/data`` first.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LOCAL_DATA = REPO / "tests" / "data"
SHARED_DATA = Path(os.environ.get("LVDUN_SHARED_DATA") or REPO.parent / "shared" / "data")
SHARED_PHOTOS = SHARED_DATA / "photos" / "real"
DATA_ROOTS = (LOCAL_DATA, SHARED_DATA)  # searched in this order

# The 14 photos of drewnoakes/metadata-extractor-images the project tests against (../shared/data/README.md)
REAL_PHOTO_NAMES = (
    "Apple iPhone 4.jpg", "Apple iPhone 5.jpg", "Apple iPhone 6.jpg", "Canon EOS 5D.jpg", "Casio EX-Z3.jpg",
    "FLIR Vue Pro 640.jpg", "FujiFilm FinePixS1Pro (1).jpg", "HTC Desire.jpg", "Issue 308.jpg", "Issue 508.jpg",
    "Nikon D5000.jpg", "Oppo R7 Plus.jpg", "Samsung GT-I9000 (Galaxy S).jpg", "Sony DSC-HX5V (2).jpg",
)
PLACEHOLDER_ZERO = {"Samsung GT-I9000 (Galaxy S).jpg", "FLIR Vue Pro 640.jpg", "Issue 308.jpg"}  # GPS (0, 0)
NO_GPS = {"Canon EOS 5D.jpg", "Casio EX-Z3.jpg"}
# The reference prints seconds rounded to 0.01″ (Java DecimalFormat "0.##"), i.e. ±0.005″ =
# ±1.39e-6°, so 1e-6° cannot be asserted against its text; agree to its printed precision.
DEG_TOL = 0.005 / 3600 + 1e-12

needs_shared_photos = pytest.mark.skipif(not SHARED_PHOTOS.is_dir(),
                                         reason=f"shared test photos not found at {SHARED_PHOTOS}")


def real_photo_path(name: str) -> Path | None:
    """The photo ``name`` from tests/data, else from the shared folder; None when neither has it."""
    for root in DATA_ROOTS:
        path = root / "photos" / "real" / name
        if path.is_file():
            return path
    return None


def real_photo(name: str) -> Path:
    """:func:`real_photo_path`, skipping the test (with the reason) when the photo is not here."""
    path = real_photo_path(name)
    if path is None:
        pytest.skip(f"{name}: not in {LOCAL_DATA / 'photos' / 'real'}, and shared test photos not found at "
                    f"{SHARED_PHOTOS}")
    return path


def available_photos() -> list[Path]:
    """Every one of :data:`REAL_PHOTO_NAMES` found here, in name order."""
    return [path for path in map(real_photo_path, REAL_PHOTO_NAMES) if path is not None]


def parse_expected(name: str) -> dict[str, object]:
    """GPS, camera and size fields of one metadata-extractor dump (next to the photo it describes)."""
    photo = real_photo(name)
    dump = photo.parent.parent / "expected-metadata" / f"{name}.txt"
    fields: dict[str, str] = {}
    for line in dump.read_text(encoding="utf-8").splitlines():
        match = re.match(r"\[(JPEG|Exif IFD0|GPS) - 0x[0-9a-f]+\] ([^=]+?) = (.*)$", line)
        if match:
            fields[f"{match.group(1)}:{match.group(2)}"] = match.group(3)
    out: dict[str, object] = {}
    for axis, ref_key in (("lat", "GPS Latitude"), ("lon", "GPS Longitude")):
        text = fields.get(f"GPS:{ref_key}")
        if text is not None:
            d, m, s = re.match(r"-?([\d.]+)° ([\d.]+)' ([\d.]+)\"", text).groups()
            value = float(d) + float(m) / 60 + float(s) / 3600
            out[axis] = -value if fields[f"GPS:{ref_key} Ref"] in ("S", "W") else value
    if "GPS:GPS Altitude" in fields:
        altitude = float(fields["GPS:GPS Altitude"].split()[0])
        below = fields.get("GPS:GPS Altitude Ref", "").startswith("Below")
        out["altitude"] = -altitude if below else altitude
    if "GPS:GPS Img Direction" in fields:
        out["bearing"] = float(fields["GPS:GPS Img Direction"].split()[0])
        out["bearing_ref"] = "M" if fields["GPS:GPS Img Direction Ref"].startswith("Magnetic") else "T"
    if "GPS:GPS Time-Stamp" in fields:
        out["gps_time"] = fields["GPS:GPS Time-Stamp"].removesuffix(" UTC")
    out["make"] = fields.get("Exif IFD0:Make", "").strip() or None
    out["model"] = fields.get("Exif IFD0:Model", "").strip() or None
    out["size"] = (int(fields["JPEG:Image Width"].split()[0]), int(fields["JPEG:Image Height"].split()[0]))
    return out
