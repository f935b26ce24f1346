// Test fixture: the bundled Malta sample planned and written as a plan folder through the
// library alone (what `grid-partition plan` writes, without running the CLI).
#pragma once

#include <libgrid/graph.hpp>
#include <libgrid/io.hpp>
#include <libgrid/metrics.hpp>
#include <libgrid/partition.hpp>
#include <libgrid/plan_folder.hpp>
#include <libgrid/service_areas.hpp>
#include <libgrid/validate.hpp>

#include <cstddef>
#include <string>

namespace malta {

/// Plans data/malta/malta.gpkg (atoms, finest admin units) into `grids` grids and writes the
/// plan folder `dir`.
inline void write_plan(const std::string& data_dir, const std::string& dir, std::size_t grids)
{
    const std::string gpkg = data_dir + "/malta/malta.gpkg";
    libgrid::ReadOptions ro;
    ro.transformers = {gpkg, "transformers", "is_atom = 1", ""};
    ro.boundaries.push_back({gpkg, "admin_units_finest", "", ""});
    ro.fields.id = "atom_id";
    ro.fields.customers = "customers_proxy";
    ro.fields.unit_id = "osm_id";
    auto [territory, report] = libgrid::read_inputs(ro);
    report.merge(libgrid::validate(territory, {}));
    const auto areas = libgrid::build_service_areas(territory, report, {});
    const auto graph = libgrid::build_adjacency(territory, areas, report, {});
    libgrid::PartitionOptions po;
    po.grids = grids;
    const auto plan = libgrid::partition(territory, graph, po);
    auto shapes = libgrid::dissolve(areas.shapes, plan.grid_of, plan.num_grids());
    libgrid::PlanFolder folder;
    folder.report = libgrid::make_plan_report(territory, report, plan, libgrid::compute_metrics(territory, graph, plan, shapes));
    folder.report.options.partition = po;
    folder.territory = std::move(territory);
    folder.areas = areas.shapes;
    folder.plan = plan;
    folder.grid_shapes = std::move(shapes);
    libgrid::write_plan_folder(dir, folder);
}

} // namespace malta
