// grid-partition assign: managers for the grids of an existing plan folder. Reads the folder
// (grids.gpkg layers grids, transformers, service_areas and assignments.csv), rebuilds the
// adjacency of the service areas, assigns and verifies, and writes a complete new plan folder
// with the manager columns, managers.csv and contacts.csv. Never writes into the plan folder.
#include "commands.hpp"
#include "common.hpp"
#include "managers.hpp"

#include <libgrid/error.hpp>
#include <libgrid/graph.hpp>
#include <libgrid/io.hpp>
#include <libgrid/locate.hpp>
#include <libgrid/service_areas.hpp>
#include <libgrid/validate.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <unordered_map>

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

std::string read_text(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw libgrid::Error(libgrid::ErrorCode::io_open, fmt::format("assign: cannot open '{}'", path.string()));
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

libgrid::Error not_a_plan(const fs::path& dir, const std::string& why)
{
    return libgrid::Error(libgrid::ErrorCode::invalid_input,
                          fmt::format("assign: '{}' is not a usable plan folder: {} (give the --out folder of a "
                                      "grid-partition plan run)",
                                      dir.string(), why));
}

int run_assign(AssignFlags& f)
{
    ProgressPrinter progress(f.quiet);
    const fs::path in_dir(f.plan_dir), out_dir(f.out);
    std::error_code ec;
    if (!fs::is_directory(in_dir, ec)) throw not_a_plan(in_dir, "no such folder");
    for (const char* name : {"grids.gpkg", "assignments.csv"})
        if (!fs::exists(in_dir / name, ec)) throw not_a_plan(in_dir, fmt::format("it has no {}", name));
    if (fs::exists(out_dir, ec) && fs::equivalent(in_dir, out_dir, ec))
        throw libgrid::Error(libgrid::ErrorCode::io_write,
                             fmt::format("assign: refusing to write into the plan folder '{}' (fix: give another --out "
                                         "folder; outputs never replace inputs)",
                                         in_dir.string()));
    std::vector<std::string> protect;
    for (const auto& entry : fs::directory_iterator(in_dir)) protect.push_back(entry.path().string());
    if (!f.managers.managers.empty()) protect.push_back(parse_source(f.managers.managers).path);
    std::vector<libgrid::Format> formats;
    for (const auto& name : f.formats) formats.push_back(parse_output_format(name));

    // The stored layers, to be written again with the manager columns.
    std::string crs_wkt;
    auto tables = libgrid::read_tables((in_dir / "grids.gpkg").string(), {"grids", "transformers", "service_areas"},
                                       crs_wkt);
    bool has_current = false;
    for (const auto& fd : tables[2].fields) has_current = has_current || fd.name == "current_manager";

    // A territory whose transformer areas are the stored service areas (metric working CRS).
    libgrid::ReadOptions ro;
    ro.transformers = {(in_dir / "grids.gpkg").string(), "service_areas", "", ""};
    ro.fields.id = "transformer_id";
    ro.fields.customers = "customers";
    ro.fields.station = "station_id";
    if (has_current) ro.fields.manager = "current_manager";
    for (const auto& b : f.boundaries) {
        ro.boundaries.push_back(parse_source(b));
        protect.push_back(ro.boundaries.back().path);
    }
    for (const auto& r : f.roads) {
        ro.roads.push_back(parse_source(r));
        protect.push_back(ro.roads.back().path);
    }
    ro.fields.unit_id = f.unit_id_field;
    ro.fields.unit_name = f.unit_name_field;
    ro.progress = progress.callback();
    auto [territory, report] = libgrid::read_inputs(ro);
    report.merge(libgrid::validate(territory, {}));
    if (!report.ok()) {
        fmt::print("grid-partition assign\n");
        print_issues(report, f.max_issues);
        throw not_a_plan(in_dir, "its service_areas layer does not read back (see the issues above)");
    }
    const auto areas = libgrid::build_service_areas(territory, report, {});
    const auto graph = libgrid::build_adjacency(territory, areas, report, {});

    // The plan as written: grids in the order of the grids layer (the plan's own order),
    // each transformer's grid, load and point from the transformers layer (the areas' centres
    // would price travel differently from `plan`).
    auto field_index = [&](const libgrid::FeatureTable& t, const char* name) {
        for (std::size_t j = 0; j < t.fields.size(); ++j)
            if (t.fields[j].name == name) return j;
        throw not_a_plan(in_dir, fmt::format("grids.gpkg layer '{}' has no column '{}'", t.name, name));
    };
    auto text = [](const libgrid::FieldValue& v) {
        return std::holds_alternative<std::string>(v) ? std::get<std::string>(v) : std::string();
    };
    const auto& grid_rows = tables[0];
    const std::size_t c_grid = field_index(grid_rows, "grid_id"), c_manager = field_index(grid_rows, "manager_id");
    libgrid::Plan plan;
    std::map<std::string, std::size_t> station_index, grid_index;
    for (const auto& t : territory.transformers) station_index.emplace(t.station_id, 0);
    for (auto& [station, index] : station_index) {
        index = plan.stations.size();
        libgrid::StationPlan sp;
        sp.station_id = station;
        plan.stations.push_back(sp);
    }
    std::vector<std::string> in_force;
    for (const auto& row : grid_rows.rows) {
        grid_index[text(row[c_grid])] = plan.grid_id.size();
        plan.grid_id.push_back(text(row[c_grid]));
        plan.grid_station.push_back(libgrid::npos);
        plan.grid_nest_unit.push_back(libgrid::npos);
        plan.grid_load.push_back(0.0);
        in_force.push_back(text(row[c_manager]));
    }
    const auto& points = tables[1];
    const std::size_t c_tx = field_index(points, "transformer_id"), c_tx_grid = field_index(points, "grid_id"),
                      c_load = field_index(points, "load");
    std::unordered_map<std::string, std::size_t> point_of;
    for (std::size_t r = 0; r < points.rows.size(); ++r) point_of.emplace(text(points.rows[r][c_tx]), r);
    auto locations = points.points;
    libgrid::transform_points(locations, crs_wkt, territory.work_crs_wkt);
    for (auto& t : territory.transformers) {
        auto pt = point_of.find(t.id);
        if (pt == point_of.end())
            throw not_a_plan(in_dir,
                             fmt::format("transformer '{}' of the service_areas layer is not in the transformers layer", t.id));
        const auto& row = points.rows[pt->second];
        const std::string grid = text(row[c_tx_grid]);
        auto g_it = grid_index.find(grid);
        if (g_it == grid_index.end())
            throw not_a_plan(in_dir, fmt::format("grid '{}' of transformer '{}' is not in the grids layer", grid, t.id));
        if (!std::holds_alternative<double>(row[c_load]))
            throw not_a_plan(in_dir, fmt::format("transformer '{}' has no load in the transformers layer", t.id));
        const std::size_t g = g_it->second, s = station_index.at(t.station_id);
        if (plan.grid_station[g] != libgrid::npos && plan.grid_station[g] != s)
            throw not_a_plan(in_dir, fmt::format("grid '{}' holds transformers of two stations", grid));
        plan.grid_station[g] = s;
        const double load = std::get<double>(row[c_load]);
        if (std::isfinite(locations[pt->second].x)) t.location = locations[pt->second];
        plan.grid_of.push_back(static_cast<std::uint32_t>(g));
        plan.load.push_back(load);
        plan.grid_load[g] += load;
        auto& sp = plan.stations[s];
        sp.load += load;
        ++sp.transformers;
    }
    for (std::size_t g = 0; g < plan.num_grids(); ++g)
        if (plan.grid_station[g] == libgrid::npos)
            throw not_a_plan(in_dir, fmt::format("grid '{}' of the grids layer holds no transformer", plan.grid_id[g]));
    f.managers.options.in_force = in_force;
    for (std::size_t g = 0; g < plan.num_grids(); ++g) ++plan.stations[plan.grid_station[g]].grids;
    plan.grid_target = plan.grid_load;

    int code = exit_ok;
    fmt::print("grid-partition assign\n  plan           {}: {} grids, {} transformers, {} stations\n", in_dir.string(),
               plan.num_grids(), territory.transformers.size(), plan.stations.size());
    const auto a = run_assignment(f.managers, territory, graph.graph, plan, f.encoding, progress.callback(),
                                  f.max_issues, code);
    if (!a) return code;

    const StagingFolder staging(out_dir, "assign");
    add_manager_fields(tables[0], plan, *a);
    std::vector<std::string> written;
    for (const auto format : formats) {
        use_short_names(tables, format == libgrid::Format::shp);
        for (const auto& p : libgrid::write_tables(staging.path().string(), "grids", format, tables, crs_wkt, crs_wkt,
                                                   protect)) {
            const auto ext = fs::path(p).extension();
            if (ext == ".gpkg" || ext == ".shp" || ext == ".geojson") written.push_back(fs::path(p).filename().string());
        }
    }
    libgrid::write_text_file((staging.path() / "assignments.csv").string(),
                             add_manager_columns(read_text(in_dir / "assignments.csv"), plan, *a), protect);
    libgrid::write_text_file((staging.path() / "managers.csv").string(), managers_csv(*a), protect);
    libgrid::write_text_file((staging.path() / "contacts.csv").string(), contacts_csv(territory, plan, *a), protect);
    if (fs::exists(in_dir / "rejected.csv", ec))
        libgrid::write_text_file((staging.path() / "rejected.csv").string(), read_text(in_dir / "rejected.csv"), protect);
    const std::string report_text =
        fs::exists(in_dir / "report.json", ec) ? read_text(in_dir / "report.json") : std::string("{\n}\n");
    libgrid::write_text_file((staging.path() / "report.json").string(),
                             add_managers_json(report_text, plan, *a, f.managers), protect);
    written.insert(written.end(), {"assignments.csv", "managers.csv", "contacts.csv", "report.json"});
    move_into_place(staging, out_dir, protect, "assign");

    print_managers_summary(plan, *a);
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
