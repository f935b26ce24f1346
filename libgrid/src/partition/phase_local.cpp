// Local balancing: the part furthest from the target gives a boundary atom to, or takes one
// from, a neighbouring part when that lowers the larger deviation of the two; failing that it
// swaps an atom with a neighbour, then re-splits itself with a neighbour, then with all of them
// (and their neighbours). Every accepted step lowers the sorted vector of deviations, so the
// search ends. Moves never disconnect a part.
#include "partition/phase.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

namespace libgrid::detail {
namespace {

class LocalBalancer {
public:
    LocalBalancer(PartitionState& state, PhaseEnv& env) : m_state(state), m_env(env), m_stuck(state.parts()) {}

    struct Candidate {
        double score;   // larger deviation of the two parts after the move
        double cost;    // cut cost change
        std::uint32_t v, to;
    };

    /// One improving step for part p (a single move, or a pair re-split). True if applied.
    bool improve(std::uint32_t p)
    {
        // Nothing changed around p since it last found no step: don't search again.
        const std::vector<std::uint32_t> around = m_state.neighbour_parts(p);
        if (m_stuck.stuck(m_state, p, around)) return false;
        if (try_improve(p, around)) return true;
        m_stuck.mark(m_state, p);
        return false;
    }

    bool try_improve(std::uint32_t p, const std::vector<std::uint32_t>& around)
    {
        const RegionGraph& g = m_state.graph();
        const double dp = m_state.dev(p);
        m_candidates.clear();
        for (const std::uint32_t v : m_state.members(p)) {
            for (std::uint32_t k = g.xadj[v]; k < g.link_end[v]; ++k) {
                const std::uint32_t u = g.adj[k];
                const std::uint32_t q = m_state.part(u);
                if (q == p) continue;
                // Heavy p gives v to q; light p takes u from q.
                const std::uint32_t mover = dp > 0 ? v : u;
                const std::uint32_t from = dp > 0 ? p : q, to = dp > 0 ? q : p;
                const double w = m_state.weight(mover);
                if (!m_state.cap_ok(m_state.load(to) + w)) continue;
                const double before = std::max(std::abs(m_state.dev(from)), std::abs(m_state.dev(to)));
                const double after = std::max(std::abs(m_state.dev_of(m_state.load(from) - w)), std::abs(m_state.dev_of(m_state.load(to) + w)));
                if (after < before - min_gain)
                    m_candidates.push_back({std::max(after, m_env.goal), m_state.move_cost(mover, to), mover, to});
            }
        }
        std::sort(m_candidates.begin(), m_candidates.end(), [](const Candidate& a, const Candidate& b) {
            if (a.score != b.score) return a.score < b.score;
            if (a.cost != b.cost) return a.cost < b.cost;
            return a.v != b.v ? a.v < b.v : a.to < b.to;
        });
        std::uint32_t last_v = no_part, last_to = no_part;
        for (const Candidate& c : m_candidates) {
            if (c.v == last_v && c.to == last_to) continue;
            last_v = c.v;
            last_to = c.to;
            if (!m_state.stays_connected(c.v)) continue;
            m_state.move(c.v, c.to);
            return true;
        }
        // No single move helps: swap an atom of p for a lighter (or heavier) one of a
        // neighbour, which shifts load by the difference of the two, a much finer step.
        if (try_swap(p, around)) return true;
        // Nor a swap: re-split p with a neighbour, the one furthest on the other side of the
        // target first.
        std::vector<std::uint32_t> neighbours = around;
        std::sort(neighbours.begin(), neighbours.end(), [&](std::uint32_t a, std::uint32_t b) {
            const double da = dp > 0 ? m_state.dev(a) : -m_state.dev(a), db = dp > 0 ? m_state.dev(b) : -m_state.dev(b);
            return da != db ? da < db : a < b;
        });
        // Re-splits are the expensive steps: each balance() call gets a budget of them, and
        // only pairs and groups whose average lies closer to the target than p are tried (no
        // split of a union can beat the union's average).
        for (const std::uint32_t q : neighbours) {
            if (std::abs(0.5 * (dp + m_state.dev(q))) >= std::abs(dp) - min_gain) continue;
            if (m_work_left <= 0) return false;
            m_work_left -= 12.0 * static_cast<double>(m_state.members(p).size() + m_state.members(q).size());
            if (m_env.splitter.resplit_pair(m_state, p, q, m_env.rng, ResplitGoal::balance, min_gain)) return true;
        }
        // Nor a pair: re-partition p with all its neighbours, which lets load travel through
        // a neighbour to the parts beyond it.
        std::vector<std::uint32_t> group{p};
        group.insert(group.end(), neighbours.begin(), neighbours.end());
        if (group.size() > 9) group.resize(9); // p and its 8 best-placed neighbours
        double mean = 0.0;
        for (const auto q : group) mean += m_state.dev(q);
        mean /= static_cast<double>(group.size());
        if (m_work_left <= 0) return false;
        if (group.size() > 2 && std::abs(mean) < std::abs(dp) - min_gain) {
            for (const auto q : group) m_work_left -= 20.0 * static_cast<double>(m_state.members(q).size());
            if (m_env.splitter.repartition(m_state, group, m_env.rng, 3, min_gain)) return true;
        }
        // Stuck among parts off in the same direction: widen to the neighbours' neighbours,
        // whose average lies closer to the target.
        std::vector<std::uint32_t> ring2 = group;
        for (std::size_t i = 1; i < group.size() && ring2.size() < 16; ++i)
            for (const auto r : m_state.neighbour_parts(group[i]))
                if (std::find(ring2.begin(), ring2.end(), r) == ring2.end() && ring2.size() < 16) ring2.push_back(r);
        double mean2 = 0.0;
        for (const auto q : ring2) mean2 += m_state.dev(q);
        mean2 /= static_cast<double>(ring2.size());
        if (ring2.size() <= group.size() || std::abs(mean2) >= std::abs(dp) - min_gain) return false;
        for (const auto q : ring2) m_work_left -= 20.0 * static_cast<double>(m_state.members(q).size());
        return m_env.splitter.repartition(m_state, ring2, m_env.rng, 3, min_gain);
    }

    /// Exchanges a boundary atom of p with one of a neighbour q when that lowers the larger
    /// deviation of the two; both parts must stay connected.
    bool try_swap(std::uint32_t p, const std::vector<std::uint32_t>& around)
    {
        struct Swap {
            double after, cost;
            std::uint32_t v, u, q;
        };
        std::vector<Swap> swaps;
        std::vector<std::uint32_t> bp, bq;
        for (const std::uint32_t q : around) {
            m_state.facing(p, q, bp, bq);
            const double before = std::max(std::abs(m_state.dev(p)), std::abs(m_state.dev(q)));
            for (const auto v : bp)
                for (const auto u : bq) {
                    const double shift = m_state.weight(v) - m_state.weight(u);
                    const double lp = m_state.load(p) - shift, lq = m_state.load(q) + shift;
                    if (!m_state.cap_ok(lp) || !m_state.cap_ok(lq)) continue;
                    const double after = std::max(std::abs(m_state.dev_of(lp)), std::abs(m_state.dev_of(lq)));
                    if (after < before - min_gain)
                        swaps.push_back({std::max(after, m_env.goal), m_state.move_cost(v, q) + m_state.move_cost(u, p), v, u, q});
                }
        }
        std::sort(swaps.begin(), swaps.end(), [](const Swap& a, const Swap& b) {
            if (a.after != b.after) return a.after < b.after;
            if (a.cost != b.cost) return a.cost < b.cost;
            return a.v != b.v ? a.v < b.v : a.u < b.u;
        });
        std::size_t tried = 0;
        for (const Swap& sw : swaps) {
            if (++tried > 64) break; // the best few decide; the rest rarely pass when they fail
            if (m_state.exchange(sw.v, sw.u)) return true;
        }
        return false;
    }

    void run()
    {
        const std::size_t k = m_state.parts();
        if (k < 2) {
            m_env.achieved = m_state.max_deviation();
            return;
        }
        std::vector<std::uint32_t> order(k);
        const std::size_t max_steps = 20 * m_state.size() + 1000;
        const double n = static_cast<double>(m_state.size());
        // Work budget of re-splits (atoms handled), linear in the region size plus a fixed part
        // that lets small regions search hard; counted, never timed, so plans are repeatable.
        m_work_left = 10.0 * n + 1e5 * std::min(1.0, 400.0 / n);
        std::size_t steps = 0;
        for (;;) {
            // The worst parts first; after each step the order is made again (K log K, small
            // next to a step).
            std::iota(order.begin(), order.end(), 0u);
            std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
                const double da = std::abs(m_state.dev(a)), db = std::abs(m_state.dev(b));
                return da != db ? da > db : a < b;
            });
            bool any = false;
            for (const std::uint32_t p : order) {
                if (std::abs(m_state.dev(p)) <= m_env.goal) break;
                if (improve(p)) {
                    any = true;
                    ++steps;
                    break;
                }
            }
            if (!any || steps >= max_steps) break;
        }
        m_env.achieved = m_state.max_deviation();
    }

private:
    PartitionState& m_state;
    PhaseEnv& m_env;
    StuckMemo m_stuck;
    std::vector<Candidate> m_candidates;
    double m_work_left = 0.0; ///< Re-split work left (atoms handled).
};

} // namespace

void balance_local(PartitionState& state, PhaseEnv& env)
{
    LocalBalancer(state, env).run();
}

} // namespace libgrid::detail
