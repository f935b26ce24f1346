#include "managers.hpp"

#include "common.hpp"

#include <libgrid/error.hpp>
#include <libgrid/verify.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace gp {

void add_manager_flags(CLI::App& app, ManagerFlags& f)
{
    const char* g = "Managers";
    auto* roster = app.add_option("--managers", f.managers,
                                  "Roster of grid managers (any OGR table or point layer, FILE or FILE:LAYER): id, "
                                  "name, phone, station_id, capacity, optional max_grids and base point or x/y")
                       ->group(g);
    auto* slots = app.add_option("--manager-capacity", f.capacity,
                                 "No roster: numbered manager slots of this capacity (load), as many per station "
                                 "as its grids need")
                      ->check(CLI::PositiveNumber)
                      ->group(g);
    roster->excludes(slots);
    auto& fm = f.fields;
    app.add_option("--manager-id-field", fm.id, "Roster: manager id field")->capture_default_str()->group(g);
    app.add_option("--manager-name-field", fm.name, "Roster: name field")->capture_default_str()->group(g);
    app.add_option("--manager-phone-field", fm.phone, "Roster: phone field")->capture_default_str()->group(g);
    app.add_option("--manager-station-field", fm.station, "Roster: station id field")->capture_default_str()->group(g);
    app.add_option("--manager-capacity-field", fm.capacity, "Roster: capacity (max load) field")
        ->capture_default_str()
        ->group(g);
    app.add_option("--manager-max-grids-field", fm.max_grids, "Roster: max grids field (optional)")
        ->capture_default_str()
        ->group(g);
    app.add_option("--manager-x-field", fm.base_x, "Roster: base x / longitude column (when no point geometry)")
        ->capture_default_str()
        ->group(g);
    app.add_option("--manager-y-field", fm.base_y, "Roster: base y / latitude column")->capture_default_str()->group(g);
    app.add_option("--managers-crs", f.crs,
                   "CRS of the roster's base coordinates when it has none (default: lon/lat when they look like it)")
        ->group(g);
    app.add_flag("--fresh", f.fresh,
                 "Assign every grid afresh, ignoring the managers in force (by default a grid keeps the manager "
                 "the plan folder, or most of its customers' current manager field, names, unless that manager "
                 "left the roster or capacities force a move)")
        ->group(g);
    app.add_option("--continuity-km", f.options.continuity_km,
                   "Price (km of travel) of a grid whose customers all change manager")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber)
        ->group(g);
    app.add_option("--adjacency-km", f.options.adjacency_km,
                   "Price (km) of each group of a manager's grids beyond the first")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber)
        ->group(g);
}

std::optional<libgrid::Assignment> run_assignment(const ManagerFlags& f, const libgrid::Territory& territory,
                                                  const libgrid::CsrGraph& graph, const libgrid::Plan& plan,
                                                  const std::string& encoding, const libgrid::ProgressFn& progress,
                                                  std::size_t max_issues, int& exit_code)
{
    std::vector<libgrid::Manager> roster;
    if (!f.managers.empty()) {
        libgrid::ManagerReadOptions ro;
        ro.source = parse_source(f.managers);
        ro.fields = f.fields;
        ro.assume_crs = f.crs;
        ro.encoding = encoding;
        ro.work_crs_wkt = territory.work_crs_wkt;
        auto [read, report] = libgrid::read_managers(ro);
        report.merge(libgrid::check_roster(territory, plan, read, f.options.allow_infeasible));
        if (!report.ok()) {
            std::fflush(stdout);
            fmt::print("managers: the roster '{}' cannot hold this plan ({} errors); nothing was written\n", f.managers,
                       report.count(libgrid::Severity::error));
            print_issues(report, max_issues);
            exit_code = exit_data_errors;
            return std::nullopt;
        }
        roster = std::move(read);
    } else {
        roster = libgrid::make_manager_slots(plan, f.capacity);
    }
    auto opt = f.options;
    opt.progress = progress;
    // The assignment in force: the plan folder's managers (set by the caller), else the
    // transformers' current managers, grid by grid; none with --fresh.
    const auto named = [](const std::vector<std::string>& ids) {
        return std::any_of(ids.begin(), ids.end(), [](const std::string& id) { return !id.empty(); });
    };
    if (f.fresh) opt.in_force.clear();
    else if (!named(opt.in_force)) opt.in_force = libgrid::managers_in_force(territory, plan);
    if (!named(opt.in_force)) opt.in_force.clear();
    auto a = libgrid::assign_managers(territory, graph, plan, roster, opt);
    const auto verdict = libgrid::verify_assignment(territory, plan, a.managers, a.grid_manager, a.over_capacity);
    if (!verdict.ok()) {
        std::fflush(stdout);
        fmt::print(stderr, "grid-partition: internal error: the manager assignment failed independent verification; "
                           "nothing was written; please report this\n");
        for (const auto& p : verdict.problems) fmt::print(stderr, "  - {}\n", p);
        exit_code = exit_bug;
        return std::nullopt;
    }
    exit_code = exit_ok;
    return a;
}

void attach_managers(libgrid::PlanFolder& folder, const libgrid::Assignment& a, const ManagerFlags& flags)
{
    folder.grid_manager.clear();
    for (const std::size_t k : a.grid_manager) folder.grid_manager.push_back(a.managers[k].id);
    folder.report.managers = libgrid::make_managers_report(folder.plan, a, flags.options, flags.managers, flags.capacity);
}

} // namespace gp
