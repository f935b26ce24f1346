// Spec of the contraction of a medium-voltage network to transformer-to-transformer feeder
// links (internal: io/feeder_network.hpp), and of how read_inputs() feeds it.
#include "io/feeder_network.hpp"
#include "unit/io/fixtures.hpp"

#include <libgrid/io.hpp>

#include <doctest/doctest.h>

#include <numeric>
#include <string>
#include <utility>
#include <vector>

using namespace libgrid;
using libgrid::detail::contract_network;
using libgrid::detail::NetworkEdge;
using libgrid::test::TempDir;

namespace {

using Pair = std::pair<std::size_t, std::size_t>;

std::vector<Pair> pairs(const std::vector<FeederLink>& links)
{
    std::vector<Pair> out;
    for (const auto& l : links) out.emplace_back(l.a, l.b);
    return out;
}

const FeederLink& link(const std::vector<FeederLink>& links, std::size_t a, std::size_t b)
{
    for (const auto& l : links)
        if (l.a == a && l.b == b) return l;
    FAIL("no link (", a, ", ", b, ")");
    return links.front();
}

// Number of groups the links join n transformers into.
std::size_t groups(std::size_t n, const std::vector<FeederLink>& links)
{
    std::vector<std::size_t> parent(n);
    std::iota(parent.begin(), parent.end(), std::size_t{0});
    auto root = [&](std::size_t v) {
        while (parent[v] != v) v = parent[v];
        return v;
    };
    for (const auto& l : links) parent[root(l.a)] = root(l.b);
    std::size_t count = 0;
    for (std::size_t v = 0; v < n; ++v) count += root(v) == v ? 1 : 0;
    return count;
}

} // namespace

TEST_CASE("a chain T1 - b1 - b2 - T2 - b3 - T3 gives links T1-T2 and T2-T3 only")
{
    const std::vector<std::string> node{"t1", "t2", "t3"};
    const std::vector<NetworkEdge> edges{{"t1", "b1", "F1", 10},
                                         {"b1", "b2", "F1", 10},
                                         {"b2", "t2", "F1", 10},
                                         {"t2", "b3", "F1", 5},
                                         {"b3", "t3", "F1", 5}};
    const auto links = contract_network(node, edges);
    CHECK(pairs(links) == std::vector<Pair>{{0, 1}, {1, 2}});
    // Link lengths are network lengths between the two transformers.
    CHECK(link(links, 0, 1).length_m == doctest::Approx(30.0));
    CHECK(link(links, 1, 2).length_m == doctest::Approx(10.0));
    CHECK(link(links, 0, 1).feeder_id == "F1");
}

TEST_CASE("the result does not depend on the order or direction of the edges")
{
    const std::vector<std::string> node{"t1", "t2", "t3"};
    const std::vector<NetworkEdge> edges{{"b3", "t3", "F1", 5},
                                         {"b2", "b1", "F1", 10},
                                         {"t2", "b3", "F1", 5},
                                         {"t2", "b2", "F1", 10},
                                         {"b1", "t1", "F1", 10}};
    CHECK(pairs(contract_network(node, edges)) == std::vector<Pair>{{0, 1}, {1, 2}});
}

TEST_CASE("a branch node links the transformers behind it to the nearest one along the network")
{
    // A junction J with three transformers 100 m, 50 m and 70 m away: J belongs to T2 (the
    // nearest), so T1 and T3 link to T2 and not to each other.
    const std::vector<std::string> node{"t1", "t2", "t3"};
    const std::vector<NetworkEdge> edges{{"j", "t1", "F", 100}, {"j", "t2", "F", 50}, {"j", "t3", "F", 70}};
    const auto links = contract_network(node, edges);
    CHECK(pairs(links) == std::vector<Pair>{{0, 1}, {1, 2}});
    CHECK(link(links, 0, 1).length_m == doctest::Approx(150.0));
    CHECK(link(links, 1, 2).length_m == doctest::Approx(120.0));
}

TEST_CASE("of two paths between the same transformers the shorter gives the link length")
{
    const std::vector<std::string> node{"t1", "t2"};
    const std::vector<NetworkEdge> edges{{"t1", "t2", "F", 80}, {"t1", "x", "F", 10}, {"x", "t2", "F", 20}};
    const auto links = contract_network(node, edges);
    REQUIRE(links.size() == 1);
    CHECK(link(links, 0, 1).length_m == doctest::Approx(30.0));
}

TEST_CASE("transformers sharing a network node are linked to each other")
{
    // T1, T2 and T3 hang on bus n; T4 is 10 m further on.
    const std::vector<std::string> node{"n", "n", "n", "m"};
    const std::vector<NetworkEdge> edges{{"n", "m", "F", 10}};
    const auto links = contract_network(node, edges);
    CHECK(groups(4, links) == 1);
    CHECK(links.size() == 3); // a tree: no redundant link
    for (const auto& l : links) CHECK(l.a < l.b);
    // Transformers on the same node are 0 m apart.
    std::size_t zero = 0;
    for (const auto& l : links) zero += l.length_m == 0.0 ? 1 : 0;
    CHECK(zero == 2);
}

TEST_CASE("a zero-length edge between two transformers' nodes still links them")
{
    const std::vector<std::string> node{"a", "b", "c"};
    const std::vector<NetworkEdge> edges{{"a", "b", "F", 0}, {"b", "c", "F", 0}};
    const auto links = contract_network(node, edges);
    CHECK(pairs(links) == std::vector<Pair>{{0, 1}, {1, 2}});
    CHECK(link(links, 0, 1).length_m == 0.0);
}

TEST_CASE("disconnected parts of the network give no link between them")
{
    const std::vector<std::string> node{"a", "b", "c", "d"};
    const std::vector<NetworkEdge> edges{{"a", "x", "F1", 1}, {"x", "b", "F1", 1},
                                         {"c", "y", "F2", 1}, {"y", "d", "F2", 1}};
    const auto links = contract_network(node, edges);
    CHECK(pairs(links) == std::vector<Pair>{{0, 1}, {2, 3}});
    CHECK(link(links, 0, 1).feeder_id == "F1");
    CHECK(link(links, 2, 3).feeder_id == "F2");
}

TEST_CASE("a transformer off the network gets no link")
{
    const std::vector<std::string> node{"a", "", "b", "nowhere"};
    const std::vector<NetworkEdge> edges{{"a", "b", "F", 5}};
    CHECK(pairs(contract_network(node, edges)) == std::vector<Pair>{{0, 2}});
    CHECK(contract_network(node, {}).empty());
}

TEST_CASE("read_inputs contracts a node-based edge table and ignores normally-open switches")
{
    // Two feeders from two sources S1 and S2. F1: S1 - a - b, T1 on a, T2 on b.
    // F2: S2 - c - d, T3 on c, T4 on d. A tie switch b - d is normally open: it must not join
    // the feeders.
    TempDir dir("node-table");
    const std::string tx = dir.file("transformers.csv"), edges = dir.file("feeder_edges.csv");
    test::write_file(tx, "id,feeder_id,x,y,customers,hv_bus\n"
                         "T1,F1,0,0,10,a\n"
                         "T2,F1,100,0,20,b\n"
                         "T3,F2,0,100,30,c\n"
                         "T4,F2,100,100,40,d\n");
    auto edge_table = [&](const char* tie_open) {
        test::write_file(edges, std::string("id,from_id,to_id,feeder_id,kind,normally_open,length_m\n"
                                            "l1,S1,a,F1,line,0,50\n"
                                            "l2,a,b,F1,line,0,100\n"
                                            "l3,S2,c,F2,line,0,50\n"
                                            "l4,c,d,F2,line,0,100\n"
                                            "tie,b,d,,switch,") +
                                    tie_open + ",0\n");
    };
    ReadOptions options;
    options.transformers.path = tx;
    options.feeders.push_back({edges, "", "", ""});
    options.assume_crs = "local";
    options.fields.node = "hv_bus";

    SUBCASE("tie switch open: one link per feeder")
    {
        edge_table("1");
        const auto [territory, report] = read_inputs(options);
        CHECK(report.issues.empty());
        REQUIRE(territory.transformers.size() == 4);
        CHECK(territory.transformers[1].node_id == "b");
        CHECK(territory.feeders == std::vector<std::string>{"F1", "F2"});
        CHECK(pairs(territory.feeder_links) == std::vector<Pair>{{0, 1}, {2, 3}});
        CHECK(territory.feeder_links[0].length_m == doctest::Approx(100.0));
        CHECK(territory.feeder_links[0].feeder_id == "F1");
    }
    SUBCASE("the same switch closed would join the feeders")
    {
        edge_table("0");
        const auto [territory, report] = read_inputs(options);
        CHECK(pairs(territory.feeder_links) == std::vector<Pair>{{0, 1}, {1, 3}, {2, 3}});
    }
    SUBCASE("without the node field the table is recognised as node-based and reported")
    {
        edge_table("1");
        options.fields.node = "";
        const auto [territory, report] = read_inputs(options);
        REQUIRE(report.issues.size() == 1);
        CHECK(report.issues[0].code == IssueCode::feeder_unknown_end);
        CHECK(report.issues[0].fix.find("--node-field") != std::string::npos);
        CHECK(territory.feeder_links.empty());
    }
}

TEST_CASE("read_inputs joins transformer ids directly when edges name transformers")
{
    TempDir dir("id-table");
    const std::string tx = dir.file("transformers.csv"), edges = dir.file("feeder_edges.csv");
    test::write_file(tx, "id,feeder_id,x,y,customers\nT1,F,0,0,1\nT2,F,1,0,1\nT3,F,2,0,1\n");
    test::write_file(edges, "id,from_id,to_id,feeder_id,length_m\ne1,T1,T2,F,10\ne2,T2,T3,F,10\ne3,T3,T9,F,1\n");
    ReadOptions options;
    options.transformers.path = tx;
    options.feeders.push_back({edges, "", "", ""});
    options.assume_crs = "local";
    const auto [territory, report] = read_inputs(options);
    CHECK(pairs(territory.feeder_links) == std::vector<Pair>{{0, 1}, {1, 2}});
    // An edge naming a transformer that does not exist is reported by that id.
    REQUIRE(report.issues.size() == 1);
    CHECK(report.issues[0].code == IssueCode::feeder_unknown_end);
    CHECK(report.issues[0].feature_id == "T9");
}
