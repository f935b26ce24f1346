// The check folder: figures of the inputs, their text and JSON forms, and the layers
// `grid-partition check --out` writes (see libgrid/plan_folder.hpp).
#include "folder/staging.hpp"

#include <libgrid/csv.hpp>
#include <libgrid/plan_folder.hpp>

#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include <cmath>
#include <map>
#include <set>

namespace libgrid {
namespace {

namespace fs = std::filesystem;

/// The layers of the check folder: service areas, transformers, adjacency edges.
std::vector<FeatureTable> check_tables(const Territory& t, const ServiceAreas& areas, const AdjacencyGraph& g)
{
    const auto* finest_units = t.levels.empty() ? nullptr : &t.levels.back().units;
    auto unit_id = [&](std::size_t i) -> FieldValue {
        if (!finest_units || i >= t.transformer_unit.size() || t.transformer_unit[i] == npos) return std::monostate{};
        return (*finest_units)[t.transformer_unit[i]].id;
    };
    FeatureTable sa{"service_areas",
                    GeometryKind::polygon,
                    {{"transformer_id", FieldType::text},
                     {"customers", FieldType::real},
                     {"station_id", FieldType::text},
                     {"feeder_id", FieldType::text},
                     {"unit_id", FieldType::text},
                     {"area_km2", FieldType::real},
                     {"component", FieldType::integer}},
                    {}, {}, {}, {}};
    FeatureTable tx{"transformers",
                    GeometryKind::point,
                    {{"transformer_id", FieldType::text},
                     {"customers", FieldType::real},
                     {"station_id", FieldType::text},
                     {"feeder_id", FieldType::text},
                     {"unit_id", FieldType::text},
                     {"component", FieldType::integer}},
                    {}, {}, {}, {}};
    for (std::size_t i = 0; i < t.transformers.size(); ++i) {
        const auto& x = t.transformers[i];
        const auto comp = static_cast<std::int64_t>(g.components.of_vertex[i]);
        sa.rows.push_back({x.id, x.customers, x.station_id, x.feeder_id, unit_id(i), area(areas.shapes[i]) / 1e6, comp});
        sa.polygons.push_back(areas.shapes[i]);
        tx.rows.push_back({x.id, x.customers, x.station_id, x.feeder_id, unit_id(i), comp});
        tx.points.push_back(x.location);
    }
    FeatureTable adj{"adjacency",
                     GeometryKind::line,
                     {{"from_id", FieldType::text},
                      {"to_id", FieldType::text},
                      {"kind", FieldType::text},
                      {"border_m", FieldType::real},
                      {"barrier", FieldType::integer}},
                     {}, {}, {}, {}};
    const auto& csr = g.graph;
    for (std::size_t v = 0; v < csr.num_vertices(); ++v)
        for (std::size_t k = csr.xadj[v]; k < csr.xadj[v + 1]; ++k) {
            const std::size_t w = csr.adjncy[k];
            if (w < v) continue;
            const bool border = csr.kind[k] & edge_border;
            const bool feeder = csr.kind[k] & edge_feeder;
            adj.rows.push_back({t.transformers[v].id, t.transformers[w].id,
                                std::string(border && feeder ? "border+feeder" : border ? "border" : "feeder"),
                                csr.border_m[k], std::int64_t{(csr.kind[k] & edge_barrier) ? 1 : 0}});
            adj.lines.push_back({t.transformers[v].location, t.transformers[w].location});
        }
    return {sa, tx, adj};
}

} // namespace

CheckReport make_check_report(const Territory& territory, const ValidationReport& report, const ServiceAreas* areas,
                              const AdjacencyGraph* graph, bool feeder_layer, bool customer_layer)
{
    CheckReport r;
    const auto& txs = territory.transformers;
    r.transformers_file = territory.transformers_file;
    r.transformers = txs.size();
    r.rejected = report.rejected.size();
    r.transformers_read = r.transformers + r.rejected;
    r.customers = territory.total_customers();
    std::set<std::string> stations, feeders_used;
    std::map<std::string, double> classes;
    for (const auto& t : txs) {
        if (!t.station_id.empty()) stations.insert(t.station_id);
        if (!t.feeder_id.empty()) feeders_used.insert(t.feeder_id);
        for (const auto& c : t.classes) classes[c.name] += c.count;
    }
    r.classes.assign(classes.begin(), classes.end());
    r.customer_layer = customer_layer;
    r.customer_points = territory.customers.size();
    r.stations = stations.size();
    r.feeder_layer = feeder_layer;
    r.feeders_named = feeders_used.size();
    r.feeders = feeder_layer ? territory.feeders.size() : feeders_used.size();
    r.feeder_links = territory.feeder_links.size();
    std::map<std::size_t, std::size_t> empty_units;
    if (areas)
        for (const auto& a : areas->attached_units) ++empty_units[a.level];
    for (std::size_t k = 0; k < territory.levels.size(); ++k)
        r.levels.push_back({territory.levels[k].name, territory.levels[k].units.size(),
                            empty_units.count(k) ? empty_units[k] : 0});
    r.work_crs = territory.work_crs_name;
    if (areas) {
        r.areas_built = true;
        r.service_areas = areas->shapes.size();
        for (const auto& s : areas->shapes) r.study_area_km2 += area(s);
        r.study_area_km2 /= 1e6;
        r.study_area = areas->study_area;
    }
    r.barriers = territory.barriers.size();
    if (graph) {
        const auto& g = graph->graph;
        r.vertices = g.num_vertices();
        for (std::size_t k = 0; k < g.adjncy.size(); ++k) {
            r.border_edges += (g.kind[k] & edge_border) ? 1 : 0;
            r.feeder_edges += (g.kind[k] & edge_feeder) ? 1 : 0;
            r.barrier_edges += (g.kind[k] & edge_barrier) ? 1 : 0;
        }
        r.border_edges /= 2; // each edge is listed from both ends
        r.feeder_edges /= 2;
        r.barrier_edges /= 2;
        r.components_by_border = graph->components.sizes.size();
        r.components = graph->components_with_feeders.sizes.size();
    }
    r.errors = report.count(Severity::error);
    r.warnings = report.count(Severity::warning);
    r.notes = report.count(Severity::info);
    r.issues = report.issues;
    r.rejected_features = report.rejected;
    return r;
}

std::string check_text(const CheckReport& r)
{
    std::string out, class_text;
    for (const auto& [name, count] : r.classes)
        class_text += fmt::format("{}{} {}", class_text.empty() ? " (" : "; ", name, with_commas(count));
    if (!class_text.empty()) class_text += ")";
    out += fmt::format("  transformers   {} read from {}, {} in the model, {} rejected\n",
                       with_commas(double(r.transformers_read)), r.transformers_file,
                       with_commas(double(r.transformers)), with_commas(double(r.rejected)));
    out += fmt::format("  customers      {}{}\n", with_commas(r.customers), class_text);
    if (r.customer_layer)
        out += fmt::format("  customer pts   {} matched to transformers (they shape the service areas)\n",
                           with_commas(double(r.customer_points)));
    out += fmt::format("  stations       {} (from the transformers' station field)\n", r.stations);
    if (r.feeder_layer)
        out += fmt::format("  feeders        {} in the feeder layer, {} named by transformers; {} transformer links\n",
                           r.feeders, r.feeders_named, with_commas(double(r.feeder_links)));
    else
        out += fmt::format("  feeders        {} named by transformers (no feeder layer given)\n", r.feeders_named);
    for (const auto& level : r.levels)
        out += fmt::format("  admin level    {}: {} units{}\n", level.name, with_commas(double(level.units)),
                           level.units_without_transformer
                               ? fmt::format(" ({} without a transformer, attached to neighbours)",
                                             level.units_without_transformer)
                               : "");
    if (r.levels.empty()) out += "  admin levels   none given\n";
    out += fmt::format("  working CRS    {}\n", r.work_crs);
    if (r.areas_built) {
        out += fmt::format("  service areas  {} areas, study area {:.3f} km² ({})\n", with_commas(double(r.service_areas)),
                           r.study_area_km2, r.study_area);
        out += fmt::format("  graph          {} vertices, {} border edges, {} feeder edges\n",
                           with_commas(double(r.vertices)), with_commas(double(r.border_edges)),
                           with_commas(double(r.feeder_edges)));
        if (r.barriers)
            out += fmt::format("  barriers       {} line(s); {} adjacency edges cross them\n",
                               with_commas(double(r.barriers)), with_commas(double(r.barrier_edges)));
        out += fmt::format("  components     {} by shared borders, {} with feeder links\n", r.components_by_border,
                           r.components);
    }
    return out;
}

std::string to_json(const CheckReport& r)
{
    using Json = nlohmann::ordered_json;
    Json levels = Json::array();
    for (const auto& l : r.levels)
        levels.push_back({{"name", l.name}, {"units", l.units}, {"units_without_transformer", l.units_without_transformer}});
    const Json j{{"transformers_read", r.transformers_read},
                 {"transformers", r.transformers},
                 {"rejected", r.rejected},
                 {"customers", r.customers},
                 {"stations", r.stations},
                 {"feeders", r.feeders},
                 {"feeder_links", r.feeder_links},
                 {"levels", levels},
                 {"work_crs", r.work_crs},
                 {"study_area_km2", std::round(r.study_area_km2 * 1e6) / 1e6},
                 {"border_edges", r.border_edges},
                 {"feeder_edges", r.feeder_edges},
                 {"barrier_edges", r.barrier_edges},
                 {"components_by_border", r.components_by_border},
                 {"components", r.components},
                 {"errors", r.errors},
                 {"warnings", r.warnings},
                 {"issues", Json::parse(issues_json(r.issues))}};
    return j.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

std::vector<std::string> write_check_folder(const std::string& dir, const Territory& territory,
                                            const ServiceAreas* areas, const AdjacencyGraph* graph,
                                            const CheckReport& report, const PlanFolderWriteOptions& options)
{
    const fs::path out_dir(dir);
    std::vector<fs::path> targets{out_dir / "check_report.json", out_dir / "rejected.csv"};
    if (areas && graph)
        for (const auto& name :
             folder::layer_file_names("service_areas", {"service_areas", "transformers", "adjacency"}, options.formats))
            targets.push_back(out_dir / name);
    folder::refuse_inputs(targets, options.protect, options.command);
    const folder::StagingFolder staging(out_dir, options.command);
    std::vector<std::string> written;
    if (areas && graph) {
        const auto tables = check_tables(territory, *areas, *graph);
        for (const auto format : options.formats)
            for (const auto& p : write_tables(staging.path().string(), "service_areas", format, tables,
                                              territory.work_crs_wkt, territory.output_crs_wkt, options.protect)) {
                const auto ext = fs::path(p).extension();
                if (ext == ".gpkg" || ext == ".shp" || ext == ".geojson")
                    written.push_back((out_dir / fs::path(p).filename()).string());
            }
    }
    write_text_file((staging.path() / "check_report.json").string(), to_json(report), options.protect);
    write_text_file((staging.path() / "rejected.csv").string(), rejected_csv(report.rejected_features), options.protect);
    written.push_back((out_dir / "check_report.json").string());
    written.push_back((out_dir / "rejected.csv").string());
    folder::move_into_place(staging, out_dir, options.protect, options.command);
    return written;
}

} // namespace libgrid
