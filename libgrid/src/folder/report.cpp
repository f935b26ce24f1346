// The typed report of a plan and of its manager assignment (see libgrid/plan_folder.hpp).
#include "folder/report.hpp"

#include <libgrid/error.hpp>
#include <libgrid/plan_folder.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>

namespace libgrid {
namespace {

/// max over grids of |load / (territory load / grids) - 1|: the spread across stations, which
/// per-station targets hide.
double deviation_from_territory_mean(const PlanMetrics& m)
{
    const auto& o = m.overall;
    if (o.grids == 0 || o.load <= 0) return 0.0;
    const double mean = o.load / static_cast<double>(o.grids);
    double worst = 0.0;
    for (const auto& g : m.grids) worst = std::max(worst, std::abs(g.load / mean - 1.0));
    return worst;
}

/// The level whose units contacts.csv lists as communities: the level whose name says so,
/// else the second finest, else the finest; npos without levels.
std::size_t community_level(const Territory& t)
{
    std::size_t level = npos;
    for (std::size_t l = 0; l < t.levels.size(); ++l) {
        std::string n = t.levels[l].name;
        std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return char(std::tolower(c)); });
        if (n.find("communit") != std::string::npos) level = l;
    }
    if (level == npos && !t.levels.empty()) level = t.levels.size() >= 2 ? t.levels.size() - 2 : 0;
    return level;
}

} // namespace

std::vector<std::vector<std::string>> folder::grid_communities(const Territory& t, const Plan& plan)
{
    std::vector<std::vector<std::string>> out(plan.num_grids());
    const std::size_t level = community_level(t);
    if (level == npos || t.transformer_unit.size() != t.transformers.size()) return out;
    std::vector<std::set<std::size_t>> units(plan.num_grids());
    for (std::size_t i = 0; i < t.transformers.size(); ++i) {
        std::size_t u = t.transformer_unit[i];
        for (std::size_t l = t.levels.size() - 1; l > level && u != npos; --l) u = t.levels[l].units[u].parent;
        if (u != npos) units[plan.grid_of[i]].insert(u);
    }
    for (std::size_t g = 0; g < plan.num_grids(); ++g)
        for (const std::size_t u : units[g]) {
            const auto& unit = t.levels[level].units[u];
            out[g].push_back(unit.name.empty() ? unit.id : unit.name);
        }
    return out;
}

namespace {

std::vector<std::string> relaxed_names(std::uint8_t flags)
{
    std::vector<std::string> what;
    if (flags & relax_cap) what.emplace_back("cap");
    if (flags & relax_contiguity) what.emplace_back("contiguity");
    return what;
}

} // namespace

PlanReport make_plan_report(const Territory& territory, const ValidationReport& report, const Plan& plan,
                            const PlanMetrics& metrics)
{
    if (metrics.grids.size() != plan.num_grids() || metrics.stations.size() != plan.stations.size())
        throw Error(ErrorCode::invalid_argument, "make_plan_report: the metrics do not describe the plan's grids");
    PlanReport r;
    auto& in = r.inputs;
    in.transformers_planned = territory.transformers.size();
    in.rejected = report.rejected.size();
    in.transformers_read = in.transformers_planned + in.rejected;
    in.customers = territory.total_customers();
    in.work_crs = territory.work_crs_name;
    in.errors = report.count(Severity::error);
    in.warnings = report.count(Severity::warning);
    in.notes = report.count(Severity::info);

    auto& b = r.balance;
    for (const auto& sp : plan.stations) {
        b.tolerance = sp.tolerance;
        if (sp.target_met) continue;
        b.target_met = false;
        b.stations_missed.push_back(sp.station_id);
    }
    b.max_deviation_vs_station_target = metrics.overall.max_abs_deviation;
    b.max_deviation_vs_territory_mean = deviation_from_territory_mean(metrics);
    b.lower_bound = metrics.overall.lower_bound;

    r.overall = metrics.overall;
    r.overall_target = r.overall.grids ? r.overall.load / static_cast<double>(r.overall.grids) : 0.0;
    for (std::size_t s = 0; s < plan.stations.size(); ++s) {
        const auto& sp = plan.stations[s];
        r.stations.push_back({sp.station_id, sp.tolerance, sp.target_met, sp.bound_reason, sp.target, sp.lower_bound,
                              metrics.stations[s], sp.notes});
        for (const auto& n : sp.notes) r.notes.push_back(sp.station_id.empty() ? n : sp.station_id + ": " + n);
    }
    auto communities = folder::grid_communities(territory, plan);
    for (std::size_t g = 0; g < plan.num_grids(); ++g)
        r.grids.push_back({plan.grid_id[g], plan.stations[plan.grid_station[g]].station_id, plan.grid_target[g],
                           metrics.grids[g], relaxed_names(plan.grid_relaxed.empty() ? 0 : plan.grid_relaxed[g]),
                           std::move(communities[g])});
    r.issues = report.issues;
    r.rejected = report.rejected;
    return r;
}

ReportManagers make_managers_report(const Plan& plan, const Assignment& a, const AssignOptions& options,
                                    const std::string& roster, double slot_capacity)
{
    ReportManagers r;
    r.roster = roster;
    r.slot_capacity = roster.empty() ? slot_capacity : 0.0;
    r.continuity_km = options.continuity_km;
    r.adjacency_km = options.adjacency_km;
    r.move_km = options.move_km;
    r.in_force = a.overall.kept + a.overall.moved > 0;
    r.allow_infeasible = options.allow_infeasible;
    r.travel_by_road = a.travel_by_road;
    r.straight_fallbacks = a.straight_fallbacks;
    r.overall = a.overall;
    for (std::size_t s = 0; s < plan.stations.size() && s < a.stations.size(); ++s)
        r.stations.emplace_back(plan.stations[s].station_id, a.stations[s]);
    for (std::size_t k = 0; k < a.managers.size(); ++k)
        r.managers.push_back({a.managers[k], a.figures[k], k < a.over_capacity.size() ? a.over_capacity[k] : 0.0});
    for (std::size_t g = 0; g < plan.num_grids(); ++g) {
        const auto change = a.grid_change.empty() ? ManagerChange::fresh : a.grid_change[g];
        if (change == ManagerChange::fresh || change == ManagerChange::kept) continue;
        r.changes.push_back({plan.grid_id[g], a.grid_manager_before[g], a.managers[a.grid_manager[g]].id,
                             change_name(change)});
    }
    return r;
}

} // namespace libgrid
