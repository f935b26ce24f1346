// Shape, greedily: a boundary atom moves to the neighbouring part it shares more cut cost with,
// and atoms of neighbouring parts trade places (Kernighan-Lin exchanges), as long as both parts
// stay within the balance band and connected.
#include "partition/phase.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

namespace libgrid::detail {
namespace {

bool within(const PartitionState& state, double load, double band)
{
    return std::abs(state.dev_of(load)) <= band + 1e-12 && state.cap_ok(load);
}

/// Balanced exchanges: an atom of p and an atom of a neighbouring part q trade places when that
/// lowers the cut and both parts stay within the band. With coarse atoms most single moves
/// break the band; exchanges of atoms of similar load do not. Returns the exchanges made.
std::size_t exchange_pass(PartitionState& state, double band)
{
    std::size_t done = 0;
    std::vector<std::uint32_t> bp, bq;
    for (std::uint32_t p = 0; p < state.parts(); ++p) {
        for (const std::uint32_t q : state.neighbour_parts(p)) {
            if (q < p) continue;
            state.facing(p, q, bp, bq);
            double best_gain = 1e-9;
            std::uint32_t bv = no_part, bu = no_part;
            for (const auto v : bp) {
                const double gv = -state.move_cost(v, q);
                for (const auto u : bq) {
                    // The edge between v and u (if any) stays cut after the exchange.
                    const double gain = gv - state.move_cost(u, p) - 2.0 * state.edge_cost(v, u);
                    if (gain <= best_gain) continue;
                    const double shift = state.weight(v) - state.weight(u);
                    if (!within(state, state.load(p) - shift, band) || !within(state, state.load(q) + shift, band))
                        continue;
                    best_gain = gain;
                    bv = v;
                    bu = u;
                }
            }
            if (bv != no_part && state.exchange(bv, bu)) ++done;
        }
    }
    return done;
}

} // namespace

void shape_greedy(PartitionState& state, PhaseEnv& env)
{
    if (state.parts() < 2) return;
    const RegionGraph& g = state.graph();
    const std::size_t n = state.size();
    const double band = env.band();
    std::vector<std::uint32_t> order(n);
    std::iota(order.begin(), order.end(), 0u);
    for (int pass = 0; pass < 12; ++pass) {
        // A fresh random order per pass keeps ties from always favouring low indices.
        for (std::size_t i = n; i > 1; --i) std::swap(order[i - 1], order[env.rng.next() % i]);
        std::size_t moved = 0;
        for (const std::uint32_t v : order) {
            const std::uint32_t p = state.part(v);
            std::uint32_t best_q = no_part;
            double best_gain = 1e-9;
            for (std::uint32_t k = g.xadj[v]; k < g.link_end[v]; ++k) {
                const std::uint32_t q = state.part(g.adj[k]);
                if (q == p || q == best_q) continue;
                const double gain = -state.move_cost(v, q);
                if (gain <= best_gain) continue;
                const double w = state.weight(v);
                if (!within(state, state.load(p) - w, band) || !within(state, state.load(q) + w, band)) continue;
                best_gain = gain;
                best_q = q;
            }
            if (best_q == no_part || !state.stays_connected(v)) continue;
            state.move(v, best_q);
            ++moved;
        }
        moved += exchange_pass(state, band);
        if (moved == 0) break;
    }
}

} // namespace libgrid::detail
