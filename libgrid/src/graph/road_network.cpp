// Distances along a road network: Boost.Graph's Dijkstra on a compressed sparse row graph.
#include "graph/road_network.hpp"

#include <boost/graph/compressed_sparse_row_graph.hpp>
#include <boost/graph/dijkstra_shortest_paths.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
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
    if (m_node.empty()) return;
    // A uniform grid of about two nodes per cell for the nearest-node search.
    const double w = std::max(m_box.max_x - m_box.min_x, 1e-9), h = std::max(m_box.max_y - m_box.min_y, 1e-9);
    m_cell = std::max(std::sqrt(w * h / (0.5 * static_cast<double>(m_node.size()))), 1e-6);
    m_nx = std::min<std::size_t>(static_cast<std::size_t>(w / m_cell) + 1, 4096);
    m_ny = std::min<std::size_t>(static_cast<std::size_t>(h / m_cell) + 1, 4096);
    m_cell = std::max(w / static_cast<double>(m_nx), h / static_cast<double>(m_ny)) * (1 + 1e-9);
    m_start.assign(m_nx * m_ny + 1, 0);
    auto cell = [&](const Point& p) {
        const auto cx = std::min(static_cast<std::size_t>((p.x - m_box.min_x) / m_cell), m_nx - 1);
        const auto cy = std::min(static_cast<std::size_t>((p.y - m_box.min_y) / m_cell), m_ny - 1);
        return cy * m_nx + cx;
    };
    for (const auto& p : m_node) ++m_start[cell(p) + 1];
    for (std::size_t c = 0; c < m_nx * m_ny; ++c) m_start[c + 1] += m_start[c];
    m_items.resize(m_node.size());
    std::vector<std::uint32_t> fill(m_start.begin(), m_start.end() - 1);
    for (std::uint32_t v = 0; v < m_node.size(); ++v) m_items[fill[cell(m_node[v])]++] = v;
}

std::uint32_t RoadNetwork::nearest(const Point& p) const
{
    // Rings of cells around the cell of p (clamped into the grid), walking each ring's
    // perimeter only, until no node beyond the ring can be nearer: such a node is at least
    // r cells from the clamped point, and no node is nearer than the box itself.
    const double fx = (p.x - m_box.min_x) / m_cell, fy = (p.y - m_box.min_y) / m_cell;
    const auto cx = static_cast<long long>(std::clamp(fx, 0.0, static_cast<double>(m_nx - 1)));
    const auto cy = static_cast<long long>(std::clamp(fy, 0.0, static_cast<double>(m_ny - 1)));
    const double to_box = std::hypot(std::max({m_box.min_x - p.x, p.x - m_box.max_x, 0.0}),
                                     std::max({m_box.min_y - p.y, p.y - m_box.max_y, 0.0}));
    std::uint32_t best = 0;
    double best_d = std::numeric_limits<double>::infinity();
    const long long nx = static_cast<long long>(m_nx), ny = static_cast<long long>(m_ny);
    auto visit = [&](long long x, long long y) {
        const auto c = static_cast<std::size_t>(y * nx + x);
        for (std::uint32_t k = m_start[c]; k < m_start[c + 1]; ++k) {
            const std::uint32_t v = m_items[k];
            const double d = std::hypot(m_node[v].x - p.x, m_node[v].y - p.y);
            if (d < best_d || (d == best_d && v < best)) {
                best_d = d;
                best = v;
            }
        }
    };
    for (long long r = 0; r < std::max(nx, ny); ++r) {
        for (long long y = std::max(cy - r, 0LL); y <= std::min(cy + r, ny - 1); ++y) {
            if (y == cy - r || y == cy + r) {
                for (long long x = std::max(cx - r, 0LL); x <= std::min(cx + r, nx - 1); ++x) visit(x, y);
            } else {
                if (cx - r >= 0) visit(cx - r, y);
                if (r > 0 && cx + r < nx) visit(cx + r, y);
            }
        }
        if (best_d <= std::max(to_box, static_cast<double>(r) * m_cell)) break;
    }
    return best;
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
