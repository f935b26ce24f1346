// Plans six transformers on a 3 x 2 lattice (no files) into two grids through an installed
// libgrid, verifies the plan, and shows that a bad request arrives as a libgrid::Error.
#include "summary.hpp"

#include <libgrid/libgrid.hpp>

#include <cstdio>

int main()
{
    libgrid::Territory territory;
    for (int i = 0; i < 6; ++i) {
        libgrid::TransformerArea t;
        t.id = "T" + std::to_string(i + 1);
        t.customers = 100;
        t.location = {500.0 * (i % 3), 500.0 * (i / 3)};
        territory.transformers.push_back(t);
    }
    libgrid::ValidationReport report = libgrid::validate(territory);
    const libgrid::ServiceAreas areas = libgrid::build_service_areas(territory, report);
    const libgrid::AdjacencyGraph graph = libgrid::build_adjacency(territory, areas, report);
    libgrid::PartitionOptions options;
    options.grids = 2;
    const libgrid::Plan plan = libgrid::partition(territory, graph, options);
    const libgrid::VerifyReport verified = libgrid::verify_plan(territory, graph.graph, plan);
    std::printf("consumer: %zu transformers, %zu edges, %s, verify %s\n",
                territory.transformers.size(), graph.graph.num_edges(), summarise(plan).c_str(),
                verified.ok() ? "ok" : "FAILED");

    try {
        libgrid::partition(territory, graph, libgrid::PartitionOptions{});
        std::printf("consumer: partition without a grid count did not throw\n");
        return 1;
    } catch (const libgrid::Error& e) {
        std::printf("consumer: libgrid::Error '%s' (%s)\n", libgrid::describe(e.code()), e.what());
    }
    return report.ok() && verified.ok() ? 0 : 1;
}
