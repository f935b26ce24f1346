// The synthetic city generator and `check` on what it writes: three nested admin levels,
// a node-based feeder network, Chinese names, lon/lat input.
#include "cli_run.hpp"

#ifdef SYNTH_CITY
using namespace cli_test;

namespace {
Result synth(const std::string& args)
{
    const std::string cmd = std::string("'") + SYNTH_CITY + "' " + args + " >/dev/null 2>&1";
    Result r;
    const int raw = std::system(cmd.c_str());
    r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    return r;
}
} // namespace

TEST_CASE("synth-city is deterministic for a seed and differs across seeds")
{
    TempDir d;
    REQUIRE(synth("--transformers 600 --seed 7 --out '" + (d / "a") + "'").status == 0);
    REQUIRE(synth("--transformers 600 --seed 7 --out '" + (d / "b") + "'").status == 0);
    REQUIRE(synth("--transformers 600 --seed 8 --out '" + (d / "c") + "'").status == 0);
    for (const char* f : {"transformers.gpkg", "boundaries.gpkg", "feeders.gpkg"}) {
        CHECK(slurp(d / (std::string("a/") + f)) == slurp(d / (std::string("b/") + f)));
        CHECK(slurp(d / (std::string("a/") + f)) != slurp(d / (std::string("c/") + f)));
    }
}

TEST_CASE("check reads a synthetic city: nested levels, one network, every transformer placed")
{
    TempDir d;
    REQUIRE(synth("--transformers 2000 --seed 3 --out '" + (d / "city") + "'").status == 0);
    const std::string city = d / "city";
    const auto r = run("check -q --transformers '" + city + "/transformers.gpkg' --boundaries '" + city +
                       "/boundaries.gpkg' --feeders '" + city + "/feeders.gpkg' --node-field hv_bus --out '" +
                       (d / "out") + "' --formats gpkg,shp");
    CHECK(r.status == 0);
    CHECK(contains(r.out, "2,000 in the model, 0 rejected"));
    CHECK(contains(r.out, "(commercial "));
    CHECK(contains(r.out, "admin level    station: 1 units"));
    CHECK(contains(r.out, "admin level    community:"));
    CHECK(contains(r.out, "admin level    compound:"));
    CHECK(contains(r.out, "without a transformer, attached to neighbours"));
    CHECK(contains(r.out, "UTM zone 49N"));
    CHECK(contains(r.out, "1 by shared borders, 1 with feeder links"));
    CHECK_FALSE(contains(r.out, "[unit_not_nested]"));
    CHECK_FALSE(contains(r.out, "[units_overlap]"));
    // Chinese unit names survive into the Shapefile written for ArcGIS users (UTF-8 .cpg).
    CHECK(contains(slurp(d / "out/service_areas.cpg"), "UTF-8"));
}
#endif
