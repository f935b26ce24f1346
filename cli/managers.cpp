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

namespace {

std::string percent_text(double share)
{
    return share < 0 ? std::string("n/a") : fmt::format("{:.2f}%", share * 100.0);
}

} // namespace

void print_managers_summary(const libgrid::Plan& plan, const libgrid::Assignment& a)
{
    const auto& o = a.overall;
    fmt::print("managers:\n");
    fmt::print("  assigned       {} grids to {} managers ({} on the roster); load {} of capacity {} ({}), "
               "max use {}\n",
               o.grids, o.managers_used, o.managers, with_commas(o.load), with_commas(o.capacity),
               percent_text(o.capacity > 0 ? o.load / o.capacity : 0.0), percent_text(o.max_capacity_use));
    fmt::print("  adjacency      adjacent-grid share {} of a manager's grid pairs; one connected group for {} of "
               "managers holding 2+ grids\n",
               percent_text(o.adjacent_pair_share), percent_text(o.one_group_share));
    fmt::print("  travel         {:.1f} km in all, {:.2f} km per grid (base to grid centre, {})\n", o.travel_km,
               o.grids ? o.travel_km / double(o.grids) : 0.0,
               !a.travel_by_road ? std::string("straight line")
               : a.straight_fallbacks == 0
                   ? std::string("along the roads")
                   : fmt::format("along the roads; {} manager-grid pairs no road joins priced in a straight line",
                                 a.straight_fallbacks));
    fmt::print("  continuity     {}\n", o.continuity < 0 ? std::string("n/a (no current manager field)")
                                                           : percent_text(o.continuity) + " of customers keep their manager");
    std::size_t exact = 0, used = 0;
    for (const auto& s : a.stations)
        if (s.grids) {
            ++used;
            if (s.exact) ++exact;
        }
    fmt::print("  optimality     objective {:.2f}, lower bound {:.2f}: at most {} from optimal ({} of {} stations "
               "solved exactly)\n",
               o.objective, o.lower_bound, percent_text(o.gap), exact, used);
    if (o.kept + o.moved > 0)
        fmt::print("  in force       {} of {} grids keep their manager; {} change: {} because their manager left the "
                   "roster, {} for capacity, {} for cost (listed in report.json managers.changes)\n",
                   o.kept, o.kept + o.moved, o.moved, o.manager_left, o.capacity_moves,
                   o.moved - o.manager_left - o.capacity_moves);
    if (o.capacity_raised) {
        fmt::print("  OVER CAPACITY  --allow-infeasible: the roster cannot carry the plan; managers over capacity:\n");
        for (std::size_t k = 0; k < a.managers.size(); ++k)
            if (a.over_capacity[k] > 0)
                fmt::print("                 {} ({}): load {} of capacity {}, over by {} ({})\n", a.managers[k].id,
                           a.managers[k].station_id, with_commas(a.figures[k].load), with_commas(a.managers[k].capacity),
                           with_commas(a.over_capacity[k]), percent_text(a.over_capacity[k] / a.managers[k].capacity));
    }
    (void)plan;
}

} // namespace gp
