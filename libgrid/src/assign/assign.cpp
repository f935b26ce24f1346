// Manager assignment (see libgrid/assign.hpp): per station, an exact branch and bound where the
// search space is small, otherwise the rounded transportation relaxation (min-cost flow)
// repaired for capacity and improved by moves and swaps. Both relaxations also give the lower
// bound the result reports its gap against.
#include "graph/min_cost_flow.hpp"
#include "graph/road_network.hpp"

#include <libgrid/assign.hpp>
#include <libgrid/error.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <unordered_map>

namespace libgrid {
namespace {

constexpr double eps = 1e-9;

std::string number(double v)
{
    // Loads are customer counts in the usual case: show them as such.
    if (std::abs(v - std::round(v)) < 1e-9) return fmt::format("{:.0f}", v);
    return fmt::format("{:.2f}", v);
}

std::string label(const std::string& station) { return station.empty() ? std::string("(no station)") : station; }

double km(const Point& a, const Point& b) { return std::hypot(a.x - b.x, a.y - b.y) / 1000.0; }

/// One station's assignment problem in local indices.
struct Problem {
    std::size_t station = 0;
    std::vector<std::uint32_t> grids;  ///< Global grid index per local grid.
    std::vector<std::size_t> managers; ///< Global manager index per local manager.
    std::vector<double> load;          ///< Per local grid.
    std::vector<double> cap;           ///< Per local manager.
    std::vector<std::size_t> max_grids; ///< Per local manager (no limit = number of grids).
    std::vector<double> cost;          ///< cost[g * M + m].
    std::vector<double> travel;        ///< travel[g * M + m], km (road or straight line).
    std::vector<std::vector<std::uint32_t>> adj; ///< Local grid adjacency.
    double adjacency_km = 0.0;

    std::size_t G() const { return grids.size(); }
    std::size_t M() const { return managers.size(); }
    double c(std::size_t g, std::size_t m) const { return cost[g * M() + m]; }
};

/// A complete assignment of one station with its running sums.
class Solution {
public:
    explicit Solution(const Problem& p)
        : of(p.G(), npos), m_p(&p), m_load(p.M(), 0.0), m_members(p.M()), m_mark(p.G(), 0)
    {
    }

    void set(std::size_t g, std::size_t m)
    {
        if (of[g] != npos) {
            auto& v = m_members[of[g]];
            v.erase(std::find(v.begin(), v.end(), static_cast<std::uint32_t>(g)));
            m_load[of[g]] -= m_p->load[g];
        }
        of[g] = m;
        m_members[m].push_back(static_cast<std::uint32_t>(g));
        m_load[m] += m_p->load[g];
    }
    void unset(std::size_t g)
    {
        if (of[g] == npos) return;
        auto& v = m_members[of[g]];
        v.erase(std::find(v.begin(), v.end(), static_cast<std::uint32_t>(g)));
        m_load[of[g]] -= m_p->load[g];
        of[g] = npos;
    }
    double load(std::size_t m) const { return m_load[m]; }
    std::size_t count(std::size_t m) const { return m_members[m].size(); }
    const std::vector<std::uint32_t>& members(std::size_t m) const { return m_members[m]; }
    bool over(std::size_t m) const
    {
        return m_load[m] > m_p->cap[m] * (1 + eps) + eps || m_members[m].size() > m_p->max_grids[m];
    }
    /// Fits grid g (not yet m's) into manager m, optionally after m gives up grid `out`.
    bool fits(std::size_t m, std::size_t g, std::size_t out = npos) const
    {
        const double l = m_load[m] + m_p->load[g] - (out == npos ? 0.0 : m_p->load[out]);
        const std::size_t n = m_members[m].size() + (out == npos ? 1 : 0);
        return l <= m_p->cap[m] * (1 + eps) + eps && n <= m_p->max_grids[m];
    }

    /// Connected groups of manager m's grids with `add` added and `remove` removed.
    std::size_t groups(std::size_t m, std::size_t add = npos, std::size_t remove = npos) const
    {
        auto& mark = m_mark;
        ++m_stamp;
        const std::uint32_t in = 2 * m_stamp, seen = 2 * m_stamp + 1;
        auto& set = m_set;
        set.clear();
        for (const auto g : m_members[m])
            if (g != remove) set.push_back(g);
        if (add != npos) set.push_back(static_cast<std::uint32_t>(add));
        for (const auto g : set) mark[g] = in;
        std::size_t n = 0;
        auto& stack = m_stack;
        stack.clear();
        for (const auto g : set) {
            if (mark[g] != in) continue;
            ++n;
            mark[g] = seen;
            stack.push_back(g);
            while (!stack.empty()) {
                const auto v = stack.back();
                stack.pop_back();
                for (const auto u : m_p->adj[v])
                    if (mark[u] == in) {
                        mark[u] = seen;
                        stack.push_back(u);
                    }
            }
        }
        return n;
    }
    double penalty(std::size_t groups_count) const
    {
        return groups_count > 1 ? m_p->adjacency_km * static_cast<double>(groups_count - 1) : 0.0;
    }
    double objective() const
    {
        double total = 0.0;
        for (std::size_t g = 0; g < of.size(); ++g) total += m_p->c(g, of[g]);
        for (std::size_t m = 0; m < m_members.size(); ++m) total += penalty(groups(m));
        return total;
    }

    std::vector<std::size_t> of; ///< Manager per grid.

private:
    const Problem* m_p;
    std::vector<double> m_load;
    std::vector<std::vector<std::uint32_t>> m_members;
    mutable std::vector<std::uint32_t> m_mark; // scratch of groups()
    mutable std::vector<std::uint32_t> m_set;  // scratch of groups()
    mutable std::vector<std::uint32_t> m_stack; // scratch of groups()
    mutable std::uint32_t m_stamp = 0;
};

// ---------------------------------------------------------------------------------------------
// Lower bounds from the two flow relaxations

/// Transportation relaxation: grids split their load over managers under the capacities
/// (max_grids dropped); its optimum is a lower bound. Also returns the largest share of each
/// grid's load, the rounding start.
double load_flow_bound(const Problem& p, std::vector<std::size_t>& rounded)
{
    const std::size_t G = p.G(), M = p.M();
    bool integral = true;
    double total = 0.0;
    for (const double l : p.load) {
        total += l;
        integral = integral && l == std::floor(l);
    }
    const double scale = integral && total <= 1e8 ? 1.0 : 1e6 / std::max(total, eps);
    std::vector<std::int64_t> units(G);
    double max_unit_cost = 0.0;
    for (std::size_t g = 0; g < G; ++g) {
        units[g] = std::llround(p.load[g] * scale);
        if (units[g] > 0)
            for (std::size_t m = 0; m < M; ++m) max_unit_cost = std::max(max_unit_cost, p.c(g, m) / double(units[g]));
    }
    const double K = max_unit_cost > 0 ? 1e9 / max_unit_cost : 1.0;
    std::vector<detail::FlowArc> arcs;
    const auto source = static_cast<std::uint32_t>(G + M), sink = static_cast<std::uint32_t>(G + M + 1);
    double bound = 0.0;
    std::int64_t need = 0;
    for (std::size_t g = 0; g < G; ++g) {
        if (units[g] == 0) continue;
        need += units[g];
        arcs.push_back({source, static_cast<std::uint32_t>(g), units[g], 0});
    }
    const std::size_t first_pair = arcs.size();
    for (std::size_t g = 0; g < G; ++g)
        for (std::size_t m = 0; m < M; ++m)
            if (units[g] > 0)
                arcs.push_back({static_cast<std::uint32_t>(g), static_cast<std::uint32_t>(G + m), units[g],
                                std::llround(p.c(g, m) / double(units[g]) * K)});
    for (std::size_t m = 0; m < M; ++m) {
        const double c = p.cap[m] * scale;
        const auto cu = integral && scale == 1.0 ? static_cast<std::int64_t>(std::floor(c + eps))
                                                 : static_cast<std::int64_t>(std::ceil(c));
        arcs.push_back({static_cast<std::uint32_t>(G + m), sink, std::max<std::int64_t>(cu, 0), 0});
    }
    const auto flow = detail::min_cost_max_flow(G + M + 2, arcs, source, sink);
    rounded.assign(G, npos);
    std::vector<std::int64_t> best(G, -1);
    std::size_t k = first_pair;
    for (std::size_t g = 0; g < G; ++g) {
        if (units[g] == 0) {
            // Weightless grids: their cheapest manager, in the bound and as the start.
            std::size_t arg = 0;
            for (std::size_t m = 1; m < M; ++m)
                if (p.c(g, m) < p.c(g, arg)) arg = m;
            bound += p.c(g, arg);
            rounded[g] = arg;
            continue;
        }
        for (std::size_t m = 0; m < M; ++m, ++k) {
            const auto f = flow.arc_flow[k];
            bound += double(f) * p.c(g, m) / double(units[g]);
            if (f > best[g] || (f == best[g] && p.c(g, m) < p.c(g, rounded[g]))) {
                best[g] = f;
                rounded[g] = m;
            }
        }
    }
    if (flow.flow < need) return std::numeric_limits<double>::infinity(); // no fractional fit
    // The integer prices are rounded: allow for it so that the bound stays a bound.
    return std::max(0.0, bound - double(need) * 0.5 / K);
}

/// Count relaxation: whole grids, max_grids kept, capacities dropped (an assignment problem).
double count_flow_bound(const Problem& p)
{
    const std::size_t G = p.G(), M = p.M();
    double max_cost = 0.0;
    for (const double c : p.cost) max_cost = std::max(max_cost, c);
    const double K = max_cost > 0 ? 1e9 / max_cost : 1.0;
    const auto source = static_cast<std::uint32_t>(G + M), sink = static_cast<std::uint32_t>(G + M + 1);
    std::vector<detail::FlowArc> arcs;
    for (std::size_t g = 0; g < G; ++g) arcs.push_back({source, static_cast<std::uint32_t>(g), 1, 0});
    for (std::size_t g = 0; g < G; ++g)
        for (std::size_t m = 0; m < M; ++m)
            arcs.push_back({static_cast<std::uint32_t>(g), static_cast<std::uint32_t>(G + m), 1,
                            std::llround(p.c(g, m) * K)});
    for (std::size_t m = 0; m < M; ++m)
        arcs.push_back({static_cast<std::uint32_t>(G + m), sink, static_cast<std::int64_t>(p.max_grids[m]), 0});
    const auto flow = detail::min_cost_max_flow(G + M + 2, arcs, source, sink);
    if (flow.flow < static_cast<std::int64_t>(G)) return std::numeric_limits<double>::infinity();
    double bound = 0.0;
    for (std::size_t g = 0, k = G; g < G; ++g)
        for (std::size_t m = 0; m < M; ++m, ++k) bound += double(flow.arc_flow[k]) * p.c(g, m);
    return std::max(0.0, bound - double(G) * 0.5 / K);
}

// ---------------------------------------------------------------------------------------------
// Exact search for small stations

struct Exact {
    const Problem& p;
    std::vector<std::size_t> order;   ///< Grids, heaviest first.
    std::vector<double> rest_min;     ///< Sum of the cheapest costs of order[i..].
    std::vector<std::vector<std::size_t>> by_cost; ///< Managers per grid, cheapest first.
    Solution current;
    double partial = 0.0;
    double best_value = std::numeric_limits<double>::infinity();
    std::vector<std::size_t> best;

    explicit Exact(const Problem& problem) : p(problem), current(problem)
    {
        const std::size_t G = p.G(), M = p.M();
        order.resize(G);
        std::iota(order.begin(), order.end(), std::size_t{0});
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return p.load[a] > p.load[b]; });
        rest_min.assign(G + 1, 0.0);
        by_cost.resize(G);
        for (std::size_t i = G; i-- > 0;) {
            const std::size_t g = order[i];
            auto& ms = by_cost[g];
            ms.resize(M);
            std::iota(ms.begin(), ms.end(), std::size_t{0});
            std::stable_sort(ms.begin(), ms.end(), [&](std::size_t a, std::size_t b) { return p.c(g, a) < p.c(g, b); });
            rest_min[i] = rest_min[i + 1] + p.c(g, ms.front());
        }
    }
    void search(std::size_t depth)
    {
        if (depth == order.size()) {
            double value = partial;
            for (std::size_t m = 0; m < p.M(); ++m) value += current.penalty(current.groups(m));
            if (value < best_value - eps) {
                best_value = value;
                best = current.of;
            }
            return;
        }
        const std::size_t g = order[depth];
        for (const std::size_t m : by_cost[g]) {
            if (partial + p.c(g, m) + rest_min[depth + 1] >= best_value - eps) break; // sorted: the rest cost more
            if (!current.fits(m, g)) continue;
            current.set(g, m);
            partial += p.c(g, m);
            search(depth + 1);
            partial -= p.c(g, m);
            current.unset(g);
        }
    }
};

// ---------------------------------------------------------------------------------------------
// Heuristic: repair for capacity, then improve

/// Overload of manager m (load over capacity, grids over max_grids) as one number: the load
/// part plus a large price per extra grid, so that both kinds count.
double overload(const Problem& p, const Solution& s, std::size_t m, double load, std::size_t count)
{
    (void)s;
    const double big = 1e6;
    return std::max(0.0, load - p.cap[m]) + big * double(count > p.max_grids[m] ? count - p.max_grids[m] : 0);
}

/// Repairs capacity by descent on the total overload: moves and swaps that lower it, the
/// cheapest first among equal reductions.
bool repair(const Problem& p, Solution& s)
{
    const std::size_t G = p.G(), M = p.M();
    auto over_of = [&](std::size_t m) { return overload(p, s, m, s.load(m), s.count(m)); };
    for (std::size_t iter = 0; iter < 4 * G * M + 16; ++iter) {
        bool any = false;
        for (std::size_t m = 0; m < M && !any; ++m) any = s.over(m);
        if (!any) return true;
        double best_gain = 1e-9, best_cost = std::numeric_limits<double>::infinity();
        std::size_t bg = npos, bm = npos, bh = npos;
        for (std::size_t o = 0; o < M; ++o) {
            if (!s.over(o)) continue;
            const double before_o = over_of(o);
            for (const auto g : s.members(o)) {
                const double after_o = overload(p, s, o, s.load(o) - p.load[g], s.count(o) - 1);
                for (std::size_t m = 0; m < M; ++m) {
                    if (m == o) continue;
                    const double gain = before_o - after_o + over_of(m) -
                                        overload(p, s, m, s.load(m) + p.load[g], s.count(m) + 1);
                    const double cost = p.c(g, m) - p.c(g, o);
                    if (gain > best_gain + 1e-9 || (gain > best_gain - 1e-9 && cost < best_cost)) {
                        best_gain = gain;
                        best_cost = cost;
                        bg = g; bm = m; bh = npos;
                    }
                    for (const auto h : s.members(m)) {
                        if (p.load[h] >= p.load[g]) continue;
                        const double d = p.load[g] - p.load[h];
                        const double sg = before_o - overload(p, s, o, s.load(o) - d, s.count(o)) + over_of(m) -
                                          overload(p, s, m, s.load(m) + d, s.count(m));
                        const double sc = p.c(g, m) - p.c(g, o) + p.c(h, o) - p.c(h, m);
                        if (sg > best_gain + 1e-9 || (sg > best_gain - 1e-9 && sc < best_cost)) {
                            best_gain = sg;
                            best_cost = sc;
                            bg = g; bm = m; bh = h;
                        }
                    }
                }
            }
        }
        if (bg == npos) return false;
        const std::size_t o = s.of[bg];
        s.set(bg, bm);
        if (bh != npos) s.set(bh, o);
    }
    return false;
}

/// Best-fit decreasing: each grid not yet assigned, heaviest first, to its cheapest manager
/// with room.
bool greedy(const Problem& p, Solution& s)
{
    std::vector<std::size_t> order(p.G());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return p.load[a] > p.load[b]; });
    for (const std::size_t g : order) {
        if (s.of[g] != npos) continue; // preset (the assignment in force)
        std::size_t best = npos;
        for (std::size_t m = 0; m < p.M(); ++m)
            if (s.fits(m, g) && (best == npos || p.c(g, m) < p.c(g, best))) best = m;
        if (best == npos) {
            // Fall back to the manager with the most room left.
            for (std::size_t m = 0; m < p.M(); ++m)
                if (s.fits(m, g) && (best == npos || p.cap[m] - s.load(m) > p.cap[best] - s.load(best))) best = m;
            if (best == npos) return false;
        }
        s.set(g, best);
    }
    return true;
}

void improve(const Problem& p, Solution& s, std::size_t max_passes)
{
    const std::size_t G = p.G(), M = p.M();
    for (std::size_t pass = 0; pass < max_passes; ++pass) {
        bool improved = false;
        for (std::size_t g = 0; g < G; ++g) {
            for (std::size_t m = 0; m < M; ++m) {
                const std::size_t o = s.of[g];
                if (m == o || !s.fits(m, g)) continue;
                double d = p.c(g, m) - p.c(g, o);
                if (d > 2 * p.adjacency_km * double(p.adj[g].size() + 1)) continue; // no group change can pay
                d += s.penalty(s.groups(o, npos, g)) - s.penalty(s.groups(o)) + s.penalty(s.groups(m, g)) -
                     s.penalty(s.groups(m));
                if (d < -eps) {
                    s.set(g, m);
                    improved = true;
                }
            }
        }
        for (std::size_t g = 0; g < G; ++g)
            for (std::size_t h = g + 1; h < G; ++h) {
                const std::size_t a = s.of[g], b = s.of[h];
                if (a == b || !s.fits(b, g, h) || !s.fits(a, h, g)) continue;
                double d = p.c(g, b) + p.c(h, a) - p.c(g, a) - p.c(h, b);
                if (d > 2 * p.adjacency_km * double(p.adj[g].size() + p.adj[h].size() + 2)) continue;
                d += s.penalty(s.groups(a, h, g)) - s.penalty(s.groups(a)) + s.penalty(s.groups(b, g, h)) -
                     s.penalty(s.groups(b));
                if (d < -eps) {
                    s.set(g, b);
                    s.set(h, a);
                    improved = true;
                }
            }
        if (!improved) break;
    }
}

/// Solves one station: exactly where the search space is small, else the best of up to three
/// starts (the assignment in force, the rounded flow, best-fit decreasing), each repaired for
/// capacity and improved. `bound` gets the lower bound. Returns false when nothing fits.
bool solve(const Problem& p, const std::vector<std::size_t>& forced, const AssignOptions& o, Solution& best,
           double& bound, bool& exact)
{
    std::vector<std::size_t> start;
    const double lb_load = load_flow_bound(p, start);
    bool limited = false;
    for (const std::size_t k : p.max_grids) limited = limited || k < p.G();
    const double lb_count = limited ? count_flow_bound(p) : 0.0;
    bound = std::max(lb_load, lb_count);
    exact = false;
    if (!std::isfinite(bound)) return false;
    if (std::pow(double(p.M()), double(p.G())) <= o.exact_limit) {
        Exact ex(p);
        ex.search(0);
        if (ex.best.empty()) return false;
        for (std::size_t g = 0; g < p.G(); ++g) best.set(g, ex.best[g]);
        exact = true;
        bound = ex.best_value;
        return true;
    }
    bool found = false;
    auto consider = [&](Solution& s) {
        improve(p, s, o.max_passes);
        if (!found || s.objective() < best.objective() - eps) best = std::move(s);
        found = true;
    };
    if (std::any_of(forced.begin(), forced.end(), [](std::size_t m) { return m != npos; })) {
        // The assignment in force, the other grids best-fit into the room left (or to their
        // cheapest manager when none has room), then repaired.
        Solution s0(p);
        for (std::size_t g = 0; g < p.G(); ++g)
            if (forced[g] != npos) s0.set(g, forced[g]);
        greedy(p, s0);
        for (std::size_t g = 0; g < p.G(); ++g)
            if (s0.of[g] == npos)
                s0.set(g, static_cast<std::size_t>(std::min_element(p.cost.begin() + g * p.M(),
                                                                     p.cost.begin() + (g + 1) * p.M()) -
                                                    (p.cost.begin() + g * p.M())));
        if (repair(p, s0)) consider(s0);
    }
    Solution s1(p);
    for (std::size_t g = 0; g < p.G(); ++g) s1.set(g, start[g]);
    if (repair(p, s1)) consider(s1);
    Solution s2(p);
    if (greedy(p, s2)) consider(s2);
    return found;
}

/// A station whose grids do not fit (allow_infeasible): max_grids dropped and every capacity
/// raised by a common factor: the one that keeps every manager in force when that works, else
/// the smallest (to 1/1000) under which the search finds a fit.
std::vector<std::size_t> relaxed_solve(const Problem& p, const std::vector<std::size_t>& forced,
                                      const AssignOptions& o, double& bound)
{
    Problem q = p;
    q.max_grids.assign(p.M(), p.G());
    std::vector<std::size_t> fit; // the assignment of the last factor that fitted
    auto fits_at = [&](double factor) {
        for (std::size_t m = 0; m < p.M(); ++m) q.cap[m] = p.cap[m] * factor;
        Solution s(q);
        double b = 0.0;
        bool exact = false;
        if (!solve(q, forced, o, s, b, exact)) return false;
        fit = s.of;
        bound = b;
        return true;
    };
    // Managers stay put: the factor under which every manager carries their grids in force,
    // when the search then keeps them all.
    std::vector<double> kept_load(p.M(), 0.0);
    bool any_forced = false;
    for (std::size_t g = 0; g < p.G(); ++g)
        if (forced[g] != npos) {
            kept_load[forced[g]] += p.load[g];
            any_forced = true;
        }
    if (any_forced) {
        double keep_factor = 1.0;
        for (std::size_t m = 0; m < p.M(); ++m) keep_factor = std::max(keep_factor, kept_load[m] / p.cap[m]);
        bool all_kept = fits_at(keep_factor * (1 + 1e-9));
        for (std::size_t g = 0; g < p.G() && all_kept; ++g) all_kept = forced[g] == npos || fit[g] == forced[g];
        if (all_kept) return fit;
    }
    // Otherwise the smallest factor that fits, to 1/1000: doubling, then bisection.
    double lo = 1.0, hi = 2.0;
    while (!fits_at(hi) && hi < 1e9) {
        lo = hi;
        hi *= 2.0;
    }
    while (hi - lo > 1e-3 * hi) {
        const double mid = 0.5 * (lo + hi);
        (fits_at(mid) ? hi : lo) = mid;
    }
    return fit;
}

/// The message when a station's grids do not pack (found by the search, not by check_roster).
std::string no_fit(const Problem& p, const std::string& station)
{
    return fmt::format("assign: the {} grids of station '{}' do not pack into the capacities and max_grids of its {} "
                       "managers (total capacity {}, load {}, heaviest grid {}) [managers_infeasible] (add a manager or raise "
                       "capacities, or allow_infeasible / --allow-infeasible to assign anyway and list who is over)",
                       p.G(), label(station), p.M(), number(std::accumulate(p.cap.begin(), p.cap.end(), 0.0)),
                       number(std::accumulate(p.load.begin(), p.load.end(), 0.0)),
                       number(*std::max_element(p.load.begin(), p.load.end())));
}

} // namespace

// ---------------------------------------------------------------------------------------------

std::vector<std::string> managers_in_force(const Territory& territory, const Plan& plan)
{
    std::vector<std::map<std::string, double>> customers(plan.num_grids());
    for (std::size_t i = 0; i < territory.transformers.size() && i < plan.grid_of.size(); ++i) {
        const auto& t = territory.transformers[i];
        if (!t.current_manager.empty()) customers[plan.grid_of[i]][t.current_manager] += t.customers;
    }
    std::vector<std::string> out(plan.num_grids());
    for (std::size_t g = 0; g < out.size(); ++g) {
        double most = -1.0;
        for (const auto& [id, n] : customers[g]) // id order: ties go to the smallest id
            if (n > most) {
                most = n;
                out[g] = id;
            }
    }
    return out;
}

const char* change_name(ManagerChange change) noexcept
{
    switch (change) {
    case ManagerChange::fresh: return "fresh";
    case ManagerChange::kept: return "kept";
    case ManagerChange::manager_left: return "manager_left";
    case ManagerChange::capacity: return "capacity";
    case ManagerChange::cost: return "cost";
    }
    return "unknown";
}

ValidationReport check_roster(const Territory& territory, const Plan& plan, const std::vector<Manager>& managers,
                              bool allow_infeasible)
{
    (void)territory;
    ValidationReport report;
    const std::size_t S = plan.stations.size();
    std::unordered_map<std::string, std::size_t> station_index;
    for (std::size_t s = 0; s < S; ++s) station_index.emplace(plan.stations[s].station_id, s);
    std::vector<double> cap(S, 0.0), max_cap(S, 0.0);
    std::vector<std::size_t> count(S, 0), max_grids(S, 0);
    std::vector<bool> unlimited(S, false);
    std::unordered_map<std::string, std::size_t> ids;
    for (std::size_t i = 0; i < managers.size(); ++i) {
        const auto& m = managers[i];
        if (!ids.emplace(m.id, i).second)
            report.add({Severity::error, IssueCode::id_duplicate, "", "", m.id,
                        fmt::format("manager id '{}' appears twice in the roster", m.id), "give each manager a unique id"});
        if (!(m.capacity > 0))
            report.add({Severity::error, IssueCode::manager_field_invalid, "", "", m.id,
                        fmt::format("capacity {} is not > 0", number(m.capacity)), "give every manager a capacity > 0"});
        auto it = station_index.find(m.station_id);
        if (it == station_index.end()) {
            std::string known;
            for (std::size_t s = 0; s < S && s < 12; ++s)
                known += (s ? ", " : "") + std::string("'") + plan.stations[s].station_id + "'";
            report.add({Severity::error, IssueCode::station_unknown, "", "", m.id,
                        fmt::format("manager names station '{}', which holds no grid of this plan (stations: {}{})",
                                    m.station_id, known, S > 12 ? ", ..." : ""),
                        "correct the manager's station_id"});
            continue;
        }
        const std::size_t s = it->second;
        ++count[s];
        cap[s] += m.capacity;
        max_cap[s] = std::max(max_cap[s], m.capacity);
        if (m.max_grids == 0) unlimited[s] = true;
        else max_grids[s] += m.max_grids;
    }
    std::vector<double> load(S, 0.0), heaviest(S, 0.0);
    std::vector<std::size_t> grids(S, 0), heavy(S, npos);
    std::vector<std::vector<double>> station_loads(S);
    for (std::size_t g = 0; g < plan.num_grids(); ++g) {
        const std::size_t s = plan.grid_station[g];
        station_loads[s].push_back(plan.grid_load[g]);
        load[s] += plan.grid_load[g];
        ++grids[s];
        if (heavy[s] == npos || plan.grid_load[g] > heaviest[s]) {
            heaviest[s] = plan.grid_load[g];
            heavy[s] = g;
        }
    }
    for (auto& l : station_loads) std::sort(l.begin(), l.end());
    for (std::size_t s = 0; s < S; ++s) {
        const std::string st = plan.stations[s].station_id;
        auto add = [&](std::string what, std::string fix, bool relaxable = true) {
            report.add({relaxable && allow_infeasible ? Severity::warning : Severity::error,
                        IssueCode::managers_infeasible, "", "", label(st), std::move(what), std::move(fix)});
        };
        if (grids[s] == 0) continue;
        if (count[s] == 0) {
            add(fmt::format("station '{}' has {} grids (load {}) but no manager on the roster", label(st), grids[s],
                            number(load[s])),
                fmt::format("add managers with station_id '{}' to the roster", st), false);
            continue;
        }
        if (cap[s] < load[s] * (1 - eps) - eps)
            add(fmt::format("the {} managers of station '{}' can carry {} in all, but its {} grids hold {}", count[s],
                            label(st), number(cap[s]), grids[s], number(load[s])),
                fmt::format("add managers or raise capacities by {} in all", number(load[s] - cap[s])));
        if (heaviest[s] > max_cap[s] * (1 + eps) + eps)
            add(fmt::format("grid '{}' of station '{}' has load {}, more than any of its managers can carry "
                            "(largest capacity {})",
                            plan.grid_id[heavy[s]], label(st), number(heaviest[s]), number(max_cap[s])),
                fmt::format("raise a manager's capacity to {} or re-plan with --max-load {}", number(heaviest[s]),
                            number(max_cap[s])));
        if (!unlimited[s] && max_grids[s] < grids[s])
            add(fmt::format("station '{}' has {} grids but its {} managers may hold at most {} (sum of max_grids)",
                            label(st), grids[s], count[s], max_grids[s]),
                fmt::format("raise max_grids by {} in all or add managers", grids[s] - max_grids[s]));
        // Bin-packing proof: a manager can hold at most as many grids as the station's lightest
        // grids that fit in its capacity (and max_grids); if all of them together hold fewer
        // than the station's grids, no assignment exists even though the totals agree.
        if (cap[s] >= load[s] * (1 - eps) - eps && heaviest[s] <= max_cap[s] * (1 + eps) + eps &&
            (unlimited[s] || max_grids[s] >= grids[s])) {
            std::vector<double> prefix{0.0};
            for (const double l : station_loads[s]) prefix.push_back(prefix.back() + l);
            std::size_t fit = 0, most = 0;
            for (const auto& m : managers) {
                auto it = station_index.find(m.station_id);
                if (it == station_index.end() || it->second != s) continue;
                auto k = static_cast<std::size_t>(
                    std::upper_bound(prefix.begin(), prefix.end(), m.capacity * (1 + eps) + eps) - prefix.begin() - 1);
                if (m.max_grids > 0) k = std::min(k, m.max_grids);
                fit += k;
                most = std::max(most, k);
            }
            if (fit < grids[s])
                add(fmt::format("the {} grids of station '{}' do not pack into its {} managers: each capacity holds "
                                "at most {} grids (even of the lightest), {} in all (total capacity {}, load {})",
                                grids[s], label(st), count[s], most, fit, number(cap[s]), number(load[s])),
                    fmt::format("raise capacities to hold {} grids each (about {}) or add {} managers",
                                most + 1, number(prefix[std::min(most + 1, grids[s])]),
                                (grids[s] - fit + std::max<std::size_t>(most, 1) - 1) / std::max<std::size_t>(most, 1)));
        }
    }
    return report;
}

std::vector<Manager> make_manager_slots(const Plan& plan, double capacity)
{
    if (!(std::isfinite(capacity) && capacity > 0))
        throw Error(ErrorCode::invalid_option,
                    fmt::format("assign: the manager capacity {} is not a finite number > 0 (give --manager-capacity N)",
                                capacity));
    std::vector<Manager> out;
    for (std::size_t s = 0; s < plan.stations.size(); ++s) {
        std::vector<double> loads;
        double total = 0.0;
        for (std::size_t g = 0; g < plan.num_grids(); ++g)
            if (plan.grid_station[g] == s) {
                if (plan.grid_load[g] > capacity * (1 + eps) + eps)
                    throw Error(ErrorCode::invalid_input,
                                fmt::format("assign: grid '{}' of station '{}' has load {}, more than the manager "
                                            "capacity {} (raise --manager-capacity to {} or re-plan with --max-load {})",
                                            plan.grid_id[g], label(plan.stations[s].station_id),
                                            number(plan.grid_load[g]), number(capacity), number(plan.grid_load[g]),
                                            number(capacity)));
                loads.push_back(plan.grid_load[g]);
                total += plan.grid_load[g];
            }
        if (loads.empty()) continue;
        std::stable_sort(loads.begin(), loads.end(), std::greater<>());
        std::vector<double> bins;
        for (const double l : loads) {
            auto it = std::find_if(bins.begin(), bins.end(), [&](double b) { return b + l <= capacity * (1 + eps) + eps; });
            if (it == bins.end()) bins.push_back(l);
            else *it += l;
        }
        const auto need = std::max<std::size_t>(bins.size(), static_cast<std::size_t>(std::ceil(total / capacity - eps)));
        const std::string& st = plan.stations[s].station_id;
        for (std::size_t k = 1; k <= need; ++k) {
            Manager m;
            m.id = fmt::format("{}{}M{:03}", st, st.empty() ? "" : "-", k);
            m.station_id = st;
            m.capacity = capacity;
            out.push_back(std::move(m));
        }
    }
    return out;
}

Assignment assign_managers(const Territory& territory, const CsrGraph& graph, const Plan& plan,
                           const std::vector<Manager>& managers, const AssignOptions& options)
{
    if (!options.in_force.empty() && options.in_force.size() != plan.num_grids())
        throw Error(ErrorCode::invalid_argument,
                    fmt::format("assign: the assignment in force names {} grids, the plan has {}",
                                options.in_force.size(), plan.num_grids()));
    const auto roster = check_roster(territory, plan, managers, options.allow_infeasible);
    for (const auto& i : roster.issues)
        if (i.severity == Severity::error)
            throw Error(ErrorCode::invalid_input, fmt::format("assign: {}{}{}", i.message, i.fix.empty() ? "" : " (",
                                                              i.fix.empty() ? "" : i.fix + ")"));
    if (plan.grid_of.size() != territory.transformers.size() || plan.load.size() != territory.transformers.size())
        throw Error(ErrorCode::invalid_argument, "assign: the plan does not belong to this territory");
    const std::size_t G = plan.num_grids(), S = plan.stations.size(), N = territory.transformers.size();
    Assignment a;
    a.managers = managers;

    // Grid centres (load-weighted; plain mean for a weightless grid) and station centres.
    std::vector<double> wx(G, 0), wy(G, 0), w(G, 0), px(G, 0), py(G, 0), pn(G, 0);
    std::vector<double> sx(S, 0), sy(S, 0), sw(S, 0);
    std::vector<std::unordered_map<std::string, double>> current(G);
    std::vector<double> known(G, 0.0), customers(G, 0.0);
    for (std::size_t i = 0; i < N; ++i) {
        const auto g = plan.grid_of[i];
        const auto& t = territory.transformers[i];
        const double l = plan.load[i];
        wx[g] += l * t.location.x;
        wy[g] += l * t.location.y;
        w[g] += l;
        px[g] += t.location.x;
        py[g] += t.location.y;
        pn[g] += 1;
        const auto s = plan.grid_station[g];
        sx[s] += (l > 0 ? l : eps) * t.location.x;
        sy[s] += (l > 0 ? l : eps) * t.location.y;
        sw[s] += l > 0 ? l : eps;
        customers[g] += t.customers;
        if (!t.current_manager.empty()) {
            current[g][t.current_manager] += t.customers;
            known[g] += t.customers;
        }
    }
    a.grid_centre.resize(G);
    for (std::size_t g = 0; g < G; ++g)
        a.grid_centre[g] = w[g] > 0 ? Point{wx[g] / w[g], wy[g] / w[g]}
                                    : Point{px[g] / std::max(pn[g], 1.0), py[g] / std::max(pn[g], 1.0)};
    std::unordered_map<std::string, std::size_t> station_index;
    for (std::size_t s = 0; s < S; ++s) station_index.emplace(plan.stations[s].station_id, s);
    std::vector<std::size_t> manager_station(managers.size());
    for (std::size_t k = 0; k < managers.size(); ++k) {
        const std::size_t s = station_index.at(managers[k].station_id);
        manager_station[k] = s;
        if (!managers[k].has_base) a.managers[k].base = {sx[s] / sw[s], sy[s] / sw[s]};
    }

    // Grid adjacency from the transformer graph: shared borders, as on the map.
    std::vector<std::vector<std::uint32_t>> grid_adj(G);
    for (std::size_t v = 0; v + 1 < graph.xadj.size() && v < N; ++v)
        for (std::size_t e = graph.xadj[v]; e < graph.xadj[v + 1]; ++e) {
            const auto u = graph.adjncy[e];
            if (u < N && (graph.kind.empty() || (graph.kind[e] & edge_border)) && plan.grid_of[u] != plan.grid_of[v])
                grid_adj[plan.grid_of[v]].push_back(plan.grid_of[u]);
        }
    for (auto& l : grid_adj) {
        std::sort(l.begin(), l.end());
        l.erase(std::unique(l.begin(), l.end()), l.end());
    }

    a.grid_manager.assign(G, npos);
    a.grid_travel_km.assign(G, 0.0);
    a.grid_change.assign(G, ManagerChange::fresh);
    a.grid_manager_before = options.in_force;
    a.grid_manager_before.resize(G);
    a.stations.resize(S);
    // Travel along the roads when the territory has them (one Dijkstra per manager).
    const detail::RoadNetwork roads(territory.roads);
    a.travel_by_road = roads.nodes() > 0;
    for (std::size_t s = 0; s < S; ++s) {
        if (options.progress) options.progress(Progress{"assign managers", double(s) / double(std::max<std::size_t>(S, 1))});
        Problem p;
        p.station = s;
        p.adjacency_km = options.adjacency_km;
        std::vector<std::uint32_t> local(G, std::numeric_limits<std::uint32_t>::max());
        for (std::size_t g = 0; g < G; ++g)
            if (plan.grid_station[g] == s) {
                local[g] = static_cast<std::uint32_t>(p.grids.size());
                p.grids.push_back(static_cast<std::uint32_t>(g));
                p.load.push_back(plan.grid_load[g]);
            }
        for (std::size_t k = 0; k < managers.size(); ++k)
            if (manager_station[k] == s) {
                p.managers.push_back(k);
                p.cap.push_back(managers[k].capacity);
            }
        if (p.grids.empty()) continue;
        for (const std::size_t k : p.managers)
            p.max_grids.push_back(managers[k].max_grids ? managers[k].max_grids : p.G());
        if (p.M() == 0) throw Error(ErrorCode::invalid_input, no_fit(p, plan.stations[s].station_id));
        p.cost.resize(p.G() * p.M());
        p.travel.resize(p.G() * p.M());
        {
            std::vector<Point> bases, centres;
            for (const std::size_t k : p.managers) bases.push_back(a.managers[k].base);
            for (const auto gg : p.grids) centres.push_back(a.grid_centre[gg]);
            const auto by_road = roads.distances_m(bases, centres);
            for (std::size_t g = 0; g < p.G(); ++g)
                for (std::size_t m = 0; m < p.M(); ++m) {
                    const double r = by_road[m][g];
                    if (a.travel_by_road && !std::isfinite(r)) ++a.straight_fallbacks;
                    p.travel[g * p.M() + m] = std::isfinite(r) ? r / 1000.0 : km(bases[m], centres[g]);
                }
        }
        for (std::size_t g = 0; g < p.G(); ++g) {
            const auto gg = p.grids[g];
            // Continuity is priced against the best any manager of the station could keep, so
            // that customers whose current manager is not on the roster add no constant.
            std::vector<double> kept(p.M(), 0.0);
            double best_kept = 0.0;
            for (std::size_t m = 0; m < p.M(); ++m) {
                auto it = current[gg].find(a.managers[p.managers[m]].id);
                kept[m] = it == current[gg].end() ? 0.0 : it->second;
                best_kept = std::max(best_kept, kept[m]);
            }
            for (std::size_t m = 0; m < p.M(); ++m) {
                double c = p.travel[g * p.M() + m];
                if (known[gg] > 0) c += options.continuity_km * (best_kept - kept[m]) / known[gg];
                p.cost[g * p.M() + m] = c;
            }
        }
        p.adj.resize(p.G());
        for (std::size_t g = 0; g < p.G(); ++g)
            for (const auto h : grid_adj[p.grids[g]])
                if (local[h] != std::numeric_limits<std::uint32_t>::max()) p.adj[g].push_back(local[h]);

        // The assignment in force: its manager per local grid (npos: none, or not on the
        // station's roster any more), priced so that keeping it outweighs every other term.
        std::vector<std::size_t> forced(p.G(), npos);
        if (!options.in_force.empty()) {
            std::unordered_map<std::string, std::size_t> local_manager;
            for (std::size_t m = 0; m < p.M(); ++m) local_manager.emplace(managers[p.managers[m]].id, m);
            for (std::size_t g = 0; g < p.G(); ++g) {
                auto it = local_manager.find(options.in_force[p.grids[g]]);
                if (it == local_manager.end()) continue;
                forced[g] = it->second;
                for (std::size_t m = 0; m < p.M(); ++m)
                    if (m != forced[g]) p.cost[g * p.M() + m] += options.move_km;
            }
        }

        auto& sum = a.stations[s];
        Solution best(p);
        double bound = 0.0;
        bool exact = false;
        if (!solve(p, forced, options, best, bound, exact)) {
            if (!options.allow_infeasible) throw Error(ErrorCode::invalid_input, no_fit(p, plan.stations[s].station_id));
            const auto of = relaxed_solve(p, forced, options, bound);
            for (std::size_t g = 0; g < p.G(); ++g) best.set(g, of[g]);
            exact = false;
            sum.capacity_raised = true;
        }
        for (std::size_t g = 0; g < p.G(); ++g) {
            const auto gg = p.grids[g];
            a.grid_manager[gg] = p.managers[best.of[g]];
            a.grid_travel_km[gg] = p.travel[g * p.M() + best.of[g]];
            if (options.in_force.empty() || options.in_force[gg].empty()) continue;
            auto& change = a.grid_change[gg];
            if (forced[g] == npos) change = ManagerChange::manager_left;
            else if (best.of[g] == forced[g]) change = ManagerChange::kept;
            else change = ManagerChange::cost;
        }
        // A move away from a manager still on the roster is for capacity when that manager
        // cannot carry every grid in force (or capacities were raised); otherwise for cost.
        std::vector<double> load_in_force(p.M(), 0.0);
        std::vector<std::size_t> count_in_force(p.M(), 0);
        for (std::size_t g = 0; g < p.G(); ++g)
            if (forced[g] != npos) {
                load_in_force[forced[g]] += p.load[g];
                ++count_in_force[forced[g]];
            }
        for (std::size_t g = 0; g < p.G(); ++g) {
            auto& change = a.grid_change[p.grids[g]];
            if (change != ManagerChange::cost) continue;
            const std::size_t m = forced[g];
            if (sum.capacity_raised || load_in_force[m] > p.cap[m] * (1 + eps) + eps ||
                count_in_force[m] > p.max_grids[m])
                change = ManagerChange::capacity;
        }
        sum.objective = best.objective();
        sum.lower_bound = std::min(bound, sum.objective);
        sum.exact = exact;
    }
    if (options.progress) options.progress(Progress{"assign managers", 1.0});

    // Figures, from the final assignment.
    a.figures.assign(managers.size(), ManagerFigures{});
    a.over_capacity.assign(managers.size(), 0.0);
    for (std::size_t g = 0; g < G; ++g) {
        const std::size_t k = a.grid_manager[g];
        auto& f = a.figures[k];
        ++f.grids;
        f.load += plan.grid_load[g];
        f.customers += customers[g];
        f.travel_km += a.grid_travel_km[g];
        f.known_customers += known[g];
        auto it = current[g].find(managers[k].id);
        if (it != current[g].end()) f.kept_customers += it->second;
    }
    for (std::size_t k = 0; k < managers.size(); ++k)
        if (a.figures[k].load > managers[k].capacity * (1 + eps) + eps)
            a.over_capacity[k] = a.figures[k].load - managers[k].capacity;
    for (std::size_t g = 0; g < G; ++g) {
        const auto change = a.grid_change[g];
        for (auto* sum : {&a.stations[plan.grid_station[g]], &a.overall}) {
            if (change == ManagerChange::kept) ++sum->kept;
            if (change == ManagerChange::manager_left || change == ManagerChange::capacity ||
                change == ManagerChange::cost)
                ++sum->moved;
            if (change == ManagerChange::manager_left) ++sum->manager_left;
            if (change == ManagerChange::capacity) ++sum->capacity_moves;
        }
    }
    std::vector<std::vector<std::uint32_t>> held(managers.size());
    for (std::size_t g = 0; g < G; ++g) held[a.grid_manager[g]].push_back(static_cast<std::uint32_t>(g));
    std::vector<std::size_t> pairs(S + 1, 0), adjacent(S + 1, 0), multi(S + 1, 0), one(S + 1, 0);
    std::vector<double> kept(S + 1, 0.0), knowns(S + 1, 0.0);
    std::vector<char> in(G, 0);
    for (std::size_t k = 0; k < managers.size(); ++k) {
        const auto& h = held[k];
        const std::size_t s = manager_station[k];
        for (const auto g : h) in[g] = 1;
        std::size_t adj_pairs = 0;
        for (const auto g : h)
            for (const auto u : grid_adj[g])
                if (in[u] && u > g) ++adj_pairs;
        // Groups by a plain search over the held grids.
        std::size_t groups = 0;
        std::vector<std::uint32_t> stack;
        for (const auto g : h) {
            if (in[g] != 1) continue;
            ++groups;
            in[g] = 2;
            stack.push_back(g);
            while (!stack.empty()) {
                const auto v = stack.back();
                stack.pop_back();
                for (const auto u : grid_adj[v])
                    if (in[u] == 1) {
                        in[u] = 2;
                        stack.push_back(u);
                    }
            }
        }
        for (const auto g : h) in[g] = 0;
        a.figures[k].groups = groups;
        const std::size_t n = h.size();
        for (const std::size_t idx : {s, S}) {
            auto& sum = idx == S ? a.overall : a.stations[idx];
            ++sum.managers;
            sum.capacity += managers[k].capacity;
            if (n > 0) ++sum.managers_used;
            sum.max_capacity_use = std::max(sum.max_capacity_use, a.figures[k].load / managers[k].capacity);
            sum.travel_km += a.figures[k].travel_km;
            kept[idx] += a.figures[k].kept_customers;
            knowns[idx] += a.figures[k].known_customers;
            if (n >= 2) {
                pairs[idx] += n * (n - 1) / 2;
                adjacent[idx] += adj_pairs;
                ++multi[idx];
                if (groups == 1) ++one[idx];
            }
        }
    }
    for (std::size_t g = 0; g < G; ++g) {
        ++a.stations[plan.grid_station[g]].grids;
        a.stations[plan.grid_station[g]].load += plan.grid_load[g];
        ++a.overall.grids;
        a.overall.load += plan.grid_load[g];
    }
    a.overall.exact = true;
    for (std::size_t idx = 0; idx <= S; ++idx) {
        auto& sum = idx == S ? a.overall : a.stations[idx];
        if (knowns[idx] > 0) sum.continuity = kept[idx] / knowns[idx];
        if (pairs[idx] > 0) sum.adjacent_pair_share = double(adjacent[idx]) / double(pairs[idx]);
        if (multi[idx] > 0) sum.one_group_share = double(one[idx]) / double(multi[idx]);
        if (idx < S) {
            a.overall.objective += sum.objective;
            a.overall.lower_bound += sum.lower_bound;
            a.overall.exact = a.overall.exact && (sum.exact || sum.grids == 0);
            a.overall.capacity_raised = a.overall.capacity_raised || sum.capacity_raised;
        }
    }
    for (std::size_t idx = 0; idx <= S; ++idx) {
        auto& sum = idx == S ? a.overall : a.stations[idx];
        sum.gap = sum.objective > eps ? (sum.objective - sum.lower_bound) / sum.objective : 0.0;
    }
    return a;
}

} // namespace libgrid
