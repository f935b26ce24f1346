/// @file
/// @brief The adjacency graph of transformer areas as a plain CSR graph.
#pragma once

#include <libgrid/model.hpp>
#include <libgrid/progress.hpp>
#include <libgrid/service_areas.hpp>
#include <libgrid/validation.hpp>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace libgrid {

/// Edge kind flags, OR-ed in CsrGraph::kind (an edge may carry both).
enum EdgeKind : std::uint8_t {
    edge_border = 1, ///< The two areas share a border of positive length.
    edge_feeder = 2, ///< The two transformers are linked along a feeder.
    /// The straight line between the two transformers crosses a barrier (road, river, railway):
    /// a grid border there follows the barrier. Set on border or feeder edges, never alone.
    edge_barrier = 4,
};

/// An undirected graph in compressed sparse row form, as METIS and KaHIP take it.
///
/// Vertex v's neighbours are adjncy[xadj[v] .. xadj[v+1]); every edge is stored in both
/// directions with the same attributes. Neighbour lists are sorted by vertex index.
struct CsrGraph {
    std::vector<std::size_t> xadj;      ///< Size n + 1.
    std::vector<std::uint32_t> adjncy;  ///< Size 2m.
    std::vector<double> border_m;       ///< Shared border length per entry, metres (0 if none).
    std::vector<std::uint8_t> kind;     ///< EdgeKind flags per entry.
    std::vector<double> vertex_weight;  ///< Weight per vertex, size n (build_adjacency(): customers).

    /// Number of vertices. O(1).
    std::size_t num_vertices() const noexcept { return xadj.empty() ? 0 : xadj.size() - 1; }
    /// Number of undirected edges. O(1).
    std::size_t num_edges() const noexcept { return adjncy.size() / 2; }
};

/// One undirected edge, used to build a CsrGraph.
struct GraphEdge {
    std::uint32_t a = 0;   ///< Vertex.
    std::uint32_t b = 0;   ///< Vertex.
    double border_m = 0.0; ///< Shared border length in metres (0 for feeder-only edges).
    std::uint8_t kind = edge_border; ///< EdgeKind flags.
};

/// Builds a CSR graph from an edge list: merges parallel edges (lengths add, flags OR),
/// drops self-loops, sorts neighbours. An empty `vertex_weight` gives every vertex weight 1.
/// O(m log m).
/// @throws Error(invalid_argument) when an edge names a vertex >= num_vertices, or
///         vertex_weight is neither empty nor of size num_vertices.
CsrGraph make_csr(std::size_t num_vertices, const std::vector<GraphEdge>& edges,
                  std::vector<double> vertex_weight = {});

/// Connected components of a graph, as connected_components() returns them.
struct Components {
    std::vector<std::uint32_t> of_vertex; ///< Component index per vertex.
    std::vector<std::size_t> sizes;       ///< Vertices per component, largest first.
};

/// Connected components (Boost.Graph) over the edges carrying any of the `kinds` flags.
/// By default border edges only: areas sharing a border form one piece on the map, a feeder
/// link does not. Components are numbered largest first, ties by smallest vertex. O(n + m).
Components connected_components(const CsrGraph& graph, std::uint8_t kinds = edge_border);

/// Options for build_adjacency().
struct GraphOptions {
    /// Two borders closer than this are taken as shared. Units: metres. Default: 0.01.
    double snap_tolerance_m = 0.01;
    /// Add feeder links as edges. Default: true.
    bool feeder_edges = true;
    ProgressFn progress; ///< Progress callback. Default: none.
};

/// The adjacency graph of a territory's service areas.
struct AdjacencyGraph {
    CsrGraph graph;        ///< Vertex i is territory.transformers[i].
    /// Pieces of the map: components by shared borders (border edges). More than one means
    /// the input has islands; a grid never spans two.
    Components components;
    /// Components when feeder links join areas too (for information: feeder links pull
    /// transformers together but never connect a grid).
    Components components_with_feeders;
};

/// Builds the adjacency graph: an edge where two service areas share a border (with its length)
/// and, when enabled, where two transformers are linked along a feeder. Islands are reported
/// (one info issue listing the components), never bridged. Vertex weights are customers.
/// Complexity: O(n log n) in the number of area boundary segments.
/// @throws Error(invalid_argument) when `areas` does not hold one shape per transformer or
///         snap_tolerance_m is negative.
AdjacencyGraph build_adjacency(const Territory& territory, const ServiceAreas& areas,
                               ValidationReport& report, const GraphOptions& options = {});

} // namespace libgrid
