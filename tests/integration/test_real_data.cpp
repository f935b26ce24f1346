// `grid-partition check` on every real dataset in ../shared/data and on the bundled sample:
// each is read (fields mapped by flags) and its figures reported.
#include "cli_run.hpp"
#include "common/shared_data.hpp"

using namespace cli_test;

namespace {
const std::string shared = LIBGRID_SHARED_DATA;
const std::string bundled = LIBGRID_DATA;
} // namespace

TEST_CASE("the bundled Malta sample: 98 stations in 68 councils, Malta and Gozo as two islands")
{
    TempDir d;
    const auto r = run("check -q --transformers '" + bundled + "/malta/malta.gpkg:transformers' --where 'is_atom = 1' "
                       "--id-field atom_id --customers-field customers_proxy "
                       "--boundaries '" + bundled + "/malta/malta.gpkg:admin_units_finest' --unit-id-field osm_id "
                       "--out '" + d.path.string() + "'");
    CHECK(r.status == 0);
    CHECK(contains(r.out, "98 in the model, 0 rejected"));
    CHECK(contains(r.out, "customers      13,281"));
    CHECK(contains(r.out, "admin_units_finest: 68 units (32 without a transformer, attached to neighbours)"));
    CHECK(contains(r.out, "UTM zone 33N"));
    CHECK(contains(r.out, "98 areas"));
    CHECK(contains(r.out, "2 by shared borders"));
    CHECK(contains(r.out, "3 of 101 features excluded by the filter"));
    CHECK(fs::exists(d / "service_areas.gpkg"));
}

TEST_CASE("IEEE 8500: one feeder contracted to a tree of 1,176 transformer links")
{
    if (!test_data::shared_data_available()) return;
    const auto r = run("check -q --transformers '" + shared + "/ieee8500/transformers.csv' --feeders '" + shared +
                       "/ieee8500/feeder_edges.csv' --node-field hv_bus --assume-crs local");
    CHECK(r.status == 0);
    CHECK(contains(r.out, "1,177 in the model"));
    CHECK(contains(r.out, "1 in the feeder layer, 1 named by transformers; 1,176 transformer links"));
    CHECK(contains(r.out, "local planar frame"));
    CHECK(contains(r.out, "1 with feeder links"));
}

TEST_CASE("EPRI K1: the MV load without coordinates is rejected unless filtered out")
{
    if (!test_data::shared_data_available()) return;
    const std::string args = "check -q --transformers '" + shared + "/epri_k1/transformers.csv' --feeders '" + shared +
                             "/epri_k1/feeder_edges.csv' --node-field hv_bus --assume-crs local --customers '" +
                             shared + "/epri_k1/loads.csv'";
    auto r = run(args);
    CHECK(r.status == 1);
    CHECK(contains(r.out, "feature 'mvload:k22': transformer has no geometry"));
    CHECK(contains(r.out, "321 read from"));
    CHECK(contains(r.out, "320 in the model, 1 rejected"));
    r = run(args + " --where \"kind = 'lv_area'\"");
    CHECK(r.status == 0);
    CHECK(contains(r.out, "customers      570"));
    CHECK(contains(r.out, "customer pts   320 matched to transformers"));
    CHECK(contains(r.out, "1 by shared borders"));
}

TEST_CASE("EPRI ckt7 without its equivalent load")
{
    if (!test_data::shared_data_available()) return;
    const auto r = run("check -q --transformers '" + shared + "/epri_ckt7/transformers.csv' --where \"kind <> 'equivalent_load'\" "
                       "--feeders '" + shared + "/epri_ckt7/feeder_edges.csv' --node-field hv_bus --assume-crs local");
    CHECK(r.status == 0);
    CHECK(contains(r.out, "130 in the model"));
    CHECK(contains(r.out, "customers      867"));
    CHECK(contains(r.out, "129 transformer links"));
}

TEST_CASE("Oberrhein MV: lon/lat CSV worked in UTM 32N, 4 feeders, normally-open ties excluded")
{
    if (!test_data::shared_data_available()) return;
    const auto r = run("check -q --transformers '" + shared + "/oberrhein/mv_transformers.csv' --feeders '" + shared +
                       "/oberrhein/mv_feeder_edges.csv' --node-field hv_bus --assume-crs EPSG:4326");
    CHECK(r.status == 0);
    CHECK(contains(r.out, "147 in the model"));
    CHECK(contains(r.out, "customers      18,558\n"));
    CHECK(contains(r.out, "4 in the feeder layer, 4 named by transformers"));
    CHECK(contains(r.out, "UTM zone 32N"));
}

TEST_CASE("polygon atoms: Georgia's 159 counties and NY8's 281 tracts (invalid ones repaired)")
{
    if (!test_data::shared_data_available()) return;
    auto r = run("check -q --transformers '" + shared + "/districting/georgia_counties.gpkg' --id-field name "
                 "--customers-field population");
    CHECK(r.status == 0);
    CHECK(contains(r.out, "159 in the model"));
    CHECK(contains(r.out, "customers      6,478,216"));
    CHECK(contains(r.out, "(given polygons)"));
    CHECK(contains(r.out, "1 by shared borders"));
    r = run("check -q --transformers '" + shared + "/districting/ny8_tracts.gpkg' --id-field name "
            "--customers-field population");
    CHECK(r.status == 0);
    CHECK(contains(r.out, "281 in the model"));
    CHECK(contains(r.out, "warning [geometry_repaired]"));
    CHECK(contains(r.out, "1 by shared borders"));
}

TEST_CASE("polygon atoms planned: overlaps and detached parts of the input are resolved and said, not a bug")
{
    if (!test_data::shared_data_available()) return;
    TempDir d;
    // NY8: tract 36067013200, repaired by MakeValid, spills 22 ha over two neighbours. The
    // overlap stays with the neighbours (warned), so the grids tile the tracts and pass the
    // polygon verifier (before: exit 4 on every K).
    auto r = run("plan --transformers '" + shared + "/districting/ny8_tracts.gpkg' --id-field name "
                 "--customers-field population --grids 10 --out '" + (d / "ny8") + "'");
    INFO(r.err);
    REQUIRE(r.status == 0);
    CHECK(contains(r.out, "warning [areas_overlap]"));
    CHECK(contains(r.out, "overlaps the polygon of transformer"));
    CHECK(contains(r.out, "multi-part grids 0"));
    // Georgia: county 13247's two small parts touch its main part at a point only and border
    // other counties: they go to the neighbour with the longest border (said), so no grid is in
    // pieces except where the input has islands (the sea islands).
    r = run("plan --transformers '" + shared + "/districting/georgia_counties.gpkg' --id-field name "
            "--customers-field population --grids 10 --out '" + (d / "ga") + "'");
    INFO(r.err);
    REQUIRE(r.status == 0);
    CHECK(contains(slurp(d / "ga/report.json"), "\"area_part_moved\""));
    CHECK(contains(r.out, "(each part on its own island of the input)"));
}

TEST_CASE("Malta with the national grid's substations as transformers of a coarser model")
{
    // Another real layer read as points: the 23 primary substations, customers unknown -> errors.
    const auto r = run("check -q --transformers '" + bundled + "/malta/malta.gpkg:feeder_sources' --id-field osm_id");
    CHECK(r.status == 1);
    CHECK(contains(r.out, "transformers layer has no field 'customers'"));
    CHECK(contains(r.out, "its fields are: osm_type, osm_id"));
}

namespace {
/// The number after the first `"key": ` in a JSON text (-1 when absent).
double json_number_of(const std::string& json, const std::string& key)
{
    const auto at = json.find("\"" + key + "\": ");
    return at == std::string::npos ? -1.0 : std::stod(json.substr(at + key.size() + 4));
}
} // namespace

TEST_CASE("barriers: Georgia's grids follow a river line across the state")
{
    if (!test_data::shared_data_available()) return;
    TempDir d;
    // A made-up river from west to east through the middle of the state (NAD83 / UTM 17N).
    const auto river = d.write(
        "river.geojson",
        R"({"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::26917"}},
 "features": [{"type": "Feature", "properties": {"id": "river"}, "geometry": {"type": "LineString",
 "coordinates": [[650000, 3620000], [860000, 3640000], [1080000, 3620000]]}}]})");
    const std::string inputs = "--transformers '" + shared + "/districting/georgia_counties.gpkg' --id-field name "
                               "--customers-field population --barriers '" + river + "'";
    auto r = run("check -q " + inputs);
    CHECK(r.status == 0);
    CHECK(contains(r.out, "barriers       1 line(s); 21 adjacency edges cross them"));

    // Same plan with the barrier priced at nothing, then at the default weight.
    r = run("plan -q " + inputs + " --grids 10 --weight-barrier 0 --out '" + d / "w0" + "'");
    REQUIRE(r.status == 0);
    const std::string ignored = slurp(d / "w0/report.json");
    r = run("plan -q " + inputs + " --grids 10 --out '" + d / "w1" + "'");
    REQUIRE(r.status == 0);
    CHECK(contains(r.out, "adjacency edges across roads, rivers or railways are inside a grid"));
    const std::string followed = slurp(d / "w1/report.json");
    CHECK(json_number_of(followed, "barrier_edges") == 21);
    CHECK(json_number_of(ignored, "barrier_edges") == 21);
    // The river becomes a grid border for most of its length (at least two thirds of the edges
    // across it), at no cost in balance.
    CHECK(json_number_of(followed, "barrier_edges_inside") <= 7);
    CHECK(json_number_of(followed, "barrier_edges_inside") < json_number_of(ignored, "barrier_edges_inside"));
    CHECK(json_number_of(followed, "max_abs_deviation") <= 0.01);
}

TEST_CASE("barriers: a barrier layer without lines is reported with its file and feature")
{
    TempDir d;
    const auto points = d.write("wells.csv", "id,x,y\nw1,14.5,35.9\n");
    const auto r = run("check -q --transformers '" + bundled + "/malta/malta.gpkg:transformers' --where 'is_atom = 1' "
                       "--id-field atom_id --customers-field customers_proxy --barriers '" + points +
                       "' --assume-crs EPSG:4326");
    CHECK(contains(r.out, "wells.csv"));
    CHECK(contains(r.out, "w1"));
    CHECK(contains(r.out, "1 barrier feature(s) have no line"));
}
