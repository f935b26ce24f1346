// Internal interface of the partition module.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace libgrid {
struct Territory;
struct AdjacencyGraph;
struct PartitionOptions;
} // namespace libgrid

namespace libgrid::detail {

/// Lower bound on max |part / target - 1| for `parts` parts of these atoms (see bound.cpp).
double balance_lower_bound(const std::vector<double>& weights, std::size_t parts, double target);

struct RegionGraph;

/// A contiguity-aware bound (see pocket_bound.cpp): the part holding `atom` deviates by at least
/// `value` from the target, whatever the plan. value 0 and atom = UINT32_MAX: nothing proven.
struct PocketBound {
    double value = 0.0;
    std::uint32_t atom = 0xFFFFFFFFu;
};

/// The largest such bound above `proven` (the bound known already) found within `budget` steps
/// of enumerating connected sets of atoms. Deterministic.
PocketBound pocket_lower_bound(const RegionGraph& graph, std::size_t parts, double target, double proven,
                               std::size_t budget);

/// Deterministic random numbers (SplitMix64), independent of the standard library's
/// distributions so that plans are identical on every platform.
class Rng {
public:
    explicit Rng(std::uint64_t seed) noexcept : m_state(seed) {}
    /// Next 64 random bits.
    std::uint64_t next() noexcept
    {
        std::uint64_t z = (m_state += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
    /// Uniform in [0, 1).
    double uniform() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

private:
    std::uint64_t m_state;
};

/// Mixes a seed with a stream number into an independent seed.
inline std::uint64_t mix_seed(std::uint64_t seed, std::uint64_t stream) noexcept
{
    Rng r(seed ^ (stream * 0xD1B54A32D192ED03ULL));
    return r.next();
}

/// A connected region's graph in local vertex indices 0..n-1 (symmetric CSR).
///
/// Each vertex's entries come in two runs: first its links (a shared border: they connect,
/// and every part must be connected by them), then its affinities (feeder links: cutting one
/// costs, but it never connects a part). The region is connected by its links.
struct RegionGraph {
    std::vector<std::uint32_t> xadj;     ///< Size n + 1.
    std::vector<std::uint32_t> link_end; ///< Size n: links of v are xadj[v] .. link_end[v].
    std::vector<std::uint32_t> adj;      ///< Neighbours.
    std::vector<double> cost;            ///< Cut cost per entry (same both ways), > 0.
    std::vector<double> weight;          ///< Load per vertex.
    /// Number of vertices.
    std::size_t size() const noexcept { return weight.size(); }
};

/// Phases of partition_region() (bits of RegionParams::phases).
enum PhaseBit : unsigned {
    phase_flows = 1,     ///< Balance by diffusion flows.
    phase_local = 2,     ///< Balance by local moves, swaps and re-splits.
    phase_chains = 4,    ///< Balance by ejection chains along paths of parts.
    phase_greedy = 8,    ///< Shape by greedy moves and exchanges.
    phase_anneal = 16,   ///< Shape by simulated annealing.
    phase_recombine = 32, ///< Shape by ReCom's merge and re-split of neighbouring parts.
    all_phases = 63,
};

/// The phase set without the named phases ("flows", "local", "chains", "greedy", "anneal",
/// "recombine"). @throws Error(invalid_argument) naming an unknown phase and the known ones.
unsigned phases_without(const std::vector<std::string>& names);

/// Parameters of partition_region().
struct RegionParams {
    std::size_t parts = 1;            ///< K (1 <= K <= n).
    double target = 0.0;              ///< Target load per part (0 = region load / K).
    double cap = 0.0;                 ///< Hard cap per part (0 = none).
    double balance_tolerance = 0.01;  ///< Compactness moves may use deviation up to this.
    std::uint64_t seed = 1;           ///< Seed.
    std::size_t restarts = 0;         ///< Initial solutions (0 = automatic).
    std::size_t effort = 1;           ///< Work multiplier of the searches (>= 1).
    unsigned phases = all_phases;     ///< PhaseBit set of the phases to run.
};

/// Result of partition_region().
struct RegionResult {
    std::vector<std::uint32_t> part; ///< Part per vertex, 0..K-1, each part non-empty and connected.
    double max_deviation = 0.0;      ///< max |load / target - 1|.
    double cut_cost = 0.0;           ///< Sum of cost over cut edges.
    double lower_bound = 0.0;        ///< Balance lower bound for these parts and target.
    /// The atom whose pocket sets the bound (pocket_lower_bound()), or UINT32_MAX when the
    /// bound comes from the loads alone (average, heaviest atom, subset sums).
    std::uint32_t pocket_atom = 0xFFFFFFFFu;
    /// Which bound is binding, in a planner's words (see region.cpp); "pocket" for the pocket.
    const char* bound_kind = "region load over its grids";
};

/// The balance lower bound of a region for `parts` parts of `target` load (0 = region load /
/// parts): the largest of the average, heaviest-atom, subset-sum and pocket bounds, and which
/// one binds. The same for every seed and effort, so that a plan and its evaluation agree.
/// O(n log n) plus the pocket search's budget, linear in n.
struct RegionBound {
    double value = 0.0;                    ///< max |part / target - 1| no plan can beat.
    std::uint32_t pocket_atom = 0xFFFFFFFFu; ///< See RegionResult::pocket_atom.
    const char* kind = "region load over its grids"; ///< See RegionResult::bound_kind.
};
RegionBound region_bound(const RegionGraph& graph, std::size_t parts, double target);

/// A region partition() plans on its own (a connected piece of a station, or of a nest unit):
/// its station's index (in Plan::stations order), its transformers (ascending) and its graph in
/// their order.
struct PlannedRegion {
    std::size_t station = 0;
    std::vector<std::uint32_t> vertices;
    RegionGraph graph;
};
/// The regions and region graphs partition() would plan for these options (partition.cpp).
std::vector<PlannedRegion> planned_regions(const Territory& territory, const AdjacencyGraph& graph,
                                           const PartitionOptions& options);

/// Partitions a connected region into K connected parts: recursive spanning-tree bisection,
/// then contiguity-preserving balance moves and pair re-splits, then compactness moves within
/// the balance tolerance; best of several restarts. Deterministic for a seed.
RegionResult partition_region(const RegionGraph& graph, const RegionParams& params);

} // namespace libgrid::detail
