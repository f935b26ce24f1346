/// @file
/// @brief An independent check of a plan before anything is written.
///
/// verify_plan() shares no code with the partitioner: it recomputes everything it checks from
/// the territory, the graph and the plan's assignment alone.
#pragma once

#include <libgrid/graph.hpp>
#include <libgrid/manager.hpp>
#include <libgrid/model.hpp>
#include <libgrid/partition.hpp>

#include <string>
#include <vector>

namespace libgrid {

/// What verify_plan() found; empty `problems` means the plan is sound.
struct VerifyReport {
    std::vector<std::string> problems; ///< One sentence per violated constraint.
    /// True when no constraint is violated.
    bool ok() const noexcept { return problems.empty(); }
};

/// Checks a plan: coverage (every transformer in exactly one existing grid, no empty grid,
/// loads and customer totals conserved), contiguity (each grid connected in the graph unless
/// relaxed), capacity (load <= plan.max_load unless relaxed), nesting (one station per grid,
/// one unit of the nest level when the plan has one), and the grid count per station.
/// `nest_level` is the level index the plan nests in (npos for none). O(n + m).
/// Never throws on a bad plan: every problem is a sentence in the report.
VerifyReport verify_plan(const Territory& territory, const CsrGraph& graph, const Plan& plan,
                         std::size_t nest_level = npos);

/// Checks a manager assignment (grid_manager[g] = index into managers, plan grid order),
/// sharing no code with assign_managers(): every grid has exactly one existing manager, of its
/// own station; manager ids are unique; each manager's load (recomputed from the transformers'
/// loads) is within its capacity and its grid count within max_grids. O(n + grids + managers).
VerifyReport verify_assignment(const Territory& territory, const Plan& plan, const std::vector<Manager>& managers,
                               const std::vector<std::size_t>& grid_manager);

} // namespace libgrid
