// Shape by ReCom's step, taken greedily: every pair of neighbouring parts is merged and split
// again on random spanning trees; the split is kept when it lowers the cut between the two and
// keeps both within the band (or where they already were, if further).
#include "partition/phase.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace libgrid::detail {

void shape_recombine(PartitionState& state, PhaseEnv& env)
{
    // 1 + log2(effort) rounds, up to 4: later rounds see the borders earlier ones moved. (The
    // starts already grow with the effort, so the whole cost stays about linear in it.)
    // Small regions (up to 1,000 atoms) get one round more: rounds are cheap there.
    const double small = state.size() <= 1000 ? 1.0 : 0.0;
    const auto rounds = static_cast<std::size_t>(std::min(1.0 + small + std::log2(env.effort), 4.0));
    for (std::size_t round = 0; round < rounds; ++round) {
        bool changed = false;
        for (std::uint32_t p = 0; p < state.parts(); ++p)
            for (const std::uint32_t q : state.neighbour_parts(p))
                if (q > p) changed |= env.splitter.resplit_pair(state, p, q, env.rng, ResplitGoal::shape, min_gain);
        if (!changed) break;
    }
}

} // namespace libgrid::detail
