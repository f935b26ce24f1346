// read_current_grids() and read_grid_table(): a utility's grids as they are today, as polygons or
// as a transformer -> grid table, for `grid-partition evaluate` and `replan`; and
// read_transformer_changes(): what changed among the transformers since (`replan --changes`). Problems are
// issues naming file, layer and feature, never exceptions, so that every one is listed at once.
#include "io/gdal_util.hpp"

#include <libgrid/error.hpp>
#include <libgrid/io.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>

namespace libgrid {
namespace {

using detail::field_names;
using detail::field_text;

/// Opens `src` and finds its layer; problems go to `report` (then the layer is null).
struct Opened {
    GDALDatasetUniquePtr ds;
    OGRLayer* layer = nullptr;
};

Opened open_layer(const LayerSource& src, const std::string& encoding, const char* role, ValidationReport& report)
{
    detail::ensure_gdal_registered();
    detail::GdalErrorCapture capture;
    Opened out;
    CPLStringList options;
    if (detail::has_extension(src.path, ".csv")) {
        options.SetNameValue("EMPTY_STRING_AS_NULL", "YES");
        const auto columns = detail::choose_csv_columns(src.path, {}, {}, {"wkt", "geometry", "geom", "the_geom"});
        if (!columns.error.empty()) {
            report.add(Issue{Severity::error, IssueCode::field_missing, src.path, "", "",
                             fmt::format("{}: {}", role, columns.error), "name one column wkt, or rename the others"});
            return out;
        }
        columns.set_open_options(options);
    }
    if (!encoding.empty() && (detail::has_extension(src.path, ".shp") || detail::has_extension(src.path, ".dbf")))
        options.SetNameValue("ENCODING", encoding.c_str());
    out.ds.reset(GDALDataset::Open(src.path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, options.List(),
                                   nullptr));
    if (!out.ds) {
        std::error_code ec;
        const bool exists = std::filesystem::exists(src.path, ec);
        report.add(Issue{Severity::error, IssueCode::file_unreadable, src.path, "", "",
                         fmt::format("cannot open {} '{}': {}", role, src.path,
                                     !exists ? "no such file"
                                     : capture.last_error().empty() ? "not a vector dataset GDAL can read"
                                                                    : capture.last_error()),
                         exists ? "convert it to GeoPackage, Shapefile, GeoJSON or CSV" : "check the path"});
        return out;
    }
    out.layer = src.layer.empty() ? (out.ds->GetLayerCount() > 0 ? out.ds->GetLayer(0) : nullptr)
                                  : out.ds->GetLayerByName(src.layer.c_str());
    if (!out.layer) {
        report.add(Issue{Severity::error, IssueCode::layer_not_found, src.path, src.layer, "",
                         fmt::format("{} '{}' has no layer '{}'; its layers are: {}", role, src.path, src.layer,
                                     detail::layer_names(*out.ds)),
                         "name one of these layers after the file, as FILE:LAYER"});
        return out;
    }
    if (!src.where.empty() && out.layer->SetAttributeFilter(src.where.c_str()) != OGRERR_NONE) {
        report.add(Issue{Severity::error, IssueCode::field_missing, src.path, out.layer->GetName(), "",
                         fmt::format("filter \"{}\" is not valid OGR SQL for this layer", src.where),
                         fmt::format("use field names of the layer: {}", field_names(*out.layer))});
        out.layer = nullptr;
    }
    return out;
}

/// Index of a required field, or -1 after an error issue naming the fields the layer has.
int required_field(OGRLayer& layer, const std::string& name, const char* flag, const std::string& file,
                   ValidationReport& report)
{
    const int idx = name.empty() ? -1 : layer.GetLayerDefn()->GetFieldIndex(name.c_str());
    if (idx < 0)
        report.add(Issue{Severity::error, IssueCode::field_missing, file, layer.GetName(), "",
                         fmt::format("layer has no field '{}'; its fields are: {}", name, field_names(layer)),
                         fmt::format("map the right field with {}", flag)});
    return idx;
}

} // namespace

std::pair<CurrentGrids, ValidationReport> read_current_grids(const CurrentGridsReadOptions& o)
{
    CurrentGrids out;
    ValidationReport report;
    out.file = o.source.path;
    Opened in = open_layer(o.source, o.encoding, "current grids", report);
    if (!in.layer) return {std::move(out), std::move(report)};
    OGRLayer& layer = *in.layer;
    out.layer = layer.GetName();
    auto issue = [&](Severity sev, IssueCode code, std::string feature, std::string message, std::string fix) {
        report.add(Issue{sev, code, out.file, out.layer, std::move(feature), std::move(message), std::move(fix)});
    };
    const int i_id = required_field(layer, o.id_field, "--grid-id-field", out.file, report);
    if (i_id < 0) return {std::move(out), std::move(report)};

    // CRS: the layer's own, else the one assumed; brought to the working CRS.
    detail::SrsPtr work = o.work_crs_wkt.empty() ? nullptr : detail::parse_srs(o.work_crs_wkt, "working CRS");
    detail::SrsPtr from = detail::clone_srs(detail::layer_srs(layer));
    if (!from && !o.assume_crs.empty() && detail::lower(o.assume_crs) != "local")
        from = detail::parse_srs(o.assume_crs, "--assume-crs");
    if (!from && work && detail::lower(o.assume_crs) != "local") {
        issue(Severity::error, IssueCode::crs_missing, "", "the current grids layer has no coordinate reference system",
              "give it a CRS (a .prj, or save it as GeoPackage), or --assume-crs with its CRS");
        return {std::move(out), std::move(report)};
    }
    if (from && !work) {
        issue(Severity::error, IssueCode::crs_missing, "",
              "the current grids layer has a CRS but the transformers have none: the two cannot be related",
              "give the transformers their CRS (or --assume-crs), or drop the grids layer's CRS");
        return {std::move(out), std::move(report)};
    }
    detail::TransformPtr to_work;
    if (from && work && !from->IsSame(work.get())) {
        to_work = detail::make_transform(from.get(), work.get());
        issue(Severity::info, IssueCode::crs_converted, "",
              fmt::format("the current grids are in {}; brought into the working CRS {}",
                          from->GetName() ? from->GetName() : "another CRS", work->GetName() ? work->GetName() : ""),
              "");
    }

    std::map<std::string, std::size_t> index;
    layer.ResetReading();
    for (auto& feature : layer) {
        const GIntBig fid = feature->GetFID();
        const std::string id = field_text(*feature, i_id);
        const std::string label = id.empty() ? fmt::format("fid {}", fid) : id;
        if (id.empty()) {
            issue(Severity::error, IssueCode::id_missing, label,
                  fmt::format("current grid has no id (field '{}' is empty); its polygon is left out", o.id_field),
                  fmt::format("give every grid an id in field '{}'", o.id_field));
            continue;
        }
        OGRGeometry* geom = feature->GetGeometryRef();
        if (!geom || geom->IsEmpty()) {
            issue(Severity::error, IssueCode::geometry_empty, label, "current grid has no polygon; it is left out",
                  "draw the grid's polygon, or remove the row");
            continue;
        }
        if (to_work && geom->transform(to_work.get()) != OGRERR_NONE) {
            issue(Severity::error, IssueCode::crs_missing, label,
                  "current grid's polygon cannot be brought into the working CRS; it is left out",
                  "check the layer's CRS");
            continue;
        }
        MultiPolygon shape = detail::to_multipolygon(*geom);
        if (shape.empty()) {
            issue(Severity::error, IssueCode::geometry_wrong_type, label,
                  fmt::format("current grid is a {}, not a polygon; it is left out",
                              OGRGeometryTypeToName(geom->getGeometryType())),
                  "give the grids as polygons");
            continue;
        }
        const auto [it, added] = index.try_emplace(id, out.grids.size());
        if (added) {
            out.grids.push_back(CurrentGridFeature{id, fid, std::move(shape)});
            continue;
        }
        auto& grid = out.grids[it->second];
        grid.shape.insert(grid.shape.end(), shape.begin(), shape.end());
        issue(Severity::info, IssueCode::id_duplicate, label,
              fmt::format("grid '{}' has another row (fid {}); the two are taken as parts of one grid", id, grid.fid),
              "");
    }
    if (out.grids.empty() && report.ok())
        issue(Severity::error, IssueCode::geometry_empty, "", "the current grids layer holds no grid",
              "check the file and any filter");
    return {std::move(out), std::move(report)};
}

std::pair<GridTable, ValidationReport> read_grid_table(const GridTableReadOptions& o)
{
    GridTable out;
    ValidationReport report;
    out.file = o.source.path;
    Opened in = open_layer(o.source, o.encoding, "grid table", report);
    if (!in.layer) return {std::move(out), std::move(report)};
    OGRLayer& layer = *in.layer;
    out.layer = layer.GetName();
    const int i_tx = required_field(layer, o.transformer_field, "--transformer-field", out.file, report);
    const int i_grid = required_field(layer, o.grid_field, "--grid-id-field", out.file, report);
    if (i_tx < 0 || i_grid < 0) return {std::move(out), std::move(report)};
    const int i_manager = o.manager_field.empty() ? -1 : layer.GetLayerDefn()->GetFieldIndex(o.manager_field.c_str());
    layer.ResetReading();
    for (auto& feature : layer) {
        GridTableRow row{field_text(*feature, i_tx), field_text(*feature, i_grid), feature->GetFID(),
                         field_text(*feature, i_manager)};
        if (row.transformer_id.empty()) {
            report.add(Issue{Severity::error, IssueCode::id_missing, out.file, out.layer,
                             fmt::format("fid {}", row.fid),
                             fmt::format("row has no transformer id (field '{}' is empty)", o.transformer_field),
                             "fill it in or remove the row"});
            continue;
        }
        out.rows.push_back(std::move(row));
    }
    return {std::move(out), std::move(report)};
}

std::pair<TransformerChanges, ValidationReport> read_transformer_changes(const TransformerChangeReadOptions& o)
{
    TransformerChanges out;
    ValidationReport report;
    out.file = o.source.path;
    Opened in = open_layer(o.source, o.read.encoding, "changes table", report);
    if (!in.layer) return {std::move(out), std::move(report)};
    OGRLayer& layer = *in.layer;
    out.layer = layer.GetName();
    const auto& fm = o.read.fields;
    const int i_change = required_field(layer, o.change_field, "--change-field", out.file, report);
    const int i_id = required_field(layer, fm.id, "--id-field", out.file, report);
    if (i_change < 0 || i_id < 0) return {std::move(out), std::move(report)};
    const int i_cust = layer.GetLayerDefn()->GetFieldIndex(fm.customers.c_str());
    // Class columns: mapped ones, else every customers_<class> column.
    std::vector<std::pair<std::string, int>> class_fields;
    for (const auto& [cls, field] : fm.classes)
        if (const int idx = layer.GetLayerDefn()->GetFieldIndex(field.c_str()); idx >= 0) class_fields.emplace_back(cls, idx);
    if (fm.classes.empty())
        for (int i = 0; i < layer.GetLayerDefn()->GetFieldCount(); ++i) {
            const std::string name = layer.GetLayerDefn()->GetFieldDefn(i)->GetNameRef();
            const std::string l = detail::lower(name);
            if (l.rfind("customers_", 0) == 0 && l.size() > 10 && l != detail::lower(fm.customers))
                class_fields.emplace_back(name.substr(10), i);
        }
    auto fail = [&](IssueCode code, std::int64_t fid, std::string what, std::string fix) {
        report.add(Issue{Severity::error, code, out.file, out.layer, fmt::format("fid {}", fid), std::move(what),
                         std::move(fix)});
    };
    std::vector<std::int64_t> added;
    layer.ResetReading();
    for (auto& f : layer) {
        const std::int64_t fid = f->GetFID();
        const std::string change = detail::lower(detail::trim(field_text(*f, i_change)));
        TransformerChange row;
        row.transformer_id = field_text(*f, i_id);
        row.fid = fid;
        if (change == "new") {
            added.push_back(fid);
            continue;
        }
        if (change != "removed" && change != "customers") {
            fail(IssueCode::change_invalid, fid,
                 fmt::format("change '{}' (field '{}') is not one of new, removed, customers", change, o.change_field),
                 "write new (a transformer to add), removed (one that is gone) or customers (a new count)");
            continue;
        }
        if (row.transformer_id.empty()) {
            fail(IssueCode::id_missing, fid, fmt::format("row has no transformer id (field '{}' is empty)", fm.id),
                 "fill it in or remove the row");
            continue;
        }
        row.removed = change == "removed";
        if (!row.removed) {
            std::string what, fix;
            if (i_cust < 0) {
                fail(IssueCode::field_missing, fid,
                     fmt::format("a customers row needs field '{}', which the table lacks; its fields are: {}",
                                 fm.customers, field_names(layer)),
                     "add the column, or map it with --customers-field");
                continue;
            }
            if (!detail::customer_count(field_text(*f, i_cust), fm.customers, row.customers, what, fix)) {
                fail(IssueCode::customers_invalid, fid, what, fix);
                continue;
            }
            bool ok = true;
            for (const auto& [cls, idx] : class_fields) {
                const std::string text = field_text(*f, idx);
                if (text.empty()) continue;
                double count = 0.0;
                if (!detail::customer_count(text, layer.GetLayerDefn()->GetFieldDefn(idx)->GetNameRef(), count, what, fix)) {
                    fail(IssueCode::customers_invalid, fid, what, fix);
                    ok = false;
                    break;
                }
                row.classes.push_back({cls, count});
            }
            if (!ok) continue;
        }
        out.changes.push_back(std::move(row));
    }
    if (!added.empty()) {
        // New transformers: read as the transformers layer is, limited to the `new` rows.
        ReadOptions ro = o.read;
        ro.transformers = o.source;
        ro.transformers.layer = out.layer;
        std::string fids;
        for (const auto fid : added) fids += (fids.empty() ? "" : ",") + std::to_string(fid);
        ro.transformers.where = "FID IN (" + fids + ")";
        ro.feeders.clear();
        ro.boundaries.clear();
        ro.customers.clear();
        ro.barriers.clear();
        ro.roads.clear();
        auto [t, new_report] = read_inputs(ro);
        // The filter is ours: the rows it leaves out are the other changes, not news.
        auto& issues = new_report.issues;
        issues.erase(std::remove_if(issues.begin(), issues.end(),
                                    [](const Issue& i) { return i.code == IssueCode::excluded_by_filter; }),
                     issues.end());
        report.merge(new_report);
        out.added = std::move(t.transformers);
    }
    return {std::move(out), std::move(report)};
}

} // namespace libgrid
