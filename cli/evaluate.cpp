// grid-partition evaluate: the grids a utility already has (polygons, or a transformer -> grid
// table), scored with every measure and bound of a plan's report, checked by the independent
// verifier (its findings are the evaluation's, not a failure), and written as a plan folder that
// render, assign, locate and report.html take. Only orchestration and printing live here.
#include "commands.hpp"
#include "common.hpp"

#include <libgrid/error.hpp>
#include <libgrid/metrics.hpp>
#include <libgrid/plan_folder.hpp>
#include <libgrid/verify.hpp>

#include <fmt/format.h>

#include <memory>

namespace gp {
namespace {

struct EvaluateFlags {
    InputFlags in;
    libgrid::PartitionOptions partition; // the balance tolerance, nest level and workload
    std::vector<std::string> class_weights;
    std::string grids_layer, assignments;
    std::string grid_id_field = "grid_id", transformer_field = "transformer_id";
    std::vector<std::string> formats{"gpkg"};
    std::string out;
    std::size_t max_issues = 20;
    bool skip_invalid = false, quiet = false;
};

int run_evaluate(EvaluateFlags& f)
{
    Timings times;
    ProgressPrinter progress(f.quiet);
    const std::string current = f.grids_layer.empty() ? f.assignments : f.grids_layer;
    auto protect = input_paths(f.in);
    protect.push_back(parse_source(current).path);
    libgrid::PlanFolderWriteOptions wopt;
    wopt.formats.clear();
    for (const auto& name : f.formats) wopt.formats.push_back(parse_output_format(name));
    wopt.protect = protect;
    libgrid::check_plan_folder_target(f.out, wopt);
    f.partition.workload.class_weights = parse_class_weights(f.class_weights);

    auto ropt = make_read_options(f.in);
    ropt.progress = progress.callback();
    auto [territory, report] = libgrid::read_inputs(ropt);
    libgrid::ValidateOptions vopt = f.in.validate;
    vopt.progress = progress.callback();
    report.merge(libgrid::validate(territory, vopt));
    const std::size_t read = territory.transformers.size() + report.rejected.size();
    // The current grids, in the working CRS; each transformer matched to one (or left out, listed).
    std::vector<std::string> grid_of;
    if (!f.grids_layer.empty()) {
        libgrid::CurrentGridsReadOptions gopt{parse_source(f.grids_layer), f.grid_id_field, territory.work_crs_wkt,
                                              f.in.assume_crs, f.in.encoding};
        auto [grids, grid_report] = libgrid::read_current_grids(gopt);
        report.merge(grid_report);
        if (grid_report.ok()) report.merge(libgrid::match_current_grids(territory, grids, grid_of));
    } else {
        auto [table, table_report] = libgrid::read_grid_table(
            {parse_source(f.assignments), f.transformer_field, f.grid_id_field, f.in.encoding});
        report.merge(table_report);
        if (table_report.ok()) report.merge(libgrid::match_grid_table(territory, table, grid_of));
    }
    times.lap("read");
    fmt::print("grid-partition evaluate\n");
    const auto print_inputs = [&] {
        fmt::print("  inputs         {} transformers read, {} in a current grid, {} left out; {} customers; {} errors, "
                   "{} warnings, {} notes\n",
                   with_commas(double(read)), with_commas(double(grid_of.size())),
                   with_commas(double(report.rejected.size())), with_commas(territory.total_customers()),
                   report.count(libgrid::Severity::error), report.count(libgrid::Severity::warning),
                   report.count(libgrid::Severity::info));
        print_input_issues(report, f.max_issues);
    };
    if (const std::size_t errors = report.count(libgrid::Severity::error); errors && !f.skip_invalid) {
        print_inputs();
        fmt::print("result: {} errors in the inputs; nothing was evaluated (fix them, or give --skip-invalid to "
                   "evaluate the valid transformers and list the others)\n",
                   errors);
        return exit_data_errors;
    }
    if (territory.transformers.empty() || grid_of.size() != territory.transformers.size())
        throw libgrid::Error(libgrid::ErrorCode::invalid_input,
                             fmt::format("evaluate: no transformer lies in a current grid of '{}'", current));

    libgrid::ServiceAreaOptions sopt = f.in.areas;
    sopt.progress = progress.callback();
    auto areas = libgrid::build_service_areas(territory, report, sopt);
    libgrid::GraphOptions gopt = f.in.graph;
    gopt.progress = progress.callback();
    const auto graph = libgrid::build_adjacency(territory, areas, report, gopt);
    times.lap("service areas and graph");
    print_inputs();

    const libgrid::Plan plan = libgrid::evaluate_grids(territory, graph, grid_of, f.partition);
    std::size_t nest_index = libgrid::npos;
    for (std::size_t l = 0; l < territory.levels.size(); ++l)
        if (!f.partition.nest_level.empty() && territory.levels[l].name == f.partition.nest_level) nest_index = l;
    // The verifier's findings are the evaluation's: the grids are the utility's, not ours.
    auto verdict = libgrid::verify_plan(territory, graph.graph, plan, nest_index);
    auto grid_shapes = libgrid::dissolve(areas.shapes, plan.grid_of, plan.num_grids(), f.partition.threads);
    const auto shapes_verdict = libgrid::verify_grid_polygons(territory, areas.shapes, plan, grid_shapes);
    verdict.problems.insert(verdict.problems.end(), shapes_verdict.problems.begin(), shapes_verdict.problems.end());
    const auto metrics = libgrid::compute_metrics(territory, graph, plan, grid_shapes);
    times.lap("evaluate");

    libgrid::PlanFolder folder;
    folder.report = libgrid::make_plan_report(territory, report, plan, metrics);
    folder.report.kind = "evaluation";
    folder.report.options = {f.partition, false, f.skip_invalid, f.formats};
    folder.report.verification = verdict.ok() ? "passed" : "failed";
    folder.report.verification_problems = verdict.problems;
    folder.report.findings = libgrid::find_weak_grids(territory, graph, plan, folder.report);
    folder.report.timings_s = times.stages;
    folder.plan = plan;
    folder.territory = std::move(territory);
    folder.areas = std::move(areas.shapes);
    folder.grid_shapes = std::move(grid_shapes);
    const auto written = libgrid::write_plan_folder(f.out, folder, wopt);

    fmt::print("{}", libgrid::summary_text(folder.report));
    fmt::print("outputs:\n");
    for (const auto& name : written) fmt::print("  {}\n", (std::filesystem::path(f.out) / name).string());
    const auto missed = libgrid::tolerance_misses(folder.report);
    fmt::print("result: {} current grids evaluated; {} with something wrong; {} of {} stations outside the balance "
               "tolerance {:.2f}%; the verifier found {} problems{}\n",
               plan.num_grids(), folder.report.findings.size(), missed.size(), plan.stations.size(),
               f.partition.balance_tolerance * 100.0, verdict.problems.size(),
               folder.report.rejected.empty()
                   ? std::string()
                   : fmt::format("; {} transformers in no grid or rejected (see rejected.csv)",
                                 folder.report.rejected.size()));
    return exit_ok;
}

} // namespace

void register_evaluate(CLI::App& root, std::function<int()>& action)
{
    auto flags = std::make_shared<EvaluateFlags>();
    auto& o = flags->partition;
    CLI::App* app = root.add_subcommand(
        "evaluate", "Score the grids a utility already has with every measure and bound of a plan, list the weakest "
                    "grids with why, and write them as a plan folder");
    add_input_flags(*app, flags->in);
    const char* g = "Current grids";
    auto* layer = app->add_option("--grids-layer", flags->grids_layer,
                                  "Polygons of the current grids (FILE[:LAYER]); transformers go to the grid holding them")
                      ->group(g);
    auto* table = app->add_option("--assignments", flags->assignments,
                                  "Table transformer -> grid (CSV or any OGR table, e.g. a plan's assignments.csv)")
                      ->group(g);
    layer->excludes(table);
    app->add_option("--grid-id-field", flags->grid_id_field, "Grid id field of the layer or table")
        ->capture_default_str()->group(g);
    app->add_option("--transformer-field", flags->transformer_field, "Transformer id field of the table")
        ->capture_default_str()->group(g);
    app->add_option("--balance-tolerance", o.balance_tolerance, "Balance requirement the grids are measured against")
        ->capture_default_str()->check(CLI::NonNegativeNumber)->group(g);
    app->add_option("--nest-level", o.nest_level, "Grids should stay inside the units of this admin level")->group(g);
    add_workload_flags(*app, o, flags->class_weights);
    const char* out = "Outputs";
    app->add_option("--out", flags->out, "Plan folder to write")->required()->group(out);
    app->add_option("--formats", flags->formats, "Map formats: gpkg, shp, geojson")
        ->delimiter(',')->check(CLI::IsMember({"gpkg", "shp", "geojson"}))->capture_default_str()->group(out);
    app->add_flag("--skip-invalid", flags->skip_invalid, "Evaluate the valid transformers and list the others")->group(out);
    app->add_option("--max-issues", flags->max_issues, "Issues printed per kind (all go to the report)")
        ->capture_default_str()->group(out);
    app->add_flag("--quiet,-q", flags->quiet, "No progress on stderr")->group(out);
    app->callback([flags, &action] {
        if (flags->grids_layer.empty() && flags->assignments.empty())
            throw CLI::ValidationError("evaluate: give the current grids: --grids-layer FILE[:LAYER] or --assignments FILE");
        action = [flags] { return run_evaluate(*flags); };
    });
}

} // namespace gp
