// libgrid/plan_layers.hpp: a written plan read back for drawing (maps, reports).
//
// `grid-partition plan --out DIR` writes DIR/grids.gpkg with the layers `grids` (one polygon per
// grid), `transformers` (points) and `service_areas`. read_plan_layers() reads the first two back
// into plain values in a metric CRS, so that maps can measure distances (scale bars) and place
// labels in metres. Columns added by later stages (manager name and phone, branch id) are read
// when present and left empty otherwise.
#pragma once

#include <libgrid/geometry_types.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace libgrid {

/// One grid of a written plan, as drawn on a map.
struct PlanGridFeature {
    std::string grid_id;       ///< Grid id (`grid_id`).
    std::string station_id;    ///< Business station (`station_id`, "" when none).
    std::string branch_id;     ///< Branch office (`branch_id` when the plan has it, else from the
                               ///< grid's transformers when they carry one, else "").
    std::string manager_id;    ///< Grid manager id (`manager_id`, "" when unassigned or NULL).
    std::string manager_name;  ///< Grid manager name (`manager_name`, "" when absent).
    std::string manager_phone; ///< Grid manager phone (`manager_phone`, "" when absent).
    double customers = 0.0;    ///< Customers (`customers`).
    double load = 0.0;         ///< Load (`load`; equals customers unless workloads were set).
    double deviation = 0.0;    ///< Load / target - 1 (`deviation`).
    MultiPolygon shape;        ///< Grid polygon in the metric CRS of PlanLayers (metres).
    std::int64_t fid = -1;     ///< Feature id in the grids layer (for messages).
};

/// One transformer of a written plan (for dots on maps).
struct PlanTransformerFeature {
    std::string transformer_id; ///< Transformer id.
    std::string grid_id;        ///< Its grid.
    std::string station_id;     ///< Its station ("" when none).
    std::string branch_id;      ///< Its branch (`branch_id` when present, else "").
    Point location;             ///< Position in the metric CRS of PlanLayers (metres).
};

/// One admin unit, when the plan folder holds boundaries (a layer `admin_units` in grids.gpkg
/// with `level`, `id` and `name` columns, each optional). Drawn as thin dashed borders.
struct PlanAdminUnit {
    std::string level; ///< Admin level name ("" when unknown).
    std::string id;    ///< Unit id.
    std::string name;  ///< Unit name (UTF-8), may be "".
    MultiPolygon shape; ///< Polygon in the metric CRS (metres).
};

/// A transformer area a re-plan moved (layer `moved_areas` of a re-plan's grids.gpkg).
struct PlanMovedArea {
    std::string transformer_id; ///< Transformer.
    std::string from_grid;      ///< Grid it was in.
    std::string to_grid;        ///< Grid it is in now.
    double customers = 0.0;     ///< Its customers.
    MultiPolygon shape;         ///< Its service area in the metric CRS (metres).
};

/// A written plan, read back for drawing.
struct PlanLayers {
    std::vector<PlanGridFeature> grids;               ///< In the file's order.
    std::vector<PlanTransformerFeature> transformers; ///< In the file's order.
    std::vector<PlanAdminUnit> admin_units;           ///< Empty when the plan has none.
    std::vector<PlanMovedArea> moved;                 ///< Empty unless the plan is a re-plan.
    /// Name of the metric CRS the coordinates are in (e.g. "WGS 84 / UTM zone 33N"), or
    /// "local" for a plan without georeference (planar metres as written).
    std::string crs_name;
    std::string crs_wkt;        ///< That CRS as WKT ("" for a local frame).
    std::string source_crs_wkt; ///< The CRS of the file's grids layer ("" for none).
};

/// What read_plan_layers() reads.
struct PlanLayersOptions {
    /// Metric CRS to bring the layers to (anything GDAL understands). Default: "" = the one
    /// rule: the file's own CRS when projected in metres, else the UTM zone of the grids' centre;
    /// a plan without CRS stays in its planar frame.
    std::string work_crs;
    bool transformers = true; ///< Read the transformers layer. Default: true.
    bool admin_units = true;  ///< Read the admin_units layer when present. Default: true.
};

/// Reads `<plan_dir>/grids.gpkg` (layers `grids` and `transformers`; `admin_units` and
/// `moved_areas` when present) into a PlanLayers: the one reader of a plan's layers for maps, report.html and
/// load_locator(). Coordinates are brought to a metric CRS (see PlanLayersOptions::work_crs); a
/// layer without CRS is taken as planar metres. NULL text fields read as "". O(vertices).
/// @throws Error(io_open) when the folder or its grids.gpkg cannot be opened, Error(io_layer)
///         when it has no `grids` layer (naming its layers), Error(io_field) when `grids` has no
///         `grid_id` column (naming its fields), Error(crs) when the CRS cannot be transformed
///         or a work CRS is asked for a plan without CRS; every message says the fix.
PlanLayers read_plan_layers(const std::string& plan_dir, const PlanLayersOptions& options = {});

} // namespace libgrid

namespace libgrid {

/// Stores a QGIS style (QML text) for `layer` in the GeoPackage's `layer_styles` table (created
/// when missing, with QGIS's schema) as the layer's default style, so that QGIS applies it when
/// the layer is opened. A row with the same `style_name` for the layer is replaced; other rows are
/// kept. The file is updated atomically: a copy is changed, then renamed over the original.
/// Complexity: O(file size) for the copy.
/// @throws Error(io_open) when the file cannot be opened, Error(io_layer) when it has no `layer`,
///         Error(io_write) when the copy, the update or the rename fails.
void write_layer_style(const std::string& gpkg_path, const std::string& layer, const std::string& style_name,
                       const std::string& qml, const std::string& description);

} // namespace libgrid
