// The pocket bound: a lower bound on the balance that sees contiguity.
//
// Every atom lies in some part, and a part is connected by links; so the part holding atom v is
// one of the connected sets containing v, and its deviation is at least the smallest
// |load(C) / target - 1| over those sets C. Where that smallest value is large, v sits in a
// pocket: its neighbourhood offers no set near the target (NY8's tracts into 50 have one at
// +2.47%: a heavy tract whose only neighbours push any part holding it far over).
//
// The connected sets containing v are enumerated each exactly once (branch on the frontier:
// take candidate i, leave out the candidates before it), pruned as soon as a set is heavier
// than target x (1 + best so far), since adding atoms only adds load. A root stops as soon as
// it finds a set no worse than the bound already proven (it cannot raise it) and is given up,
// proving nothing, when its budget runs out. Roots are tried in order of how pocket-like they
// look (fewest links, then heaviest), under a total budget: the bound is valid whenever it
// stops, and deterministic.
#include "partition/internal.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <vector>

namespace libgrid::detail {
namespace {

class PocketSearch {
public:
    PocketSearch(const RegionGraph& g, double target) : m_g(g), m_target(target), m_mark(g.size(), 0) {}

    /// Smallest |load / target - 1| over the connected sets containing root; negative when the
    /// budget ran out first. Stops early (returning a value <= floor) once a set within floor
    /// is found.
    double run(std::uint32_t root, double floor, std::size_t budget)
    {
        m_best = std::abs(m_g.weight[root] / m_target - 1.0);
        m_floor = floor;
        m_budget = budget;
        m_aborted = false;
        m_mark[root] = in_set;
        std::vector<std::uint32_t> frontier;
        add_neighbours(root, frontier);
        if (m_best > m_floor) grow(m_g.weight[root], frontier);
        m_mark[root] = 0;
        for (const std::uint32_t u : frontier) m_mark[u] = 0;
        m_used = budget - m_budget;
        return m_aborted ? -1.0 : m_best;
    }
    /// Steps the last run() took.
    std::size_t used() const noexcept { return m_used; }

private:
    static constexpr std::uint8_t in_set = 1, in_frontier = 2, excluded = 3;

    void add_neighbours(std::uint32_t v, std::vector<std::uint32_t>& frontier)
    {
        for (std::uint32_t k = m_g.xadj[v]; k < m_g.link_end[v]; ++k) {
            const std::uint32_t u = m_g.adj[k];
            if (m_mark[u] == 0) {
                m_mark[u] = in_frontier;
                frontier.push_back(u);
            }
        }
    }

    // The set (marked in_set, of load `load`) grows by one frontier atom in each branch; the
    // atoms before it in the frontier are excluded in that branch (so each set comes once).
    void grow(double load, const std::vector<std::uint32_t>& frontier)
    {
        for (std::size_t i = 0; i < frontier.size(); ++i) {
            if (m_best <= m_floor || m_aborted) break;
            if (m_budget == 0) {
                m_aborted = true;
                break;
            }
            --m_budget;
            const std::uint32_t u = frontier[i];
            const double next = load + m_g.weight[u];
            if (next <= m_target * (1.0 + m_best)) {
                m_best = std::min(m_best, std::abs(next / m_target - 1.0));
                // Child frontier: the candidates after u, plus u's unseen neighbours.
                std::vector<std::uint32_t> child(frontier.begin() + static_cast<std::ptrdiff_t>(i) + 1, frontier.end());
                const std::size_t inherited = child.size();
                m_mark[u] = in_set;
                add_neighbours(u, child);
                grow(next, child);
                for (std::size_t j = inherited; j < child.size(); ++j) m_mark[child[j]] = 0;
            }
            m_mark[u] = excluded; // later branches at this level leave u out
        }
        // Back to "in the frontier" for the caller's other branches.
        for (const std::uint32_t u : frontier)
            if (m_mark[u] == excluded) m_mark[u] = in_frontier;
    }

    const RegionGraph& m_g;
    double m_target;
    std::vector<std::uint8_t> m_mark;
    double m_best = 0.0;
    double m_floor = 0.0;
    std::size_t m_budget = 0;
    std::size_t m_used = 0;
    bool m_aborted = false;
};

/// Smallest d for which load L (a set S behind the articulation atom a, of load w_a) can be
/// covered: m whole parts inside S, each within target x (1 +- d), plus what the part holding a
/// takes of S (0 .. target x (1 + d) - w_a). Over m = 0, 1, ...
double behind_articulation(double L, double w_a, double target)
{
    double best = 1e300;
    const auto most = static_cast<std::size_t>(L / target) + 2;
    for (std::size_t m = 0; m <= most; ++m) {
        double d = 0.0;
        if (m > 0) d = std::max(d, 1.0 - L / (static_cast<double>(m) * target));
        d = std::max(d, (L + w_a) / (static_cast<double>(m + 1) * target) - 1.0);
        best = std::min(best, d);
    }
    return best;
}

/// The articulation bound: a set S of atoms reached from the rest only through one atom a (a
/// valley behind a pass) is covered by parts lying wholly inside it plus at most the one part
/// holding a; when no whole number of parts fits its load, some part must be off target.
/// Every (a, S) with S a DFS subtree cut off by a, and the rest of the region behind a, is
/// checked. Iterative Hopcroft-Tarjan: O(n + m).
PocketBound articulation_bound(const RegionGraph& g, double target)
{
    PocketBound out;
    const std::size_t n = g.size();
    if (n < 3) return out;
    const double total = std::accumulate(g.weight.begin(), g.weight.end(), 0.0);
    constexpr std::uint32_t unseen = 0xFFFFFFFFu;
    std::vector<std::uint32_t> disc(n, unseen), low(n, 0), parent(n, unseen), next_edge(n, 0);
    std::vector<double> subtree(n, 0.0);
    std::uint32_t clock = 0;
    std::vector<std::uint32_t> stack{0};
    disc[0] = low[0] = clock++;
    subtree[0] = g.weight[0];
    next_edge[0] = g.xadj[0];
    auto consider = [&](std::uint32_t a, double behind) {
        const double d = behind_articulation(behind, g.weight[a], target);
        if (d > out.value) {
            out.value = d;
            out.atom = a;
        }
    };
    while (!stack.empty()) {
        const std::uint32_t v = stack.back();
        if (next_edge[v] < g.link_end[v]) {
            const std::uint32_t u = g.adj[next_edge[v]++];
            if (disc[u] == unseen) {
                parent[u] = v;
                disc[u] = low[u] = clock++;
                subtree[u] = g.weight[u];
                next_edge[u] = g.xadj[u];
                stack.push_back(u);
            } else if (u != parent[v]) {
                low[v] = std::min(low[v], disc[u]);
            }
            continue;
        }
        stack.pop_back();
        const std::uint32_t p = parent[v];
        if (p == unseen) break;
        low[p] = std::min(low[p], low[v]);
        subtree[p] += subtree[v];
        if (low[v] >= disc[p]) {
            // p cuts v's subtree off (for the root: when it has another child, checked below
            // through the complement, which is then the other children).
            consider(p, subtree[v]);
            consider(p, total - g.weight[p] - subtree[v]);
        }
    }
    return out;
}

} // namespace

PocketBound pocket_lower_bound(const RegionGraph& graph, std::size_t parts, double target, double proven,
                               std::size_t budget)
{
    PocketBound out;
    const std::size_t n = graph.size();
    if (parts < 2 || n == 0 || !(target > 0.0)) return out;
    const PocketBound valley = articulation_bound(graph, target);
    if (valley.value > proven) {
        out = valley;
        proven = valley.value;
    }
    std::vector<std::uint32_t> order(n);
    std::iota(order.begin(), order.end(), 0u);
    std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
        const std::uint32_t da = graph.link_end[a] - graph.xadj[a], db = graph.link_end[b] - graph.xadj[b];
        if (da != db) return da < db;
        if (graph.weight[a] != graph.weight[b]) return graph.weight[a] > graph.weight[b];
        return a < b;
    });
    PocketSearch search(graph, target);
    // Per root: enough for a pocket of a few atoms among a few dozen; most roots stop at once
    // (a set within the floor is near). Below a tenth of a percent a bound tells a planner
    // nothing, so the search does not chase it.
    const std::size_t per_root = 4096;
    double floor = std::max(proven, 0.001);
    for (const std::uint32_t v : order) {
        if (budget == 0) break;
        const double value = search.run(v, floor, std::min(per_root, budget));
        budget -= search.used();
        if (value > floor) {
            floor = value;
            out.value = value;
            out.atom = v;
        }
    }
    return out;
}

} // namespace libgrid::detail
