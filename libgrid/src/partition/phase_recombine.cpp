// Shape by ReCom's step, taken greedily: every pair of neighbouring parts is merged and split
// again on random spanning trees; the split is kept when it lowers the cut between the two and
// keeps both within the band (or where they already were, if further).
#include "partition/phase.hpp"

namespace libgrid::detail {

void shape_recombine(PartitionState& state, PhaseEnv& env)
{
    for (std::uint32_t p = 0; p < state.parts(); ++p)
        for (const std::uint32_t q : state.neighbour_parts(p))
            if (q > p) env.splitter.resplit_pair(state, p, q, env.rng, ResplitGoal::shape, min_gain);
}

} // namespace libgrid::detail
