// read_plan_folder(): a plan folder back into a PlanFolder (see libgrid/plan_folder.hpp).
#include "folder/report.hpp"

#include <libgrid/error.hpp>
#include <libgrid/metrics.hpp>
#include <libgrid/plan_folder.hpp>
#include <libgrid/validate.hpp>

#include <fmt/format.h>

#include <filesystem>
#include <cstdlib>
#include <fstream>
#include <map>
#include <unordered_map>

namespace libgrid {
namespace {

namespace fs = std::filesystem;

Error not_a_plan(const fs::path& dir, const std::string& why)
{
    return Error(ErrorCode::invalid_input, fmt::format("'{}' is not a usable plan folder: {} (give the --out "
                                                       "folder of a grid-partition plan run)",
                                                       dir.string(), why));
}

std::string read_text(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(ErrorCode::io_open, fmt::format("cannot open '{}'", path.string()));
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// Column index of `name` in a layer read back; throws naming the layer when it is missing.
std::size_t column(const FeatureTable& t, const char* name, const fs::path& dir, bool required = true)
{
    for (std::size_t j = 0; j < t.fields.size(); ++j)
        if (t.fields[j].name == name) return j;
    if (!required) return npos;
    throw not_a_plan(dir, fmt::format("its layer '{}' has no column '{}'", t.name, name));
}

std::string text(const std::vector<FieldValue>& row, std::size_t c)
{
    return c < row.size() && std::holds_alternative<std::string>(row[c]) ? std::get<std::string>(row[c]) : std::string();
}

} // namespace

PlanReport read_plan_report(const std::string& dir)
{
    const fs::path path = fs::path(dir) / "report.json";
    try {
        return plan_report_from_json(read_text(path));
    } catch (const Error& e) {
        if (e.code() != ErrorCode::invalid_input) throw;
        throw Error(ErrorCode::invalid_input, fmt::format("'{}': {}", path.string(), e.what()));
    }
}

PlanFolder read_plan_folder(const std::string& dir_text, const PlanFolderReadOptions& options)
{
    const fs::path dir(dir_text);
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) throw not_a_plan(dir, "no such folder");
    for (const char* name : {"grids.gpkg", "report.json"})
        if (!fs::exists(dir / name, ec)) throw not_a_plan(dir, fmt::format("it has no {}", name));
    PlanFolder f;
    try {
        f.report = plan_report_from_json(read_text(dir / "report.json"));
    } catch (const Error& e) {
        throw not_a_plan(dir, e.what());
    }
    const std::string gpkg = (dir / "grids.gpkg").string();
    std::string crs_wkt;
    // The service areas are read once, below, through read_inputs (the transformers layer has
    // the same columns in the same order).
    auto tables = read_tables(gpkg, {"grids", "transformers"}, crs_wkt);
    const auto& grids = tables[0];
    const auto& points = tables[1];
    const bool has_current = column(points, "current_manager", dir, false) != npos;

    // The transformers with their service areas as given polygons, in the working CRS of the
    // one rule every reader follows; boundaries and roads when asked.
    ReadOptions ro;
    ro.transformers = {gpkg, "service_areas", "", ""};
    ro.fields.id = "transformer_id";
    ro.fields.customers = "customers";
    ro.fields.station = "station_id";
    ro.fields.branch = "branch_id";
    ro.fields.manager = has_current ? "current_manager" : "";
    ro.fields.unit_id = options.unit_id_field;
    ro.fields.unit_name = options.unit_name_field;
    ro.boundaries = options.boundaries;
    ro.roads = options.roads;
    ro.assume_crs = crs_wkt.empty() ? "local" : ""; // a plan of a local frame stays in it
    ro.progress = options.progress;
    auto [territory, report] = read_inputs(ro);
    report.merge(validate(territory, {}));
    if (!report.ok()) {
        for (const auto& i : report.issues)
            if (i.severity == Severity::error)
                throw not_a_plan(dir, fmt::format("its layers do not read back: {}", format_issue(i)));
    }
    const std::size_t n = territory.transformers.size();

    // Grids in the grids layer's order (the plan's own), with the manager in force.
    const std::size_t c_grid = column(grids, "grid_id", dir), c_manager = column(grids, "manager_id", dir);
    auto& plan = f.plan;
    std::unordered_map<std::string, std::size_t> grid_index;
    bool any_manager = false;
    for (const auto& row : grids.rows) {
        const std::string id = text(row, c_grid);
        if (!grid_index.emplace(id, plan.grid_id.size()).second)
            throw not_a_plan(dir, fmt::format("grid '{}' is twice in the grids layer", id));
        plan.grid_id.push_back(id);
        f.grid_manager.push_back(text(row, c_manager));
        any_manager = any_manager || !f.grid_manager.back().empty();
    }
    if (!any_manager) f.grid_manager.clear();
    const std::size_t k = plan.num_grids();
    plan.grid_station.assign(k, npos);
    plan.grid_nest_unit.assign(k, npos);
    plan.grid_load.assign(k, 0.0);
    plan.grid_relaxed.assign(k, 0);

    // Stations: the report's (with their tolerance, target and bound), else by id.
    std::map<std::string, std::size_t> station_index;
    for (const auto& s : f.report.stations) {
        station_index.emplace(s.station_id, plan.stations.size());
        StationPlan sp;
        sp.station_id = s.station_id;
        sp.target = s.target;
        sp.lower_bound = s.lower_bound;
        sp.bound_reason = s.bound_reason;
        sp.max_deviation = s.measures.max_abs_deviation;
        sp.tolerance = s.tolerance;
        sp.target_met = s.target_met;
        sp.notes = s.notes;
        plan.stations.push_back(std::move(sp));
    }
    if (plan.stations.empty()) {
        for (const auto& t : territory.transformers) station_index.emplace(t.station_id, 0);
        for (auto& [id, index] : station_index) {
            index = plan.stations.size();
            plan.stations.emplace_back();
            plan.stations.back().station_id = id;
        }
    }
    plan.max_load = f.report.options.partition.max_load;

    // Each transformer's grid, load and point from the transformers layer (same order as the
    // service areas); the point moved into the working CRS.
    const std::size_t c_tx = column(points, "transformer_id", dir), c_tx_grid = column(points, "grid_id", dir),
                      c_load = column(points, "load", dir), c_fid = column(points, "input_fid", dir, false);
    if (points.rows.size() != n)
        throw not_a_plan(dir, fmt::format("its transformers layer has {} rows, its service_areas layer {}",
                                          points.rows.size(), n));
    auto locations = points.points;
    transform_points(locations, crs_wkt, territory.work_crs_wkt);
    plan.grid_of.resize(n);
    plan.load.resize(n);
    std::vector<std::size_t> tx_station(n, 0);
    for (std::size_t i = 0; i < n; ++i) {
        auto& t = territory.transformers[i];
        const auto& row = points.rows[i];
        if (text(row, c_tx) != t.id)
            throw not_a_plan(dir, fmt::format("row {} of the transformers layer is '{}', of the service_areas layer "
                                              "'{}' (the layers must list the transformers in one order)",
                                              i + 1, text(row, c_tx), t.id));
        const std::string grid = text(row, c_tx_grid);
        const auto g_it = grid_index.find(grid);
        if (g_it == grid_index.end())
            throw not_a_plan(dir, fmt::format("grid '{}' of transformer '{}' is not in the grids layer", grid, t.id));
        if (!std::holds_alternative<double>(row[c_load]))
            throw not_a_plan(dir, fmt::format("transformer '{}' has no load in the transformers layer", t.id));
        const auto s_it = station_index.find(t.station_id);
        if (s_it == station_index.end())
            throw not_a_plan(dir, fmt::format("station '{}' of transformer '{}' is not in report.json", t.station_id, t.id));
        const std::size_t g = g_it->second, s = s_it->second;
        // An evaluation's or re-plan's grids are the utility's and may span stations (a finding):
        // each belongs to the station report.json gives it, set below.
        if (plan.grid_station[g] != npos && plan.grid_station[g] != s && f.report.kind == "plan")
            throw not_a_plan(dir, fmt::format("grid '{}' holds transformers of two stations", grid));
        if (plan.grid_station[g] == npos) plan.grid_station[g] = s;
        tx_station[i] = s;
        const double load = std::get<double>(row[c_load]);
        if (std::isfinite(locations[i].x)) t.location = locations[i];
        // Folders written before input_fid keep their transformers first, in layer order, in
        // assignments.csv, then the rejected ones.
        t.source_fid = c_fid != npos && std::holds_alternative<std::int64_t>(row[c_fid]) ? std::get<std::int64_t>(row[c_fid])
                                                                                          : -1;
        plan.grid_of[i] = static_cast<std::uint32_t>(g);
        plan.load[i] = load;
        plan.grid_load[g] += load;
    }
    for (std::size_t g = 0; g < k; ++g)
        if (plan.grid_station[g] == npos)
            throw not_a_plan(dir, fmt::format("grid '{}' of the grids layer holds no transformer", plan.grid_id[g]));

    // The report's grids must be these grids, in this order; their targets and relaxations
    // come from there.
    if (f.report.grids.size() != k)
        throw not_a_plan(dir, fmt::format("report.json lists {} grids, grids.gpkg {}", f.report.grids.size(), k));
    plan.grid_target.resize(k);
    for (std::size_t g = 0; g < k; ++g) {
        const auto& rg = f.report.grids[g];
        if (rg.grid_id != plan.grid_id[g])
            throw not_a_plan(dir, fmt::format("grid {} is '{}' in report.json and '{}' in grids.gpkg", g + 1,
                                              rg.grid_id, plan.grid_id[g]));
        plan.grid_target[g] = rg.target > 0 ? rg.target : plan.grid_load[g];
        if (const auto it = station_index.find(rg.station_id);
            f.report.kind != "plan" && it != station_index.end())
            plan.grid_station[g] = it->second;
        for (const auto& what : rg.relaxed)
            plan.grid_relaxed[g] = static_cast<std::uint8_t>(
                plan.grid_relaxed[g] | (what == "cap" ? relax_cap : what == "contiguity" ? relax_contiguity : 0));
    }
    // Station figures: grids by their station, load and transformers by each transformer's.
    for (std::size_t g = 0; g < k; ++g) ++plan.stations[plan.grid_station[g]].grids;
    for (std::size_t i = 0; i < n; ++i) {
        ++plan.stations[tx_station[i]].transformers;
        plan.stations[tx_station[i]].load += plan.load[i];
    }
    if (!territory.levels.empty()) {
        auto communities = folder::grid_communities(territory, plan);
        for (std::size_t g = 0; g < k; ++g) f.report.grids[g].communities = std::move(communities[g]);
    }

    // A report.json written before it listed the rejected transformers: they are in rejected.csv.
    if (f.report.rejected.size() < f.report.inputs.rejected && fs::exists(dir / "rejected.csv", ec)) {
        std::string ignored;
        const auto rejected = read_tables((dir / "rejected.csv").string(), {"rejected"}, ignored).front();
        const auto c_file = column(rejected, "file", dir), c_layer = column(rejected, "layer", dir),
                   c_rfid = column(rejected, "fid", dir), c_rid = column(rejected, "transformer_id", dir),
                   c_code = column(rejected, "code", dir), c_reason = column(rejected, "reason", dir);
        f.report.rejected.clear();
        for (const auto& row : rejected.rows) {
            Rejected r{text(row, c_file), text(row, c_layer), -1, text(row, c_rid), IssueCode::id_missing,
                       text(row, c_reason)};
            r.fid = std::strtoll(text(row, c_rfid).c_str(), nullptr, 10);
            issue_code_from_name(text(row, c_code), r.code);
            f.report.rejected.push_back(std::move(r));
        }
    }

    f.areas.reserve(n);
    for (const auto& t : territory.transformers) f.areas.push_back(t.shape);
    f.grid_shapes = dissolve(f.areas, plan.grid_of, k);
    f.territory = std::move(territory);
    return f;
}

} // namespace libgrid
