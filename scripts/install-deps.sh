#!/usr/bin/env bash
# Installs what libgrid / grid-partition needs on Debian bookworm, from Debian packages only.
# Idempotent: packages already present are left alone. Runs as root, or through sudo.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config   # toolchain
  libgdal-dev gdal-bin                          # GDAL/OGR: every file read and written
  libgeos-dev                                   # GEOS C API: geometry
  libboost-graph-dev                            # Boost.Graph: graph algorithms
  libcli11-dev libfmt-dev doctest-dev           # command line, text, tests
  nlohmann-json3-dev                            # report.json written and read as typed values
  libmetis-dev                                  # METIS: the partitioning baseline in bench/
  doxygen                                       # API reference: target docs, its ctest
  libcairo2-dev zlib1g-dev fonts-noto-cjk       # render: maps (SVG, PNG, PDF) with Chinese names
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: run as root or install sudo" >&2; exit 1; }
  SUDO="sudo"
fi
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
