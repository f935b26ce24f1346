// Distances along a road network: Boost.Graph's Dijkstra on a compressed sparse row graph.
#include "graph/road_network.hpp"

#include <boost/graph/compressed_sparse_row_graph.hpp>
#include <boost/graph/dijkstra_shortest_paths.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <utility>

namespace libgrid::detail {

RoadNetwork::RoadNetwork(const std::vector<LineFeature>& roads, double join_m)
{
    // Nodes: vertices snapped to a lattice of join_m (a vertex and its lattice neighbours are
    // looked up, so two vertices closer than join_m meet even across a lattice line).
    const double q = join_m > 0 ? join_m : 1e-9;
    std::map<std::pair<long long, long long>, std::uint32_t> at;
    auto node_of = [&](const Point& p) {
        const auto kx = static_cast<long long>(std::floor(p.x / q)), ky = static_cast<long long>(std::floor(p.y / q));
        for (long long dx = -1; dx <= 1; ++dx)
            for (long long dy = -1; dy <= 1; ++dy) {
                const auto it = at.find({kx + dx, ky + dy});
                if (it != at.end() && std::hypot(m_node[it->second].x - p.x, m_node[it->second].y - p.y) < join_m)
                    return it->second;
            }
        const auto v = static_cast<std::uint32_t>(m_node.size());
        m_node.push_back(p);
        at.emplace(std::pair{kx, ky}, v);
        m_box.add(p);
        return v;
    };
    for (const auto& road : roads)
        for (std::size_t i = 0; i + 1 < road.line.size(); ++i) {
            const std::uint32_t a = node_of(road.line[i]), b = node_of(road.line[i + 1]);
            if (a == b) continue;
            m_from.push_back(a);
            m_to.push_back(b);
            m_length.push_back(std::hypot(m_node[a].x - m_node[b].x, m_node[a].y - m_node[b].y));
        }
    m_grid = std::make_unique<PointGrid>(m_node);
}

std::uint32_t RoadNetwork::nearest(const Point& p) const
{
    return static_cast<std::uint32_t>(m_grid->nearest(p));
}

std::vector<std::vector<double>> RoadNetwork::distances_m(const std::vector<Point>& from,
                                                          const std::vector<Point>& to) const
{
    std::vector<std::vector<double>> out(from.size(),
                                         std::vector<double>(to.size(), std::numeric_limits<double>::quiet_NaN()));
    if (m_node.empty() || from.empty() || to.empty()) return out;
    using Graph = boost::compressed_sparse_row_graph<boost::directedS, boost::no_property,
                                                     boost::property<boost::edge_weight_t, double>>;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> arcs;
    std::vector<double> weights;
    arcs.reserve(2 * m_from.size());
    for (std::size_t e = 0; e < m_from.size(); ++e) {
        arcs.emplace_back(m_from[e], m_to[e]);
        arcs.emplace_back(m_to[e], m_from[e]);
        weights.push_back(m_length[e]);
        weights.push_back(m_length[e]);
    }
    const Graph g(boost::edges_are_unsorted_multi_pass, arcs.begin(), arcs.end(), weights.begin(), m_node.size());
    std::vector<std::uint32_t> target_node(to.size());
    std::vector<double> egress(to.size());
    for (std::size_t j = 0; j < to.size(); ++j) {
        target_node[j] = nearest(to[j]);
        egress[j] = std::hypot(m_node[target_node[j]].x - to[j].x, m_node[target_node[j]].y - to[j].y);
    }
    std::vector<double> dist(m_node.size());
    for (std::size_t i = 0; i < from.size(); ++i) {
        std::fill(dist.begin(), dist.end(), std::numeric_limits<double>::infinity());
        const std::uint32_t s = nearest(from[i]);
        // Unreached nodes keep infinity (Boost's default would be the largest finite double).
        boost::dijkstra_shortest_paths(
            g, s,
            boost::distance_map(boost::make_iterator_property_map(dist.begin(), boost::get(boost::vertex_index, g)))
                .distance_inf(std::numeric_limits<double>::infinity()));
        const double access = std::hypot(m_node[s].x - from[i].x, m_node[s].y - from[i].y);
        for (std::size_t j = 0; j < to.size(); ++j)
            if (std::isfinite(dist[target_node[j]])) out[i][j] = access + dist[target_node[j]] + egress[j];
    }
    return out;
}

} // namespace libgrid::detail
