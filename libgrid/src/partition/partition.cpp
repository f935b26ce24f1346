// partition(): the territory-level planner. Splits the territory into independent regions
// (station x nest unit x connected piece), decides how many grids each gets, builds each
// region's graph with cut costs for the soft objectives, and runs the region partitioner.
#include "core/parallel.hpp"
#include "partition/internal.hpp"

#include <libgrid/error.hpp>
#include <libgrid/partition.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <thread>
#include <cmath>
#include <map>
#include <set>
#include <numeric>

namespace libgrid {
namespace {

/// Compactness price of cutting an adjacency edge with `border_m` metres of shared border,
/// when the mean border is `mean_border`: mostly per edge (cut edges, which also keeps
/// grids round in count of neighbours), partly per metre (Polsby-Popper, cut length). Edges
/// with no shared border (feeder links, points) cost little. The 0.8/0.2 blend was chosen
/// by bench-partition's districting suite: NY8 into 10 went from 157 cut edges to 147 at
/// the same balance and mean Polsby-Popper (0.37), Georgia kept its cut (100-105).
double compactness_cost(double border_m, double mean_border)
{
    return border_m > 0 ? 0.8 + 0.2 * border_m / mean_border : 0.1;
}

constexpr std::uint32_t none32 = std::numeric_limits<std::uint32_t>::max();

/// A station meets the balance tolerance when its max deviation is within it up to this: loads
/// are sums of doubles, so a plan exactly at the tolerance may read a few ulps above it.
constexpr double tolerance_slack = 1e-9;

/// True for an edge that connects a grid: the two areas share a border. Feeder-only edges are
/// affinities: dear to cut, never a connection.
bool is_link(std::uint8_t kind) { return (kind & edge_border) != 0; }

/// A connected set of transformers that must be planned on its own.
struct Region {
    std::size_t station = 0;
    std::size_t nest_unit = npos;
    std::vector<std::uint32_t> vertices;
    double load = 0.0;
    std::size_t grids = 0;
};

/// Largest-remainder apportionment of `total` seats over `weights`, at least `minimum[i]` and at
/// most `maximum[i]` each. Returns false when the bounds make it impossible.
bool apportion(std::size_t total, const std::vector<double>& weights, const std::vector<std::size_t>& minimum,
               const std::vector<std::size_t>& maximum, std::vector<std::size_t>& seats)
{
    const std::size_t n = weights.size();
    const std::size_t min_sum = std::accumulate(minimum.begin(), minimum.end(), std::size_t{0});
    const std::size_t max_sum = std::accumulate(maximum.begin(), maximum.end(), std::size_t{0});
    if (total < min_sum || total > max_sum) return false;
    const double wsum = std::accumulate(weights.begin(), weights.end(), 0.0);
    seats.assign(n, 0);
    std::vector<double> quota(n);
    for (std::size_t i = 0; i < n; ++i) {
        quota[i] = wsum > 0 ? weights[i] / wsum * static_cast<double>(total) : static_cast<double>(total) / static_cast<double>(n);
        seats[i] = std::clamp(static_cast<std::size_t>(std::floor(quota[i])), minimum[i], maximum[i]);
    }
    std::size_t given = std::accumulate(seats.begin(), seats.end(), std::size_t{0});
    // Hand out or take back one seat at a time where the quota is furthest from the seats;
    // ties by index keep it deterministic.
    while (given != total) {
        std::size_t pick = npos;
        double best = -std::numeric_limits<double>::infinity();
        for (std::size_t i = 0; i < n; ++i) {
            const double gap = given < total ? quota[i] - static_cast<double>(seats[i])
                                             : static_cast<double>(seats[i]) - quota[i];
            const bool room = given < total ? seats[i] < maximum[i] : seats[i] > minimum[i];
            if (room && gap > best) {
                best = gap;
                pick = i;
            }
        }
        if (pick == npos) return false;
        if (given < total) {
            ++seats[pick];
            ++given;
        } else {
            --seats[pick];
            --given;
        }
    }
    return true;
}

class Planner {
public:
    Planner(const Territory& t, const AdjacencyGraph& g, const PartitionOptions& o)
        : m_t(t), m_graph(g.graph), m_o(o), m_n(t.transformers.size())
    {
    }

    /// Every number of the options finite and >= 0 (a NaN weight would make every comparison
    /// false and the search undefined), and every class weight naming a class some transformer
    /// has (a misspelt class would silently weigh nothing).
    void check_numbers() const
    {
        const auto& w = m_o.weights;
        const auto& l = m_o.workload;
        const std::pair<const char*, double> numbers[] = {
            {"--balance-tolerance", m_o.balance_tolerance},
            {"--target-load", m_o.target_load},
            {"--max-load", m_o.max_load},
            {"--weight-compactness", w.compactness},
            {"--weight-admin", w.admin},
            {"--weight-feeder", w.feeder},
            {"--weight-continuity", w.continuity},
            {"--weight-barrier", w.barrier},
            {"--default-class-weight", l.default_class_weight},
            {"--per-transformer-weight", l.per_transformer},
            {"--per-km-feeder-weight", l.per_km_feeder},
            {"--workload-weight", l.workload_weight}};
        for (const auto& [name, value] : numbers)
            if (!std::isfinite(value) || value < 0)
                throw Error(ErrorCode::invalid_option,
                            fmt::format("partition: {} {} is not a finite number >= 0 (fix: give a number such as 0.01 "
                                        "or leave the option out for its default)",
                                        name, value));
        std::set<std::string> classes;
        for (const auto& t : m_t.transformers)
            for (const auto& c : t.classes) classes.insert(c.name);
        for (const auto& [cls, weight] : l.class_weights) {
            if (!std::isfinite(weight) || weight < 0)
                throw Error(ErrorCode::invalid_option,
                            fmt::format("partition: --class-weight {}={} is not a finite number >= 0", cls, weight));
            if (!classes.count(cls))
                throw Error(ErrorCode::invalid_option,
                            fmt::format("partition: --class-weight names class '{}', which no transformer has; the "
                                        "classes are: {} (fix: correct the class name)",
                                        cls, classes.empty() ? std::string("(none: no customers_<class> field)")
                                                             : fmt::format("{}", fmt::join(classes, ", "))));
        }
    }

    Plan run()
    {
        if (m_graph.num_vertices() != m_n)
            throw Error(ErrorCode::invalid_argument,
                        fmt::format("partition: the graph has {} vertices for {} transformers",
                                    m_graph.num_vertices(), m_n));
        check_numbers();
        if (m_o.grids == 0 && m_o.grids_per_station.empty() && !(m_o.target_load > 0) && !(m_o.max_load > 0))
            throw Error(ErrorCode::invalid_option,
                        "partition: say how many grids: give --grids K, --target-load N or --max-load N");
        if (m_n == 0) throw Error(ErrorCode::invalid_input, "partition: the territory has no transformer");
        m_phases = detail::phases_without(m_o.skip_phases);
        if (m_o.progress) m_o.progress(Progress{"partition", 0.0});
        m_plan.load = compute_loads(m_t, m_o.workload);
        m_plan.max_load = m_o.max_load;
        find_stations();
        find_nest_level();
        build_costs();
        build_regions();
        check_atoms_against_cap();
        decide_grid_counts();
        solve_regions();
        finish();
        return std::move(m_plan);
    }

    /// Scores the given grids (a grid id per transformer) as run() scores its own plan: loads,
    /// station targets, bounds (per region, with the grids each region holds) and the tolerance.
    Plan evaluate(const std::vector<std::string>& grid_of)
    {
        if (m_graph.num_vertices() != m_n || grid_of.size() != m_n)
            throw Error(ErrorCode::invalid_argument,
                        fmt::format("partition: evaluate got {} grid ids and a graph of {} vertices for {} transformers",
                                    grid_of.size(), m_graph.num_vertices(), m_n));
        if (m_n == 0) throw Error(ErrorCode::invalid_input, "partition: the territory has no transformer");
        prepare_regions();
        m_evaluating = true;
        take_grids(grid_of);
        bound_regions();
        finish();
        return std::move(m_plan);
    }

    /// The regions run() plans one by one, with their graphs (loads and cut costs of these
    /// options), for the re-planner's chains.
    std::vector<detail::PlannedRegion> regions()
    {
        prepare_regions();
        std::vector<detail::PlannedRegion> out;
        for (std::size_t r = 0; r < m_regions.size(); ++r)
            out.push_back({m_regions[r].station, m_regions[r].vertices, region_graph(r)});
        return out;
    }

private:
    /// Loads, stations, nest units, cut costs and regions (indexed) for the options: what
    /// evaluate() and regions() start from.
    void prepare_regions()
    {
        check_numbers();
        m_plan.load = compute_loads(m_t, m_o.workload);
        find_stations();
        find_nest_level();
        build_costs();
        build_regions();
        index_regions();
    }

    /// The given grids, numbered in order of first appearance; each belongs to the station
    /// (and nest unit, and region) holding most of its load (of its transformers when it has
    /// no load), lowest index on ties. A grid over several is one finding of the evaluation.
    void take_grids(const std::vector<std::string>& grid_of)
    {
        std::map<std::string, std::uint32_t> index;
        m_plan.grid_of.assign(m_n, none32);
        for (std::size_t i = 0; i < m_n; ++i) {
            if (grid_of[i].empty())
                throw Error(ErrorCode::invalid_argument,
                            fmt::format("partition: transformer '{}' has no grid to evaluate", m_t.transformers[i].id));
            const auto [it, added] = index.try_emplace(grid_of[i], static_cast<std::uint32_t>(m_plan.grid_id.size()));
            if (added) m_plan.grid_id.push_back(grid_of[i]);
            m_plan.grid_of[i] = it->second;
        }
        const std::size_t G = m_plan.grid_id.size();
        const auto majority = [&](auto key_of, std::size_t keys) {
            std::vector<std::map<std::size_t, std::pair<double, std::size_t>>> weight(G);
            for (std::size_t i = 0; i < m_n; ++i) {
                auto& w = weight[m_plan.grid_of[i]][key_of(i)];
                w.first += m_plan.load[i];
                ++w.second;
            }
            std::vector<std::size_t> out(G, keys);
            for (std::size_t g = 0; g < G; ++g) {
                std::pair<double, std::size_t> best{-1.0, 0};
                for (const auto& [key, w] : weight[g])
                    if (w > best) { // map order: the lowest key wins ties
                        best = w;
                        out[g] = key;
                    }
            }
            return out;
        };
        m_plan.grid_station = majority([&](std::size_t i) { return m_station_of[i]; }, 0);
        m_plan.grid_nest_unit = majority([&](std::size_t i) { return m_unit_of[i]; }, npos);
        m_grid_region = majority([&](std::size_t i) { return std::size_t{m_region_of[i]}; }, 0);
        m_plan.grid_relaxed.assign(G, 0);
        for (auto& st : m_plan.stations) st.grids = 0;
        for (std::size_t g = 0; g < G; ++g) ++m_plan.stations[m_plan.grid_station[g]].grids;
        for (std::size_t s = 0; s < m_plan.stations.size(); ++s) {
            auto& st = m_plan.stations[s];
            st.target = st.grids ? st.load / static_cast<double>(st.grids) : 0.0;
            if (!st.grids)
                st.notes.push_back(fmt::format("station {}: no grid belongs to it (its transformers are in grids "
                                               "that mostly serve other stations)",
                                               station_name(s)));
        }
        for (auto& reg : m_regions) reg.grids = 0;
        for (std::size_t g = 0; g < G; ++g) ++m_regions[m_grid_region[g]].grids;
    }

    /// Each region's bound for the grids it holds. Where the given grids leave a region without
    /// a grid of its own (a grid spans it and another piece), the station's grids are shared
    /// over its regions by load instead, as run() shares them, so that the bound stays one a
    /// contiguous plan with the station's grid count has.
    void bound_regions()
    {
        const std::size_t R = m_regions.size(), S = m_plan.stations.size();
        std::vector<std::vector<std::size_t>> regions_of(S);
        for (std::size_t r = 0; r < R; ++r) regions_of[m_regions[r].station].push_back(r);
        for (std::size_t s = 0; s < S; ++s) {
            // The grids each region holds must add up to the station's (a grid spanning stations
            // may be counted in a region of another station) and fit each region.
            bool fits = true;
            std::size_t counted = 0;
            for (const std::size_t r : regions_of[s]) {
                fits = fits && m_regions[r].grids >= 1 && m_regions[r].grids <= m_regions[r].vertices.size();
                counted += m_regions[r].grids;
            }
            if (fits && counted == m_plan.stations[s].grids) continue;
            if (m_plan.stations[s].grids == 0) { // said in take_grids(); no bound to give
                for (const std::size_t r : regions_of[s]) m_regions[r].grids = 0;
                continue;
            }
            std::vector<std::size_t> seats;
            if (!share_over_regions(m_plan.stations[s].grids, regions_of[s], seats)) {
                m_plan.stations[s].notes.push_back(fmt::format(
                    "station {} has {} grids for {} separate pieces (islands{}): no contiguous plan has so few grids",
                    station_name(s), m_plan.stations[s].grids, regions_of[s].size(), m_nest != npos ? " or nest units" : ""));
                continue;
            }
            for (std::size_t i = 0; i < regions_of[s].size(); ++i) m_regions[regions_of[s][i]].grids = seats[i];
        }
        m_region_bound.assign(R, 0.0);
        m_region_bound_reason.assign(R, std::string());
        for (std::size_t r = 0; r < R; ++r) {
            const Region& reg = m_regions[r];
            const double target = m_plan.stations[reg.station].target;
            if (reg.grids < 1 || reg.grids > reg.vertices.size() || !(target > 0)) continue;
            const auto bound = detail::region_bound(region_graph(r), reg.grids, target);
            m_region_bound[r] = bound.value;
            m_region_bound_reason[r] = bound_reason(r, bound.pocket_atom, bound.kind);
        }
    }

    std::string bound_reason(std::size_t r, std::uint32_t pocket_atom, const char* kind) const
    {
        const Region& reg = m_regions[r];
        return pocket_atom < reg.vertices.size()
                   ? fmt::format("pocket at transformer '{}'", m_t.transformers[reg.vertices[pocket_atom]].id)
                   : std::string(kind);
    }

    void find_stations()
    {
        std::vector<std::string> ids;
        for (const auto& tx : m_t.transformers) ids.push_back(tx.station_id);
        std::sort(ids.begin(), ids.end());
        ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
        m_station_of.resize(m_n);
        for (std::size_t i = 0; i < m_n; ++i)
            m_station_of[i] = static_cast<std::size_t>(
                std::lower_bound(ids.begin(), ids.end(), m_t.transformers[i].station_id) - ids.begin());
        for (const auto& id : ids) {
            StationPlan s;
            s.station_id = id;
            m_plan.stations.push_back(s);
        }
        for (std::size_t i = 0; i < m_n; ++i) {
            auto& s = m_plan.stations[m_station_of[i]];
            ++s.transformers;
            s.load += m_plan.load[i];
        }
        for (const auto& [id, k] : m_o.grids_per_station)
            if (!std::binary_search(ids.begin(), ids.end(), id))
                throw Error(ErrorCode::invalid_option,
                            fmt::format("partition: grids are given for station '{}', which no transformer names", id));
    }

    void find_nest_level()
    {
        m_unit_of.assign(m_n, npos);
        if (m_o.nest_level.empty()) return;
        std::string names;
        for (std::size_t l = 0; l < m_t.levels.size(); ++l) {
            if (m_t.levels[l].name == m_o.nest_level) m_nest = l;
            names += (names.empty() ? "" : ", ") + m_t.levels[l].name;
        }
        if (m_nest == npos)
            throw Error(ErrorCode::invalid_option,
                        fmt::format("partition: --nest-level '{}' is not an admin level; the levels are: {}",
                                    m_o.nest_level, names.empty() ? "(none given)" : names));
        for (std::size_t i = 0; i < m_n; ++i) m_unit_of[i] = unit_at(i, m_nest);
    }

    std::size_t unit_at(std::size_t i, std::size_t level) const
    {
        if (m_t.levels.empty() || i >= m_t.transformer_unit.size()) return npos;
        std::size_t u = m_t.transformer_unit[i];
        for (std::size_t l = m_t.levels.size() - 1; l > level && u != npos; --l) u = m_t.levels[l].units[u].parent;
        return u;
    }

    /// Cut cost of each graph entry: compactness (border length relative to the mean) plus the
    /// soft objectives as the price of separating two atoms that belong together.
    void build_costs()
    {
        const auto& g = m_graph;
        double border_sum = 0.0;
        std::size_t border_count = 0;
        for (std::size_t k = 0; k < g.adjncy.size(); ++k)
            if (g.border_m[k] > 0) {
                border_sum += g.border_m[k];
                ++border_count;
            }
        const double mean_border = border_count ? border_sum / static_cast<double>(border_count) : 1.0;
        const auto& w = m_o.weights;
        std::vector<std::vector<std::size_t>> units(m_t.levels.size());
        for (std::size_t l = 0; l < m_t.levels.size(); ++l)
            for (std::size_t i = 0; i < m_n; ++i) units[l].push_back(unit_at(i, l));
        m_cost.resize(g.adjncy.size());
        for (std::size_t v = 0; v < m_n; ++v)
            for (std::size_t k = g.xadj[v]; k < g.xadj[v + 1]; ++k) {
                const std::size_t u = g.adjncy[k];
                const auto& a = m_t.transformers[v];
                const auto& b = m_t.transformers[u];
                double c = w.compactness * compactness_cost(g.border_m[k], mean_border);
                // Finer levels first: splitting a compound costs the most, then a community...
                for (std::size_t l = 0; l < m_t.levels.size(); ++l)
                    if (units[l][v] != npos && units[l][v] == units[l][u])
                        c += w.admin * static_cast<double>(l + 1) / static_cast<double>(m_t.levels.size());
                if (!a.feeder_id.empty() && a.feeder_id == b.feeder_id) c += w.feeder;
                if (!a.current_manager.empty() && a.current_manager == b.current_manager) c += w.continuity;
                // A border along a road, river or railway is where a grid border should run.
                if (g.kind[k] & edge_barrier) c /= 1.0 + 4.0 * std::max(w.barrier, 0.0);
                m_cost[k] = std::max(c, 1e-6);
            }
    }

    /// Regions: connected pieces of (station, nest unit), found over links (shared borders)
    /// only: a feeder link pulls two transformers together but never connects a grid.
    void build_regions()
    {
        std::vector<std::uint32_t> region_of(m_n, none32);
        std::vector<std::uint32_t> queue;
        for (std::size_t s = 0; s < m_n; ++s) {
            if (region_of[s] != none32) continue;
            Region r;
            r.station = m_station_of[s];
            r.nest_unit = m_unit_of[s];
            const auto id = static_cast<std::uint32_t>(m_regions.size());
            queue.assign(1, static_cast<std::uint32_t>(s));
            region_of[s] = id;
            for (std::size_t qi = 0; qi < queue.size(); ++qi) {
                const std::uint32_t v = queue[qi];
                r.vertices.push_back(v);
                r.load += m_plan.load[v];
                for (std::size_t k = m_graph.xadj[v]; k < m_graph.xadj[v + 1]; ++k) {
                    const std::uint32_t u = m_graph.adjncy[k];
                    if (!is_link(m_graph.kind[k]) || region_of[u] != none32 || m_station_of[u] != r.station ||
                        m_unit_of[u] != r.nest_unit)
                        continue;
                    region_of[u] = id;
                    queue.push_back(u);
                }
            }
            std::sort(r.vertices.begin(), r.vertices.end());
            m_regions.push_back(std::move(r));
        }
    }

    [[noreturn]] void infeasible(const std::string& what) const
    {
        throw Error(ErrorCode::invalid_input, "partition: " + what);
    }

    void check_atoms_against_cap()
    {
        if (!(m_o.max_load > 0)) return;
        for (std::size_t i = 0; i < m_n; ++i) {
            if (m_plan.load[i] <= m_o.max_load) continue;
            const std::string what = fmt::format(
                "transformer '{}' alone has load {:.1f}, over the cap --max-load {:.1f}; no grid can hold it "
                "(fix: raise --max-load, or give --allow-infeasible to let its grid exceed the cap)",
                m_t.transformers[i].id, m_plan.load[i], m_o.max_load);
            if (!m_o.allow_infeasible) infeasible(what);
            m_over_cap_atoms.push_back(i);
        }
    }

    std::string station_name(std::size_t s) const
    {
        const auto& id = m_plan.stations[s].station_id;
        return id.empty() ? std::string("(the territory)") : fmt::format("'{}'", id);
    }

    /// Shares `grids` over a station's `regions` by load, at least one each and at most one per
    /// transformer (largest remainder). False when that is impossible.
    bool share_over_regions(std::size_t grids, const std::vector<std::size_t>& regions,
                            std::vector<std::size_t>& seats) const
    {
        std::vector<double> w;
        std::vector<std::size_t> lo, hi;
        for (const std::size_t r : regions) {
            w.push_back(m_regions[r].load);
            lo.push_back(1);
            hi.push_back(m_regions[r].vertices.size());
        }
        return apportion(grids, w, lo, hi, seats);
    }

    void decide_grid_counts()
    {
        const std::size_t S = m_plan.stations.size();
        std::vector<std::vector<std::size_t>> regions_of(S);
        for (std::size_t r = 0; r < m_regions.size(); ++r) regions_of[m_regions[r].station].push_back(r);
        // Grids per station.
        std::vector<std::size_t> k_station(S, 0);
        std::vector<char> given(S, 0);
        for (const auto& [id, k] : m_o.grids_per_station)
            for (std::size_t s = 0; s < S; ++s)
                if (m_plan.stations[s].station_id == id) {
                    k_station[s] = k;
                    given[s] = 1;
                }
        if (m_o.grids > 0) {
            std::vector<double> w;
            std::vector<std::size_t> lo, hi, seats;
            std::size_t rest = m_o.grids;
            std::vector<std::size_t> free;
            for (std::size_t s = 0; s < S; ++s) {
                if (given[s]) {
                    rest = rest >= k_station[s] ? rest - k_station[s] : 0;
                    continue;
                }
                free.push_back(s);
                w.push_back(m_plan.stations[s].load);
                lo.push_back(regions_of[s].size());
                hi.push_back(m_plan.stations[s].transformers);
            }
            if (!free.empty() && !apportion(rest, w, lo, hi, seats)) {
                const std::size_t need = std::accumulate(lo.begin(), lo.end(), std::size_t{0});
                const std::size_t most = std::accumulate(hi.begin(), hi.end(), std::size_t{0});
                const std::string what =
                    rest < need ? fmt::format("{} grids were asked but the territory has {} separate pieces "
                                              "(stations{} and islands), each needing a grid of its own "
                                              "(fix: ask for at least {} grids, or give --allow-infeasible to "
                                              "make one grid per piece)",
                                              m_o.grids, need, m_nest != npos ? ", nest units" : "", need)
                                : fmt::format("{} grids were asked but there are only {} transformers to "
                                              "share out (fix: ask for at most {} grids)",
                                              m_o.grids, most, most);
                if (!m_o.allow_infeasible) infeasible(what);
                for (std::size_t i = 0; i < free.size(); ++i) seats.push_back(0);
                // Relaxed: each piece gets at least one grid, at most its transformers.
                apportion(std::clamp(rest, need, most), w, lo, hi, seats);
                m_plan.stations[free.front()].notes.push_back("relaxed: " + what);
            }
            for (std::size_t i = 0; i < free.size(); ++i) k_station[free[i]] = seats[i];
        }
        for (std::size_t s = 0; s < S; ++s) {
            auto& st = m_plan.stations[s];
            if (k_station[s] == 0 && m_o.grids == 0 && !given[s]) {
                if (m_o.target_load > 0)
                    k_station[s] = static_cast<std::size_t>(std::llround(st.load / m_o.target_load));
                if (m_o.max_load > 0)
                    k_station[s] = std::max(k_station[s], static_cast<std::size_t>(std::ceil(st.load / m_o.max_load)));
            }
            k_station[s] = std::max<std::size_t>(k_station[s], 1);
            // Grids per region of the station.
            std::vector<std::size_t> seats;
            if (!share_over_regions(k_station[s], regions_of[s], seats)) {
                const std::size_t need = regions_of[s].size();
                const std::string what =
                    k_station[s] < need
                        ? fmt::format("station {} gets {} grids but falls into {} separate pieces (islands{}), each "
                                      "needing a grid of its own (fix: give it at least {} grids, join the pieces "
                                      "with feeder links, or give --allow-infeasible)",
                                      station_name(s), k_station[s], need, m_nest != npos ? " or nest units" : "", need)
                        : fmt::format("station {} gets {} grids but has only {} transformers (fix: give it at most "
                                      "{} grids, or --allow-infeasible)",
                                      station_name(s), k_station[s], st.transformers, st.transformers);
                if (!m_o.allow_infeasible) infeasible(what);
                const std::size_t k = std::clamp(k_station[s], need, st.transformers);
                st.notes.push_back(fmt::format("relaxed: {}; made {} grids", what, k));
                share_over_regions(k, regions_of[s], seats);
                k_station[s] = k;
            }
            for (std::size_t i = 0; i < regions_of[s].size(); ++i) m_regions[regions_of[s][i]].grids = seats[i];
            st.grids = k_station[s];
            st.target = st.load / static_cast<double>(st.grids);
        }
    }

    /// The region's graph in local indices. Reads only data fixed before the regions are
    /// solved, so regions can be built and solved on several threads at once.
    detail::RegionGraph region_graph(std::size_t r) const
    {
        const Region& reg = m_regions[r];
        detail::RegionGraph rg;
        rg.xadj.push_back(0);
        for (const std::uint32_t v : reg.vertices) {
            // Links (shared borders) first, then affinities (feeder-only links).
            for (const bool links : {true, false}) {
                for (std::size_t k = m_graph.xadj[v]; k < m_graph.xadj[v + 1]; ++k) {
                    const std::uint32_t u = m_graph.adjncy[k];
                    if (m_region_of[u] != r || is_link(m_graph.kind[k]) != links) continue;
                    rg.adj.push_back(m_local_index[u]);
                    rg.cost.push_back(m_cost[k]);
                }
                if (links) rg.link_end.push_back(static_cast<std::uint32_t>(rg.adj.size()));
            }
            rg.xadj.push_back(static_cast<std::uint32_t>(rg.adj.size()));
            rg.weight.push_back(m_plan.load[v]);
        }
        return rg;
    }

    /// What solving one region produced (filled on a worker thread).
    struct Solved {
        detail::RegionResult result;
        std::size_t grids = 0;
        std::string relaxed_note; ///< Non-empty when the cap had to be relaxed.
        std::exception_ptr error;
    };

    void solve_one(std::size_t r, Solved& out) const
    {
        const Region& reg = m_regions[r];
        const auto& st = m_plan.stations[reg.station];
        const detail::RegionGraph rg = region_graph(r);
        detail::RegionParams params;
        params.target = st.target;
        params.cap = m_over_cap_atoms.empty() ? m_o.max_load : 0.0;
        params.seed = detail::mix_seed(m_o.seed, r + 1);
        // Many small regions (e.g. grids nested in communities): one start each keeps the
        // total effort linear; a few large regions get the automatic number.
        params.restarts = m_o.restarts ? m_o.restarts : (m_regions.size() > 20 ? 1 : 0);
        params.balance_tolerance = m_o.balance_tolerance;
        params.effort = std::max<std::size_t>(m_o.effort, 1);
        params.phases = m_phases;
        out.grids = reg.grids;
        for (;;) {
            params.parts = out.grids;
            out.result = detail::partition_region(rg, params);
            if (!(m_o.max_load > 0)) return;
            std::vector<double> loads(out.grids, 0.0);
            for (std::size_t i = 0; i < reg.vertices.size(); ++i) loads[out.result.part[i]] += rg.weight[i];
            const double heaviest = *std::max_element(loads.begin(), loads.end());
            if (heaviest <= m_o.max_load * (1 + 1e-12)) return;
            // Over the cap: one more grid when the count is ours to choose.
            const bool fixed_k = m_o.grids > 0 || is_given(st.station_id);
            if (!fixed_k && out.grids < reg.vertices.size()) {
                ++out.grids;
                continue;
            }
            const std::string what = fmt::format(
                "station {}: with {} grids the heaviest grid carries {:.1f}, over --max-load {:.1f} "
                "(fix: more grids, a higher cap, or --allow-infeasible)",
                station_name(reg.station), out.grids, heaviest, m_o.max_load);
            if (!m_o.allow_infeasible && m_over_cap_atoms.empty()) infeasible(what);
            out.relaxed_note = "relaxed: " + what;
            return;
        }
    }

    void index_regions()
    {
        m_region_of.assign(m_n, none32);
        m_local_index.assign(m_n, none32);
        for (std::size_t r = 0; r < m_regions.size(); ++r)
            for (std::size_t i = 0; i < m_regions[r].vertices.size(); ++i) {
                m_region_of[m_regions[r].vertices[i]] = static_cast<std::uint32_t>(r);
                m_local_index[m_regions[r].vertices[i]] = static_cast<std::uint32_t>(i);
            }
    }

    void solve_regions()
    {
        const std::size_t R = m_regions.size();
        index_regions();
        // Regions are independent: solve them on several threads, largest first. Each region's
        // seed depends only on its index, so the plan is the same whatever the thread count.
        std::vector<std::size_t> order(R);
        std::iota(order.begin(), order.end(), std::size_t{0});
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
            return m_regions[a].vertices.size() > m_regions[b].vertices.size();
        });
        std::vector<Solved> solved(R);
        std::atomic<std::size_t> atoms_done{0};
        detail::parallel_for(
            R, m_o.threads,
            [&](std::size_t i) {
                const std::size_t r = order[i];
                try {
                    solve_one(r, solved[r]);
                } catch (...) {
                    solved[r].error = std::current_exception(); // rethrown below, lowest region first
                }
                atoms_done += m_regions[r].vertices.size();
            },
            [&](std::size_t) {
                if (m_o.progress)
                    m_o.progress(Progress{"partition", static_cast<double>(atoms_done) / static_cast<double>(m_n) * 0.99});
            });

        m_plan.grid_of.assign(m_n, none32);
        m_region_bound.assign(R, 0.0);
        m_region_bound_reason.assign(R, std::string());
        for (std::size_t r = 0; r < R; ++r) {
            if (solved[r].error) std::rethrow_exception(solved[r].error); // lowest region first
            Region& reg = m_regions[r];
            reg.grids = solved[r].grids;
            m_region_bound[r] = solved[r].result.lower_bound;
            const auto& res = solved[r].result;
            m_region_bound_reason[r] = bound_reason(r, res.pocket_atom, res.bound_kind);
            if (!solved[r].relaxed_note.empty()) {
                m_relaxed_cap_regions.push_back(r);
                m_plan.stations[reg.station].notes.push_back(solved[r].relaxed_note);
            }
            const auto first = static_cast<std::uint32_t>(m_plan.grid_id.size());
            for (std::size_t g = 0; g < reg.grids; ++g) {
                m_plan.grid_station.push_back(reg.station);
                m_plan.grid_nest_unit.push_back(reg.nest_unit);
                m_plan.grid_id.emplace_back();
                m_plan.grid_relaxed.push_back(0);
            }
            for (std::size_t i = 0; i < reg.vertices.size(); ++i)
                m_plan.grid_of[reg.vertices[i]] = first + solved[r].result.part[i];
        }
        // Station grid counts may have grown under a cap chosen by us.
        for (auto& st : m_plan.stations) st.grids = 0;
        for (const auto& reg : m_regions) m_plan.stations[reg.station].grids += reg.grids;
        for (auto& st : m_plan.stations) st.target = st.load / static_cast<double>(st.grids);
    }

    bool is_given(const std::string& station) const
    {
        for (const auto& [id, k] : m_o.grids_per_station)
            if (id == station) return true;
        return false;
    }

    /// Renumbers the grids into reading order: by station, then by their first transformer (the
    /// order of their ids), so that a plan read back from its files has the same grid indices.
    void canonical_order()
    {
        const std::size_t G = m_plan.grid_id.size();
        std::vector<std::size_t> first(G, m_n);
        for (std::size_t i = m_n; i-- > 0;) first[m_plan.grid_of[i]] = i;
        std::vector<std::size_t> order(G);
        std::iota(order.begin(), order.end(), std::size_t{0});
        std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
            return std::make_pair(m_plan.grid_station[a], first[a]) < std::make_pair(m_plan.grid_station[b], first[b]);
        });
        std::vector<std::uint32_t> new_index(G);
        for (std::size_t k = 0; k < G; ++k) new_index[order[k]] = static_cast<std::uint32_t>(k);
        for (auto& g : m_plan.grid_of) g = new_index[g];
        auto permute = [&](auto& v) {
            auto old = v;
            for (std::size_t k = 0; k < G; ++k) v[k] = old[order[k]];
        };
        permute(m_plan.grid_station);
        permute(m_plan.grid_nest_unit);
        permute(m_plan.grid_relaxed);
        permute(m_plan.grid_id);
    }

    void finish()
    {
        canonical_order();
        const std::size_t G = m_plan.grid_id.size();
        m_plan.grid_load.assign(G, 0.0);
        for (std::size_t i = 0; i < m_n; ++i) m_plan.grid_load[m_plan.grid_of[i]] += m_plan.load[i];
        m_plan.grid_target.resize(G);
        // Grid ids: <station>-<nnn> numbered within the station in order of their lowest atom
        // (evaluated grids keep theirs).
        std::vector<std::size_t> counter(m_plan.stations.size(), 0);
        std::vector<char> named(G, 0);
        for (std::size_t i = 0; i < m_n; ++i) {
            const std::uint32_t g = m_plan.grid_of[i];
            if (named[g] || !m_plan.grid_id[g].empty()) continue;
            named[g] = 1;
            const std::size_t s = m_plan.grid_station[g];
            const auto& sid = m_plan.stations[s].station_id;
            m_plan.grid_id[g] = fmt::format("{}{}{:03}", sid.empty() ? "G" : sid, sid.empty() ? "" : "-", ++counter[s]);
        }
        for (std::size_t g = 0; g < G; ++g) m_plan.grid_target[g] = m_plan.stations[m_plan.grid_station[g]].target;
        for (const std::size_t r : m_relaxed_cap_regions)
            for (const auto v : m_regions[r].vertices) m_plan.grid_relaxed[m_plan.grid_of[v]] |= relax_cap;
        for (const std::size_t i : m_over_cap_atoms) m_plan.grid_relaxed[m_plan.grid_of[i]] |= relax_cap;
        // Bounds per station: the worst region's (each computed once, by the region solver).
        for (std::size_t r = 0; r < m_regions.size(); ++r) {
            auto& st = m_plan.stations[m_regions[r].station];
            if (st.bound_reason.empty() || m_region_bound[r] > st.lower_bound) {
                st.lower_bound = m_region_bound[r];
                st.bound_reason = m_region_bound_reason[r];
            }
        }
        for (std::size_t g = 0; g < G; ++g) {
            auto& st = m_plan.stations[m_plan.grid_station[g]];
            if (st.target > 0)
                st.max_deviation = std::max(st.max_deviation, std::abs(m_plan.grid_load[g] / st.target - 1.0));
        }
        // The tolerance is a requirement: every station says whether it was met, and why not.
        for (auto& st : m_plan.stations) {
            st.tolerance = m_o.balance_tolerance;
            // A station without a grid of its own (evaluated grids) cannot meet anything.
            st.target_met = st.grids > 0 && st.max_deviation <= m_o.balance_tolerance + tolerance_slack;
            if (st.grids == 0) continue;
            if (st.target_met) continue;
            if (st.lower_bound > m_o.balance_tolerance + tolerance_slack)
                st.notes.push_back(fmt::format("balance tolerance {:.2f}% not met: max deviation {:.2f}%; no plan can "
                                               "do better than the lower bound {:.2f}%",
                                               100 * m_o.balance_tolerance, 100 * st.max_deviation,
                                               100 * st.lower_bound));
            else
                st.notes.push_back(fmt::format("balance tolerance {:.2f}% not met: max deviation {:.2f}% (lower bound "
                                               "{:.2f}%); {}",
                                               100 * m_o.balance_tolerance, 100 * st.max_deviation,
                                               100 * st.lower_bound,
                                               m_evaluating ? "the bound is below the tolerance, so re-balancing may "
                                                              "meet it (grid-partition replan, a larger --max-moved)"
                                                            : "a higher --effort may find a plan within it"));
        }
        if (m_o.progress) m_o.progress(Progress{"partition", 1.0});
    }

    const Territory& m_t;
    const CsrGraph& m_graph;
    const PartitionOptions& m_o;
    const std::size_t m_n;
    Plan m_plan;
    std::vector<std::size_t> m_station_of;
    std::vector<std::size_t> m_unit_of;
    std::size_t m_nest = npos;
    std::vector<double> m_cost;
    std::vector<Region> m_regions;
    std::vector<std::size_t> m_over_cap_atoms;
    std::vector<std::size_t> m_relaxed_cap_regions;
    std::vector<std::uint32_t> m_region_of;   ///< Region of each transformer.
    std::vector<std::uint32_t> m_local_index; ///< Index of each transformer within its region.
    std::vector<double> m_region_bound;       ///< Balance lower bound of each region.
    std::vector<std::string> m_region_bound_reason; ///< Which bound binds in each region.
    std::vector<std::size_t> m_grid_region;   ///< Region holding most of each evaluated grid.
    bool m_evaluating = false;                ///< evaluate(), not run().
    unsigned m_phases = detail::all_phases;   ///< Phases of the region partitioner to run.
};

} // namespace

Plan partition(const Territory& territory, const AdjacencyGraph& graph, const PartitionOptions& options)
{
    return Planner(territory, graph, options).run();
}

Plan evaluate_grids(const Territory& territory, const AdjacencyGraph& graph, const std::vector<std::string>& grid_of,
                    const PartitionOptions& options)
{
    return Planner(territory, graph, options).evaluate(grid_of);
}

std::vector<detail::PlannedRegion> detail::planned_regions(const Territory& territory, const AdjacencyGraph& graph,
                                                           const PartitionOptions& options)
{
    return Planner(territory, graph, options).regions();
}

std::vector<std::uint32_t> partition_graph(const CsrGraph& graph, const GraphPartitionOptions& options)
{
    const std::size_t n = graph.num_vertices();
    if (options.parts == 0 || options.parts > n)
        throw Error(ErrorCode::invalid_input,
                    fmt::format("partition: {} parts asked of a graph of {} vertices", options.parts, n));
    if (connected_components(graph, edge_border).sizes.size() > 1)
        throw Error(ErrorCode::invalid_input,
                    "partition: the graph is not connected by border edges; partition each component");
    double mean = 0;
    std::size_t count = 0;
    for (double b : graph.border_m)
        if (b > 0) {
            mean += b;
            ++count;
        }
    mean = count ? mean / static_cast<double>(count) : 1.0;
    detail::RegionGraph rg;
    rg.xadj.push_back(0);
    for (std::size_t v = 0; v < n; ++v) {
        for (const bool links : {true, false}) {
            for (std::size_t k = graph.xadj[v]; k < graph.xadj[v + 1]; ++k) {
                if (is_link(graph.kind[k]) != links) continue;
                double cost = count ? std::max(compactness_cost(graph.border_m[k], mean), 1e-6) : 1.0;
                if (!options.extra_cut_cost.empty()) cost += options.extra_cut_cost[k];
                rg.adj.push_back(graph.adjncy[k]);
                rg.cost.push_back(cost);
            }
            if (links) rg.link_end.push_back(static_cast<std::uint32_t>(rg.adj.size()));
        }
        rg.xadj.push_back(static_cast<std::uint32_t>(rg.adj.size()));
    }
    rg.weight = graph.vertex_weight;
    detail::RegionParams params;
    params.parts = options.parts;
    params.cap = options.max_load;
    params.seed = options.seed;
    params.restarts = options.restarts;
    params.balance_tolerance = options.balance_tolerance;
    return detail::partition_region(rg, params).part;
}

} // namespace libgrid
