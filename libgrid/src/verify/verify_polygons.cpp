// libgrid::verify_grid_polygons: the independent check of the dissolved grids, the polygons a
// planner sees on the map (see libgrid/verify.hpp).
//
// A graph can be connected where the map is not (a feeder link, a service area in two pieces),
// so this check looks only at polygons: the grid shapes as they will be written and the service
// areas they were dissolved from. Islands are found from the grid polygons themselves (parts
// sharing a border), not from the adjacency graph the partitioner worked on.
#include <libgrid/verify.hpp>

#include "geometry/geometry.hpp"
#include "verify/problems.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

namespace libgrid {

namespace {

// Two grid parts closer than this (metres) along a border share it: the graph's default snap
// tolerance, so that the islands seen here are the ones the partitioner was given.
constexpr double border_tolerance_m = 0.01;

// A transformer this close (metres) to its grid's outline counts as inside it.
constexpr double boundary_tolerance_m = 1e-3;

// Relative tolerance on areas: a dissolve moves vertices by at most the coverage snap (1e-6 m).
constexpr double area_tolerance = 1e-6;


// True when p lies in the shape or within `tolerance` of its outline. O(vertices).
bool shape_holds(const MultiPolygon& shape, const Point& p, double tolerance) noexcept
{
    return contains(shape, p) || distance_to_outline(shape, p) <= tolerance;
}

// Union-find over grid parts.
std::size_t find(std::vector<std::size_t>& parent, std::size_t x)
{
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
}

} // namespace

VerifyReport verify_grid_polygons(const Territory& territory, const std::vector<MultiPolygon>& service_areas,
                                  const Plan& plan, const std::vector<MultiPolygon>& grid_shapes)
{
    detail::Problems problems;
    VerifyReport report;
    const std::size_t n = territory.transformers.size();
    const std::size_t grids = plan.num_grids();
    if (service_areas.size() != n || plan.grid_of.size() != n || grid_shapes.size() != grids ||
        plan.grid_relaxed.size() != grids) {
        problems.add(fmt::format("the polygons do not match the plan: {} service areas and {} grid shapes for {} "
                                 "transformers and {} grids",
                                 service_areas.size(), grid_shapes.size(), n, grids));
        report.problems = problems.finish();
        return report;
    }
    auto grid_name = [&](std::size_t g) { return fmt::format("grid '{}'", plan.grid_id[g]); };
    for (std::size_t t = 0; t < n; ++t)
        if (plan.grid_of[t] >= grids) {
            problems.add(fmt::format("transformer '{}' is in grid #{}, but the plan has {} grids",
                                     territory.transformers[t].id, plan.grid_of[t], grids));
            report.problems = problems.finish();
            return report;
        }

    // 1. Each grid's polygon covers exactly its members' areas: nothing lost or gained.
    std::vector<double> member_area(grids, 0.0), extra_parts(grids, 0.0);
    double study_area = 0.0;
    for (std::size_t t = 0; t < n; ++t) {
        const double a = area(service_areas[t]);
        member_area[plan.grid_of[t]] += a;
        study_area += a;
        // A given transformer polygon in several parts justifies as many parts of its grid.
        if (service_areas[t].size() > 1)
            extra_parts[plan.grid_of[t]] += static_cast<double>(service_areas[t].size() - 1);
    }
    double grid_area_sum = 0.0;
    for (std::size_t g = 0; g < grids; ++g) {
        const double a = area(grid_shapes[g]);
        grid_area_sum += a;
        if (std::abs(a - member_area[g]) > area_tolerance * std::max(1.0, member_area[g]) + 1e-3)
            problems.add(fmt::format("{}'s polygon covers {:.1f} m² but its transformers' service areas cover {:.1f} m²",
                                     grid_name(g), a, member_area[g]));
        MultiPolygon copy = grid_shapes[g];
        const detail::RepairResult valid = detail::make_valid(copy);
        if (!valid.was_valid) problems.add(fmt::format("{}'s polygon is not valid: {}", grid_name(g), valid.reason));
    }
    // 2. The grids tile the study area: they add up to it and no two overlap.
    if (std::abs(grid_area_sum - study_area) > area_tolerance * std::max(1.0, study_area) + 1.0)
        problems.add(fmt::format("the grids cover {:.1f} m² but the study area (every service area) is {:.1f} m²",
                                 grid_area_sum, study_area));
    const double mean_grid = grids > 0 ? study_area / static_cast<double>(grids) : 0.0;
    for (const detail::Overlap& o : detail::find_overlaps(grid_shapes, std::max(1.0, 1e-6 * mean_grid), 0))
        problems.add(fmt::format("{} and {} overlap by {:.1f} m²", grid_name(o.a), grid_name(o.b), o.area));

    // 3. Parts: every part of a grid lies on its own island of the study area (parts of all grids
    // joined by shared borders), unless the grid was relaxed or a given area has several parts.
    std::vector<MultiPolygon> parts;
    std::vector<std::size_t> part_grid;
    for (std::size_t g = 0; g < grids; ++g)
        for (const Polygon& p : grid_shapes[g]) {
            parts.push_back(MultiPolygon{p});
            part_grid.push_back(g);
        }
    std::vector<std::size_t> parent(parts.size());
    std::iota(parent.begin(), parent.end(), std::size_t{0});
    for (const detail::SharedBorder& b : detail::shared_borders(parts, border_tolerance_m)) {
        const std::size_t ra = find(parent, b.a), rb = find(parent, b.b);
        if (ra != rb) parent[std::max(ra, rb)] = std::min(ra, rb);
    }
    std::vector<std::vector<std::size_t>> islands_of(grids);
    for (std::size_t i = 0; i < parts.size(); ++i) islands_of[part_grid[i]].push_back(find(parent, i));
    for (std::size_t g = 0; g < grids; ++g) {
        std::vector<std::size_t>& isl = islands_of[g];
        const std::size_t nparts = isl.size();
        if (nparts > 1) ++report.multi_part_grids;
        std::sort(isl.begin(), isl.end());
        const auto distinct = static_cast<std::size_t>(std::unique(isl.begin(), isl.end()) - isl.begin());
        const double unjustified = static_cast<double>(nparts - distinct) - extra_parts[g];
        if (unjustified > 0.0 && (plan.grid_relaxed[g] & relax_contiguity) == 0)
            problems.add(fmt::format("{} is in {} pieces on the map, but only {} of them lie on separate islands of "
                                     "the study area",
                                     grid_name(g), nparts, distinct));
    }

    // 4. Every transformer lies in its own grid's polygon (where it lies in its own service area:
    // areas shaped by customer points need not hold their transformer).
    const detail::PolygonIndex index(grid_shapes);
    for (std::size_t t = 0; t < n; ++t) {
        const Point& p = territory.transformers[t].location;
        const std::size_t g = plan.grid_of[t];
        if (index.locate(p) == g || shape_holds(grid_shapes[g], p, boundary_tolerance_m)) continue;
        if (!shape_holds(service_areas[t], p, boundary_tolerance_m)) continue;
        problems.add(fmt::format("transformer '{}' at ({:.1f}, {:.1f}) lies outside the polygon of its {}",
                                 territory.transformers[t].id, p.x, p.y, grid_name(g)));
    }
    report.problems = problems.finish();
    return report;
}

} // namespace libgrid
