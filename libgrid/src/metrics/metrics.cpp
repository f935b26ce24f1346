// libgrid::compute_metrics: the quality measures of a plan, as DESIGN.md defines them.
//
// Everything is computed from the territory, the graph and the plan's assignment (plan.load for
// loads, grid_of for membership); the recorded per-grid sums are not trusted, so the report
// stays honest about a plan that verify_plan() would reject. Grids are visited station by
// station, which lets each "distinct X per Y" count use a last-seen stamp instead of a set or a
// sort: the whole computation is O(n + m) plus the grid polygons' points.
#include <libgrid/error.hpp>
#include <libgrid/metrics.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <unordered_map>
#include <vector>

namespace libgrid {

namespace {

constexpr double pi = 3.14159265358979323846;

[[noreturn]] void bad_input(const std::string& why)
{
    throw Error(ErrorCode::invalid_argument, "metrics: cannot measure the plan: " + why);
}

// The plan, the graph and the shapes must describe the same transformers and grids; anything
// else is a caller bug, not a property of the plan to report.
void check_inputs(const Territory& territory, const CsrGraph& graph, const Plan& plan,
                  const std::vector<MultiPolygon>& grid_shapes)
{
    const std::size_t n = territory.transformers.size();
    const std::size_t grids = plan.num_grids();
    if (plan.grid_of.size() != n)
        bad_input(fmt::format("it assigns {} transformers but the territory has {}",
                              plan.grid_of.size(), n));
    if (plan.load.size() != n)
        bad_input(fmt::format("it has loads for {} transformers but the territory has {}",
                              plan.load.size(), n));
    if (graph.num_vertices() != n)
        bad_input(fmt::format("the graph has {} vertices but the territory has {} transformers",
                              graph.num_vertices(), n));
    if (graph.border_m.size() != graph.adjncy.size())
        bad_input(fmt::format("the graph has {} adjacency entries but {} border lengths",
                              graph.adjncy.size(), graph.border_m.size()));
    if (plan.grid_station.size() != grids || plan.grid_target.size() != grids)
        bad_input(fmt::format("it has {} grids but {} grid stations and {} grid targets", grids,
                              plan.grid_station.size(), plan.grid_target.size()));
    if (!grid_shapes.empty() && grid_shapes.size() != grids)
        bad_input(fmt::format("it has {} grids but {} grid shapes were given", grids,
                              grid_shapes.size()));
    for (std::size_t t = 0; t < n; ++t)
        if (plan.grid_of[t] >= grids)
            bad_input(fmt::format("transformer '{}' is in grid #{} of {}",
                                  territory.transformers[t].id, plan.grid_of[t], grids));
    for (std::size_t g = 0; g < grids; ++g)
        if (plan.grid_station[g] >= plan.stations.size())
            bad_input(fmt::format("grid '{}' belongs to station #{} of {}", plan.grid_id[g],
                                  plan.grid_station[g], plan.stations.size()));
}

// Transformers grouped by grid and grids grouped by station: the traversal order every count
// below relies on.
struct Layout {
    std::vector<std::size_t> grid_start; // members of grid g: members[grid_start[g] .. g+1)
    std::vector<std::size_t> members;    // transformer indices, ascending within a grid
    std::vector<std::size_t> grid_order; // grids ordered by station, then by index

    Layout(const Plan& plan, std::size_t n)
    {
        const std::size_t grids = plan.num_grids();
        grid_start.assign(grids + 1, 0);
        for (std::size_t t = 0; t < n; ++t) ++grid_start[plan.grid_of[t] + 1];
        for (std::size_t g = 0; g < grids; ++g) grid_start[g + 1] += grid_start[g];
        members.resize(n);
        std::vector<std::size_t> next(grid_start.begin(), grid_start.end() - 1);
        for (std::size_t t = 0; t < n; ++t) members[next[plan.grid_of[t]]++] = t;

        grid_order.resize(grids);
        for (std::size_t g = 0; g < grids; ++g) grid_order[g] = g;
        std::stable_sort(grid_order.begin(), grid_order.end(), [&](std::size_t a, std::size_t b) {
            return plan.grid_station[a] < plan.grid_station[b];
        });
    }

    template <class F>
    void for_members(std::size_t g, F&& f) const
    {
        for (std::size_t k = grid_start[g]; k < grid_start[g + 1]; ++k) f(members[k]);
    }
};

// Dense index per distinct non-empty string (npos for ""), in order of first appearance.
std::vector<std::size_t> key_strings(const Territory& territory,
                                     std::string TransformerArea::*field, std::size_t& num_keys)
{
    std::unordered_map<std::string, std::size_t> index;
    std::vector<std::size_t> keys(territory.transformers.size(), npos);
    for (std::size_t t = 0; t < keys.size(); ++t) {
        const std::string& value = territory.transformers[t].*field;
        if (value.empty()) continue;
        keys[t] = index.emplace(value, index.size()).first->second;
    }
    num_keys = index.size();
    return keys;
}

// The unit of level `level` holding each transformer (npos when it lies in no unit or a parent
// link is missing): its finest unit followed up the parent chain.
std::vector<std::size_t> units_at_level(const Territory& territory, std::size_t level)
{
    const std::size_t n = territory.transformers.size();
    std::vector<std::size_t> keys(n, npos);
    if (territory.levels.empty() || territory.transformer_unit.size() != n) return keys;
    const std::size_t finest = territory.levels.size() - 1;
    // Climb once per finest unit, not once per transformer.
    const std::vector<AdminUnit>& finest_units = territory.levels[finest].units;
    std::vector<std::size_t> up(finest_units.size(), npos);
    for (std::size_t u = 0; u < finest_units.size(); ++u) {
        std::size_t unit = u;
        for (std::size_t l = finest; l > level && unit != npos; --l) {
            const std::size_t parent = territory.levels[l].units[unit].parent;
            unit = parent < territory.levels[l - 1].units.size() ? parent : npos;
        }
        up[u] = unit;
    }
    for (std::size_t t = 0; t < n; ++t) {
        const std::size_t u = territory.transformer_unit[t];
        if (u < up.size()) keys[t] = up[u];
    }
    return keys;
}

// Sum over keys (units, feeders) of (grids the key spans - 1), overall and per station (there
// restricted to the station's grids). Equals distinct (key, grid) pairs minus distinct keys, and
// both are counted with last-seen stamps while visiting grids station by station.
struct Splits {
    std::size_t overall = 0;
    std::vector<std::size_t> per_station;
};

// Lower bound on the splits of any plan whose grids are no heavier than this plan's heaviest
// grid of each station: a key's transformers of station s (load L) need at least
// ceil(L / heaviest_s) grids of s, and every (key, station) pair at least one.
Splits split_bounds(const Territory& territory, const Plan& plan, const std::vector<std::size_t>& keys,
                    std::size_t num_keys)
{
    const std::size_t stations = plan.stations.size();
    std::vector<double> heaviest(stations, 0.0);
    for (std::size_t g = 0; g < plan.num_grids(); ++g)
        heaviest[plan.grid_station[g]] = std::max(heaviest[plan.grid_station[g]], plan.grid_load[g]);
    std::unordered_map<std::uint64_t, double> load; // key * stations + station -> load
    for (std::size_t t = 0; t < territory.transformers.size(); ++t) {
        const std::size_t k = keys[t];
        if (k == npos) continue;
        load[static_cast<std::uint64_t>(k) * stations + plan.grid_station[plan.grid_of[t]]] += plan.load[t];
    }
    Splits out;
    out.per_station.assign(stations, 0);
    std::vector<char> seen(num_keys, 0);
    std::size_t needed = 0, distinct = 0;
    for (const auto& [key, l] : load) {
        const std::size_t s = static_cast<std::size_t>(key % stations);
        const std::size_t k = static_cast<std::size_t>(key / stations);
        const double n = heaviest[s] > 0.0 ? std::ceil(l / heaviest[s] - 1e-9) : 1.0;
        const auto grids = static_cast<std::size_t>(std::max(1.0, n));
        needed += grids;
        out.per_station[s] += grids - 1;
        if (!seen[k]) {
            seen[k] = 1;
            ++distinct;
        }
    }
    out.overall = needed - distinct;
    return out;
}

Splits count_splits(const Plan& plan, const Layout& layout, const std::vector<std::size_t>& keys,
                    std::size_t num_keys)
{
    const std::size_t stations = plan.stations.size();
    std::vector<std::size_t> last_grid(num_keys, npos);
    std::vector<std::size_t> last_station(num_keys, npos);
    std::vector<char> seen(num_keys, 0);
    std::size_t pairs = 0;
    std::size_t distinct = 0;
    std::vector<std::size_t> station_pairs(stations, 0);
    std::vector<std::size_t> station_distinct(stations, 0);
    for (std::size_t g : layout.grid_order) {
        const std::size_t s = plan.grid_station[g];
        layout.for_members(g, [&](std::size_t t) {
            const std::size_t k = keys[t];
            if (k == npos) return;
            if (last_grid[k] != g) {
                last_grid[k] = g;
                ++pairs;
                ++station_pairs[s];
            }
            if (last_station[k] != s) {
                last_station[k] = s;
                ++station_distinct[s];
            }
            if (seen[k] == 0) {
                seen[k] = 1;
                ++distinct;
            }
        });
    }
    Splits out;
    out.overall = pairs - distinct;
    out.per_station.resize(stations);
    for (std::size_t s = 0; s < stations; ++s)
        out.per_station[s] = station_pairs[s] - station_distinct[s];
    return out;
}

// Continuity: for each current manager, the grid holding most of its customers (computed within
// the scope: the whole plan, or one station); the share of managed customers in that grid.
// -1 when no transformer in the scope has a manager; 1 when they all have zero customers (no
// customer changed hands).
struct Continuity {
    double overall = -1.0;
    std::vector<double> per_station;
};

Continuity measure_continuity(const Territory& territory, const Plan& plan, const Layout& layout)
{
    const std::size_t stations = plan.stations.size();
    std::size_t num_managers = 0;
    const std::vector<std::size_t> manager =
        key_strings(territory, &TransformerArea::current_manager, num_managers);

    // Customers per (manager, grid) pair, generated grid by grid in station order, so each
    // station's pairs form one contiguous block.
    struct Pair {
        std::size_t manager;
        std::size_t station;
        double customers;
    };
    std::vector<Pair> pairs;
    std::vector<std::size_t> last_grid(num_managers, npos);
    std::vector<std::size_t> pair_of(num_managers, npos);
    std::vector<double> managed(stations, 0.0);
    std::vector<char> has_manager(stations, 0);
    for (std::size_t g : layout.grid_order) {
        const std::size_t s = plan.grid_station[g];
        layout.for_members(g, [&](std::size_t t) {
            const std::size_t m = manager[t];
            if (m == npos) return;
            if (last_grid[m] != g) {
                last_grid[m] = g;
                pair_of[m] = pairs.size();
                pairs.push_back(Pair{m, s, 0.0});
            }
            pairs[pair_of[m]].customers += territory.transformers[t].customers;
            managed[s] += territory.transformers[t].customers;
            has_manager[s] = 1;
        });
    }

    const auto share = [](double kept, double total, bool any) {
        if (!any) return -1.0;
        return total > 0.0 ? kept / total : 1.0;
    };

    Continuity out;
    std::vector<double> best(num_managers, 0.0);
    for (const Pair& p : pairs) best[p.manager] = std::max(best[p.manager], p.customers);
    double kept = 0.0;
    for (double b : best) kept += b;
    double managed_total = 0.0;
    bool any = false;
    for (std::size_t s = 0; s < stations; ++s) {
        managed_total += managed[s];
        any = any || has_manager[s] != 0;
    }
    out.overall = share(kept, managed_total, any);

    out.per_station.assign(stations, -1.0);
    std::vector<double> station_best(num_managers, 0.0);
    std::vector<std::size_t> stamp(num_managers, npos);
    for (std::size_t begin = 0; begin < pairs.size();) {
        const std::size_t s = pairs[begin].station;
        std::size_t end = begin;
        double station_kept = 0.0;
        for (; end < pairs.size() && pairs[end].station == s; ++end) {
            const Pair& p = pairs[end];
            if (stamp[p.manager] != s) {
                stamp[p.manager] = s;
                station_best[p.manager] = 0.0;
            }
            // Keep a running sum of the per-manager maxima: add only the improvement.
            if (p.customers > station_best[p.manager]) {
                station_kept += p.customers - station_best[p.manager];
                station_best[p.manager] = p.customers;
            }
        }
        out.per_station[s] = share(station_kept, managed[s], has_manager[s] != 0);
        begin = end;
    }
    return out;
}

// Per grid: the pieces it forms on the map. From the dissolved polygons when there are any
// (what the planner sees); otherwise the pieces its transformers form by the graph's border
// edges (own BFS). O(n + m).
std::vector<std::size_t> count_pieces(const CsrGraph& graph, const Plan& plan, const Layout& layout,
                                      const std::vector<MultiPolygon>& grid_shapes)
{
    const std::size_t grids = plan.num_grids();
    std::vector<std::size_t> pieces(grids, 0);
    if (!grid_shapes.empty()) {
        for (std::size_t g = 0; g < grids; ++g) pieces[g] = grid_shapes[g].size();
        return pieces;
    }
    std::vector<char> visited(plan.grid_of.size(), 0);
    std::vector<std::size_t> queue;
    for (std::size_t g = 0; g < grids; ++g) {
        layout.for_members(g, [&](std::size_t start) {
            if (visited[start] != 0) return;
            ++pieces[g];
            visited[start] = 1;
            queue.assign(1, start);
            for (std::size_t head = 0; head < queue.size(); ++head) {
                const std::size_t v = queue[head];
                for (std::size_t k = graph.xadj[v]; k < graph.xadj[v + 1]; ++k) {
                    const std::size_t u = graph.adjncy[k];
                    if ((graph.kind[k] & edge_border) == 0) continue;
                    if (visited[u] != 0 || plan.grid_of[u] != g) continue;
                    visited[u] = 1;
                    queue.push_back(u);
                }
            }
        });
    }
    return pieces;
}

// The grid measures that need only its own transformers and polygon.
GridMetrics measure_grid(const Territory& territory, const Plan& plan, const Layout& layout,
                         std::size_t g, const std::vector<std::size_t>& feeder_key,
                         std::vector<std::size_t>& feeder_seen,
                         std::vector<std::size_t>& unit_seen,
                         const std::vector<MultiPolygon>& grid_shapes)
{
    GridMetrics m;
    double sum_x = 0.0;
    double sum_y = 0.0;
    double plain_x = 0.0;
    double plain_y = 0.0;
    const bool have_units = territory.transformer_unit.size() == territory.transformers.size();
    layout.for_members(g, [&](std::size_t t) {
        const TransformerArea& tr = territory.transformers[t];
        const double load = plan.load[t];
        m.load += load;
        m.customers += tr.customers;
        ++m.transformers;
        sum_x += load * tr.location.x;
        sum_y += load * tr.location.y;
        plain_x += tr.location.x;
        plain_y += tr.location.y;
        // Stamps with the grid index count each feeder and unit once per grid.
        const std::size_t f = feeder_key[t];
        if (f != npos && feeder_seen[f] != g) {
            feeder_seen[f] = g;
            ++m.feeders;
        }
        const std::size_t u = have_units ? territory.transformer_unit[t] : npos;
        if (u < unit_seen.size() && unit_seen[u] != g) {
            unit_seen[u] = g;
            ++m.admin_units;
        }
    });
    if (m.transformers > 0) {
        // A grid with no load still has a place on the map: its plain mean position.
        const double count = static_cast<double>(m.transformers);
        m.centre = m.load > 0.0 ? Point{sum_x / m.load, sum_y / m.load}
                                : Point{plain_x / count, plain_y / count};
        double weighted = 0.0;
        double plain = 0.0;
        layout.for_members(g, [&](std::size_t t) {
            const Point& p = territory.transformers[t].location;
            const double d = std::hypot(p.x - m.centre.x, p.y - m.centre.y);
            weighted += territory.transformers[t].customers * d;
            plain += d;
        });
        m.mean_distance_m = m.customers > 0.0 ? weighted / m.customers : plain / count;
    }
    const double target = plan.grid_target[g];
    m.deviation = target > 0.0 ? m.load / target - 1.0 : 0.0;
    if (!grid_shapes.empty()) {
        const double a = area(grid_shapes[g]);
        const double p = perimeter(grid_shapes[g]);
        m.area_km2 = a / 1e6;
        m.perimeter_km = p / 1e3;
        m.polsby_popper = p > 0.0 ? 4.0 * pi * a / (p * p) : 0.0;
    }
    return m;
}

// Folds one grid into a summary (the parts that are sums or extremes over grids).
void add_grid(MetricsSummary& s, const GridMetrics& m, std::size_t pieces)
{
    if (s.grids == 0) {
        s.min_load = m.load;
        s.max_load = m.load;
        s.polsby_popper_min = m.polsby_popper;
    }
    ++s.grids;
    s.transformers += m.transformers;
    s.customers += m.customers;
    s.load += m.load;
    s.max_abs_deviation = std::max(s.max_abs_deviation, std::abs(m.deviation));
    s.min_load = std::min(s.min_load, m.load);
    s.max_load = std::max(s.max_load, m.load);
    s.polsby_popper_mean += m.polsby_popper; // divided by the grid count in finish()
    s.polsby_popper_min = std::min(s.polsby_popper_min, m.polsby_popper);
    if (pieces > 1) ++s.non_contiguous;
}

// Turns the folded sums into the reported means and ratios.
void finish(MetricsSummary& s, double weighted_distance, double plain_distance)
{
    if (s.grids > 0) {
        s.polsby_popper_mean /= static_cast<double>(s.grids);
        s.max_over_min = s.min_load > 0.0 ? s.max_load / s.min_load
                                          : std::numeric_limits<double>::infinity();
    }
    if (s.customers > 0.0)
        s.mean_distance_m = weighted_distance / s.customers;
    else if (s.transformers > 0)
        s.mean_distance_m = plain_distance / static_cast<double>(s.transformers);
}

} // namespace

PlanMetrics compute_metrics(const Territory& territory, const AdjacencyGraph& graph,
                            const Plan& plan, const std::vector<MultiPolygon>& grid_shapes)
{
    const CsrGraph& csr = graph.graph;
    check_inputs(territory, csr, plan, grid_shapes);
    const std::size_t n = territory.transformers.size();
    const std::size_t grids = plan.num_grids();
    const std::size_t stations = plan.stations.size();
    const Layout layout(plan, n);

    PlanMetrics out;

    // Per grid.
    std::size_t num_feeders = 0;
    const std::vector<std::size_t> feeder_key =
        key_strings(territory, &TransformerArea::feeder_id, num_feeders);
    std::vector<std::size_t> feeder_seen(num_feeders, npos);
    const std::size_t finest_units =
        territory.levels.empty() ? 0 : territory.levels.back().units.size();
    std::vector<std::size_t> unit_seen(finest_units, npos);
    out.grids.reserve(grids);
    for (std::size_t g = 0; g < grids; ++g)
        out.grids.push_back(measure_grid(territory, plan, layout, g, feeder_key, feeder_seen,
                                         unit_seen, grid_shapes));

    // Sums and extremes over grids.
    const std::vector<std::size_t> pieces = count_pieces(csr, plan, layout, grid_shapes);
    out.stations.assign(stations, MetricsSummary{});
    for (std::size_t g = 0; g < grids; ++g) {
        add_grid(out.overall, out.grids[g], pieces[g]);
        add_grid(out.stations[plan.grid_station[g]], out.grids[g], pieces[g]);
    }

    // Distances to the grid centre, over transformers.
    std::vector<double> weighted(stations, 0.0);
    std::vector<double> plain(stations, 0.0);
    for (std::size_t t = 0; t < n; ++t) {
        const std::size_t g = plan.grid_of[t];
        const Point& c = out.grids[g].centre;
        const Point& p = territory.transformers[t].location;
        const double d = std::hypot(p.x - c.x, p.y - c.y);
        weighted[plan.grid_station[g]] += territory.transformers[t].customers * d;
        plain[plan.grid_station[g]] += d;
    }
    double all_weighted = 0.0;
    double all_plain = 0.0;
    for (std::size_t s = 0; s < stations; ++s) {
        finish(out.stations[s], weighted[s], plain[s]);
        all_weighted += weighted[s];
        all_plain += plain[s];
    }
    finish(out.overall, all_weighted, all_plain);

    // Cut edges: each undirected edge once (entries with v < u).
    std::vector<char> straddles(plan.num_grids(), 0);
    for (std::size_t v = 0; v < n; ++v) {
        for (std::size_t k = csr.xadj[v]; k < csr.xadj[v + 1]; ++k) {
            const std::size_t u = csr.adjncy[k];
            const std::size_t gv = plan.grid_of[v];
            const std::size_t gu = plan.grid_of[u];
            if (u <= v) continue;
            if (csr.kind[k] & edge_barrier) {
                const std::size_t s = plan.grid_station[gv];
                ++out.overall.barrier_edges;
                if (s == plan.grid_station[gu]) ++out.stations[s].barrier_edges;
                if (gv == gu) {
                    ++out.overall.barrier_edges_inside;
                    ++out.stations[s].barrier_edges_inside;
                    if (!straddles[gv]) {
                        straddles[gv] = 1;
                        ++out.overall.grids_across_barriers;
                        ++out.stations[s].grids_across_barriers;
                    }
                }
            }
            // Cut edges are pairs of areas sharing a border across a grid border; a feeder link
            // between grids is counted as a feeder split, not here.
            if (gv == gu || (csr.kind[k] & edge_border) == 0) continue;
            const double km = csr.border_m[k] / 1e3;
            ++out.overall.cut_edges;
            out.overall.cut_border_km += km;
            const std::size_t s = plan.grid_station[gv];
            if (s == plan.grid_station[gu]) {
                ++out.stations[s].cut_edges;
                out.stations[s].cut_border_km += km;
            }
        }
    }

    // Integrity: admin levels (coarsest first, as the territory lists them) and feeders.
    for (std::size_t level = 0; level < territory.levels.size(); ++level) {
        const std::vector<std::size_t> keys = units_at_level(territory, level);
        const Splits splits =
            count_splits(plan, layout, keys, territory.levels[level].units.size());
        const std::string& name = territory.levels[level].name;
        out.overall.admin_splits.emplace_back(name, splits.overall);
        for (std::size_t s = 0; s < stations; ++s)
            out.stations[s].admin_splits.emplace_back(name, splits.per_station[s]);
        const Splits bound = split_bounds(territory, plan, keys, territory.levels[level].units.size());
        out.overall.admin_splits_bound.emplace_back(name, bound.overall);
        for (std::size_t s = 0; s < stations; ++s)
            out.stations[s].admin_splits_bound.emplace_back(name, bound.per_station[s]);
    }
    const Splits feeder_splits = count_splits(plan, layout, feeder_key, num_feeders);
    out.overall.feeder_splits = feeder_splits.overall;
    for (std::size_t s = 0; s < stations; ++s)
        out.stations[s].feeder_splits = feeder_splits.per_station[s];
    const Splits feeder_bound = split_bounds(territory, plan, feeder_key, num_feeders);
    out.overall.feeder_splits_bound = feeder_bound.overall;
    for (std::size_t s = 0; s < stations; ++s)
        out.stations[s].feeder_splits_bound = feeder_bound.per_station[s];

    const Continuity continuity = measure_continuity(territory, plan, layout);
    out.overall.continuity = continuity.overall;
    for (std::size_t s = 0; s < stations; ++s)
        out.stations[s].continuity = continuity.per_station[s];

    for (std::size_t s = 0; s < stations; ++s) {
        out.stations[s].lower_bound = plan.stations[s].lower_bound;
        out.overall.lower_bound = std::max(out.overall.lower_bound, plan.stations[s].lower_bound);
    }
    return out;
}

} // namespace libgrid
