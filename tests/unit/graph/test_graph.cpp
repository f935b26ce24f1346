// Spec of the adjacency graph (libgrid/graph.hpp): CSR construction, connected components and
// the graph of a territory's service areas.
#include <libgrid/error.hpp>
#include <libgrid/graph.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

using namespace libgrid;

namespace {

MultiPolygon rect(double x0, double y0, double x1, double y1)
{
    return {Polygon{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}, {}}};
}

std::vector<std::uint32_t> neighbours(const CsrGraph& g, std::size_t v)
{
    return {g.adjncy.begin() + static_cast<std::ptrdiff_t>(g.xadj[v]),
            g.adjncy.begin() + static_cast<std::ptrdiff_t>(g.xadj[v + 1])};
}

// Position of u in v's neighbour list, or npos.
std::size_t entry(const CsrGraph& g, std::size_t v, std::size_t u)
{
    for (std::size_t k = g.xadj[v]; k < g.xadj[v + 1]; ++k)
        if (g.adjncy[k] == u) return k;
    return npos;
}

// Every edge is stored both ways with the same attributes; lists sorted; no self-loop.
void check_well_formed(const CsrGraph& g)
{
    REQUIRE(g.xadj.size() == g.num_vertices() + 1);
    CHECK(g.xadj.front() == 0);
    CHECK(g.xadj.back() == g.adjncy.size());
    CHECK(g.border_m.size() == g.adjncy.size());
    CHECK(g.kind.size() == g.adjncy.size());
    CHECK(g.vertex_weight.size() == g.num_vertices());
    for (std::size_t v = 0; v < g.num_vertices(); ++v) {
        for (std::size_t k = g.xadj[v]; k < g.xadj[v + 1]; ++k) {
            const std::size_t u = g.adjncy[k];
            CHECK(u != v);
            if (k > g.xadj[v]) CHECK(g.adjncy[k - 1] < g.adjncy[k]);
            const std::size_t back = entry(g, u, v);
            REQUIRE(back != npos);
            CHECK(g.border_m[back] == g.border_m[k]);
            CHECK(g.kind[back] == g.kind[k]);
        }
    }
}

// A territory of polygon transformers whose service areas are the given shapes.
Territory polygon_territory(const std::vector<MultiPolygon>& shapes)
{
    Territory t;
    t.transformers_file = "areas.gpkg";
    for (std::size_t i = 0; i < shapes.size(); ++i) {
        TransformerArea tr;
        tr.id = "T" + std::to_string(i);
        tr.customers = static_cast<double>(10 * (i + 1));
        tr.shape = shapes[i];
        const Box b = bounds(shapes[i]);
        tr.location = {0.5 * (b.min_x + b.max_x), 0.5 * (b.min_y + b.max_y)};
        t.transformers.push_back(tr);
    }
    return t;
}

ServiceAreas given_areas(const Territory& t)
{
    ServiceAreas areas;
    for (const auto& tr : t.transformers) areas.shapes.push_back(tr.shape);
    areas.study_area = "given polygons";
    return areas;
}

} // namespace

TEST_CASE("make_csr merges parallel edges, drops self-loops and sorts neighbours")
{
    const std::vector<GraphEdge> edges{
        {0, 1, 2.0, edge_border},
        {1, 0, 3.0, edge_feeder}, // parallel to the first, other direction and kind
        {2, 2, 9.0, edge_border}, // self-loop
        {3, 1, 1.5, edge_border},
        {1, 2, 0.5, edge_border},
    };
    const CsrGraph g = make_csr(4, edges);
    check_well_formed(g);
    CHECK(g.num_vertices() == 4);
    CHECK(g.num_edges() == 3);
    CHECK(neighbours(g, 0) == std::vector<std::uint32_t>{1});
    CHECK(neighbours(g, 1) == std::vector<std::uint32_t>{0, 2, 3});
    CHECK(neighbours(g, 2) == std::vector<std::uint32_t>{1});
    CHECK(neighbours(g, 3) == std::vector<std::uint32_t>{1});
    const std::size_t k = entry(g, 0, 1);
    CHECK(g.border_m[k] == 5.0);                         // lengths add
    CHECK(g.kind[k] == (edge_border | edge_feeder));     // kinds combine
    CHECK(g.kind[entry(g, 1, 3)] == edge_border);
    CHECK(g.vertex_weight == std::vector<double>{1.0, 1.0, 1.0, 1.0}); // default weight 1
}

TEST_CASE("make_csr keeps given vertex weights and isolated vertices")
{
    const CsrGraph g = make_csr(3, {{0, 2, 1.0, edge_border}}, {5.0, 6.0, 7.0});
    check_well_formed(g);
    CHECK(g.vertex_weight == std::vector<double>{5.0, 6.0, 7.0});
    CHECK(neighbours(g, 1).empty());
    CHECK(make_csr(0, {}).num_vertices() == 0);
}

TEST_CASE("make_csr rejects edges to missing vertices and the wrong number of weights")
{
    try {
        make_csr(2, {{0, 2, 1.0, edge_border}});
        FAIL("make_csr accepted vertex 2 in a graph of 2 vertices");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::invalid_argument);
    }
    CHECK_THROWS_AS(make_csr(2, {}, {1.0}), Error);
}

TEST_CASE("components are numbered largest first, ties by their smallest vertex")
{
    // {1, 2, 3} (3 vertices), {0, 5} and {4, 6} (2 each; {0, 5} holds the smaller vertex), {7}.
    const CsrGraph g = make_csr(8, {{0, 5, 1, edge_border},
                                    {1, 2, 1, edge_border},
                                    {2, 3, 1, edge_feeder},
                                    {6, 4, 1, edge_border}});
    const Components c = connected_components(g, edge_border | edge_feeder);
    CHECK(c.sizes == std::vector<std::size_t>{3, 2, 2, 1});
    CHECK(c.of_vertex == std::vector<std::uint32_t>{1, 0, 0, 0, 2, 1, 2, 3});
    // By default only shared borders connect: the feeder link 2-3 does not.
    const Components by_border = connected_components(g);
    CHECK(by_border.sizes == std::vector<std::size_t>{2, 2, 2, 1, 1});
}

TEST_CASE("a 3x3 grid of 100 m square areas has 12 borders of 100 m and one component")
{
    std::vector<MultiPolygon> squares;
    for (int row = 0; row < 3; ++row)
        for (int col = 0; col < 3; ++col)
            squares.push_back(rect(100.0 * col, 100.0 * row, 100.0 * (col + 1), 100.0 * (row + 1)));
    const Territory t = polygon_territory(squares);
    ValidationReport report;
    const AdjacencyGraph adj = build_adjacency(t, given_areas(t), report);

    const CsrGraph& g = adj.graph;
    check_well_formed(g);
    CHECK(g.num_vertices() == 9);
    CHECK(g.num_edges() == 12);
    for (std::size_t k = 0; k < g.adjncy.size(); ++k) {
        CHECK(g.border_m[k] == doctest::Approx(100.0));
        CHECK(g.kind[k] == edge_border);
    }
    // The centre touches its four side neighbours, not the corners.
    CHECK(neighbours(g, 4) == std::vector<std::uint32_t>{1, 3, 5, 7});
    CHECK(neighbours(g, 0) == std::vector<std::uint32_t>{1, 3});
    CHECK(g.vertex_weight[8] == 90.0); // customers
    CHECK(adj.components.sizes == std::vector<std::size_t>{9});
    CHECK(adj.components_with_feeders.sizes == std::vector<std::size_t>{9});
    CHECK(report.issues.empty());
}

TEST_CASE("a border split at different vertices on the two sides is still one border")
{
    MultiPolygon left = rect(0, 0, 100, 100);
    // The right square has extra vertices on its west side at y = 30 and y = 70.
    const MultiPolygon right{Polygon{{{100, 0}, {200, 0}, {200, 100}, {100, 100}, {100, 70}, {100, 30}, {100, 0}}, {}}};
    const Territory t = polygon_territory({left, right});
    ValidationReport report;
    const AdjacencyGraph adj = build_adjacency(t, given_areas(t), report);
    REQUIRE(adj.graph.num_edges() == 1);
    CHECK(adj.graph.border_m[0] == doctest::Approx(100.0));
}

TEST_CASE("a feeder link joining two islands: two components, one with feeders")
{
    Territory t = polygon_territory({rect(0, 0, 100, 100), rect(500, 0, 600, 100)});
    t.feeder_links.push_back({0, 1, "F1", 450.0});
    ValidationReport report;
    const AdjacencyGraph adj = build_adjacency(t, given_areas(t), report);

    CHECK(adj.components.sizes == std::vector<std::size_t>{1, 1});
    CHECK(adj.components.of_vertex == std::vector<std::uint32_t>{0, 1});
    CHECK(adj.components_with_feeders.sizes == std::vector<std::size_t>{2});
    REQUIRE(adj.graph.num_edges() == 1);
    CHECK(adj.graph.kind[0] == edge_feeder);
    CHECK(adj.graph.border_m[0] == 0.0);
    // The islands are reported (never bridged silently), naming a transformer of the island.
    REQUIRE(report.issues.size() == 1);
    CHECK(report.issues[0].code == IssueCode::islands);
    CHECK(report.issues[0].severity == Severity::info);
    CHECK(report.issues[0].message.find("'T1'") != std::string::npos);

    SUBCASE("without feeder edges the islands stay apart")
    {
        GraphOptions options;
        options.feeder_edges = false;
        ValidationReport r2;
        const AdjacencyGraph apart = build_adjacency(t, given_areas(t), r2, options);
        CHECK(apart.graph.num_edges() == 0);
        CHECK(apart.components.sizes == std::vector<std::size_t>{1, 1});
    }
}

TEST_CASE("build_adjacency needs one service area per transformer")
{
    const Territory t = polygon_territory({rect(0, 0, 1, 1), rect(1, 0, 2, 1)});
    ServiceAreas areas = given_areas(t);
    areas.shapes.pop_back();
    ValidationReport report;
    CHECK_THROWS_AS(build_adjacency(t, areas, report), Error);
}
