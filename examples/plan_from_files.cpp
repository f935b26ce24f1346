// Plan service grids from GIS files with libgrid and print a short report: the whole pipeline
// as separate library calls (read, validate, service areas, graph, partition, verify, metrics),
// ending with the plan folder `grid-partition plan` writes (grids.gpkg, assignments.csv,
// rejected.csv, report.json), which `grid-partition render`, `assign` and `locate` accept.
//
//   example_plan_from_files [FILE.gpkg] [GRIDS] [OUT]
//
// FILE defaults to data/malta/malta.gpkg (the bundled sample: layer `transformers` with fields
// atom_id and customers_proxy, layer `admin_units_finest` with osm_id); GRIDS defaults to 10;
// OUT (the plan folder) to none.
// Exit status as grid-partition's: 0 planned, 1 the inputs hold errors, 2 bad arguments,
// 3 a libgrid error.
#include <libgrid/libgrid.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

namespace {

int plan_from_files(const std::string& path, std::size_t grids, const std::string& out)
{
    // Progress arrives through a callback (libgrid never prints): note each stage once.
    std::vector<std::string> stages;
    const libgrid::ProgressFn progress = [&stages](const libgrid::Progress& p) {
        if (stages.empty() || stages.back() != p.stage) stages.emplace_back(p.stage);
    };

    libgrid::ReadOptions read;
    read.transformers = {path, "transformers", "is_atom = 1", ""};
    read.boundaries.push_back({path, "admin_units_finest", "", "council"});
    read.fields.id = "atom_id";
    read.fields.customers = "customers_proxy";
    read.fields.unit_id = "osm_id";
    read.progress = progress;
    auto [territory, report] = libgrid::read_inputs(read);
    libgrid::ValidateOptions validate;
    validate.progress = progress;
    report.merge(libgrid::validate(territory, validate));

    // Data problems are values: list the errors (every one, with its fix) and stop.
    if (!report.ok() || territory.transformers.empty()) {
        for (const libgrid::Issue& issue : report.issues)
            if (issue.severity == libgrid::Severity::error)
                std::fprintf(stderr, "%s\n", libgrid::format_issue(issue).c_str());
        std::fprintf(stderr, "plan_from_files: %zu errors in the inputs, nothing planned\n",
                     report.count(libgrid::Severity::error));
        return 1;
    }
    std::printf("read %zu transformers (%.0f customers), %zu rejected, from %s in %s\n",
                territory.transformers.size(), territory.total_customers(), report.rejected.size(),
                path.c_str(), territory.work_crs_name.c_str());

    libgrid::ServiceAreaOptions area_options;
    area_options.progress = progress;
    const libgrid::ServiceAreas areas = libgrid::build_service_areas(territory, report, area_options);
    libgrid::GraphOptions graph_options;
    graph_options.progress = progress;
    const libgrid::AdjacencyGraph graph = libgrid::build_adjacency(territory, areas, report, graph_options);
    std::printf("service areas: study area from %s, %zu empty councils attached; graph: %zu edges, "
                "%zu component(s)\n",
                areas.study_area.c_str(), areas.attached_units.size(), graph.graph.num_edges(),
                graph.components.sizes.size());

    libgrid::PartitionOptions options;
    options.grids = grids;
    options.seed = 7;
    options.progress = progress;
    const libgrid::Plan plan = libgrid::partition(territory, graph, options);
    const libgrid::VerifyReport verdict = libgrid::verify_plan(territory, graph.graph, plan);
    if (!verdict.ok()) {
        for (const std::string& problem : verdict.problems) std::fprintf(stderr, "verify: %s\n", problem.c_str());
        return 3;
    }

    const std::vector<libgrid::MultiPolygon> shapes =
        libgrid::dissolve(areas.shapes, plan.grid_of, plan.num_grids());
    const libgrid::PlanMetrics metrics = libgrid::compute_metrics(territory, graph, plan, shapes);
    const libgrid::MetricsSummary& all = metrics.overall;
    std::printf("plan: %zu grids in %zu station(s), verified; max deviation %.1f%% (lower bound %.1f%%), "
                "Polsby-Popper mean %.2f min %.2f, %zu cut edges\n",
                all.grids, plan.stations.size(), 100 * all.max_abs_deviation, 100 * all.lower_bound,
                all.polsby_popper_mean, all.polsby_popper_min, all.cut_edges);
    std::vector<std::size_t> by_id(plan.num_grids());
    for (std::size_t g = 0; g < by_id.size(); ++g) by_id[g] = g;
    std::sort(by_id.begin(), by_id.end(),
              [&plan](std::size_t a, std::size_t b) { return plan.grid_id[a] < plan.grid_id[b]; });
    for (const std::size_t g : by_id) {
        const libgrid::GridMetrics& m = metrics.grids[g];
        std::printf("  grid %-10s %3zu transformers %6.0f customers %+6.1f%% %7.1f km2\n",
                    plan.grid_id[g].c_str(), m.transformers, m.customers, 100 * m.deviation, m.area_km2);
    }
    std::printf("stages reported through the progress callback:");
    for (const std::string& stage : stages) std::printf(" [%s]", stage.c_str());
    std::printf("\n");
    if (out.empty()) return 0;

    // The plan folder, as grid-partition writes it: atomically, never over an input.
    libgrid::PlanFolder folder;
    folder.report = libgrid::make_plan_report(territory, report, plan, metrics);
    folder.report.options.partition = options;
    folder.territory = territory;
    folder.areas = areas.shapes;
    folder.plan = plan;
    folder.grid_shapes = shapes;
    libgrid::PlanFolderWriteOptions write;
    write.protect = {path};
    std::printf("plan folder %s:", out.c_str());
    for (const std::string& file : libgrid::write_plan_folder(out, folder, write)) std::printf(" %s", file.c_str());
    std::printf("\n");
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    if (argc > 4) {
        std::fprintf(stderr, "usage: %s [FILE.gpkg] [GRIDS] [OUT]\n", argv[0]);
        return 2;
    }
    const std::string path = argc > 1 ? argv[1] : "data/malta/malta.gpkg";
    const long grids = argc > 2 ? std::strtol(argv[2], nullptr, 10) : 10;
    if (grids < 1) {
        std::fprintf(stderr, "plan_from_files: GRIDS must be a whole number >= 1\n");
        return 2;
    }
    try {
        return plan_from_files(path, static_cast<std::size_t>(grids), argc > 3 ? argv[3] : "");
    } catch (const libgrid::Error& e) {
        // One catch for the whole run, as in grid-partition's main().
        std::fprintf(stderr, "plan_from_files: %s: %s\n", libgrid::describe(e.code()), e.what());
        return 3;
    }
}
