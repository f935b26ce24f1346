/// @file
/// @brief The territory model every stage works on.
///
/// A Territory holds transformer areas (the atoms), the feeder links between them, the admin
/// levels and optional customer points, all in one metric working CRS. It can be read from GIS
/// files (io.hpp) or built in memory from these structs.
#pragma once

#include <libgrid/geometry_types.hpp>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace libgrid {

/// Index value meaning "none" (no unit, no transformer, no level): the largest std::size_t.
inline constexpr std::size_t npos = std::numeric_limits<std::size_t>::max();

/// Customers of one class (e.g. "residential", "commercial") at a transformer.
struct ClassCount {
    std::string name;   ///< Class name.
    double count = 0.0; ///< Number of customers of that class.
};

/// One distribution transformer and the customers it feeds: the atom of planning.
struct TransformerArea {
    std::string id;              ///< Unique id as given by the utility.
    double customers = 0.0;      ///< Number of low-voltage customers (>= 0).
    std::vector<ClassCount> classes; ///< Customers by class; may be empty.
    std::string feeder_id;       ///< Feeder it hangs on ("" when unknown).
    std::string station_id;      ///< Business station ("" when unknown).
    std::string branch_id;       ///< Branch office ("" when unknown).
    std::string node_id;         ///< Network node (bus) in the feeder layer ("" when unused).
    std::string current_manager; ///< Current grid manager or meter reader ("" when unknown).
    double kva = std::numeric_limits<double>::quiet_NaN();      ///< Rating in kVA; NaN when unknown.
    double workload = std::numeric_limits<double>::quiet_NaN(); ///< Given workload, in the utility's own unit; NaN when unknown.
    Point location;              ///< Transformer position (or a point inside its polygon).
    MultiPolygon shape;          ///< Given transformer-area polygon; empty for point inputs.
    std::int64_t source_fid = -1; ///< OGR feature id in the input layer.
};

/// One administrative unit (street, community, compound, ...).
struct AdminUnit {
    std::string id;               ///< Unit id.
    std::string name;             ///< Display name (UTF-8), may be "".
    MultiPolygon shape;           ///< Unit polygon, valid after validation.
    std::int64_t source_fid = -1; ///< OGR feature id in the input layer.
    std::size_t parent = npos;    ///< Index of the containing unit in the next coarser level.
};

/// One admin level: every unit of one boundary layer.
struct AdminLevel {
    std::string name;  ///< Level name (layer name unless given).
    std::string file;  ///< Source file.
    std::string layer; ///< Source layer.
    std::vector<AdminUnit> units; ///< Units of this level.
};

/// A transformer-to-transformer link along a feeder, contracted from the MV network.
struct FeederLink {
    std::size_t a = 0;       ///< Transformer index.
    std::size_t b = 0;       ///< Transformer index (a < b).
    std::string feeder_id;   ///< Feeder the link runs on ("" when unknown).
    double length_m = 0.0;   ///< Network length between the two (0 when unknown).
};

/// One customer (meter) point, used to shape service areas.
struct CustomerPoint {
    std::size_t transformer = npos; ///< Index of the customer's transformer.
    Point location;                 ///< Position.
};

/// A line feature of an input layer: a barrier (main road, river, railway) that grid borders
/// should follow, or a road of the network managers travel on.
struct LineFeature {
    std::string id;  ///< Feature id in its layer (the "id" field, else "fid N").
    LineString line; ///< At least two points, in the working CRS once read.
};

/// Everything the planner knows about a service territory, in one metric working CRS.
struct Territory {
    std::string work_crs_wkt;   ///< Working CRS as WKT ("" for a local planar frame).
    std::string work_crs_name;  ///< Human-readable working CRS, e.g. "WGS 84 / UTM zone 50N".
    std::string output_crs_wkt; ///< CRS outputs are written in ("" = local planar frame).
    std::vector<TransformerArea> transformers; ///< The atoms.
    std::string transformers_file;  ///< Source file of the transformers ("" when built in memory).
    std::string transformers_layer; ///< Source layer of the transformers.
    std::vector<std::string> feeders;          ///< Feeder ids known from the feeder layer.
    std::vector<FeederLink> feeder_links;      ///< Contracted feeder links.
    std::vector<AdminLevel> levels;            ///< Admin levels, coarsest first.
    std::vector<CustomerPoint> customers;      ///< Optional customer points.
    std::vector<LineFeature> barriers; ///< Optional barrier lines (main roads, rivers, railways).
    /// Optional road network (lines; vertices closer than 1 m join): managers' travel is
    /// measured along it instead of in straight lines.
    std::vector<LineFeature> roads;
    /// Index of each transformer's unit in the finest level (npos when outside all units or
    /// when there are no levels). Filled by validate().
    std::vector<std::size_t> transformer_unit;

    /// Total customers over all transformers. O(transformers).
    double total_customers() const noexcept;
    /// Index of the finest level, or npos when there are no levels. O(1).
    std::size_t finest_level() const noexcept { return levels.empty() ? npos : levels.size() - 1; }
};

} // namespace libgrid
