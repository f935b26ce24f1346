// Spec of read_plan_layers() and write_layer_style() (libgrid/plan_layers.hpp): a plan folder
// written in lon/lat reads back in metres with its managers and branches; styles are stored
// once per name as the layer's default.
#include "unit/io/fixtures.hpp"

#include <libgrid/error.hpp>
#include <libgrid/io.hpp>
#include <libgrid/plan_layers.hpp>

#include <doctest/doctest.h>
#include <gdal_priv.h>

#include <cmath>
#include <string>

using namespace libgrid;
using libgrid::test::TempDir;

namespace {

GDALDatasetUniquePtr open_gpkg(const std::string& path)
{
    GDALAllRegister();
    GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
    REQUIRE(ds != nullptr);
    return ds;
}

/// A plan folder like `plan` writes, in EPSG:4326: two 0.01° squares near 117° E 28° N with
/// the manager columns of a later stage, and one transformer per grid carrying a branch.
void write_plan(const TempDir& dir)
{
    auto square = [](double x, double y) {
        return MultiPolygon{Polygon{{{x, y}, {x + 0.01, y}, {x + 0.01, y + 0.01}, {x, y + 0.01}, {x, y}}, {}}};
    };
    FeatureTable grids{"grids",
                       GeometryKind::polygon,
                       {{"grid_id", FieldType::text},
                        {"station_id", FieldType::text},
                        {"customers", FieldType::real},
                        {"manager_id", FieldType::text},
                        {"manager_name", FieldType::text}},
                       {{std::string("G1"), std::string("S1"), 120.0, std::string("M7"), std::string("王秀英")},
                        {std::string("G2"), std::string("S1"), 80.0, std::monostate{}, std::monostate{}}},
                       {},
                       {},
                       {square(117.0, 28.0), square(117.01, 28.0)}};
    FeatureTable tx{"transformers",
                    GeometryKind::point,
                    {{"transformer_id", FieldType::text}, {"grid_id", FieldType::text}, {"branch_id", FieldType::text}},
                    {{std::string("T1"), std::string("G1"), std::string("B1")},
                     {std::string("T2"), std::string("G2"), std::string("B1")}},
                    {{117.005, 28.005}, {117.015, 28.005}},
                    {},
                    {}};
    const std::string wgs84 = test::crs_wkt(4326);
    write_tables(dir.path().string(), "grids", Format::gpkg, {grids, tx}, wgs84, wgs84);
}

} // namespace

TEST_CASE("a plan in lon/lat reads back in UTM metres with managers, NULLs as empty and branches from transformers")
{
    TempDir dir("plan-layers");
    write_plan(dir);
    const auto p = read_plan_layers(dir.path().string());
    REQUIRE(p.grids.size() == 2);
    CHECK(p.crs_name.find("UTM zone 50N") != std::string::npos);
    CHECK(p.grids[0].grid_id == "G1");
    CHECK(p.grids[0].manager_id == "M7");
    CHECK(p.grids[0].manager_name == "王秀英");
    CHECK(p.grids[1].manager_name.empty());
    CHECK(p.grids[1].manager_phone.empty()); // column absent
    CHECK(p.grids[0].customers == 120.0);
    CHECK(p.grids[0].load == 120.0); // no load column: customers
    CHECK(p.grids[0].branch_id == "B1");
    // 0.01° is about 980 m east-west at 28° N and 1,108 m north-south.
    const Box b = bounds(p.grids[0].shape);
    CHECK(b.max_x - b.min_x == doctest::Approx(982.0).epsilon(0.01));
    CHECK(b.max_y - b.min_y == doctest::Approx(1108.0).epsilon(0.01));
    REQUIRE(p.transformers.size() == 2);
    CHECK(p.transformers[1].location.x > b.max_x); // T2 lies in G2, east of G1
}

TEST_CASE("read_plan_layers names the missing GeoPackage and the fix")
{
    TempDir dir("plan-missing");
    try {
        read_plan_layers(dir.path().string());
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::io_open);
        CHECK(std::string(e.what()).find("grids.gpkg") != std::string::npos);
        CHECK(std::string(e.what()).find("grid-partition plan") != std::string::npos);
    }
}

TEST_CASE("write_layer_style stores one default style row per name and keeps the data")
{
    TempDir dir("plan-style");
    write_plan(dir);
    const std::string gpkg = dir.file("grids.gpkg");
    write_layer_style(gpkg, "grids", "grid-partition", "<qgis>one</qgis>", "first");
    write_layer_style(gpkg, "grids", "grid-partition", "<qgis>two</qgis>", "second");
    auto ds = open_gpkg(gpkg);
    OGRLayer* styles = ds->GetLayerByName("layer_styles");
    REQUIRE(styles != nullptr);
    CHECK(styles->GetFeatureCount() == 1);
    OGRFeatureUniquePtr f(styles->GetNextFeature());
    REQUIRE(f != nullptr);
    CHECK(std::string(f->GetFieldAsString("f_table_name")) == "grids");
    CHECK(std::string(f->GetFieldAsString("styleQML")) == "<qgis>two</qgis>");
    CHECK(f->GetFieldAsInteger("useAsDefault") == 1);
    CHECK(ds->GetLayerByName("grids")->GetFeatureCount() == 2);
    CHECK_THROWS_AS(write_layer_style(gpkg, "nope", "x", "<qgis/>", ""), Error);
}
