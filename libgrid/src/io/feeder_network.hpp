// Contraction of a medium-voltage network to transformer-to-transformer links.
#pragma once

#include <libgrid/model.hpp>

#include <string>
#include <vector>

namespace libgrid::detail {

/// One MV network edge as read (normally-open edges already removed).
struct NetworkEdge {
    std::string from;       ///< Node id.
    std::string to;         ///< Node id.
    std::string feeder_id;  ///< Feeder id ("" when unknown).
    double length_m = 0.0;  ///< Length (0 when unknown).
};

/// Contracts the network: every node is given to its nearest transformer along the network
/// (multi-source Dijkstra from the transformers' nodes); every edge whose ends belong to two
/// different transformers becomes a link between them (shortest kept per pair). Transformers on
/// the same node are chained. `transformer_node[i]` is transformer i's node ("" = not on the
/// network). Returns links with a < b sorted by (a, b). O((V + E) log V).
std::vector<FeederLink> contract_network(const std::vector<std::string>& transformer_node,
                                         const std::vector<NetworkEdge>& edges);

} // namespace libgrid::detail
