// Spec of write_tables() and write_text_file() (libgrid/io.hpp): formats, Shapefile field
// names, output CRS, refusal to overwrite inputs, and no temporary files left behind.
#include "unit/io/fixtures.hpp"

#include <libgrid/error.hpp>
#include <libgrid/io.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <string>
#include <vector>

using namespace libgrid;
using libgrid::test::TempDir;

namespace {

bool contains(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

// Splits CSV text into rows of unquoted values (no embedded newlines in these tests).
std::vector<std::vector<std::string>> csv_rows(const std::string& text)
{
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> row;
    std::string value;
    bool quoted = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
                value += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                value += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            row.push_back(value);
            value.clear();
        } else if (c == '\n') {
            row.push_back(value);
            value.clear();
            rows.push_back(row);
            row.clear();
        } else if (c != '\r') {
            value += c;
        }
    }
    if (!value.empty() || !row.empty()) {
        row.push_back(value);
        rows.push_back(row);
    }
    return rows;
}

FeatureTable points_table(const std::string& name)
{
    FeatureTable t;
    t.name = name;
    t.kind = GeometryKind::point;
    t.fields = {{"id", FieldType::text}, {"customers", FieldType::integer}, {"load", FieldType::real}};
    t.rows = {{std::string("T1"), std::int64_t{10}, 1.5}, {std::string("T2"), std::int64_t{20}, std::monostate{}}};
    t.points = {{500000, 3100000}, {501000, 3101000}};
    return t;
}

FeatureTable polygon_table(const std::string& name)
{
    FeatureTable t;
    t.name = name;
    t.kind = GeometryKind::polygon;
    t.fields = {{"grid", FieldType::text}};
    t.rows = {{std::string("G1")}};
    t.polygons = {{Polygon{{{500000, 3100000}, {500100, 3100000}, {500100, 3100100}, {500000, 3100100},
                            {500000, 3100000}},
                           {}}}};
    return t;
}

GDALDatasetUniquePtr open_vector(const std::string& path)
{
    GDALAllRegister();
    GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
    REQUIRE(ds != nullptr);
    return ds;
}

// No hidden temporary file or folder (".<name>.tmp-...") is left in the folder.
void check_no_temporaries(const TempDir& dir)
{
    for (const auto& name : dir.entries()) {
        CAPTURE(name);
        CHECK_FALSE(contains(name, ".tmp-"));
        CHECK(name.front() != '.');
    }
}

} // namespace

TEST_CASE("gpkg output is one file holding every table as a layer")
{
    TempDir dir("gpkg");
    const std::string crs = test::crs_wkt(32650);
    const auto written = write_tables(dir.path().string(), "plan", Format::gpkg,
                                      {points_table("transformers"), polygon_table("grids")}, crs, crs);
    CHECK(written == std::vector<std::string>{dir.file("plan.gpkg")});
    CHECK(dir.entries() == std::vector<std::string>{"plan.gpkg"});

    auto ds = open_vector(dir.file("plan.gpkg"));
    REQUIRE(ds->GetLayerCount() == 2);
    OGRLayer* tx = ds->GetLayerByName("transformers");
    OGRLayer* grids = ds->GetLayerByName("grids");
    REQUIRE(tx != nullptr);
    REQUIRE(grids != nullptr);
    CHECK(tx->GetFeatureCount() == 2);
    CHECK(grids->GetFeatureCount() == 1);
    CHECK(wkbFlatten(grids->GetGeomType()) == wkbMultiPolygon);
    REQUIRE(tx->GetSpatialRef() != nullptr);
    CHECK(std::string(tx->GetSpatialRef()->GetAuthorityCode(nullptr)) == "32650");

    OGRFeatureUniquePtr f(tx->GetNextFeature());
    REQUIRE(f != nullptr);
    CHECK(std::string(f->GetFieldAsString("id")) == "T1");
    CHECK(f->GetFieldAsInteger64("customers") == 10);
    CHECK(f->GetFieldAsDouble("load") == 1.5);
    OGRFeatureUniquePtr g(tx->GetNextFeature());
    REQUIRE(g != nullptr);
    CHECK_FALSE(g->IsFieldSetAndNotNull(g->GetFieldIndex("load"))); // monostate is NULL
    const OGRPoint* p = g->GetGeometryRef()->toPoint();
    CHECK(p->getX() == 501000.0);
    CHECK(p->getY() == 3101000.0);
}

TEST_CASE("Shapefile output shortens long field names to distinct names of 10 characters or less")
{
    TempDir dir("shp");
    FeatureTable t = polygon_table("grids");
    t.fields = {{"grid", FieldType::text},
                {"polsby_popper_a", FieldType::real},
                {"polsby_popper_b", FieldType::real},
                {"polsby_popper_c", FieldType::real}};
    t.rows = {{std::string("G1"), 0.5, 0.25, 0.125}};
    const std::string crs = test::crs_wkt(32650);
    const auto written = write_tables(dir.path().string(), "plan", Format::shp, {t}, crs, crs);

    const std::set<std::string> files(written.begin(), written.end());
    for (const char* ext : {".shp", ".shx", ".dbf", ".prj", ".cpg"})
        CHECK(files.count(dir.file(std::string("grids") + ext)) == 1);
    check_no_temporaries(dir);

    auto ds = open_vector(dir.file("grids.shp"));
    OGRFeatureDefn* defn = ds->GetLayer(0)->GetLayerDefn();
    REQUIRE(defn->GetFieldCount() == 4);
    std::set<std::string> names;
    for (int i = 0; i < defn->GetFieldCount(); ++i) {
        const std::string name = defn->GetFieldDefn(i)->GetNameRef();
        CAPTURE(name);
        CHECK(name.size() <= 10);
        names.insert(name);
    }
    CHECK(names.size() == 4);
    CHECK(names.count("grid") == 1);
    // Values stay with their columns, in order.
    OGRFeatureUniquePtr f(ds->GetLayer(0)->GetNextFeature());
    REQUIRE(f != nullptr);
    CHECK(f->GetFieldAsDouble(1) == 0.5);
    CHECK(f->GetFieldAsDouble(2) == 0.25);
    CHECK(f->GetFieldAsDouble(3) == 0.125);
}

TEST_CASE("GeoJSON output is in lon/lat (EPSG:4326) whatever the output CRS")
{
    TempDir dir("geojson");
    const std::string utm50 = test::crs_wkt(32650);
    const auto written =
        write_tables(dir.path().string(), "plan", Format::geojson, {points_table("transformers")}, utm50, utm50);
    CHECK(written == std::vector<std::string>{dir.file("transformers.geojson")});
    check_no_temporaries(dir);

    auto ds = open_vector(dir.file("transformers.geojson"));
    OGRLayer* layer = ds->GetLayer(0);
    REQUIRE(layer->GetSpatialRef() != nullptr);
    CHECK(layer->GetSpatialRef()->IsGeographic());
    OGRFeatureUniquePtr f(layer->GetNextFeature());
    REQUIRE(f != nullptr);
    const OGRPoint* p = f->GetGeometryRef()->toPoint();
    // UTM 50N easting 500000 is the central meridian, 117° E; northing 3,100,000 is about 28° N.
    CHECK(p->getX() == doctest::Approx(117.0).epsilon(1e-6));
    CHECK(p->getY() == doctest::Approx(28.0).epsilon(0.01));
    CHECK(std::string(f->GetFieldAsString("id")) == "T1");
}

TEST_CASE("GeoJSON output of a local planar frame keeps its coordinates")
{
    TempDir dir("geojson-local");
    write_tables(dir.path().string(), "plan", Format::geojson, {points_table("transformers")}, "", "");
    auto ds = open_vector(dir.file("transformers.geojson"));
    OGRFeatureUniquePtr f(ds->GetLayer(0)->GetNextFeature());
    REQUIRE(f != nullptr);
    CHECK(f->GetGeometryRef()->toPoint()->getX() == 500000.0);
}

TEST_CASE("CSV output is UTF-8 text with the fields and without geometry")
{
    TempDir dir("csv");
    FeatureTable t = points_table("transformers");
    t.rows[1][0] = std::string("台区-002");
    const auto written = write_tables(dir.path().string(), "plan", Format::csv, {t}, "", "");
    CHECK(written == std::vector<std::string>{dir.file("transformers.csv")});
    CHECK(dir.entries() == std::vector<std::string>{"transformers.csv"});
    const std::string text = test::read_file(dir.file("transformers.csv"));
    // GDAL quotes some numeric columns ("10"); spreadsheet and CSV readers take them as numbers
    // all the same, so the values are compared unquoted.
    CHECK(csv_rows(text) == std::vector<std::vector<std::string>>{{"id", "customers", "load"},
                                                                 {"T1", "10", "1.5"},
                                                                 {"台区-002", "20", ""}});
    CHECK_FALSE(contains(text, "500000"));
}

TEST_CASE("a table whose rows and geometries disagree is an invalid argument")
{
    TempDir dir("bad-table");
    FeatureTable t = points_table("transformers");
    t.points.pop_back();
    try {
        write_tables(dir.path().string(), "plan", Format::gpkg, {t}, "", "");
        FAIL("write_tables accepted 2 rows with 1 geometry");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::invalid_argument);
        CHECK(contains(e.what(), "'transformers' has 2 rows but 1 geometries"));
    }
    CHECK(dir.entries().empty());
}

TEST_CASE("write_tables refuses to overwrite an input of the run")
{
    TempDir dir("protect");
    SUBCASE("the GeoPackage an input came from")
    {
        const std::string input = dir.file("plan.gpkg");
        test::write_file(input, "input data");
        try {
            write_tables(dir.path().string(), "plan", Format::gpkg, {points_table("transformers")}, "", "",
                         {input});
            FAIL("write_tables overwrote its input");
        } catch (const Error& e) {
            CHECK(e.code() == ErrorCode::io_write);
            CHECK(contains(e.what(), "refusing to write"));
            CHECK(contains(e.what(), "plan.gpkg"));
        }
        CHECK(test::read_file(input) == "input data");
        CHECK(dir.entries() == std::vector<std::string>{"plan.gpkg"});
    }
    SUBCASE("a Shapefile input protects every output of the same name in its folder")
    {
        const std::string input = dir.file("transformers.shp");
        test::write_file(input, "input data");
        CHECK_THROWS_AS(write_tables(dir.path().string(), "plan", Format::csv,
                                     {points_table("transformers")}, "", "", {input}),
                        Error);
        CHECK(dir.entries() == std::vector<std::string>{"transformers.shp"});
    }
    SUBCASE("an input named by another spelling of its path")
    {
        const std::string input = dir.file("plan.gpkg");
        test::write_file(input, "input data");
        const std::string other = (dir.path() / "." / "plan.gpkg").string();
        CHECK_THROWS_AS(write_tables(dir.path().string(), "plan", Format::gpkg,
                                     {points_table("transformers")}, "", "", {other}),
                        Error);
        CHECK(test::read_file(input) == "input data");
    }
}

TEST_CASE("a failed write leaves neither the output nor temporary files behind")
{
    TempDir dir("fail");
    // A latitude of 1000° cannot be transformed: the write fails in the middle.
    FeatureTable t = points_table("transformers");
    t.points[1] = {117.0, 1000.0};
    const std::string lonlat = test::crs_wkt(4326), utm50 = test::crs_wkt(32650);
    for (Format format : {Format::gpkg, Format::shp, Format::geojson}) {
        CAPTURE(static_cast<int>(format));
        try {
            write_tables(dir.path().string(), "plan", format, {t}, lonlat, utm50);
            FAIL("the transformation of latitude 1000 did not fail");
        } catch (const Error& e) {
            CHECK(e.code() == ErrorCode::io_write);
            CHECK(contains(e.what(), "transformers"));
        }
        CHECK(dir.entries().empty());
    }
}

TEST_CASE("write_text_file writes atomically and refuses protected paths")
{
    TempDir dir("text");
    const std::string path = dir.file("sub/report.txt");
    write_text_file(path, "第一行\nline 2\n");
    CHECK(test::read_file(path) == "第一行\nline 2\n");
    write_text_file(path, "replaced");
    CHECK(test::read_file(path) == "replaced");
    CHECK(dir.entries() == std::vector<std::string>{"sub"});
    for (const auto& e : test::fs::directory_iterator(dir.path() / "sub"))
        CHECK(e.path().filename() == "report.txt");

    try {
        write_text_file(path, "oops", {path});
        FAIL("write_text_file overwrote a protected path");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::io_write);
        CHECK(contains(e.what(), "refusing to write"));
    }
    CHECK(test::read_file(path) == "replaced");

    // A folder that cannot be created (a file is in the way): an io_write error, nothing left.
    CHECK_THROWS_AS(write_text_file(dir.file("sub/report.txt/x.txt"), "x"), Error);
    CHECK(dir.entries() == std::vector<std::string>{"sub"});
}

TEST_CASE("writing again replaces the previous output")
{
    TempDir dir("again");
    FeatureTable t = points_table("transformers");
    for (Format format : {Format::gpkg, Format::shp, Format::geojson, Format::csv}) {
        CAPTURE(static_cast<int>(format));
        t.rows[0][0] = std::string("first");
        write_tables(dir.path().string(), "plan", format, {t}, "", "");
        t.rows[0][0] = std::string("second");
        const auto written = write_tables(dir.path().string(), "plan", format, {t}, "", "");
        const char* file = format == Format::gpkg      ? "plan.gpkg"
                           : format == Format::shp     ? "transformers.shp"
                           : format == Format::geojson ? "transformers.geojson"
                                                       : "transformers.csv";
        CHECK(std::find(written.begin(), written.end(), dir.file(file)) != written.end());
        auto ds = open_vector(dir.file(file));
        OGRFeatureUniquePtr f(ds->GetLayer(0)->GetNextFeature());
        REQUIRE(f != nullptr);
        CHECK(std::string(f->GetFieldAsString(0)) == "second");
        CHECK(ds->GetLayer(0)->GetFeatureCount() == 2);
    }
    check_no_temporaries(dir);
}

TEST_CASE("read_grids_per_station reads a station_id,grids table strictly, naming the line of each mistake")
{
    libgrid::test::TempDir dir("k");
    auto table = [&](const std::string& name, const std::string& text) {
        std::ofstream(dir.file(name), std::ios::binary) << text;
        return dir.file(name);
    };
    const auto good = libgrid::read_grids_per_station(
        table("k.csv", "\xEF\xBB\xBFstation_id,grids\r\nST1,10\r\n\"ST,2\",20\r\n"));
    CHECK(good == std::vector<std::pair<std::string, std::size_t>>{{"ST1", 10}, {"ST,2", 20}});
    auto message = [&](const std::string& name, const std::string& text) {
        try {
            libgrid::read_grids_per_station(table(name, text));
        } catch (const libgrid::Error& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    CHECK(message("h.csv", "station,grids\nST1,3\n").find("the columns must be 'station_id,grids', found 'station,grids'") !=
          std::string::npos);
    CHECK(message("z.csv", "station_id,grids\nST1,3\nST2,0\n").find("z.csv' line 3: grids '0' for station 'ST2'") !=
          std::string::npos);
    CHECK(message("d.csv", "station_id,grids\nST1,3\nST1,4\n").find("line 3: station 'ST1' is listed twice") !=
          std::string::npos);
    CHECK(message("e.csv", "station_id,grids\n").find("lists no station") != std::string::npos);
}
