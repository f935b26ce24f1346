// The phases of the region partitioner, each in a file of its own behind one interface (as
// Mt-KaHyPar's refiners): a phase takes the partition state and the environment of the run
// and improves the plan in place. Every phase keeps every part connected and under the cap;
// balance phases never raise the worst deviation, shape phases never take a part outside the
// balance band. Each can be switched off (RegionParams::phases) to measure what it buys.
#pragma once

#include "partition/internal.hpp"
#include "partition/state.hpp"
#include "partition/trees.hpp"

#include <cstddef>
#include <cstdint>

namespace libgrid::detail {

/// A balance step must lower the deviation it targets by at least this much (0.001 %), so that
/// the search does not crawl through negligible gains.
inline constexpr double min_gain = 1e-5;

/// What every phase of one run shares.
struct PhaseEnv {
    const RegionParams& params;
    Rng& rng;
    TreeSplitter& splitter;
    /// Deviation below which balance stops working on a part: any step reaching it is as good
    /// as another, and the cheapest cut wins. Half the balance tolerance.
    double goal = 0.0;
    /// The worst deviation the balance phases have reached. Shape phases may use deviations up
    /// to band() = max(tolerance, achieved), never more.
    double achieved = 0.0;
    /// Work multiplier (PartitionOptions::effort, >= 1): budgets of the searches scale with it.
    double effort = 1.0;

    double band() const noexcept { return achieved > params.balance_tolerance ? achieved : params.balance_tolerance; }
};

/// Start: recursive bisection on random spanning trees (every part connected by construction).
void start_tree_bisection(PartitionState& state, PhaseEnv& env);
/// Balance, globally: diffusion flows on the graph of parts, carried by boundary moves.
void balance_flows(PartitionState& state, PhaseEnv& env);
/// Balance, locally: moves, swaps and re-splits around the worst part, until none helps.
void balance_local(PartitionState& state, PhaseEnv& env);
/// Balance along paths of parts: ejection chains carry load from a part over the band to one
/// under it through parts that stay inside it.
void balance_chains(PartitionState& state, PhaseEnv& env);
/// Shape, greedily: boundary moves and balanced swaps that lower the cut within the band.
void shape_greedy(PartitionState& state, PhaseEnv& env);
/// Shape by simulated annealing on boundary moves, with a growing balance penalty.
void shape_anneal(PartitionState& state, PhaseEnv& env);
/// Shape by ReCom's step, greedily: each pair of neighbouring parts merged and re-split on
/// random spanning trees when that lowers the cut between them within the band.
void shape_recombine(PartitionState& state, PhaseEnv& env);

} // namespace libgrid::detail
