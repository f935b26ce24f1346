// replan(): current grids brought back within the balance tolerance under a hard budget on what
// moves. Only border transformer areas move, one hop or along a short chain of neighbouring
// grids (an ejection chain: each grid on it passes one area on), and only when that lowers the
// excess of a grid outside the tolerance without raising any other's. Then the partitioner's
// own chain phase (phase_chains.cpp: deeper chains, and swaps of two areas, a finer step than
// one whole area) finishes each station still outside its band, priced against the same
// budget. Grid ids are kept.
#include <libgrid/error.hpp>
#include <libgrid/partition.hpp>

#include "partition/phase.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <tuple>

namespace libgrid {
namespace {

constexpr std::uint32_t none = std::numeric_limits<std::uint32_t>::max();

bool is_border(std::uint8_t kind) { return (kind & edge_border) != 0; }

/// New transformers (no current grid) join the bordering grid with the least load, in waves
/// from the grids outwards; those no grid borders at all get a grid of their own per piece.
std::size_t attach_new(const Territory& t, const CsrGraph& g, const std::vector<double>& load,
                       std::vector<std::string>& ids)
{
    const std::size_t n = ids.size();
    std::map<std::string, double> grid_load;
    for (std::size_t i = 0; i < n; ++i)
        if (!ids[i].empty()) grid_load[ids[i]] += load[i];
    for (bool changed = true; changed;) {
        changed = false;
        std::vector<std::pair<std::size_t, std::string>> joins;
        for (std::size_t v = 0; v < n; ++v) {
            if (!ids[v].empty()) continue;
            const std::string* best = nullptr;
            for (std::size_t k = g.xadj[v]; k < g.xadj[v + 1]; ++k) {
                const auto& other = ids[g.adjncy[k]];
                if (!is_border(g.kind[k]) || other.empty() || t.transformers[g.adjncy[k]].station_id != t.transformers[v].station_id)
                    continue;
                if (!best || grid_load[other] < grid_load[*best] || (grid_load[other] == grid_load[*best] && other < *best))
                    best = &other;
            }
            if (best) joins.emplace_back(v, *best);
        }
        for (const auto& [v, id] : joins) {
            ids[v] = id;
            grid_load[id] += load[v];
            changed = true;
        }
    }
    std::size_t made = 0, number = 0;
    std::set<std::string> taken(ids.begin(), ids.end());
    for (std::size_t s = 0; s < n; ++s) {
        if (!ids[s].empty()) continue;
        const auto& station = t.transformers[s].station_id;
        std::string id;
        while (id.empty() || taken.count(id)) id = fmt::format("{}{}N{:03}", station, station.empty() ? "" : "-", ++number);
        taken.insert(id);
        ++made;
        std::vector<std::size_t> queue{s};
        ids[s] = id;
        for (std::size_t q = 0; q < queue.size(); ++q)
            for (std::size_t k = g.xadj[queue[q]]; k < g.xadj[queue[q] + 1]; ++k) {
                const std::size_t u = g.adjncy[k];
                if (is_border(g.kind[k]) && ids[u].empty() && t.transformers[u].station_id == station) {
                    ids[u] = id;
                    queue.push_back(u);
                }
            }
    }
    return made;
}

class Rebalancer {
public:
    Rebalancer(const Territory& t, const CsrGraph& g, const Plan& start, const std::vector<std::string>& current,
               const ReplanOptions& o)
        : m_t(t), m_g(g), m_plan(start), m_n(t.transformers.size())
    {
        const std::size_t G = m_plan.num_grids();
        // Each grid's band: the tolerance, or its station's accepted deviation when larger.
        m_band.assign(G, o.partition.balance_tolerance);
        for (std::size_t gi = 0; gi < G; ++gi)
            for (const auto& [station, accepted] : o.accepted_deviation)
                if (station == m_plan.stations[m_plan.grid_station[gi]].station_id)
                    m_band[gi] = std::max(m_band[gi], accepted);
        m_members.resize(G);
        m_pos.resize(m_n);
        for (std::size_t i = 0; i < m_n; ++i) {
            auto& list = m_members[m_plan.grid_of[i]];
            m_pos[i] = static_cast<std::uint32_t>(list.size());
            list.push_back(static_cast<std::uint32_t>(i));
        }
        std::map<std::string, std::uint32_t> index;
        for (std::size_t gi = 0; gi < G; ++gi) index[m_plan.grid_id[gi]] = static_cast<std::uint32_t>(gi);
        m_origin.assign(m_n, none);
        m_cost.assign(m_n, 0.0);
        for (std::size_t i = 0; i < m_n; ++i) {
            if (current[i].empty()) continue; // new: moving it costs nothing
            m_origin[i] = index.at(current[i]);
            m_cost[i] = o.count_transformers ? 1.0 : t.transformers[i].customers;
            m_total += m_cost[i];
        }
        m_budget = o.max_moved * m_total;
        // Each area's own station and nest unit: those of the grid that holds only its kind.
        m_station_of.assign(m_n, npos);
        m_unit_of.assign(m_n, npos);
        std::map<std::string, std::size_t> station_index;
        for (std::size_t s = 0; s < m_plan.stations.size(); ++s) station_index[m_plan.stations[s].station_id] = s;
        for (std::size_t i = 0; i < m_n; ++i) m_station_of[i] = station_index.at(t.transformers[i].station_id);
        std::size_t nest = npos;
        for (std::size_t l = 0; l < t.levels.size(); ++l)
            if (!o.partition.nest_level.empty() && t.levels[l].name == o.partition.nest_level) nest = l;
        if (nest != npos && t.transformer_unit.size() == m_n)
            for (std::size_t i = 0; i < m_n; ++i) {
                std::size_t u = t.transformer_unit[i];
                for (std::size_t l = t.levels.size() - 1; l > nest && u != npos; --l) u = t.levels[l].units[u].parent;
                m_unit_of[i] = u;
            }
    }

    /// Where a station's load over `target_load` (rounded) asks for more grids than it has, each
    /// new grid starts from one area of a different heaviest grid of the station (seed_of(): the
    /// area bordering the most surplus), within the budget; the chains of run() and polish()
    /// then fill it from the overloaded grids around it, one hop each. (Splitting the heaviest
    /// grid in halves instead left two grids half empty to fill through longer chains: on the
    /// prefecture with 27 new grids it spent the whole 5% and ended at 6.94%, against 2.31%.)
    /// Returns the grids made.
    std::size_t grow(double target_load)
    {
        if (!(target_load > 0)) return 0;
        std::set<std::string> ids(m_plan.grid_id.begin(), m_plan.grid_id.end());
        std::size_t made = 0;
        for (std::size_t s = 0; s < m_plan.stations.size(); ++s) {
            auto& st = m_plan.stations[s];
            const auto want = static_cast<std::size_t>(std::llround(st.load / target_load));
            std::set<std::uint32_t> tried;
            while (st.grids < want) {
                std::uint32_t x = none;
                for (std::uint32_t g = 0; g < m_plan.num_grids(); ++g)
                    if (m_plan.grid_station[g] == s && !tried.count(g) && m_members[g].size() >= 2 &&
                        (x == none || m_plan.grid_load[g] > m_plan.grid_load[x]))
                        x = g;
                if (x == none) break;
                tried.insert(x);
                const auto part = seed_of(x);
                double cost = 0.0;
                for (const auto v : part) cost += m_cost[v] * static_cast<double>(m_plan.grid_of[v] == m_origin[v]);
                if (part.empty() || m_spent + cost > m_budget + 1e-9) continue;
                std::string id;
                for (std::size_t k = 1; id.empty() || ids.count(id); ++k)
                    id = fmt::format("{}{}N{:03}", st.station_id, st.station_id.empty() ? "" : "-", k);
                ids.insert(id);
                const auto y = static_cast<std::uint32_t>(m_plan.num_grids());
                m_plan.grid_id.push_back(id);
                m_plan.grid_station.push_back(s);
                m_plan.grid_nest_unit.push_back(m_plan.grid_nest_unit[x]);
                m_plan.grid_load.push_back(0.0);
                m_plan.grid_target.push_back(0.0);
                m_plan.grid_relaxed.push_back(0);
                m_members.emplace_back();
                m_band.push_back(m_band[x]);
                for (const auto v : part) move(v, y);
                ++st.grids;
                ++made;
            }
            st.target = st.load / static_cast<double>(std::max<std::size_t>(st.grids, 1));
            for (std::uint32_t g = 0; g < m_plan.num_grids(); ++g)
                if (m_plan.grid_station[g] == s) m_plan.grid_target[g] = st.target;
        }
        return made;
    }

    void run()
    {
        const std::size_t G = m_plan.num_grids();
        std::vector<char> stuck(G, 0);
        // Worst first; a grid no chain could help waits until a chain passes near it, and all
        // get one more try once nothing moves (a path may have opened further away).
        bool moved_since_reset = false;
        for (std::size_t round = 0; round < 20 * G + 100; ++round) {
            std::uint32_t worst = none;
            for (std::uint32_t x = 0; x < G; ++x)
                if (!stuck[x] && excess(x, m_plan.grid_load[x]) > 0 &&
                    (worst == none || excess(x, m_plan.grid_load[x]) > excess(worst, m_plan.grid_load[worst])))
                    worst = x;
            if (worst == none) {
                if (!moved_since_reset) return;
                moved_since_reset = false;
                std::fill(stuck.begin(), stuck.end(), 0);
                continue;
            }
            if (!improve(worst)) {
                stuck[worst] = 1;
                continue;
            }
            moved_since_reset = true;
            for (const auto c : m_last_chain) {
                stuck[c] = 0;
                for (const auto y : neighbours(c)) stuck[y] = 0;
            }
        }
    }

    /// The partitioner's chain phase (balance_chains(): longer chains searched over parts and
    /// the load in transit, with swaps of two areas, a finer step than one area) on each region
    /// still holding a grid outside its band, warm-started from the grids as they are, within
    /// the budget left. Worst region first.
    void polish(const std::vector<detail::PlannedRegion>& regions, const PartitionOptions& po)
    {
        // Two passes: first each region may spend a share of the budget left in proportion to
        // its grids' excess (so that the first station cannot starve the others), then what
        // is left goes to the regions still outside their band, worst first.
        for (int pass = 0; pass < 2; ++pass) {
            std::vector<std::tuple<double, std::size_t, double>> order; // (-worst, region, need)
            double needs = 0.0;
            for (std::size_t r = 0; r < regions.size(); ++r) {
                double worst = 0.0, need = 0.0;
                std::set<std::uint32_t> seen;
                for (const auto v : regions[r].vertices) {
                    const auto x = m_plan.grid_of[v];
                    if (!seen.insert(x).second) continue;
                    const double e = excess(x, m_plan.grid_load[x]);
                    worst = std::max(worst, e / m_plan.grid_target[x]);
                    need += e;
                }
                if (worst > 0) order.emplace_back(-worst, r, need);
                needs += need;
            }
            std::sort(order.begin(), order.end());
            const double left = m_budget - m_spent;
            for (const auto& [neg_worst, r, need] : order)
                polish_region(regions[r], po, r, pass == 0 && needs > 0 ? left * need / needs : m_budget - m_spent);
        }
    }

    const Plan& plan() const { return m_plan; }
    double total() const { return m_total; }
    double budget() const { return m_budget; }
    double spent() const { return m_spent; }

private:
    double lo(std::uint32_t x) const { return m_plan.grid_target[x] * (1.0 - m_band[x]); }
    double hi(std::uint32_t x) const { return m_plan.grid_target[x] * (1.0 + m_band[x]); }
    /// Load outside the band, in load units (0 within it).
    double excess(std::uint32_t x, double load) const
    {
        return std::max({0.0, load - hi(x) - 1e-9 * hi(x), lo(x) - load - 1e-9 * hi(x)});
    }

    /// polish() on one region, spending at most `allowance` more of the budget.
    void polish_region(const detail::PlannedRegion& region, const PartitionOptions& po, std::size_t r, double allowance)
    {
        const auto& verts = region.vertices;
        // The region's grids as local parts; a grid reaching beyond the region is left alone.
        std::map<std::uint32_t, std::uint32_t> local;
        std::vector<std::uint32_t> grid_of_part;
        std::size_t held = 0;
        for (const auto v : verts)
            if (local.emplace(m_plan.grid_of[v], static_cast<std::uint32_t>(grid_of_part.size())).second) {
                grid_of_part.push_back(m_plan.grid_of[v]);
                held += m_members[m_plan.grid_of[v]].size();
            }
        if (held != verts.size() || grid_of_part.size() < 2) return;
        const auto first = grid_of_part.front();
        std::vector<std::uint32_t> part(verts.size()), home(verts.size(), detail::no_part);
        std::vector<double> price(verts.size());
        double spent_here = 0.0;
        for (std::size_t i = 0; i < verts.size(); ++i) {
            const auto v = verts[i];
            part[i] = local.at(m_plan.grid_of[v]);
            if (m_origin[v] == none) continue; // new: free to move
            const auto h = local.find(m_origin[v]);
            if (h == local.end()) continue;
            home[i] = h->second;
            price[i] = m_cost[v];
            if (part[i] != home[i]) spent_here += m_cost[v];
        }
        detail::PartitionState state(region.graph, grid_of_part.size(), m_plan.grid_target[first], po.max_load);
        state.assign(part);
        state.set_homes(std::move(home), std::move(price), spent_here + std::min(allowance, m_budget - m_spent));
        detail::RegionParams params;
        params.parts = grid_of_part.size();
        params.target = m_plan.grid_target[first];
        params.cap = po.max_load;
        params.balance_tolerance = m_band[first];
        // Four times the plan's effort: a re-plan searches one station's few grids outside
        // the band, not all of them (prefecture: 2.92% -> 2.25% worst station, 0.51 -> 0.70 s).
        params.effort = 4 * std::max<std::size_t>(po.effort, 1);
        detail::Rng rng(detail::mix_seed(po.seed, r + 1));
        detail::TreeSplitter splitter(region.graph, params.balance_tolerance);
        detail::PhaseEnv env{params, rng, splitter};
        env.goal = 0.5 * params.balance_tolerance;
        env.effort = static_cast<double>(params.effort);
        detail::balance_chains(state, env);
        for (std::size_t i = 0; i < verts.size(); ++i)
            if (state.part(static_cast<std::uint32_t>(i)) != part[i]) move(verts[i], grid_of_part[state.part(static_cast<std::uint32_t>(i))]);
    }

    /// Grids bordering `x` in its station (and nest unit).
    std::vector<std::uint32_t> neighbours(std::uint32_t x) const
    {
        std::set<std::uint32_t> out;
        for (const auto v : m_members[x])
            for (std::size_t k = m_g.xadj[v]; k < m_g.xadj[v + 1]; ++k) {
                const auto y = m_plan.grid_of[m_g.adjncy[k]];
                if (y != x && is_border(m_g.kind[k]) && m_plan.grid_station[y] == m_plan.grid_station[x] &&
                    m_plan.grid_nest_unit[y] == m_plan.grid_nest_unit[x])
                    out.insert(y);
            }
        return {out.begin(), out.end()};
    }

    /// One area of grid `x` to start a new grid from: on its border, leaving it connected, where
    /// the neighbouring grids (of its station) carry the most load over their targets, so that
    /// the chains fill the new grid from where the surplus is. Empty when x has none.
    std::vector<std::uint32_t> seed_of(std::uint32_t x) const
    {
        std::uint32_t best = none;
        double best_score = -1.0;
        std::vector<std::uint32_t> around;
        for (const auto v : m_members[x]) {
            around.clear();
            for (std::size_t k = m_g.xadj[v]; k < m_g.xadj[v + 1]; ++k) {
                const auto y = m_plan.grid_of[m_g.adjncy[k]];
                if (y != x && is_border(m_g.kind[k]) && m_plan.grid_station[y] == m_plan.grid_station[x] &&
                    m_plan.grid_nest_unit[y] == m_plan.grid_nest_unit[x])
                    around.push_back(y);
            }
            if (around.empty()) continue;
            std::sort(around.begin(), around.end());
            around.erase(std::unique(around.begin(), around.end()), around.end());
            double score = 0.0;
            for (const auto y : around) score += std::max(0.0, m_plan.grid_load[y] - m_plan.grid_target[y]);
            if ((score > best_score || (score == best_score && v < best)) && removable(v)) {
                best = v;
                best_score = score;
            }
        }
        return best == none ? std::vector<std::uint32_t>{} : std::vector<std::uint32_t>{best};
    }

    /// True when `v` can leave its grid without cutting it: its neighbours in the grid stay
    /// connected by shared borders without it (and the grid keeps an area).
    bool removable(std::uint32_t v) const
    {
        const auto a = m_plan.grid_of[v];
        if (m_members[a].size() <= 1) return false;
        std::vector<std::uint32_t> inside;
        for (std::size_t k = m_g.xadj[v]; k < m_g.xadj[v + 1]; ++k)
            if (is_border(m_g.kind[k]) && m_plan.grid_of[m_g.adjncy[k]] == a) inside.push_back(m_g.adjncy[k]);
        if (inside.size() <= 1) return true;
        std::set<std::uint32_t> seen{inside.front(), v};
        std::vector<std::uint32_t> queue{inside.front()};
        for (std::size_t q = 0; q < queue.size(); ++q)
            for (std::size_t k = m_g.xadj[queue[q]]; k < m_g.xadj[queue[q] + 1]; ++k) {
                const auto u = m_g.adjncy[k];
                if (is_border(m_g.kind[k]) && m_plan.grid_of[u] == a && seen.insert(u).second) queue.push_back(u);
            }
        return std::all_of(inside.begin(), inside.end(), [&](std::uint32_t u) { return seen.count(u) > 0; });
    }

    /// Budget spent by moving `v` into grid `to` (negative when it goes back home).
    double cost_of(std::uint32_t v, std::uint32_t to) const
    {
        const auto from = m_plan.grid_of[v];
        return m_cost[v] * (static_cast<double>(to != m_origin[v]) - static_cast<double>(from != m_origin[v]));
    }

    /// How much `v` belongs with grid `to` rather than its own: shared feeders, finest admin
    /// units and current managers with its neighbours there, minus those in its own grid.
    double affinity(std::uint32_t v, std::uint32_t to) const
    {
        const auto& a = m_t.transformers[v];
        const bool units = m_t.transformer_unit.size() == m_n;
        double score = 0.0;
        for (std::size_t k = m_g.xadj[v]; k < m_g.xadj[v + 1]; ++k) {
            const auto u = m_g.adjncy[k];
            const auto& b = m_t.transformers[u];
            const double same = (!a.feeder_id.empty() && a.feeder_id == b.feeder_id) +
                                (units && m_t.transformer_unit[v] != npos && m_t.transformer_unit[v] == m_t.transformer_unit[u]) +
                                (!a.current_manager.empty() && a.current_manager == b.current_manager);
            if (m_plan.grid_of[u] == to) score += same;
            else if (m_plan.grid_of[u] == m_plan.grid_of[v]) score -= same;
        }
        return score;
    }

    void move(std::uint32_t v, std::uint32_t to)
    {
        m_spent += cost_of(v, to);
        const auto from = m_plan.grid_of[v];
        auto& list = m_members[from];
        const auto last = list.back();
        list[m_pos[v]] = last;
        m_pos[last] = m_pos[v];
        list.pop_back();
        m_pos[v] = static_cast<std::uint32_t>(m_members[to].size());
        m_members[to].push_back(v);
        m_plan.grid_of[v] = to;
        m_plan.grid_load[from] -= m_plan.load[v];
        m_plan.grid_load[to] += m_plan.load[v];
    }

    /// The best area to pass from `from` to `to`: a load within [must_lo, must_hi], nearest to
    /// [want_lo, want_hi], within the budget, cheapest, then most at home in `to`; none when no
    /// area can go.
    std::uint32_t pick(std::uint32_t from, std::uint32_t to, double want_lo, double want_hi, double must_lo,
                       double must_hi) const
    {
        std::uint32_t best = none;
        std::tuple<double, double, double, double> best_key{};
        for (const auto v : m_members[from]) {
            bool borders = false;
            for (std::size_t k = m_g.xadj[v]; k < m_g.xadj[v + 1] && !borders; ++k)
                borders = is_border(m_g.kind[k]) && m_plan.grid_of[m_g.adjncy[k]] == to;
            if (!borders) continue;
            // An area of another station (or nest unit) in a grid spanning two never moves.
            if (m_station_of[v] != m_plan.grid_station[to] || m_unit_of[v] != m_plan.grid_nest_unit[to]) continue;
            const double w = m_plan.load[v];
            if (!(w > 0) || w < must_lo || w > must_hi || m_spent + cost_of(v, to) > m_budget + 1e-9) continue;
            const double outside = std::max({0.0, want_lo - w, w - want_hi});
            const std::tuple<double, double, double, double> key{outside, cost_of(v, to), -affinity(v, to),
                                                                 std::abs(w - 0.5 * (want_lo + want_hi))};
            if ((best == none || key < best_key || (key == best_key && v < best)) && removable(v)) {
                best = v;
                best_key = key;
            }
        }
        return best;
    }

    /// Tries chains from grid `x` (outside the band) to grids with room, nearest first; keeps
    /// the first that lowers x's excess without raising any grid's on the chain.
    bool improve(std::uint32_t x)
    {
        const bool heavy = m_plan.grid_load[x] > hi(x);
        // Breadth-first over neighbouring grids, up to 4 hops.
        std::map<std::uint32_t, std::uint32_t> parent{{x, x}};
        std::vector<std::uint32_t> order{x};
        std::vector<std::size_t> depth{0};
        for (std::size_t q = 0; q < order.size(); ++q) {
            if (depth[q] >= 4) continue;
            for (const auto y : neighbours(order[q]))
                if (parent.emplace(y, order[q]).second) {
                    order.push_back(y);
                    depth.push_back(depth[q] + 1);
                }
        }
        std::size_t tried = 0;
        for (std::size_t q = 1; q < order.size() && tried < 16; ++q) {
            const auto y = order[q];
            const double load = m_plan.grid_load[y];
            if (heavy ? load >= hi(y) : load <= lo(y)) continue; // no room at the end
            ++tried;
            std::vector<std::uint32_t> path{y};
            while (path.back() != x) path.push_back(parent[path.back()]);
            std::reverse(path.begin(), path.end());
            if (chain(path, heavy)) {
                m_last_chain = path;
                return true;
            }
        }
        return false;
    }

    /// Passes areas along `path` (x first): each grid hands on an area, wanting to end in its
    /// band, until one ends below x's excess. Kept when every grid of the chain ends with an
    /// excess below x's before (so the worst excess falls: chains spread a surplus or a deficit
    /// out of a crowded neighbourhood over several rounds); else undone.
    bool chain(const std::vector<std::uint32_t>& path, bool heavy)
    {
        const double worst = excess(path[0], m_plan.grid_load[path[0]]);
        const double allowed = worst * (1.0 - 1e-9) - 1e-9; // strictly below x's excess
        std::vector<std::pair<std::uint32_t, std::uint32_t>> done; // (area, grid it left)
        bool ok = false;
        for (std::size_t i = 0; i + 1 < path.size(); ++i) {
            const auto c = path[i], next = path[i + 1];
            const double l = m_plan.grid_load[c];
            if (i > 0 && excess(c, l) <= allowed) {
                ok = true;
                break;
            }
            // Heavy: c sends to next; light: c receives from next.
            const double want_lo = heavy ? l - hi(c) : lo(c) - l, want_hi = heavy ? l - lo(c) : hi(c) - l;
            const auto v = heavy ? pick(c, next, want_lo, want_hi, want_lo - allowed, want_hi + allowed)
                                 : pick(next, c, want_lo, want_hi, want_lo - allowed, want_hi + allowed);
            if (v == none) break;
            done.emplace_back(v, m_plan.grid_of[v]);
            move(v, heavy ? next : c);
            if (i + 2 == path.size()) ok = excess(next, m_plan.grid_load[next]) <= allowed;
        }
        for (std::size_t i = 0; ok && i < path.size(); ++i) ok = excess(path[i], m_plan.grid_load[path[i]]) <= allowed;
        if (!ok)
            for (auto it = done.rbegin(); it != done.rend(); ++it) move(it->first, it->second);
        return ok;
    }

    const Territory& m_t;
    const CsrGraph& m_g;
    Plan m_plan;
    std::vector<double> m_band; ///< Accepted |load / target - 1| per grid.
    std::vector<std::size_t> m_station_of; ///< Station index per transformer.
    std::vector<std::size_t> m_unit_of;    ///< Nest unit per transformer (npos without nesting).
    const std::size_t m_n;
    std::vector<std::vector<std::uint32_t>> m_members;
    std::vector<std::uint32_t> m_pos;
    std::vector<std::uint32_t> m_origin; ///< Current grid per transformer (none for new ones).
    std::vector<double> m_cost;          ///< Budget a move of each transformer spends.
    double m_total = 0.0, m_budget = 0.0, m_spent = 0.0;
    std::vector<std::uint32_t> m_last_chain; ///< Grids of the last chain applied.
};

} // namespace

ReplanResult replan(const Territory& territory, const AdjacencyGraph& graph, const std::vector<std::string>& current,
                    const ReplanOptions& options)
{
    if (!(options.max_moved >= 0.0 && options.max_moved <= 1.0))
        throw Error(ErrorCode::invalid_option,
                    fmt::format("replan: --max-moved {} is not a share between 0 and 1 (fix: give e.g. 5%)", options.max_moved));
    if (current.size() != territory.transformers.size())
        throw Error(ErrorCode::invalid_argument, fmt::format("replan: {} current grid ids for {} transformers",
                                                             current.size(), territory.transformers.size()));
    ReplanResult out;
    out.current = current;
    std::vector<std::string> start = current;
    out.new_transformers = static_cast<std::size_t>(std::count(current.begin(), current.end(), std::string()));
    out.new_grids = attach_new(territory, graph.graph, compute_loads(territory, options.partition.workload), start);
    out.before = evaluate_grids(territory, graph, start, options.partition);
    Rebalancer balancer(territory, graph.graph, out.before, current, options);
    out.new_grids += balancer.grow(options.partition.target_load);
    balancer.run();
    balancer.polish(detail::planned_regions(territory, graph, options.partition), options.partition);
    std::vector<std::string> ids(territory.transformers.size());
    const Plan& moved = balancer.plan();
    for (std::size_t i = 0; i < ids.size(); ++i) {
        ids[i] = moved.grid_id[moved.grid_of[i]];
        if (!current[i].empty() && ids[i] != current[i]) ++out.moved_transformers;
    }
    out.plan = evaluate_grids(territory, graph, ids, options.partition);
    out.total = balancer.total();
    out.budget = balancer.budget();
    out.moved = balancer.spent();
    return out;
}

} // namespace libgrid
