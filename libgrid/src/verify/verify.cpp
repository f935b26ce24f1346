// libgrid::verify_plan: the independent check of a plan (see libgrid/verify.hpp).
//
// On purpose this file shares no code with the partitioner, the metrics or any other module:
// it walks the CSR graph with its own breadth-first search and recomputes every sum from the
// plan's assignment, so that a bug in one of them cannot hide itself. It never throws on a bad
// plan: every violation becomes one sentence naming the grid or transformer and the numbers.
#include <libgrid/verify.hpp>

#include "verify/problems.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace libgrid {

namespace {

// Relative tolerance on sums of loads: they are summed in a different order than the
// partitioner summed them, so they may differ in the last bits.
constexpr double sum_tolerance = 1e-9;


// True when a and b agree within the relative tolerance. The floor of 1 keeps grids whose load
// is (close to) zero from failing on rounding noise; NaN never agrees.
bool same_sum(double a, double b)
{
    const double scale = std::max({1.0, std::abs(a), std::abs(b)});
    return std::abs(a - b) <= sum_tolerance * scale;
}

// "1 transformer", "3 transformers".
std::string count_of(std::size_t count, const char* noun)
{
    return fmt::format("{} {}{}", count, noun, count == 1 ? "" : "s");
}

// Everything the checks need to name things in messages.
struct Names {
    const Territory& territory;
    const Plan& plan;

    std::string grid(std::size_t g) const
    {
        if (g < plan.grid_id.size()) return fmt::format("grid '{}'", plan.grid_id[g]);
        return fmt::format("grid #{}", g);
    }
    std::string transformer(std::size_t t) const
    {
        return fmt::format("transformer '{}'", territory.transformers[t].id);
    }
    std::string station(std::size_t s) const
    {
        return fmt::format("station '{}'", plan.stations[s].station_id);
    }
};

// Checks that every per-grid and per-transformer vector has the size the plan implies. Returns
// false when the assignment itself (grid_of) cannot be trusted, which stops the other checks.
bool check_sizes(const Territory& territory, const CsrGraph& graph, const Plan& plan,
                 std::size_t nest_level, detail::Problems& problems)
{
    const std::size_t n = territory.transformers.size();
    const std::size_t grids = plan.num_grids();
    bool usable = true;
    if (plan.grid_of.size() != n) {
        problems.add(fmt::format("the plan assigns {} transformers but the territory has {}",
                                 plan.grid_of.size(), n));
        usable = false;
    }
    if (plan.load.size() != n) {
        problems.add(fmt::format("the plan has loads for {} transformers but the territory has {}",
                                 plan.load.size(), n));
        usable = false;
    }
    const std::pair<const char*, std::size_t> per_grid[] = {
        {"grid_station", plan.grid_station.size()},
        {"grid_load", plan.grid_load.size()},
        {"grid_target", plan.grid_target.size()},
        {"grid_relaxed", plan.grid_relaxed.size()},
    };
    for (const auto& [name, size] : per_grid) {
        if (size != grids) {
            problems.add(fmt::format("the plan has {} grids but {} entries in {}", grids, size,
                                     name));
            usable = false;
        }
    }
    // Without a nest level the nest units carry no meaning, so only their presence is checked.
    const bool nest_size_ok = nest_level == npos
                                  ? plan.grid_nest_unit.empty() || plan.grid_nest_unit.size() == grids
                                  : plan.grid_nest_unit.size() == grids;
    if (!nest_size_ok) {
        problems.add(fmt::format("the plan has {} grids but {} entries in grid_nest_unit", grids,
                                 plan.grid_nest_unit.size()));
        usable = false;
    }
    if (graph.num_vertices() != n) {
        problems.add(fmt::format("the graph has {} vertices but the territory has {} "
                                 "transformers",
                                 graph.num_vertices(), n));
        usable = false;
    }
    return usable;
}

// A CSR graph is only walked when its arrays are consistent: a malformed graph must produce a
// problem, not an out-of-bounds read.
bool check_graph(const CsrGraph& graph, detail::Problems& problems)
{
    const std::size_t n = graph.num_vertices();
    if (graph.xadj.empty()) return true;
    if (graph.xadj.front() != 0 || graph.xadj.back() != graph.adjncy.size()) {
        problems.add(fmt::format("the graph's xadj ends at {} but it has {} adjacency entries",
                                 graph.xadj.back(), graph.adjncy.size()));
        return false;
    }
    if (graph.kind.size() != graph.adjncy.size()) {
        problems.add(fmt::format("the graph has {} adjacency entries but {} edge kinds", graph.adjncy.size(),
                                 graph.kind.size()));
        return false;
    }
    for (std::size_t v = 0; v < n; ++v) {
        if (graph.xadj[v] > graph.xadj[v + 1]) {
            problems.add(fmt::format("the graph's xadj decreases at vertex {}", v));
            return false;
        }
    }
    for (std::size_t k = 0; k < graph.adjncy.size(); ++k) {
        if (graph.adjncy[k] >= n) {
            problems.add(fmt::format("the graph's adjacency entry {} names vertex {} but the "
                                     "graph has {} vertices",
                                     k, graph.adjncy[k], n));
            return false;
        }
    }
    return true;
}

// Coverage: every transformer in an existing grid, no empty grid, unique grid ids. Fills
// `members` (transformers per grid, in territory order). Returns false when some transformer
// points past the last grid.
bool check_coverage(const Names& names, std::vector<std::vector<std::size_t>>& members,
                    detail::Problems& problems)
{
    const Plan& plan = names.plan;
    const std::size_t grids = plan.num_grids();
    members.assign(grids, {});
    bool all_in_range = true;
    for (std::size_t t = 0; t < plan.grid_of.size(); ++t) {
        const std::size_t g = plan.grid_of[t];
        if (g >= grids) {
            problems.add(fmt::format("{} is in grid #{}, but the plan has only {} grids",
                                     names.transformer(t), g, grids));
            all_in_range = false;
            continue;
        }
        members[g].push_back(t);
    }
    for (std::size_t g = 0; g < grids; ++g)
        if (members[g].empty()) problems.add(fmt::format("{} has no transformers", names.grid(g)));

    // Exports key rows by grid id: two grids with one id would merge silently downstream.
    std::unordered_map<std::string, std::size_t> first_with_id;
    for (std::size_t g = 0; g < grids; ++g) {
        const auto [it, inserted] = first_with_id.emplace(plan.grid_id[g], g);
        if (!inserted)
            problems.add(fmt::format("grids #{} and #{} share the id '{}'", it->second, g,
                                     plan.grid_id[g]));
    }
    return all_in_range;
}

// Loads: every transformer load finite, each grid's load the sum of its transformers' loads,
// the total conserved, and each grid under the cap unless relaxed.
void check_loads(const Names& names, const std::vector<std::vector<std::size_t>>& members,
                 detail::Problems& problems)
{
    const Plan& plan = names.plan;
    double total_of_transformers = 0.0;
    for (std::size_t t = 0; t < plan.load.size(); ++t) {
        if (!std::isfinite(plan.load[t]))
            problems.add(fmt::format("{} has load {}", names.transformer(t), plan.load[t]));
        total_of_transformers += plan.load[t];
    }
    double total_of_grids = 0.0;
    for (std::size_t g = 0; g < members.size(); ++g) {
        double sum = 0.0;
        for (std::size_t t : members[g]) sum += plan.load[t];
        total_of_grids += plan.grid_load[g];
        if (!same_sum(sum, plan.grid_load[g]))
            problems.add(fmt::format("{} records load {} but its {} sum to {}", names.grid(g),
                                     plan.grid_load[g],
                                     count_of(members[g].size(), "transformer"), sum));
        // The recomputed sum, not the recorded one, is what the crews will actually carry.
        const bool cap_relaxed = (plan.grid_relaxed[g] & relax_cap) != 0;
        if (plan.max_load > 0.0 && !cap_relaxed &&
            sum > plan.max_load * (1.0 + sum_tolerance))
            problems.add(fmt::format("{} has load {}, over the cap of {}", names.grid(g), sum,
                                     plan.max_load));
    }
    if (!same_sum(total_of_transformers, total_of_grids))
        problems.add(fmt::format("the grid loads sum to {} but the transformer loads sum to {}",
                                 total_of_grids, total_of_transformers));
}

// Contiguity: each grid's transformers form one connected piece using the graph's border edges
// between members (a feeder link joins no map pieces), unless the grid was relaxed. One BFS over the whole graph labels the
// pieces of every grid at once: O(n + m).
void check_contiguity(const Names& names, const CsrGraph& graph,
                      const std::vector<std::vector<std::size_t>>& members, detail::Problems& problems)
{
    const Plan& plan = names.plan;
    const std::size_t n = plan.grid_of.size();
    constexpr std::size_t unvisited = npos;
    std::vector<std::size_t> piece_of(n, unvisited);
    std::vector<std::size_t> queue;
    queue.reserve(n);
    for (std::size_t g = 0; g < members.size(); ++g) {
        if (members[g].empty()) continue; // reported as empty already
        std::size_t pieces = 0;
        std::size_t first_piece_size = 0;
        std::size_t cut_off = npos; // a transformer outside the first piece, to name it
        for (std::size_t start : members[g]) {
            if (piece_of[start] != unvisited) continue;
            queue.clear();
            queue.push_back(start);
            piece_of[start] = pieces;
            for (std::size_t head = 0; head < queue.size(); ++head) {
                const std::size_t v = queue[head];
                for (std::size_t k = graph.xadj[v]; k < graph.xadj[v + 1]; ++k) {
                    const std::size_t u = graph.adjncy[k];
                    if ((graph.kind[k] & edge_border) == 0) continue;
                    if (plan.grid_of[u] != g || piece_of[u] != unvisited) continue;
                    piece_of[u] = pieces;
                    queue.push_back(u);
                }
            }
            if (pieces == 0)
                first_piece_size = queue.size();
            else if (cut_off == npos)
                cut_off = start;
            ++pieces;
        }
        if (pieces <= 1 || (plan.grid_relaxed[g] & relax_contiguity) != 0) continue;
        problems.add(fmt::format("{} is not contiguous: its {} form {} separate pieces ({} is "
                                 "cut off from {}, whose piece holds {})",
                                 names.grid(g), count_of(members[g].size(), "transformer"),
                                 pieces, names.transformer(cut_off),
                                 names.transformer(members[g].front()), first_piece_size));
    }
}

// Nesting in stations: every transformer of a grid carries its station's id.
void check_stations(const Names& names, const std::vector<std::vector<std::size_t>>& members,
                    detail::Problems& problems)
{
    const Plan& plan = names.plan;
    const std::size_t num_stations = plan.stations.size();
    for (std::size_t g = 0; g < members.size(); ++g) {
        const std::size_t s = plan.grid_station[g];
        if (s >= num_stations) {
            problems.add(fmt::format("{} belongs to station #{}, but the plan has only {} "
                                     "stations",
                                     names.grid(g), s, num_stations));
            continue;
        }
        const std::string& station_id = plan.stations[s].station_id;
        std::size_t foreign = 0;
        std::size_t example = npos;
        for (std::size_t t : members[g]) {
            if (names.territory.transformers[t].station_id == station_id) continue;
            if (foreign++ == 0) example = t;
        }
        if (foreign > 0)
            problems.add(fmt::format("{} belongs to {} but holds {} of other stations ({} is "
                                     "in station '{}')",
                                     names.grid(g), names.station(s),
                                     count_of(foreign, "transformer"),
                                     names.transformer(example),
                                     names.territory.transformers[example].station_id));
    }

    // Per station: the grid and transformer counts the plan reports are the ones it has, and
    // its load is the sum of its grids' transformer loads.
    std::vector<std::size_t> grids_in(num_stations, 0);
    std::vector<std::size_t> transformers_in(num_stations, 0);
    std::vector<double> load_in(num_stations, 0.0);
    for (std::size_t g = 0; g < members.size(); ++g) {
        const std::size_t s = plan.grid_station[g];
        if (s >= num_stations) continue;
        ++grids_in[s];
        transformers_in[s] += members[g].size();
        for (std::size_t t : members[g]) load_in[s] += plan.load[t];
    }
    for (std::size_t s = 0; s < num_stations; ++s) {
        const StationPlan& station = plan.stations[s];
        if (station.grids != grids_in[s])
            problems.add(fmt::format("{} reports {} but {} belong to it", names.station(s),
                                     count_of(station.grids, "grid"),
                                     count_of(grids_in[s], "grid")));
        if (station.transformers != transformers_in[s])
            problems.add(fmt::format("{} reports {} but its grids hold {}",
                                     names.station(s),
                                     count_of(station.transformers, "transformer"),
                                     transformers_in[s]));
        if (!same_sum(station.load, load_in[s]))
            problems.add(fmt::format("{} reports load {} but its grids' transformers sum to {}",
                                     names.station(s), station.load, load_in[s]));
    }
}

// The unit of level `level` containing each unit of the finest level (npos when a parent link
// is missing or broken). O(units x levels).
std::vector<std::size_t> finest_to_level(const Territory& territory, std::size_t level)
{
    const std::size_t finest = territory.levels.size() - 1;
    const std::vector<AdminUnit>& finest_units = territory.levels[finest].units;
    std::vector<std::size_t> out(finest_units.size(), npos);
    for (std::size_t u = 0; u < finest_units.size(); ++u) {
        std::size_t unit = u;
        // unit indexes level `l` here; its parent indexes level l - 1.
        for (std::size_t l = finest; l > level && unit != npos; --l) {
            const std::size_t parent = territory.levels[l].units[unit].parent;
            unit = parent < territory.levels[l - 1].units.size() ? parent : npos;
        }
        out[u] = unit;
    }
    return out;
}

// Nesting in units of the nest level: all transformers of a grid lie in one unit (transformers
// outside every unit count as "no unit"), and it is the unit the plan records for the grid.
void check_nest_level(const Names& names, std::size_t nest_level,
                      const std::vector<std::vector<std::size_t>>& members, detail::Problems& problems)
{
    const Territory& territory = names.territory;
    const Plan& plan = names.plan;
    if (nest_level >= territory.levels.size()) {
        problems.add(fmt::format("the plan nests in level #{} but the territory has {} levels",
                                 nest_level, territory.levels.size()));
        return;
    }
    const std::size_t n = territory.transformers.size();
    if (territory.transformer_unit.size() != n) {
        problems.add(fmt::format("the territory locates {} of its {} transformers in units; "
                                 "nesting cannot be checked",
                                 territory.transformer_unit.size(), n));
        return;
    }
    const AdminLevel& level = territory.levels[nest_level];
    const std::vector<std::size_t> to_level = finest_to_level(territory, nest_level);
    const auto unit_of = [&](std::size_t t) {
        const std::size_t finest_unit = territory.transformer_unit[t];
        return finest_unit < to_level.size() ? to_level[finest_unit] : npos;
    };
    const auto unit_name = [&](std::size_t u) {
        return u < level.units.size() ? fmt::format("'{}'", level.units[u].id)
                                      : std::string("no unit");
    };

    for (std::size_t g = 0; g < members.size(); ++g) {
        if (members[g].empty()) continue;
        const std::size_t first = members[g].front();
        const std::size_t unit = unit_of(first);
        std::size_t outside = 0;
        std::size_t example = npos;
        for (std::size_t t : members[g]) {
            if (unit_of(t) == unit) continue;
            if (outside++ == 0) example = t;
        }
        if (outside > 0) {
            problems.add(fmt::format("{} spans several units of level '{}': {} is in {} but {} "
                                     "of its transformers {} not ({} is in {})",
                                     names.grid(g), level.name, names.transformer(first),
                                     unit_name(unit), outside, outside == 1 ? "is" : "are",
                                     names.transformer(example),
                                     unit_name(unit_of(example))));
            continue;
        }
        if (plan.grid_nest_unit[g] != unit)
            problems.add(fmt::format("{} lies in {} of level '{}' but the plan records {}",
                                     names.grid(g), unit_name(unit), level.name,
                                     unit_name(plan.grid_nest_unit[g])));
    }
}

} // namespace

VerifyReport verify_plan(const Territory& territory, const CsrGraph& graph, const Plan& plan,
                         std::size_t nest_level)
{
    detail::Problems problems;
    const Names names{territory, plan};
    const bool sizes_ok = check_sizes(territory, graph, plan, nest_level, problems);
    const bool graph_ok = check_graph(graph, problems);
    if (sizes_ok) {
        std::vector<std::vector<std::size_t>> members;
        const bool in_range = check_coverage(names, members, problems);
        check_loads(names, members, problems);
        // The BFS follows grid_of of every neighbour, so it needs every index in range.
        if (graph_ok && in_range) check_contiguity(names, graph, members, problems);
        check_stations(names, members, problems);
        if (nest_level != npos) check_nest_level(names, nest_level, members, problems);
    }
    VerifyReport report;
    report.problems = problems.finish();
    return report;
}

} // namespace libgrid
