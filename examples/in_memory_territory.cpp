// Build a territory from plain structs (no files), validate it, build its service areas and
// adjacency graph, and print what a planner would check first.
//
// Two communities of 1 km x 1 km side by side; six transformers; one of them misplaced outside
// both communities, which validation rejects with its reason.
#include <libgrid/libgrid.hpp>

#include <cstdio>

namespace {
libgrid::MultiPolygon square(double x0, double y0, double size)
{
    return {libgrid::Polygon{{{x0, y0}, {x0 + size, y0}, {x0 + size, y0 + size}, {x0, y0 + size}, {x0, y0}}, {}}};
}
} // namespace

int main()
{
    libgrid::Territory t;
    libgrid::AdminLevel communities;
    communities.name = "community";
    communities.units.push_back({"C1", "East Lake", square(0, 0, 1000), -1, libgrid::npos});
    communities.units.push_back({"C2", "West Lake", square(1000, 0, 1000), -1, libgrid::npos});
    t.levels.push_back(communities);
    const struct { const char* id; double customers, x, y; } rows[] = {
        {"T1", 120, 200, 300}, {"T2", 80, 700, 800}, {"T3", 150, 400, 600},
        {"T4", 200, 1300, 400}, {"T5", 90, 1800, 700}, {"T6", 60, 2500, 500}};
    for (const auto& r : rows) {
        libgrid::TransformerArea a;
        a.id = r.id;
        a.customers = r.customers;
        a.location = {r.x, r.y};
        t.transformers.push_back(a);
    }

    libgrid::ValidationReport report = libgrid::validate(t);
    const libgrid::ServiceAreas areas = libgrid::build_service_areas(t, report);
    const libgrid::AdjacencyGraph graph = libgrid::build_adjacency(t, areas, report);

    std::printf("%zu transformers in the model, %zu rejected\n", t.transformers.size(), report.rejected.size());
    for (const auto& r : report.rejected) std::printf("rejected %s: %s\n", r.id.c_str(), r.reason.c_str());
    double total = 0;
    for (std::size_t i = 0; i < t.transformers.size(); ++i) {
        total += libgrid::area(areas.shapes[i]);
        std::printf("%s: %.0f customers, service area %.3f km2\n", t.transformers[i].id.c_str(),
                    t.transformers[i].customers, libgrid::area(areas.shapes[i]) / 1e6);
    }
    std::printf("service areas cover %.3f km2; graph: %zu vertices, %zu edges, %zu component(s)\n",
                total / 1e6, graph.graph.num_vertices(), graph.graph.num_edges(),
                graph.components.sizes.size());
    return report.rejected.size() == 1 ? 0 : 1;
}
