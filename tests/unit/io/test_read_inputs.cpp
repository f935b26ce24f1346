// Spec of read_inputs() (libgrid/io.hpp): CRS handling, field mapping, rejections, filters.
// Fixture files are written with GDAL directly or by hand (CSV) into a temporary folder.
#include "unit/io/fixtures.hpp"

#include <libgrid/error.hpp>
#include <libgrid/io.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <string>

using namespace libgrid;
using libgrid::test::Column;
using libgrid::test::Row;
using libgrid::test::TempDir;

namespace {

bool contains(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

const Issue* find_issue(const ValidationReport& report, IssueCode code)
{
    for (const auto& i : report.issues)
        if (i.code == code) return &i;
    return nullptr;
}

// Three transformer points in lon/lat near Changsha (lon 113, lat 28).
std::string write_lonlat_points(const TempDir& dir)
{
    const std::string path = dir.file("tx.gpkg");
    test::write_layer(path, "GPKG", "transformers", 4326, wkbPoint,
                      {{"id", OFTString}, {"customers", OFTInteger}},
                      {{{"T1", "10"}, "POINT (113.00 28.00)"},
                       {{"T2", "20"}, "POINT (113.01 28.02)"},
                       {{"T3", "30"}, "POINT (112.98 27.99)"}});
    return path;
}

} // namespace

TEST_CASE("lon/lat transformers are read in the UTM zone of their extent, in metres")
{
    TempDir dir("lonlat");
    ReadOptions options;
    options.transformers.path = write_lonlat_points(dir);
    const auto [territory, report] = read_inputs(options);

    CHECK(report.issues.empty());
    CHECK(contains(territory.work_crs_name, "UTM zone 49N"));
    CHECK(contains(territory.work_crs_wkt, "32649"));
    // Outputs go back to the input's CRS by default.
    CHECK(contains(territory.output_crs_wkt, "4326"));
    REQUIRE(territory.transformers.size() == 3);
    for (const auto& t : territory.transformers) {
        CHECK(t.location.x > 600000.0);
        CHECK(t.location.x < 800000.0);
        CHECK(t.location.y > 3000000.0);
        CHECK(t.location.y < 3200000.0);
    }
    // 0.01° east and 0.02° north of T1: about 1 km east and 2.2 km north.
    const Point a = territory.transformers[0].location, b = territory.transformers[1].location;
    CHECK(b.x - a.x == doctest::Approx(1000.0).epsilon(0.15));
    CHECK(b.y - a.y == doctest::Approx(2215.0).epsilon(0.02));
    CHECK(territory.transformers_file == options.transformers.path);
    CHECK(territory.transformers_layer == "transformers");
    CHECK(territory.total_customers() == 60.0);
}

TEST_CASE("a projected metric layer keeps its own CRS and coordinates")
{
    TempDir dir("projected");
    const std::string path = dir.file("tx.gpkg");
    test::write_layer(path, "GPKG", "transformers", 32650, wkbPoint,
                      {{"id", OFTString}, {"customers", OFTInteger}},
                      {{{"A", "1"}, "POINT (500123.5 3100456.25)"}, {{"B", "2"}, "POINT (501000 3101000)"}});
    ReadOptions options;
    options.transformers.path = path;
    const auto [territory, report] = read_inputs(options);
    CHECK(report.issues.empty());
    CHECK(territory.work_crs_name == "WGS 84 / UTM zone 50N");
    REQUIRE(territory.transformers.size() == 2);
    CHECK(territory.transformers[0].location.x == doctest::Approx(500123.5).epsilon(1e-12));
    CHECK(territory.transformers[0].location.y == doctest::Approx(3100456.25).epsilon(1e-12));
}

TEST_CASE("--work-crs overrides the automatic UTM zone")
{
    TempDir dir("workcrs");
    ReadOptions options;
    options.transformers.path = write_lonlat_points(dir);
    options.work_crs = "EPSG:3857";
    const auto [territory, report] = read_inputs(options);
    CHECK(report.issues.empty());
    CHECK(territory.work_crs_name == "WGS 84 / Pseudo-Mercator");
    REQUIRE(territory.transformers.size() == 3);
    // Web Mercator x of lon 113 on the WGS 84 sphere radius.
    CHECK(territory.transformers[0].location.x == doctest::Approx(12579102.5).epsilon(1e-6));
}

TEST_CASE("a CRS string nobody understands is an Error(crs), not a report")
{
    TempDir dir("badcrs");
    ReadOptions options;
    options.transformers.path = write_lonlat_points(dir);
    options.work_crs = "EPSG:not-a-code";
    try {
        read_inputs(options);
        FAIL("read_inputs accepted --work-crs EPSG:not-a-code");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::crs);
        CHECK(contains(e.what(), "--work-crs"));
    }
}

TEST_CASE("a CSV with x/y columns in a local frame keeps its coordinates unchanged")
{
    TempDir dir("csvxy");
    const std::string path = dir.file("tx.csv");
    test::write_file(path, "id,customers,x,y\nA,3,1234.5,-20.25\nB,0,0,0\n");
    ReadOptions options;
    options.transformers.path = path;
    options.assume_crs = "local";
    const auto [territory, report] = read_inputs(options);
    CHECK(report.issues.empty());
    CHECK(territory.work_crs_wkt.empty());
    CHECK(territory.output_crs_wkt.empty());
    CHECK(contains(territory.work_crs_name, "local"));
    REQUIRE(territory.transformers.size() == 2);
    CHECK(territory.transformers[0].id == "A");
    CHECK(territory.transformers[0].location.x == 1234.5);
    CHECK(territory.transformers[0].location.y == -20.25);
    CHECK(territory.transformers[0].customers == 3.0);
    CHECK(territory.transformers[1].customers == 0.0);
}

TEST_CASE("a GeoPackage with an undefined SRS (srs_id 0 or -1) has no CRS: --assume-crs local holds")
{
    for (const int srs_id : {0, -1}) {
        CAPTURE(srs_id);
        TempDir dir("undefsrs");
        const std::string path = dir.file("tx.gpkg");
        test::write_layer(path, "GPKG", "tx", 0, wkbPoint,
                          {{"id", OFTString}, {"customers", OFTInteger}},
                          {{{"A", "3"}, "POINT (100 100)"}, {{"B", "4"}, "POINT (300 100)"}});
        {
            GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE));
            REQUIRE(ds != nullptr);
            for (const char* table : {"gpkg_geometry_columns", "gpkg_contents"})
                ds->ExecuteSQL(("UPDATE " + std::string(table) + " SET srs_id = " + std::to_string(srs_id)).c_str(),
                               nullptr, nullptr);
        }
        ReadOptions options;
        options.transformers.path = path;
        SUBCASE("without --assume-crs: crs_missing, never read as lon/lat")
        {
            const auto [territory, report] = read_inputs(options);
            REQUIRE(find_issue(report, IssueCode::crs_missing) != nullptr);
        }
        SUBCASE("--assume-crs local: planar metres as written")
        {
            options.assume_crs = "local";
            const auto [territory, report] = read_inputs(options);
            CHECK(report.ok());
            CHECK(territory.work_crs_wkt.empty());
            REQUIRE(territory.transformers.size() == 2);
            CHECK(territory.transformers[1].location.x == 300.0);
        }
    }
}

TEST_CASE("a layer without CRS is an error unless --assume-crs says what it is")
{
    TempDir dir("nocrs");
    const std::string path = dir.file("tx.csv");
    test::write_file(path, "id,customers,lon,lat\nA,3,113.0,28.0\n");
    ReadOptions options;
    options.transformers.path = path;

    SUBCASE("no --assume-crs")
    {
        const auto [territory, report] = read_inputs(options);
        const Issue* issue = find_issue(report, IssueCode::crs_missing);
        REQUIRE(issue != nullptr);
        CHECK(issue->severity == Severity::error);
        CHECK(issue->file == path);
        CHECK(contains(issue->fix, "--assume-crs"));
    }
    SUBCASE("--assume-crs EPSG:4326 (lon/lat columns)")
    {
        options.assume_crs = "EPSG:4326";
        const auto [territory, report] = read_inputs(options);
        CHECK(report.issues.empty());
        CHECK(contains(territory.work_crs_name, "UTM zone 49N"));
        REQUIRE(territory.transformers.size() == 1);
        CHECK(territory.transformers[0].location.x > 600000.0);
    }
}

TEST_CASE("a CSV with a WKT column gives point and polygon transformers")
{
    TempDir dir("csvwkt");
    const std::string path = dir.file("tx.csv");
    test::write_file(path, "id,customers,wkt\n"
                           "A,3,\"POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0))\"\n"
                           "B,4,\"POINT (20 5)\"\n");
    ReadOptions options;
    options.transformers.path = path;
    options.assume_crs = "local";
    const auto [territory, report] = read_inputs(options);
    CHECK(report.issues.empty());
    REQUIRE(territory.transformers.size() == 2);
    const auto& a = territory.transformers[0];
    REQUIRE(a.shape.size() == 1);
    CHECK(area(a.shape) == doctest::Approx(100.0));
    // The polygon's transformer stands at a point inside its area.
    CHECK(a.location.x > 0.0);
    CHECK(a.location.x < 10.0);
    CHECK(a.location.y > 0.0);
    CHECK(a.location.y < 10.0);
    const auto& b = territory.transformers[1];
    CHECK(b.shape.empty());
    CHECK(b.location.x == 20.0);
    CHECK(b.location.y == 5.0);
}

TEST_CASE("a CSV with two x columns is an error naming both, not a crash")
{
    // GDAL 3.6's CSV driver crashed (SIGSEGV) when two columns matched X_POSSIBLE_NAMES.
    TempDir dir("twox");
    const std::string path = dir.file("tx.csv");
    test::write_file(path, "id,customers,lon,x,y\nA,1,5,0,0\nB,2,6,10,0\n");
    ReadOptions options;
    options.transformers.path = path;
    options.assume_crs = "local";
    SUBCASE("left to guess")
    {
        const auto [territory, report] = read_inputs(options);
        CHECK(territory.transformers.empty());
        const Issue* issue = find_issue(report, IssueCode::field_missing);
        REQUIRE(issue != nullptr);
        CHECK(contains(issue->message, "2 x-coordinate columns ('lon', 'x')"));
        CHECK(contains(issue->message, path));
        CHECK(contains(issue->fix, "--x-field"));
    }
    SUBCASE("named by the user")
    {
        options.x_names = {"x"};
        const auto [territory, report] = read_inputs(options);
        CHECK(report.ok());
        REQUIRE(territory.transformers.size() == 2);
        CHECK(territory.transformers[1].location.x == 10.0);
    }
}

TEST_CASE("customer counts are whole, plain, finite numbers up to a billion")
{
    TempDir dir("counts");
    const std::string path = dir.file("tx.csv");
    test::write_file(path, "id,customers,x,y\nA,12.5,0,0\nB,0x10,1,0\nC,1e300,2,0\nD,inf,3,0\n"
                           "E,nan,4,0\nF,1e3,5,0\nG, 7 ,6,0\n");
    ReadOptions options;
    options.transformers.path = path;
    options.assume_crs = "local";
    const auto [territory, report] = read_inputs(options);
    REQUIRE(territory.transformers.size() == 2); // 1e3 is a thousand; blanks around 7 are trimmed
    CHECK(territory.transformers[0].customers == 1000.0);
    CHECK(territory.transformers[1].customers == 7.0);
    REQUIRE(report.rejected.size() == 5);
    auto reason = [&](const std::string& id) {
        for (const auto& r : report.rejected)
            if (r.id == id) return r.reason;
        return std::string("(not rejected)");
    };
    CHECK(contains(reason("A"), "is not a whole number"));
    CHECK(contains(reason("B"), "'0x10' (field 'customers') is not a number"));
    CHECK(contains(reason("C"), "is above 1,000,000,000"));
    CHECK(contains(reason("D"), "is not a number"));
    CHECK(contains(reason("E"), "is not a number"));
}

TEST_CASE("one bad value in a customers_<class> column keeps the class and warns for that feature")
{
    TempDir dir("classnan");
    const std::string path = dir.file("tx.csv");
    test::write_file(path, "id,customers,customers_res,x,y\nA,3,3,0,0\nB,4,nan,1,0\nC,5,5,2,0\n");
    ReadOptions options;
    options.transformers.path = path;
    options.assume_crs = "local";
    const auto [territory, report] = read_inputs(options);
    REQUIRE(territory.transformers.size() == 3);
    REQUIRE(territory.transformers[0].classes.size() == 1);
    CHECK(territory.transformers[0].classes[0].name == "res");
    CHECK(territory.transformers[2].classes[0].count == 5.0);
    const Issue* issue = find_issue(report, IssueCode::value_invalid);
    REQUIRE(issue != nullptr);
    CHECK(issue->severity == Severity::warning);
    CHECK(issue->feature_id == "B");
}

TEST_CASE("fields are mapped by name and customers_<class> columns become classes")
{
    TempDir dir("fields");
    const std::string path = dir.file("tx.csv");
    test::write_file(path,
                     "tx_code,n_cust,customers_residential,customers_commercial,customers_note,"
                     "feeder,kva,x,y\n"
                     "A,12,10,2,estimated from meters,F1,250,0,0\n"
                     "B,5,5,0,,F2,,1,1\n");
    ReadOptions options;
    options.transformers.path = path;
    options.assume_crs = "local";
    options.fields.id = "tx_code";
    options.fields.customers = "n_cust";
    options.fields.feeder = "feeder";

    SUBCASE("automatic classes: numeric customers_* columns only")
    {
        const auto [territory, report] = read_inputs(options);
        // customers_note is text: left out, and said so.
        REQUIRE(report.issues.size() == 1);
        CHECK(report.issues[0].severity == Severity::info);
        CHECK(contains(report.issues[0].message, "'customers_note' is not taken as a customer class"));
        REQUIRE(territory.transformers.size() == 2);
        const auto& a = territory.transformers[0];
        CHECK(a.id == "A");
        CHECK(a.customers == 12.0);
        CHECK(a.feeder_id == "F1");
        CHECK(a.kva == 250.0);
        REQUIRE(a.classes.size() == 2); // customers_note is text, not a class
        CHECK(a.classes[0].name == "residential");
        CHECK(a.classes[0].count == 10.0);
        CHECK(a.classes[1].name == "commercial");
        CHECK(a.classes[1].count == 2.0);
        const auto& b = territory.transformers[1];
        CHECK(b.id == "B");
        CHECK(b.feeder_id == "F2");
        CHECK(std::isnan(b.kva)); // empty: unknown
        REQUIRE(b.classes.size() == 2);
        CHECK(b.classes[0].count == 5.0);
    }
    SUBCASE("explicit classes replace the automatic ones")
    {
        options.fields.classes = {{"homes", "customers_residential"}};
        const auto [territory, report] = read_inputs(options);
        CHECK(report.issues.empty());
        REQUIRE(territory.transformers.size() == 2);
        REQUIRE(territory.transformers[0].classes.size() == 1);
        CHECK(territory.transformers[0].classes[0].name == "homes");
        CHECK(territory.transformers[0].classes[0].count == 10.0);
    }
    SUBCASE("a mapped optional field that does not exist is an error naming the flag")
    {
        options.fields.station = "substation";
        const auto [territory, report] = read_inputs(options);
        const Issue* issue = find_issue(report, IssueCode::field_missing);
        REQUIRE(issue != nullptr);
        CHECK(contains(issue->message, "'substation'"));
        CHECK(contains(issue->message, "--station-field"));
    }
}

TEST_CASE("a missing required field is reported with the fields the layer does have")
{
    TempDir dir("missing");
    const std::string path = dir.file("tx.gpkg");
    test::write_layer(path, "GPKG", "transformers", 32650, wkbPoint,
                      {{"id", OFTString}, {"cust", OFTInteger}, {"kind", OFTString}},
                      {{{"A", "1", "lv"}, "POINT (500000 3100000)"}});
    ReadOptions options;
    options.transformers.path = path;
    const auto [territory, report] = read_inputs(options);
    CHECK(territory.transformers.empty());
    REQUIRE(report.issues.size() == 1);
    const Issue& issue = report.issues[0];
    CHECK(issue.severity == Severity::error);
    CHECK(issue.code == IssueCode::field_missing);
    CHECK(issue.file == path);
    CHECK(issue.layer == "transformers");
    CHECK(issue.message == "transformers layer has no field 'customers'; its fields are: id, cust, kind");
    CHECK(issue.fix == "map the right field with --customers-field");
}

TEST_CASE("a missing file or layer is reported, not thrown")
{
    TempDir dir("nofile");
    ReadOptions options;
    SUBCASE("no such file")
    {
        options.transformers.path = dir.file("nothing.gpkg");
        const auto [territory, report] = read_inputs(options);
        REQUIRE(report.issues.size() == 1);
        CHECK(report.issues[0].code == IssueCode::file_unreadable);
        CHECK(contains(report.issues[0].message, "no such file"));
    }
    SUBCASE("no such layer: the message lists the layers there are")
    {
        options.transformers.path = write_lonlat_points(dir);
        options.transformers.layer = "stations";
        const auto [territory, report] = read_inputs(options);
        REQUIRE(report.issues.size() == 1);
        CHECK(report.issues[0].code == IssueCode::layer_not_found);
        CHECK(contains(report.issues[0].message, "has no layer 'stations'; its layers are: transformers"));
    }
}

TEST_CASE("every feature read ends either in the model or in the rejected list")
{
    TempDir dir("rejects");
    const std::string path = dir.file("tx.csv");
    // Rows are FIDs 1..8 (GDAL numbers CSV data rows from 1).
    test::write_file(path, "id,customers,x,y\n"
                           "T1,10,0,0\n"   // fid 1: fine
                           ",5,1,1\n"      // fid 2: no id
                           "T1,7,2,2\n"    // fid 3: duplicate id
                           "T4,abc,3,3\n"  // fid 4: customers not a number
                           "T5,-2,4,4\n"   // fid 5: negative customers
                           "T6,,5,5\n"     // fid 6: customers missing
                           "T7,1,,\n"      // fid 7: no geometry
                           "T8,4,6,6\n");  // fid 8: fine
    ReadOptions options;
    options.transformers.path = path;
    options.assume_crs = "local";
    const auto [territory, report] = read_inputs(options);

    REQUIRE(territory.transformers.size() == 2);
    CHECK(territory.transformers[0].id == "T1");
    CHECK(territory.transformers[0].source_fid == 1);
    CHECK(territory.transformers[1].id == "T8");
    REQUIRE(report.rejected.size() == 6);
    CHECK(territory.transformers.size() + report.rejected.size() == 8);

    struct Expected {
        std::int64_t fid;
        const char* id;
        IssueCode code;
        const char* reason_part;
    };
    const Expected expected[] = {
        {2, "", IssueCode::id_missing, "has no id"},
        {3, "T1", IssueCode::id_duplicate, "also used by feature fid 1"},
        {4, "T4", IssueCode::customers_invalid, "'abc'"},
        {5, "T5", IssueCode::customers_invalid, "negative"},
        {6, "T6", IssueCode::customers_invalid, "missing"},
        {7, "T7", IssueCode::geometry_empty, "no geometry"},
    };
    for (std::size_t i = 0; i < std::size(expected); ++i) {
        CAPTURE(i);
        const Rejected& r = report.rejected[i];
        CHECK(r.file == path);
        CHECK(r.layer == "tx");
        CHECK(r.fid == expected[i].fid);
        CHECK(r.id == expected[i].id);
        CHECK(r.code == expected[i].code);
        CHECK(contains(r.reason, expected[i].reason_part));
        // The matching error issue says the same, and names the feature (by FID without id).
        const auto it = std::find_if(report.issues.begin(), report.issues.end(), [&](const Issue& x) {
            return x.message == r.reason;
        });
        REQUIRE(it != report.issues.end());
        CHECK(it->severity == Severity::error);
        CHECK(it->feature_id == (r.id.empty() ? "fid " + std::to_string(r.fid) : r.id));
    }
}

TEST_CASE("a feature with several problems is reported for each but rejected once")
{
    TempDir dir("multi");
    const std::string path = dir.file("tx.csv");
    test::write_file(path, "id,customers,x,y\n,abc,,\nT2,1,0,0\n");
    ReadOptions options;
    options.transformers.path = path;
    options.assume_crs = "local";
    const auto [territory, report] = read_inputs(options);
    CHECK(territory.transformers.size() == 1);
    REQUIRE(report.rejected.size() == 1);
    CHECK(report.rejected[0].code == IssueCode::id_missing);
    CHECK(report.count(Severity::error) == 3); // id, customers, geometry
}

TEST_CASE("a --where filter keeps matching features and reports how many it left out")
{
    TempDir dir("where");
    const std::string path = dir.file("tx.csv");
    test::write_file(path, "id,customers,kind,x,y\n"
                           "A,1,lv_area,0,0\nB,2,equivalent_load,1,1\nC,3,lv_area,2,2\n");
    ReadOptions options;
    options.transformers.path = path;
    options.transformers.where = "kind = 'lv_area'";
    options.assume_crs = "local";
    const auto [territory, report] = read_inputs(options);
    REQUIRE(territory.transformers.size() == 2);
    CHECK(territory.transformers[0].id == "A");
    CHECK(territory.transformers[1].id == "C");
    CHECK(report.rejected.empty());
    CHECK(report.ok());
    const Issue* info = find_issue(report, IssueCode::excluded_by_filter);
    REQUIRE(info != nullptr);
    CHECK(info->severity == Severity::info);
    CHECK(info->message == "1 of 3 features excluded by the filter \"kind = 'lv_area'\"");

    SUBCASE("a filter naming an unknown field is an error listing the fields")
    {
        options.transformers.where = "type = 'x'";
        const auto [t2, r2] = read_inputs(options);
        const Issue* issue = find_issue(r2, IssueCode::field_missing);
        REQUIRE(issue != nullptr);
        CHECK(issue->severity == Severity::error);
        CHECK(contains(issue->fix, "id, customers, kind"));
    }
}

TEST_CASE("boundaries are read as levels, coarsest first, with ids and names")
{
    TempDir dir("levels");
    const std::string path = dir.file("units.gpkg");
    test::write_layer(path, "GPKG", "districts", 32650, wkbPolygon,
                      {{"id", OFTString}, {"name", OFTString}},
                      {{{"D1", "North"}, "POLYGON ((0 0, 200 0, 200 100, 0 100, 0 0))"}});
    test::write_layer(path, "GPKG", "communities", 32650, wkbPolygon,
                      {{"id", OFTString}, {"name", OFTString}},
                      {{{"C1", "West"}, "POLYGON ((0 0, 100 0, 100 100, 0 100, 0 0))"},
                       {{"C2", "East"}, "POLYGON ((100 0, 200 0, 200 100, 100 100, 100 0))"}});
    const std::string tx = dir.file("tx.gpkg");
    test::write_layer(tx, "GPKG", "transformers", 32650, wkbPoint,
                      {{"id", OFTString}, {"customers", OFTInteger}},
                      {{{"T1", "1"}, "POINT (50 50)"}});
    ReadOptions options;
    options.transformers.path = tx;
    options.boundaries.push_back({path, "", "", ""}); // every polygon layer of the file

    const auto [territory, report] = read_inputs(options);
    REQUIRE(territory.levels.size() == 2);
    CHECK(territory.levels[0].name == "districts");
    CHECK(territory.levels[1].name == "communities");
    REQUIRE(territory.levels[1].units.size() == 2);
    CHECK(territory.levels[1].units[0].id == "C1");
    CHECK(territory.levels[1].units[1].name == "East");
    CHECK(area(territory.levels[1].units[1].shape) == doctest::Approx(10000.0));
    CHECK(territory.levels[0].units[0].id == "D1");
    CHECK(report.issues.empty());
}

TEST_CASE("boundaries in another CRS are brought into the working CRS")
{
    TempDir dir("boundary-crs");
    // Transformers in lon/lat near lon 113 (work CRS: UTM 49N); one unit drawn in UTM 49N, one
    // in lon/lat: both must end up in UTM 49N metres.
    const std::string tx = write_lonlat_points(dir);
    const std::string utm = dir.file("utm_units.gpkg"), lonlat = dir.file("lonlat_units.gpkg");
    test::write_layer(utm, "GPKG", "utm_units", 32649, wkbPolygon, {{"id", OFTString}},
                      {{{"U1"}, "POLYGON ((690000 3090000, 710000 3090000, 710000 3110000, "
                                "690000 3110000, 690000 3090000))"}});
    test::write_layer(lonlat, "GPKG", "lonlat_units", 4326, wkbPolygon, {{"id", OFTString}},
                      {{{"L1"}, "POLYGON ((112.9 27.9, 113.1 27.9, 113.1 28.1, 112.9 28.1, 112.9 27.9))"},
                       {{"L2"}, "POLYGON ((113.1 27.9, 113.3 27.9, 113.3 28.1, 113.1 28.1, 113.1 27.9))"}});
    ReadOptions options;
    options.transformers.path = tx;
    options.boundaries.push_back({utm, "", "", ""});
    options.boundaries.push_back({lonlat, "", "", ""});
    const auto [territory, report] = read_inputs(options);
    CHECK(report.issues.empty());
    REQUIRE(territory.levels.size() == 2);
    const AdminUnit& u1 = territory.levels[0].units[0];
    CHECK(u1.id == "U1");
    CHECK(bounds(u1.shape).min_x == doctest::Approx(690000.0));
    const AdminUnit& l1 = territory.levels[1].units[0];
    CHECK(l1.id == "L1");
    const Box b = bounds(l1.shape);
    CHECK(b.min_x > 600000.0);
    CHECK(b.max_x < 800000.0);
    // 0.2° x 0.2° at 28° N: about 19.6 km x 22.2 km.
    CHECK(area(l1.shape) == doctest::Approx(19.6e3 * 22.2e3).epsilon(0.03));
}

TEST_CASE("the level name given for a single-layer boundary file names the level")
{
    TempDir dir("level-name");
    const std::string shp = dir.file("communities.shp");
    test::write_layer(shp, "ESRI Shapefile", "communities", 32650, wkbPolygon, {{"id", OFTString}},
                      {{{"C1"}, "POLYGON ((0 0, 100 0, 100 100, 0 100, 0 0))"}});
    const std::string tx = dir.file("tx.gpkg");
    test::write_layer(tx, "GPKG", "transformers", 32650, wkbPoint,
                      {{"id", OFTString}, {"customers", OFTInteger}}, {{{"T1", "1"}, "POINT (50 50)"}});
    ReadOptions options;
    options.transformers.path = tx;
    options.boundaries.push_back({shp, "", "", "community"});
    const auto [territory, report] = read_inputs(options);
    REQUIRE(territory.levels.size() == 1);
    CHECK(territory.levels[0].layer == "communities");
    CHECK(territory.levels[0].name == "community");
}

TEST_CASE("customer points are matched to their transformers and brought into the working CRS")
{
    TempDir dir("customers");
    const std::string tx = write_lonlat_points(dir);
    const std::string meters = dir.file("meters.gpkg");
    test::write_layer(meters, "GPKG", "meters", 4326, wkbPoint, {{"transformer_id", OFTString}},
                      {{{"T1"}, "POINT (113.001 28.001)"},
                       {{"T2"}, "POINT (113.011 28.021)"},
                       {{"T9"}, "POINT (113.0 28.0)"}});
    ReadOptions options;
    options.transformers.path = tx;
    options.customers.push_back({meters, "", "", ""});
    const auto [territory, report] = read_inputs(options);
    REQUIRE(territory.customers.size() == 2);
    CHECK(territory.customers[0].transformer == 0);
    CHECK(territory.customers[1].transformer == 1);
    // About 100 m from T1, in metres of UTM 49N.
    const Point c = territory.customers[0].location, t1 = territory.transformers[0].location;
    CHECK(std::hypot(c.x - t1.x, c.y - t1.y) == doctest::Approx(144.0).epsilon(0.1));
    REQUIRE(report.issues.size() == 1);
    CHECK(report.issues[0].code == IssueCode::customer_unknown_transformer);
    CHECK(report.issues[0].severity == Severity::warning);
    CHECK(report.issues[0].message.find("'T9'") != std::string::npos);
}

TEST_CASE("customer points of several layers are each transformed from their own CRS")
{
    TempDir dir("customers-2crs");
    const std::string tx = write_lonlat_points(dir);
    const std::string lonlat = dir.file("meters_lonlat.gpkg"), utm = dir.file("meters_utm.gpkg");
    test::write_layer(lonlat, "GPKG", "meters_lonlat", 4326, wkbPoint, {{"transformer_id", OFTString}},
                      {{{"T1"}, "POINT (113.001 28.001)"}});
    test::write_layer(utm, "GPKG", "meters_utm", 32649, wkbPoint, {{"transformer_id", OFTString}},
                      {{{"T2"}, "POINT (697000 3100000)"}});
    ReadOptions options;
    options.transformers.path = tx;
    options.customers.push_back({lonlat, "", "", ""});
    options.customers.push_back({utm, "", "", ""});
    const auto [territory, report] = read_inputs(options);
    CHECK(report.issues.empty());
    REQUIRE(territory.customers.size() == 2);
    CHECK(territory.customers[0].location.x > 600000.0);
    CHECK(territory.customers[0].location.x < 800000.0);
    // Already in the working CRS: unchanged.
    CHECK(territory.customers[1].location.x == doctest::Approx(697000.0));
    CHECK(territory.customers[1].location.y == doctest::Approx(3100000.0));
}
