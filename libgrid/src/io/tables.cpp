// Reading layers back as FeatureTables (read_tables, see libgrid/io.hpp).
#include "io/gdal_util.hpp"

#include <libgrid/error.hpp>
#include <libgrid/io.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <set>

namespace libgrid {

std::vector<FeatureTable> read_tables(const std::string& path, const std::vector<std::string>& layers,
                                      std::string& crs_wkt)
{
    detail::ensure_gdal_registered();
    detail::GdalErrorCapture capture;
    GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, nullptr, nullptr));
    if (!ds)
        throw Error(ErrorCode::io_open, fmt::format("io: cannot open '{}': {}", path,
                                                    capture.last_error().empty() ? "not a vector dataset"
                                                                                 : capture.last_error()));
    crs_wkt.clear();
    std::vector<FeatureTable> out;
    for (const auto& name : layers) {
        OGRLayer* layer = ds->GetLayerByName(name.c_str());
        if (!layer)
            throw Error(ErrorCode::io_layer, fmt::format("io: '{}' has no layer '{}'", path, name));
        if (crs_wkt.empty() && detail::layer_srs(*layer)) crs_wkt = detail::srs_to_wkt(detail::layer_srs(*layer));
        FeatureTable t;
        t.name = name;
        const auto gtype = wkbFlatten(layer->GetGeomType());
        t.kind = gtype == wkbNone                                       ? GeometryKind::none
                 : gtype == wkbPoint || gtype == wkbMultiPoint          ? GeometryKind::point
                 : gtype == wkbLineString || gtype == wkbMultiLineString ? GeometryKind::line
                                                                         : GeometryKind::polygon;
        auto* defn = layer->GetLayerDefn();
        for (int i = 0; i < defn->GetFieldCount(); ++i) {
            const auto ft = defn->GetFieldDefn(i)->GetType();
            t.fields.push_back({defn->GetFieldDefn(i)->GetNameRef(),
                                ft == OFTInteger || ft == OFTInteger64 ? FieldType::integer
                                : ft == OFTReal                        ? FieldType::real
                                                                       : FieldType::text});
        }
        layer->ResetReading();
        for (auto& f : *layer) {
            std::vector<FieldValue> row;
            for (int i = 0; i < defn->GetFieldCount(); ++i) {
                if (!f->IsFieldSetAndNotNull(i)) row.emplace_back(std::monostate{});
                else if (t.fields[std::size_t(i)].type == FieldType::integer) row.emplace_back(std::int64_t(f->GetFieldAsInteger64(i)));
                else if (t.fields[std::size_t(i)].type == FieldType::real) row.emplace_back(f->GetFieldAsDouble(i));
                else row.emplace_back(std::string(f->GetFieldAsString(i)));
            }
            t.rows.push_back(std::move(row));
            const OGRGeometry* g = f->GetGeometryRef();
            if (t.kind == GeometryKind::point) {
                Point p;
                if (g && !g->IsEmpty() && wkbFlatten(g->getGeometryType()) == wkbPoint)
                    p = {g->toPoint()->getX(), g->toPoint()->getY()};
                t.points.push_back(p);
            } else if (t.kind == GeometryKind::line) {
                LineString l;
                if (g && !g->IsEmpty() && wkbFlatten(g->getGeometryType()) == wkbLineString)
                    for (int i = 0; i < g->toLineString()->getNumPoints(); ++i)
                        l.push_back({g->toLineString()->getX(i), g->toLineString()->getY(i)});
                t.lines.push_back(std::move(l));
            } else if (t.kind == GeometryKind::polygon) {
                t.polygons.push_back(g ? detail::to_multipolygon(*g) : MultiPolygon{});
            }
        }
        out.push_back(std::move(t));
    }
    return out;
}

std::vector<std::pair<std::string, std::size_t>> read_grids_per_station(const std::string& path)
{
    detail::ensure_gdal_registered();
    detail::GdalErrorCapture capture;
    GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, nullptr, nullptr));
    if (!ds) { // a CSV without the .csv extension (stations.txt): GDAL reads it when told
        capture.clear();
        ds.reset(GDALDataset::Open(("CSV:" + path).c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, nullptr, nullptr));
    }
    if (!ds || ds->GetLayerCount() < 1)
        throw Error(ErrorCode::io_open, fmt::format("cannot open the grids-per-station table '{}': {}", path,
                                                    capture.last_error().empty() ? "not a table GDAL reads"
                                                                                 : capture.last_error()));
    OGRLayer& layer = *ds->GetLayer(0);
    const bool csv = EQUAL(ds->GetDriverName(), "CSV");
    // CSV feature ids count data lines from 1; the header is line 1.
    auto where = [&](GIntBig fid) { return csv ? fmt::format("line {}", fid + 1) : fmt::format("row {}", fid); };
    auto bad = [&](const std::string& at, const std::string& why) {
        return Error(ErrorCode::invalid_input, fmt::format("grids-per-station table '{}' {}: {}", path, at, why));
    };
    const OGRFeatureDefn& defn = *layer.GetLayerDefn();
    std::vector<std::string> names;
    for (int i = 0; i < defn.GetFieldCount(); ++i) names.emplace_back(defn.GetFieldDefn(i)->GetNameRef());
    if (names != std::vector<std::string>{"station_id", "grids"})
        throw bad(csv ? "line 1" : "header", fmt::format("the columns must be 'station_id,grids', found '{}'",
                                                         fmt::join(names, ",")));
    std::vector<std::pair<std::string, std::size_t>> out;
    std::set<std::string> seen;
    for (auto& f : layer) {
        const std::string at = where(f->GetFID());
        const std::string id = detail::trim(f->IsFieldSetAndNotNull(0) ? f->GetFieldAsString(0) : "");
        const std::string k = detail::trim(f->IsFieldSetAndNotNull(1) ? f->GetFieldAsString(1) : "");
        if (id.empty() && k.empty()) continue; // a blank line
        if (id.empty()) throw bad(at, "the station id is empty");
        if (k.empty() || k.size() > 9 || k.find_first_not_of("0123456789") != std::string::npos || std::stoul(k) == 0)
            throw bad(at, fmt::format("grids '{}' for station '{}' is not a positive whole number", k, id));
        if (!seen.insert(id).second) throw bad(at, fmt::format("station '{}' is listed twice", id));
        out.emplace_back(id, static_cast<std::size_t>(std::stoul(k)));
    }
    if (out.empty())
        throw Error(ErrorCode::invalid_input,
                    fmt::format("grids-per-station table '{}' lists no station (expected the columns "
                                "'station_id,grids' and one row per station)",
                                path));
    return out;
}

} // namespace libgrid
