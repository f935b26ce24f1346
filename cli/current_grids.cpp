// grid-partition evaluate and replan: the grids a utility already has.
// evaluate scores them (polygons, or a transformer -> grid table) with every measure and bound of
// a plan's report, runs the independent verifier (its findings are the evaluation's, not a
// failure) and writes them as a plan folder that render, assign, locate and report.html take.
// replan brings them back within the balance tolerance under a hard budget on what moves, and
// says what changed for whom (changes.csv, report.json replan). Only orchestration and printing.
#include "commands.hpp"
#include "common.hpp"

#include <libgrid/error.hpp>
#include <libgrid/metrics.hpp>
#include <libgrid/plan_folder.hpp>
#include <libgrid/verify.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>

namespace gp {
namespace {

namespace fs = std::filesystem;

struct CurrentFlags {
    InputFlags in;
    libgrid::PartitionOptions partition; // the balance tolerance, nest level and workload
    std::vector<std::string> class_weights;
    std::string grids_layer, assignments, current; // evaluate: one of the first two; replan: current
    std::string grid_id_field = "grid_id", transformer_field = "transformer_id";
    std::string max_moved = "5%", measure = "customers";
    std::string changes, change_field = "change"; // replan --changes: new, removed and changed transformers
    std::vector<std::string> formats{"gpkg"};
    std::string out;
    std::size_t max_issues = 20;
    bool skip_invalid = false, quiet = false;
    bool maps = false; // --maps: render OUT/maps after writing (a re-plan adds the moved areas' sheets)
};

/// The territory with each transformer's current grid, its service areas and graph.
struct Loaded {
    libgrid::Territory territory;
    libgrid::ValidationReport report;
    std::vector<std::string> grid_of;
    libgrid::ServiceAreas areas;
    libgrid::AdjacencyGraph graph;
    std::vector<std::pair<std::string, std::string>> grid_managers; // replan from a plan folder
};

/// Reads, validates and matches the current grids; prints the inputs. Null after printing the
/// errors when there are any (and no --skip-invalid). `keep_new`: transformers in no current
/// grid stay, as new ones (replan); else they are left out and listed (evaluate).
std::optional<Loaded> load(CurrentFlags& f, const char* command, bool keep_new, ProgressPrinter& progress, Timings& times)
{
    Loaded l;
    auto ropt = make_read_options(f.in);
    ropt.progress = progress.callback();
    std::tie(l.territory, l.report) = libgrid::read_inputs(ropt);
    std::optional<libgrid::ChangesApplied> applied;
    if (!f.changes.empty()) {
        libgrid::TransformerChangeReadOptions copt;
        copt.source = parse_source(f.changes);
        copt.change_field = f.change_field;
        copt.read = ropt;
        copt.read.progress = {};
        if (!l.territory.work_crs_wkt.empty()) copt.read.work_crs = l.territory.work_crs_wkt;
        auto [changes, change_report] = libgrid::read_transformer_changes(copt);
        l.report.merge(change_report);
        applied = libgrid::apply_transformer_changes(l.territory, changes);
        l.report.merge(applied->report);
    }
    libgrid::ValidateOptions vopt = f.in.validate;
    vopt.progress = progress.callback();
    l.report.merge(libgrid::validate(l.territory, vopt));
    const std::size_t read = l.territory.transformers.size() + l.report.rejected.size();
    // A plan folder is read by its assignments.csv; a .csv is a table; anything else polygons.
    std::string table = f.assignments, polygons = f.grids_layer;
    if (fs::is_directory(f.current))
        table = (fs::path(f.current) / "assignments.csv").string();
    else if (!f.current.empty())
        (fs::path(parse_source(f.current).path).extension() == ".csv" ? table : polygons) = f.current;
    auto& report = l.report;
    if (!polygons.empty()) {
        libgrid::CurrentGridsReadOptions gopt{parse_source(polygons), f.grid_id_field, l.territory.work_crs_wkt,
                                              f.in.assume_crs, f.in.encoding};
        auto [grids, grid_report] = libgrid::read_current_grids(gopt);
        report.merge(grid_report);
        if (!grids.grids.empty()) report.merge(libgrid::match_current_grids(l.territory, grids, l.grid_of, keep_new));
    } else {
        const auto source = parse_source(table);
        libgrid::GridTableReadOptions topt;
        topt.source = source;
        topt.transformer_field = f.transformer_field;
        topt.grid_field = f.grid_id_field;
        topt.encoding = f.in.encoding;
        auto [rows, table_report] = libgrid::read_grid_table(topt);
        report.merge(table_report);
        if (!rows.rows.empty()) {
            report.merge(libgrid::match_grid_table(l.territory, rows, l.grid_of, keep_new,
                                                   applied ? applied->removed_ids : std::vector<std::string>{}));
            // The managers in force, when the table names them (a plan folder's assignments.csv).
            std::map<std::string, std::string> manager_of;
            for (const auto& row : rows.rows)
                if (!row.grid_id.empty() && !row.manager_id.empty()) manager_of.emplace(row.grid_id, row.manager_id);
            l.grid_managers.assign(manager_of.begin(), manager_of.end());
        }
    }
    times.lap("read");
    fmt::print("grid-partition {}\n", command);
    const std::size_t in_grid = static_cast<std::size_t>(
        std::count_if(l.grid_of.begin(), l.grid_of.end(), [](const std::string& id) { return !id.empty(); }));
    const auto print_inputs = [&] {
        fmt::print("  inputs         {} transformers read, {} in a current grid, {} {}; {} customers; {} errors, "
                   "{} warnings, {} notes\n",
                   with_commas(double(read)), with_commas(double(in_grid)),
                   with_commas(double(keep_new ? l.grid_of.size() - in_grid : report.rejected.size())),
                   keep_new ? "new (in no current grid)" : "left out", with_commas(l.territory.total_customers()),
                   report.count(libgrid::Severity::error), report.count(libgrid::Severity::warning),
                   report.count(libgrid::Severity::info));
        if (applied)
            fmt::print("  changes        {}: {} new, {} removed, {} customer counts changed\n", f.changes,
                       with_commas(double(applied->added)), with_commas(double(applied->removed)),
                       with_commas(double(applied->changed)));
        print_input_issues(report, f.max_issues);
    };
    if (const std::size_t errors = report.count(libgrid::Severity::error); errors && !f.skip_invalid) {
        print_inputs();
        fmt::print("result: {} errors in the inputs; nothing was written (fix them, or give --skip-invalid to "
                   "use the valid transformers and list the others)\n",
                   errors);
        return std::nullopt;
    }
    if (in_grid == 0 || l.grid_of.size() != l.territory.transformers.size())
        throw libgrid::Error(libgrid::ErrorCode::invalid_input,
                             fmt::format("{}: no transformer lies in a current grid of '{}'", command,
                                         polygons.empty() ? table : polygons));
    libgrid::ServiceAreaOptions sopt = f.in.areas;
    sopt.progress = progress.callback();
    l.areas = libgrid::build_service_areas(l.territory, report, sopt);
    libgrid::GraphOptions gopt = f.in.graph;
    gopt.progress = progress.callback();
    l.graph = libgrid::build_adjacency(l.territory, l.areas, report, gopt);
    times.lap("service areas and graph");
    print_inputs();
    return l;
}

/// Verifier findings of a plan: the graph's and the polygons'.
std::vector<std::string> verify(const Loaded& l, const libgrid::Plan& plan, const std::vector<libgrid::MultiPolygon>& shapes,
                                const std::string& nest_level)
{
    auto verdict = libgrid::verify_plan(l.territory, l.graph.graph, plan, level_index(l.territory, nest_level));
    const auto polygons = libgrid::verify_grid_polygons(l.territory, l.areas.shapes, plan, shapes);
    verdict.problems.insert(verdict.problems.end(), polygons.problems.begin(), polygons.problems.end());
    return verdict.problems;
}

libgrid::PlanFolderWriteOptions write_options(const CurrentFlags& f, const std::string& current)
{
    libgrid::PlanFolderWriteOptions wopt;
    wopt.formats.clear();
    for (const auto& name : f.formats) wopt.formats.push_back(parse_output_format(name));
    wopt.protect = input_paths(f.in);
    wopt.protect.push_back(parse_source(current).path);
    if (!f.changes.empty()) wopt.protect.push_back(parse_source(f.changes).path);
    if (fs::is_directory(current)) wopt.protect.push_back((fs::path(current) / "assignments.csv").string());
    return wopt;
}

/// Writes the folder and prints the summary and the files.
void write_and_print(const CurrentFlags& f, Loaded& l, const libgrid::Plan& plan, std::vector<libgrid::MultiPolygon> shapes,
                     libgrid::PlanReport report, const libgrid::PlanFolderWriteOptions& wopt)
{
    libgrid::PlanFolder folder;
    folder.report = std::move(report);
    folder.plan = plan;
    folder.territory = std::move(l.territory);
    folder.areas = std::move(l.areas.shapes);
    folder.grid_shapes = std::move(shapes);
    const auto written = libgrid::write_plan_folder(f.out, folder, wopt);
    fmt::print("{}", libgrid::summary_text(folder.report));
    fmt::print("outputs:\n");
    for (const auto& name : written) fmt::print("  {}\n", (fs::path(f.out) / name).string());
}

int run_evaluate(CurrentFlags& f)
{
    Timings times;
    ProgressPrinter progress(f.quiet);
    const std::string current = f.grids_layer.empty() ? f.assignments : f.grids_layer;
    const auto wopt = write_options(f, current);
    libgrid::check_plan_folder_target(f.out, wopt);
    f.partition.workload.class_weights = parse_class_weights(f.class_weights);
    auto loaded = load(f, "evaluate", false, progress, times);
    if (!loaded) return exit_data_errors;
    auto& l = *loaded;

    const libgrid::Plan plan = libgrid::evaluate_grids(l.territory, l.graph, l.grid_of, f.partition);
    // The verifier's findings are the evaluation's: the grids are the utility's, not ours.
    auto shapes = libgrid::dissolve(l.areas.shapes, plan.grid_of, plan.num_grids(), f.partition.threads);
    const auto problems = verify(l, plan, shapes, f.partition.nest_level);
    const auto metrics = libgrid::compute_metrics(l.territory, l.graph, plan, shapes);
    times.lap("evaluate");

    auto report = libgrid::make_plan_report(l.territory, l.report, plan, metrics);
    report.kind = "evaluation";
    report.options = {f.partition, false, f.skip_invalid, f.formats};
    report.verification = problems.empty() ? "passed" : "failed";
    report.verification_problems = problems;
    report.findings = libgrid::find_weak_grids(l.territory, l.graph, plan, report);
    report.timings_s = times.stages;
    const std::size_t findings = report.findings.size(), rejected = report.rejected.size();
    const auto missed = libgrid::tolerance_misses(report).size();
    write_and_print(f, l, plan, std::move(shapes), std::move(report), wopt);
    fmt::print("result: {} current grids evaluated; {} with something wrong; {} of {} stations outside the balance "
               "tolerance {:.2f}%; the verifier found {} problems{}\n",
               plan.num_grids(), findings, missed, plan.stations.size(), f.partition.balance_tolerance * 100.0,
               problems.size(),
               rejected ? fmt::format("; {} transformers in no grid or rejected (see rejected.csv)", rejected)
                        : std::string());
    if (f.maps) return render_plan_maps(f.out, f.quiet);
    return exit_ok;
}

/// "5%" or "0.05" as a share. @throws CLI::ValidationError naming --max-moved.
double parse_share(const std::string& text)
{
    const bool percent = !text.empty() && text.back() == '%';
    const std::string number = percent ? text.substr(0, text.size() - 1) : text;
    char* end = nullptr;
    const double v = std::strtod(number.c_str(), &end);
    const double share = percent ? v / 100.0 : v;
    if (number.empty() || end != number.c_str() + number.size() || !(share >= 0.0 && share <= 1.0))
        throw CLI::ValidationError("--max-moved", "expected a share such as 5% or 0.05 (0 to 100%), got '" + text + "'");
    return share;
}

int run_replan(CurrentFlags& f)
{
    Timings times;
    ProgressPrinter progress(f.quiet);
    const auto wopt = write_options(f, f.current);
    libgrid::check_plan_folder_target(f.out, wopt);
    f.partition.workload.class_weights = parse_class_weights(f.class_weights);
    libgrid::ReplanOptions ropt;
    ropt.partition = f.partition;
    ropt.max_moved = parse_share(f.max_moved);
    ropt.count_transformers = f.measure == "transformers";
    // A plan folder's report says how far from target its stations were planned: an unchanged
    // territory is left as it is, a changed one brought back there (or within the tolerance).
    // It also gives the target load the grids were planned for, so that grown stations get grids.
    if (fs::is_directory(f.current) && fs::exists(fs::path(f.current) / "report.json")) {
        const auto planned = libgrid::read_plan_report(f.current);
        if (planned.kind == "plan") // an evaluation's or replan's deviation is no promise to keep
            for (const auto& st : planned.stations)
                ropt.accepted_deviation.emplace_back(st.station_id, st.measures.max_abs_deviation);
        if (!(ropt.partition.target_load > 0)) ropt.partition.target_load = planned.options.partition.target_load;
    }
    auto loaded = load(f, "replan", true, progress, times);
    if (!loaded) return exit_data_errors;
    auto& l = *loaded;

    const auto result = libgrid::replan(l.territory, l.graph, l.grid_of, ropt);
    times.lap("replan");
    const std::size_t threads = f.partition.threads;
    auto before_shapes = libgrid::dissolve(l.areas.shapes, result.before.grid_of, result.before.num_grids(), threads);
    auto shapes = libgrid::dissolve(l.areas.shapes, result.plan.grid_of, result.plan.num_grids(), threads);
    // What is wrong with the grids in force may stay; a problem the re-plan adds is a bug.
    const auto before_problems = verify(l, result.before, before_shapes, f.partition.nest_level);
    const auto problems = verify(l, result.plan, shapes, f.partition.nest_level);
    // Messages name transformers, which moves change, so problems are counted, not matched.
    if (problems.size() > before_problems.size()) {
        std::fflush(stdout);
        fmt::print(stderr, "grid-partition: internal error: the re-plan has {} verifier problems, the grids in force {}; "
                           "nothing was written; please report this\n",
                   problems.size(), before_problems.size());
        for (const auto& p : problems) fmt::print(stderr, "  - {}\n", p);
        return exit_bug;
    }
    const auto before_metrics = libgrid::compute_metrics(l.territory, l.graph, result.before, before_shapes);
    const auto metrics = libgrid::compute_metrics(l.territory, l.graph, result.plan, shapes);
    times.lap("verify and measure");

    auto report = libgrid::make_plan_report(l.territory, l.report, result.plan, metrics);
    report.kind = "replan";
    report.options = {f.partition, false, f.skip_invalid, f.formats};
    report.findings = libgrid::find_weak_grids(l.territory, l.graph, result.plan, report);
    report.verification = problems.empty() ? "passed" : "failed";
    report.verification_problems = problems;
    report.replan = libgrid::make_replan_report(l.territory, result, before_metrics, l.grid_managers, f.current, ropt);
    report.timings_s = times.stages;
    const auto rp = *report.replan;
    const auto missed = libgrid::tolerance_misses(report).size();
    std::size_t missed_before = 0;
    for (const auto& [id, met] : rp.before_met) missed_before += !met;
    write_and_print(f, l, result.plan, std::move(shapes), std::move(report), wopt);
    fmt::print("changes:\n  moved          {} transformer areas, {} of {} {} ({:.2f}%; budget {:.2f}%); {} new transformers "
               "joined a grid; {} new grids\n",
               rp.moved_transformers, with_commas(rp.moved), with_commas(rp.total), rp.measure,
               rp.total > 0 ? 100.0 * rp.moved / rp.total : 0.0, 100.0 * rp.max_moved, rp.new_transformers,
               rp.new_grids);
    fmt::print("  balance        max deviation {:.2f}% before, {:.2f}% after; stations outside the tolerance {} before, {} "
               "after\n",
               100.0 * rp.before.max_abs_deviation, 100.0 * metrics.overall.max_abs_deviation, missed_before, missed);
    for (const auto& m : rp.managers)
        fmt::print("  {:<14} +{} / -{} transformer areas, +{} / -{} customers\n",
                   m.manager_id.empty() ? std::string("(no manager)") : m.manager_id, m.gained, m.lost,
                   with_commas(m.customers_gained), with_commas(m.customers_lost));
    fmt::print("result: {} grids re-planned (ids kept); {} transformer areas moved (see changes.csv){}\n",
               result.plan.num_grids(), rp.moved_transformers,
               missed ? fmt::format("; WARNING: {} stations still outside the balance tolerance (named above)", missed)
                      : std::string());
    if (f.maps) return render_plan_maps(f.out, f.quiet);
    return exit_ok;
}

void add_common_flags(CLI::App& app, CurrentFlags& f)
{
    auto& o = f.partition;
    const char* g = "Current grids";
    app.add_option("--grid-id-field", f.grid_id_field, "Grid id field of the layer or table")
        ->capture_default_str()->group(g);
    app.add_option("--transformer-field", f.transformer_field, "Transformer id field of the table")
        ->capture_default_str()->group(g);
    app.add_option("--balance-tolerance", o.balance_tolerance, "Balance requirement: every grid within this of its target")
        ->capture_default_str()->check(CLI::NonNegativeNumber)->group(g);
    app.add_option("--nest-level", o.nest_level, "Grids should stay inside the units of this admin level")->group(g);
    add_workload_flags(app, o, f.class_weights);
    const char* out = "Outputs";
    app.add_option("--out", f.out, "Plan folder to write")->required()->group(out);
    app.add_option("--formats", f.formats, "Map formats: gpkg, shp, geojson")
        ->delimiter(',')->check(CLI::IsMember({"gpkg", "shp", "geojson"}))->capture_default_str()->group(out);
    app.add_flag("--skip-invalid", f.skip_invalid, "Use the valid transformers and list the others")->group(out);
    app.add_option("--max-issues", f.max_issues, "Issues printed per kind (all go to the report)")
        ->capture_default_str()->group(out);
    app.add_flag("--maps", f.maps,
                 "Also draw the grid maps into OUT/maps (as grid-partition render; a re-plan adds a sheet per station "
                 "of the areas it moved)")
        ->group(out);
    app.add_flag("--quiet,-q", f.quiet, "No progress on stderr")->group(out);
}

} // namespace

void register_evaluate(CLI::App& root, std::function<int()>& action)
{
    auto flags = std::make_shared<CurrentFlags>();
    CLI::App* app = root.add_subcommand(
        "evaluate", "Score the grids a utility already has with every measure and bound of a plan, list the weakest "
                    "grids with why, and write them as a plan folder");
    add_input_flags(*app, flags->in);
    auto* layer = app->add_option("--grids-layer", flags->grids_layer,
                                  "Polygons of the current grids (FILE[:LAYER]); transformers go to the grid holding them")
                      ->group("Current grids");
    auto* table = app->add_option("--assignments", flags->assignments,
                                  "Table transformer -> grid (CSV or any OGR table, e.g. a plan's assignments.csv)")
                      ->group("Current grids");
    layer->excludes(table);
    add_common_flags(*app, *flags);
    app->callback([flags, &action] {
        if (flags->grids_layer.empty() && flags->assignments.empty())
            throw CLI::ValidationError("evaluate: give the current grids: --grids-layer FILE[:LAYER] or --assignments FILE");
        action = [flags] { return run_evaluate(*flags); };
    });
}

void register_replan(CLI::App& root, std::function<int()>& action)
{
    auto flags = std::make_shared<CurrentFlags>();
    CLI::App* app = root.add_subcommand(
        "replan", "Bring the grids in force back within the balance tolerance, moving at most a budget of customers "
                  "(border transformer areas only; grid ids kept), and say what changed for whom");
    add_input_flags(*app, flags->in);
    const char* g = "Current grids";
    app->add_option("--current", flags->current,
                    "Grids in force: a plan folder, a transformer -> grid table (.csv) or grid polygons (FILE[:LAYER])")
        ->required()->group(g);
    app->add_option("--max-moved", flags->max_moved, "Hard budget: share of customers (or transformers) that may move")
        ->capture_default_str()->group(g);
    app->add_option("--target-load", flags->partition.target_load,
                    "Grids per station = round(load / N): a grown station gets new grids (default: the plan's)")
        ->check(CLI::PositiveNumber)->group(g);
    app->add_option("--changes", flags->changes,
                    "What changed since the grids were made (FILE[:LAYER], CSV or any OGR layer): rows new (a "
                    "transformer to add, with the transformers layer's fields), removed or customers (a new count), "
                    "in field --change-field, applied to --transformers")
        ->group(g);
    app->add_option("--change-field", flags->change_field, "Field of --changes saying new, removed or customers")
        ->capture_default_str()->group(g);
    app->add_option("--moved-measure", flags->measure, "What the budget counts")
        ->check(CLI::IsMember({"customers", "transformers"}))->capture_default_str()->group(g);
    add_common_flags(*app, *flags);
    app->callback([flags, &action] {
        parse_share(flags->max_moved);
        action = [flags] { return run_replan(*flags); };
    });
}

} // namespace gp
