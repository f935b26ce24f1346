#!/usr/bin/env bash
# README command (a): install, build, and plan service grids on the bundled Malta sample
# (data/malta, OpenStreetMap, ODbL). Outputs go to out/malta/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
echo
echo "+ grid-partition plan on data/malta/malta.gpkg (98 transformer stations, 68 local councils) into 10 grids"
set +e
build/cli/grid-partition plan \
  --transformers data/malta/malta.gpkg:transformers --where "is_atom = 1" \
  --id-field atom_id --customers-field customers_proxy \
  --boundaries data/malta/malta.gpkg:admin_units_finest --unit-id-field osm_id \
  --grids 10 --max-issues 3 --out out/malta
status=$?
set -e
echo
if [ $status -eq 0 ]; then
  echo "Outputs are in out/malta/: open grids.gpkg in QGIS (layers grids, transformers, service_areas);"
  echo "assignments.csv maps every transformer to its grid; report.json holds every measure."
fi
exit $status
