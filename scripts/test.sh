#!/usr/bin/env bash
# README command (b): install, build with warnings as errors, run the whole test suite (ctest).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh -DLIBGRID_WERROR=ON
ctest --test-dir build --output-on-failure -j2
