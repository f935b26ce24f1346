// Random spanning trees: cutting one tree edge splits a connected set into two connected
// pieces, which is how the start, the pair re-splits and ReCom make contiguous parts.
#pragma once

#include "partition/internal.hpp"
#include "partition/state.hpp"

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace libgrid::detail {

/// One undirected entry of a region graph, as the tree builders take them.
struct Edge {
    std::uint32_t a, b;
    double cost; ///< Cut cost of the edge.
    bool link;   ///< A link (connects); false for an affinity (priced, never in a tree).
};

/// Every edge (a < b) of the graph, links and affinities, in entry order.
std::vector<Edge> region_edges(const RegionGraph& graph);

/// Union-find with path halving, over dense indices.
class UnionFind {
public:
    void reset(std::size_t n);
    std::uint32_t find(std::uint32_t x);
    bool unite(std::uint32_t a, std::uint32_t b);

private:
    std::vector<std::uint32_t> m_parent;
};

/// Edges in ascending order of their (positive) keys; ties keep the input order.
void order_edges(const std::vector<std::pair<double, Edge>>& keyed, std::vector<Edge>& out);

/// A spanning tree of a vertex set, rooted, with preorder positions and subtree sums.
struct Tree {
    std::vector<std::uint32_t> order; ///< Vertices in preorder (local indices into the set).
    std::vector<std::uint32_t> pre;   ///< Preorder position per local index.
    std::vector<std::uint32_t> size;  ///< Subtree vertex count per local index.
    std::vector<double> sum;          ///< Subtree weight per local index.
};

/// Builds a spanning tree of `set` from its internal links taken in the given order (Kruskal;
/// affinities are skipped), rooted at set[0], with subtree sizes and weights. `local` maps
/// vertex -> index in set. Returns false when the set is not connected by links.
bool spanning_tree(const std::vector<std::uint32_t>& set, const std::vector<Edge>& edges,
                   const std::vector<std::uint32_t>& local, const std::vector<double>& weight, UnionFind& uf,
                   Tree& tree);

/// What a pair re-split aims for.
enum class ResplitGoal {
    balance, ///< Lower the larger deviation of the two parts.
    shape,   ///< Lower the cut between them, both within max(tolerance, their deviation now).
};

/// Splits connected sets into connected parts on random spanning trees. Holds scratch sized to
/// the region, so one splitter serves a whole phase.
class TreeSplitter {
public:
    TreeSplitter(const RegionGraph& graph, double balance_tolerance);

    /// Recursive bisection of `set` into k parts labelled first_label .. first_label + k - 1
    /// (written to labels() at the set's vertices): each split cuts the tree edge whose subtree
    /// load is nearest to the wanted share, best of several trees; among splits within the
    /// balance tolerance the cheapest cut wins. `lists` are random edge orders of the set's
    /// edges (at least one); `extra_trees` fresh orders are added per split of at most 3,000
    /// atoms (scaled up for small sets unless `fixed_extra`).
    void split(std::vector<std::uint32_t> set, std::size_t k, std::vector<std::vector<Edge>> lists, Rng& rng,
               std::size_t extra_trees, bool fixed_extra, std::uint32_t first_label = 0);
    const std::vector<std::uint32_t>& labels() const noexcept { return m_out; }

    /// Merges parts p and q (they must touch) and splits the union again on random spanning
    /// trees; applied when it meets the goal. Returns true when the state changed.
    bool resplit_pair(PartitionState& state, std::uint32_t p, std::uint32_t q, Rng& rng, ResplitGoal goal,
                      double min_gain);

    /// Merges the given parts (connected as a whole) and splits the union again into as many
    /// parts by tree bisection, `attempts` times; the best split is applied when the largest
    /// deviation among them goes down by at least min_gain. Returns true when the state changed.
    bool repartition(PartitionState& state, const std::vector<std::uint32_t>& group, Rng& rng,
                     std::size_t attempts, double min_gain);

private:
    void bisect(std::vector<std::uint32_t> set, std::size_t k, std::vector<std::vector<Edge>> lists);
    double split_cut(const Tree& tree, std::uint32_t root, const std::vector<std::pair<std::uint64_t, Edge>>& keyed,
                     std::vector<char>& side) const;

    const RegionGraph& m_g;
    double m_tolerance;
    Rng* m_rng = nullptr;
    std::size_t m_extra_trees = 4;
    bool m_fixed_extra = false;
    std::uint32_t m_next_label = 0;
    std::vector<std::uint32_t> m_out, m_local;
    std::vector<char> m_in_group;
    std::vector<std::pair<double, Edge>> m_keyed;
    UnionFind m_uf;
};

} // namespace libgrid::detail
