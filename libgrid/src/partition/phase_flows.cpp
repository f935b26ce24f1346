// Global balancing by diffusion (as in Hu and Blake's load-balancing flows, used by ParMETIS
// and Jostle). Local moves cannot shift load across parts that are all off in the same
// direction; flows route it through them to where it is missing.
#include "partition/phase.hpp"

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

namespace libgrid::detail {

void balance_flows(PartitionState& state, PhaseEnv& env)
{
    const std::size_t k = state.parts();
    if (k < 2) return;
    double mean = 0.0;
    for (std::uint32_t p = 0; p < k; ++p) mean += state.load(p);
    mean /= static_cast<double>(k);
    double best = state.max_deviation(), best_sq = state.sum_sq_deviation();
    std::vector<std::uint32_t> best_part = state.assignment();
    std::vector<std::vector<std::uint32_t>> nbrs(k);
    std::vector<double> phi(k), res(k), dir(k), lap(k), diag(k);
    std::vector<std::pair<double, std::pair<std::uint32_t, std::uint32_t>>> flows;
    for (int round = 0; round < 6; ++round) {
        for (std::uint32_t p = 0; p < k; ++p) nbrs[p] = state.neighbour_parts(p);
        // Conjugate gradients on L phi = b with a Jacobi preconditioner; b sums to zero,
        // so the singular system is consistent.
        double bnorm = 0.0;
        for (std::uint32_t p = 0; p < k; ++p) {
            res[p] = state.load(p) - mean;
            bnorm += res[p] * res[p];
            diag[p] = std::max<double>(1.0, static_cast<double>(nbrs[p].size()));
            phi[p] = 0.0;
        }
        if (bnorm <= 0.0) break;
        auto apply = [&](const std::vector<double>& x, std::vector<double>& y) {
            for (std::uint32_t p = 0; p < k; ++p) {
                double acc = static_cast<double>(nbrs[p].size()) * x[p];
                for (const auto q : nbrs[p]) acc -= x[q];
                y[p] = acc;
            }
        };
        std::vector<double> z(k);
        for (std::uint32_t p = 0; p < k; ++p) dir[p] = z[p] = res[p] / diag[p];
        double rz = 0.0;
        for (std::uint32_t p = 0; p < k; ++p) rz += res[p] * z[p];
        for (std::size_t it = 0; it < 4 * k + 50; ++it) {
            apply(dir, lap);
            double dl = 0.0;
            for (std::uint32_t p = 0; p < k; ++p) dl += dir[p] * lap[p];
            if (!(dl > 0.0)) break;
            const double alpha = rz / dl;
            double rr = 0.0;
            for (std::uint32_t p = 0; p < k; ++p) {
                phi[p] += alpha * dir[p];
                res[p] -= alpha * lap[p];
                rr += res[p] * res[p];
            }
            if (rr <= 1e-12 * bnorm) break;
            double rz_next = 0.0;
            for (std::uint32_t p = 0; p < k; ++p) {
                z[p] = res[p] / diag[p];
                rz_next += res[p] * z[p];
            }
            const double beta = rz_next / rz;
            rz = rz_next;
            for (std::uint32_t p = 0; p < k; ++p) dir[p] = z[p] + beta * dir[p];
        }
        // Flows q -> r where phi_q > phi_r, largest first.
        flows.clear();
        for (std::uint32_t q = 0; q < k; ++q)
            for (const auto r : nbrs[q])
                if (phi[q] > phi[r]) flows.push_back({phi[q] - phi[r], {q, r}});
        std::sort(flows.begin(), flows.end(), [](const auto& a, const auto& b) {
            return a.first != b.first ? a.first > b.first : a.second < b.second;
        });
        std::size_t moved = 0;
        const double limit = best + 1e-12;
        for (const auto& [amount, pr] : flows) {
            const auto [q, r] = pr;
            double left = amount;
            for (;;) {
                std::uint32_t pick = no_part;
                double pick_cost = 0.0;
                for (const auto v : state.members(q)) {
                    const double w = state.weight(v);
                    // Only moves that bring the flow still to carry closer to zero.
                    if (!(w > 0.0) || w >= 2.0 * left || !state.cap_ok(state.load(r) + w)) continue;
                    // Never past the worst deviation of the round's start: a flow whose
                    // inflow to q is not carried yet must not drain q.
                    if (std::abs(state.dev_of(state.load(q) - w)) > limit || std::abs(state.dev_of(state.load(r) + w)) > limit) continue;
                    if (!state.touches(v, r)) continue;
                    const double c = state.move_cost(v, r);
                    if (pick == no_part || c < pick_cost || (c == pick_cost && v < pick)) {
                        if (!state.stays_connected(v)) continue;
                        pick = v;
                        pick_cost = c;
                    }
                }
                if (pick == no_part) break;
                left -= state.weight(pick);
                state.move(pick, r);
                ++moved;
            }
        }
        // Progress: a lower worst deviation, or the same worst with a clearly lower sum of
        // squares (the flows work on all parts at once).
        const double now = state.max_deviation(), now_sq = state.sum_sq_deviation();
        const bool progress = now < best - min_gain || (now <= best + 1e-12 && now_sq < 0.99 * best_sq);
        if (!progress) break;
        best = std::min(best, now);
        best_sq = now_sq;
        best_part = state.assignment();
        if (moved == 0) break;
    }
    if (state.assignment() != best_part) state.assign(best_part);
    env.achieved = state.max_deviation();
}

} // namespace libgrid::detail
