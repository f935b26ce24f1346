// Private to libgrid: minimum-cost maximum flow on a plain arc list (Boost.Graph inside, so
// that only the graph module sees Boost). Used by the manager assignment for its exact
// relaxations.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace libgrid::detail {

/// One directed arc with an integral capacity and cost per unit of flow.
struct FlowArc {
    std::uint32_t from = 0;     ///< Tail node.
    std::uint32_t to = 0;       ///< Head node.
    std::int64_t capacity = 0;  ///< Capacity (>= 0).
    std::int64_t cost = 0;      ///< Cost per unit of flow (>= 0).
};

/// A flow: its value, its cost and the flow on each arc (same order as the input arcs).
struct FlowResult {
    std::int64_t flow = 0;                ///< Units sent from source to sink.
    std::int64_t cost = 0;                ///< Total cost.
    std::vector<std::int64_t> arc_flow;   ///< Per input arc.
};

/// The cheapest of the maximum flows from source to sink (successive shortest paths with
/// Dijkstra and potentials; costs must be non-negative). Deterministic. O(F (m + n log n))
/// for F augmenting paths.
FlowResult min_cost_max_flow(std::size_t nodes, const std::vector<FlowArc>& arcs, std::uint32_t source,
                             std::uint32_t sink);

} // namespace libgrid::detail
