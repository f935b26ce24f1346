// Minimum-cost maximum flow through Boost.Graph (see graph/min_cost_flow.hpp).
#include "graph/min_cost_flow.hpp"

#include <libgrid/error.hpp>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/successive_shortest_path_nonnegative_weights.hpp>
#include <fmt/format.h>

namespace libgrid::detail {

namespace {

using Traits = boost::adjacency_list_traits<boost::vecS, boost::vecS, boost::directedS>;
using FlowGraph = boost::adjacency_list<
    boost::vecS, boost::vecS, boost::directedS, boost::no_property,
    boost::property<boost::edge_capacity_t, long long,
                    boost::property<boost::edge_residual_capacity_t, long long,
                                    boost::property<boost::edge_reverse_t, Traits::edge_descriptor,
                                                    boost::property<boost::edge_weight_t, long long>>>>>;

} // namespace

FlowResult min_cost_max_flow(std::size_t nodes, const std::vector<FlowArc>& arcs, std::uint32_t source,
                             std::uint32_t sink)
{
    if (source >= nodes || sink >= nodes || source == sink)
        throw Error(ErrorCode::invalid_argument,
                    fmt::format("graph: min-cost flow source {} / sink {} out of range of {} nodes", source, sink, nodes));
    FlowGraph g(nodes);
    auto capacity = boost::get(boost::edge_capacity, g);
    auto reverse = boost::get(boost::edge_reverse, g);
    auto weight = boost::get(boost::edge_weight, g);
    auto residual = boost::get(boost::edge_residual_capacity, g);
    std::vector<Traits::edge_descriptor> forward;
    forward.reserve(arcs.size());
    for (const auto& a : arcs) {
        if (a.from >= nodes || a.to >= nodes || a.capacity < 0 || a.cost < 0)
            throw Error(ErrorCode::invalid_argument,
                        fmt::format("graph: min-cost flow arc {} -> {} is out of range or negative", a.from, a.to));
        const auto e = boost::add_edge(a.from, a.to, g).first;
        const auto r = boost::add_edge(a.to, a.from, g).first;
        capacity[e] = a.capacity;
        capacity[r] = 0;
        weight[e] = a.cost;
        weight[r] = -a.cost;
        reverse[e] = r;
        reverse[r] = e;
        forward.push_back(e);
    }
    boost::successive_shortest_path_nonnegative_weights(g, source, sink);
    FlowResult out;
    out.arc_flow.reserve(arcs.size());
    for (const auto& e : forward) out.arc_flow.push_back(capacity[e] - residual[e]);
    for (std::size_t i = 0; i < arcs.size(); ++i) out.cost += out.arc_flow[i] * arcs[i].cost;
    for (std::size_t i = 0; i < arcs.size(); ++i)
        if (arcs[i].from == source) out.flow += out.arc_flow[i];
    return out;
}

} // namespace libgrid::detail
