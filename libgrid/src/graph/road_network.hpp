// Private to libgrid: distances along a road network (Boost.Graph's Dijkstra inside, so that
// only the graph module sees Boost). Used by the manager assignment for travel by road.
#pragma once

#include "core/point_grid.hpp"

#include <libgrid/model.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace libgrid::detail {

/// Roads as a graph: every line vertex is a node (vertices closer than `join_m` are one node),
/// every line segment an edge as long as the segment.
class RoadNetwork {
public:
    /// Builds the network. O(V log V) in the line vertices.
    explicit RoadNetwork(const std::vector<LineFeature>& roads, double join_m = 1.0);

    /// Nodes in the network (0 without roads).
    std::size_t nodes() const noexcept { return m_node.size(); }

    /// Metres from each point of `from` to each point of `to` (result[i][j]): straight to the
    /// road node nearest the source, along the roads (shortest path), straight from the node
    /// nearest the target. NaN where the two nodes are not connected, and everywhere without
    /// roads. One Dijkstra per source: O(sources * E log V + (sources + targets) * nearest).
    std::vector<std::vector<double>> distances_m(const std::vector<Point>& from,
                                                 const std::vector<Point>& to) const;

    /// The road node nearest p (a uniform grid search). Precondition: nodes() > 0.
    std::uint32_t nearest(const Point& p) const;
    /// Position of a node.
    const Point& node(std::uint32_t v) const { return m_node[v]; }

private:
    std::vector<Point> m_node;
    std::vector<std::uint32_t> m_from, m_to; ///< Edges (each once).
    std::vector<double> m_length;            ///< Edge lengths, metres.
    Box m_box;
    std::unique_ptr<PointGrid> m_grid; ///< Over m_node, for nearest().
};

} // namespace libgrid::detail
