// Reading a written plan (DIR/grids.gpkg) back for drawing: grids, transformers and optional
// admin units, in a metric CRS.
#include "io/gdal_util.hpp"

#include <libgrid/error.hpp>
#include <libgrid/plan_layers.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <unistd.h>

namespace libgrid {
namespace {

using detail::GdalErrorCapture;
using detail::SrsPtr;

/// Index of a field by name, -1 when the layer lacks it.
int field_index(OGRLayer& layer, const char* name)
{
    return layer.GetLayerDefn()->GetFieldIndex(name);
}

std::string text_of(const OGRFeature& f, int idx)
{
    if (idx < 0 || !f.IsFieldSetAndNotNull(idx)) return {};
    return f.GetFieldAsString(idx);
}

double number_of(const OGRFeature& f, int idx)
{
    if (idx < 0 || !f.IsFieldSetAndNotNull(idx)) return 0.0;
    return f.GetFieldAsDouble(idx);
}

/// The metric CRS maps are drawn in: the layer's own when projected in metres, else the UTM
/// zone of `centre` (given in the layer's CRS). Null for none or a local frame (planar metres as
/// written).
SrsPtr metric_crs(const OGRSpatialReference* src, Point centre, const Box& extent)
{
    // A plan in a local planar frame (--assume-crs local) comes back from the GeoPackage with
    // an undefined SRS, which detail::layer_srs() already made null: its coordinates are the
    // metres to draw, as are any "degrees" far outside lon/lat range.
    const bool not_degrees = !extent.empty() && (std::abs(extent.min_x) > 360 || std::abs(extent.max_x) > 360 ||
                                                 std::abs(extent.min_y) > 90 || std::abs(extent.max_y) > 90);
    if (!src || src->IsLocal() || (!src->IsGeographic() && !src->IsProjected()) ||
        (src->IsGeographic() && not_degrees))
        return nullptr;
    Box at_centre;
    at_centre.add(centre);
    return detail::metric_crs(src, at_centre);
}

void transform_points(OGRCoordinateTransformation* ct, std::vector<Point*>& pts, const std::string& what)
{
    if (!ct || pts.empty()) return;
    std::vector<double> xs(pts.size()), ys(pts.size());
    for (std::size_t i = 0; i < pts.size(); ++i) {
        xs[i] = pts[i]->x;
        ys[i] = pts[i]->y;
    }
    GdalErrorCapture capture;
    if (!ct->Transform(static_cast<int>(pts.size()), xs.data(), ys.data()))
        throw Error(ErrorCode::crs, fmt::format("io: cannot bring {} to a metric CRS: {}", what, capture.last_error()));
    for (std::size_t i = 0; i < pts.size(); ++i) *pts[i] = Point{xs[i], ys[i]};
}

void collect(MultiPolygon& shape, std::vector<Point*>& pts)
{
    for (auto& poly : shape) {
        for (auto& p : poly.outer) pts.push_back(&p);
        for (auto& hole : poly.holes)
            for (auto& p : hole) pts.push_back(&p);
    }
}

} // namespace

PlanLayers read_plan_layers(const std::string& plan_dir, const PlanLayersOptions& options)
{
    namespace fs = std::filesystem;
    detail::ensure_gdal_registered();
    std::error_code ec;
    if (!fs::is_directory(plan_dir, ec))
        throw Error(ErrorCode::io_open,
                    fmt::format("io: cannot open plan folder '{}': {} (fix: give the --out folder of a grid-partition "
                                "plan run)",
                                plan_dir, fs::exists(plan_dir, ec) ? "not a folder" : "no such folder"));
    const std::string path = (fs::path(plan_dir) / "grids.gpkg").string();
    if (!fs::exists(path, ec))
        throw Error(ErrorCode::io_open,
                    fmt::format("io: plan folder '{}' has no grids.gpkg (fix: give the --out folder of a grid-partition "
                                "plan run that wrote the gpkg format, the default)",
                                plan_dir));
    GdalErrorCapture capture;
    GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
    if (!ds)
        throw Error(ErrorCode::io_open,
                    fmt::format("io: cannot open the plan '{}': {} (fix: give the --out folder of "
                                "grid-partition plan)",
                                path, capture.last_error().empty() ? "not a GeoPackage" : capture.last_error()));
    OGRLayer* grids = ds->GetLayerByName("grids");
    if (!grids) {
        std::string names;
        for (int i = 0; i < ds->GetLayerCount(); ++i) names += (i ? ", " : "") + std::string(ds->GetLayer(i)->GetName());
        throw Error(ErrorCode::io_layer, fmt::format("io: plan '{}' has no layer 'grids'; its layers are: {} (fix: give "
                                                     "the --out folder of a grid-partition plan run)",
                                                     path, names));
    }
    const int f_grid = field_index(*grids, "grid_id");
    if (f_grid < 0) {
        std::string names;
        const auto& defn = *grids->GetLayerDefn();
        for (int i = 0; i < defn.GetFieldCount(); ++i) names += (i ? ", " : "") + std::string(defn.GetFieldDefn(i)->GetNameRef());
        throw Error(ErrorCode::io_field, fmt::format("io: layer 'grids' of '{}' has no field 'grid_id'; its fields are: "
                                                     "{} (fix: re-run grid-partition plan)",
                                                     path, names));
    }

    PlanLayers out;
    const int f_station = field_index(*grids, "station_id"), f_branch = field_index(*grids, "branch_id"),
              f_mid = field_index(*grids, "manager_id"), f_mname = field_index(*grids, "manager_name"),
              f_mphone = field_index(*grids, "manager_phone"), f_cust = field_index(*grids, "customers"),
              f_load = field_index(*grids, "load"), f_dev = field_index(*grids, "deviation");
    Box box;
    grids->ResetReading();
    for (auto& feature : *grids) {
        PlanGridFeature g;
        g.grid_id = text_of(*feature, f_grid);
        g.station_id = text_of(*feature, f_station);
        g.branch_id = text_of(*feature, f_branch);
        g.manager_id = text_of(*feature, f_mid);
        g.manager_name = text_of(*feature, f_mname);
        g.manager_phone = text_of(*feature, f_mphone);
        g.customers = number_of(*feature, f_cust);
        g.load = f_load >= 0 ? number_of(*feature, f_load) : g.customers;
        g.deviation = number_of(*feature, f_dev);
        g.fid = feature->GetFID();
        if (const OGRGeometry* geom = feature->GetGeometryRef()) g.shape = detail::to_multipolygon(*geom);
        for (const auto& poly : g.shape)
            for (const auto& p : poly.outer) box.add(p);
        out.grids.push_back(std::move(g));
    }

    const OGRSpatialReference* src = detail::layer_srs(*grids);
    const Point centre = box.empty() ? Point{} : Point{0.5 * (box.min_x + box.max_x), 0.5 * (box.min_y + box.max_y)};
    SrsPtr work;
    if (!options.work_crs.empty()) {
        if (!src)
            throw Error(ErrorCode::crs, fmt::format("io: plan '{}' has no CRS, so it cannot be moved to '{}' (fix: "
                                                    "leave the work CRS empty)",
                                                    path, options.work_crs));
        work = detail::parse_srs(options.work_crs, "work CRS");
    } else {
        work = metric_crs(src, centre, box);
    }
    out.crs_name = work && work->GetName() ? work->GetName() : "local";
    out.crs_wkt = detail::srs_to_wkt(work.get());
    out.source_crs_wkt = detail::srs_to_wkt(src);
    auto to_work = [&](OGRLayer& layer) {
        return work ? detail::make_transform(detail::layer_srs(layer), work.get()) : detail::TransformPtr();
    };
    {
        const auto ct = to_work(*grids);
        std::vector<Point*> pts;
        for (auto& g : out.grids) collect(g.shape, pts);
        transform_points(ct.get(), pts, "layer 'grids' of '" + path + "'");
    }

    if (OGRLayer* tx = options.transformers ? ds->GetLayerByName("transformers") : nullptr) {
        const int t_id = field_index(*tx, "transformer_id"), t_grid = field_index(*tx, "grid_id"),
                  t_station = field_index(*tx, "station_id"), t_branch = field_index(*tx, "branch_id");
        tx->ResetReading();
        for (auto& feature : *tx) {
            const OGRGeometry* geom = feature->GetGeometryRef();
            if (!geom || geom->IsEmpty() || wkbFlatten(geom->getGeometryType()) != wkbPoint) continue;
            out.transformers.push_back({text_of(*feature, t_id), text_of(*feature, t_grid),
                                        text_of(*feature, t_station), text_of(*feature, t_branch),
                                        Point{geom->toPoint()->getX(), geom->toPoint()->getY()}});
        }
        const auto ct = to_work(*tx);
        std::vector<Point*> pts;
        for (auto& t : out.transformers) pts.push_back(&t.location);
        transform_points(ct.get(), pts, "layer 'transformers' of '" + path + "'");
        // A grid's branch, when only its transformers carry one: the first one met.
        if (f_branch < 0 && t_branch >= 0) {
            std::map<std::string, std::string> branch_of;
            for (const auto& t : out.transformers)
                if (!t.branch_id.empty()) branch_of.emplace(t.grid_id, t.branch_id);
            for (auto& g : out.grids)
                if (const auto it = branch_of.find(g.grid_id); it != branch_of.end()) g.branch_id = it->second;
        }
    }

    if (OGRLayer* admin = options.admin_units ? ds->GetLayerByName("admin_units") : nullptr) {
        const int a_level = field_index(*admin, "level"), a_id = field_index(*admin, "id"),
                  a_name = field_index(*admin, "name");
        admin->ResetReading();
        for (auto& feature : *admin) {
            PlanAdminUnit u{text_of(*feature, a_level), text_of(*feature, a_id), text_of(*feature, a_name), {}};
            if (const OGRGeometry* geom = feature->GetGeometryRef()) u.shape = detail::to_multipolygon(*geom);
            out.admin_units.push_back(std::move(u));
        }
        const auto ct = to_work(*admin);
        std::vector<Point*> pts;
        for (auto& u : out.admin_units) collect(u.shape, pts);
        transform_points(ct.get(), pts, "layer 'admin_units' of '" + path + "'");
    }

    if (OGRLayer* moved = ds->GetLayerByName("moved_areas")) {
        const int m_id = field_index(*moved, "transformer_id"), m_from = field_index(*moved, "from_grid"),
                  m_to = field_index(*moved, "to_grid"), m_cust = field_index(*moved, "customers");
        moved->ResetReading();
        for (auto& feature : *moved) {
            PlanMovedArea m{text_of(*feature, m_id), text_of(*feature, m_from), text_of(*feature, m_to),
                            number_of(*feature, m_cust), {}};
            if (const OGRGeometry* geom = feature->GetGeometryRef()) m.shape = detail::to_multipolygon(*geom);
            out.moved.push_back(std::move(m));
        }
        const auto ct = to_work(*moved);
        std::vector<Point*> pts;
        for (auto& m : out.moved) collect(m.shape, pts);
        transform_points(ct.get(), pts, "layer 'moved_areas' of '" + path + "'");
    }
    return out;
}

void write_layer_style(const std::string& gpkg_path, const std::string& layer, const std::string& style_name,
                       const std::string& qml, const std::string& description)
{
    namespace fs = std::filesystem;
    detail::ensure_gdal_registered();
    const fs::path target(gpkg_path);
    const fs::path tmp = detail::temp_sibling(target);
    std::error_code ec;
    fs::copy_file(target, tmp, fs::copy_options::overwrite_existing, ec);
    if (ec)
        throw Error(ErrorCode::io_open, fmt::format("io: cannot copy '{}' to store a style: {}", gpkg_path, ec.message()));
    auto fail = [&](ErrorCode code, const std::string& why) {
        std::error_code ignored;
        fs::remove(tmp, ignored);
        return Error(code, fmt::format("io: cannot store the QGIS style of layer '{}' in '{}': {}", layer, gpkg_path, why));
    };
    {
        GdalErrorCapture capture;
        GDALDatasetUniquePtr ds(GDALDataset::Open(tmp.string().c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE));
        if (!ds) throw fail(ErrorCode::io_open, capture.last_error());
        OGRLayer* target_layer = ds->GetLayerByName(layer.c_str());
        if (!target_layer) throw fail(ErrorCode::io_layer, "no such layer");
        const std::string geom_column = target_layer->GetGeometryColumn() ? target_layer->GetGeometryColumn() : "";
        OGRLayer* styles = ds->GetLayerByName("layer_styles");
        if (!styles) {
            // QGIS's own schema for styles stored in a GeoPackage.
            styles = ds->CreateLayer("layer_styles", nullptr, wkbNone, nullptr);
            if (!styles) throw fail(ErrorCode::io_write, "cannot create table layer_styles: " + capture.last_error());
            const std::pair<const char*, OGRFieldType> fields[] = {
                {"f_table_catalog", OFTString}, {"f_table_schema", OFTString}, {"f_table_name", OFTString},
                {"f_geometry_column", OFTString}, {"styleName", OFTString}, {"styleQML", OFTString},
                {"styleSLD", OFTString}, {"useAsDefault", OFTInteger}, {"description", OFTString},
                {"owner", OFTString}, {"ui", OFTString}, {"update_time", OFTDateTime}};
            for (const auto& [name, type] : fields) {
                OGRFieldDefn defn(name, type);
                if (std::string(name) == "useAsDefault") defn.SetSubType(OFSTBoolean);
                if (styles->CreateField(&defn) != OGRERR_NONE)
                    throw fail(ErrorCode::io_write, std::string("cannot create field ") + name);
            }
        }
        // Replace our earlier row for this layer, keep everyone else's.
        std::vector<GIntBig> old;
        const int f_table = styles->GetLayerDefn()->GetFieldIndex("f_table_name");
        const int f_name = styles->GetLayerDefn()->GetFieldIndex("styleName");
        const int f_default = styles->GetLayerDefn()->GetFieldIndex("useAsDefault");
        if (f_table < 0 || f_name < 0) throw fail(ErrorCode::io_write, "table layer_styles lacks QGIS's columns");
        styles->ResetReading();
        for (auto& f : *styles)
            if (text_of(*f, f_table) == layer && text_of(*f, f_name) == style_name) old.push_back(f->GetFID());
        for (const auto fid : old)
            if (styles->DeleteFeature(fid) != OGRERR_NONE) throw fail(ErrorCode::io_write, "cannot replace the old style");
        // Only one default style per layer: ours.
        if (f_default >= 0) {
            styles->ResetReading();
            std::vector<OGRFeatureUniquePtr> others;
            for (auto& f : *styles)
                if (text_of(*f, f_table) == layer && f->GetFieldAsInteger(f_default)) others.emplace_back(f->Clone());
            for (auto& f : others) {
                f->SetField(f_default, 0);
                if (styles->SetFeature(f.get()) != OGRERR_NONE)
                    throw fail(ErrorCode::io_write, "cannot unset another default style");
            }
        }
        OGRFeatureUniquePtr row(OGRFeature::CreateFeature(styles->GetLayerDefn()));
        row->SetField("f_table_catalog", "");
        row->SetField("f_table_schema", "");
        row->SetField("f_table_name", layer.c_str());
        row->SetField("f_geometry_column", geom_column.c_str());
        row->SetField("styleName", style_name.c_str());
        row->SetField("styleQML", qml.c_str());
        row->SetField("styleSLD", "");
        row->SetField("useAsDefault", 1);
        row->SetField("description", description.c_str());
        row->SetField("owner", "");
        row->SetField("ui", "");
        if (styles->CreateFeature(row.get()) != OGRERR_NONE)
            throw fail(ErrorCode::io_write, "cannot add the style row: " + capture.last_error());
        ds.reset();
        if (!capture.last_error().empty()) throw fail(ErrorCode::io_write, capture.last_error());
    }
    try {
        detail::rename_into_place(tmp, target);
    } catch (const Error& e) {
        throw fail(ErrorCode::io_write, e.what());
    }
}

} // namespace libgrid
