// Reading every input layer into a Territory. Data problems become issues, never exceptions.
#include "io/feeder_network.hpp"
#include "io/gdal_util.hpp"

#include <libgrid/csv.hpp>
#include <libgrid/error.hpp>
#include <libgrid/io.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <unordered_map>

namespace libgrid {
namespace {

using detail::GdalErrorCapture;
using detail::SrsPtr;

std::string join(const std::vector<std::string>& items, const char* sep = ",")
{
    std::string out;
    for (const auto& s : items) {
        if (!out.empty()) out += sep;
        out += s;
    }
    return out;
}

using detail::parse_number;
using detail::trim;

bool truthy(const std::string& text)
{
    const std::string t = detail::lower(trim(text));
    return t == "1" || t == "true" || t == "yes" || t == "y" || t == "t" || t == "open";
}

/// One opened input layer with what is known about it.
struct InputLayer {
    GDALDatasetUniquePtr dataset;
    OGRLayer* layer = nullptr;
    std::string file;
    std::string name;
    SrsPtr srs;          ///< Source CRS (or the assumed one); null = local planar frame.
    bool has_geometry = false;

    int field(const std::string& name_) const
    {
        return name_.empty() ? -1 : layer->GetLayerDefn()->GetFieldIndex(name_.c_str());
    }
    std::vector<std::string> field_names() const
    {
        std::vector<std::string> names;
        auto* defn = layer->GetLayerDefn();
        for (int i = 0; i < defn->GetFieldCount(); ++i)
            names.emplace_back(defn->GetFieldDefn(i)->GetNameRef());
        return names;
    }
};

/// Raw value of a feature's field as text ("" when null or unset).
using detail::field_text;

std::string feature_label(const std::string& id, GIntBig fid)
{
    return id.empty() ? fmt::format("fid {}", fid) : id;
}

class Reader {
public:
    explicit Reader(const ReadOptions& options) : m_opt(options)
    {
        detail::ensure_gdal_registered();
        if (!options.assume_crs.empty() && detail::lower(options.assume_crs) != "local")
            m_assumed = detail::parse_srs(options.assume_crs, "--assume-crs");
    }

    std::pair<Territory, ValidationReport> run();

private:
    // -- opening
    std::vector<InputLayer> open(const LayerSource& src, const char* role, bool all_layers);
    bool require_fields(const InputLayer& in, const char* role,
                        const std::vector<std::pair<std::string, std::string>>& fields);
    void check_optional_field(const InputLayer& in, const std::string& name,
                              const std::string& default_name, const char* flag);
    // -- layers
    void read_transformers(InputLayer& in);
    void read_boundaries(InputLayer& in, const std::string& level_name);
    void read_feeders(InputLayer& in);
    void read_feeder_lines(InputLayer& in);
    std::vector<std::string> attach_to_lines();
    void read_customers(InputLayer& in);
    /// Lines of a barrier or road layer into `out`, noting each line's layer in `layer_of`.
    void read_lines(InputLayer& in, const char* role, std::vector<LineFeature>& out,
                    std::vector<std::size_t>& layer_of);
    // -- CRS
    void choose_work_crs();
    void to_work_crs(const InputLayer& in, std::vector<Point*>& points);
    void progress(const char* stage, double fraction) const
    {
        if (m_opt.progress) m_opt.progress(Progress{stage, fraction});
    }

    void issue(Severity sev, IssueCode code, const InputLayer* in, std::string feature,
               std::string message, std::string fix)
    {
        m_report.add(Issue{sev, code, in ? in->file : std::string{}, in ? in->name : std::string{},
                           std::move(feature), std::move(message), std::move(fix)});
    }
    void reject(const InputLayer& in, GIntBig fid, const std::string& id, IssueCode code,
                const std::string& reason, const std::string& fix)
    {
        issue(Severity::error, code, &in, feature_label(id, fid), reason, fix);
        m_report.rejected.push_back(Rejected{in.file, in.name, fid, id, code, reason});
    }

    const ReadOptions& m_opt;
    SrsPtr m_assumed;
    SrsPtr m_work;
    SrsPtr m_transformer_srs;
    bool m_have_transformer_layer = false;
    Territory m_territory;
    ValidationReport m_report;
    // per-layer raw data waiting for the working CRS
    std::vector<InputLayer> m_layers;
    std::vector<std::string> m_transformer_node;
    std::vector<detail::NetworkEdge> m_edges;
    struct FeederLine {
        std::size_t layer;
        std::string feeder_id;
        std::vector<Point> points;
    };
    std::vector<FeederLine> m_lines; ///< Feeder lines without node ids, source CRS until moved.
    std::vector<std::size_t> m_barrier_layer; ///< Source layer of each barrier (for its transform).
    std::vector<std::size_t> m_road_layer;    ///< Source layer of each road line.
    std::set<std::string> m_feeder_ids;
    bool m_feeders_given = false;
    std::vector<std::tuple<std::size_t, Point, std::string>> m_raw_customers;
};

std::vector<InputLayer> Reader::open(const LayerSource& src, const char* role, bool all_layers)
{
    std::vector<InputLayer> out;
    GdalErrorCapture capture;
    CPLStringList open_options;
    if (detail::has_extension(src.path, ".csv")) {
        const auto columns =
            detail::choose_csv_columns(src.path, m_opt.x_names, m_opt.y_names, m_opt.wkt_names);
        if (!columns.error.empty()) {
            issue(Severity::error, IssueCode::field_missing, nullptr, "",
                  fmt::format("{} input: {}", role, columns.error), columns.fix);
            return out;
        }
        columns.set_open_options(open_options);
        open_options.SetNameValue("KEEP_GEOM_COLUMNS", "NO");
        open_options.SetNameValue("EMPTY_STRING_AS_NULL", "YES");
    }
    if (!m_opt.encoding.empty() &&
        (detail::has_extension(src.path, ".shp") || detail::has_extension(src.path, ".dbf")))
        open_options.SetNameValue("ENCODING", m_opt.encoding.c_str());
    GDALDatasetUniquePtr ds(GDALDataset::Open(src.path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY,
                                              nullptr, open_options.List(), nullptr));
    if (!ds) {
        std::error_code ec;
        const bool exists = std::filesystem::exists(src.path, ec);
        issue(Severity::error, IssueCode::file_unreadable, nullptr, "",
              fmt::format("cannot open {} input '{}': {}", role, src.path,
                          !exists ? "no such file"
                          : capture.last_error().empty() ? "not a vector dataset GDAL can read"
                                                         : capture.last_error()),
              exists ? "convert it to GeoPackage, Shapefile, GeoJSON, FlatGeobuf or CSV"
                     : "check the path");
        return out;
    }
    std::vector<OGRLayer*> layers;
    if (!src.layer.empty()) {
        OGRLayer* layer = ds->GetLayerByName(src.layer.c_str());
        if (!layer) {
            std::vector<std::string> names;
            for (auto* l : ds->GetLayers()) names.emplace_back(l->GetName());
            issue(Severity::error, IssueCode::layer_not_found, nullptr, "",
                  fmt::format("{} input '{}' has no layer '{}'; its layers are: {}", role,
                              src.path, src.layer, join(names, ", ")),
                  "name one of these layers after the file, as FILE:LAYER");
            return out;
        }
        layers.push_back(layer);
    } else if (all_layers) {
        for (auto* l : ds->GetLayers()) {
            const auto t = wkbFlatten(l->GetGeomType());
            if (t == wkbPolygon || t == wkbMultiPolygon || t == wkbCurvePolygon ||
                t == wkbMultiSurface || t == wkbUnknown)
                layers.push_back(l);
        }
    } else if (ds->GetLayerCount() > 0) {
        layers.push_back(ds->GetLayer(0));
    }
    if (layers.empty()) {
        issue(Severity::error, IssueCode::layer_not_found, nullptr, "",
              fmt::format("{} input '{}' has no {}layer", role, src.path,
                          all_layers ? "polygon " : ""),
              "check that the file holds the expected data");
        return out;
    }
    // All layers of one dataset share the dataset handle: the first InputLayer owns it.
    for (std::size_t i = 0; i < layers.size(); ++i) {
        InputLayer in;
        if (i == 0) in.dataset = std::move(ds);
        in.layer = layers[i];
        in.file = src.path;
        in.name = layers[i]->GetName();
        in.has_geometry = layers[i]->GetGeomType() != wkbNone;
        if (!src.where.empty()) {
            capture.clear();
            if (in.layer->SetAttributeFilter(src.where.c_str()) != OGRERR_NONE) {
                issue(Severity::error, IssueCode::field_missing, &in, "",
                      fmt::format("filter \"{}\" is not valid OGR SQL for this layer: {}",
                                  src.where, capture.last_error()),
                      fmt::format("use field names of the layer: {}", join(in.field_names(), ", ")));
                continue;
            }
            const GIntBig all = [&] {
                OGRLayer* l = in.layer;
                l->SetAttributeFilter(nullptr);
                const GIntBig n = l->GetFeatureCount();
                l->SetAttributeFilter(src.where.c_str());
                return n;
            }();
            const GIntBig kept = in.layer->GetFeatureCount();
            if (all > kept)
                issue(Severity::info, IssueCode::excluded_by_filter, &in, "",
                      fmt::format("{} of {} features excluded by the filter \"{}\"", all - kept,
                                  all, src.where),
                      "");
        }
        if (const OGRSpatialReference* srs = detail::layer_srs(*in.layer)) {
            in.srs = detail::clone_srs(srs);
        } else if (in.has_geometry) {
            if (m_assumed) {
                in.srs = detail::clone_srs(m_assumed.get());
            } else if (detail::lower(m_opt.assume_crs) != "local") {
                issue(Severity::error, IssueCode::crs_missing, &in, "",
                      "layer has no coordinate reference system",
                      "give --assume-crs with its CRS (e.g. EPSG:4326 for lon/lat), or "
                      "--assume-crs local for planar coordinates in metres");
            }
        }
        out.push_back(std::move(in));
    }
    return out;
}

bool Reader::require_fields(const InputLayer& in, const char* role,
                            const std::vector<std::pair<std::string, std::string>>& fields)
{
    bool ok = true;
    for (const auto& [name, flag] : fields) {
        if (in.field(name) >= 0) continue;
        ok = false;
        issue(Severity::error, IssueCode::field_missing, &in, "",
              fmt::format("{} layer has no field '{}'; its fields are: {}", role, name,
                          join(in.field_names(), ", ")),
              fmt::format("map the right field with {}", flag));
    }
    return ok;
}

void Reader::check_optional_field(const InputLayer& in, const std::string& name,
                                  const std::string& default_name, const char* flag)
{
    // An optional field is only an error when the user named it explicitly.
    if (name.empty() || name == default_name || in.field(name) >= 0) return;
    issue(Severity::error, IssueCode::field_missing, &in, "",
          fmt::format("layer has no field '{}' (given with {}); its fields are: {}", name, flag,
                      join(in.field_names(), ", ")),
          fmt::format("correct {}", flag));
}

void Reader::read_transformers(InputLayer& in)
{
    const FieldMap& fm = m_opt.fields;
    const FieldMap defaults;
    if (!require_fields(in, "transformers",
                        {{fm.id, "--id-field"}, {fm.customers, "--customers-field"}}))
        return;
    if (!in.has_geometry) {
        issue(Severity::error, IssueCode::geometry_wrong_type, &in, "",
              fmt::format("transformers layer has no geometry; its fields are: {}",
                          join(in.field_names(), ", ")),
              "for CSV give x/y columns (named x, y, lon, lat, ...) or a WKT column");
        return;
    }
    check_optional_field(in, fm.feeder, defaults.feeder, "--feeder-field");
    check_optional_field(in, fm.station, defaults.station, "--station-field");
    check_optional_field(in, fm.branch, defaults.branch, "--branch-field");
    check_optional_field(in, fm.kva, defaults.kva, "--kva-field");
    check_optional_field(in, fm.workload, defaults.workload, "--workload-field");
    check_optional_field(in, fm.manager, defaults.manager, "--manager-field");
    check_optional_field(in, fm.node, defaults.node, "--node-field");

    const int i_id = in.field(fm.id), i_cust = in.field(fm.customers);
    const int i_feeder = in.field(fm.feeder), i_station = in.field(fm.station),
              i_branch = in.field(fm.branch), i_kva = in.field(fm.kva),
              i_work = in.field(fm.workload), i_manager = in.field(fm.manager),
              i_node = in.field(fm.node);
    std::vector<std::pair<std::string, int>> class_fields;
    if (fm.classes.empty()) {
        // Automatic classes: numeric `customers_<class>` fields. Text columns (every CSV column
        // is text) count when most of their first 20 non-empty values are numbers, so that a note
        // such as `customers_method` is not taken for a class while one stray "nan" in a class
        // column does not drop the class (that value is warned about below). Either way is said.
        for (const auto& name : in.field_names()) {
            const std::string l = detail::lower(name);
            if (l.rfind("customers_", 0) != 0 || l.size() <= 10 || l == detail::lower(fm.customers))
                continue;
            const int idx = in.field(name);
            const OGRFieldType type = in.layer->GetLayerDefn()->GetFieldDefn(idx)->GetType();
            bool numeric = type == OFTInteger || type == OFTInteger64 || type == OFTReal;
            if (type == OFTString) {
                int numbers = 0, others = 0;
                in.layer->ResetReading();
                for (auto& feature : *in.layer) {
                    const std::string text = field_text(*feature, idx);
                    double v = 0;
                    if (text.empty()) continue;
                    ++(parse_number(text, v) ? numbers : others);
                    if (numbers + others == 20) break;
                }
                numeric = numbers > others;
                if (!numeric && numbers + others > 0)
                    issue(Severity::info, IssueCode::value_invalid, &in, "",
                          fmt::format("field '{}' is not taken as a customer class: most of its "
                                      "values are not numbers", name),
                          "map class columns explicitly with --class-field when it is one");
            }
            if (numeric) class_fields.emplace_back(l.substr(10), idx);
        }
    } else {
        for (const auto& [cls, field] : fm.classes) {
            check_optional_field(in, field, "", "--class-field");
            if (in.field(field) >= 0) class_fields.emplace_back(cls, in.field(field));
        }
    }

    std::unordered_map<std::string, GIntBig> seen;
    auto& txs = m_territory.transformers;
    const GIntBig total = std::max<GIntBig>(1, in.layer->GetFeatureCount(FALSE));
    GIntBig done = 0;
    in.layer->ResetReading();
    for (auto& feature : *in.layer) {
        if (++done % 50000 == 0)
            progress("read transformers", static_cast<double>(done) / static_cast<double>(total));
        OGRFeature& f = *feature;
        const GIntBig fid = f.GetFID();
        const std::string id = field_text(f, i_id);
        const std::string label = feature_label(id, fid);
        bool rejected = false;
        auto fail = [&](IssueCode code, const std::string& why, const std::string& fix) {
            // Every problem of a feature is reported; the feature is rejected once.
            if (!rejected) {
                reject(in, fid, id, code, why, fix);
                rejected = true;
            } else {
                issue(Severity::error, code, &in, label, why, fix);
            }
        };
        if (id.empty())
            fail(IssueCode::id_missing, fmt::format("transformer has no id (field '{}' is empty)", fm.id),
                 fmt::format("give every transformer an id in field '{}'", fm.id));
        else if (auto [it, inserted] = seen.try_emplace(id, fid); !inserted)
            fail(IssueCode::id_duplicate,
                 fmt::format("id '{}' is also used by feature fid {}", id, it->second),
                 "give each transformer a unique id");

        double customers = 0.0;
        if (std::string what, fix; !detail::customer_count(field_text(f, i_cust), fm.customers, customers, what, fix))
            fail(IssueCode::customers_invalid, what, fix);

        const OGRGeometry* geom = f.GetGeometryRef();
        TransformerArea t;
        if (!geom || geom->IsEmpty()) {
            fail(IssueCode::geometry_empty, "transformer has no geometry",
                 "give its location (point) or its area (polygon)");
        } else {
            const auto type = wkbFlatten(geom->getGeometryType());
            if (type == wkbPoint) {
                t.location = {geom->toPoint()->getX(), geom->toPoint()->getY()};
            } else if (type == wkbMultiPoint && geom->toMultiPoint()->getNumGeometries() == 1) {
                const auto* p = geom->toMultiPoint()->getGeometryRef(0);
                t.location = {p->getX(), p->getY()};
            } else {
                t.shape = detail::to_multipolygon(*geom);
                // A point inside the area stands for the transformer (labels, look-ups).
                if (OGRGeometryH inside = OGR_G_PointOnSurface(
                        OGRGeometry::ToHandle(const_cast<OGRGeometry*>(geom)))) {
                    t.location = {OGR_G_GetX(inside, 0), OGR_G_GetY(inside, 0)};
                    OGR_G_DestroyGeometry(inside);
                }
                if (t.shape.empty())
                    fail(IssueCode::geometry_wrong_type,
                         fmt::format("geometry is a {}, not a point or polygon",
                                     OGRGeometryTypeToName(geom->getGeometryType())),
                         "give transformers as points or transformer-area polygons");
            }
        }
        if (rejected) continue;

        t.id = id;
        t.customers = customers;
        t.source_fid = fid;
        t.feeder_id = field_text(f, i_feeder);
        t.station_id = field_text(f, i_station);
        t.branch_id = field_text(f, i_branch);
        t.current_manager = field_text(f, i_manager);
        auto optional_number = [&](int idx, const std::string& name, double& out) {
            const std::string text = field_text(f, idx);
            if (text.empty()) return;
            if (!parse_number(text, out) || out < 0) {
                out = std::numeric_limits<double>::quiet_NaN();
                issue(Severity::warning, IssueCode::value_invalid, &in, label,
                      fmt::format("field '{}' value '{}' is not a number >= 0; ignored", name, text),
                      "write a plain number or leave it empty");
            }
        };
        optional_number(i_kva, fm.kva, t.kva);
        optional_number(i_work, fm.workload, t.workload);
        for (const auto& [cls, idx] : class_fields) {
            double v = 0.0;
            const std::string field = in.layer->GetLayerDefn()->GetFieldDefn(idx)->GetNameRef();
            optional_number(idx, field, v);
            if (!std::isnan(v) && (v != std::floor(v) || v > detail::max_customers)) {
                issue(Severity::warning, IssueCode::value_invalid, &in, label,
                      fmt::format("field '{}' value {} is not a whole customer count up to {}; ignored", field,
                                  field_text(f, idx), with_commas(detail::max_customers)),
                      "count customers of the class as a whole number");
                v = std::numeric_limits<double>::quiet_NaN();
            }
            t.classes.push_back({cls, std::isnan(v) ? 0.0 : v});
        }
        if (i_node >= 0) m_transformer_node.push_back(field_text(f, i_node));
        txs.push_back(std::move(t));
    }
    if (done == 0)
        issue(Severity::error, IssueCode::geometry_empty, &in, "",
              "transformers layer holds no features", "check the file and any --where filter");
    m_transformer_srs = detail::clone_srs(in.srs.get());
    m_territory.transformers_file = in.file;
    m_territory.transformers_layer = in.name;
    m_have_transformer_layer = true;
}

void Reader::read_boundaries(InputLayer& in, const std::string& level_name)
{
    const FieldMap& fm = m_opt.fields;
    const FieldMap defaults;
    check_optional_field(in, fm.unit_id, defaults.unit_id, "--unit-id-field");
    check_optional_field(in, fm.unit_name, defaults.unit_name, "--unit-name-field");
    const int i_id = in.field(fm.unit_id), i_name = in.field(fm.unit_name);
    AdminLevel level;
    level.name = level_name.empty() ? in.name : level_name;
    level.file = in.file;
    level.layer = in.name;
    std::unordered_map<std::string, GIntBig> seen;
    in.layer->ResetReading();
    for (auto& feature : *in.layer) {
        OGRFeature& f = *feature;
        const GIntBig fid = f.GetFID();
        std::string id = field_text(f, i_id);
        if (id.empty()) id = fmt::format("{}", fid); // units without ids are named by FID
        if (auto [it, inserted] = seen.try_emplace(id, fid); !inserted) {
            issue(Severity::error, IssueCode::id_duplicate, &in, id,
                  fmt::format("admin unit id '{}' is also used by feature fid {}", id, it->second),
                  "give each unit of a level a unique id");
            id = fmt::format("{}#{}", id, fid);
        }
        const OGRGeometry* geom = f.GetGeometryRef();
        AdminUnit unit;
        unit.id = id;
        unit.name = field_text(f, i_name);
        unit.source_fid = fid;
        if (!geom || geom->IsEmpty()) {
            issue(Severity::error, IssueCode::geometry_empty, &in, id, "admin unit has no geometry",
                  "draw its polygon or delete the feature");
            continue;
        }
        unit.shape = detail::to_multipolygon(*geom);
        if (unit.shape.empty()) {
            issue(Severity::error, IssueCode::geometry_wrong_type, &in, id,
                  fmt::format("admin unit geometry is a {}, not a polygon",
                              OGRGeometryTypeToName(geom->getGeometryType())),
                  "boundaries must be polygon layers");
            continue;
        }
        level.units.push_back(std::move(unit));
    }
    if (level.units.empty())
        issue(Severity::error, IssueCode::geometry_empty, &in, "",
              "boundary layer holds no usable polygon", "check the file");
    else
        m_territory.levels.push_back(std::move(level));
}

void Reader::read_feeders(InputLayer& in)
{
    const FieldMap& fm = m_opt.fields;
    const FieldMap defaults;
    m_feeders_given = true;
    if (in.field(fm.from) < 0 || in.field(fm.to) < 0) {
        const auto gtype = wkbFlatten(in.layer->GetGeomType());
        if (gtype == wkbLineString || gtype == wkbMultiLineString || gtype == wkbUnknown) {
            read_feeder_lines(in);
            return;
        }
        issue(Severity::error, IssueCode::field_missing, &in, "",
              fmt::format("feeder layer has no '{}'/'{}' fields naming the nodes (or "
                          "transformers) each edge joins, and no line geometry; its fields are: {}",
                          fm.from, fm.to, join(in.field_names(), ", ")),
              "map them with --from-field and --to-field, or give the feeders as lines");
        return;
    }
    check_optional_field(in, fm.edge_feeder, defaults.edge_feeder, "--edge-feeder-field");
    check_optional_field(in, fm.open, defaults.open, "--open-field");
    check_optional_field(in, fm.length, defaults.length, "--length-field");
    const int i_from = in.field(fm.from), i_to = in.field(fm.to),
              i_feeder = in.field(fm.edge_feeder), i_open = in.field(fm.open),
              i_len = in.field(fm.length), i_id = in.field("id");
    in.layer->ResetReading();
    for (auto& feature : *in.layer) {
        OGRFeature& f = *feature;
        const std::string feeder = field_text(f, i_feeder);
        if (!feeder.empty()) m_feeder_ids.insert(feeder);
        if (truthy(field_text(f, i_open))) continue; // normally open: not a path for supply
        detail::NetworkEdge e;
        e.from = field_text(f, i_from);
        e.to = field_text(f, i_to);
        e.feeder_id = feeder;
        if (!parse_number(field_text(f, i_len), e.length_m)) {
            e.length_m = 0.0;
            if (const OGRGeometry* g = f.GetGeometryRef();
                g && wkbFlatten(g->getGeometryType()) == wkbLineString)
                e.length_m = g->toLineString()->get_Length(); // source units; a fallback only
        }
        if (e.from.empty() || e.to.empty()) {
            issue(Severity::error, IssueCode::feeder_unknown_end, &in,
                  feature_label(field_text(f, i_id), f.GetFID()),
                  fmt::format("feeder edge has an empty '{}' or '{}'", fm.from, fm.to),
                  "fill in both ends of every edge");
            continue;
        }
        m_edges.push_back(std::move(e));
    }
}

void Reader::read_lines(InputLayer& in, const char* role, std::vector<LineFeature>& out,
                        std::vector<std::size_t>& layer_of)
{
    if (!in.has_geometry) {
        issue(Severity::error, IssueCode::geometry_wrong_type, &in, "",
              fmt::format("the {} layer has no geometry", role),
              "give a line layer (roads, rivers, railways); for CSV, a WKT column");
        return;
    }
    const int i_id = in.field(FieldMap{}.id); // "id" when the layer has one (not the transformers' mapping)
    std::size_t skipped = 0;
    std::string example;
    in.layer->ResetReading();
    for (auto& feature : *in.layer) {
        const std::string id = feature_label(field_text(*feature, i_id), feature->GetFID());
        const OGRGeometry* g = feature->GetGeometryRef();
        std::vector<const OGRSimpleCurve*> parts;
        if (g && !g->IsEmpty()) {
            const auto type = wkbFlatten(g->getGeometryType());
            if (type == wkbLineString) parts.push_back(g->toLineString());
            else if (type == wkbMultiLineString)
                for (const auto* part : *g->toMultiLineString()) parts.push_back(part);
            else if (type == wkbPolygon)
                for (const auto* ring : *g->toPolygon()) parts.push_back(ring);
            else if (type == wkbMultiPolygon)
                for (const auto* poly : *g->toMultiPolygon())
                    for (const auto* ring : *poly) parts.push_back(ring);
        }
        std::size_t kept = 0;
        for (const auto* line : parts) {
            LineFeature b{id, {}};
            for (int i = 0; i < line->getNumPoints(); ++i) b.line.push_back({line->getX(i), line->getY(i)});
            if (b.line.size() < 2) continue;
            out.push_back(std::move(b));
            layer_of.push_back(m_layers.size());
            ++kept;
        }
        if (kept == 0 && ++skipped == 1) example = id;
    }
    if (skipped > 0)
        issue(Severity::warning, IssueCode::geometry_wrong_type, &in, example,
              fmt::format("{} {} feature(s) have no line (empty, or points); they are ignored",
                          skipped, role),
              "give lines (or polygons, taken by their rings)");
}

void Reader::read_feeder_lines(InputLayer& in)
{
    // A line layer without node ids: the topology comes from the geometry (vertices that
    // coincide after snapping are one node), and transformers are attached to the nearest
    // vertex once everything is in the working CRS (see attach_to_lines()).
    const FieldMap& fm = m_opt.fields;
    const int i_feeder = in.field(fm.edge_feeder), i_open = in.field(fm.open);
    in.layer->ResetReading();
    for (auto& feature : *in.layer) {
        const std::string feeder = field_text(*feature, i_feeder);
        if (!feeder.empty()) m_feeder_ids.insert(feeder);
        if (truthy(field_text(*feature, i_open))) continue;
        const OGRGeometry* g = feature->GetGeometryRef();
        if (!g || g->IsEmpty()) continue;
        std::vector<const OGRLineString*> parts;
        const auto type = wkbFlatten(g->getGeometryType());
        if (type == wkbLineString) parts.push_back(g->toLineString());
        else if (type == wkbMultiLineString)
            for (const auto* part : *g->toMultiLineString()) parts.push_back(part);
        for (const auto* line : parts) {
            FeederLine fl{m_layers.size(), feeder, {}};
            for (int i = 0; i < line->getNumPoints(); ++i) fl.points.push_back({line->getX(i), line->getY(i)});
            if (fl.points.size() >= 2) m_lines.push_back(std::move(fl));
        }
    }
}

std::vector<std::string> Reader::attach_to_lines()
{
    auto& txs = m_territory.transformers;
    std::vector<std::string> node_of(txs.size());
    const double snap = 0.5; // metres: vertices closer than this are one node
    auto key = [&](const Point& p) {
        return fmt::format("{}:{}", std::llround(p.x / snap), std::llround(p.y / snap));
    };
    // Every segment is an edge between its snapped end vertices.
    struct Vertex {
        Point p;
        std::string node;
        const std::string* feeder;
    };
    std::vector<Vertex> vertices;
    for (const auto& line : m_lines) {
        for (std::size_t i = 0; i < line.points.size(); ++i) {
            vertices.push_back({line.points[i], key(line.points[i]), &line.feeder_id});
            if (i == 0) continue;
            const Point& a = line.points[i - 1];
            const Point& b = line.points[i];
            m_edges.push_back({key(a), key(b), line.feeder_id, std::hypot(b.x - a.x, b.y - a.y)});
        }
    }
    // Nearest vertex within the attach distance, preferring the transformer's own feeder.
    const double cell = std::max(m_opt.feeder_attach_m, 1.0);
    std::unordered_map<std::int64_t, std::vector<std::size_t>> grid;
    auto cell_key = [&](std::int64_t cx, std::int64_t cy) { return cx * 73856093LL ^ cy * 19349663LL; };
    for (std::size_t v = 0; v < vertices.size(); ++v)
        grid[cell_key(static_cast<std::int64_t>(std::floor(vertices[v].p.x / cell)),
                      static_cast<std::int64_t>(std::floor(vertices[v].p.y / cell)))]
            .push_back(v);
    std::size_t unattached = 0;
    std::string examples;
    for (std::size_t i = 0; i < txs.size(); ++i) {
        const Point& p = txs[i].location;
        const auto cx = static_cast<std::int64_t>(std::floor(p.x / cell));
        const auto cy = static_cast<std::int64_t>(std::floor(p.y / cell));
        double best_any = m_opt.feeder_attach_m, best_own = m_opt.feeder_attach_m;
        std::size_t any = npos, own = npos;
        for (std::int64_t dx = -1; dx <= 1; ++dx)
            for (std::int64_t dy = -1; dy <= 1; ++dy) {
                auto it = grid.find(cell_key(cx + dx, cy + dy));
                if (it == grid.end()) continue;
                for (const std::size_t v : it->second) {
                    const double d = std::hypot(vertices[v].p.x - p.x, vertices[v].p.y - p.y);
                    // Ties by vertex order keep the result independent of hash-map order.
                    if (d < best_any || (d == best_any && any != npos && v < any)) { best_any = d; any = v; }
                    if (*vertices[v].feeder == txs[i].feeder_id &&
                        (d < best_own || (d == best_own && own != npos && v < own))) { best_own = d; own = v; }
                }
            }
        const std::size_t chosen = own != npos ? own : any;
        if (chosen == npos) {
            if (++unattached <= 5) examples += (examples.empty() ? "'" : ", '") + txs[i].id + "'";
            continue;
        }
        node_of[i] = vertices[chosen].node;
        txs[i].node_id = node_of[i];
    }
    if (unattached)
        issue(Severity::warning, IssueCode::node_unknown, nullptr, "",
              fmt::format("{} transformers are more than {:.0f} m from every feeder line vertex "
                          "(e.g. {}); they get no feeder links",
                          unattached, m_opt.feeder_attach_m, examples),
              "raise --feeder-attach-distance or check the feeder lines");
    return node_of;
}

void Reader::read_customers(InputLayer& in)
{
    const FieldMap& fm = m_opt.fields;
    if (!require_fields(in, "customers", {{fm.customer_transformer, "--customer-transformer-field"}}))
        return;
    const int idx = in.field(fm.customer_transformer);
    in.layer->ResetReading();
    for (auto& feature : *in.layer) {
        const OGRGeometry* g = feature->GetGeometryRef();
        if (!g || g->IsEmpty() || wkbFlatten(g->getGeometryType()) != wkbPoint) continue;
        m_raw_customers.emplace_back(m_layers.size(), Point{g->toPoint()->getX(), g->toPoint()->getY()},
                                     field_text(*feature, idx));
    }
}

void Reader::choose_work_crs()
{
    if (!m_opt.work_crs.empty()) {
        m_work = detail::parse_srs(m_opt.work_crs, "--work-crs");
        return;
    }
    // The transformers' CRS and extent decide (detail::metric_crs, the rule of every reader).
    Box box;
    for (const auto& t : m_territory.transformers) {
        if (t.shape.empty())
            box.add(t.location);
        else
            for (const auto& p : t.shape.front().outer) box.add(p);
    }
    m_work = detail::metric_crs(m_transformer_srs.get(), box);
}

void Reader::to_work_crs(const InputLayer& in, std::vector<Point*>& points)
{
    if (points.empty()) return;
    if (static_cast<bool>(in.srs) != static_cast<bool>(m_work)) {
        issue(Severity::warning, IssueCode::crs_missing, &in, "",
              fmt::format("layer is in {} but the working frame is {}; coordinates are used as "
                          "they are",
                          in.srs ? "a georeferenced CRS" : "a local planar frame",
                          m_work ? "georeferenced" : "local planar"),
              "give every layer a CRS, or --assume-crs for the ones without");
        return;
    }
    auto ct = detail::make_transform(in.srs.get(), m_work.get());
    if (!ct) return;
    std::vector<double> xs(points.size()), ys(points.size());
    for (std::size_t i = 0; i < points.size(); ++i) {
        xs[i] = points[i]->x;
        ys[i] = points[i]->y;
    }
    std::vector<int> ok(points.size(), TRUE);
    GdalErrorCapture capture; // PROJ's complaints become the issue below, not stderr noise
    ct->Transform(static_cast<int>(points.size()), xs.data(), ys.data(), nullptr, ok.data());
    std::size_t failed = 0;
    for (std::size_t i = 0; i < points.size(); ++i) {
        if (!ok[i]) ++failed;
        points[i]->x = xs[i];
        points[i]->y = ys[i];
    }
    if (failed)
        issue(Severity::error, IssueCode::crs_missing, &in, "",
              fmt::format("{} coordinates could not be transformed to the working CRS", failed),
              "check the layer's CRS (lon/lat data declared as projected, or the reverse?)");
}

void collect_points(MultiPolygon& shape, std::vector<Point*>& out)
{
    for (auto& poly : shape) {
        for (auto& p : poly.outer) out.push_back(&p);
        for (auto& hole : poly.holes)
            for (auto& p : hole) out.push_back(&p);
    }
}

std::pair<Territory, ValidationReport> Reader::run()
{
    // Transformers first: their CRS and extent choose the working CRS.
    progress("read transformers", 0.0);
    {
        auto layers = open(m_opt.transformers, "transformers", false);
        if (!layers.empty()) {
            read_transformers(layers.front());
            m_layers.push_back(std::move(layers.front()));
        }
    }
    const std::size_t transformer_layer = m_layers.empty() ? npos : 0;
    std::vector<std::size_t> boundary_layer;
    for (const auto& src : m_opt.boundaries) {
        auto layers = open(src, "boundaries", true);
        const bool single = layers.size() == 1; // a level name only applies to one layer
        for (auto& in : layers) {
            const std::size_t before = m_territory.levels.size();
            read_boundaries(in, single ? src.level : std::string{});
            if (m_territory.levels.size() > before) boundary_layer.push_back(m_layers.size());
            m_layers.push_back(std::move(in));
        }
    }
    for (const auto& src : m_opt.feeders)
        for (auto& in : open(src, "feeders", false)) {
            read_feeders(in);
            m_layers.push_back(std::move(in));
        }
    for (const auto& src : m_opt.customers)
        for (auto& in : open(src, "customers", false)) {
            read_customers(in);
            m_layers.push_back(std::move(in));
        }
    for (const auto& src : m_opt.barriers)
        for (auto& in : open(src, "barriers", false)) {
            read_lines(in, "barrier", m_territory.barriers, m_barrier_layer);
            m_layers.push_back(std::move(in));
        }
    for (const auto& src : m_opt.roads)
        for (auto& in : open(src, "roads", false)) {
            read_lines(in, "road", m_territory.roads, m_road_layer);
            m_layers.push_back(std::move(in));
        }
    progress("read transformers", 1.0);

    // Working CRS, then every geometry into it (one batched transform per layer).
    choose_work_crs();
    if (transformer_layer != npos) {
        std::vector<Point*> pts;
        for (auto& t : m_territory.transformers) {
            pts.push_back(&t.location);
            collect_points(t.shape, pts);
        }
        to_work_crs(m_layers[transformer_layer], pts);
    }
    for (std::size_t k = 0; k < boundary_layer.size(); ++k) {
        std::vector<Point*> pts;
        for (auto& u : m_territory.levels[k].units) collect_points(u.shape, pts);
        to_work_crs(m_layers[boundary_layer[k]], pts);
    }
    for (std::size_t k = 0; k < m_lines.size();) {
        // One batched transform per source layer.
        std::vector<Point*> pts;
        std::size_t end = k;
        for (; end < m_lines.size() && m_lines[end].layer == m_lines[k].layer; ++end)
            for (auto& p : m_lines[end].points) pts.push_back(&p);
        to_work_crs(m_layers[m_lines[k].layer], pts);
        k = end;
    }
    for (auto [lines, layer_of] : {std::pair{&m_territory.barriers, &m_barrier_layer},
                                   std::pair{&m_territory.roads, &m_road_layer}})
        for (std::size_t k = 0; k < layer_of->size();) {
            std::vector<Point*> pts;
            std::size_t end = k;
            for (; end < layer_of->size() && (*layer_of)[end] == (*layer_of)[k]; ++end)
                for (auto& p : (*lines)[end].line) pts.push_back(&p);
            to_work_crs(m_layers[(*layer_of)[k]], pts);
            k = end;
        }
    m_territory.work_crs_wkt = detail::srs_to_wkt(m_work.get());
    m_territory.work_crs_name = m_work ? m_work->GetName() : "local planar frame (no CRS)";
    if (!m_opt.out_crs.empty())
        m_territory.output_crs_wkt = detail::srs_to_wkt(detail::parse_srs(m_opt.out_crs, "--out-crs").get());
    else
        m_territory.output_crs_wkt = m_transformer_srs ? detail::srs_to_wkt(m_transformer_srs.get())
                                                       : m_territory.work_crs_wkt;

    // Levels coarsest first: fewer units means coarser (containment is checked by validate()).
    std::stable_sort(m_territory.levels.begin(), m_territory.levels.end(),
                     [](const AdminLevel& a, const AdminLevel& b) {
                         return a.units.size() < b.units.size();
                     });

    // Feeders: contract the network to transformer links.
    auto& txs = m_territory.transformers;
    if (m_feeders_given) {
        m_territory.feeders.assign(m_feeder_ids.begin(), m_feeder_ids.end());
        const bool by_line = !m_lines.empty();
        const bool by_node = !by_line && !m_opt.fields.node.empty() && m_transformer_node.size() == txs.size();
        std::vector<std::string> node_of(txs.size());
        if (by_line) node_of = attach_to_lines();
        std::unordered_map<std::string, char> node_known;
        for (const auto& e : m_edges) {
            node_known.emplace(e.from, 1);
            node_known.emplace(e.to, 1);
        }
        if (by_line) {
            // attach_to_lines() reported the transformers it could not attach.
        } else if (by_node) {
            node_of = m_transformer_node;
            for (std::size_t i = 0; i < txs.size(); ++i) {
                txs[i].node_id = node_of[i];
                if (!node_of[i].empty() && !node_known.count(node_of[i]))
                    issue(Severity::warning, IssueCode::node_unknown,
                          transformer_layer == npos ? nullptr : &m_layers[transformer_layer],
                          txs[i].id,
                          fmt::format("node '{}' (field '{}') is not an end of any closed feeder "
                                      "edge; the transformer gets no feeder links",
                                      node_of[i], m_opt.fields.node),
                          "check the node id or the feeder edge table");
            }
        } else {
            std::unordered_map<std::string, char> ids;
            for (std::size_t i = 0; i < txs.size(); ++i) {
                node_of[i] = txs[i].id;
                ids.emplace(txs[i].id, 1);
            }
            std::size_t unknown = 0;
            std::set<std::string> reported;
            for (const auto& e : m_edges)
                for (const auto* end : {&e.from, &e.to})
                    if (!ids.count(*end) && reported.insert(*end).second) ++unknown;
            const InputLayer* feeder_layer = nullptr;
            for (const auto& l : m_layers)
                if (l.field(m_opt.fields.from) >= 0) feeder_layer = &l;
            if (unknown > 0 && unknown * 2 > node_known.size()) {
                // Most ends are not transformers: this is a node-based network.
                issue(Severity::error, IssueCode::feeder_unknown_end, feeder_layer, "",
                      fmt::format("{} of {} feeder edge ends name no transformer: the table "
                                  "joins network nodes (buses, poles, switches), not transformers",
                                  unknown, node_known.size()),
                      "give the transformers' node field with --node-field (e.g. hv_bus)");
            } else {
                for (const auto& id : reported)
                    issue(Severity::error, IssueCode::feeder_unknown_end, feeder_layer, id,
                          fmt::format("a feeder edge names transformer '{}', which does not exist", id),
                          "correct the edge or add the transformer");
            }
        }
        m_territory.feeder_links = detail::contract_network(node_of, m_edges);
    }

    // Customers: resolve transformer ids, transform coordinates.
    if (!m_raw_customers.empty()) {
        std::unordered_map<std::string, std::size_t> index;
        for (std::size_t i = 0; i < txs.size(); ++i) index.emplace(txs[i].id, i);
        std::size_t unknown = 0;
        std::string examples;
        const std::size_t layer_index = std::get<0>(m_raw_customers.front());
        // Points are transformed per source layer (m_raw_customers is in layer order).
        for (std::size_t k = 0; k < m_raw_customers.size();) {
            const std::size_t layer = std::get<0>(m_raw_customers[k]);
            const std::size_t first = m_territory.customers.size();
            for (; k < m_raw_customers.size() && std::get<0>(m_raw_customers[k]) == layer; ++k) {
                const auto& [l, p, tid] = m_raw_customers[k];
                auto it = index.find(tid);
                if (it == index.end()) {
                    if (++unknown <= 5) examples += (examples.empty() ? "'" : ", '") + tid + "'";
                    continue;
                }
                m_territory.customers.push_back({it->second, p});
            }
            std::vector<Point*> pts;
            for (std::size_t c = first; c < m_territory.customers.size(); ++c)
                pts.push_back(&m_territory.customers[c].location);
            to_work_crs(m_layers[layer], pts);
        }
        if (unknown)
            issue(Severity::warning, IssueCode::customer_unknown_transformer,
                  layer_index < m_layers.size() ? &m_layers[layer_index] : nullptr, "",
                  fmt::format("{} customer points name a transformer that is not in the model "
                              "(e.g. {}); they are not used to shape service areas",
                              unknown, examples),
                  "check the customers' transformer ids");
    }
    return {std::move(m_territory), std::move(m_report)};
}

} // namespace

std::pair<Territory, ValidationReport> read_inputs(const ReadOptions& options)
{
    Reader reader(options);
    return reader.run();
}

} // namespace libgrid
