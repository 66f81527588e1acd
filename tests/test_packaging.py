"""The packaged build: PyInstaller bundle, tarball and .deb for a bureau, run frozen.

Slow (a full PyInstaller build): marked ``packaging``, left out of the default run and
run by ``.ci/run`` as its own step.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from inspector.store.migrations import LATEST_VERSION
from tests.bureau_build import build_bureau

BUNDLE_LIMIT_MB, build = build_bureau.BUNDLE_LIMIT_MB, build_bureau.build

pytestmark = pytest.mark.packaging
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("packaging")
    result = build(REPO / "bureaus" / "320900.toml", dist=root / "dist", work=root / "work")
    print(json.dumps({k: result[k] for k in ("bundle_mb", "largest_mb")}, ensure_ascii=False))
    return result, root


def frozen(result, *args, env=None, timeout=180):
    exe = Path(result["bundle"]) / "lvdun-inspector"
    return subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "INSPECTOR_LANG": "zh", **(env or {})})


def test_version_names_the_bureau(built):
    result, _ = built
    out = frozen(result, "--version")
    assert out.returncode == 0 and "320900" in out.stdout and "0.1.0" in out.stdout


def test_headless_work_with_the_frozen_executable(built, tmp_path):
    result, _ = built
    ws = str(tmp_path / "ws")
    assert frozen(result, "--workspace", ws, "init", "--json").returncode == 0
    zones = frozen(result, "--workspace", ws, "import-zones", str(REPO / "resources/demo/zones.geojson"), "--json")
    assert zones.returncode == 0, zones.stderr
    assert json.loads(zones.stdout)["imported"] > 10
    ledger = frozen(result, "--workspace", ws, "import-ledger", str(REPO / "resources/demo/ledger.xlsx"), "--json")
    assert ledger.returncode == 0 and json.loads(ledger.stdout)["created"] > 10
    located = json.loads(frozen(result, "--workspace", ws, "locate", "120.77", "32.98", "--json").stdout)
    assert located["admin"]["city"] == "盐城市"
    pdf = tmp_path / "form.pdf"
    form = frozen(result, "--workspace", ws, "form", "LD2026-320900-002", "--kind", "inspection", "-o", str(pdf))
    assert form.returncode == 0, form.stderr
    assert pdf.read_bytes().startswith(b"%PDF")


def test_gui_starts_offscreen_and_saves_a_screenshot(built, tmp_path):
    result, _ = built
    shot = tmp_path / "shot.png"
    out = frozen(result, "gui", "--screenshot", str(shot), env={"QT_QPA_PLATFORM": "offscreen",
                                                                 "XDG_DATA_HOME": str(tmp_path / "data")})
    assert out.returncode == 0, out.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_upgrade_keeps_and_migrates_an_old_workspace(built, tmp_path):
    result, _ = built
    old = tmp_path / "old"
    shutil.copytree(REPO / "tests" / "data" / "workspace-v1", old)
    out = frozen(result, "--workspace", str(old), "summary", "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["schema_version"] == LATEST_VERSION
    assert list((old / "backups").glob("workspace-v1-*.sqlite"))


def test_archives(built):
    result, _ = built
    assert result["bundle_mb"] <= BUNDLE_LIMIT_MB, result["largest_mb"]
    with tarfile.open(result["tarball"]) as archive:
        names = archive.getnames()
    assert any(name.endswith("/lvdun-inspector") for name in names)
    assert any(name.endswith("resources/bureau/bureau.toml") for name in names)
    if "deb" in result:
        info = subprocess.run(["dpkg-deb", "-I", result["deb"]], capture_output=True, text=True, check=True).stdout
        assert "libsqlite3-mod-spatialite" in info and "320900" in info
        contents = subprocess.run(["dpkg-deb", "-c", result["deb"]], capture_output=True, text=True, check=True).stdout
        assert "./opt/lvdun-inspector/lvdun-inspector" in contents and "./usr/bin/lvdun-inspector" in contents


CLEAN_SMOKE = r"""
set -e
cd "$HOME"
lvdun-inspector --version
lvdun-inspector --workspace ws init --json >/dev/null
lvdun-inspector --workspace ws import-zones "$DEMO/zones.geojson" --json >/dev/null
lvdun-inspector --workspace ws import-ledger "$DEMO/ledger.xlsx" --json >/dev/null
lvdun-inspector --workspace ws locate 120.77 32.98 --json
lvdun-inspector --workspace ws form LD2026-320900-002 --kind inspection -o form.pdf
QT_QPA_PLATFORM=offscreen lvdun-inspector gui --screenshot shot.png
"""


@pytest.fixture(scope="module")
def clean_debian(tmp_path_factory):
    """A minimal Debian 12 tree made with debootstrap from the configured mirror (root only)."""
    if os.geteuid() != 0 or shutil.which("debootstrap") is None or shutil.which("chroot") is None:
        pytest.skip("needs root and debootstrap to make a clean Debian tree")
    root = tmp_path_factory.mktemp("clean") / "root"
    made = subprocess.run(["debootstrap", "--variant=minbase", "bookworm", str(root), "http://deb.debian.org/debian"],
                          capture_output=True, text=True, timeout=900)
    if made.returncode != 0:
        pytest.skip(f"no Debian mirror reachable: {made.stderr[-500:]}")
    shutil.copy("/etc/resolv.conf", root / "etc" / "resolv.conf")
    mounts = [root / "proc", root / "dev"]
    subprocess.run(["mount", "-t", "proc", "proc", str(mounts[0])], check=True)
    subprocess.run(["mount", "--rbind", "/dev", str(mounts[1])], check=True)  # with /dev/shm for Chromium
    try:
        yield root
    finally:
        for mount in reversed(mounts):
            subprocess.run(["umount", "-R", "-l", str(mount)], check=False)


def test_deb_installs_and_starts_on_a_clean_debian(built, clean_debian):
    result, _ = built
    if "deb" not in result:
        pytest.skip("no .deb built on this platform")
    deb = Path(result["deb"])
    shutil.copy(deb, clean_debian / "tmp" / deb.name)

    def inside(*command, user=None):
        if user:
            command = ("runuser", "-u", user, "--", *command)
        return subprocess.run(["chroot", str(clean_debian), *command], capture_output=True, text=True, timeout=1200,
                              env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "DEBIAN_FRONTEND": "noninteractive",
                                   "LANG": "C.UTF-8"})

    assert inside("apt-get", "update", "-qq").returncode == 0
    installed = inside("apt-get", "install", "-y", "-qq", f"/tmp/{deb.name}")
    assert installed.returncode == 0, installed.stdout[-2000:] + installed.stderr[-2000:]
    assert inside("useradd", "-m", "field").returncode == 0
    (clean_debian / "tmp" / "smoke.sh").write_text(CLEAN_SMOKE, encoding="utf-8")
    smoke = inside("env", "HOME=/home/field", "INSPECTOR_LANG=zh",
                   "DEMO=/opt/lvdun-inspector/_internal/resources/demo", "bash", "/tmp/smoke.sh", user="field")
    assert smoke.returncode == 0, smoke.stdout[-2000:] + smoke.stderr[-3000:]
    assert "320900" in smoke.stdout and "盐城市" in smoke.stdout
    home = clean_debian / "home" / "field"
    assert (home / "form.pdf").read_bytes().startswith(b"%PDF")
    assert (home / "shot.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
