/// @file
/// @brief Turning a territory into balanced, contiguous service grids.
#pragma once

#include <libgrid/graph.hpp>
#include <libgrid/model.hpp>
#include <libgrid/progress.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace libgrid {

/// How the load (workload) of a transformer area is computed. Balance is on load.
///
/// load = sum over classes (class_weight x customers of that class; classes without a weight
/// count with `default_class_weight`; when a transformer has no class counts its `customers`
/// count with `default_class_weight`) + per_transformer + per_km_feeder x feeder km
/// (+ `workload` field x workload_weight when the transformer has one).
/// Default: load = customers.
struct WorkloadModel {
    std::vector<std::pair<std::string, double>> class_weights; ///< Default: none.
    double default_class_weight = 1.0; ///< Default: 1.
    double per_transformer = 0.0;      ///< Added per transformer area. Default: 0.
    double per_km_feeder = 0.0;        ///< Per km of contracted feeder links (half of each link
                                       ///< to each end). Default: 0.
    double workload_weight = 0.0;      ///< Times the transformer's workload field. Default: 0.
};

/// Load of every transformer under a workload model, in territory order. Units: the load unit
/// (customers under the default model). O(n + links). Throws nothing of its own.
std::vector<double> compute_loads(const Territory& territory, const WorkloadModel& model);

/// Weights of the soft objectives (balance always comes first). 0 switches one off.
struct ObjectiveWeights {
    double compactness = 1.0; ///< Shared-border cut length between grids. Default: 1.
    double admin = 0.5;       ///< Keeping finer admin units (communities, compounds) whole. Default: 0.5.
    double feeder = 0.3;      ///< Keeping each feeder's transformers in few grids. Default: 0.3.
    double continuity = 0.5;  ///< Keeping current manager groupings together. Default: 0.5.
    /// Grid borders following barrier lines: cutting an edge that crosses a barrier costs
    /// 1 / (1 + 4 * barrier) of the usual price. Default: 1 (a fifth).
    double barrier = 1.0;
};

/// Options for partition().
struct PartitionOptions {
    /// Total number of grids K, spread over stations in proportion to their load (largest
    /// remainder, at least one each). Default: 0 = not given.
    std::size_t grids = 0;
    /// Grids per station, overriding `grids` for the stations listed. Default: none.
    std::vector<std::pair<std::string, std::size_t>> grids_per_station;
    /// Without K: grids per station = round(station load / target_load). Default: 0 = not given.
    double target_load = 0.0;
    /// Hard cap on a grid's load; without K, each station gets the fewest grids that keep every
    /// grid under it. Default: 0 = no cap.
    double max_load = 0.0;
    /// Grids must also nest in the units of this admin level (by name). Default: "" = stations only.
    std::string nest_level;
    /// Relax an impossible constraint (an atom over the cap, a station or island too small for
    /// its grids) for that part only, and say so, instead of failing. Default: false.
    bool allow_infeasible = false;
    /// Seed of every random choice; the same inputs and seed give the same plan. Default: 1.
    std::uint64_t seed = 1;
    /// Effort: initial solutions tried per region (more = better balance, slower). Default: 0 =
    /// automatic (many for small regions, few for large ones).
    std::size_t restarts = 0;
    /// Balance requirement: every grid within this of its station's target, wherever the lower
    /// bound allows. Balance comes first (the search aims at half of it), then compactness may
    /// use deviations up to it. A station the search leaves outside it is still planned, with
    /// StationPlan::target_met false and a note. Default: 0.01 (1%).
    double balance_tolerance = 0.01;
    /// Threads solving stations (and other independent regions) at once; the plan does not
    /// depend on it. Default: 0 = one per core.
    std::size_t threads = 0;
    /// Effort: a work budget, not a timer, so the plan stays the same for the same inputs.
    /// 1 is sub-second at prefecture scale; N multiplies the budgets of the balance and shape
    /// searches and the starts tried per region (cost grows about linearly). Default: 1.
    std::size_t effort = 1;
    /// Phases of the region partitioner to switch off, to measure what each buys
    /// (bench-partition --skip): "flows", "local", "chains", "greedy", "anneal", "recombine".
    /// Default: none.
    std::vector<std::string> skip_phases;
    WorkloadModel workload;  ///< How load is computed. Default: customers.
    ObjectiveWeights weights; ///< Soft objective weights.
    ProgressFn progress;      ///< Progress callback. Default: none.
};

/// Per-station result and bounds. Loads in the load unit; deviations as fractions (0.01 = 1%).
struct StationPlan {
    std::string station_id;     ///< Station ("" when transformers carry no station).
    std::size_t grids = 0;      ///< Grids made in the station.
    std::size_t transformers = 0; ///< Transformer areas in the station.
    double load = 0.0;          ///< Total load.
    double target = 0.0;        ///< load / grids.
    /// Lower bound on the achievable max |grid load / target - 1| in this station: no plan can
    /// do better. The largest of: the average over the target, the heaviest atom, the nearest
    /// subset sum of the loads, and pockets (an atom every connected set around which is far
    /// from the target, so the grid holding it must be).
    double lower_bound = 0.0;
    /// Which bound is binding: "region load over its grids" (an island or nest unit whose load
    /// is no whole number of grids), "heaviest transformer area", "sums of whole transformer
    /// loads" or "pocket at transformer 'T17'".
    std::string bound_reason;
    double max_deviation = 0.0; ///< Achieved max |grid load / target - 1|.
    double tolerance = 0.0;     ///< The balance tolerance asked (PartitionOptions::balance_tolerance).
    /// True when max_deviation <= tolerance (up to 1e-9). False either because the search fell
    /// short or because lower_bound > tolerance (no plan can meet it); a note says which.
    bool target_met = true;
    std::vector<std::string> notes; ///< Relaxed constraints and other facts, one sentence each.
};

/// Constraints a grid may break when PartitionOptions::allow_infeasible relaxed them.
enum RelaxFlag : std::uint8_t {
    relax_cap = 1,        ///< Load over the cap (an atom heavier than the cap).
    relax_contiguity = 2, ///< Not contiguous (an island too small for a grid of its own).
};

/// A plan: every transformer in exactly one grid. Loads in the load unit (see WorkloadModel).
/// partition() numbers the grids in reading order: by station, then by their first transformer
/// (the order of their ids), which is also the order of the written grids layer, so that a plan
/// read back from its files has the same grid indices.
struct Plan {
    std::vector<std::uint32_t> grid_of;     ///< Grid index per transformer (territory order).
    std::vector<std::string> grid_id;       ///< Grid id per grid, e.g. "S01-003".
    std::vector<std::size_t> grid_station;  ///< Index into `stations` per grid.
    std::vector<std::size_t> grid_nest_unit; ///< Unit of the nest level per grid (npos without).
    std::vector<double> grid_load;          ///< Load per grid.
    std::vector<double> grid_target;        ///< Target load per grid (its station's target).
    std::vector<double> load;               ///< Load per transformer (from the workload model).
    std::vector<StationPlan> stations;      ///< One per station, in station id order.
    double max_load = 0.0;                  ///< The cap the plan was made under (0 = none).
    /// Per grid: constraints relaxed under allow_infeasible (RelaxFlag bits; 0 = none).
    std::vector<std::uint8_t> grid_relaxed;

    /// Number of grids. O(1).
    std::size_t num_grids() const noexcept { return grid_id.size(); }
};

/// Partitions the territory into grids: transformer areas whole, every grid contiguous in the
/// adjacency graph (border and feeder edges), inside one station (and one unit of the nest
/// level), load under the cap, exactly K grids when K is given; then balance, then the soft
/// objectives. Recursive spanning-tree bisection for a contiguous start, then
/// contiguity-preserving local search. Deterministic for a seed. Near-linear in transformers.
/// @throws Error(invalid_input) naming the station or atom and the numbers when a constraint
///         is impossible and `allow_infeasible` is false.
/// @throws Error(invalid_input) when the territory has no transformer.
/// @throws Error(invalid_option) when neither grids, grids_per_station, target_load nor max_load
///         is given, grids_per_station names a station no transformer has, nest_level is not a
///         level name, skip_phases names an unknown phase, a number of the options (tolerance,
///         loads, weights) is not finite or is negative, or a class weight names a class no
///         transformer has.
/// @throws Error(invalid_argument) when the graph does not have one vertex per transformer.
Plan partition(const Territory& territory, const AdjacencyGraph& graph,
               const PartitionOptions& options);

/// Scores grids made elsewhere (a utility's current grids) as partition() scores its own:
/// `grid_of` gives a grid id per transformer (territory order). Each grid belongs to the
/// station (and nest unit) holding most of its load; a station's target is its load over its
/// grids; lower bounds, max deviations, `target_met` and notes follow partition()'s rules, with
/// each connected region bounded for the grids it holds (shared by load where a grid spans
/// regions). Grids keep their ids and are ordered as partition() orders its own, so evaluating
/// a plan partition() made reproduces its figures. Only `workload`, `nest_level` and
/// `balance_tolerance` of the options count. Nothing is checked here: verify_plan() says
/// whether the grids are contiguous and nested. O(n + edges) plus the bounds' searches.
/// @throws Error(invalid_argument) when `grid_of` or the graph does not have one entry per
///         transformer, or a transformer has no grid id ("").
/// @throws Error(invalid_option) as partition() for a bad option; Error(invalid_input) for an
///         empty territory.
Plan evaluate_grids(const Territory& territory, const AdjacencyGraph& graph, const std::vector<std::string>& grid_of,
                    const PartitionOptions& options);

/// Options of replan().
struct ReplanOptions {
    /// Balance tolerance, workload, nest level and the weights that say which transformers
    /// belong together (feeders, communities, current managers). With `target_load`, a station
    /// whose load over it (rounded) asks for more grids than it has gets them: each started from
    /// one area of a heaviest grid and filled from the grids around it, within the budget.
    /// Default: partition()'s.
    PartitionOptions partition;
    /// Hard budget: the share of the moved measure (customers, or transformers) that may change
    /// grid, 0..1. Default: 0.05 (5%).
    double max_moved = 0.05;
    /// Count the budget in transformer areas instead of customers. Default: false (customers).
    bool count_transformers = false;
    /// Per station, a max deviation accepted besides the tolerance: the one the grids in force
    /// were planned at (their report), so that an unchanged territory re-plans to no move and a
    /// grown one is brought back to where it was, or within the tolerance. Default: none.
    std::vector<std::pair<std::string, double>> accepted_deviation;
};

/// What replan() did.
struct ReplanResult {
    Plan before; ///< The current grids evaluated (new transformers attached to a neighbour).
    Plan plan;   ///< The re-planned grids; every grid keeps its id.
    /// Current grid id per transformer ("" for a transformer that had none: new ones).
    std::vector<std::string> current;
    double total = 0.0;  ///< The moved measure over transformers that had a grid.
    double budget = 0.0; ///< max_moved x total.
    double moved = 0.0;  ///< Moved measure spent (transformers in another grid than their current one).
    std::size_t moved_transformers = 0; ///< Transformers in another grid than their current one.
    std::size_t new_transformers = 0;   ///< Transformers without a current grid, attached to a neighbour.
    /// Grids made: for new transformers no grid borders, and where a station's load over
    /// `options.partition.target_load` asks for more grids than it has.
    std::size_t new_grids = 0;
};

/// Re-plans current grids under a hard budget on what moves: starting from `current` (a grid id
/// per transformer, "" for new transformers, which join the lightest neighbouring grid, or a new
/// grid where no grid borders them), it moves border transformer areas, one hop or along short
/// chains of neighbouring grids (then the partitioner's deeper chains, which also swap two
/// areas), only where that brings grids outside the balance tolerance (or
/// their station's accepted deviation, when larger) toward their station's target, never disconnecting a grid and never spending more than the
/// budget (a transformer moved back costs nothing). Among moves of equal effect it prefers those
/// that keep feeders, communities and current managers together. Grid ids are kept. An
/// unchanged territory within the tolerance re-plans to 0 moves. Deterministic.
/// O(moves x grid size) plus two evaluate_grids().
/// @throws as evaluate_grids(); Error(invalid_option) when max_moved is not in [0, 1].
ReplanResult replan(const Territory& territory, const AdjacencyGraph& graph, const std::vector<std::string>& current,
                    const ReplanOptions& options);

/// Options of the plain-graph partitioner partition_graph().
struct GraphPartitionOptions {
    std::size_t parts = 2;      ///< Number of parts K (>= 1). Default: 2.
    double max_load = 0.0;      ///< Hard cap per part, in vertex-weight units. Default: 0 = none.
    std::uint64_t seed = 1;     ///< Seed of every random choice. Default: 1.
    std::size_t restarts = 0;   ///< See PartitionOptions::restarts. Default: 0 = automatic.
    double balance_tolerance = 0.01; ///< See PartitionOptions::balance_tolerance. Default: 0.01.
    /// Extra cost per graph entry (same layout as adjncy) added to the cut objective when the
    /// entry's ends are in different parts. Default: empty = shared border length only.
    std::vector<double> extra_cut_cost;
};

/// Partitions a connected CSR graph into K contiguous parts balanced on vertex_weight,
/// minimising the cut: per cut edge 0.5 + 0.5 x its border length / the mean border length
/// (1 per edge when no edge has a border length), plus extra_cut_cost.
/// Deterministic for a seed; near-linear in vertices and edges.
/// @returns the part of each vertex, 0..K-1.
/// @throws Error(invalid_input) when K is 0, the graph is not connected or has fewer vertices
///         than K.
std::vector<std::uint32_t> partition_graph(const CsrGraph& graph, const GraphPartitionOptions& options);

/// Lower bound on the max |part weight / target - 1| of any partition of these weights into K
/// parts (target = total / K): from the heaviest atom and from the subset sums nearest to the
/// target. O(n * target / 64) with integer-rounded weights. Returns 0 for no weights or K = 0.
double balance_lower_bound(const std::vector<double>& weights, std::size_t parts);

} // namespace libgrid
