// libgrid::verify_assignment: the independent check of a manager assignment (see
// libgrid/verify.hpp). It shares no code with libgrid/src/assign: loads are summed again from
// the transformers, stations compared by id, and every violation becomes one sentence.
#include <libgrid/verify.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include <cstddef>
#include <string>
#include <unordered_map>
#include <vector>

namespace libgrid {

VerifyReport verify_assignment(const Territory& territory, const Plan& plan, const std::vector<Manager>& managers,
                               const std::vector<std::size_t>& grid_manager,
                               const std::vector<double>& declared_over)
{
    VerifyReport r;
    constexpr std::size_t max_listed = 50;
    auto problem = [&](std::string text) {
        if (r.problems.size() < max_listed) r.problems.push_back(std::move(text));
    };
    const std::size_t G = plan.grid_id.size();
    if (grid_manager.size() != G) {
        problem(fmt::format("the assignment names a manager for {} grids, the plan has {}", grid_manager.size(), G));
        return r;
    }
    std::unordered_map<std::string, std::size_t> ids;
    for (std::size_t k = 0; k < managers.size(); ++k)
        if (!ids.emplace(managers[k].id, k).second) problem(fmt::format("manager id '{}' is used twice", managers[k].id));
    std::vector<double> grid_load(G, 0.0);
    for (std::size_t i = 0; i < territory.transformers.size() && i < plan.grid_of.size(); ++i) {
        const std::size_t g = plan.grid_of[i];
        if (g < G && i < plan.load.size()) grid_load[g] += plan.load[i];
    }
    std::vector<double> load(managers.size(), 0.0);
    std::vector<std::size_t> count(managers.size(), 0);
    for (std::size_t g = 0; g < G; ++g) {
        const std::size_t k = grid_manager[g];
        if (k >= managers.size()) {
            problem(fmt::format("grid '{}' has no manager", plan.grid_id[g]));
            continue;
        }
        const std::string& station = plan.stations.at(plan.grid_station.at(g)).station_id;
        if (managers[k].station_id != station)
            problem(fmt::format("grid '{}' of station '{}' is held by manager '{}' of station '{}'", plan.grid_id[g],
                                station, managers[k].id, managers[k].station_id));
        load[k] += grid_load[g];
        ++count[k];
    }
    const bool relaxed = std::any_of(declared_over.begin(), declared_over.end(), [](double d) { return d > 0; });
    for (std::size_t k = 0; k < managers.size(); ++k) {
        const auto& m = managers[k];
        if (relaxed) {
            // Over capacity is allowed, but it must be said, and said truly.
            const double over = std::max(0.0, load[k] - m.capacity);
            const double said = k < declared_over.size() ? declared_over[k] : 0.0;
            if (std::abs(over - said) > 1e-6 * std::max(1.0, m.capacity))
                problem(fmt::format("manager '{}' holds load {:.6g}, {:.6g} over the capacity {:.6g}, but the "
                                    "assignment reports {:.6g} over",
                                    m.id, load[k], over, m.capacity, said));
            continue;
        }
        if (load[k] > m.capacity * (1 + 1e-9) + 1e-9)
            problem(fmt::format("manager '{}' holds load {:.6g}, over the capacity {:.6g}", m.id, load[k], m.capacity));
        if (m.max_grids > 0 && count[k] > m.max_grids)
            problem(fmt::format("manager '{}' holds {} grids, over max_grids {}", m.id, count[k], m.max_grids));
    }
    return r;
}

} // namespace libgrid
