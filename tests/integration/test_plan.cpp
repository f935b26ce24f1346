// `grid-partition plan`: what a planner gets (files, summary, exit status, messages) on the
// bundled Malta sample, on a synthetic city with three stations and on small bad inputs.
// Properties are checked from the written files (assignments.csv above all), not from what the
// program says about itself, wherever the files allow it.
#include "cli_run.hpp"

#include <map>
#include <set>
#include <sstream>
#include <vector>

using namespace cli_test;

namespace {

const std::string malta_data = std::string(LIBGRID_DATA) + "/malta/malta.gpkg";

/// The sample's field mapping (as scripts/sample.sh runs it).
std::string malta_args(const std::string& out)
{
    return "plan -q --transformers '" + malta_data + "':transformers --where 'is_atom = 1' --id-field atom_id "
           "--customers-field customers_proxy --boundaries '" + malta_data + "':admin_units_finest "
           "--unit-id-field osm_id --out '" + out + "' ";
}

std::vector<std::string> split(const std::string& line, char sep = ',')
{
    std::vector<std::string> out(1);
    for (const char c : line) {
        if (c == sep) out.emplace_back();
        else out.back() += c;
    }
    return out;
}

/// assignments.csv as rows of fields (ids in these inputs hold no comma or quote).
std::vector<std::vector<std::string>> read_csv(const std::string& path)
{
    std::istringstream in(slurp(path));
    std::vector<std::vector<std::string>> rows;
    for (std::string line; std::getline(in, line);) rows.push_back(split(line));
    return rows;
}

std::size_t count(const std::string& text, const std::string& part)
{
    std::size_t n = 0;
    for (auto p = text.find(part); p != std::string::npos; p = text.find(part, p + 1)) ++n;
    return n;
}

/// Grid id -> the set of values of column `col` among its transformers.
std::map<std::string, std::set<std::string>> per_grid(const std::vector<std::vector<std::string>>& rows,
                                                      std::size_t col)
{
    std::map<std::string, std::set<std::string>> out;
    for (std::size_t i = 1; i < rows.size(); ++i) out[rows[i][1]].insert(rows[i][col]);
    return out;
}

} // namespace

TEST_CASE("plan on Malta writes every output and a summary with the balance against its bound")
{
    TempDir d;
    const auto r = run(malta_args(d / "out") + "--grids 10 --formats gpkg,shp,geojson");
    REQUIRE(r.status == 0);
    CHECK(r.err.empty()); // -q
    CHECK(contains(r.out, "98 transformers read, 98 planned, 0 rejected"));
    CHECK(contains(r.out, "grids          10"));
    CHECK(contains(r.out, "max deviation "));
    CHECK(contains(r.out, "(lower bound "));
    CHECK(contains(r.out, "result: 10 grids planned"));
    for (const char* f : {"grids.gpkg", "assignments.csv", "report.json", "rejected.csv", "grids.shp",
                          "transformers.shp", "service_areas.shp", "grids.geojson", "transformers.geojson",
                          "service_areas.geojson"}) {
        CAPTURE(f);
        CHECK(fs::exists(d / ("out/" + std::string(f))));
        CHECK(contains(r.out, d / ("out/" + std::string(f))));
    }
    // Nothing staged is left behind (the temporary folder and files start with a dot).
    std::size_t hidden = 0;
    for (const auto& e : fs::directory_iterator(d / "out")) hidden += e.path().filename().string()[0] == '.';
    CHECK(hidden == 0);

    // Every transformer once, in 10 grids.
    const auto rows = read_csv(d / "out/assignments.csv");
    REQUIRE(rows.size() == 99);
    CHECK(rows[0] == std::vector<std::string>{"transformer_id", "grid_id", "station_id", "customers", "load"});
    std::set<std::string> ids, grids;
    for (std::size_t i = 1; i < rows.size(); ++i) {
        ids.insert(rows[i][0]);
        grids.insert(rows[i][1]);
    }
    CHECK(ids.size() == 98);
    CHECK(grids.size() == 10);

    const auto report = slurp(d / "out/report.json");
    CHECK(contains(report, "\"verification\": \"passed\""));
    const auto typed = report_of(d / "out");
    CHECK(typed.overall.grids == 10);
    CHECK(contains(report, "\"max_abs_deviation\": "));
    CHECK(contains(report, "\"lower_bound\": "));
    CHECK(contains(report, "\"polsby_popper_mean\": "));
    REQUIRE(typed.overall.admin_splits.size() == 1);
    CHECK(typed.overall.admin_splits[0].first == "admin_units_finest");
    CHECK(contains(report, "\"continuity\": null")); // Malta has no current manager field
    CHECK(typed.overall.continuity == -1.0);
    CHECK(typed.options.partition.seed == 1);
    CHECK(contains(report, "\"partition\": "));      // timings
    CHECK(count(report, "\"grid_id\": ") == 10);
    CHECK(report.back() == '\n');

    // Shapefiles for ArcGIS: UTF-8 .cpg, a .prj, readable 10-character field names.
    for (const char* layer : {"grids", "transformers", "service_areas"}) {
        CAPTURE(layer);
        CHECK(contains(slurp(d / ("out/" + std::string(layer) + ".cpg")), "UTF-8"));
        CHECK(contains(slurp(d / ("out/" + std::string(layer) + ".prj")), "WGS"));
    }
    const auto dbf = slurp(d / "out/grids.dbf");
    for (const char* name : {"n_transf", "n_feeders", "n_units", "polsbypop", "manager_id", "station_id"})
        CHECK(contains(dbf, name));
    CHECK_FALSE(contains(dbf, "transforme"));
    CHECK(contains(slurp(d / "out/transformers.dbf"), "transf_id"));
    // GeoJSON keeps the full names.
    CHECK(contains(slurp(d / "out/grids.geojson"), "\"polsby_popper\""));
}

TEST_CASE("the same inputs and seed give a byte-identical assignments.csv, another seed a different one")
{
    TempDir d;
    REQUIRE(run(malta_args(d / "a") + "--grids 10 --seed 5").status == 0);
    REQUIRE(run(malta_args(d / "b") + "--grids 10 --seed 5 --threads 1").status == 0); // also thread-independent
    REQUIRE(run(malta_args(d / "c") + "--grids 10 --seed 6").status == 0);
    CHECK(slurp(d / "a/assignments.csv") == slurp(d / "b/assignments.csv"));
    CHECK(slurp(d / "a/assignments.csv") != slurp(d / "c/assignments.csv"));
}

TEST_CASE("infeasible requests exit 1 naming what is impossible, --allow-infeasible relaxes and says so")
{
    TempDir d;
    SUBCASE("a transformer heavier than --max-load")
    {
        const auto r = run(malta_args(d / "out") + "--max-load 500");
        CHECK(r.status == 1);
        CHECK(contains(r.err, "transformer 'n1779042485' alone has load 592.0, over the cap --max-load 500.0"));
        CHECK(contains(r.err, "--allow-infeasible"));
        CHECK_FALSE(fs::exists(d / "out/assignments.csv"));
    }
    SUBCASE("fewer grids than separate pieces (Malta and Gozo are islands)")
    {
        const auto r = run(malta_args(d / "out") + "--grids 1");
        CHECK(r.status == 1);
        CHECK(contains(r.err, "1 grids were asked but the territory has 2 separate pieces"));
        CHECK_FALSE(fs::exists(d / "out/assignments.csv"));

        const auto relaxed = run(malta_args(d / "out") + "--grids 1 --allow-infeasible");
        CHECK(relaxed.status == 0);
        CHECK(contains(relaxed.out, "notes:\n  relaxed: 1 grids were asked"));
        const auto notes = report_of(d / "out").notes;
        REQUIRE(!notes.empty());
        CHECK(notes[0].rfind("relaxed: 1 grids were asked", 0) == 0);
        CHECK(per_grid(read_csv(d / "out/assignments.csv"), 0).size() == 2);
    }
}

TEST_CASE("--max-load without K makes enough grids for every grid to stay under the cap")
{
    TempDir d;
    const auto r = run(malta_args(d / "out") + "--max-load 1000");
    REQUIRE(r.status == 0);
    std::map<std::string, double> load;
    const auto rows = read_csv(d / "out/assignments.csv");
    for (std::size_t i = 1; i < rows.size(); ++i) load[rows[i][1]] += std::stod(rows[i][4]);
    CHECK(load.size() >= 14); // 13,281 customers under a cap of 1,000
    for (const auto& [grid, l] : load) {
        CAPTURE(grid);
        CHECK(l <= 1000.0);
    }
    CHECK(report_of(d / "out").options.partition.max_load == 1000.0);
}

TEST_CASE("the number of grids is required: exit 2 with a message saying what to give")
{
    TempDir d;
    const auto r = run(malta_args(d / "out"));
    CHECK(r.status == 2);
    CHECK(contains(r.err, "say how many grids: give --grids K, --grids-per-station FILE, --target-load N or "
                          "--max-load N"));
    CHECK(run(malta_args(d / "out") + "--grids 0").status == 2);
    CHECK(run(malta_args(d / "out") + "--grids 5 --class-weight commercial").status == 2);
    CHECK(run(malta_args(d / "out") + "--grids 5 --formats gpkg,kml").status == 2);
    CHECK_FALSE(fs::exists(d / "out"));
}

TEST_CASE("plan options can come from the [plan] section of a config file")
{
    TempDir d;
    const std::string common = "[plan]\ntransformers = \"" + malta_data + ":transformers\"\nwhere = \"is_atom = 1\"\n"
                               "id-field = \"atom_id\"\ncustomers-field = \"customers_proxy\"\nboundaries = [\"" +
                               malta_data + ":admin_units_finest\"]\nunit-id-field = \"osm_id\"\nquiet = true\n"
                               "out = \"" + (d / "out") + "\"\n";
    auto r = run("--config '" + d.write("plan.toml", common + "grids = 4\nseed = 3\n") + "' plan");
    CHECK(r.status == 0);
    CHECK(contains(r.out, "result: 4 grids planned"));
    CHECK(contains(slurp(d / "out/report.json"), "\"seed\": 3,"));
    // The grid count is required from the file or the command line alike.
    r = run("--config '" + d.write("no_k.toml", common) + "' plan");
    CHECK(r.status == 2);
    CHECK(contains(r.err, "say how many grids"));
    CHECK(run("--config '" + (d / "no_k.toml") + "' plan --grids 3").status == 0);
}

TEST_CASE("plan never writes over an input")
{
    TempDir d;
    fs::copy_file(malta_data, d / "grids.gpkg");
    const auto before = slurp(d / "grids.gpkg");
    const auto r = run("plan -q --transformers '" + (d / "grids.gpkg") + "':transformers --where 'is_atom = 1' "
                       "--id-field atom_id --customers-field customers_proxy --boundaries '" + (d / "grids.gpkg") +
                       "':admin_units_finest --unit-id-field osm_id --grids 10 --out '" + d.path.string() + "'");
    CHECK(r.status == 3);
    CHECK(contains(r.err, "refusing to write '" + (d / "grids.gpkg") + "': it is an input of this run"));
    CHECK(slurp(d / "grids.gpkg") == before);
    CHECK_FALSE(fs::exists(d / "assignments.csv"));
}

TEST_CASE("--skip-invalid plans the valid transformers and lists the rejected ones in input order")
{
    TempDir d;
    const std::string units = geojson({box(113.00, 28.00, 113.01, 28.01, R"("id":"C1")"),
                                       box(113.01, 28.00, 113.02, 28.01, R"("id":"C2")")});
    const std::string tx = geojson({point(113.002, 28.002, R"("id":"T1","customers":120)"),
                                    point(113.008, 28.007, R"("id":"T2","customers":80)"),
                                    point(113.005, 28.005, R"("id":"BAD","customers":"many")"),
                                    point(113.012, 28.003, R"("id":"T3","customers":200)"),
                                    point(113.018, 28.008, R"("id":"T4","customers":100)")});
    const std::string args = "plan -q --transformers '" + d.write("tx.geojson", tx) + "' --boundaries '" +
                             d.write("u.geojson", units) + "' --grids 2 --out '" + (d / "out") + "' ";
    const auto refused = run(args);
    CHECK(refused.status == 1);
    CHECK(contains(refused.out, "feature 'BAD': customer count 'many'"));
    CHECK(contains(refused.out, "nothing was planned"));
    CHECK(contains(refused.out, "--skip-invalid"));
    CHECK_FALSE(fs::exists(d / "out/assignments.csv"));

    const auto r = run(args + "--skip-invalid");
    REQUIRE(r.status == 0);
    CHECK(contains(r.out, "5 transformers read, 4 planned, 1 rejected"));
    CHECK(contains(r.out, "1 rejected transformers left out (see rejected.csv)"));
    const auto rows = read_csv(d / "out/assignments.csv");
    REQUIRE(rows.size() == 6);
    CHECK(rows[0].back() == "status");
    CHECK(rows[1][0] == "T1");
    CHECK(rows[1].back() == "planned");
    CHECK(rows[3][0] == "BAD");
    CHECK(rows[3][1].empty());
    CHECK(rows[3].back().rfind("rejected: ", 0) == 0);
    CHECK(rows[4][0] == "T3");
    CHECK(contains(slurp(d / "out/rejected.csv"), "\"BAD\""));
}

#ifdef SYNTH_CITY
namespace {

/// One synthetic city of 3,000 transformers in 3 stations for every test below, written both as
/// GeoPackage (the inputs) and as CSV (attributes the tests read back: community, classes).
struct City {
    TempDir dir;
    std::string inputs;
    City()
    {
        for (const char* format : {"gpkg", "csv"}) {
            const std::string cmd = std::string("'") + SYNTH_CITY + "' --transformers 3000 --stations 3 --seed 1 "
                                    "--format " + format + " --out '" + (dir / format) + "' >/dev/null 2>&1";
            REQUIRE(std::system(cmd.c_str()) == 0);
        }
        const std::string c = dir / "gpkg";
        // One restart per region: these tests check hard constraints and options, which hold at
        // any effort, and the automatic effort on hundreds of small nest regions costs seconds.
        inputs = "--transformers '" + c + "/transformers.gpkg' --boundaries '" + c + "/boundaries.gpkg' --feeders '" +
                 c + "/feeders.gpkg' --node-field hv_bus --restarts 1 ";
    }
    /// Column `name` of the generator's transformers.csv by transformer id.
    std::map<std::string, std::string> column(const std::string& name) const
    {
        const auto rows = read_csv(dir / "csv/transformers.csv");
        std::size_t id = 0, col = 0;
        for (std::size_t j = 0; j < rows[0].size(); ++j) {
            if (rows[0][j] == "id") id = j;
            if (rows[0][j] == name) col = j;
        }
        REQUIRE(col != 0);
        std::map<std::string, std::string> out;
        for (std::size_t i = 1; i < rows.size(); ++i) out[rows[i][id]] = rows[i][col];
        return out;
    }
};

const City& city()
{
    static const City c;
    return c;
}

} // namespace

TEST_CASE("a synthetic city of 3,000 transformers in 3 stations into 150 contiguous grids nested in stations")
{
    TempDir d;
    const auto r = run("plan -q " + city().inputs + "--grids 150 --out '" + (d / "out") + "'");
    REQUIRE(r.status == 0);
    const auto rows = read_csv(d / "out/assignments.csv");
    REQUIRE(rows.size() == 3001);
    const auto stations = per_grid(rows, 2);
    CHECK(stations.size() == 150);
    for (const auto& [grid, s] : stations) {
        CAPTURE(grid);
        CHECK(s.size() == 1);
    }
    const auto report = slurp(d / "out/report.json");
    // Overall and each of the 3 stations: no grid in more than one piece.
    CHECK(count(report, "\"non_contiguous\": 0") == 4);
    CHECK(count(report, "\"non_contiguous\": ") == 4);
    CHECK(count(report, "\"station_id\": \"ST000") == 3 + 150);
    CHECK(contains(r.out, "ST0001"));
    CHECK(contains(r.out, "multi-part grids 0 (every grid is one polygon)"));
    // The written polygons, as a GIS analyst would count them: every grid one part, although
    // feeder links join areas that share no border.
    const std::string sql = "ogrinfo -q '" + (d / "out/grids.gpkg") +
                            "' -dialect sqlite -sql 'select count(*) as multi from grids where st_numgeometries(geom) > 1'";
    const auto parts = run_shell(sql);
    CHECK(contains(parts, "multi (Integer) = 0"));
}

TEST_CASE("a balance tolerance that cannot be met is said in the summary and the report, and --strict fails")
{
    // Malta into 10 grids: the heaviest atoms keep every plan above 1% (the lower bound says so).
    TempDir d;
    const auto r = run(malta_args(d / "out") + "--grids 10");
    REQUIRE(r.status == 0);
    CHECK(contains(r.out, "tolerance      NOT MET in 1 of 1 stations (asked 1.00%"));
    CHECK(contains(r.out, "NOT MET"));
    CHECK(contains(r.out, "balance tolerance 1.00% not met: max deviation"));
    CHECK(contains(r.out, "no plan can do better than the lower bound"));
    CHECK(contains(r.out, "WARNING: 1 of 1 stations outside the balance tolerance 1.00%"));
    CHECK(contains(r.out, "of the territory's mean"));
    const auto report = slurp(d / "out/report.json");
    CHECK(contains(report, "\"target_met\": false"));
    CHECK(contains(report, "\"tolerance\": 0.01"));
    const auto balance = report_of(d / "out").balance;
    CHECK(balance.tolerance == 0.01);
    CHECK_FALSE(balance.target_met);
    CHECK(balance.stations_missed == std::vector<std::string>{""});
    CHECK(contains(report, "\"max_deviation_vs_territory_mean\": "));

    // --strict: exit 5, nothing written, each station named with asked / achieved / bound.
    const auto strict = run(malta_args(d / "strict") + "--grids 10 --strict");
    CHECK(strict.status == 5);
    CHECK(contains(strict.err, "--strict: 1 of 1 stations are outside the balance tolerance 1.00%; nothing was written"));
    CHECK(contains(strict.err, "(all): max deviation "));
    CHECK(contains(strict.err, ", asked 1.00%, lower bound "));
    CHECK_FALSE(fs::exists(d / "strict/grids.gpkg"));
    CHECK_FALSE(fs::exists(d / "strict/report.json"));

    // A tolerance the plan meets: said too, and --strict passes.
    const auto met = run(malta_args(d / "met") + "--grids 10 --balance-tolerance 0.3 --strict --effort 2");
    REQUIRE(met.status == 0);
    CHECK(contains(met.out, "tolerance      met: every grid within 30.00% of its station's target"));
    CHECK(contains(slurp(d / "met/report.json"), "\"target_met\": true"));
    CHECK(contains(slurp(d / "met/report.json"), "\"effort\": 2,"));
    // An effort is a positive work budget.
    const auto zero = run(malta_args(d / "zero") + "--grids 10 --effort 0");
    CHECK(zero.status == 2);
    CHECK(contains(zero.err, "--effort"));
}

TEST_CASE("--nest-level community keeps every grid inside one community")
{
    TempDir d;
    const auto r = run("plan -q " + city().inputs + "--grids 150 --nest-level community --out '" + (d / "out") + "'");
    REQUIRE(r.status == 0);
    const auto community = city().column("community_id");
    const auto rows = read_csv(d / "out/assignments.csv");
    std::map<std::string, std::set<std::string>> of_grid;
    for (std::size_t i = 1; i < rows.size(); ++i) of_grid[rows[i][1]].insert(community.at(rows[i][0]));
    CHECK(of_grid.size() == 150);
    for (const auto& [grid, units] : of_grid) {
        CAPTURE(grid);
        CHECK(units.size() == 1);
    }
    CHECK(contains(slurp(d / "out/report.json"), "\"nest_level\": \"community\""));
}

TEST_CASE("--grids-per-station fixes each station's grids, a station too small for its grids exits 1")
{
    TempDir d;
    const auto table = d.write("k.csv", "station_id,grids\nST0001,10\nST0002,20\r\n\"ST0003\",30\n");
    auto r = run("plan -q " + city().inputs + "--grids-per-station '" + table + "' --out '" + (d / "out") + "'");
    REQUIRE(r.status == 0);
    std::map<std::string, std::set<std::string>> grids_of;
    const auto rows = read_csv(d / "out/assignments.csv");
    for (std::size_t i = 1; i < rows.size(); ++i) grids_of[rows[i][2]].insert(rows[i][1]);
    CHECK(grids_of["ST0001"].size() == 10);
    CHECK(grids_of["ST0002"].size() == 20);
    CHECK(grids_of["ST0003"].size() == 30);

    r = run("plan -q " + city().inputs + "--grids-per-station '" + d.write("big.csv", "station_id,grids\nST0001,5000\n") +
            "' --out '" + (d / "out2") + "'");
    CHECK(r.status == 1);
    CHECK(contains(r.err, "station 'ST0001' gets 5000 grids but has only "));
    CHECK_FALSE(fs::exists(d / "out2/assignments.csv"));

    r = run("plan -q " + city().inputs + "--grids-per-station '" +
            d.write("bad.csv", "station_id,grids\nST0001,10\nST0002,ten\n") + "' --out '" + (d / "out2") + "'");
    CHECK(r.status == 1);
    CHECK(contains(r.err, "bad.csv' line 3: grids 'ten' for station 'ST0002' is not a positive whole number"));
}

TEST_CASE("--class-weight changes loads: commercial customers weigh three times")
{
    TempDir d;
    const auto r = run("plan -q " + city().inputs + "--grids 30 --class-weight commercial=3 --out '" + (d / "out") + "'");
    REQUIRE(r.status == 0);
    const auto residential = city().column("customers_residential");
    const auto commercial = city().column("customers_commercial");
    const auto rows = read_csv(d / "out/assignments.csv");
    std::size_t differ = 0;
    for (std::size_t i = 1; i < rows.size(); ++i) {
        const auto& id = rows[i][0];
        CHECK(std::stod(rows[i][4]) == std::stod(residential.at(id)) + 3 * std::stod(commercial.at(id)));
        differ += rows[i][3] != rows[i][4];
    }
    CHECK(differ > 100);
    const auto classes = report_of(d / "out").options.partition.workload.class_weights;
    REQUIRE(classes.size() == 1);
    CHECK(classes[0] == std::pair<std::string, double>{"commercial", 3.0});
}
#endif

TEST_CASE("numbers that are not finite, and a class weight for a class the data lacks, exit 2 naming the option")
{
    TempDir d;
    for (const auto& [flag, said] : std::vector<std::pair<std::string, std::string>>{
             {"--per-transformer-weight nan", "--per-transformer-weight nan is not a finite number >= 0"},
             {"--balance-tolerance nan", "--balance-tolerance nan is not a finite number >= 0"},
             {"--weight-admin nan", "--weight-admin nan is not a finite number >= 0"},
             {"--class-weight comercial=3", "--class-weight names class 'comercial', which no transformer has"},
             {"--manager-capacity nan", "the manager capacity nan is not a finite number > 0"}}) {
        CAPTURE(flag);
        const auto r = run(malta_args(d / "out") + "--grids 10 " + flag);
        CHECK(r.status == 2);
        CHECK(contains(r.err, said));
        CHECK_FALSE(fs::exists(d / "out/report.json"));
    }
}
