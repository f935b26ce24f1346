// Manager assignment pieces shared by `plan --managers` and `assign`: the flags, running and
// verifying libgrid's assignment, and the tables, report section and summary it adds.
#pragma once

#include <libgrid/assign.hpp>
#include <libgrid/io.hpp>
#include <libgrid/partition.hpp>
#include <libgrid/plan_folder.hpp>

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
    bool requested() const { return !managers.empty() || capacity != 0.0; } // NaN too: refused by libgrid
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

/// Puts an assignment into a plan folder: each grid's manager id and the report's managers
/// section (roster, options, figures, changes).
void attach_managers(libgrid::PlanFolder& folder, const libgrid::Assignment& a, const ManagerFlags& flags);

} // namespace gp
