// find_weak_grids(): what an evaluation says is wrong with each grid, worst first.
#include <libgrid/plan_folder.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace libgrid {

std::vector<GridFinding> find_weak_grids(const Territory& t, const AdjacencyGraph& graph, const Plan& plan,
                                         const PlanReport& report)
{
    const std::size_t G = plan.num_grids(), n = t.transformers.size();
    std::vector<GridFinding> out(G);
    for (std::size_t g = 0; g < G; ++g) {
        out[g].grid_id = plan.grid_id[g];
        out[g].station_id = plan.stations[plan.grid_station[g]].station_id;
    }
    const auto add = [&](std::size_t g, double score, std::string reason) {
        out[g].score += score;
        out[g].reasons.push_back(std::move(reason));
    };
    // Balance: beyond the tolerance, by how much.
    const double tolerance = report.balance.tolerance;
    for (std::size_t g = 0; g < G; ++g) {
        const double target = plan.grid_target[g];
        if (!(target > 0)) continue;
        const double dev = plan.grid_load[g] / target - 1.0;
        if (std::abs(dev) <= tolerance + 1e-9) continue;
        add(g, std::abs(dev) / std::max(tolerance, 0.01),
            fmt::format("{} target by {:.1f}% (load {:.0f}, target {:.0f})", dev > 0 ? "over" : "under",
                        100 * std::abs(dev), plan.grid_load[g], target));
    }
    // Pieces on the map beyond the islands the grid lies on: its areas joined by shared borders
    // (a service area's own islets, e.g. rocks off a coast, are one area, not pieces).
    std::vector<std::uint32_t> root(n);
    for (std::size_t i = 0; i < n; ++i) root[i] = static_cast<std::uint32_t>(i);
    const auto find = [&](std::uint32_t v) {
        while (root[v] != v) v = root[v] = root[root[v]];
        return v;
    };
    const auto& csr = graph.graph;
    for (std::size_t v = 0; v < n && v + 1 < csr.xadj.size(); ++v)
        for (std::size_t k = csr.xadj[v]; k < csr.xadj[v + 1]; ++k)
            if ((csr.kind[k] & edge_border) && plan.grid_of[csr.adjncy[k]] == plan.grid_of[v])
                root[find(static_cast<std::uint32_t>(v))] = find(csr.adjncy[k]);
    std::vector<std::set<std::uint32_t>> pieces(G), islands(G);
    std::vector<std::set<std::string>> stations(G);
    for (std::size_t i = 0; i < n; ++i) {
        const auto g = plan.grid_of[i];
        pieces[g].insert(find(static_cast<std::uint32_t>(i)));
        if (i < graph.components.of_vertex.size()) islands[g].insert(graph.components.of_vertex[i]);
        stations[g].insert(t.transformers[i].station_id);
    }
    for (std::size_t g = 0; g < G; ++g)
        if (pieces[g].size() > std::max<std::size_t>(islands[g].size(), 1))
            add(g, 3.0 * static_cast<double>(pieces[g].size() - islands[g].size()),
                fmt::format("in {} pieces on the map{}", pieces[g].size(),
                            islands[g].size() > 1 ? fmt::format(" (it lies on {} islands)", islands[g].size())
                                                  : std::string()));
    for (std::size_t g = 0; g < G; ++g)
        if (stations[g].size() > 1)
            add(g, 3.0, fmt::format("spans {} stations ({})", stations[g].size(), fmt::join(stations[g], ", ")));
    // Communities and feeders shared with other grids.
    std::map<std::string, std::set<std::size_t>> community_grids;
    for (std::size_t g = 0; g < G && g < report.grids.size(); ++g)
        for (const auto& c : report.grids[g].communities) community_grids[c].insert(g);
    for (std::size_t g = 0; g < G && g < report.grids.size(); ++g) {
        std::vector<std::string> split;
        for (const auto& c : report.grids[g].communities)
            if (community_grids[c].size() > 1) split.push_back(c);
        if (split.empty()) continue;
        std::string names;
        for (std::size_t k = 0; k < split.size() && k < 3; ++k) names += (k ? ", " : "") + split[k];
        add(g, 0.5 * static_cast<double>(split.size()),
            fmt::format("shares {} {} with other grids ({}{})", split.size(),
                        split.size() == 1 ? "community" : "communities", names, split.size() > 3 ? ", ..." : ""));
    }
    std::map<std::string, std::set<std::uint32_t>> feeder_grids;
    for (std::size_t i = 0; i < n; ++i)
        if (!t.transformers[i].feeder_id.empty()) feeder_grids[t.transformers[i].feeder_id].insert(plan.grid_of[i]);
    std::vector<std::size_t> split_feeders(G, 0);
    for (const auto& [feeder, grids] : feeder_grids)
        if (grids.size() > 1)
            for (const auto g : grids) ++split_feeders[g];
    for (std::size_t g = 0; g < G; ++g)
        if (split_feeders[g])
            add(g, 0.3 * static_cast<double>(split_feeders[g]),
                fmt::format("shares {} {} with other grids", split_feeders[g], split_feeders[g] == 1 ? "feeder" : "feeders"));

    out.erase(std::remove_if(out.begin(), out.end(), [](const GridFinding& f) { return f.reasons.empty(); }), out.end());
    std::stable_sort(out.begin(), out.end(), [](const GridFinding& a, const GridFinding& b) { return a.score > b.score; });
    return out;
}

} // namespace libgrid
