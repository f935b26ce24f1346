/// @file
/// @brief An independent check of a plan before anything is written.
///
/// verify_plan() shares no code with the partitioner: it recomputes everything it checks from
/// the territory, the graph and the plan's assignment alone.
#pragma once

#include <libgrid/geometry_types.hpp>
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
    /// verify_grid_polygons() only: grids whose polygon has more than one part (each part on
    /// its own island of the study area when the report is ok).
    std::size_t multi_part_grids = 0;
    /// True when no constraint is violated.
    bool ok() const noexcept { return problems.empty(); }
};

/// Checks a plan: coverage (every transformer in exactly one existing grid, no empty grid,
/// loads and customer totals conserved), contiguity (each grid connected by the graph's border
/// edges unless relaxed), capacity (load <= plan.max_load unless relaxed), nesting (one station per grid,
/// one unit of the nest level when the plan has one), and the grid count per station.
/// `nest_level` is the level index the plan nests in (npos for none). O(n + m).
/// Never throws on a bad plan: every problem is a sentence in the report.
VerifyReport verify_plan(const Territory& territory, const CsrGraph& graph, const Plan& plan,
                         std::size_t nest_level = npos);

/// Checks the dissolved grid polygons, the map a planner sees, against the service areas they
/// were made from, without the graph: each grid's polygon is valid and covers exactly its
/// transformers' areas; the grids add up to the study area and do not overlap (by more than a
/// millionth of a mean grid, at least 1 m²); a grid has several parts only when each lies on its
/// own island of the study area (parts joined by borders longer than 1 cm), a given service area
/// has several parts, or the grid was relaxed for contiguity; every transformer lies in its own
/// grid's polygon (within 1 mm) wherever it lies in its own service area. O(n log n).
/// Never throws on a bad plan. @throws Error(geometry) when GEOS fails.
VerifyReport verify_grid_polygons(const Territory& territory, const std::vector<MultiPolygon>& service_areas,
                                  const Plan& plan, const std::vector<MultiPolygon>& grid_shapes);

/// Checks a manager assignment (grid_manager[g] = index into managers, plan grid order),
/// sharing no code with assign_managers(): every grid has exactly one existing manager, of its
/// own station; manager ids are unique; each manager's load (recomputed from the transformers'
/// loads) is within its capacity and its grid count within max_grids. With `declared_over`
/// (per manager, the load over capacity the assignment reports under allow_infeasible), a
/// manager may be over capacity and max_grids, but only by exactly the declared amount.
/// O(n + grids + managers).
VerifyReport verify_assignment(const Territory& territory, const Plan& plan, const std::vector<Manager>& managers,
                               const std::vector<std::size_t>& grid_manager,
                               const std::vector<double>& declared_over = {});

} // namespace libgrid
