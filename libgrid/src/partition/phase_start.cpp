// Start: recursive bisection on random spanning trees (as in ReCom). Removing one tree edge
// splits a region into two connected pieces, so every part is contiguous by construction; the
// edge whose subtree load is nearest to the wanted share is cut, best of several trees.
#include "partition/phase.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace libgrid::detail {

void start_tree_bisection(PartitionState& state, PhaseEnv& env)
{
    const RegionGraph& g = state.graph();
    const std::size_t n = state.size();
    // Edges in a random order, once per try; sub-regions filter them keeping the order, so no
    // sort is repeated down the recursion.
    const std::size_t tries = n <= 2000 ? 6 : n <= 50000 ? 3 : 2;
    std::vector<std::vector<Edge>> lists(tries);
    std::vector<std::pair<double, Edge>> keyed;
    for (const Edge& e : region_edges(g)) keyed.push_back({0.0, e});
    for (auto& list : lists) {
        // Exponential keys with rate = cut cost: costly edges (long shared borders, one
        // community, one feeder) tend to enter the tree early, so the tree edge that gets cut
        // tends to be a cheap one and parts come out compact.
        for (auto& [key, e] : keyed) key = -std::log(1.0 - env.rng.uniform()) / std::max(e.cost, 1e-9);
        order_edges(keyed, list);
    }
    std::vector<std::uint32_t> all(n);
    std::iota(all.begin(), all.end(), 0u);
    env.splitter.split(std::move(all), state.parts(), std::move(lists), env.rng, 4, false);
    state.assign(env.splitter.labels());
}

} // namespace libgrid::detail
