#!/usr/bin/env bash
# README command (a): install, build, and run grid-partition on the bundled Malta sample
# (data/malta, OpenStreetMap, ODbL). Outputs go to out/malta/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
echo
echo "+ grid-partition check on data/malta/malta.gpkg (98 transformer stations, 68 local councils)"
set +e
build/cli/grid-partition check \
  --transformers data/malta/malta.gpkg:transformers --where "is_atom = 1" \
  --id-field atom_id --customers-field customers_proxy \
  --boundaries data/malta/malta.gpkg:admin_units_finest --unit-id-field osm_id \
  --max-issues 3 --out out/malta
status=$?
set -e
echo
echo "Open out/malta/service_areas.gpkg in QGIS (layers service_areas, transformers, adjacency)."
exit $status
