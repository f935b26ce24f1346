// Chinese text survives writing and reading: UTF-8 round trips through write_tables() and
// read_inputs(), and GBK (CP936) Shapefiles from Chinese GIS tools are read correctly, with or
// without their .cpg file.
#include "unit/io/fixtures.hpp"

#include <libgrid/io.hpp>

#include <doctest/doctest.h>

#include <cctype>
#include <string>
#include <vector>

using namespace libgrid;
using libgrid::test::TempDir;

namespace {

// The names a Chinese utility uses: transformer ids, feeder and station names, communities.
const std::vector<std::string> tx_ids{"台区-001", "台区-002", "第3小区1号变"};
const std::vector<std::string> feeders{"东湖线", "东湖线", "梨园Ⅱ线"};
const std::vector<std::string> stations{"东湖站", "东湖站", "梨园站"};
const std::vector<std::string> unit_ids{"社区-01", "社区-02"};
const std::vector<std::string> unit_names{"东湖社区", "第3小区"};

// GBK bytes of "台区-001" and "东湖社区", and their UTF-8 bytes, as a Chinese GIS tool writes
// them (checked against Python's codecs).
const std::string gbk_tx_001 = "\xCC\xA8\xC7\xF8-001";
const std::string utf8_tx_001 = "\xE5\x8F\xB0\xE5\x8C\xBA-001";
const std::string gbk_donghu = "\xB6\xAB\xBA\xFE";      // 东湖
const std::string utf8_donghu = "\xE4\xB8\x9C\xE6\xB9\x96"; // 东湖

std::vector<FeatureTable> chinese_tables()
{
    FeatureTable tx;
    tx.name = "transformers";
    tx.kind = GeometryKind::point;
    tx.fields = {{"id", FieldType::text},
                 {"customers", FieldType::integer},
                 {"feeder_id", FieldType::text},
                 {"station_id", FieldType::text}};
    const std::vector<Point> where{{500050, 3100050}, {500150, 3100050}, {500250, 3100050}};
    for (std::size_t i = 0; i < tx_ids.size(); ++i) {
        tx.rows.push_back({tx_ids[i], std::int64_t(10 + i), feeders[i], stations[i]});
        tx.points.push_back(where[i]);
    }
    FeatureTable units;
    units.name = "admin_units";
    units.kind = GeometryKind::polygon;
    units.fields = {{"id", FieldType::text}, {"name", FieldType::text}};
    for (std::size_t i = 0; i < unit_ids.size(); ++i) {
        const double x0 = 500000.0 + 200.0 * static_cast<double>(i);
        units.rows.push_back({unit_ids[i], unit_names[i]});
        units.polygons.push_back(
            {Polygon{{{x0, 3100000}, {x0 + 200, 3100000}, {x0 + 200, 3100100}, {x0, 3100100}, {x0, 3100000}},
                     {}}});
    }
    return {tx, units};
}

void check_chinese_territory(const Territory& t, const ValidationReport& report)
{
    CHECK(report.issues.empty());
    REQUIRE(t.transformers.size() == tx_ids.size());
    for (std::size_t i = 0; i < tx_ids.size(); ++i) {
        CAPTURE(i);
        CHECK(t.transformers[i].id == tx_ids[i]);
        CHECK(t.transformers[i].feeder_id == feeders[i]);
        CHECK(t.transformers[i].station_id == stations[i]);
        CHECK(t.transformers[i].customers == static_cast<double>(10 + i));
    }
    REQUIRE(t.levels.size() == 1);
    REQUIRE(t.levels[0].units.size() == unit_ids.size());
    for (std::size_t i = 0; i < unit_ids.size(); ++i) {
        CHECK(t.levels[0].units[i].id == unit_ids[i]);
        CHECK(t.levels[0].units[i].name == unit_names[i]);
    }
}

std::string upper(std::string s)
{
    for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

bool contains(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

} // namespace

TEST_CASE("Chinese ids and names survive a Shapefile round trip, with a UTF-8 .cpg")
{
    TempDir dir("zh-shp");
    const std::string crs = test::crs_wkt(32650);
    write_tables(dir.path().string(), "plan", Format::shp, chinese_tables(), crs, crs);

    CHECK(upper(test::read_file(dir.file("transformers.cpg"))).find("UTF-8") == 0);
    CHECK(upper(test::read_file(dir.file("admin_units.cpg"))).find("UTF-8") == 0);
    // The .dbf holds UTF-8 bytes.
    CHECK(contains(test::read_file(dir.file("transformers.dbf")), utf8_tx_001));

    ReadOptions options;
    options.transformers.path = dir.file("transformers.shp");
    options.boundaries.push_back({dir.file("admin_units.shp"), "", "", ""});
    const auto [territory, report] = read_inputs(options);
    check_chinese_territory(territory, report);
    CHECK(territory.work_crs_name == "WGS 84 / UTM zone 50N");
}

TEST_CASE("Chinese ids and names survive a GeoPackage round trip")
{
    TempDir dir("zh-gpkg");
    const std::string crs = test::crs_wkt(32650);
    const auto written = write_tables(dir.path().string(), "plan", Format::gpkg, chinese_tables(), crs, crs);
    REQUIRE(written.size() == 1);
    CHECK(written[0] == dir.file("plan.gpkg"));

    ReadOptions options;
    options.transformers = {dir.file("plan.gpkg"), "transformers", "", ""};
    options.boundaries.push_back({dir.file("plan.gpkg"), "admin_units", "", ""});
    const auto [territory, report] = read_inputs(options);
    check_chinese_territory(territory, report);
}

TEST_CASE("a GBK (CP936) Shapefile from a Chinese GIS tool is read as UTF-8")
{
    TempDir dir("gbk");
    const std::string shp = dir.file("tx_gbk.shp");
    // GDAL recodes our UTF-8 strings to CP936 on write and records the code page in a .cpg.
    test::write_layer(shp, "ESRI Shapefile", "tx_gbk", 32650, wkbPoint,
                      {{"id", OFTString}, {"customers", OFTInteger}, {"feeder_id", OFTString},
                       {"station_id", OFTString}},
                      {{{tx_ids[0], "10", feeders[0], stations[0]}, "POINT (500050 3100050)"},
                       {{tx_ids[1], "11", feeders[1], stations[1]}, "POINT (500150 3100050)"},
                       {{tx_ids[2], "12", feeders[2], stations[2]}, "POINT (500250 3100050)"}},
                      {"ENCODING=CP936"});
    const std::string dbf = dir.file("tx_gbk.dbf"), cpg = dir.file("tx_gbk.cpg");

    // The file really is GBK: the GBK bytes are there, the UTF-8 bytes are not.
    const std::string raw = test::read_file(dbf);
    CHECK(contains(raw, gbk_tx_001));
    CHECK(contains(raw, gbk_donghu));
    CHECK_FALSE(contains(raw, utf8_tx_001));
    CHECK_FALSE(contains(raw, utf8_donghu));
    REQUIRE(test::fs::exists(cpg));
    CHECK(contains(test::read_file(cpg), "936"));

    auto check_ids = [&](const Territory& t) {
        REQUIRE(t.transformers.size() == 3);
        for (std::size_t i = 0; i < 3; ++i) {
            CAPTURE(i);
            CHECK(t.transformers[i].id == tx_ids[i]);
            CHECK(t.transformers[i].feeder_id == feeders[i]);
            CHECK(t.transformers[i].station_id == stations[i]);
        }
    };
    ReadOptions options;
    options.transformers.path = shp;

    SUBCASE("the .cpg names the code page")
    {
        const auto [territory, report] = read_inputs(options);
        CHECK(report.issues.empty());
        check_ids(territory);
    }
    SUBCASE("without .cpg (and no code page in the .dbf header), --encoding GBK decodes it")
    {
        test::fs::remove(cpg);
        // Clear the dBASE language driver id (byte 29) too, as tools that write no .cpg do, so
        // that nothing but the option tells GDAL the encoding.
        std::string bytes = test::read_file(dbf);
        bytes[29] = '\0';
        test::write_file(dbf, bytes);

        options.encoding = "GBK";
        const auto [territory, report] = read_inputs(options);
        CHECK(report.issues.empty());
        check_ids(territory);

        // Without the option the same file does not decode to the right text, so it was the
        // option that did it.
        options.encoding = "";
        const auto [guessed, report2] = read_inputs(options);
        REQUIRE(guessed.transformers.size() == 3);
        CHECK(guessed.transformers[0].id != tx_ids[0]);
    }
}
