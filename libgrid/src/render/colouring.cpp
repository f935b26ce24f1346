// Grid adjacency from shared vertices and DSATUR graph colouring: neighbouring grids get
// different fills on every map.
#include <libgrid/render.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <set>
#include <tuple>
#include <utility>

namespace libgrid {

std::vector<std::vector<std::size_t>> grid_adjacency(const std::vector<MultiPolygon>& shapes)
{
    // Every boundary vertex, keyed by its coordinates on a 1 mm lattice. Grids dissolved from one
    // tiling keep the tiling's vertices, so neighbours share at least the ends of their border.
    // Sorting the (key, grid) list and scanning runs of equal keys is O(V log V) without a hash.
    std::vector<std::tuple<std::int64_t, std::int64_t, std::size_t>> keys;
    for (std::size_t g = 0; g < shapes.size(); ++g)
        for (const auto& poly : shapes[g]) {
            auto add = [&](const Ring& ring) {
                for (const auto& p : ring)
                    keys.emplace_back(std::llround(p.x * 1000.0), std::llround(p.y * 1000.0), g);
            };
            add(poly.outer);
            for (const auto& hole : poly.holes) add(hole);
        }
    std::sort(keys.begin(), keys.end());
    std::vector<std::pair<std::size_t, std::size_t>> pairs;
    for (std::size_t i = 0; i < keys.size();) {
        std::size_t j = i;
        while (j < keys.size() && std::get<0>(keys[j]) == std::get<0>(keys[i]) &&
               std::get<1>(keys[j]) == std::get<1>(keys[i]))
            ++j;
        for (std::size_t a = i; a < j; ++a)
            for (std::size_t b = a + 1; b < j; ++b) {
                const std::size_t u = std::get<2>(keys[a]), v = std::get<2>(keys[b]);
                if (u != v) pairs.emplace_back(u, v);
            }
        i = j;
    }
    std::vector<std::vector<std::size_t>> adj(shapes.size());
    for (const auto& [u, v] : pairs) {
        adj[u].push_back(v);
        adj[v].push_back(u);
    }
    for (auto& list : adj) {
        std::sort(list.begin(), list.end());
        list.erase(std::unique(list.begin(), list.end()), list.end());
    }
    return adj;
}

std::vector<std::size_t> colour_graph(const std::vector<std::vector<std::size_t>>& adjacency)
{
    const std::size_t n = adjacency.size();
    constexpr std::size_t none = static_cast<std::size_t>(-1);
    std::vector<std::size_t> colour(n, none);
    std::vector<std::set<std::size_t>> seen(n); // distinct colours among each vertex's neighbours
    std::vector<std::size_t> degree(n);
    for (std::size_t v = 0; v < n; ++v) {
        std::size_t d = 0;
        for (const std::size_t u : adjacency[v])
            if (u != v && u < n) ++d;
        degree[v] = d;
    }
    // Priority: most saturated, then highest degree, then lowest index (deterministic).
    using Key = std::tuple<std::size_t, std::size_t, std::size_t>; // (saturation, degree, n - v)
    std::set<Key> queue;
    for (std::size_t v = 0; v < n; ++v) queue.emplace(0, degree[v], n - v);
    while (!queue.empty()) {
        const auto top = std::prev(queue.end());
        const std::size_t v = n - std::get<2>(*top);
        queue.erase(top);
        std::size_t c = 0;
        while (seen[v].count(c)) ++c;
        colour[v] = c;
        for (const std::size_t u : adjacency[v]) {
            if (u == v || u >= n || colour[u] != none || seen[u].count(c)) continue;
            queue.erase(Key{seen[u].size(), degree[u], n - u});
            seen[u].insert(c);
            queue.emplace(seen[u].size(), degree[u], n - u);
        }
    }
    return colour;
}

} // namespace libgrid
