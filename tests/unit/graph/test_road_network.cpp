// Distances along a road network (graph module, internal interface).
#include "graph/road_network.hpp"

#include <doctest/doctest.h>

#include <cmath>

using namespace libgrid;
using namespace libgrid::detail;

TEST_CASE("road network: shortest path along the roads, with straight legs to and from them")
{
    // An L of two roads meeting at (100, 0) within 0.5 m, a shortcut that is longer, and a
    // separate road nobody can reach.
    const std::vector<LineFeature> roads{{"a", {{0, 0}, {100, 0}}},
                                         {"b", {{100, 0.5}, {100, 100}}},
                                         {"detour", {{0, 0}, {0, 300}, {100, 100}}},
                                         {"island", {{1000, 1000}, {1100, 1000}}}};
    const RoadNetwork net(roads);
    CHECK(net.nodes() == 6); // (0,0) (100,0) (100,100) (0,300) and the island's two
    const auto d = net.distances_m({{0, -10}}, {{100, 110}, {0, 0}, {1050, 1000}});
    REQUIRE(d.size() == 1);
    REQUIRE(d[0].size() == 3);
    CHECK(d[0][0] == doctest::Approx(10 + 100 + 100 + 10)); // along the L, not the detour
    CHECK(d[0][1] == doctest::Approx(10.0));
    CHECK(std::isnan(d[0][2])); // the island is not connected
    CHECK(net.node(net.nearest({1060, 1010})).x == doctest::Approx(1100));

    const RoadNetwork none({});
    CHECK(none.nodes() == 0);
    CHECK(std::isnan(none.distances_m({{0, 0}}, {{1, 1}})[0][0]));
}
