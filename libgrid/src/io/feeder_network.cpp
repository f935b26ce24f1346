#include "io/feeder_network.hpp"

#include <algorithm>
#include <functional>
#include <limits>
#include <queue>
#include <unordered_map>

namespace libgrid::detail {

std::vector<FeederLink> contract_network(const std::vector<std::string>& transformer_node,
                                         const std::vector<NetworkEdge>& edges)
{
    // Node ids -> dense indices.
    std::unordered_map<std::string, std::size_t> node_index;
    node_index.reserve(edges.size() * 2 + transformer_node.size());
    auto index_of = [&](const std::string& id) {
        auto [it, inserted] = node_index.try_emplace(id, node_index.size());
        return it->second;
    };
    struct Arc {
        std::size_t to;
        std::size_t edge;
    };
    std::vector<std::pair<std::size_t, std::size_t>> ends(edges.size());
    for (std::size_t e = 0; e < edges.size(); ++e)
        ends[e] = {index_of(edges[e].from), index_of(edges[e].to)};

    const std::size_t n = node_index.size();
    std::vector<std::size_t> offset(n + 1, 0);
    for (const auto& [u, v] : ends) {
        ++offset[u + 1];
        ++offset[v + 1];
    }
    for (std::size_t i = 0; i < n; ++i) offset[i + 1] += offset[i];
    std::vector<Arc> arcs(offset[n]);
    {
        std::vector<std::size_t> fill(offset.begin(), offset.end() - 1);
        for (std::size_t e = 0; e < ends.size(); ++e) {
            arcs[fill[ends[e].first]++] = {ends[e].second, e};
            arcs[fill[ends[e].second]++] = {ends[e].first, e};
        }
    }

    std::vector<FeederLink> links;
    auto add_link = [&](std::size_t a, std::size_t b, const std::string& feeder, double len) {
        if (a == b) return;
        if (a > b) std::swap(a, b);
        links.push_back({a, b, feeder, len});
    };

    // Owner of each node: the transformer reached first. Transformers sharing a node are
    // chained in index order so that they stay linked to each other and to the network.
    constexpr double inf = std::numeric_limits<double>::infinity();
    std::vector<double> dist(n, inf);
    std::vector<std::size_t> owner(n, npos);
    using Item = std::pair<double, std::size_t>;
    std::priority_queue<Item, std::vector<Item>, std::greater<>> queue;
    for (std::size_t t = 0; t < transformer_node.size(); ++t) {
        if (transformer_node[t].empty()) continue;
        auto it = node_index.find(transformer_node[t]);
        if (it == node_index.end()) continue;
        const std::size_t v = it->second;
        if (owner[v] == npos) {
            owner[v] = t;
            dist[v] = 0.0;
            queue.push({0.0, v});
        } else {
            add_link(owner[v], t, "", 0.0);
        }
    }
    while (!queue.empty()) {
        auto [d, u] = queue.top();
        queue.pop();
        if (d > dist[u]) continue;
        for (std::size_t k = offset[u]; k < offset[u + 1]; ++k) {
            const auto& arc = arcs[k];
            const double nd = d + std::max(0.0, edges[arc.edge].length_m);
            // Ties broken by owner index so that the result does not depend on queue order; a
            // transformer's own node is never taken over (zero-length edges are common).
            if (dist[arc.to] == 0.0 && owner[arc.to] != npos) continue;
            if (nd < dist[arc.to] || (nd == dist[arc.to] && owner[u] < owner[arc.to])) {
                dist[arc.to] = nd;
                owner[arc.to] = owner[u];
                queue.push({nd, arc.to});
            }
        }
    }
    for (std::size_t e = 0; e < edges.size(); ++e) {
        const auto [u, v] = ends[e];
        if (owner[u] == npos || owner[v] == npos || owner[u] == owner[v]) continue;
        add_link(owner[u], owner[v], edges[e].feeder_id,
                 dist[u] + std::max(0.0, edges[e].length_m) + dist[v]);
    }
    // Keep the shortest link per pair.
    std::sort(links.begin(), links.end(), [](const FeederLink& x, const FeederLink& y) {
        if (x.a != y.a) return x.a < y.a;
        if (x.b != y.b) return x.b < y.b;
        return x.length_m < y.length_m;
    });
    links.erase(std::unique(links.begin(), links.end(),
                            [](const FeederLink& x, const FeederLink& y) {
                                return x.a == y.a && x.b == y.b;
                            }),
                links.end());
    return links;
}

} // namespace libgrid::detail
