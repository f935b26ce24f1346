// The tables of a plan folder, built from a PlanFolder: the three map layers and the CSV files.
// One schema, used by write_plan_folder() and read back by read_plan_folder().
#pragma once

#include <libgrid/io.hpp>
#include <libgrid/plan_folder.hpp>

#include <string>
#include <vector>

namespace libgrid::folder {

/// Layers `grids`, `transformers` and `service_areas`, and `moved_areas` for a re-plan (long
/// column names).
std::vector<FeatureTable> layer_tables(const PlanFolder& folder);

/// Renames long column names to readable 10-character Shapefile names (shp) or back.
void use_short_names(std::vector<FeatureTable>& tables, bool shp);

/// assignments.csv: one row per input transformer in input (feature id) order, rejected ones
/// included, with a status column when any was rejected or skipping was asked.
std::string assignments_csv(const PlanFolder& folder);

/// managers.csv: one row per manager of the roster with their figures.
std::string managers_csv(const ReportManagers& managers);

/// changes.csv: one row per transformer a re-plan moved (from and to grid and manager).
std::string changes_csv(const ReportReplan& replan);

/// contacts.csv: one row per grid with its manager and communities (the table utilities publish).
std::string contacts_csv(const PlanFolder& folder);

} // namespace libgrid::folder
