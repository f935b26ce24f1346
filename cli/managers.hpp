// Manager assignment pieces shared by `plan --managers` and `assign`: the flags, running and
// verifying libgrid's assignment, and the tables, report section and summary it adds.
#pragma once

#include <libgrid/assign.hpp>
#include <libgrid/io.hpp>
#include <libgrid/partition.hpp>

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <vector>

namespace gp {

/// Flags of the manager assignment.
struct ManagerFlags {
    std::string managers;        ///< --managers FILE[:LAYER]
    double capacity = 0.0;       ///< --manager-capacity N (numbered slots, no roster)
    std::string crs;             ///< --managers-crs
    libgrid::ManagerFields fields;
    libgrid::AssignOptions options;
    bool fresh = false;          ///< --fresh: ignore the managers in force
    bool requested() const { return !managers.empty() || capacity > 0; }
};

/// Adds --managers, --manager-capacity, the --manager-*-field flags and the assignment weights.
void add_manager_flags(CLI::App& app, ManagerFlags& flags);

/// Reads the roster (or makes the slots), checks it against the plan, assigns and verifies.
/// Prints roster problems to stdout. Returns the assignment, or nullopt with `exit_code` set
/// (1 roster errors or infeasible, 4 failed verification).
std::optional<libgrid::Assignment> run_assignment(const ManagerFlags& flags, const libgrid::Territory& territory,
                                                  const libgrid::CsrGraph& graph, const libgrid::Plan& plan,
                                                  const std::string& encoding, const libgrid::ProgressFn& progress,
                                                  std::size_t max_issues, int& exit_code);

/// Fills the grids layer's manager_id and adds manager_name and manager_phone (rows keyed by
/// the grid id in column 0).
void add_manager_fields(libgrid::FeatureTable& grids, const libgrid::Plan& plan, const libgrid::Assignment& a);

/// Appends manager_id,manager_name,manager_phone to an assignments.csv text (by its grid_id column).
std::string add_manager_columns(const std::string& csv, const libgrid::Plan& plan, const libgrid::Assignment& a);

/// managers.csv: one row per manager on the roster.
std::string managers_csv(const libgrid::Assignment& a);

/// contacts.csv: one row per grid with its manager, phone and the communities it covers.
std::string contacts_csv(const libgrid::Territory& territory, const libgrid::Plan& plan, const libgrid::Assignment& a);

/// Inserts a "managers" section before the closing brace of a report.json text.
std::string add_managers_json(const std::string& report, const libgrid::Plan& plan, const libgrid::Assignment& a,
                              const ManagerFlags& flags);

/// The managers section of the stdout summary.
void print_managers_summary(const libgrid::Plan& plan, const libgrid::Assignment& a);

} // namespace gp
