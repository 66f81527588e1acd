"""The sample photos in tests/data: unedited copies of the public ones, small, and enough for the EXIF,
imaging and evidence tests to run on a machine without ``../shared/data``."""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys

from sample_data import LOCAL_DATA, REAL_PHOTO_NAMES, REPO, SHARED_PHOTOS

LOCAL_PHOTOS = LOCAL_DATA / "photos" / "real"
EVIDENCE_TESTS = ["tests/test_evidence_exif.py", "tests/test_evidence_imaging.py", "tests/test_evidence_drone.py",
                  "tests/test_attach.py"]
MAX_SAMPLE_BYTES = 1_100_000  # photos and their metadata dumps together, bytes


def _sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_sample_photos_are_small_unedited_copies():
    photos = sorted(LOCAL_PHOTOS.glob("*"))
    assert 3 <= len(photos) <= 5 and {p.name for p in photos} <= set(REAL_PHOTO_NAMES)
    dumps = [LOCAL_DATA / "photos" / "expected-metadata" / f"{p.name}.txt" for p in photos]
    assert all(d.is_file() for d in dumps)
    assert sum(p.stat().st_size for p in photos + dumps) < MAX_SAMPLE_BYTES
    if SHARED_PHOTOS.is_dir():  # byte for byte what the public repository holds
        for photo, dump in zip(photos, dumps):
            assert _sha256(photo) == _sha256(SHARED_PHOTOS / photo.name)
            assert _sha256(dump) == _sha256(SHARED_PHOTOS.parent / "expected-metadata" / dump.name)


def test_evidence_tests_run_without_the_shared_folder(tmp_path):
    env = {**os.environ, "LVDUN_SHARED_DATA": str(tmp_path / "no-shared-data")}
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rA", "-p", "no:cacheprovider", *EVIDENCE_TESTS],
                            cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:]
    passed = {line.split(" ", 1)[1] for line in result.stdout.splitlines() if line.startswith("PASSED ")}
    for photo in sorted(LOCAL_PHOTOS.glob("*")):
        assert f"tests/test_evidence_exif.py::test_real_photo_agrees_with_reference_parser[{photo.name}]" in passed
    for name in ("test_evidence_exif.py::test_special_cases_of_the_sample_photos",
                 "test_evidence_imaging.py::test_thumbnail_applies_exif_orientation",
                 "test_evidence_imaging.py::test_one_pixel_image_whose_exif_claims_3024_pixels",
                 "test_attach.py::test_every_real_photo_attaches_with_its_reference_values",
                 "test_attach.py::test_retagged_jiangsu_copies_attach_with_zones"):
        assert f"tests/{name}" in passed
    skipped = [line for line in result.stdout.splitlines() if line.startswith("SKIPPED ")]
    assert skipped and all("not found" in line for line in skipped), skipped
