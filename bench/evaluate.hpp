// The benchmark's own judge of a plan: cut edges and Polsby-Popper computed from the polygons
// with GEOS, sharing no code with libgrid's graph, dissolve or metrics, so that a figure the
// library reports about itself is checked by a second, independent computation.
#pragma once

#include <libgrid/geometry_types.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace bench {

/// What the evaluator measures of one plan.
struct Evaluation {
    std::size_t cut_edges = 0;  ///< Pairs of service areas in different grids sharing a border (a line, not a point).
    double pp_mean = 0.0;       ///< Mean over grids of 4 pi area / perimeter^2 of the GEOS union of its areas.
    /// Grids whose union has two polygons on one island of the study area (the union of every
    /// area): in pieces where the input does not explain it.
    std::size_t multi_part = 0;
};

/// Pairs of service areas sharing a border, found once per territory; then any plan is measured.
class Evaluator {
public:
    /// Finds the bordering pairs: GEOS relate (boundaries meet in a line, or interiors overlap),
    /// and for areas that do not touch, a gap narrower than 1 cm along more than 1 cm of border
    /// (sloppy inputs). STRtree for the candidate pairs.
    explicit Evaluator(const std::vector<libgrid::MultiPolygon>& areas);
    ~Evaluator();
    Evaluator(const Evaluator&) = delete;
    Evaluator& operator=(const Evaluator&) = delete;

    /// Measures the plan grid_of (one grid index < grids per area).
    Evaluation evaluate(const std::vector<std::uint32_t>& grid_of, std::size_t grids) const;
    /// The bordering pairs (a < b).
    const std::vector<std::pair<std::uint32_t, std::uint32_t>>& pairs() const { return m_pairs; }

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> m_pairs;
};

} // namespace bench
