// The plan report as text for people: the summary `grid-partition plan` and `assign` print
// (see libgrid/plan_folder.hpp).
#include <libgrid/csv.hpp>
#include <libgrid/plan_folder.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace libgrid {
namespace {

std::string station_label(const std::string& id) { return id.empty() ? std::string("(all)") : id; }

std::string percent(double share) { return fmt::format("{:.2f}%", share * 100.0); }

std::string percent_text(double share) { return share < 0 ? std::string("n/a") : percent(share); }

} // namespace

std::vector<std::string> tolerance_misses(const PlanReport& report)
{
    std::vector<std::string> lines;
    for (const auto& sp : report.stations)
        if (!sp.target_met)
            lines.push_back(fmt::format("{}: max deviation {}, asked {}, lower bound {} ({}){}",
                                        station_label(sp.station_id), percent(sp.measures.max_abs_deviation),
                                        percent(sp.tolerance), percent(sp.lower_bound), sp.bound_reason,
                                        sp.lower_bound > sp.tolerance ? "; no plan can meet it" : ""));
    return lines;
}

std::string summary_text(const PlanReport& report)
{
    std::string out;
    const auto& o = report.overall;
    // Splits with their lower bound (for grids no heavier than these) beside them.
    std::string splits;
    for (std::size_t l = 0; l < o.admin_splits.size(); ++l)
        splits += fmt::format("{}{} {} (bound {})", splits.empty() ? "" : ", ", o.admin_splits[l].first,
                              o.admin_splits[l].second,
                              l < o.admin_splits_bound.size() ? o.admin_splits_bound[l].second : 0);
    out += fmt::format("  grids          {} (mean load {})\n", o.grids,
               with_commas(o.grids ? o.load / static_cast<double>(o.grids) : 0.0));
    const auto missed = tolerance_misses(report);
    const double tolerance = report.balance.tolerance;
    // The binding bound: the station with the highest one, and which argument gives it.
    std::string binding;
    double highest = -1.0;
    for (const auto& sp : report.stations)
        if (sp.lower_bound > highest) {
            highest = sp.lower_bound;
            binding = sp.bound_reason;
        }
    out += fmt::format("  balance        max deviation {} of the station's target (lower bound {}: {}), {} of the territory's "
               "mean; load {} .. {} (max/min {:.3f})\n",
               percent(o.max_abs_deviation), percent(o.lower_bound), binding, percent(report.balance.max_deviation_vs_territory_mean),
               with_commas(o.min_load), with_commas(o.max_load), o.max_over_min);
    if (missed.empty())
        out += fmt::format("  tolerance      met: every grid within {} of its station's target\n", percent(tolerance));
    else
        out += fmt::format("  tolerance      NOT MET in {} of {} stations (asked {}; see the stations below)\n", missed.size(),
                   report.stations.size(), percent(tolerance));
    out += fmt::format("  compactness    Polsby-Popper mean {:.3f}, min {:.3f}; {} cut edges, {:.1f} km of borders between "
               "grids; mean distance to grid centre {} m\n",
               o.polsby_popper_mean, o.polsby_popper_min, with_commas(static_cast<double>(o.cut_edges)),
               o.cut_border_km, with_commas(std::round(o.mean_distance_m)));
    out += fmt::format("  integrity      admin splits: {}; feeder splits {} (bound {}); continuity {}; multi-part grids {}\n",
               splits.empty() ? "no admin levels" : splits, o.feeder_splits, o.feeder_splits_bound,
               o.continuity < 0 ? std::string("n/a (no current manager field)") : percent(o.continuity),
               o.non_contiguous == 0           ? std::string("0 (every grid is one polygon)")
               : report.kind != "plan"       ? fmt::format("{} (see the weakest grids below)", o.non_contiguous)
                                             : fmt::format("{} (each part on its own island of the input)", o.non_contiguous));
    if (o.barrier_edges > 0)
        out += fmt::format("  barriers       {} of {} adjacency edges across roads, rivers or railways are inside a grid; "
                   "{} grid(s) straddle a barrier\n",
                   with_commas(static_cast<double>(o.barrier_edges_inside)),
                   with_commas(static_cast<double>(o.barrier_edges)),
                   with_commas(static_cast<double>(o.grids_across_barriers)));
    std::size_t width = 7;
    for (const auto& sp : report.stations) width = std::max(width, station_label(sp.station_id).size());
    out += fmt::format("stations:\n  {:<{}}  {:>5}  {:>10}  {:>8}  {:>8}  {:>9}  {:>7}  {:>9}\n", "station", width, "grids",
               "target", "max dev", "bound", "tolerance", "PP mean", "cut edges");
    for (const auto& sp : report.stations) {
        const auto& sm = sp.measures;
        out += fmt::format("  {:<{}}  {:>5}  {:>10}  {:>8}  {:>8}  {:>9}  {:>7.3f}  {:>9}\n", station_label(sp.station_id), width,
                   sm.grids, with_commas(sp.target), percent(sm.max_abs_deviation),
                   percent(sp.lower_bound), sp.target_met ? "met" : "NOT MET", sm.polsby_popper_mean, sm.cut_edges);
    }
    bool any = false;
    for (const auto& sp : report.stations)
        for (const auto& n : sp.notes) {
            if (!any) out += fmt::format("notes:\n");
            any = true;
            out += fmt::format("  {}{}\n", sp.station_id.empty() ? "" : sp.station_id + ": ", n);
        }
    if (!report.verification_problems.empty()) {
        out += fmt::format("checks: {} problems found by the independent verifier (all in report.json)\n",
                           report.verification_problems.size());
        for (std::size_t k = 0; k < report.verification_problems.size() && k < 10; ++k)
            out += fmt::format("  {}\n", report.verification_problems[k]);
    }
    if (!report.findings.empty()) {
        out += fmt::format("weakest grids: {} of {} grids have something wrong, worst first (all in report.json):\n",
                           report.findings.size(), o.grids);
        for (std::size_t k = 0; k < report.findings.size() && k < 15; ++k) {
            const auto& f = report.findings[k];
            std::string reasons;
            for (const auto& r : f.reasons) reasons += (reasons.empty() ? "" : "; ") + r;
            out += fmt::format("  {}{}: {}\n", f.grid_id, f.station_id.empty() ? "" : " (" + f.station_id + ")", reasons);
        }
    }
    return out;
}

std::string managers_summary_text(const ReportManagers& a)
{
    std::string out;
    const auto& o = a.overall;
    out += fmt::format("  assigned       {} grids to {} managers ({} on the roster); load {} of capacity {} ({}), "
               "max use {}\n",
               o.grids, o.managers_used, o.managers, with_commas(o.load), with_commas(o.capacity),
               percent_text(o.capacity > 0 ? o.load / o.capacity : 0.0), percent_text(o.max_capacity_use));
    out += fmt::format("  adjacency      adjacent-grid share {} of a manager's grid pairs; one connected group for {} of "
               "managers holding 2+ grids\n",
               percent_text(o.adjacent_pair_share), percent_text(o.one_group_share));
    out += fmt::format("  travel         {:.1f} km in all, {:.2f} km per grid (base to grid centre, {})\n", o.travel_km,
               o.grids ? o.travel_km / double(o.grids) : 0.0,
               !a.travel_by_road ? std::string("straight line")
               : a.straight_fallbacks == 0
                   ? std::string("along the roads")
                   : fmt::format("along the roads; {} manager-grid pairs no road joins priced in a straight line",
                                 a.straight_fallbacks));
    out += fmt::format("  continuity     {}\n", o.continuity < 0 ? std::string("n/a (no current manager field)")
                                                           : percent_text(o.continuity) + " of customers keep their manager");
    std::size_t exact = 0, used = 0;
    for (const auto& [id, s] : a.stations)
        if (s.grids) {
            ++used;
            if (s.exact) ++exact;
        }
    out += fmt::format("  optimality     objective {:.2f}, lower bound {:.2f}: at most {} from optimal ({} of {} stations "
               "solved exactly)\n",
               o.objective, o.lower_bound, percent_text(o.gap), exact, used);
    if (o.kept + o.moved > 0)
        out += fmt::format("  in force       {} of {} grids keep their manager; {} change: {} because their manager left the "
                   "roster, {} for capacity, {} for cost (listed in report.json managers.changes)\n",
                   o.kept, o.kept + o.moved, o.moved, o.manager_left, o.capacity_moves,
                   o.moved - o.manager_left - o.capacity_moves);
    if (o.capacity_raised) {
        out += fmt::format("  OVER CAPACITY  --allow-infeasible: the roster cannot carry the plan; managers over capacity:\n");
        for (const auto& r : a.managers)
            if (r.over_capacity > 0)
                out += fmt::format("                 {} ({}): load {} of capacity {}, over by {} ({})\n", r.manager.id,
                                   r.manager.station_id, with_commas(r.figures.load), with_commas(r.manager.capacity),
                                   with_commas(r.over_capacity), percent_text(r.over_capacity / r.manager.capacity));
    }
    return out;
}


} // namespace libgrid
