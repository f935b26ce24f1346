// `grid-partition check`: what a user sees for good and bad inputs (messages, exit status).
#include "cli_run.hpp"

using namespace cli_test;

namespace {

// Two communities side by side near Changsha (lon/lat), 0.01 degree (about 1 km) each.
const std::string two_communities = geojson({box(113.00, 28.00, 113.01, 28.01, R"("id":"C1","name":"东湖社区")"),
                                             box(113.01, 28.00, 113.02, 28.01, R"("id":"C2","name":"西湖社区")")});

std::string transformers(const std::vector<std::string>& extra = {})
{
    std::vector<std::string> f{point(113.002, 28.002, R"("id":"T1","customers":120,"feeder_id":"F1")"),
                               point(113.008, 28.007, R"("id":"T2","customers":80,"feeder_id":"F1")"),
                               point(113.012, 28.003, R"("id":"T3","customers":200,"feeder_id":"F2")"),
                               point(113.018, 28.008, R"("id":"T4","customers":0,"feeder_id":"F2")")};
    f.insert(f.end(), extra.begin(), extra.end());
    return geojson(f);
}

std::string check_args(const TempDir& d, const std::string& tx_text, const std::string& extra = "")
{
    return "check -q --transformers '" + d.write("tx.geojson", tx_text) + "' --boundaries '" +
           d.write("communities.geojson", two_communities) + "' " + extra;
}

} // namespace

TEST_CASE("check accepts clean inputs, prints the figures and exits 0")
{
    TempDir d;
    const auto r = run(check_args(d, transformers()));
    CHECK(r.status == 0);
    CHECK(contains(r.out, "4 read from"));
    CHECK(contains(r.out, "4 in the model, 0 rejected"));
    CHECK(contains(r.out, "customers      400"));
    CHECK(contains(r.out, "admin level    communities: 2 units"));
    CHECK(contains(r.out, "UTM zone 49N"));
    CHECK(contains(r.out, "4 areas"));
    CHECK(contains(r.out, "1 by shared borders"));
    CHECK(contains(r.out, "result: inputs OK"));
}

TEST_CASE("a transformer without id is rejected with its FID, exit 1")
{
    TempDir d;
    const auto r = run(check_args(d, transformers({point(113.005, 28.005, R"("id":null,"customers":5)")})));
    CHECK(r.status == 1);
    CHECK(contains(r.out, "error [id_missing]"));
    CHECK(contains(r.out, "feature 'fid 4'"));
    CHECK(contains(r.out, "transformer has no id"));
    CHECK(contains(r.out, "fix: give every transformer an id"));
    CHECK(contains(r.out, "5 read from"));
    CHECK(contains(r.out, "4 in the model, 1 rejected"));
}

TEST_CASE("duplicate transformer ids: the second is rejected and named")
{
    TempDir d;
    const auto r = run(check_args(d, transformers({point(113.005, 28.005, R"("id":"T2","customers":5)")})));
    CHECK(r.status == 1);
    CHECK(contains(r.out, "error [id_duplicate]"));
    CHECK(contains(r.out, "feature 'T2': id 'T2' is also used by feature fid 1"));
}

TEST_CASE("customer counts that are not numbers, negative or missing are rejected")
{
    TempDir d;
    const auto r = run(check_args(d, transformers({point(113.005, 28.005, R"("id":"T5","customers":"many")"),
                                                   point(113.006, 28.005, R"("id":"T6","customers":-3)"),
                                                   point(113.007, 28.005, R"("id":"T7")")})));
    CHECK(r.status == 1);
    CHECK(contains(r.out, "feature 'T5': customer count 'many' (field 'customers') is not a number"));
    CHECK(contains(r.out, "feature 'T6': customer count -3 (field 'customers') is negative"));
    CHECK(contains(r.out, "feature 'T7': customer count (field 'customers') is missing"));
    CHECK(contains(r.out, "4 in the model, 3 rejected"));
}

TEST_CASE("a transformer with no geometry is rejected")
{
    TempDir d;
    const std::string nogeom = R"({"type":"Feature","properties":{"id":"T9","customers":3},"geometry":null})";
    const auto r = run(check_args(d, transformers({nogeom})));
    CHECK(r.status == 1);
    CHECK(contains(r.out, "error [geometry_empty]"));
    CHECK(contains(r.out, "feature 'T9': transformer has no geometry"));
}

TEST_CASE("an invalid boundary polygon is repaired with a warning, not an error")
{
    TempDir d;
    // A bow-tie third community far from the transformers.
    const std::string bowtie =
        R"({"type":"Feature","properties":{"id":"BOW"},"geometry":{"type":"Polygon","coordinates":[[[113.03,28.0],[113.04,28.01],[113.04,28.0],[113.03,28.01],[113.03,28.0]]]}})";
    const std::string units = geojson({box(113.00, 28.00, 113.01, 28.01, R"("id":"C1")"),
                                       box(113.01, 28.00, 113.02, 28.01, R"("id":"C2")"), bowtie});
    const auto r = run("check -q --transformers '" + d.write("tx.geojson", transformers()) +
                       "' --boundaries '" + d.write("units.geojson", units) + "'");
    CHECK(r.status == 0);
    CHECK(contains(r.out, "warning [geometry_repaired]"));
    CHECK(contains(r.out, "feature 'BOW': admin unit polygon is invalid (Self-intersection"));
    CHECK(contains(r.out, "repaired with MakeValid"));
}

TEST_CASE("a transformer outside every boundary is rejected with the nearest unit")
{
    TempDir d;
    const auto r = run(check_args(d, transformers({point(113.05, 28.005, R"("id":"FAR","customers":5)")})));
    CHECK(r.status == 1);
    CHECK(contains(r.out, "error [outside_boundaries]"));
    CHECK(contains(r.out, "feature 'FAR': transformer lies outside every unit of level 'communities' "
                          "(nearest: unit 'C2'"));
    CHECK(contains(r.out, "1 rejected"));
}

TEST_CASE("overlapping units of one level are an error naming both")
{
    TempDir d;
    const std::string units = geojson({box(113.00, 28.00, 113.012, 28.01, R"("id":"C1")"),
                                       box(113.01, 28.00, 113.02, 28.01, R"("id":"C2")")});
    const auto r = run("check -q --transformers '" + d.write("tx.geojson", transformers()) +
                       "' --boundaries '" + d.write("units.geojson", units) + "'");
    CHECK(r.status == 1);
    CHECK(contains(r.out, "error [units_overlap]"));
    CHECK(contains(r.out, "feature 'C1': admin unit overlaps unit 'C2' of the same level by"));
}

TEST_CASE("feeder edges naming unknown transformers are errors")
{
    TempDir d;
    const std::string edges = "from_id,to_id,feeder_id\nT1,T2,F1\nT3,T4,F2\nT2,GHOST,F1\n";
    const auto r = run(check_args(d, transformers(), "--feeders '" + d.write("edges.csv", edges) + "'"));
    CHECK(r.status == 1);
    CHECK(contains(r.out, "error [feeder_unknown_end]"));
    CHECK(contains(r.out, "feature 'GHOST': a feeder edge names transformer 'GHOST', which does not exist"));
    CHECK(contains(r.out, "2 transformer links"));
}

TEST_CASE("a node-based edge table without --node-field gets one message saying what to map")
{
    TempDir d;
    const std::string edges = "from_id,to_id,feeder_id\nb1,b2,F1\nb2,b3,F1\nb3,b4,F2\n";
    const auto r = run(check_args(d, transformers(), "--feeders '" + d.write("edges.csv", edges) + "'"));
    CHECK(r.status == 1);
    CHECK(contains(r.out, "4 of 4 feeder edge ends name no transformer"));
    CHECK(contains(r.out, "--node-field"));
}

TEST_CASE("a transformer naming a feeder the feeder layer lacks is an error")
{
    TempDir d;
    const std::string edges = "from_id,to_id,feeder_id\nT1,T2,F1\n";
    const auto r = run(check_args(d, transformers(), "--feeders '" + d.write("edges.csv", edges) + "'"));
    CHECK(r.status == 1);
    CHECK(contains(r.out, "error [feeder_unknown]"));
    CHECK(contains(r.out, "feature 'T3': transformer names feeder 'F2', which the feeder layer does not have"));
}

TEST_CASE("unreadable files, unknown layers and missing fields name what exists")
{
    TempDir d;
    auto r = run("check -q --transformers '" + (d / "nope.gpkg") + "'");
    CHECK(r.status == 1);
    CHECK(contains(r.out, "error [file_unreadable]"));
    CHECK(contains(r.out, "nope.gpkg': no such file"));

    const std::string garbage = d.write("garbage.gpkg", "this is not a geopackage");
    r = run("check -q --transformers '" + garbage + "'");
    CHECK(r.status == 1);
    CHECK(contains(r.out, "error [file_unreadable]"));

    r = run("check -q --transformers '" + std::string(LIBGRID_DATA) + "/malta/malta.gpkg:substations'");
    CHECK(r.status == 1);
    CHECK(contains(r.out, "error [layer_not_found]"));
    CHECK(contains(r.out, "has no layer 'substations'; its layers are: "));
    CHECK(contains(r.out, "transformers"));

    r = run(check_args(d, transformers(), "--customers-field households"));
    CHECK(r.status == 1);
    CHECK(contains(r.out, "error [field_missing]"));
    CHECK(contains(r.out, "transformers layer has no field 'households'; its fields are: id, customers, feeder_id"));
    CHECK(contains(r.out, "fix: map the right field with --customers-field"));
}

TEST_CASE("a CSV without CRS needs --assume-crs")
{
    TempDir d;
    const std::string csv = "id,x,y,customers\nA,113.002,28.002,10\nB,113.008,28.007,20\n";
    const std::string path = d.write("tx.csv", csv);
    auto r = run("check -q --transformers '" + path + "'");
    CHECK(r.status == 1);
    CHECK(contains(r.out, "error [crs_missing]"));
    CHECK(contains(r.out, "layer has no coordinate reference system (fix: give --assume-crs"));
    r = run("check -q --transformers '" + path + "' --assume-crs EPSG:4326");
    CHECK(r.status == 0);
    CHECK(contains(r.out, "UTM zone 49N"));
    CHECK(contains(r.out, "2 areas"));
    r = run("check -q --transformers '" + path + "' --assume-crs EPSG:999999");
    CHECK(r.status == 3);
    CHECK(contains(r.err, "--assume-crs 'EPSG:999999' is not a CRS GDAL understands"));
}

TEST_CASE("bad command lines exit 2")
{
    CHECK(run("").status == 2);
    CHECK(run("check").status == 2);
    CHECK(run("check --transformers x --no-such-flag").status == 2);
}

TEST_CASE("check --out writes service areas, the report and the rejected list, never over an input")
{
    TempDir d;
    const auto out = d / "out";
    const auto r = run(check_args(d, transformers({point(113.05, 28.005, R"("id":"FAR","customers":5)")}),
                                  "--out '" + out + "' --formats gpkg,shp"));
    CHECK(r.status == 1);
    CHECK(fs::exists(out + "/service_areas.gpkg"));
    CHECK(fs::exists(out + "/service_areas.shp"));
    CHECK(fs::exists(out + "/service_areas.cpg"));
    CHECK(fs::exists(out + "/service_areas.prj"));
    CHECK(contains(slurp(out + "/rejected.csv"), "\"FAR\",outside_boundaries"));
    const std::string report = slurp(out + "/check_report.json");
    CHECK(contains(report, "\"transformers_read\": 5"));
    CHECK(contains(report, "\"rejected\": 1"));
    CHECK(contains(report, "\"code\": \"outside_boundaries\""));

    // An input named like an output in the output folder is never replaced.
    TempDir e;
    const std::string tx = e.write("service_areas.geojson", transformers());
    const auto r2 = run("check -q --transformers '" + tx + "' --boundaries '" +
                        e.write("u.geojson", two_communities) + "' --out '" + e.path.string() +
                        "' --formats geojson");
    CHECK(r2.status == 3);
    CHECK(contains(r2.err, "refusing to write"));
    CHECK(contains(slurp(tx), "\"T1\""));
}

TEST_CASE("feeders given as lines without node ids are attached by geometry, open lines are not paths")
{
    TempDir d;
    auto line = [](double x0, double y0, double x1, double y1, const std::string& props) {
        return R"({"type":"Feature","properties":{)" + props +
               R"(},"geometry":{"type":"LineString","coordinates":[[)" + std::to_string(x0) + "," +
               std::to_string(y0) + "],[" + std::to_string(x1) + "," + std::to_string(y1) + "]]}}";
    };
    // T1-T2 on F1, T3-T4 on F2, and a normally-open tie T2-T3 that must not link them.
    const std::string lines = geojson({line(113.002, 28.002, 113.008, 28.007, R"("feeder_id":"F1","normally_open":0)"),
                                       line(113.012, 28.003, 113.018, 28.008, R"("feeder_id":"F2","normally_open":0)"),
                                       line(113.008, 28.007, 113.012, 28.003, R"("feeder_id":"F2","normally_open":1)")});
    auto r = run(check_args(d, transformers(), "--feeders '" + d.write("lines.geojson", lines) + "'"));
    CHECK(r.status == 0);
    CHECK(contains(r.out, "2 in the feeder layer, 2 named by transformers; 2 transformer links"));

    // A transformer far from every line is reported, not silently linked.
    r = run(check_args(d, transformers({point(113.005, 28.009, R"("id":"T5","customers":5,"feeder_id":"F1")")}),
                       "--feeders '" + d.write("lines.geojson", lines) + "'"));
    CHECK(r.status == 0);
    CHECK(contains(r.out, "warning [node_unknown]"));
    CHECK(contains(r.out, "1 transformers are more than 50 m from every feeder line vertex (e.g. 'T5')"));
}

TEST_CASE("options can come from a TOML config file, one section per subcommand")
{
    TempDir d;
    const std::string cfg = d.write("plan.toml", "[check]\ntransformers = \"" + d.write("tx.geojson", transformers()) +
                                                     "\"\nboundaries = [\"" + d.write("u.geojson", two_communities) +
                                                     "\"]\ncustomers-field = \"customers\"\nquiet = true\n");
    const auto r = run("--config '" + cfg + "' check");
    CHECK(r.status == 0);
    CHECK(contains(r.out, "4 in the model, 0 rejected"));
}
