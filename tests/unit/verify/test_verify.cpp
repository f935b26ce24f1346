// Spec of the independent plan verifier (libgrid/verify.hpp): a sound plan passes, and each kind
// of violation is reported in one sentence naming the grid or transformer and the numbers.
//
// The fixture is a 4 x 4 block of 100 m squares, transformer t = 4 y + x at the centre of
// square (x, y), 10 customers each, joined by border edges to the squares left, right, above
// and below. Plans are built here by hand, never by the partitioner.
#include <libgrid/graph.hpp>
#include <libgrid/partition.hpp>
#include <libgrid/verify.hpp>

#include "common/block_plan.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

using namespace libgrid;

namespace {

using block::assign;
using block::make_plan;
using block::side;

CsrGraph block_graph(std::vector<GraphEdge> extra = {}) { return block::csr(std::move(extra)); }

// Two admin levels: districts (bottom half y < 2, top half) and communities (half rows: the
// two squares (0..1, y) or (2..3, y)).
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
        u.parent = (c / 2) < 2 ? 0 : 1; // community c covers row c / 2
        communities.units.push_back(u);
    }
    t.levels = {districts, communities};
    for (std::size_t y = 0; y < side; ++y) {
        for (std::size_t x = 0; x < side; ++x) {
            TransformerArea tr;
            tr.id = "T" + std::to_string(side * y + x);
            tr.customers = 10.0;
            tr.station_id = x < 2 ? "A" : "B";
            tr.location = {100.0 * static_cast<double>(x) + 50.0,
                           100.0 * static_cast<double>(y) + 50.0};
            t.transformers.push_back(tr);
            t.transformer_unit.push_back(2 * y + x / 2);
        }
    }
    return t;
}

// Quadrants: grid 0 bottom-left, 1 top-left (station A), 2 bottom-right, 3 top-right (B).
std::vector<std::uint32_t> quadrants()
{
    return assign([](std::uint32_t x, std::uint32_t y) { return 2 * (x / 2) + y / 2; });
}

// True when some problem contains every fragment.
bool reports(const VerifyReport& r, std::initializer_list<std::string> fragments)
{
    for (const std::string& problem : r.problems) {
        bool all = true;
        for (const std::string& f : fragments) all = all && problem.find(f) != std::string::npos;
        if (all) return true;
    }
    return false;
}

std::string joined(const VerifyReport& r)
{
    std::string out;
    for (const std::string& p : r.problems) out += p + "\n";
    return out;
}

} // namespace

TEST_CASE("verify_plan accepts a sound plan")
{
    const Territory t = block_territory();
    const CsrGraph g = block_graph();
    Plan p = make_plan(t, quadrants(), 4);
    INFO(joined(verify_plan(t, g, p)));
    CHECK(verify_plan(t, g, p).ok());

    SUBCASE("nested in districts, with the units recorded")
    {
        p.grid_nest_unit = {0, 1, 0, 1};
        const VerifyReport r = verify_plan(t, g, p, 0);
        INFO(joined(r));
        CHECK(r.ok());
    }
    SUBCASE("under a cap it respects")
    {
        p.max_load = 40.0;
        CHECK(verify_plan(t, g, p).ok());
    }
}

TEST_CASE("verify_plan reports a grid that is not contiguous, unless relaxed")
{
    const Territory t = block_territory();
    const CsrGraph g = block_graph();
    // Station A (left half) alternates rows: rows 0 and 2 in grid 0, rows 1 and 3 in grid 1.
    // Station B (right half) is one grid.
    const auto grid_of = assign([](std::uint32_t x, std::uint32_t y) -> std::uint32_t {
        return x >= 2 ? 2 : y % 2;
    });
    Plan p = make_plan(t, grid_of, 3);
    const VerifyReport r = verify_plan(t, g, p);
    INFO(joined(r));
    REQUIRE(r.problems.size() == 2);
    CHECK(reports(r, {"grid 'G0' is not contiguous", "4 transformers", "2 separate pieces",
                      "transformer 'T8' is cut off"}));
    CHECK(reports(r, {"grid 'G1' is not contiguous", "transformer 'T12' is cut off"}));

    p.grid_relaxed[0] = relax_contiguity;
    p.grid_relaxed[1] = relax_contiguity;
    CHECK(verify_plan(t, g, p).ok());

    SUBCASE("relaxing the cap does not excuse a broken grid")
    {
        p.grid_relaxed[1] = relax_cap;
        const VerifyReport r2 = verify_plan(t, g, p);
        REQUIRE(r2.problems.size() == 1);
        CHECK(reports(r2, {"grid 'G1' is not contiguous"}));
    }
}

TEST_CASE("verify_plan does not take a feeder link for a connection")
{
    Territory t = block_territory();
    for (TransformerArea& tr : t.transformers) tr.station_id = "A";
    // Grid 0 is T0 and T3, the two ends of the bottom row: no shared border, only a feeder link.
    // On the map that grid is two squares 200 m apart, so it is not contiguous.
    std::vector<std::uint32_t> grid_of(side * side, 1);
    grid_of[0] = 0;
    grid_of[3] = 0;
    Plan p = make_plan(t, grid_of, 2);
    p.stations.pop_back(); // station B has no transformers

    const CsrGraph with_feeder = block_graph({GraphEdge{0, 3, 0.0, edge_feeder}});
    const VerifyReport r = verify_plan(t, with_feeder, p);
    INFO(joined(r));
    CHECK(reports(r, {"grid 'G0' is not contiguous", "2 separate pieces"}));
    // A border edge that also carries a feeder is a connection.
    grid_of.assign(side * side, 1);
    grid_of[0] = 0;
    grid_of[1] = 0;
    Plan q = make_plan(t, grid_of, 2);
    q.stations.pop_back();
    CHECK(verify_plan(t, block_graph({GraphEdge{0, 1, 0.0, edge_feeder}}), q).ok());
}

TEST_CASE("verify_plan reports a grid over the cap, unless relaxed")
{
    const Territory t = block_territory();
    const CsrGraph g = block_graph();
    Plan p = make_plan(t, quadrants(), 4);
    p.max_load = 35.0;
    const VerifyReport r = verify_plan(t, g, p);
    INFO(joined(r));
    REQUIRE(r.problems.size() == 4);
    CHECK(reports(r, {"grid 'G0' has load 40, over the cap of 35"}));

    // Rounding noise in the partitioner's sums is not a violation.
    p.max_load = 40.0 * (1.0 - 1e-12);
    CHECK(verify_plan(t, g, p).ok());

    p.max_load = 35.0;
    for (std::uint8_t& flags : p.grid_relaxed) flags = relax_cap;
    CHECK(verify_plan(t, g, p).ok());
}

TEST_CASE("verify_plan reports a grid holding two stations")
{
    Territory t = block_territory();
    const CsrGraph g = block_graph();
    const Plan p = make_plan(t, quadrants(), 4);
    t.transformers[5].station_id = "B"; // T5 sits in grid 0 of station A
    const VerifyReport r = verify_plan(t, g, p);
    INFO(joined(r));
    CHECK(reports(r, {"grid 'G0' belongs to station 'A'", "holds 1 transformer of other stations",
                      "transformer 'T5' is in station 'B'"}));
}

TEST_CASE("verify_plan reports a grid that breaks the nest level")
{
    const Territory t = block_territory();
    const CsrGraph g = block_graph();
    // Left and right halves: each spans both districts.
    const auto halves = assign([](std::uint32_t x, std::uint32_t) -> std::uint32_t { return x / 2; });
    Plan p = make_plan(t, halves, 2);
    CHECK(verify_plan(t, g, p).ok()); // without a nest level nothing is wrong
    const VerifyReport r = verify_plan(t, g, p, 0);
    INFO(joined(r));
    REQUIRE(r.problems.size() == 2);
    CHECK(reports(r, {"grid 'G0' spans several units of level 'district'",
                      "transformer 'T0' is in 'D-bottom'", "4 of its transformers are not",
                      "transformer 'T8' is in 'D-top'"}));

    SUBCASE("the recorded unit must be the one the grid lies in")
    {
        Plan q = make_plan(t, quadrants(), 4);
        q.grid_nest_unit = {0, 0, 0, 1};
        const VerifyReport r2 = verify_plan(t, g, q, 0);
        INFO(joined(r2));
        REQUIRE(r2.problems.size() == 1);
        CHECK(reports(r2, {"grid 'G1' lies in 'D-top' of level 'district' but the plan records "
                           "'D-bottom'"}));
    }
    SUBCASE("the finest level itself")
    {
        Plan q = make_plan(t, quadrants(), 4);
        const VerifyReport r2 = verify_plan(t, g, q, 1);
        CHECK(r2.problems.size() == 4);
        CHECK(reports(r2, {"spans several units of level 'community'"}));
    }
    SUBCASE("a level the territory does not have")
    {
        CHECK(reports(verify_plan(t, g, p, 7), {"level #7", "2 levels"}));
    }
}

TEST_CASE("verify_plan reports an empty grid and wrong grid counts")
{
    const Territory t = block_territory();
    const CsrGraph g = block_graph();

    SUBCASE("empty grid")
    {
        const Plan p = make_plan(t, quadrants(), 5); // grid 4 gets nothing
        const VerifyReport r = verify_plan(t, g, p);
        INFO(joined(r));
        REQUIRE(r.problems.size() == 1);
        CHECK(reports(r, {"grid 'G4' has no transformers"}));
    }
    SUBCASE("a station reports the wrong number of grids")
    {
        Plan p = make_plan(t, quadrants(), 4);
        p.stations[1].grids = 3;
        const VerifyReport r = verify_plan(t, g, p);
        INFO(joined(r));
        REQUIRE(r.problems.size() == 1);
        CHECK(reports(r, {"station 'B' reports 3 grids but 2 grids belong to it"}));
    }
    SUBCASE("a station reports the wrong number of transformers")
    {
        Plan p = make_plan(t, quadrants(), 4);
        p.stations[0].transformers = 9;
        CHECK(reports(verify_plan(t, g, p), {"station 'A' reports 9 transformers but its grids "
                                             "hold 8"}));
    }
    SUBCASE("a transformer in a grid that does not exist")
    {
        Plan p = make_plan(t, quadrants(), 4);
        p.grid_of[6] = 9;
        const VerifyReport r = verify_plan(t, g, p);
        INFO(joined(r));
        CHECK(reports(r, {"transformer 'T6' is in grid #9, but the plan has only 4 grids"}));
    }
    SUBCASE("an assignment of the wrong length")
    {
        Plan p = make_plan(t, quadrants(), 4);
        p.grid_of.pop_back();
        const VerifyReport r = verify_plan(t, g, p);
        REQUIRE(r.problems.size() == 1);
        CHECK(reports(r, {"assigns 15 transformers but the territory has 16"}));
    }
    SUBCASE("per-grid vectors of the wrong length")
    {
        Plan p = make_plan(t, quadrants(), 4);
        p.grid_relaxed.clear();
        p.grid_target.push_back(1.0);
        const VerifyReport r = verify_plan(t, g, p);
        CHECK(reports(r, {"4 grids but 0 entries in grid_relaxed"}));
        CHECK(reports(r, {"4 grids but 5 entries in grid_target"}));
    }
    SUBCASE("two grids with one id")
    {
        Plan p = make_plan(t, quadrants(), 4);
        p.grid_id[3] = "G0";
        CHECK(reports(verify_plan(t, g, p), {"grids #0 and #3 share the id 'G0'"}));
    }
}

TEST_CASE("verify_plan reports loads that do not add up")
{
    const Territory t = block_territory();
    const CsrGraph g = block_graph();
    Plan p = make_plan(t, quadrants(), 4);
    p.grid_load[2] += 5.0;
    const VerifyReport r = verify_plan(t, g, p);
    INFO(joined(r));
    REQUIRE(r.problems.size() == 2);
    CHECK(reports(r, {"grid 'G2' records load 45 but its 4 transformers sum to 40"}));
    CHECK(reports(r, {"the grid loads sum to 165 but the transformer loads sum to 160"}));

    SUBCASE("tolerates rounding noise")
    {
        Plan q = make_plan(t, quadrants(), 4);
        q.grid_load[2] *= 1.0 + 1e-12;
        CHECK(verify_plan(t, g, q).ok());
    }
    SUBCASE("a station's load")
    {
        Plan q = make_plan(t, quadrants(), 4);
        q.stations[0].load = 70.0;
        CHECK(reports(verify_plan(t, g, q), {"station 'A' reports load 70 but its grids' "
                                             "transformers sum to 80"}));
    }
}

TEST_CASE("verify_plan caps the list of problems")
{
    const Territory t = block_territory();
    const CsrGraph g = block_graph();
    const Plan p = make_plan(t, quadrants(), 64); // 60 empty grids
    const VerifyReport r = verify_plan(t, g, p);
    REQUIRE(r.problems.size() == 51);
    CHECK(r.problems.front() == "grid 'G4' has no transformers");
    CHECK(r.problems.back() == "... and 10 more problems");
}
