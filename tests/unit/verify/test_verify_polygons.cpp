// Spec of verify_grid_polygons() (libgrid/verify.hpp): the dissolved grids, the map a planner
// sees, are checked against the service areas alone. The fixture is the 4 x 4 block of 100 m
// squares of test_verify.cpp, each square the service area of the transformer at its centre.
#include <libgrid/metrics.hpp>
#include <libgrid/partition.hpp>
#include <libgrid/verify.hpp>

#include "common/block_plan.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace libgrid;

namespace {

using block::assign;
using block::make_plan;
using block::side;
using block::square;

Territory block_territory()
{
    Territory t;
    for (std::uint32_t y = 0; y < side; ++y)
        for (std::uint32_t x = 0; x < side; ++x) {
            TransformerArea tr;
            tr.id = "T" + std::to_string(side * y + x);
            tr.customers = 10.0;
            tr.station_id = x < 2 ? "A" : "B";
            tr.location = {100.0 * x + 50.0, 100.0 * y + 50.0};
            t.transformers.push_back(tr);
        }
    return t;
}

std::vector<MultiPolygon> block_areas()
{
    std::vector<MultiPolygon> areas;
    for (std::uint32_t y = 0; y < side; ++y)
        for (std::uint32_t x = 0; x < side; ++x) areas.push_back(square(100.0 * x, 100.0 * y, 100.0));
    return areas;
}

bool reports(const VerifyReport& r, const std::string& fragment)
{
    for (const auto& p : r.problems)
        if (p.find(fragment) != std::string::npos) return true;
    return false;
}

std::string joined(const VerifyReport& r)
{
    std::string s;
    for (const auto& p : r.problems) s += p + "\n";
    return s;
}

} // namespace

TEST_CASE("verify_grid_polygons passes grids that are one polygon each")
{
    const Territory t = block_territory();
    const auto areas = block_areas();
    const Plan p = make_plan(t, assign([](std::uint32_t x, std::uint32_t y) { return 2 * (x / 2) + y / 2; }), 4);
    const auto shapes = dissolve(areas, p.grid_of, p.num_grids());
    const VerifyReport r = verify_grid_polygons(t, areas, p, shapes);
    INFO(joined(r));
    CHECK(r.ok());
    CHECK(r.multi_part_grids == 0);
}

TEST_CASE("verify_grid_polygons reports a grid in two pieces on the map")
{
    // Station A's column x = 0 and x = 1 alternate by row: grid 0 holds rows 0 and 2 of the
    // left half, which touch only through grid 1. A graph with a feeder link between them
    // would call the grid connected; the map does not.
    const Territory t = block_territory();
    const auto areas = block_areas();
    Plan p = make_plan(t, assign([](std::uint32_t x, std::uint32_t y) -> std::uint32_t { return x >= 2 ? 2 : y % 2; }), 3);
    const auto shapes = dissolve(areas, p.grid_of, p.num_grids());
    const VerifyReport r = verify_grid_polygons(t, areas, p, shapes);
    INFO(joined(r));
    CHECK(reports(r, "grid 'G0' is in 2 pieces on the map, but only 1 of them lie on separate islands"));
    CHECK(reports(r, "grid 'G1' is in 2 pieces"));
    CHECK(r.multi_part_grids == 2);
    // Relaxed for contiguity (an island too small for a grid of its own): allowed.
    p.grid_relaxed[0] = p.grid_relaxed[1] = relax_contiguity;
    CHECK(verify_grid_polygons(t, areas, p, shapes).ok());
}

TEST_CASE("verify_grid_polygons allows a part for each island of the input")
{
    // A 17th square far off the block: an island. Grid 0 holds it with the bottom-left quadrant.
    Territory t = block_territory();
    auto areas = block_areas();
    TransformerArea island;
    island.id = "T16";
    island.customers = 10.0;
    island.station_id = "A";
    island.location = {1050.0, 1050.0};
    t.transformers.push_back(island);
    areas.push_back(square(1000.0, 1000.0, 100.0));
    auto grid_of = assign([](std::uint32_t x, std::uint32_t y) { return 2 * (x / 2) + y / 2; });
    grid_of.push_back(0);
    const Plan p = make_plan(t, grid_of, 4);
    const auto shapes = dissolve(areas, p.grid_of, p.num_grids());
    const VerifyReport r = verify_grid_polygons(t, areas, p, shapes);
    INFO(joined(r));
    CHECK(r.ok());
    CHECK(r.multi_part_grids == 1);
}

TEST_CASE("verify_grid_polygons reports polygons that do not match the areas they stand for")
{
    const Territory t = block_territory();
    const auto areas = block_areas();
    const Plan p = make_plan(t, assign([](std::uint32_t x, std::uint32_t y) { return 2 * (x / 2) + y / 2; }), 4);
    auto shapes = dissolve(areas, p.grid_of, p.num_grids());

    SUBCASE("a grid polygon that lost a square")
    {
        shapes[0] = square(0.0, 0.0, 100.0);
        const VerifyReport r = verify_grid_polygons(t, areas, p, shapes);
        INFO(joined(r));
        CHECK(reports(r, "grid 'G0''s polygon covers 10000.0 m² but its transformers' service areas cover 40000.0 m²"));
        CHECK(reports(r, "the grids cover"));
        CHECK(reports(r, "transformer 'T1' at (150.0, 50.0) lies outside the polygon of its grid 'G0'"));
    }
    SUBCASE("two grid polygons that overlap")
    {
        shapes[0] = square(0.0, 0.0, 250.0);
        const VerifyReport r = verify_grid_polygons(t, areas, p, shapes);
        INFO(joined(r));
        CHECK(reports(r, "grid 'G0' and grid 'G1' overlap by 10000.0 m²"));
    }
    SUBCASE("fewer shapes than grids")
    {
        shapes.pop_back();
        CHECK(reports(verify_grid_polygons(t, areas, p, shapes), "the polygons do not match the plan"));
    }
}
