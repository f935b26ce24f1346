// grid-partition check: read and validate the inputs, build service areas and the adjacency
// graph, print the figures and every problem; optionally write the service areas.
#include "commands.hpp"
#include "common.hpp"

#include <libgrid/graph.hpp>
#include <libgrid/io.hpp>
#include <libgrid/plan_folder.hpp>
#include <libgrid/service_areas.hpp>
#include <libgrid/validate.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <map>
#include <memory>
#include <set>

namespace gp {
namespace {

struct CheckFlags {
    InputFlags in;
    std::string out;
    std::vector<std::string> formats{"gpkg"};
    std::size_t max_issues = 20;
    bool quiet = false;
};

/// The layers `check --out` writes: service areas, transformers, adjacency edges.
std::vector<libgrid::FeatureTable> make_tables(const libgrid::Territory& t,
                                               const libgrid::ServiceAreas& areas,
                                               const libgrid::AdjacencyGraph& g)
{
    using libgrid::FieldType;
    const auto& finest_units = t.levels.empty() ? nullptr : &t.levels.back().units;
    auto unit_id = [&](std::size_t i) -> libgrid::FieldValue {
        if (!finest_units || t.transformer_unit[i] == libgrid::npos) return std::monostate{};
        return (*finest_units)[t.transformer_unit[i]].id;
    };
    libgrid::FeatureTable sa{"service_areas", libgrid::GeometryKind::polygon,
                             {{"transformer_id", FieldType::text},
                              {"customers", FieldType::real},
                              {"station_id", FieldType::text},
                              {"feeder_id", FieldType::text},
                              {"unit_id", FieldType::text},
                              {"area_km2", FieldType::real},
                              {"component", FieldType::integer}},
                             {}, {}, {}, {}};
    libgrid::FeatureTable tx{"transformers", libgrid::GeometryKind::point,
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
        sa.rows.push_back({x.id, x.customers, x.station_id, x.feeder_id, unit_id(i),
                           libgrid::area(areas.shapes[i]) / 1e6, comp});
        sa.polygons.push_back(areas.shapes[i]);
        tx.rows.push_back({x.id, x.customers, x.station_id, x.feeder_id, unit_id(i), comp});
        tx.points.push_back(x.location);
    }
    libgrid::FeatureTable adj{"adjacency", libgrid::GeometryKind::line,
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
            const bool border = csr.kind[k] & libgrid::edge_border;
            const bool feeder = csr.kind[k] & libgrid::edge_feeder;
            adj.rows.push_back({t.transformers[v].id, t.transformers[w].id,
                                std::string(border && feeder ? "border+feeder" : border ? "border" : "feeder"),
                                csr.border_m[k], std::int64_t{(csr.kind[k] & libgrid::edge_barrier) ? 1 : 0}});
            adj.lines.push_back({t.transformers[v].location, t.transformers[w].location});
        }
    return {sa, tx, adj};
}

int run_check(const CheckFlags& flags)
{
    ProgressPrinter progress(flags.quiet);
    auto options = make_read_options(flags.in);
    options.progress = progress.callback();
    auto [territory, report] = libgrid::read_inputs(options);
    const std::size_t read_count = territory.transformers.size() + report.rejected.size();

    libgrid::ValidateOptions vopt = flags.in.validate;
    vopt.progress = progress.callback();
    report.merge(libgrid::validate(territory, vopt));

    // Service areas and the graph are built from whatever entered the model, so that one run
    // shows every problem, including islands.
    std::unique_ptr<libgrid::ServiceAreas> areas;
    std::unique_ptr<libgrid::AdjacencyGraph> graph;
    const bool has_geometry_basis = !territory.transformers.empty();
    if (has_geometry_basis) {
        libgrid::ServiceAreaOptions sopt = flags.in.areas;
        sopt.progress = progress.callback();
        areas = std::make_unique<libgrid::ServiceAreas>(libgrid::build_service_areas(territory, report, sopt));
        libgrid::GraphOptions gopt = flags.in.graph;
        gopt.progress = progress.callback();
        graph = std::make_unique<libgrid::AdjacencyGraph>(libgrid::build_adjacency(territory, *areas, report, gopt));
    }

    // Figures.
    const auto& txs = territory.transformers;
    std::set<std::string> stations, feeders_used;
    std::map<std::string, double> classes;
    for (const auto& t : txs) {
        if (!t.station_id.empty()) stations.insert(t.station_id);
        if (!t.feeder_id.empty()) feeders_used.insert(t.feeder_id);
        for (const auto& c : t.classes) classes[c.name] += c.count;
    }
    std::string class_text;
    for (const auto& [name, count] : classes)
        class_text += fmt::format("{}{} {}", class_text.empty() ? " (" : "; ", name, with_commas(count));
    if (!class_text.empty()) class_text += ")";

    fmt::print("grid-partition check\n");
    fmt::print("  transformers   {} read from {}, {} in the model, {} rejected\n", with_commas(double(read_count)),
               territory.transformers_file.empty() ? flags.in.transformers : territory.transformers_file,
               with_commas(double(txs.size())), with_commas(double(report.rejected.size())));
    fmt::print("  customers      {}{}\n", with_commas(territory.total_customers()), class_text);
    if (!flags.in.customers.empty())
        fmt::print("  customer pts   {} matched to transformers (they shape the service areas)\n",
                   with_commas(double(territory.customers.size())));
    fmt::print("  stations       {} (from the transformers' station field)\n", stations.size());
    if (!flags.in.feeders.empty())
        fmt::print("  feeders        {} in the feeder layer, {} named by transformers; {} transformer links\n",
                   territory.feeders.size(), feeders_used.size(), with_commas(double(territory.feeder_links.size())));
    else
        fmt::print("  feeders        {} named by transformers (no feeder layer given)\n", feeders_used.size());
    std::map<std::size_t, std::size_t> empty_units;
    if (areas)
        for (const auto& a : areas->attached_units) ++empty_units[a.level];
    for (std::size_t k = 0; k < territory.levels.size(); ++k) {
        const auto& level = territory.levels[k];
        fmt::print("  admin level    {}: {} units{}\n", level.name, with_commas(double(level.units.size())),
                   empty_units.count(k) ? fmt::format(" ({} without a transformer, attached to neighbours)",
                                                      empty_units[k])
                                        : "");
    }
    if (territory.levels.empty()) fmt::print("  admin levels   none given\n");
    fmt::print("  working CRS    {}\n", territory.work_crs_name);
    double study_km2 = 0;
    if (areas) {
        for (const auto& s : areas->shapes) study_km2 += libgrid::area(s);
        study_km2 /= 1e6;
        fmt::print("  service areas  {} areas, study area {:.3f} km² ({})\n", with_commas(double(areas->shapes.size())),
                   study_km2, areas->study_area);
    }
    std::size_t border_edges = 0, feeder_edges = 0, barrier_edges = 0;
    if (graph) {
        const auto& g = graph->graph;
        for (std::size_t k = 0; k < g.adjncy.size(); ++k) {
            border_edges += (g.kind[k] & libgrid::edge_border) ? 1 : 0;
            feeder_edges += (g.kind[k] & libgrid::edge_feeder) ? 1 : 0;
            barrier_edges += (g.kind[k] & libgrid::edge_barrier) ? 1 : 0;
        }
        border_edges /= 2;
        feeder_edges /= 2;
        barrier_edges /= 2;
        fmt::print("  graph          {} vertices, {} border edges, {} feeder edges\n",
                   with_commas(double(g.num_vertices())), with_commas(double(border_edges)),
                   with_commas(double(feeder_edges)));
        if (!territory.barriers.empty())
            fmt::print("  barriers       {} line(s); {} adjacency edges cross them\n",
                       with_commas(double(territory.barriers.size())), with_commas(double(barrier_edges)));
        fmt::print("  components     {} by shared borders, {} with feeder links\n",
                   graph->components.sizes.size(), graph->components_with_feeders.sizes.size());
    }
    const std::size_t errors = report.count(libgrid::Severity::error);
    const std::size_t warnings = report.count(libgrid::Severity::warning);
    fmt::print("issues: {} errors, {} warnings, {} notes\n", errors, warnings,
               report.count(libgrid::Severity::info));
    print_issues(report, flags.max_issues);

    if (!flags.out.empty()) {
        const auto protect = input_paths(flags.in);
        std::vector<std::string> written;
        if (areas) {
            const auto tables = make_tables(territory, *areas, *graph);
            for (const auto& f : flags.formats)
                for (const auto& p : libgrid::write_tables(flags.out, "service_areas", parse_output_format(f), tables,
                                                           territory.work_crs_wkt, territory.output_crs_wkt, protect))
                    written.push_back(p);
        }
        nlohmann::ordered_json levels = nlohmann::ordered_json::array();
        for (std::size_t k = 0; k < territory.levels.size(); ++k)
            levels.push_back({{"name", territory.levels[k].name},
                              {"units", territory.levels[k].units.size()},
                              {"units_without_transformer", empty_units.count(k) ? empty_units[k] : 0}});
        const nlohmann::ordered_json report_json{
            {"transformers_read", read_count},
            {"transformers", txs.size()},
            {"rejected", report.rejected.size()},
            {"customers", territory.total_customers()},
            {"stations", stations.size()},
            {"feeders", flags.in.feeders.empty() ? feeders_used.size() : territory.feeders.size()},
            {"feeder_links", territory.feeder_links.size()},
            {"levels", levels},
            {"work_crs", territory.work_crs_name},
            {"study_area_km2", std::round(study_km2 * 1e6) / 1e6},
            {"border_edges", border_edges},
            {"feeder_edges", feeder_edges},
            {"barrier_edges", barrier_edges},
            {"components_by_border", graph ? graph->components.sizes.size() : 0},
            {"components", graph ? graph->components_with_feeders.sizes.size() : 0},
            {"errors", errors},
            {"warnings", warnings},
            {"issues", nlohmann::ordered_json::parse(libgrid::issues_json(report.issues))}};
        const std::string json = report_json.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
        const auto dir = std::filesystem::path(flags.out);
        libgrid::write_text_file((dir / "check_report.json").string(), json, protect);
        written.push_back((dir / "check_report.json").string());
        libgrid::write_text_file((dir / "rejected.csv").string(), libgrid::rejected_csv(report.rejected), protect);
        written.push_back((dir / "rejected.csv").string());
        fmt::print("outputs:\n");
        for (const auto& p : written) fmt::print("  {}\n", p);
    }
    fmt::print("result: {}\n", errors ? fmt::format("{} errors found (exit status 1)", errors) : std::string("inputs OK"));
    return errors ? exit_data_errors : exit_ok;
}

} // namespace

void register_check(CLI::App& root, std::function<int()>& action)
{
    auto flags = std::make_shared<CheckFlags>();
    CLI::App* app = root.add_subcommand(
        "check", "Read and validate the inputs, build service areas and the adjacency graph, "
                 "report every problem (exit 1 when any error is found)");
    add_input_flags(*app, flags->in);
    app->add_option("--out", flags->out, "Write service areas, the graph and the report to this folder");
    app->add_option("--formats", flags->formats, "Output formats: gpkg, shp, geojson")
        ->delimiter(',')
        ->capture_default_str();
    app->add_option("--max-issues", flags->max_issues, "Issues printed per kind (all go to the report)")
        ->capture_default_str();
    app->add_flag("--quiet,-q", flags->quiet, "No progress on stderr");
    app->callback([flags, &action] { action = [flags] { return run_check(*flags); }; });
}

} // namespace gp
