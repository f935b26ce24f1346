// Spec of the quality measures (libgrid/metrics.hpp, definitions in DESIGN.md) and of dissolve().
//
// The fixture is a 4 x 4 block of 100 m squares; transformer t = 4 y + x stands at the centre of
// square (x, y). Every expected value below is worked out by hand from that picture:
//
//   y=3  T12 T13 | T14 T15      station A = left half (x < 2), station B = right half
//   y=2  T8  T9  | T10 T11      T0 has 30 customers, every other transformer 10
//   y=1  T4  T5  | T6  T7       feeder F<y> runs along row y; row 3 has no feeder id
//   y=0  T0  T1  | T2  T3       manager M-left serves x < 2, M-right x >= 2, but T1 is
//                               M-right's and T15 has no manager
//   districts: D-bottom (y < 2), D-top; communities: half rows C<2y + x/2>
#include <libgrid/error.hpp>
#include <libgrid/graph.hpp>
#include <libgrid/metrics.hpp>
#include <libgrid/partition.hpp>

#include "common/block_plan.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

using namespace libgrid;

namespace {

using block::assign;
using block::make_plan;
using block::side;
using block::square;
constexpr double pi = 3.14159265358979323846;

Territory block_territory()
{
    Territory t;
    AdminLevel districts;
    districts.name = "district";
    for (const char* id : {"D-bottom", "D-top"}) {
        AdminUnit u;
        u.id = id;
        districts.units.push_back(u);
    }
    AdminLevel communities;
    communities.name = "community";
    for (std::size_t c = 0; c < 2 * side; ++c) {
        AdminUnit u;
        u.id = "C" + std::to_string(c);
        u.parent = c / 2 < 2 ? 0 : 1; // community c lies in row c / 2
        communities.units.push_back(u);
    }
    t.levels = {districts, communities};
    for (std::uint32_t y = 0; y < side; ++y) {
        for (std::uint32_t x = 0; x < side; ++x) {
            const std::uint32_t i = side * y + x;
            TransformerArea tr;
            tr.id = "T" + std::to_string(i);
            tr.customers = i == 0 ? 30.0 : 10.0;
            tr.station_id = x < 2 ? "A" : "B";
            tr.feeder_id = y < 3 ? "F" + std::to_string(y) : "";
            tr.current_manager = x < 2 ? "M-left" : "M-right";
            if (i == 1) tr.current_manager = "M-right";
            if (i == 15) tr.current_manager = "";
            tr.location = {100.0 * x + 50.0, 100.0 * y + 50.0};
            tr.shape = square(100.0 * x, 100.0 * y, 100.0);
            t.transformers.push_back(tr);
            t.transformer_unit.push_back(2 * y + x / 2);
        }
    }
    return t;
}

AdjacencyGraph block_graph()
{
    AdjacencyGraph g;
    g.graph = block::csr();
    return g;
}

std::vector<MultiPolygon> shapes_of(const Territory& t)
{
    std::vector<MultiPolygon> out;
    for (const TransformerArea& tr : t.transformers) out.push_back(tr.shape);
    return out;
}

PlanMetrics measure(const Territory& t, const Plan& p)
{
    return compute_metrics(t, block_graph(), p, dissolve(shapes_of(t), p.grid_of, p.num_grids()));
}

std::size_t splits_of(const MetricsSummary& s, const std::string& level)
{
    for (const auto& [name, count] : s.admin_splits)
        if (name == level) return count;
    FAIL("no admin split count for level " << level);
    return 0;
}

} // namespace

TEST_CASE("compute_metrics on two halves")
{
    const Territory t = block_territory();
    // G0 = left half (station A), G1 = right half (station B).
    const Plan p = make_plan(t, assign([](std::uint32_t x, std::uint32_t) { return x / 2; }), 2);
    const PlanMetrics m = measure(t, p);
    REQUIRE(m.grids.size() == 2);
    REQUIRE(m.stations.size() == 2);

    SUBCASE("per grid")
    {
        const GridMetrics& left = m.grids[0];
        const GridMetrics& right = m.grids[1];
        CHECK(left.load == doctest::Approx(100.0));
        CHECK(left.customers == doctest::Approx(100.0));
        CHECK(right.load == doctest::Approx(80.0));
        CHECK(left.transformers == 8);
        // Each station's target is its own load: both grids are exactly on target.
        CHECK(left.deviation == doctest::Approx(0.0));
        CHECK(left.feeders == 3); // F0, F1, F2; row 3 has no feeder id
        CHECK(left.admin_units == 4); // C0, C2, C4, C6
        CHECK(left.area_km2 == doctest::Approx(0.08));
        CHECK(left.perimeter_km == doctest::Approx(1.2));
        // A 200 m x 400 m rectangle: 4 pi 80000 / 1200^2 = 2 pi / 9.
        CHECK(left.polsby_popper == doctest::Approx(2.0 * pi / 9.0));
        // Load-weighted: T0 (30 at (50, 50)) pulls the centre of (100, 200) down and left.
        CHECK(left.centre.x == doctest::Approx(9000.0 / 100.0));
        CHECK(left.centre.y == doctest::Approx(17000.0 / 100.0));
        CHECK(right.centre.x == doctest::Approx(300.0));
        CHECK(right.centre.y == doctest::Approx(200.0));
        // Right half: four transformers 50 m across and 150 m up or down, four 50 m and 50 m.
        const double far = std::hypot(50.0, 150.0);
        const double near = std::hypot(50.0, 50.0);
        CHECK(right.mean_distance_m == doctest::Approx((far + near) / 2.0));
    }
    SUBCASE("overall")
    {
        const MetricsSummary& s = m.overall;
        CHECK(s.grids == 2);
        CHECK(s.transformers == 16);
        CHECK(s.customers == doctest::Approx(180.0));
        CHECK(s.min_load == doctest::Approx(80.0));
        CHECK(s.max_load == doctest::Approx(100.0));
        CHECK(s.max_over_min == doctest::Approx(1.25));
        CHECK(s.cut_edges == 4);
        CHECK(s.cut_border_km == doctest::Approx(0.4));
        CHECK(s.polsby_popper_mean == doctest::Approx(2.0 * pi / 9.0));
        CHECK(s.polsby_popper_min == doctest::Approx(2.0 * pi / 9.0));
        CHECK(s.non_contiguous == 0);
        CHECK(splits_of(s, "district") == 2); // each district spans both halves
        CHECK(splits_of(s, "community") == 0); // half rows never cross the middle
        CHECK(s.feeder_splits == 3);           // F0, F1, F2 each cross the middle
        // M-left keeps all its 90 customers in G0; M-right has 70 in G1 and T1's 10 in G0.
        CHECK(s.continuity == doctest::Approx(160.0 / 170.0));
    }
    SUBCASE("per station: only edges and splits inside the station count")
    {
        for (const MetricsSummary& s : m.stations) {
            CHECK(s.grids == 1);
            CHECK(s.cut_edges == 0);
            CHECK(s.cut_border_km == doctest::Approx(0.0));
            CHECK(splits_of(s, "district") == 0);
            CHECK(s.feeder_splits == 0);
        }
        // Within station A, M-right's only transformer is T1: all its customers "stay".
        CHECK(m.stations[0].continuity == doctest::Approx(1.0));
        CHECK(m.stations[1].continuity == doctest::Approx(1.0));
    }
}

TEST_CASE("compute_metrics on quadrants")
{
    const Territory t = block_territory();
    // G0 bottom-left, G1 top-left (station A), G2 bottom-right, G3 top-right (station B).
    Plan p = make_plan(
        t, assign([](std::uint32_t x, std::uint32_t y) { return 2 * (x / 2) + y / 2; }), 4);
    p.stations[0].lower_bound = 0.05;
    p.stations[1].lower_bound = 0.02;
    const PlanMetrics m = measure(t, p);

    // Station A's target is 100 / 2 = 50: G0 (T0 30, T1, T4, T5) holds 60, G1 holds 40.
    CHECK(m.grids[0].deviation == doctest::Approx(0.2));
    CHECK(m.grids[1].deviation == doctest::Approx(-0.2));
    CHECK(m.grids[2].deviation == doctest::Approx(0.0));
    CHECK(m.overall.max_abs_deviation == doctest::Approx(0.2));
    CHECK(m.stations[1].max_abs_deviation == doctest::Approx(0.0));

    // A square grid scores pi / 4.
    for (const GridMetrics& g : m.grids) CHECK(g.polsby_popper == doctest::Approx(pi / 4.0));
    CHECK(m.overall.polsby_popper_min == doctest::Approx(pi / 4.0));

    CHECK(m.overall.cut_edges == 8);
    CHECK(m.overall.cut_border_km == doctest::Approx(0.8));
    CHECK(m.stations[0].cut_edges == 2); // G0 | G1 only
    CHECK(m.stations[0].cut_border_km == doctest::Approx(0.2));
    CHECK(m.stations[1].cut_edges == 2);

    CHECK(splits_of(m.overall, "district") == 2);
    CHECK(splits_of(m.stations[0], "district") == 0);
    CHECK(m.overall.feeder_splits == 3);
    CHECK(m.stations[0].feeder_splits == 0);

    // M-left: 50 in G0, 40 in G1. M-right: T1's 10 in G0, 40 in G2, 30 in G3 (T15 unmanaged).
    CHECK(m.overall.continuity == doctest::Approx((50.0 + 40.0) / 170.0));
    // Station A: M-left keeps 50 of 90, M-right 10 of 10.
    CHECK(m.stations[0].continuity == doctest::Approx(60.0 / 100.0));
    CHECK(m.stations[1].continuity == doctest::Approx(40.0 / 70.0));

    CHECK(m.overall.lower_bound == doctest::Approx(0.05));
    CHECK(m.stations[1].lower_bound == doctest::Approx(0.02));
}

TEST_CASE("compute_metrics counts admin splits on both levels")
{
    const Territory t = block_territory();
    // One grid per column: every community (two squares of a row) spans two grids and every
    // district spans all four.
    const Plan p = make_plan(t, assign([](std::uint32_t x, std::uint32_t) { return x; }), 4);
    const PlanMetrics m = measure(t, p);
    CHECK(splits_of(m.overall, "community") == 8);
    CHECK(splits_of(m.overall, "district") == 6);
    // Within station A (columns 0 and 1) each district spans two grids.
    CHECK(splits_of(m.stations[0], "community") == 4);
    CHECK(splits_of(m.stations[0], "district") == 2);
    CHECK(m.grids[0].admin_units == 4);
    CHECK(m.overall.feeder_splits == 9); // F0, F1, F2 each span four grids
    // Bounds beside them: no plan with grids as light as these splits less. Each district has
    // transformers of both stations, so it spans at least two grids.
    REQUIRE(m.overall.admin_splits_bound.size() == 2);
    for (std::size_t l = 0; l < 2; ++l) {
        CAPTURE(l);
        CHECK(m.overall.admin_splits_bound[l].second <= m.overall.admin_splits[l].second);
    }
    CHECK(m.overall.admin_splits_bound[0].first == "district");
    CHECK(m.overall.admin_splits_bound[0].second >= 2);
    CHECK(m.overall.feeder_splits_bound <= m.overall.feeder_splits);
}

TEST_CASE("compute_metrics counts grids that are not contiguous")
{
    const Territory t = block_territory();
    // Station A alternates rows: G0 = rows 0 and 2, G1 = rows 1 and 3; station B is G2.
    const Plan p = make_plan(
        t, assign([](std::uint32_t x, std::uint32_t y) -> std::uint32_t { return x >= 2 ? 2 : y % 2; }),
        3);
    const PlanMetrics m = measure(t, p);
    CHECK(m.overall.non_contiguous == 2);
    CHECK(m.stations[0].non_contiguous == 2);
    CHECK(m.stations[1].non_contiguous == 0);
    CHECK(m.grids[0].area_km2 == doctest::Approx(0.04)); // two pieces of 0.02 km2
}

TEST_CASE("compute_metrics without managers, shapes or load")
{
    Territory t = block_territory();
    for (TransformerArea& tr : t.transformers) tr.current_manager.clear();
    Plan p = make_plan(t, assign([](std::uint32_t x, std::uint32_t) { return x / 2; }), 2);
    const PlanMetrics m = compute_metrics(t, block_graph(), p, {});
    CHECK(m.overall.continuity == -1.0);
    CHECK(m.stations[0].continuity == -1.0);
    CHECK(m.grids[0].polsby_popper == 0.0); // no shapes given: no geometry measures
    CHECK(m.grids[0].load == doctest::Approx(100.0));

    // A grid without load makes the max/min ratio infinite, and its centre falls back to the
    // plain mean of its transformers.
    for (std::size_t i = 0; i < p.load.size(); ++i)
        if (p.grid_of[i] == 1) p.load[i] = 0.0;
    const PlanMetrics z = compute_metrics(t, block_graph(), p, {});
    CHECK(z.overall.max_over_min == std::numeric_limits<double>::infinity());
    CHECK(z.grids[1].centre.x == doctest::Approx(300.0));
    CHECK(z.grids[1].centre.y == doctest::Approx(200.0));
}

TEST_CASE("compute_metrics rejects a plan that does not match the territory")
{
    const Territory t = block_territory();
    Plan p = make_plan(t, assign([](std::uint32_t x, std::uint32_t) { return x / 2; }), 2);
    p.grid_of.pop_back();
    CHECK_THROWS_AS(compute_metrics(t, block_graph(), p, {}), Error);
    p.grid_of.push_back(7);
    CHECK_THROWS_AS(compute_metrics(t, block_graph(), p, {}), Error);
}

TEST_CASE("dissolve merges shapes per group")
{
    SUBCASE("a 2 x 2 block of unit squares becomes one square")
    {
        const std::vector<MultiPolygon> shapes = {square(0, 0, 1), square(1, 0, 1),
                                                  square(0, 1, 1), square(1, 1, 1)};
        const std::vector<MultiPolygon> out = dissolve(shapes, {0, 0, 0, 0}, 1);
        REQUIRE(out.size() == 1);
        REQUIRE(out[0].size() == 1);
        CHECK(out[0][0].holes.empty());
        CHECK(area(out[0]) == doctest::Approx(4.0));
        CHECK(perimeter(out[0]) == doctest::Approx(8.0));
    }
    SUBCASE("a group without shapes stays empty")
    {
        const std::vector<MultiPolygon> out =
            dissolve({square(0, 0, 1), square(1, 0, 1)}, {0, 0}, 2);
        REQUIRE(out.size() == 2);
        CHECK(area(out[0]) == doctest::Approx(2.0));
        CHECK(out[1].empty());
    }
    SUBCASE("groups that do not touch stay apart; a ring keeps its hole")
    {
        // A 3 x 3 block: the centre in group 1, the ring around it in group 0.
        std::vector<MultiPolygon> shapes;
        std::vector<std::uint32_t> group_of;
        for (int y = 0; y < 3; ++y)
            for (int x = 0; x < 3; ++x) {
                shapes.push_back(square(x, y, 1));
                group_of.push_back(x == 1 && y == 1 ? 1 : 0);
            }
        const std::vector<MultiPolygon> out = dissolve(shapes, group_of, 2);
        REQUIRE(out[0].size() == 1);
        CHECK(out[0][0].holes.size() == 1);
        CHECK(area(out[0]) == doctest::Approx(8.0));
        CHECK(perimeter(out[0]) == doctest::Approx(16.0));
        CHECK(area(out[1]) == doctest::Approx(1.0));
    }
    SUBCASE("borders split at different vertices on the two sides still dissolve")
    {
        // The right square has an extra vertex at (1, 0.5) on the shared edge; coverage union
        // cannot cancel mismatched edges, so the robust union must take over.
        const MultiPolygon right = {
            Polygon{{{1, 0}, {2, 0}, {2, 1}, {1, 1}, {1, 0.5}, {1, 0}}, {}}};
        const std::vector<MultiPolygon> out = dissolve({square(0, 0, 1), right}, {0, 0}, 1);
        REQUIRE(out[0].size() == 1);
        CHECK(out[0][0].holes.empty());
        CHECK(area(out[0]) == doctest::Approx(2.0));
        CHECK(perimeter(out[0]) == doctest::Approx(6.0));
    }
    SUBCASE("squares touching at a corner stay two polygons")
    {
        const std::vector<MultiPolygon> shapes = {square(0, 0, 1), square(1, 1, 1), square(5, 5, 1)};
        const std::vector<MultiPolygon> out = dissolve(shapes, {0, 0, 1}, 2, 1);
        REQUIRE(out[0].size() == 2);
        CHECK(area(out[0]) == doctest::Approx(2.0));
        CHECK(perimeter(out[0]) == doctest::Approx(8.0));
        CHECK(dissolve(shapes, {0, 0, 1}, 2, 2)[0].size() == 2);
    }
    SUBCASE("a U of squares around an enclave touching it at a corner")
    {
        // Group 0: a 3 x 2 block minus its top-middle square, which is group 1.
        std::vector<MultiPolygon> shapes;
        std::vector<std::uint32_t> group_of;
        for (int y = 0; y < 2; ++y)
            for (int x = 0; x < 3; ++x) {
                shapes.push_back(square(x, y, 1));
                group_of.push_back(x == 1 && y == 1 ? 1 : 0);
            }
        const std::vector<MultiPolygon> out = dissolve(shapes, group_of, 2);
        REQUIRE(out[0].size() == 1);
        CHECK(out[0][0].holes.empty());
        CHECK(area(out[0]) == doctest::Approx(5.0));
        CHECK(perimeter(out[0]) == doctest::Approx(12.0));
    }
    SUBCASE("a group index past the number of groups is an error")
    {
        CHECK_THROWS_AS(dissolve({square(0, 0, 1)}, {3}, 2), Error);
        CHECK_THROWS_AS(dissolve({square(0, 0, 1)}, {}, 2), Error);
    }
}
