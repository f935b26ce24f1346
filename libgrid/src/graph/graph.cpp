// The adjacency graph: CSR in the public API, Boost.Graph for the algorithms.
#include "geometry/geometry.hpp"

#include <libgrid/error.hpp>
#include <libgrid/graph.hpp>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/connected_components.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <numeric>

namespace libgrid {

CsrGraph make_csr(std::size_t num_vertices, const std::vector<GraphEdge>& edges,
                  std::vector<double> vertex_weight)
{
    struct Arc {
        std::uint32_t from, to;
        double border;
        std::uint8_t kind;
    };
    std::vector<Arc> arcs;
    arcs.reserve(edges.size() * 2);
    for (const auto& e : edges) {
        if (e.a == e.b) continue;
        if (e.a >= num_vertices || e.b >= num_vertices)
            throw Error(ErrorCode::invalid_argument,
                        fmt::format("graph: edge ({}, {}) names a vertex >= {}", e.a, e.b, num_vertices));
        arcs.push_back({e.a, e.b, e.border_m, e.kind});
        arcs.push_back({e.b, e.a, e.border_m, e.kind});
    }
    std::sort(arcs.begin(), arcs.end(), [](const Arc& x, const Arc& y) {
        return x.from != y.from ? x.from < y.from : x.to < y.to;
    });
    CsrGraph g;
    g.xadj.assign(num_vertices + 1, 0);
    for (std::size_t i = 0; i < arcs.size(); ++i) {
        const Arc& a = arcs[i];
        if (!g.adjncy.empty() && i > 0 && arcs[i - 1].from == a.from && arcs[i - 1].to == a.to) {
            g.border_m.back() += a.border;
            g.kind.back() = static_cast<std::uint8_t>(g.kind.back() | a.kind);
            continue;
        }
        g.adjncy.push_back(a.to);
        g.border_m.push_back(a.border);
        g.kind.push_back(a.kind);
        ++g.xadj[a.from + 1];
    }
    std::partial_sum(g.xadj.begin(), g.xadj.end(), g.xadj.begin());
    if (vertex_weight.empty()) vertex_weight.assign(num_vertices, 1.0);
    if (vertex_weight.size() != num_vertices)
        throw Error(ErrorCode::invalid_argument,
                    fmt::format("graph: {} vertex weights for {} vertices", vertex_weight.size(),
                                num_vertices));
    g.vertex_weight = std::move(vertex_weight);
    return g;
}

namespace {
using UndirectedGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS>;

Components components_of(const CsrGraph& graph, std::uint8_t kinds)
{
    const std::size_t n = graph.num_vertices();
    UndirectedGraph bg(n);
    for (std::size_t v = 0; v < n; ++v)
        for (std::size_t k = graph.xadj[v]; k < graph.xadj[v + 1]; ++k)
            if ((graph.kind[k] & kinds) && v < graph.adjncy[k]) boost::add_edge(v, graph.adjncy[k], bg);
    std::vector<std::size_t> label(n);
    boost::connected_components(bg, label.data());

    // Number components largest first, ties by smallest vertex (deterministic).
    std::vector<std::size_t> size(n, 0), first(n, n);
    for (std::size_t v = 0; v < n; ++v) {
        ++size[label[v]];
        first[label[v]] = std::min(first[label[v]], v);
    }
    std::vector<std::size_t> roots; // Boost's component labels in use
    for (std::size_t c = 0; c < n; ++c)
        if (size[c] > 0) roots.push_back(c);
    std::sort(roots.begin(), roots.end(), [&](std::size_t a, std::size_t b) {
        return size[a] != size[b] ? size[a] > size[b] : first[a] < first[b];
    });
    std::vector<std::uint32_t> number(n, 0);
    Components c;
    for (std::size_t i = 0; i < roots.size(); ++i) {
        number[roots[i]] = static_cast<std::uint32_t>(i);
        c.sizes.push_back(size[roots[i]]);
    }
    c.of_vertex.resize(n);
    for (std::size_t v = 0; v < n; ++v) c.of_vertex[v] = number[label[v]];
    return c;
}
} // namespace

Components connected_components(const CsrGraph& graph, std::uint8_t kinds)
{
    return components_of(graph, kinds);
}

AdjacencyGraph build_adjacency(const Territory& territory, const ServiceAreas& areas,
                               ValidationReport& report, const GraphOptions& options)
{
    const std::size_t n = territory.transformers.size();
    if (areas.shapes.size() != n)
        throw Error(ErrorCode::invalid_argument,
                    fmt::format("graph: {} service areas for {} transformers", areas.shapes.size(), n));
    if (n > std::numeric_limits<std::uint32_t>::max())
        throw Error(ErrorCode::invalid_argument, "graph: more than 4 billion transformers");
    if (options.progress) options.progress(Progress{"adjacency graph", 0.0});
    std::vector<GraphEdge> edges;
    for (const auto& s : detail::shared_borders(areas.shapes, options.snap_tolerance_m))
        edges.push_back({static_cast<std::uint32_t>(s.a), static_cast<std::uint32_t>(s.b), s.length,
                         edge_border});
    if (options.progress) options.progress(Progress{"adjacency graph", 0.8});
    if (options.feeder_edges)
        for (const auto& link : territory.feeder_links)
            edges.push_back({static_cast<std::uint32_t>(link.a), static_cast<std::uint32_t>(link.b),
                             0.0, edge_feeder});
    std::vector<double> weights(n);
    for (std::size_t i = 0; i < n; ++i) weights[i] = territory.transformers[i].customers;

    AdjacencyGraph out;
    out.graph = make_csr(n, edges, std::move(weights));
    if (!territory.barriers.empty()) {
        // An edge crosses a barrier when the straight line between its two transformers does.
        auto& g = out.graph;
        std::vector<Point> from, to;
        std::vector<std::pair<std::size_t, std::uint32_t>> entry; // (CSR entry, its vertex)
        for (std::size_t v = 0; v < n; ++v)
            for (std::size_t k = g.xadj[v]; k < g.xadj[v + 1]; ++k)
                if (v < g.adjncy[k]) {
                    from.push_back(territory.transformers[v].location);
                    to.push_back(territory.transformers[g.adjncy[k]].location);
                    entry.push_back({k, static_cast<std::uint32_t>(v)});
                }
        const auto crossing = detail::crosses_barriers(from, to, territory.barriers);
        for (std::size_t i = 0; i < entry.size(); ++i) {
            if (!crossing[i]) continue;
            const auto [k, v] = entry[i];
            const std::uint32_t u = g.adjncy[k];
            g.kind[k] = static_cast<std::uint8_t>(g.kind[k] | edge_barrier);
            // The same edge seen from u.
            const auto first = g.adjncy.begin() + static_cast<std::ptrdiff_t>(g.xadj[u]);
            const auto last = g.adjncy.begin() + static_cast<std::ptrdiff_t>(g.xadj[u + 1]);
            const auto back = static_cast<std::size_t>(std::lower_bound(first, last, v) - g.adjncy.begin());
            g.kind[back] = static_cast<std::uint8_t>(g.kind[back] | edge_barrier);
        }
    }
    out.components = components_of(out.graph, edge_border);
    out.components_with_feeders = components_of(out.graph, edge_border | edge_feeder);
    if (out.components.sizes.size() > 1) {
        // Name a transformer of each small component so the user can find the island.
        std::vector<std::size_t> example(out.components.sizes.size(), npos);
        for (std::size_t v = 0; v < n; ++v)
            if (example[out.components.of_vertex[v]] == npos)
                example[out.components.of_vertex[v]] = v;
        std::string list;
        const std::size_t shown = std::min<std::size_t>(out.components.sizes.size(), 6);
        for (std::size_t c = 1; c < shown; ++c)
            list += fmt::format("{}{} areas incl. '{}'", c == 1 ? "" : "; ",
                                out.components.sizes[c], territory.transformers[example[c]].id);
        if (shown < out.components.sizes.size()) list += "; ...";
        report.add(Issue{Severity::info, IssueCode::islands, territory.transformers_file,
                         territory.transformers_layer, "",
                         fmt::format("service areas form {} separate pieces (largest: {} areas; "
                                     "others: {}); a grid never spans two pieces",
                                     out.components.sizes.size(),
                                     out.components.sizes.front(), list),
                         "expected for islands; otherwise check for gaps in the boundaries"});
    }
    if (options.progress) options.progress(Progress{"adjacency graph", 1.0});
    return out;
}

} // namespace libgrid
