// Loading a plan folder for the Locator, reading points to look up, moving points between CRSs,
// and the Locator on a real plan folder (written through the library as `grid-partition plan` writes it), checked point by point
// against GDAL/GEOS (OGR Intersects and Distance) on the same grids.
#include "unit/io/fixtures.hpp"

#include "common/malta_plan.hpp"

#include <libgrid/error.hpp>
#include <libgrid/locate.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <memory>
#include <random>

using namespace libgrid;
using namespace libgrid::test;

namespace {

const std::vector<Column> plan_columns{{"grid_id"}, {"station_id"}, {"manager_id"}, {"manager_name"}, {"manager_phone"}};

/// A plan folder with two lon/lat grids side by side near Valletta (0.01 degree squares).
void write_plan(const TempDir& dir, bool with_managers)
{
    std::vector<Column> cols = plan_columns;
    std::vector<Row> rows{{{"G1", "S1", "M1", "王芳", "+356 2000 0001"},
                           "POLYGON ((14.50 35.88,14.51 35.88,14.51 35.89,14.50 35.89,14.50 35.88))"},
                          {{"G2", "S1", "", "", ""},
                           "POLYGON ((14.51 35.88,14.52 35.88,14.52 35.89,14.51 35.89,14.51 35.88))"}};
    if (!with_managers) {
        cols.resize(2);
        for (auto& r : rows) r.values.resize(2);
    }
    write_layer(dir.file("grids.gpkg"), "GPKG", "grids", 4326, wkbPolygon, cols, rows);
}

template <class F>
std::string error_of(F&& f, ErrorCode& code)
{
    try {
        f();
    } catch (const Error& e) {
        code = e.code();
        return e.what();
    }
    code = ErrorCode::ok;
    return {};
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

} // namespace

TEST_CASE("load_locator reads grid ids, stations and manager fields and answers in metres")
{
    TempDir dir("locate-load");
    write_plan(dir, true);
    const Locator loc = load_locator(dir.path().string());
    REQUIRE(loc.size() == 2);
    CHECK(has(loc.crs_wkt(), "UTM zone 33N"));       // the plan is lon/lat: projected for distances
    CHECK(has(loc.source_crs_wkt(), "WGS 84"));
    CHECK(loc.contact(0).manager_name == "王芳");
    CHECK(loc.contact(0).manager_phone == "+356 2000 0001");
    CHECK(loc.contact(1).manager_id.empty());

    std::vector<Point> pts{{14.505, 35.885}, {14.515, 35.885}, {14.53, 35.885}};
    const auto ok = transform_points(pts, loc.source_crs_wkt(), loc.crs_wkt());
    CHECK(ok == std::vector<bool>{true, true, true});
    const auto a = loc.locate(pts[0]);
    CHECK(a.inside);
    CHECK(loc.contact(a.grid).grid_id == "G1");
    CHECK(loc.contact(a.grid).manager_id == "M1");
    CHECK(loc.contact(loc.locate(pts[1]).grid).grid_id == "G2");
    // 0.01 degree of longitude east of G2 at 35.885 N is about 902 m.
    const auto east = loc.locate(pts[2]);
    CHECK_FALSE(east.inside);
    CHECK(loc.contact(east.grid).grid_id == "G2");
    CHECK(east.distance_m == doctest::Approx(902.5).epsilon(0.01));
}

TEST_CASE("a plan without manager fields gives empty manager fields")
{
    TempDir dir("locate-nomanager");
    write_plan(dir, false);
    const Locator loc = load_locator(dir.path().string());
    REQUIRE(loc.size() == 2);
    CHECK(loc.contact(1).station_id == "S1");
    CHECK(loc.contact(1).manager_id.empty());
    CHECK(loc.contact(1).manager_name.empty());
    CHECK(loc.contact(1).manager_phone.empty());
}

TEST_CASE("a point table row with a NaN point is written without geometry")
{
    TempDir dir("locate-nullgeom");
    FeatureTable t;
    t.name = "located";
    t.kind = GeometryKind::point;
    t.fields = {{"id", FieldType::text}};
    t.rows = {{std::string("a")}, {std::string("b")}};
    t.points = {{14.5, 35.9}, {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::quiet_NaN()}};
    write_tables(dir.path().string(), "located", Format::gpkg, {t}, "EPSG:4326", "EPSG:4326");
    GDALDatasetUniquePtr ds(GDALDataset::Open(dir.file("located.gpkg").c_str(), GDAL_OF_VECTOR));
    REQUIRE(ds != nullptr);
    OGRLayer* layer = ds->GetLayerByName("located");
    REQUIRE(layer != nullptr);
    REQUIRE(layer->GetFeatureCount() == 2);
    OGRFeatureUniquePtr a(layer->GetNextFeature()), b(layer->GetNextFeature());
    REQUIRE(a->GetGeometryRef() != nullptr);
    CHECK(a->GetGeometryRef()->toPoint()->getX() == 14.5);
    CHECK(std::string(b->GetFieldAsString("id")) == "b");
    CHECK(b->GetGeometryRef() == nullptr);
}

TEST_CASE("load_locator names the folder, file, layer or field that is missing")
{
    TempDir dir("locate-errors");
    ErrorCode code{};
    auto msg = error_of([&] { load_locator(dir.file("nowhere")); }, code);
    CHECK(code == ErrorCode::io_open);
    CHECK(has(msg, "no such folder"));
    msg = error_of([&] { load_locator(dir.path().string()); }, code);
    CHECK(code == ErrorCode::io_open);
    CHECK(has(msg, "has no grids.gpkg"));
    write_layer(dir.file("grids.gpkg"), "GPKG", "transformers", 4326, wkbPoint, {{"id"}}, {{{"t1"}, "POINT (1 2)"}});
    msg = error_of([&] { load_locator(dir.path().string()); }, code);
    CHECK(code == ErrorCode::io_layer);
    CHECK(has(msg, "has no layer 'grids'; its layers are: transformers"));
    write_layer(dir.file("grids.gpkg"), "GPKG", "grids", 4326, wkbPolygon, {{"name"}},
                {{{"x"}, "POLYGON ((0 0,1 0,1 1,0 0))"}});
    msg = error_of([&] { load_locator(dir.path().string()); }, code);
    CHECK(code == ErrorCode::io_field);
    CHECK(has(msg, "has no field 'grid_id'; its fields are: name"));
    fs::remove(dir.file("grids.gpkg"));
    write_layer(dir.file("grids.gpkg"), "GPKG", "grids", 4326, wkbPolygon, {{"grid_id"}}, {});
    msg = error_of([&] { load_locator(dir.path().string()); }, code);
    CHECK(code == ErrorCode::invalid_input);
    CHECK(has(msg, "holds no grid"));
    fs::remove(dir.file("grids.gpkg"));
    write_layer(dir.file("grids.gpkg"), "GPKG", "grids", 4326, wkbPolygon, {{"grid_id"}}, {{{"G1"}, ""}});
    msg = error_of([&] { load_locator(dir.path().string()); }, code);
    CHECK(code == ErrorCode::invalid_input);
    CHECK(has(msg, "grid 'G1' (fid 1)"));
    CHECK(has(msg, "has no polygon geometry"));
}

TEST_CASE("read_points keeps every CSV row in order and says why a row cannot be used")
{
    TempDir dir("locate-points");
    write_file(dir.file("orders.csv"), "id,lon,lat,kind\n"
                                       "w1,14.505,35.885,repair\n"
                                       "w2,abc,35.885,repair\n"
                                       ",14.515,35.885,new\n"
                                       "w4,14.515,,enquiry\n");
    PointReadOptions o;
    o.source.path = dir.file("orders.csv");
    o.fallback_crs_wkt = crs_wkt(4326);
    const PointSet set = read_points(o);
    REQUIRE(set.points.size() == 4);
    CHECK(set.coordinates == "columns lon, lat");
    CHECK(set.id_field == "id");
    CHECK(set.crs_wkt == o.fallback_crs_wkt);
    CHECK(set.crs_assumed);
    CHECK(set.points[0].problem.empty());
    CHECK(set.points[0].xy.x == 14.505);
    CHECK(set.points[0].xy.y == 35.885);
    CHECK(set.points[1].id == "w2");
    CHECK(set.points[1].problem == "x 'abc' (field 'lon') is not a number");
    CHECK(std::isnan(set.points[1].xy.x));
    CHECK(set.points[2].problem == "no id (field 'id' is empty)");
    CHECK(set.points[3].problem == "y (field 'lat') is empty");
    CHECK(set.points[3].fid == 4);

    // Named columns and a CRS given for a layer without one.
    o.x_field = "LAT";
    o.y_field = "lon";
    o.crs = "EPSG:32633";
    const PointSet swapped = read_points(o);
    CHECK(swapped.coordinates == "columns lat, lon");
    CHECK(has(swapped.crs_wkt, "UTM zone 33N"));
    CHECK_FALSE(swapped.crs_assumed);
    CHECK(swapped.points[0].xy.x == 35.885);

    ErrorCode code{};
    o.x_field = "east";
    o.y_field = "lat";
    auto msg = error_of([&] { read_points(o); }, code);
    CHECK(code == ErrorCode::io_field);
    CHECK(has(msg, "has no x field 'east'; its fields are: id, lon, lat, kind (fix: map it with --x-field)"));
    o.x_field = o.y_field = "";
    o.id_field = "order_no";
    msg = error_of([&] { read_points(o); }, code);
    CHECK(code == ErrorCode::io_field);
    CHECK(has(msg, "no id field 'order_no'"));

    write_file(dir.file("nocoords.csv"), "id,street\n1,Main\n");
    o.source.path = dir.file("nocoords.csv");
    o.id_field = "id";
    msg = error_of([&] { read_points(o); }, code);
    CHECK(code == ErrorCode::io_field);
    CHECK(has(msg, "has no geometry and no x/y columns"));
}

TEST_CASE("read_points reads any OGR point layer with its CRS and flags other geometries")
{
    TempDir dir("locate-ogr");
    write_layer(dir.file("orders.gpkg"), "GPKG", "orders", 32633, wkbUnknown, {{"code"}},
                {{{"a"}, "POINT (500000 3970000)"}, {{"b"}, "LINESTRING (0 0,1 1)"}, {{"c"}, ""},
                 {{"d"}, "MULTIPOINT ((1 2))"}});
    PointReadOptions o;
    o.source.path = dir.file("orders.gpkg");
    o.source.layer = "orders";
    const PointSet set = read_points(o);
    REQUIRE(set.points.size() == 4);
    CHECK(set.id_field.empty()); // no field "id": the feature ids
    CHECK(set.points[0].id == "1");
    CHECK(set.coordinates == "geometry");
    CHECK(has(set.crs_wkt, "UTM zone 33N"));
    CHECK(set.points[0].xy.x == 500000.0);
    CHECK(set.points[1].problem == "geometry is a Line String, not a point");
    CHECK(set.points[2].problem == "no geometry");
    CHECK(set.points[3].problem.empty());
    CHECK(set.points[3].xy.y == 2.0);

    o.source.layer = "jobs";
    ErrorCode code{};
    const auto msg = error_of([&] { read_points(o); }, code);
    CHECK(code == ErrorCode::io_layer);
    CHECK(has(msg, "has no layer 'jobs'; its layers are: orders"));
    o.source.path = dir.file("missing.csv");
    o.source.layer.clear();
    CHECK(has(error_of([&] { read_points(o); }, code), "no such file"));
    CHECK(code == ErrorCode::io_open);
}

TEST_CASE("transform_points moves points between CRSs and flags those it cannot move")
{
    const double nan = std::numeric_limits<double>::quiet_NaN();
    std::vector<Point> pts{{15.0, 36.0}, {nan, 1.0}};
    const auto ok = transform_points(pts, "EPSG:4326", "EPSG:32633");
    CHECK(ok == std::vector<bool>{true, false});
    CHECK(pts[0].x == doctest::Approx(500000.0));
    CHECK(pts[0].y == doctest::Approx(3983948.0).epsilon(1e-6));
    CHECK(std::isnan(pts[1].x));
    transform_points(pts, "EPSG:32633", "EPSG:4326");
    CHECK(pts[0].x == doctest::Approx(15.0).epsilon(1e-12));
    std::vector<Point> local{{1, 2}};
    CHECK(transform_points(local, "", "") == std::vector<bool>{true});
    CHECK_THROWS_AS(transform_points(local, "", "EPSG:4326"), Error);
}

namespace {

/// Every ring of an OGR (multi)polygon as point lists (rings closed as OGR stores them).
std::vector<std::vector<Point>> rings_of(const OGRGeometry& g)
{
    std::vector<std::vector<Point>> out;
    auto add = [&](const OGRLinearRing& r) {
        std::vector<Point> pts;
        for (int i = 0; i < r.getNumPoints(); ++i) pts.push_back({r.getX(i), r.getY(i)});
        out.push_back(std::move(pts));
    };
    auto polygon = [&](const OGRPolygon& p) {
        if (p.IsEmpty()) return;
        add(*p.getExteriorRing());
        for (int i = 0; i < p.getNumInteriorRings(); ++i) add(*p.getInteriorRing(i));
    };
    if (wkbFlatten(g.getGeometryType()) == wkbPolygon) polygon(*g.toPolygon());
    else
        for (const auto* part : *g.toMultiPolygon()) polygon(*part);
    return out;
}

/// Brute force, written apart from the Locator: a grid holds a point on one of its edges or
/// inside an odd number of its rings (crossing number towards +x); the lowest grid wins.
/// Outside every grid: the nearest edge (lowest grid on ties).
Location brute_force(const std::vector<std::vector<std::vector<Point>>>& grids, const Point& p)
{
    Location out;
    for (std::size_t g = 0; g < grids.size(); ++g) {
        bool odd = false, border = false;
        for (const auto& r : grids[g])
            for (std::size_t i = 0, j = r.size() - 1; i < r.size(); j = i++) {
                const Point &a = r[j], &b = r[i];
                if (p.x >= std::min(a.x, b.x) && p.x <= std::max(a.x, b.x) && p.y >= std::min(a.y, b.y) &&
                    p.y <= std::max(a.y, b.y) && (b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x) == 0.0)
                    border = true;
                if ((b.y > p.y) != (a.y > p.y) && p.x < (a.x - b.x) * (p.y - b.y) / (a.y - b.y) + b.x) odd = !odd;
            }
        if (odd || border) {
            out.grid = static_cast<std::uint32_t>(g);
            out.inside = true;
            return out;
        }
    }
    out.distance_m = std::numeric_limits<double>::infinity();
    for (std::size_t g = 0; g < grids.size(); ++g)
        for (const auto& r : grids[g])
            for (std::size_t i = 1; i < r.size(); ++i) {
                const Point &a = r[i - 1], &b = r[i];
                const double dx = b.x - a.x, dy = b.y - a.y, len2 = dx * dx + dy * dy;
                const double t = len2 > 0 ? ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2 : 0.0;
                const double d = t <= 0 ? std::hypot(a.x - p.x, a.y - p.y)
                                 : t >= 1 ? std::hypot(b.x - p.x, b.y - p.y)
                                          : std::hypot(a.x + t * dx - p.x, a.y + t * dy - p.y);
                if (d < out.distance_m) {
                    out.distance_m = d;
                    out.grid = static_cast<std::uint32_t>(g);
                }
            }
    return out;
}

} // namespace

TEST_CASE("on a plan folder of the Malta sample every answer agrees with a brute force and with GEOS")
{
    TempDir dir("locate-real");
    malta::write_plan(LIBGRID_DATA, dir.file("plan"), 12); // through the library, as plan writes it
    const Locator loc = load_locator(dir.file("plan"));
    REQUIRE(loc.size() == 12);

    // The same grids read with GDAL and projected to the Locator's CRS by OGR.
    GDALDatasetUniquePtr ds(GDALDataset::Open(dir.file("plan/grids.gpkg").c_str(), GDAL_OF_VECTOR));
    REQUIRE(ds != nullptr);
    OGRLayer* layer = ds->GetLayerByName("grids");
    REQUIRE(layer != nullptr);
    OGRSpatialReference work;
    work.importFromWkt(loc.crs_wkt().c_str());
    work.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    std::unique_ptr<OGRCoordinateTransformation> ct(OGRCreateCoordinateTransformation(layer->GetSpatialRef(), &work));
    REQUIRE(ct != nullptr);
    std::vector<std::unique_ptr<OGRGeometry>> shapes;
    std::vector<std::vector<std::vector<Point>>> rings;
    std::vector<bool> valid;
    std::vector<std::string> ids;
    OGREnvelope extent;
    bool multipart = false;
    {
        CPLPushErrorHandler(CPLQuietErrorHandler); // GEOS's validity complaints
        for (auto& f : *layer) {
            std::unique_ptr<OGRGeometry> g(f->GetGeometryRef()->clone());
            REQUIRE(g->transform(ct.get()) == OGRERR_NONE);
            OGREnvelope e;
            g->getEnvelope(&e);
            extent.Merge(e);
            if (wkbFlatten(g->getGeometryType()) == wkbMultiPolygon && g->toMultiPolygon()->getNumGeometries() > 1)
                multipart = true;
            ids.emplace_back(f->GetFieldAsString("grid_id"));
            rings.push_back(rings_of(*g));
            valid.push_back(g->IsValid());
            shapes.push_back(std::move(g));
        }
        CPLPopErrorHandler();
    }
    CHECK(multipart); // Malta, Gozo and Comino: grids of several parts are exercised
    std::mt19937 rng(11);
    const double dx = extent.MaxX - extent.MinX, dy = extent.MaxY - extent.MinY;
    std::uniform_real_distribution<double> ux(extent.MinX - 0.1 * dx, extent.MaxX + 0.1 * dx);
    std::uniform_real_distribution<double> uy(extent.MinY - 0.1 * dy, extent.MaxY + 0.1 * dy);
    std::size_t inside = 0, outside = 0, mismatches = 0, geos_compared = 0, geos_mismatches = 0;
    CPLPushErrorHandler(CPLQuietErrorHandler);
    for (int i = 0; i < 4000; ++i) {
        const Point p{ux(rng), uy(rng)};
        const Location got = loc.locate(p);
        const Location want = brute_force(rings, p);
        (want.inside ? inside : outside) += 1;
        const bool same = got.inside == want.inside && got.grid == want.grid &&
                          std::abs(got.distance_m - want.distance_m) <= 1e-9 * (1.0 + want.distance_m);
        if (!same && ++mismatches <= 5)
            FAIL_CHECK("point (" << p.x << ", " << p.y << "): Locator grid " << got.grid << " inside " << got.inside
                                 << " distance " << got.distance_m << "; brute force grid " << want.grid
                                 << " inside " << want.inside << " distance " << want.distance_m);
        // GEOS as a third opinion, where the grids concerned are valid (GEOS's predicates are
        // undefined on invalid polygons; grid-partition's dissolve leaves a few slivers).
        OGRPoint q(p.x, p.y);
        std::uint32_t geos = Location::none;
        for (std::size_t g = 0; g < shapes.size() && geos == Location::none; ++g)
            if (shapes[g]->Intersects(&q)) geos = static_cast<std::uint32_t>(g);
        if ((geos == Location::none || valid[geos]) && (!got.inside || valid[got.grid])) {
            ++geos_compared;
            if (geos != (got.inside ? got.grid : Location::none)) ++geos_mismatches;
        }
        if (got.grid != Location::none) CHECK(loc.contact(got.grid).grid_id == ids[got.grid]);
    }
    CPLPopErrorHandler();
    CHECK(mismatches == 0);
    CHECK(geos_mismatches == 0);
    CHECK(geos_compared > 3000);
    CHECK(inside > 500); // both kinds of answers are exercised
    CHECK(outside > 500);
}
