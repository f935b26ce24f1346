// `grid-partition locate`: the table a dispatcher gets for a day's work orders (columns, inside
// and outside points), and the messages and exit status of every way it can fail.
#include "cli_run.hpp"

#include <map>
#include <sstream>
#include <vector>

using namespace cli_test;

namespace {

const std::string malta = std::string(LIBGRID_DATA) + "/malta/malta.gpkg";

/// Plans the Malta sample into `out` (12 grids, lon/lat outputs).
void plan_malta(const std::string& out)
{
    const auto r = run("plan -q --transformers '" + malta + "':transformers --where 'is_atom = 1' --id-field atom_id "
                       "--customers-field customers_proxy --boundaries '" + malta + "':admin_units_finest "
                       "--unit-id-field osm_id --grids 12 --out '" + out + "'");
    REQUIRE(r.status == 0);
}

std::vector<std::string> split(const std::string& line)
{
    std::vector<std::string> out(1);
    for (const char c : line) {
        if (c == ',') out.emplace_back();
        else out.back() += c;
    }
    return out;
}

std::vector<std::vector<std::string>> rows_of(const std::string& path)
{
    std::istringstream in(slurp(path));
    std::vector<std::vector<std::string>> rows;
    for (std::string line; std::getline(in, line);) rows.push_back(split(line));
    return rows;
}

// Two work orders in Valletta and Mosta, one at sea off the south-west coast.
const std::string orders = "id,lon,lat,kind\n"
                           "w1,14.5146,35.8989,repair\n"
                           "w2,14.4260,35.9090,new\n"
                           "w3,14.2500,35.8000,repair\n";

} // namespace

TEST_CASE("locate writes each work order's grid, station and manager and flags those outside every grid")
{
    TempDir d;
    plan_malta(d / "plan");
    const auto r = run("locate -q --plan '" + (d / "plan") + "' --points '" + d.write("orders.csv", orders) +
                       "' --out '" + (d / "out/located.csv") + "'");
    CHECK(r.status == 0);
    CHECK(contains(r.out, "12 grids"));
    CHECK(contains(r.out, "3 read from"));
    CHECK(contains(r.out, "columns lon, lat"));
    CHECK(contains(r.out, "in WGS 84 (assumed: the file has no CRS; give --points-crs if it is another)"));
    CHECK(contains(r.out, "2 inside a grid, 1 outside every grid"));
    CHECK(contains(r.out, "w3: G0"));
    CHECK(contains(r.out, "result: 3 points located (2 inside, 1 outside)"));
    const auto rows = rows_of(d / "out/located.csv");
    REQUIRE(rows.size() == 4);
    CHECK(rows[0] == std::vector<std::string>{"id", "x", "y", "grid_id", "station_id", "manager_id", "manager_name",
                                              "manager_phone", "inside", "distance_m"});
    CHECK(rows[1][0] == "w1");
    CHECK(rows[1][1] == "14.5146");
    CHECK(rows[1][2] == "35.8989");
    CHECK(rows[1][3].rfind("G0", 0) == 0);
    CHECK(rows[1][8] == "true");
    CHECK(rows[1][9] == "0");
    CHECK(rows[2][8] == "true");
    CHECK(rows[1][3] != rows[2][3]); // Valletta and Mosta are in different grids
    // At sea: the nearest grid is named, with the distance (the coast is about 11 km away).
    CHECK(rows[3][0] == "w3");
    CHECK(rows[3][3].rfind("G0", 0) == 0);
    CHECK(rows[3][8] == "false");
    const double km = std::stod(rows[3][9]) / 1000.0;
    CHECK(km > 5.0);
    CHECK(km < 20.0);
}

TEST_CASE("every transformer of a plan is located in the grid the plan gave it")
{
    TempDir d;
    plan_malta(d / "plan");
    const auto r = run("locate -q --plan '" + (d / "plan") + "' --points '" + (d / "plan/grids.gpkg") +
                       ":transformers' --id-field transformer_id --out '" + (d / "tx.gpkg") + "'");
    REQUIRE(r.status == 0);
    CHECK(contains(r.out, "layer 'transformers', geometry, ids from field 'transformer_id'"));
    CHECK(fs::exists(d / "tx.gpkg"));
    REQUIRE(run("locate -q --plan '" + (d / "plan") + "' --points '" + (d / "plan/grids.gpkg") +
                ":transformers' --id-field transformer_id --out '" + (d / "tx.csv") + "'")
                .status == 0);
    std::map<std::string, std::string> planned;
    const auto assignments = rows_of(d / "plan/assignments.csv");
    for (std::size_t i = 1; i < assignments.size(); ++i) planned[assignments[i][0]] = assignments[i][1];
    const auto located = rows_of(d / "tx.csv");
    REQUIRE(located.size() == planned.size() + 1);
    std::size_t differ = 0;
    for (std::size_t i = 1; i < located.size(); ++i)
        differ += located[i][3] != planned[located[i][0]] || located[i][8] != "true";
    CHECK(differ == 0);
}

TEST_CASE("points in a projected CRS are moved to the plan's CRS before the look-up")
{
    TempDir d;
    plan_malta(d / "plan");
    // w1 (Valletta) in UTM zone 33N, without a CRS in the file: given by --points-crs.
    const auto r = run("locate -q --plan '" + (d / "plan") + "' --points '" +
                       d.write("utm.csv", "code,easting,northing\nA,456170,3972770\nB,456170.5,3972770\n") +
                       "' --id-field code --points-crs EPSG:32633 --out '" + (d / "utm_out.csv") + "'");
    REQUIRE(r.status == 0);
    const auto geo = run("locate -q --plan '" + (d / "plan") + "' --points '" + d.write("orders.csv", orders) +
                         "' --out '" + (d / "geo_out.csv") + "'");
    REQUIRE(geo.status == 0);
    const auto utm_rows = rows_of(d / "utm_out.csv");
    const auto geo_rows = rows_of(d / "geo_out.csv");
    CHECK(utm_rows[1][0] == "A");
    CHECK(utm_rows[1][1] == "456170");
    CHECK(utm_rows[1][3] == geo_rows[1][3]);
    CHECK(utm_rows[1][8] == "true");
}

TEST_CASE("bad point rows stop locate with every row named, or are listed with --skip-invalid")
{
    TempDir d;
    plan_malta(d / "plan");
    const std::string points = d.write("bad.csv", "id,lon,lat\nw1,14.5146,35.8989\nw2,abc,35.9\n,14.42,35.90\nw4,14.42,\n");
    const auto r = run("locate -q --plan '" + (d / "plan") + "' --points '" + points + "' --out '" + (d / "out.csv") + "'");
    CHECK(r.status == 1);
    CHECK(contains(r.out, "3 points cannot be located"));
    CHECK(contains(r.out, "fid 2 (id w2): x 'abc' (field 'lon') is not a number"));
    CHECK(contains(r.out, "fid 3: no id (field 'id' is empty)"));
    CHECK(contains(r.out, "fid 4 (id w4): y (field 'lat') is empty"));
    CHECK(contains(r.out, "nothing was written"));
    CHECK_FALSE(fs::exists(d / "out.csv"));

    const auto skip = run("locate -q --skip-invalid --plan '" + (d / "plan") + "' --points '" + points + "' --out '" +
                          (d / "out.csv") + "'");
    CHECK(skip.status == 0);
    CHECK(contains(skip.out, "result: 1 points located (1 inside, 0 outside, 3 rejected)"));
    const auto rows = rows_of(d / "out.csv");
    REQUIRE(rows.size() == 5);
    CHECK(rows[0].back() == "status");
    CHECK(rows[1].back() == "located");
    CHECK(rows[2][0] == "w2");
    CHECK(rows[2][3].empty());
    CHECK(rows[2].back() == "rejected: x 'abc' (field 'lon') is not a number");
    CHECK(rows[3].back() == "rejected: no id (field 'id' is empty)");
}

TEST_CASE("locate explains a missing plan, a folder that is not a plan, missing columns and bad outputs")
{
    TempDir d;
    const std::string points = d.write("orders.csv", orders);
    auto locate = [&](const std::string& plan, const std::string& extra, const std::string& out) {
        return run("locate -q --plan '" + plan + "' --points '" + points + "' " + extra + " --out '" + out + "'");
    };
    auto r = locate(d / "nowhere", "", d / "o.csv");
    CHECK(r.status == 3);
    CHECK(contains(r.err, "cannot open plan folder"));
    CHECK(contains(r.err, "no such folder"));

    fs::create_directories(d / "empty");
    r = locate(d / "empty", "", d / "o.csv");
    CHECK(r.status == 3);
    CHECK(contains(r.err, "has no grids.gpkg"));

    fs::create_directories(d / "notaplan");
    fs::copy_file(malta, d / "notaplan/grids.gpkg");
    r = locate(d / "notaplan", "", d / "o.csv");
    CHECK(r.status == 3);
    CHECK(contains(r.err, "has no layer 'grids'; its layers are:"));

    plan_malta(d / "plan");
    r = locate(d / "plan", "--x-field east --y-field north", d / "o.csv");
    CHECK(r.status == 3);
    CHECK(contains(r.err, "has no x field 'east'; its fields are: id, lon, lat, kind"));
    r = locate(d / "plan", "--x-field lon", d / "o.csv");
    CHECK(r.status == 2);
    CHECK(contains(r.err, "give both --x-field and --y-field"));
    r = locate(d / "plan", "", d / "o.txt");
    CHECK(r.status == 2);
    CHECK(contains(r.err, "FILE.csv or FILE.gpkg"));
    r = locate(d / "plan", "", points);
    CHECK(r.status == 3);
    CHECK(contains(r.err, "refusing to write"));
    CHECK(slurp(points) == orders);
    r = run("locate -q --plan '" + (d / "plan") + "' --points '" + (d / "missing.csv") + "' --out '" + (d / "o.csv") + "'");
    CHECK(r.status == 3);
    CHECK(contains(r.err, "no such file"));
    CHECK_FALSE(fs::exists(d / "o.csv"));
}

TEST_CASE("locate copies the manager fields of the plan's grids, quoted where needed")
{
    TempDir d;
    // A plan folder whose grids carry manager fields (as manager assignment writes them). GDAL
    // recognises the GeoJSON text by its content, so this fixture needs no GDAL in the test.
    fs::create_directories(d.path / "plan");
    d.write("plan/grids.gpkg",
            geojson({box(14.50, 35.88, 14.51, 35.89,
                         R"("grid_id":"G1","station_id":"S1","manager_id":"M1","manager_name":"王芳, senior","manager_phone":"+356 2000 0001")"),
                     box(14.51, 35.88, 14.52, 35.89,
                         R"("grid_id":"G2","station_id":"S1","manager_id":"","manager_name":"","manager_phone":"")")}));
    const std::string points = d.write("p.csv", "id,lon,lat\na,14.505,35.885\nb,14.515,35.885\n");
    const auto r = run("locate -q --plan '" + (d / "plan") + "' --points '" + points + "' --out '" + (d / "o.csv") + "'");
    REQUIRE(r.status == 0);
    CHECK(slurp(d / "o.csv") == "id,x,y,grid_id,station_id,manager_id,manager_name,manager_phone,inside,distance_m\n"
                                "a,14.505,35.885,G1,S1,M1,\"王芳, senior\",+356 2000 0001,true,0\n"
                                "b,14.515,35.885,G2,S1,,,,true,0\n");
}

TEST_CASE("locate --where keeps only the points the filter selects")
{
    TempDir d;
    plan_malta(d / "plan");
    const auto r = run("locate -q --plan '" + (d / "plan") + "' --points '" + d.write("orders.csv", orders) +
                       "' --where \"kind = 'repair'\" --out '" + (d / "repairs.csv") + "'");
    REQUIRE(r.status == 0);
    CHECK(contains(r.out, "2 read from"));
    const auto rows = rows_of(d / "repairs.csv");
    REQUIRE(rows.size() == 3);
    CHECK(rows[1][0] == "w1");
    CHECK(rows[2][0] == "w3");
    const auto bad = run("locate -q --plan '" + (d / "plan") + "' --points '" + (d / "orders.csv") +
                         "' --where \"kindd = 'repair'\" --out '" + (d / "x.csv") + "'");
    CHECK(bad.status == 3);
    CHECK(contains(bad.err, "is not valid OGR SQL"));
}
