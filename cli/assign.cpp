// grid-partition assign: managers for the grids of an existing plan folder. Reads the folder
// (libgrid::read_plan_folder), rebuilds the adjacency of the service areas, assigns and
// verifies, and writes a complete new plan folder with the manager columns, managers.csv and
// contacts.csv (libgrid::write_plan_folder). Never writes into the plan folder.
#include "commands.hpp"
#include "common.hpp"
#include "managers.hpp"

#include <libgrid/error.hpp>
#include <libgrid/graph.hpp>
#include <libgrid/io.hpp>
#include <libgrid/plan_folder.hpp>
#include <libgrid/service_areas.hpp>

#include <fmt/format.h>

#include <filesystem>
#include <memory>

namespace gp {
namespace {

namespace fs = std::filesystem;

struct AssignFlags {
    std::string plan_dir;
    std::string out;
    ManagerFlags managers;
    std::vector<std::string> formats{"gpkg"};
    std::string encoding;
    std::vector<std::string> boundaries; // for the communities of contacts.csv
    std::vector<std::string> roads;      // travel along roads
    std::string unit_id_field = "id", unit_name_field = "name";
    std::size_t max_issues = 20;
    bool quiet = false;
};

int run_assign(AssignFlags& f)
{
    ProgressPrinter progress(f.quiet);
    const fs::path in_dir(f.plan_dir), out_dir(f.out);
    std::error_code ec;
    if (fs::exists(out_dir, ec) && fs::exists(in_dir, ec) && fs::equivalent(in_dir, out_dir, ec))
        throw libgrid::Error(libgrid::ErrorCode::io_write,
                             fmt::format("assign: refusing to write into the plan folder '{}' (fix: give another --out "
                                         "folder; outputs never replace inputs)",
                                         in_dir.string()));
    libgrid::PlanFolderWriteOptions wopt;
    wopt.command = "assign";
    if (fs::is_directory(in_dir, ec))
        for (const auto& entry : fs::directory_iterator(in_dir)) wopt.protect.push_back(entry.path().string());
    if (!f.managers.managers.empty()) wopt.protect.push_back(parse_source(f.managers.managers).path);
    wopt.formats.clear();
    for (const auto& name : f.formats) wopt.formats.push_back(parse_output_format(name));

    // The plan as written, with the boundaries (communities of contacts.csv) and roads asked.
    libgrid::PlanFolderReadOptions ro;
    for (const auto& b : f.boundaries) ro.boundaries.push_back(parse_source(b));
    for (const auto& r : f.roads) ro.roads.push_back(parse_source(r));
    for (const auto* list : {&ro.boundaries, &ro.roads})
        for (const auto& src : *list) wopt.protect.push_back(src.path);
    ro.unit_id_field = f.unit_id_field;
    ro.unit_name_field = f.unit_name_field;
    ro.progress = progress.callback();
    libgrid::check_plan_folder_target(f.out, wopt);
    auto folder = libgrid::read_plan_folder(f.plan_dir, ro);
    const auto& plan = folder.plan;
    libgrid::ValidationReport report;
    const auto areas = libgrid::build_service_areas(folder.territory, report, {});
    const auto graph = libgrid::build_adjacency(folder.territory, areas, report, {});

    fmt::print("grid-partition assign\n  plan           {}: {} grids, {} transformers, {} stations\n", in_dir.string(),
               plan.num_grids(), folder.territory.transformers.size(), plan.stations.size());
    // The managers of the plan folder are the assignment in force.
    f.managers.options.in_force = folder.grid_manager;
    int code = exit_ok;
    const auto a = run_assignment(f.managers, folder.territory, graph.graph, plan, f.encoding, progress.callback(),
                                  f.max_issues, code);
    if (!a) return code;

    attach_managers(folder, *a, f.managers);
    folder.report.options.formats = f.formats;
    const auto written = libgrid::write_plan_folder(f.out, folder, wopt);

    fmt::print("managers:\n{}", libgrid::managers_summary_text(*folder.report.managers));
    fmt::print("outputs:\n");
    for (const auto& name : written) fmt::print("  {}\n", (out_dir / name).string());
    fmt::print("result: {} grids assigned to {} managers\n", plan.num_grids(), a->overall.managers_used);
    return exit_ok;
}

} // namespace

void register_assign(CLI::App& root, std::function<int()>& action)
{
    auto flags = std::make_shared<AssignFlags>();
    CLI::App* app = root.add_subcommand(
        "assign", "Assign grid managers to the grids of an existing plan folder and write a new, complete plan "
                  "folder with managers.csv, contacts.csv and the manager columns");
    app->add_option("--plan", flags->plan_dir, "Folder written by grid-partition plan")->required()->group("Inputs");
    add_manager_flags(*app, flags->managers);
    app->add_option("--roads", flags->roads, "Road lines: travel is measured along them (repeatable)");
    app->add_option("--boundaries", flags->boundaries,
                    "Admin boundaries (as given to plan) for the communities listed in contacts.csv (repeatable)")
        ->group("Inputs");
    app->add_option("--unit-id-field", flags->unit_id_field, "Admin unit id field")->capture_default_str()->group("Inputs");
    app->add_option("--unit-name-field", flags->unit_name_field, "Admin unit name field")
        ->capture_default_str()
        ->group("Inputs");
    app->add_option("--encoding", flags->encoding, "Roster .dbf encoding, e.g. GBK (default: from .cpg)")
        ->group("Inputs");
    app->add_flag("--allow-infeasible", flags->managers.options.allow_infeasible,
                  "When the roster cannot carry the plan, assign anyway and list each manager over capacity and by "
                  "how much")
        ->group("Managers");
    app->add_option("--out", flags->out, "New plan folder (never the --plan folder)")->required()->group("Outputs");
    app->add_option("--formats", flags->formats, "Map formats: gpkg, shp, geojson")
        ->delimiter(',')
        ->check(CLI::IsMember({"gpkg", "shp", "geojson"}))
        ->capture_default_str()
        ->group("Outputs");
    app->add_option("--max-issues", flags->max_issues, "Issues printed per kind")->capture_default_str()->group("Outputs");
    app->add_flag("--quiet,-q", flags->quiet, "No progress on stderr")->group("Outputs");
    app->callback([flags, &action] {
        if (!flags->managers.requested())
            throw CLI::ValidationError("assign: give the roster with --managers FILE, or --manager-capacity N for "
                                       "numbered manager slots");
        action = [flags] { return run_assign(*flags); };
    });
}

} // namespace gp
