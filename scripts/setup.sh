#!/usr/bin/env bash
# Set up 绿盾 Inspector on a fresh Debian machine (run as root, or with sudo available):
# system packages from apt, a virtual environment in .venv with the project and its
# Python packages, and the web assets from the npm registry. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  python3 python3-venv python3-gdal gdal-bin libsqlite3-mod-spatialite
  fonts-wqy-zenhei fonts-dejavu-core poppler-utils xvfb
  # Debian's cryptography (keyring's Secret Service backend) links the system OpenSSL: 2 MB in the
  # bundle instead of the wheel's 14 MB
  python3-cryptography
  # Debian's numpy links the system BLAS (the numpy 2 wheels carry a 25 MB OpenBLAS)
  python3-numpy
  # Debian's pyproj (system PROJ; the wheels bundle their own): the patrol tests' reference geodesic
  python3-pyproj
  # the PyInstaller build: binutils (strip, objcopy, as, ld) and icupkg to trim Qt's ICU data
  binutils icu-devtools
  # the packaging test installs the .deb into a clean Debian tree made by debootstrap
  debootstrap
  # a throwaway PostgreSQL cluster for the sync server tests (.ci/run)
  postgresql
  # Qt / QtWebEngine runtime libraries for PySide6
  libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 libnss3
  libxcomposite1 libxdamage1 libxrandr2 libxtst6 libxshmfence1 libxkbfile1 libasound2
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0 libxcb-randr0
  libxcb-render-util0 libxcb-image0
)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
# Node.js may come from elsewhere (with its own npm); only install Debian's when absent.
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Debian's Python: its sqlite3 loads extensions (mod_spatialite) and python3-gdal matches
# the system GDAL/PROJ/GEOS that SpatiaLite uses, so no second copy is loaded.
if [ ! -x .venv/bin/python ]; then
  /usr/bin/python3 -m venv --system-site-packages .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e ".[gui,server,dev]"
# Earlier versions of the dev extra installed keyrings.alt, whose plaintext file keyring keyring then chose
# by itself on machines without an OS keyring; remove it from venvs set up back then.
if .venv/bin/python -m pip show -q keyrings.alt >/dev/null 2>&1; then
  .venv/bin/python -m pip uninstall -q -y keyrings.alt
fi

if [ -f resources/web/package.json ]; then
  (cd resources/web && npm ci --no-audit --no-fund --loglevel=error)
fi
echo "setup: ready (.venv)"
