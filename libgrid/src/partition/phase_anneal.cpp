// Shape by simulated annealing on single boundary moves. Energy = cut cost + a balance penalty
// whose weight grows over the run, so that early on atoms may cross a border even when that
// unbalances two parts for a while (with coarse atoms almost every single move does), and by
// the end the parts are pulled back inside the band. Contiguity and the cap are hard. The best
// state that keeps every part within the band is kept. The number of steps depends only on the
// region size, never on time.
#include "partition/phase.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace libgrid::detail {

void shape_anneal(PartitionState& state, PhaseEnv& env)
{
    const RegionGraph& g = state.graph();
    const std::size_t n = state.size();
    if (state.parts() < 2 || n < 3) return;
    const double tol = env.band();
    const std::size_t steps = n * std::clamp<std::size_t>(150000 / n, 10, 300);
    double mean_cost = 0.0;
    for (const double c : g.cost) mean_cost += c;
    mean_cost /= static_cast<double>(std::max<std::size_t>(g.cost.size(), 1));
    const double t_start = 0.6 * mean_cost, t_end = 0.01 * mean_cost;
    const double cooling = std::pow(t_end / t_start, 1.0 / static_cast<double>(steps));
    const double l_start = 0.05 * mean_cost, l_end = 50.0 * mean_cost;
    const double growth = std::pow(l_end / l_start, 1.0 / static_cast<double>(steps));
    auto excess = [&](double load) { return std::max(0.0, std::abs(state.dev_of(load)) - tol) / std::max(tol, 1e-9); };
    std::size_t outside = 0;
    for (std::uint32_t p = 0; p < state.parts(); ++p) outside += excess(state.load(p)) > 0 ? 1 : 0;
    double temperature = t_start, lambda = l_start;
    double current = state.cut_cost();
    double best = outside == 0 ? current : std::numeric_limits<double>::infinity();
    std::vector<std::uint32_t> best_part = state.assignment();
    for (std::size_t step = 0; step < steps; ++step, temperature *= cooling, lambda *= growth) {
        const auto v = static_cast<std::uint32_t>(env.rng.next() % n);
        const std::uint32_t deg = g.link_end[v] - g.xadj[v]; // a move goes to a linked part
        if (deg == 0) continue;
        const std::uint32_t u = g.adj[g.xadj[v] + env.rng.next() % deg];
        const std::uint32_t p = state.part(v), q = state.part(u);
        if (p == q) continue;
        const double w = state.weight(v);
        if (!state.cap_ok(state.load(q) + w)) continue;
        const double pen_before = excess(state.load(p)) + excess(state.load(q));
        const double pen_after = excess(state.load(p) - w) + excess(state.load(q) + w);
        const double cut_delta = state.move_cost(v, q);
        const double delta = cut_delta + lambda * (pen_after - pen_before);
        if (delta > 0 && env.rng.uniform() >= std::exp(-delta / temperature)) continue;
        if (!state.stays_connected(v)) continue;
        outside -= (excess(state.load(p)) > 0 ? 1 : 0) + (excess(state.load(q)) > 0 ? 1 : 0);
        state.move(v, q);
        outside += (excess(state.load(p)) > 0 ? 1 : 0) + (excess(state.load(q)) > 0 ? 1 : 0);
        current += cut_delta;
        if (outside == 0 && current < best - 1e-9) {
            best = current;
            best_part = state.assignment();
        }
    }
    if (best < std::numeric_limits<double>::infinity() && (outside > 0 || best < current - 1e-9))
        state.assign(best_part);
}

} // namespace libgrid::detail
