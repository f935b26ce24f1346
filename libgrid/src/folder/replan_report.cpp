// make_replan_report(): what a re-plan changed, for the people it affects.
#include <libgrid/plan_folder.hpp>

#include <map>

namespace libgrid {

ReportReplan make_replan_report(const Territory& t, const ReplanResult& r, const PlanMetrics& before,
                                const std::vector<std::pair<std::string, std::string>>& grid_managers,
                                const std::string& current, const ReplanOptions& options)
{
    ReportReplan out;
    out.current = current;
    out.measure = options.count_transformers ? "transformers" : "customers";
    out.max_moved = options.max_moved;
    out.total = r.total;
    out.moved = r.moved;
    out.moved_transformers = r.moved_transformers;
    out.new_transformers = r.new_transformers;
    out.new_grids = r.new_grids;
    out.before = before.overall;
    for (std::size_t s = 0; s < r.before.stations.size(); ++s) {
        const auto& st = r.before.stations[s];
        out.before_stations.emplace_back(st.station_id, st.max_deviation);
        out.before_met.emplace_back(st.station_id, st.target_met);
    }
    const std::map<std::string, std::string> manager_of(grid_managers.begin(), grid_managers.end());
    const auto manager = [&](const std::string& grid) {
        const auto it = manager_of.find(grid);
        return it == manager_of.end() ? std::string() : it->second;
    };
    std::map<std::string, ReportManagerChange> per_manager;
    for (std::size_t i = 0; i < t.transformers.size(); ++i) {
        const std::string& from = r.current[i];
        const std::string& to = r.plan.grid_id[r.plan.grid_of[i]];
        if (from.empty() || from == to) continue;
        const auto& tx = t.transformers[i];
        out.changes.push_back({tx.id, tx.customers, from, to, manager(from), manager(to)});
        const auto& c = out.changes.back();
        // Same person, or no manager known on either side: nobody to tell.
        if (c.from_manager == c.to_manager) continue;
        auto& lost = per_manager[c.from_manager];
        lost.manager_id = c.from_manager;
        ++lost.lost;
        lost.customers_lost += tx.customers;
        auto& gained = per_manager[c.to_manager];
        gained.manager_id = c.to_manager;
        ++gained.gained;
        gained.customers_gained += tx.customers;
    }
    for (auto& [id, change] : per_manager) out.managers.push_back(change);
    return out;
}

} // namespace libgrid
