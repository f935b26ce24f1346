// The min-cost-flow wrapper the manager assignment builds its relaxations on.
#include "graph/min_cost_flow.hpp"

#include <libgrid/error.hpp>

#include <doctest/doctest.h>

using libgrid::detail::FlowArc;
using libgrid::detail::min_cost_max_flow;

TEST_CASE("min-cost flow sends the most flow at the least cost")
{
    // 0 = source, 3 = sink; two routes: 0-1-3 (cost 1 + 1, cap 2) and 0-2-3 (cost 2 + 3, cap 5).
    const std::vector<FlowArc> arcs{{0, 1, 2, 1}, {1, 3, 2, 1}, {0, 2, 5, 2}, {2, 3, 5, 3}, {1, 2, 1, 0}};
    const auto f = min_cost_max_flow(4, arcs, 0, 3);
    CHECK(f.flow == 7);
    CHECK(f.cost == 2 * 2 + 5 * 5);
    CHECK(f.arc_flow == std::vector<std::int64_t>{2, 2, 5, 5, 0});
}

TEST_CASE("min-cost flow takes a cheaper detour and stops at the cut")
{
    // Direct 0-3 costs 10; the detour 0-1-2-3 costs 3 but carries only 1.
    const std::vector<FlowArc> arcs{{0, 3, 1, 10}, {0, 1, 1, 1}, {1, 2, 1, 1}, {2, 3, 1, 1}};
    const auto f = min_cost_max_flow(4, arcs, 0, 3);
    CHECK(f.flow == 2);
    CHECK(f.cost == 13);
    CHECK_THROWS_AS(min_cost_max_flow(4, {{0, 1, 1, -1}}, 0, 3), libgrid::Error);
    CHECK_THROWS_AS(min_cost_max_flow(4, arcs, 0, 0), libgrid::Error);
}
