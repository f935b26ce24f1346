// load_locator(): a Locator over the grids of a plan folder, read by read_plan_layers() (the
// one reader of a plan's layers) in its metric CRS (see libgrid/locate.hpp).
#include <libgrid/error.hpp>
#include <libgrid/locate.hpp>
#include <libgrid/plan_layers.hpp>

#include <fmt/format.h>

#include <filesystem>

namespace libgrid {

Locator load_locator(const std::string& plan_dir, const LoadLocatorOptions& options)
{
    PlanLayersOptions read;
    read.work_crs = options.work_crs;
    read.transformers = false;
    read.admin_units = false;
    auto layers = read_plan_layers(plan_dir, read);
    const std::string path = (std::filesystem::path(plan_dir) / "grids.gpkg").string();
    if (layers.grids.empty())
        throw Error(ErrorCode::invalid_input,
                    fmt::format("locate: layer 'grids' of '{}' holds no grid (fix: re-run grid-partition plan)", path));
    std::vector<LocatorGrid> grids;
    grids.reserve(layers.grids.size());
    for (auto& g : layers.grids) {
        if (g.shape.empty())
            throw Error(ErrorCode::invalid_input,
                        fmt::format("locate: grid '{}' (fid {}) in layer 'grids' of '{}' has no polygon geometry (fix: "
                                    "re-run grid-partition plan)",
                                    g.grid_id, g.fid, path));
        LocatorGrid lg;
        lg.contact = {g.grid_id, g.station_id, g.manager_id, g.manager_name, g.manager_phone};
        lg.shape = std::move(g.shape);
        grids.push_back(std::move(lg));
    }
    LocatorOptions lo;
    lo.cells_per_edge = options.cells_per_edge;
    lo.crs_wkt = layers.crs_wkt;
    lo.source_crs_wkt = layers.source_crs_wkt;
    return Locator(std::move(grids), lo);
}

} // namespace libgrid
