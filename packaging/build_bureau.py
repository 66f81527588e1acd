"""Build installers for a city bureau: ``python packaging/build_bureau.py build --bureau FILE.toml``.

Stages the bureau configuration (TOML, CA certificate, optional basemap;
nothing secret), runs PyInstaller on ``build.spec`` (one-folder build), and
packs ``dist/lvdun-inspector-<adcode>-<version>-linux-x86_64.tar.gz`` and a
``.deb`` that installs under ``/opt`` with a launcher and a desktop entry.
Prints a JSON summary with the bundle size and what dominates it.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

from inspector import __version__
from inspector.bureau import BureauConfig, read
from inspector.errors import InspectorError

REPO = Path(__file__).resolve().parent.parent
APP_NAME = "lvdun-inspector"
BUNDLE_LIMIT_MB = 400  # a bureau bundle, unpacked, in MB of 10^6 bytes (issue 7)
# Always needed at run time besides the libraries the build found (system-packages.txt):
# the X/GL stack Qt loads through plugins, and the CJK font of the PDF forms.
DEB_DEPENDS = ("libc6", "libegl1", "libgl1", "libxkbcommon-x11-0", "libxcb-cursor0",
               "libxcb-icccm4", "libxcb-keysyms1", "libxcb-shape0", "libxcb-render-util0",
               "libxcb-image0", "fonts-wqy-zenhei")


def stage_bureau(config: BureauConfig, folder: Path) -> Path:
    """Copy the configuration and the files it names into ``folder`` with fixed names."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    lines = ["[bureau]", f"name = {json.dumps(config.name, ensure_ascii=False)}",
             f"adcode = {json.dumps(config.adcode)}", "", "[server]"]
    if config.server_url:
        lines.append(f"url = {json.dumps(config.server_url)}")
    if config.ca_certificate:
        shutil.copy2(config.ca_certificate, folder / "ca.pem")
        lines.append('ca_certificate = "ca.pem"')
    if config.basemap:
        shutil.copy2(config.basemap, folder / "basemap.mbtiles")
        lines += ["", "[basemap]", 'file = "basemap.mbtiles"']
    (folder / "bureau.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    read(folder / "bureau.toml")  # the staged copy must validate too
    return folder


def run_pyinstaller(bureau_dir: Path, work: Path, dist: Path) -> tuple[Path, list[str]]:
    """The bundle folder, and the Debian packages whose libraries it expects on the system."""
    env = {**os.environ, "LVDUN_BUREAU_DIR": str(bureau_dir)}
    subprocess.run([sys.executable, "-m", "PyInstaller", str(REPO / "build.spec"), "--noconfirm",
                    "--log-level", "WARN", "--distpath", str(dist), "--workpath", str(work)],
                   check=True, cwd=REPO, env=env)
    listing = work / "build" / "system-packages.txt"
    packages = listing.read_text(encoding="utf-8").split() if listing.exists() else []
    return dist / APP_NAME, packages


def size_report(bundle: Path, top: int = 8) -> dict[str, Any]:
    """Total size and the largest entries two levels down, in MB (10^6 bytes, the stricter unit)."""
    sizes: dict[str, int] = {}
    total = 0
    for path in bundle.rglob("*"):
        if path.is_file() and not path.is_symlink():
            size = path.stat().st_size
            total += size
            parts = path.relative_to(bundle).parts
            key = "/".join(parts[:3] if parts[0] == "_internal" else parts[:2])
            sizes[key] = sizes.get(key, 0) + size
    largest = sorted(sizes.items(), key=lambda item: -item[1])[:top]
    return {"bundle_mb": round(total / 1e6, 1), "target_mb": BUNDLE_LIMIT_MB,
            "largest_mb": {k: round(v / 1e6, 1) for k, v in largest}}


def make_tarball(bundle: Path, target: Path) -> Path:
    with tarfile.open(target, "w:gz") as archive:
        archive.add(bundle, arcname=target.name.removesuffix(".tar.gz"))
    return target


def make_deb(bundle: Path, config: BureauConfig, target: Path, work: Path, system_packages: list[str]) -> Path:
    root = work / "deb-root"
    shutil.rmtree(root, ignore_errors=True)
    install_dir = root / "opt" / APP_NAME
    shutil.copytree(bundle, install_dir, symlinks=True)
    (root / "usr" / "bin").mkdir(parents=True)
    (root / "usr" / "bin" / APP_NAME).symlink_to(f"/opt/{APP_NAME}/{APP_NAME}")
    applications = root / "usr" / "share" / "applications"
    applications.mkdir(parents=True)
    (applications / f"{APP_NAME}.desktop").write_text(
        "[Desktop Entry]\nType=Application\nName=绿盾 Inspector\n"
        f"Comment=生态保护红线与自然保护地现场核查（{config.name}）\n"
        f"Exec=/opt/{APP_NAME}/{APP_NAME} gui\nTerminal=false\nCategories=Science;Geography;\n",
        encoding="utf-8")
    control = root / "DEBIAN"
    control.mkdir()
    size_kb = sum(p.stat().st_size for p in install_dir.rglob("*") if p.is_file() and not p.is_symlink()) // 1024
    (control / "control").write_text(
        f"Package: {APP_NAME}\nVersion: {__version__}+{config.adcode}\nArchitecture: amd64\n"
        f"Maintainer: 绿盾 Inspector team <noreply@example.invalid>\nInstalled-Size: {size_kb}\n"
        f"Depends: {', '.join(sorted(set(DEB_DEPENDS) | set(system_packages)))}\n"
        "Section: science\nPriority: optional\n"
        f"Description: 绿盾 Inspector field inspection for {config.name} ({config.adcode})\n"
        " Offline inspection of ecological red lines and nature reserves in Jiangsu.\n"
        " User workspaces live in the user's data directory and survive upgrades.\n",
        encoding="utf-8")
    subprocess.run(["dpkg-deb", "--root-owner-group", "-Zgzip", "--build", str(root), str(target)], check=True,
                   capture_output=True)
    return target


def build(bureau_file: Path, *, dist: Path, work: Path, deb: bool = True) -> dict[str, Any]:
    config = read(bureau_file)
    staged = stage_bureau(config, work / f"bureau-{config.adcode}")
    bundle, system_packages = run_pyinstaller(staged, work / "pyinstaller", work / "bundle")
    dist.mkdir(parents=True, exist_ok=True)
    stem = f"{APP_NAME}-{config.adcode}-{__version__}-{platform.system().lower()}-{platform.machine()}"
    result: dict[str, Any] = {"bureau": config.describe(), "version": __version__, "bundle": str(bundle),
                              **size_report(bundle), "system_packages": system_packages}
    result["tarball"] = str(make_tarball(bundle, dist / f"{stem}.tar.gz"))
    if deb and shutil.which("dpkg-deb"):
        result["deb"] = str(make_deb(bundle, config, dist / f"{stem}.deb", work, system_packages))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python packaging/build_bureau.py")
    commands = parser.add_subparsers(dest="command", required=True)
    build_parser = commands.add_parser("build", help="build the installers for one bureau")
    build_parser.add_argument("--bureau", required=True, type=Path, help="bureaus/<adcode>.toml")
    build_parser.add_argument("--dist", type=Path, default=REPO / "dist")
    build_parser.add_argument("--work", type=Path, default=REPO / "build")
    build_parser.add_argument("--no-deb", action="store_true")
    args = parser.parse_args(argv)
    try:
        result = build(args.bureau, dist=args.dist, work=args.work, deb=not args.no_deb)
    except InspectorError as exc:
        print(f"packaging: {exc.message}", file=sys.stderr)
        return exc.exit_code
    print(json.dumps(result, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
