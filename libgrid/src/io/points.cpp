// Reading points to look up (any OGR point layer or a table with x/y columns) and moving
// points between CRSs (see libgrid/io.hpp).
#include "io/gdal_util.hpp"

#include <libgrid/error.hpp>
#include <libgrid/io.hpp>

#include <fmt/format.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <string_view>

namespace fs = std::filesystem;

namespace libgrid {
namespace {

using detail::GdalErrorCapture;
using detail::SrsPtr;

std::string join_names(const OGRFeatureDefn& defn) { return detail::field_names(defn); }

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

/// A field's text without surrounding blanks, as a view into the feature ({} when null).
std::string_view view(OGRFeature& f, int idx)
{
    if (idx < 0 || !f.IsFieldSetAndNotNull(idx)) return {};
    std::string_view s = f.GetFieldAsString(idx);
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

std::string text(OGRFeature& f, int idx) { return std::string(view(f, idx)); }

using detail::parse_number;

/// Field index by exact name, else case-insensitively; -1 when absent.
int find_field(const OGRFeatureDefn& defn, const std::string& name)
{
    if (name.empty()) return -1;
    const int exact = defn.GetFieldIndex(name.c_str());
    if (exact >= 0) return exact;
    for (int i = 0; i < defn.GetFieldCount(); ++i)
        if (detail::lower(defn.GetFieldDefn(i)->GetNameRef()) == detail::lower(name)) return i;
    return -1;
}

GDALDatasetUniquePtr open_vector(const std::string& path, const char* role, const CPLStringList& options)
{
    detail::ensure_gdal_registered();
    GdalErrorCapture capture;
    GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr,
                                              options.List(), nullptr));
    if (!ds) {
        std::error_code ec;
        const bool exists = fs::exists(path, ec);
        throw Error(ErrorCode::io_open,
                    fmt::format("io: cannot open {} '{}': {} ({})", role, path,
                                !exists ? "no such file"
                                : capture.last_error().empty() ? "not a vector dataset GDAL can read"
                                                               : capture.last_error(),
                                exists ? "fix: convert it to GeoPackage, Shapefile, GeoJSON or CSV"
                                       : "fix: check the path"));
    }
    return ds;
}

using detail::layer_names;

} // namespace

PointSet read_points(const PointReadOptions& options)
{
    const LayerSource& src = options.source;
    if (options.x_field.empty() != options.y_field.empty())
        throw Error(ErrorCode::invalid_argument,
                    "io: give both the x and the y field of the points, or neither");
    CPLStringList open_options;
    const bool csv = detail::has_extension(src.path, ".csv");
    if (csv) {
        // x/y columns are read as text below (so that a bad value is reported with its row);
        // a WKT column still becomes the geometry.
        open_options.SetNameValue("GEOM_POSSIBLE_NAMES", "wkt,geometry,geom,the_geom");
        open_options.SetNameValue("KEEP_GEOM_COLUMNS", "NO");
        open_options.SetNameValue("EMPTY_STRING_AS_NULL", "YES");
    }
    auto ds = open_vector(src.path, "points", open_options);
    OGRLayer* layer = nullptr;
    if (!src.layer.empty()) {
        layer = ds->GetLayerByName(src.layer.c_str());
        if (!layer)
            throw Error(ErrorCode::io_layer,
                        fmt::format("io: points input '{}' has no layer '{}'; its layers are: {} "
                                    "(fix: name one of these layers after the file, as FILE:LAYER)",
                                    src.path, src.layer, layer_names(*ds)));
    } else if (ds->GetLayerCount() > 0) {
        layer = ds->GetLayer(0);
    }
    if (!layer)
        throw Error(ErrorCode::io_layer,
                    fmt::format("io: points input '{}' has no layer (fix: check the file)", src.path));
    PointSet out;
    out.file = src.path;
    out.layer = layer->GetName();
    if (!src.where.empty()) {
        GdalErrorCapture capture;
        if (layer->SetAttributeFilter(src.where.c_str()) != OGRERR_NONE)
            throw Error(ErrorCode::io_field,
                        fmt::format("io: filter \"{}\" is not valid OGR SQL for layer '{}' of '{}': {}",
                                    src.where, out.layer, src.path, capture.last_error()));
    }
    const OGRFeatureDefn& defn = *layer->GetLayerDefn();
    auto missing = [&](const std::string& field, const char* what, const char* flag) {
        return Error(ErrorCode::io_field,
                     fmt::format("io: points layer '{}' of '{}' has no {} field '{}'; its fields "
                                 "are: {} (fix: map it with {})",
                                 out.layer, src.path, what, field, join_names(defn), flag));
    };
    // Coordinates: named fields, else the geometry, else CSV-style x/y columns.
    int i_x = -1, i_y = -1;
    std::string x_name, y_name;
    if (!options.x_field.empty()) {
        i_x = find_field(defn, options.x_field);
        i_y = find_field(defn, options.y_field);
        if (i_x < 0) throw missing(options.x_field, "x", "--x-field");
        if (i_y < 0) throw missing(options.y_field, "y", "--y-field");
    } else if (layer->GetGeomType() == wkbNone) {
        for (const auto& n : options.x_names)
            if (i_x < 0) i_x = find_field(defn, n);
        for (const auto& n : options.y_names)
            if (i_y < 0) i_y = find_field(defn, n);
        if (i_x < 0 || i_y < 0)
            throw Error(ErrorCode::io_field,
                        fmt::format("io: points layer '{}' of '{}' has no geometry and no x/y "
                                    "columns; its fields are: {} (fix: name the coordinate "
                                    "columns with --x-field and --y-field)",
                                    out.layer, src.path, join_names(defn)));
    }
    const bool by_fields = i_x >= 0;
    if (by_fields) {
        x_name = defn.GetFieldDefn(i_x)->GetNameRef();
        y_name = defn.GetFieldDefn(i_y)->GetNameRef();
        out.coordinates = fmt::format("columns {}, {}", x_name, y_name);
    } else {
        out.coordinates = "geometry";
    }
    int i_id = find_field(defn, options.id_field);
    if (i_id < 0 && options.id_field != PointReadOptions{}.id_field)
        throw missing(options.id_field, "id", "--id-field");
    out.id_field = i_id >= 0 ? defn.GetFieldDefn(i_id)->GetNameRef() : "";

    // CRS: the layer's own, else the one given, else the fallback (the plan's).
    if (const OGRSpatialReference* srs = detail::layer_srs(*layer); srs && !by_fields)
        out.crs_wkt = detail::srs_to_wkt(srs);
    else if (!options.crs.empty())
        out.crs_wkt = detail::srs_to_wkt(detail::parse_srs(options.crs, "points CRS").get());
    else {
        out.crs_wkt = options.fallback_crs_wkt;
        out.crs_assumed = true;
    }

    // Work order files carry many columns (address, description, ...): GDAL need not decode the
    // ones not used. Not with a filter, which may read any of them.
    if (src.where.empty()) {
        CPLStringList ignored;
        for (int i = 0; i < defn.GetFieldCount(); ++i)
            if (i != i_id && i != i_x && i != i_y) ignored.AddString(defn.GetFieldDefn(i)->GetNameRef());
        if (!ignored.empty()) layer->SetIgnoredFields(const_cast<const char**>(ignored.List()));
    }

    const double nan = std::numeric_limits<double>::quiet_NaN();
    const GIntBig count = layer->GetFeatureCount(FALSE);
    if (count > 0) out.points.reserve(static_cast<std::size_t>(count));
    layer->ResetReading();
    for (auto& feature : *layer) {
        InputPoint p;
        p.fid = feature->GetFID();
        p.xy = {nan, nan};
        if (i_id >= 0) {
            p.id = text(*feature, i_id);
            if (p.id.empty()) p.problem = fmt::format("no id (field '{}' is empty)", out.id_field);
        } else {
            p.id = std::to_string(p.fid);
        }
        auto note = [&](const std::string& why) {
            if (p.problem.empty()) p.problem = why;
            else p.problem += "; " + why;
        };
        if (by_fields) {
            // Views, not copies: a million rows make the copies show in the run time. The x view
            // is used before GDAL is asked for y (GetFieldAsString may reuse its buffer).
            const std::string_view tx = view(*feature, i_x);
            double x = nan, y = nan;
            if (tx.empty()) note(fmt::format("x (field '{}') is empty", x_name));
            else if (!parse_number(tx, x)) note(fmt::format("x '{}' (field '{}') is not a number", tx, x_name));
            const std::string_view ty = view(*feature, i_y);
            if (ty.empty()) note(fmt::format("y (field '{}') is empty", y_name));
            else if (!parse_number(ty, y)) note(fmt::format("y '{}' (field '{}') is not a number", ty, y_name));
            p.xy = {x, y};
        } else {
            const OGRGeometry* g = feature->GetGeometryRef();
            if (!g || g->IsEmpty()) {
                note("no geometry");
            } else {
                const auto type = wkbFlatten(g->getGeometryType());
                const OGRPoint* pt = type == wkbPoint ? g->toPoint()
                                     : type == wkbMultiPoint && g->toMultiPoint()->getNumGeometries() == 1
                                         ? g->toMultiPoint()->getGeometryRef(0)
                                         : nullptr;
                if (!pt) note(fmt::format("geometry is a {}, not a point", OGRGeometryTypeToName(g->getGeometryType())));
                else if (!std::isfinite(pt->getX()) || !std::isfinite(pt->getY())) note("coordinates are not finite numbers");
                else p.xy = {pt->getX(), pt->getY()};
            }
        }
        if (!p.problem.empty()) p.xy = {nan, nan};
        out.points.push_back(std::move(p));
    }
    return out;
}

std::vector<bool> transform_points(std::vector<Point>& points, const std::string& from_crs,
                                   const std::string& to_crs)
{
    std::vector<bool> ok(points.size());
    for (std::size_t i = 0; i < points.size(); ++i)
        ok[i] = std::isfinite(points[i].x) && std::isfinite(points[i].y);
    if (from_crs.empty() && to_crs.empty()) return ok;
    if (from_crs.empty() != to_crs.empty())
        throw Error(ErrorCode::crs,
                    fmt::format("io: cannot relate points in {} to {} (fix: give the points' CRS, "
                                "e.g. --points-crs EPSG:4326)",
                                from_crs.empty() ? "a local planar frame" : "a georeferenced CRS",
                                to_crs.empty() ? "a local planar frame" : "a georeferenced CRS"));
    detail::ensure_gdal_registered();
    const SrsPtr from = detail::parse_srs(from_crs, "points CRS");
    const SrsPtr to = detail::parse_srs(to_crs, "target CRS");
    const auto ct = detail::make_transform(from.get(), to.get());
    if (!ct) return ok;
    // Batches keep the temporary arrays small and the count within int.
    constexpr std::size_t batch = 1 << 16;
    std::vector<double> xs, ys;
    std::vector<int> good;
    GdalErrorCapture capture; // PROJ's complaints become `false` flags, not stderr noise
    for (std::size_t lo = 0; lo < points.size(); lo += batch) {
        const std::size_t hi = std::min(points.size(), lo + batch);
        xs.clear();
        ys.clear();
        for (std::size_t i = lo; i < hi; ++i) {
            // NaN stays NaN; a zero keeps PROJ from warning about it, the flag says it failed.
            xs.push_back(ok[i] ? points[i].x : 0.0);
            ys.push_back(ok[i] ? points[i].y : 0.0);
        }
        good.assign(hi - lo, TRUE);
        ct->Transform(static_cast<int>(hi - lo), xs.data(), ys.data(), nullptr, good.data());
        for (std::size_t i = lo; i < hi; ++i) {
            const std::size_t k = i - lo;
            ok[i] = ok[i] && good[k] && std::isfinite(xs[k]) && std::isfinite(ys[k]);
            points[i] = ok[i] ? Point{xs[k], ys[k]}
                              : Point{std::numeric_limits<double>::quiet_NaN(),
                                      std::numeric_limits<double>::quiet_NaN()};
        }
    }
    return ok;
}

std::string crs_name(const std::string& crs)
{
    if (crs.empty()) return "local planar frame";
    detail::ensure_gdal_registered();
    OGRSpatialReference srs;
    GdalErrorCapture capture;
    if (srs.SetFromUserInput(crs.c_str()) != OGRERR_NONE || !srs.GetName() || !*srs.GetName()) return "unnamed CRS";
    return srs.GetName();
}

} // namespace libgrid
