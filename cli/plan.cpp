// grid-partition plan: inputs -> validated territory -> service areas -> adjacency graph ->
// grids, checked by the independent verifier, measured, and written atomically with a report,
// an assignment table and a summary. Only orchestration and formatting live here; every
// decision about the grids is libgrid's.
#include "commands.hpp"
#include "common.hpp"
#include "managers.hpp"

#include <libgrid/error.hpp>
#include <libgrid/graph.hpp>
#include <libgrid/io.hpp>
#include <libgrid/metrics.hpp>
#include <libgrid/partition.hpp>
#include <libgrid/service_areas.hpp>
#include <libgrid/validate.hpp>
#include <libgrid/verify.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <set>
#include <utility>


namespace gp {
namespace {

namespace fs = std::filesystem;

struct PlanFlags {
    InputFlags in;
    // The partition options are bound to the flags directly, so that every default is the one
    // declared in libgrid/partition.hpp and nowhere else.
    libgrid::PartitionOptions partition;
    std::string grids_per_station;
    std::vector<std::string> class_weights; // CLASS=W
    std::vector<std::string> formats{"gpkg"};
    std::string out;
    std::size_t max_issues = 20;
    bool skip_invalid = false;
    bool quiet = false;
    ManagerFlags managers; // --managers / --manager-capacity (see managers.hpp)
    bool maps = false; // --maps: render DIR/maps after writing (cli/render.cpp)
    bool strict = false; // --strict: a station outside the balance tolerance fails the run
};

// ---------------------------------------------------------------------------------------------

int run_plan(PlanFlags& f)
{
    Timings times;
    ProgressPrinter progress(f.quiet);
    auto protect = input_paths(f.in);
    if (!f.managers.managers.empty()) protect.push_back(parse_source(f.managers.managers).path);
    if (!f.grids_per_station.empty()) protect.push_back(f.grids_per_station);
    std::vector<libgrid::Format> formats;
    for (const auto& name : f.formats) formats.push_back(parse_output_format(name));
    const fs::path out_dir(f.out);
    libgrid::PlanFolderWriteOptions wopt;
    wopt.formats = formats;
    wopt.protect = protect;
    libgrid::check_plan_folder_target(f.out, wopt);
    auto& popt = f.partition;
    popt.workload.class_weights = parse_class_weights(f.class_weights);
    if (!f.grids_per_station.empty()) popt.grids_per_station = libgrid::read_grids_per_station(f.grids_per_station);

    auto ropt = make_read_options(f.in);
    ropt.progress = progress.callback();
    auto [territory, report] = libgrid::read_inputs(ropt);
    times.lap("read");
    libgrid::ValidateOptions vopt = f.in.validate;
    vopt.threads = f.partition.threads;
    vopt.progress = progress.callback();
    report.merge(libgrid::validate(territory, vopt));
    times.lap("validate");

    const std::size_t planned = territory.transformers.size(), rejected = report.rejected.size();
    fmt::print("grid-partition plan\n");
    // Printed once the graph is built, so that its notes (islands, empty units) are counted.
    auto print_inputs = [&] {
        fmt::print("  inputs         {} transformers read, {} planned, {} rejected; {} customers; {} errors, "
                   "{} warnings, {} notes\n",
                   with_commas(double(planned + rejected)), with_commas(double(planned)), with_commas(double(rejected)),
                   with_commas(territory.total_customers()), report.count(libgrid::Severity::error),
                   report.count(libgrid::Severity::warning), report.count(libgrid::Severity::info));
        print_input_issues(report, f.max_issues);
    };
    const std::size_t errors = report.count(libgrid::Severity::error);
    if (errors && !f.skip_invalid) {
        print_inputs();
        fmt::print("result: {} errors in the inputs; nothing was planned (fix them, or give --skip-invalid to "
                   "plan the valid transformers and list the rejected ones)\n",
                   errors);
        return exit_data_errors;
    }
    if (territory.transformers.empty())
        throw libgrid::Error(libgrid::ErrorCode::invalid_input, "plan: no transformer is left to plan");

    libgrid::ServiceAreaOptions sopt = f.in.areas;
    sopt.threads = f.partition.threads;
    sopt.progress = progress.callback();
    auto areas = libgrid::build_service_areas(territory, report, sopt);
    times.lap("service areas");
    libgrid::GraphOptions gopt = f.in.graph;
    gopt.progress = progress.callback();
    const auto graph = libgrid::build_adjacency(territory, areas, report, gopt);
    times.lap("graph");
    print_inputs();

    popt.progress = progress.callback();
    if (popt.progress) popt.progress(libgrid::Progress{"partition", 0.0}); // its time runs from here
    // Options that contradict the data (an unknown --nest-level, a station in
    // --grids-per-station that no transformer names) throw invalid_option: exit 2 in main().
    const libgrid::Plan plan = libgrid::partition(territory, graph, popt);
    times.lap("partition");

    const std::size_t nest_index = level_index(territory, popt.nest_level);
    // Stages libgrid does not report itself: announced here so that their line shows the time.
    auto begin_stage = [&](const char* stage) {
        if (const auto cb = progress.callback()) cb(libgrid::Progress{stage, 0.0});
    };
    begin_stage("verify");
    const auto verdict = libgrid::verify_plan(territory, graph.graph, plan, nest_index);
    progress.stage_done("verify");
    times.lap("verify");
    if (!verdict.ok()) {
        std::fflush(stdout);
        fmt::print(stderr, "grid-partition: internal error: the plan failed independent verification; nothing "
                           "was written; please report this\n");
        for (const auto& p : verdict.problems) fmt::print(stderr, "  - {}\n", p);
        return exit_bug;
    }

    // Managers (optional): assigned and verified before anything is written.
    std::optional<libgrid::Assignment> managers;
    if (f.managers.requested()) {
        f.managers.options.allow_infeasible = f.partition.allow_infeasible;
        int code = exit_ok;
        managers = run_assignment(f.managers, territory, graph.graph, plan, f.in.encoding, progress.callback(),
                                  f.max_issues, code);
        if (!managers) return code;
        times.lap("assign managers");
    }

    begin_stage("dissolve");
    auto grid_shapes = libgrid::dissolve(areas.shapes, plan.grid_of, plan.num_grids(), f.partition.threads);
    progress.stage_done("dissolve");
    times.lap("dissolve");
    // The map a planner sees is checked too: a graph can be connected where the polygons are not.
    begin_stage("verify polygons");
    const auto shapes_verdict = libgrid::verify_grid_polygons(territory, areas.shapes, plan, grid_shapes);
    progress.stage_done("verify polygons");
    times.lap("verify polygons");
    if (!shapes_verdict.ok()) {
        std::fflush(stdout);
        fmt::print(stderr, "grid-partition: internal error: the grid polygons failed independent verification; "
                           "nothing was written; please report this\n");
        for (const auto& p : shapes_verdict.problems) fmt::print(stderr, "  - {}\n", p);
        return exit_bug;
    }
    begin_stage("metrics");
    const auto metrics = libgrid::compute_metrics(territory, graph, plan, grid_shapes);
    progress.stage_done("metrics");
    times.lap("metrics");

    // Outputs: written atomically by libgrid (a staging folder, then one rename per file).
    begin_stage("write");
    libgrid::PlanFolder folder;
    folder.report = libgrid::make_plan_report(territory, report, plan, metrics);
    folder.report.options = {f.partition, f.strict, f.skip_invalid, f.formats};
    if (f.strict) {
        if (const auto missed = libgrid::tolerance_misses(folder.report); !missed.empty()) {
            std::fflush(stdout);
            fmt::print(stderr, "grid-partition: error: --strict: {} of {} stations are outside the balance tolerance "
                               "{:.2f}%; nothing was written\n",
                       missed.size(), plan.stations.size(), f.partition.balance_tolerance * 100.0);
            for (const auto& line : missed) fmt::print(stderr, "  {}\n", line);
            fmt::print(stderr, "fix: give a higher --effort, a larger --balance-tolerance, or drop --strict to write "
                               "the plan with the stations named\n");
            return exit_tolerance;
        }
    }
    folder.plan = plan;
    if (managers) attach_managers(folder, *managers, f.managers);
    folder.territory = std::move(territory);
    folder.areas = std::move(areas.shapes);
    folder.grid_shapes = std::move(grid_shapes);
    folder.report.timings_s = times.stages; // every stage but the writing of the files
    const auto written = libgrid::write_plan_folder(f.out, folder, wopt);
    progress.stage_done("write");

    fmt::print("{}", libgrid::summary_text(folder.report));
    if (managers) fmt::print("managers:\n{}", libgrid::managers_summary_text(*folder.report.managers));
    fmt::print("outputs:\n");
    for (const auto& name : written) fmt::print("  {}\n", (out_dir / name).string());
    const auto missed = libgrid::tolerance_misses(folder.report);
    fmt::print("result: {} grids planned{}{}\n", plan.num_grids(),
               rejected ? fmt::format(", {} rejected transformers left out (see rejected.csv)", rejected)
                           : std::string(),
               missed.empty() ? std::string()
                              : fmt::format("; WARNING: {} of {} stations outside the balance tolerance {:.2f}% (named "
                                            "above and in report.json; --strict makes this an error)",
                                            missed.size(), plan.stations.size(),
                                            f.partition.balance_tolerance * 100.0));
    if (f.maps) return render_plan_maps(out_dir.string(), f.quiet);
    return exit_ok;
}

} // namespace

void register_plan(CLI::App& root, std::function<int()>& action)
{
    auto flags = std::make_shared<PlanFlags>();
    auto& o = flags->partition;
    CLI::App* app = root.add_subcommand(
        "plan", "Partition the transformer areas into balanced, contiguous service grids; verify, measure and "
                "write the grids, the assignment table and the report");
    add_input_flags(*app, flags->in);
    add_manager_flags(*app, flags->managers);

    const char* g = "Grids";
    app->add_option("--grids", o.grids, "Total number of grids K, shared over stations by load")
        ->check(CLI::PositiveNumber)
        ->group(g);
    app->add_option("--grids-per-station", flags->grids_per_station,
                    "CSV table station_id,grids fixing the grids of the stations it lists")
        ->group(g);
    app->add_option("--target-load", o.target_load, "Without K: grids per station = round(load / N)")
        ->check(CLI::PositiveNumber)
        ->group(g);
    app->add_option("--max-load", o.max_load,
                    "Hard cap on a grid's load; without K, the fewest grids keeping every grid under it")
        ->check(CLI::PositiveNumber)
        ->group(g);
    app->add_option("--nest-level", o.nest_level, "Grids must also stay inside the units of this admin level")
        ->group(g);
    app->add_flag("--allow-infeasible", o.allow_infeasible,
                  "Relax an impossible constraint for the part it concerns (and say so) instead of failing")
        ->group(g);
    app->add_option("--seed", o.seed, "Seed: the same inputs and seed give the same plan")
        ->capture_default_str()
        ->group(g);
    app->add_option("--balance-tolerance", o.balance_tolerance,
                    "Every grid within this share of its station's target (0.01 = 1%) wherever the lower bound "
                    "allows; a station left outside it is named in the summary and the report")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber)
        ->group(g);
    app->add_flag("--strict", flags->strict,
                  "Fail (exit 5, nothing written) when a station is left outside the balance tolerance")
        ->group(g);
    app->add_option("--effort", o.effort,
                    "Work budget of the search (1 = default; 4, 16, ... keep improving balance, then shape); "
                    "a budget, not a timer, so the plan stays the same for the same inputs")
        ->capture_default_str()
        ->check(CLI::Range(std::size_t{1}, std::size_t{1024}))
        ->group(g);
    app->add_option("--restarts", o.restarts, "Initial solutions tried per region (0 = automatic)")
        ->capture_default_str()
        ->group(g);
    app->add_option("--threads", o.threads,
                    "Threads for service areas, stations and grid shapes (0 = one per core; the plan is the same)")
        ->capture_default_str()
        ->group(g);

    const char* w = "Objective weights";
    app->add_option("--weight-compactness", o.weights.compactness, "Weight of short borders between grids")
        ->capture_default_str()->check(CLI::NonNegativeNumber)->group(w);
    app->add_option("--weight-admin", o.weights.admin, "Weight of keeping communities and compounds whole")
        ->capture_default_str()->check(CLI::NonNegativeNumber)->group(w);
    app->add_option("--weight-feeder", o.weights.feeder, "Weight of keeping each feeder in few grids")
        ->capture_default_str()->check(CLI::NonNegativeNumber)->group(w);
    app->add_option("--weight-continuity", o.weights.continuity, "Weight of keeping current manager groupings")
        ->capture_default_str()->check(CLI::NonNegativeNumber)->group(w);
    app->add_option("--weight-barrier", o.weights.barrier,
                    "Grid borders along --barriers: an edge across a barrier costs 1/(1+4W) to cut")
        ->capture_default_str()->check(CLI::NonNegativeNumber)->group(w);

    add_workload_flags(*app, o, flags->class_weights);

    const char* out = "Outputs";
    app->add_option("--out", flags->out, "Folder for grids, assignments.csv, report.json, rejected.csv")
        ->required()
        ->group(out);
    app->add_option("--formats", flags->formats, "Map formats: gpkg, shp, geojson")
        ->delimiter(',')
        ->check(CLI::IsMember({"gpkg", "shp", "geojson"}))
        ->capture_default_str()
        ->group(out);
    app->add_flag("--skip-invalid", flags->skip_invalid,
                  "Plan the valid transformers and list the rejected ones instead of refusing")
        ->group(out);
    app->add_option("--max-issues", flags->max_issues, "Issues printed per kind (all go to the report)")
        ->capture_default_str()
        ->group(out);
    app->add_flag("--quiet,-q", flags->quiet, "No progress on stderr")->group(out);
    app->add_flag("--maps", flags->maps, "Also draw the grid maps into OUT/maps (as grid-partition render)")->group(out);

    app->callback([flags, &action] {
        const auto& p = flags->partition;
        // Checked here rather than by an option group so that the message says what to give;
        // this runs after the config file was read, so a [plan] section counts too.
        if (p.grids == 0 && flags->grids_per_station.empty() && !(p.target_load > 0) && !(p.max_load > 0))
            throw CLI::ValidationError("plan: say how many grids: give --grids K, --grids-per-station FILE, "
                                       "--target-load N or --max-load N");
        action = [flags] { return run_plan(*flags); };
    });
}

} // namespace gp
