/// @file
/// @brief The quality measures of a plan (definitions in DESIGN.md).
#pragma once

#include <libgrid/geometry_types.hpp>
#include <libgrid/graph.hpp>
#include <libgrid/model.hpp>
#include <libgrid/partition.hpp>
#include <libgrid/service_areas.hpp>

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace libgrid {

/// Measures of one grid. Loads in the load unit (see WorkloadModel).
struct GridMetrics {
    double load = 0.0;          ///< Load.
    double customers = 0.0;     ///< Customers.
    double deviation = 0.0;     ///< load / target - 1 (signed).
    std::size_t transformers = 0; ///< Transformer areas.
    std::size_t feeders = 0;    ///< Distinct feeders among its transformers.
    std::size_t admin_units = 0; ///< Distinct units of the finest level among its transformers.
    double area_km2 = 0.0;      ///< Area of the dissolved grid polygon, km^2.
    double perimeter_km = 0.0;  ///< Perimeter of the dissolved grid polygon, km.
    double polsby_popper = 0.0; ///< 4 pi A / P^2, 0..1 (1 for a disc).
    double mean_distance_m = 0.0; ///< Customer-weighted mean distance from its transformers to the grid's weighted centre.
    Point centre;               ///< Load-weighted centre of its transformers, working CRS.
};

/// Measures of a set of grids (the whole plan or one station).
struct MetricsSummary {
    std::size_t grids = 0;          ///< Grids.
    std::size_t transformers = 0;   ///< Transformer areas.
    double customers = 0.0;         ///< Customers.
    double load = 0.0;              ///< Total load.
    double max_abs_deviation = 0.0; ///< max |load / target - 1|.
    double min_load = 0.0;          ///< Lightest grid.
    double max_load = 0.0;          ///< Heaviest grid.
    double max_over_min = 0.0;      ///< max_load / min_load (inf when a grid has no load).
    double polsby_popper_mean = 0.0; ///< Mean Polsby-Popper.
    double polsby_popper_min = 0.0;  ///< Minimum Polsby-Popper.
    std::size_t cut_edges = 0;      ///< Pairs of service areas sharing a border, in different grids.
    double cut_border_km = 0.0;     ///< Shared border length between different grids.
    double mean_distance_m = 0.0;   ///< Customer-weighted mean distance to the grid centre.
    /// Grids in more than one piece on the map: polygon parts of the dissolved grids (by the
    /// graph's border edges when compute_metrics() gets no shapes). verify_grid_polygons()
    /// checks that each such piece lies on its own island of the input.
    std::size_t non_contiguous = 0;
    std::size_t barrier_edges = 0;  ///< Adjacency edges crossing a barrier line (0 without barriers).
    std::size_t barrier_edges_inside = 0; ///< Of those, edges inside one grid (not followed by a grid border).
    std::size_t grids_across_barriers = 0; ///< Grids holding such an edge: they straddle a road, river or railway.
    std::vector<std::pair<std::string, std::size_t>> admin_splits; ///< Per level: sum over units of (grids it spans - 1).
    std::size_t feeder_splits = 0;  ///< Sum over feeders of (grids it spans - 1).
    /// Per level: a lower bound on admin_splits for any plan whose grids are no heavier than
    /// this plan's heaviest grid of each station (a unit of load L needs ceil(L / heaviest)
    /// grids, and one per station it spans).
    std::vector<std::pair<std::string, std::size_t>> admin_splits_bound;
    std::size_t feeder_splits_bound = 0; ///< The same bound for feeder_splits.
    double continuity = -1.0;       ///< Share of customers whose current manager's majority grid holds them; -1 without a manager field.
    double lower_bound = 0.0;       ///< Max over stations of the balance lower bound.
};

/// Every measure of a plan: per grid, per station and overall.
struct PlanMetrics {
    std::vector<GridMetrics> grids;     ///< Per grid.
    std::vector<MetricsSummary> stations; ///< Per station (plan.stations order).
    MetricsSummary overall;             ///< Whole plan.
};

/// Computes every measure. `grid_shapes` are the dissolved grids (from dissolve()). O(n + m).
/// @throws Error(invalid_argument) when the plan, the graph and the shapes do not describe the
///         same transformers and grids (a caller bug, not a property of the plan).
PlanMetrics compute_metrics(const Territory& territory, const AdjacencyGraph& graph,
                            const Plan& plan, const std::vector<MultiPolygon>& grid_shapes);

} // namespace libgrid
