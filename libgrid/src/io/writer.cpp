// Writing output layers and files atomically through GDAL.
#include "io/gdal_util.hpp"

#include <libgrid/error.hpp>
#include <libgrid/io.hpp>

#include <fmt/format.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <set>

namespace fs = std::filesystem;

namespace libgrid {

namespace detail {

std::filesystem::path temp_sibling(const std::filesystem::path& target)
{
    static std::atomic<unsigned> counter{0}; // unique per process, also across threads
    return target.parent_path() /
           fmt::format(".{}.tmp-{}-{}", target.filename().string(), ::getpid(), ++counter);
}

void rename_into_place(const std::filesystem::path& from, const std::filesystem::path& to)
{
    std::error_code ec;
    fs::rename(from, to, ec);
    if (ec)
        throw Error(ErrorCode::io_write, fmt::format("io: cannot move '{}' into place as '{}': {}",
                                                     from.string(), to.string(), ec.message()));
}

} // namespace detail

namespace {

using detail::rename_into_place;
using detail::temp_sibling;

using detail::GdalErrorCapture;

void refuse_inputs(const fs::path& target, const std::vector<std::string>& protect)
{
    if (is_input(target.string(), protect))
        throw Error(ErrorCode::io_write, fmt::format("io: refusing to write '{}': it is an input of this run "
                                                     "(fix: choose another --out folder)",
                                                     target.string()));
}

/// Deterministic field names of at most `max_len` bytes, unique within the layer.
std::vector<std::string> short_names(const std::vector<FieldDef>& fields, std::size_t max_len)
{
    std::vector<std::string> out;
    std::set<std::string> used;
    for (const auto& f : fields) {
        std::string name = f.name.substr(0, max_len);
        for (int k = 1; used.count(detail::lower(name)); ++k) {
            const std::string suffix = fmt::format("_{}", k);
            name = f.name.substr(0, max_len - suffix.size()) + suffix;
        }
        used.insert(detail::lower(name));
        out.push_back(name);
    }
    return out;
}

OGRwkbGeometryType ogr_type(GeometryKind kind)
{
    switch (kind) {
    case GeometryKind::point: return wkbPoint;
    case GeometryKind::line: return wkbLineString;
    case GeometryKind::polygon: return wkbMultiPolygon;
    case GeometryKind::none: break;
    }
    return wkbNone;
}

void check_table(const FeatureTable& t)
{
    const std::size_t n = t.rows.size();
    const std::size_t g = t.kind == GeometryKind::point    ? t.points.size()
                          : t.kind == GeometryKind::line    ? t.lines.size()
                          : t.kind == GeometryKind::polygon ? t.polygons.size()
                                                            : n;
    if (g != n)
        throw Error(ErrorCode::invalid_argument,
                    fmt::format("io: table '{}' has {} rows but {} geometries", t.name, n, g));
    for (const auto& row : t.rows)
        if (row.size() != t.fields.size())
            throw Error(ErrorCode::invalid_argument,
                        fmt::format("io: table '{}' has a row of {} values for {} fields", t.name,
                                    row.size(), t.fields.size()));
}

/// Writes one table as a layer of an open dataset.
void write_layer(GDALDataset& ds, const FeatureTable& table, const OGRSpatialReference* srs,
                 OGRCoordinateTransformation* ct, Format format, const std::string& path)
{
    GdalErrorCapture capture;
    CPLStringList options;
    if (format == Format::shp) options.SetNameValue("ENCODING", "UTF-8");
    if (format == Format::geojson) {
        options.SetNameValue("RFC7946", srs ? "YES" : "NO");
        options.SetNameValue("WRITE_NAME", "YES");
    }
    if (format == Format::gpkg) options.SetNameValue("SPATIAL_INDEX", "YES");
    const OGRwkbGeometryType gtype = format == Format::csv ? wkbNone : ogr_type(table.kind);
    OGRLayer* layer = ds.CreateLayer(table.name.c_str(),
                                     gtype == wkbNone ? nullptr : const_cast<OGRSpatialReference*>(srs),
                                     gtype, options.List());
    auto fail = [&](const std::string& what) {
        return Error(ErrorCode::io_write, fmt::format("io: cannot write layer '{}' of '{}': {}: {}",
                                                      table.name, path, what, capture.last_error()));
    };
    if (!layer) throw fail("layer creation failed");
    const auto names = short_names(table.fields, format == Format::shp ? 10 : 63);
    for (std::size_t j = 0; j < table.fields.size(); ++j) {
        const auto& f = table.fields[j];
        OGRFieldDefn defn(names[j].c_str(), f.type == FieldType::integer ? OFTInteger64
                                            : f.type == FieldType::real  ? OFTReal
                                                                         : OFTString);
        if (format == Format::shp && f.type == FieldType::text) defn.SetWidth(254);
        if (layer->CreateField(&defn) != OGRERR_NONE) throw fail("field creation failed");
    }
    const bool transaction = ds.StartTransaction() == OGRERR_NONE;
    for (std::size_t i = 0; i < table.rows.size(); ++i) {
        OGRFeatureUniquePtr feature(OGRFeature::CreateFeature(layer->GetLayerDefn()));
        for (std::size_t j = 0; j < table.fields.size(); ++j) {
            const int idx = static_cast<int>(j);
            const auto& v = table.rows[i][j];
            if (std::holds_alternative<std::int64_t>(v))
                feature->SetField(idx, static_cast<GIntBig>(std::get<std::int64_t>(v)));
            else if (std::holds_alternative<double>(v))
                feature->SetField(idx, std::get<double>(v));
            else if (std::holds_alternative<std::string>(v))
                feature->SetField(idx, std::get<std::string>(v).c_str());
            else
                feature->SetFieldNull(idx);
        }
        // A point with a NaN coordinate (e.g. a point that could not be read) has no geometry.
        const bool no_point = table.kind == GeometryKind::point &&
                              (!std::isfinite(table.points[i].x) || !std::isfinite(table.points[i].y));
        if (gtype != wkbNone && !no_point) {
            std::unique_ptr<OGRGeometry> geom;
            if (table.kind == GeometryKind::point) {
                geom = std::make_unique<OGRPoint>(table.points[i].x, table.points[i].y);
            } else if (table.kind == GeometryKind::line) {
                auto line = std::make_unique<OGRLineString>();
                for (const auto& p : table.lines[i]) line->addPoint(p.x, p.y);
                geom = std::move(line);
            } else {
                geom = detail::to_ogr(table.polygons[i]);
            }
            if (ct && geom->transform(ct) != OGRERR_NONE) throw fail("coordinate transformation failed");
            if (srs) geom->assignSpatialReference(const_cast<OGRSpatialReference*>(srs));
            feature->SetGeometryDirectly(geom.release());
        }
        if (layer->CreateFeature(feature.get()) != OGRERR_NONE) throw fail("feature write failed");
    }
    if (transaction && ds.CommitTransaction() != OGRERR_NONE) throw fail("commit failed");
}

/// Closes a dataset (flushing it) and fails when GDAL reported an error while doing so.
void finish(GDALDatasetUniquePtr ds, const fs::path& target)
{
    GdalErrorCapture capture;
    ds.reset();
    if (!capture.last_error().empty())
        throw Error(ErrorCode::io_write,
                    fmt::format("io: cannot finish '{}': {}", target.string(), capture.last_error()));
}

const char* driver_name(Format f)
{
    switch (f) {
    case Format::gpkg: return "GPKG";
    case Format::shp: return "ESRI Shapefile";
    case Format::geojson: return "GeoJSON";
    case Format::csv: return "CSV";
    }
    return "";
}

const char* extension(Format f)
{
    switch (f) {
    case Format::gpkg: return ".gpkg";
    case Format::shp: return ".shp";
    case Format::geojson: return ".geojson";
    case Format::csv: return ".csv";
    }
    return "";
}

} // namespace

std::vector<std::string> write_tables(const std::string& dir, const std::string& stem,
                                      Format format, const std::vector<FeatureTable>& tables,
                                      const std::string& from_crs_wkt,
                                      const std::string& to_crs_wkt,
                                      const std::vector<std::string>& protect)
{
    detail::ensure_gdal_registered();
    for (const auto& t : tables) check_table(t);
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
        throw Error(ErrorCode::io_write,
                    fmt::format("io: cannot create output folder '{}': {}", dir, ec.message()));

    detail::SrsPtr from, to;
    if (!from_crs_wkt.empty()) from = detail::parse_srs(from_crs_wkt, "CRS");
    if (!to_crs_wkt.empty()) to = detail::parse_srs(to_crs_wkt, "output CRS");
    if (format == Format::geojson && to) to = detail::parse_srs("EPSG:4326", "GeoJSON CRS");
    auto ct = detail::make_transform(from.get(), to.get());

    GDALDriver* driver = GetGDALDriverManager()->GetDriverByName(driver_name(format));
    if (!driver)
        throw Error(ErrorCode::unsupported,
                    fmt::format("io: GDAL has no '{}' driver", driver_name(format)));

    std::vector<std::string> written;
    auto create = [&](const fs::path& path) {
        GdalErrorCapture capture;
        GDALDatasetUniquePtr ds(driver->Create(path.string().c_str(), 0, 0, 0, GDT_Unknown, nullptr));
        if (!ds)
            throw Error(ErrorCode::io_write, fmt::format("io: cannot create '{}': {}",
                                                         path.string(), capture.last_error()));
        return ds;
    };
    if (format == Format::gpkg) {
        const fs::path target = fs::path(dir) / (stem + ".gpkg");
        refuse_inputs(target, protect);
        const fs::path tmp = temp_sibling(target);
        try {
            auto ds = create(tmp);
            for (const auto& t : tables) write_layer(*ds, t, to.get(), ct.get(), format, target.string());
            finish(std::move(ds), target);
        } catch (...) {
            fs::remove(tmp, ec);
            throw;
        }
        rename_into_place(tmp, target);
        written.push_back(target.string());
        return written;
    }
    // One file (set) per table, written in a temporary folder, then each file renamed.
    for (const auto& t : tables) {
        const fs::path target = fs::path(dir) / (t.name + extension(format));
        refuse_inputs(target, protect);
        const fs::path tmpdir = temp_sibling(target);
        fs::create_directories(tmpdir, ec);
        try {
            // Each driver writes `<name><ext>` (and its side files) into the temporary folder.
            const fs::path inner = tmpdir / (t.name + extension(format));
            {
                auto ds = create(inner);
                write_layer(*ds, t, to.get(), ct.get(), format, target.string());
                finish(std::move(ds), target);
            }
            for (const auto& entry : fs::directory_iterator(tmpdir)) {
                const fs::path dest = fs::path(dir) / entry.path().filename();
                refuse_inputs(dest, protect);
                rename_into_place(entry.path(), dest);
                written.push_back(dest.string());
            }
        } catch (...) {
            fs::remove_all(tmpdir, ec);
            throw;
        }
        fs::remove_all(tmpdir, ec);
    }
    return written;
}

bool is_input(const std::string& target_path, const std::vector<std::string>& protect)
{
    const fs::path target(target_path);
    std::error_code ec;
    for (const auto& p : protect) {
        if (p.empty()) continue;
        const fs::path input(p);
        const bool same = fs::exists(target, ec) && fs::exists(input, ec)
                              ? fs::equivalent(target, input, ec)
                              : fs::weakly_canonical(target, ec) == fs::weakly_canonical(input, ec);
        const bool shp_sibling = detail::has_extension(p, ".shp") && target.stem() == input.stem() &&
                                 fs::weakly_canonical(target.parent_path(), ec) ==
                                     fs::weakly_canonical(input.parent_path(), ec);
        if (same || shp_sibling) return true;
    }
    return false;
}

void write_text_file(const std::string& path, const std::string& contents,
                     const std::vector<std::string>& protect)
{
    const fs::path target(path);
    refuse_inputs(target, protect);
    std::error_code ec;
    if (target.has_parent_path()) fs::create_directories(target.parent_path(), ec);
    const fs::path tmp = temp_sibling(target);
    {
        std::ofstream out(tmp, std::ios::binary);
        out << contents;
        out.flush();
        if (!out) {
            fs::remove(tmp, ec);
            throw Error(ErrorCode::io_write, fmt::format("io: cannot write '{}'", path));
        }
    }
    rename_into_place(tmp, target);
}

} // namespace libgrid
