// Test fixtures shared by the verify and metrics tests: a 4 x 4 block of 100 m squares, its
// rook-adjacency graph, and a plan filled in as a correct partitioner would for an assignment.
#pragma once

#include <libgrid/graph.hpp>
#include <libgrid/model.hpp>
#include <libgrid/partition.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace block {

/// Squares per side of the block.
constexpr std::uint32_t side = 4;

/// An axis-aligned square as a multipolygon.
inline libgrid::MultiPolygon square(double x0, double y0, double size)
{
    return {libgrid::Polygon{{{x0, y0}, {x0 + size, y0}, {x0 + size, y0 + size}, {x0, y0 + size}, {x0, y0}}, {}}};
}

/// Rook adjacency of the block (border 100 m per edge), plus `extra` edges.
inline libgrid::CsrGraph csr(std::vector<libgrid::GraphEdge> extra = {})
{
    std::vector<libgrid::GraphEdge> edges = std::move(extra);
    for (std::uint32_t y = 0; y < side; ++y)
        for (std::uint32_t x = 0; x < side; ++x) {
            const std::uint32_t v = side * y + x;
            if (x + 1 < side) edges.push_back(libgrid::GraphEdge{v, v + 1, 100.0, libgrid::edge_border});
            if (y + 1 < side) edges.push_back(libgrid::GraphEdge{v, v + side, 100.0, libgrid::edge_border});
        }
    return libgrid::make_csr(side * side, edges);
}

/// A consistent plan for an assignment: stations "A" and "B" in id order, loads = customers,
/// every count and sum filled in.
inline libgrid::Plan make_plan(const libgrid::Territory& t, const std::vector<std::uint32_t>& grid_of,
                               std::size_t grids)
{
    using libgrid::npos;
    libgrid::Plan p;
    p.grid_of = grid_of;
    for (const auto& tr : t.transformers) p.load.push_back(tr.customers);
    for (const char* id : {"A", "B"}) {
        libgrid::StationPlan s;
        s.station_id = id;
        p.stations.push_back(s);
    }
    p.grid_load.assign(grids, 0.0);
    p.grid_station.assign(grids, npos);
    for (std::size_t i = 0; i < grid_of.size(); ++i) {
        const std::size_t s = t.transformers[i].station_id == "A" ? 0 : 1;
        p.grid_load[grid_of[i]] += p.load[i];
        p.grid_station[grid_of[i]] = s;
        ++p.stations[s].transformers;
        p.stations[s].load += p.load[i];
    }
    for (std::size_t g = 0; g < grids; ++g) {
        p.grid_id.push_back("G" + std::to_string(g));
        if (p.grid_station[g] == npos) p.grid_station[g] = 0;
        ++p.stations[p.grid_station[g]].grids;
    }
    for (auto& s : p.stations) s.target = s.grids > 0 ? s.load / static_cast<double>(s.grids) : 0.0;
    for (std::size_t g = 0; g < grids; ++g) p.grid_target.push_back(p.stations[p.grid_station[g]].target);
    p.grid_nest_unit.assign(grids, npos);
    p.grid_relaxed.assign(grids, 0);
    return p;
}

/// Assignment from a function of a square's column and row.
template <class F>
std::vector<std::uint32_t> assign(F&& grid_at)
{
    std::vector<std::uint32_t> out;
    for (std::uint32_t y = 0; y < side; ++y)
        for (std::uint32_t x = 0; x < side; ++x) out.push_back(grid_at(x, y));
    return out;
}

} // namespace block
