// libgrid/io.hpp: reading GIS inputs into a Territory and writing GIS outputs.
//
// Any vector format GDAL/OGR reads is accepted: GeoPackage, Shapefile, GeoJSON, FlatGeobuf,
// CSV with x/y or WKT columns. Every layer is brought to one metric working CRS. Data problems
// are returned in a ValidationReport; only failures that leave nothing to return throw.
#pragma once

#include <libgrid/geometry_types.hpp>
#include <libgrid/model.hpp>
#include <libgrid/progress.hpp>
#include <libgrid/validation.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace libgrid {

/// Where one input layer comes from.
struct LayerSource {
    std::string path;  ///< File or dataset path (anything GDAL opens).
    std::string layer; ///< Layer name. Default: "" = the dataset's only (or first) layer.
    std::string where; ///< OGR SQL attribute filter, e.g. "kind = 'lv_area'". Default: none.
    std::string level; ///< For boundaries: level name. Default: "" = the layer's name.
};

/// Field names in the input layers. Every default can be changed by a CLI flag or config key.
struct FieldMap {
    // transformers
    std::string id = "id";                 ///< Transformer id. Default: "id".
    std::string customers = "customers";   ///< Customer count. Default: "customers".
    std::string feeder = "feeder_id";      ///< Feeder id (optional). Default: "feeder_id".
    std::string station = "station_id";    ///< Station id (optional). Default: "station_id".
    std::string branch = "branch_id";      ///< Branch id (optional). Default: "branch_id".
    std::string kva = "kva";               ///< Rating (optional). Default: "kva".
    std::string workload = "workload";     ///< Workload (optional). Default: "workload".
    std::string manager = "manager_id";    ///< Current manager (optional). Default: "manager_id".
    std::string node = "";                 ///< Network node of the transformer. Default: "" (feeder
                                           ///< edges then join transformer ids directly).
    /// Customer-class fields as (class, field). Default: empty = every field named
    /// `customers_<class>` is taken as class `<class>`.
    std::vector<std::pair<std::string, std::string>> classes;
    // feeder edge table
    std::string from = "from_id";          ///< Edge start node. Default: "from_id".
    std::string to = "to_id";              ///< Edge end node. Default: "to_id".
    std::string edge_feeder = "feeder_id"; ///< Edge feeder id. Default: "feeder_id".
    std::string open = "normally_open";    ///< Normally-open flag (optional). Default: "normally_open".
    std::string length = "length_m";       ///< Edge length in metres (optional). Default: "length_m".
    // boundaries
    std::string unit_id = "id";            ///< Admin unit id. Default: "id" (falls back to the FID).
    std::string unit_name = "name";        ///< Admin unit name (optional). Default: "name".
    // customers
    std::string customer_transformer = "transformer_id"; ///< Default: "transformer_id".
};

/// Options for read_inputs().
struct ReadOptions {
    LayerSource transformers;              ///< Required: points or transformer-area polygons.
    std::vector<LayerSource> feeders;      ///< Optional: edge tables or line layers.
    std::vector<LayerSource> boundaries;   ///< Optional: one source per admin level, any order.
    std::vector<LayerSource> customers;    ///< Optional: customer points.
    FieldMap fields;                       ///< Field names.
    /// Character encoding of Shapefile .dbf files, e.g. "GBK" or "UTF-8". Default: "" = honour
    /// the .cpg file (GDAL's rule).
    std::string encoding;
    /// Working CRS (anything GDAL understands: "EPSG:32650", WKT, PROJ string). Default: "" =
    /// the UTM zone of the transformers' extent; inputs in a local planar frame stay in it.
    std::string work_crs;
    /// CRS assumed for layers that have none. "local" means planar coordinates in metres with no
    /// georeference. Default: "" = a layer without CRS is an error.
    std::string assume_crs;
    /// CRS outputs are written in. Default: "" = the transformers layer's CRS.
    std::string out_crs;
    /// CSV column names tried for x, y and WKT geometry (in order). Defaults below.
    std::vector<std::string> x_names{"x", "lon", "lng", "longitude", "easting"};
    std::vector<std::string> y_names{"y", "lat", "latitude", "northing"}; ///< See x_names.
    std::vector<std::string> wkt_names{"wkt", "geometry", "geom", "the_geom"}; ///< See x_names.
    /// Feeders given as lines without node ids: a transformer is attached to the nearest line
    /// vertex within this distance (its own feeder's first). Units: metres. Default: 50.
    double feeder_attach_m = 50.0;
    ProgressFn progress; ///< Progress callback. Default: none.
};

/// Reads every input layer into a Territory in the working CRS.
///
/// Problems with the data (unreadable files, missing layers or fields, bad ids, bad customer
/// counts, empty geometries, no CRS) are returned as issues; affected transformers are listed as
/// rejected. The feeder network is contracted to transformer-to-transformer links (normally
/// open edges excluded). Complexity: O(features log features).
/// @throws Error(crs) when --work-crs/--assume-crs/--out-crs cannot be understood.
std::pair<Territory, ValidationReport> read_inputs(const ReadOptions& options);

// ---------------------------------------------------------------------------------------------
// Writing

/// Type of an attribute column.
enum class FieldType { integer, real, text };

/// One attribute column definition. Names longer than 10 characters are shortened for Shapefile.
struct FieldDef {
    std::string name; ///< Column name.
    FieldType type = FieldType::text; ///< Column type.
};

/// One attribute value; std::monostate is NULL.
using FieldValue = std::variant<std::monostate, std::int64_t, double, std::string>;

/// Geometry kind of an output layer.
enum class GeometryKind { none, point, line, polygon };

/// A layer to write: schema, one geometry per row (by kind), one value per field per row.
struct FeatureTable {
    std::string name;               ///< Layer name (also the file stem for Shapefile/GeoJSON).
    GeometryKind kind = GeometryKind::none; ///< Geometry kind.
    std::vector<FieldDef> fields;   ///< Columns.
    std::vector<std::vector<FieldValue>> rows; ///< rows[i][j] is field j of feature i.
    std::vector<Point> points;      ///< kind == point: one per row (NaN: no geometry).
    std::vector<LineString> lines;  ///< kind == line: one per row.
    std::vector<MultiPolygon> polygons; ///< kind == polygon: one per row.
};

/// Output formats for write_tables().
enum class Format { gpkg, shp, geojson, csv };

/// Writes tables into `dir` in one format, atomically: everything is written under a temporary
/// name in `dir` and renamed into place only when complete. Geometries are taken as being in
/// `from_crs_wkt` and written in `to_crs_wkt` ("" for either = local planar, no transform).
/// gpkg: one file `<stem>.gpkg` holding every table as a layer; shp: `<name>.shp` per table
/// with `.prj` and a UTF-8 `.cpg`; geojson: `<name>.geojson` per table (always EPSG:4326 when
/// georeferenced, per RFC 7946); csv: `<name>.csv` per table, UTF-8, geometry omitted.
/// Refuses to overwrite any path listed in `protect` (the inputs).
/// @returns the paths written.
/// @throws Error(io_write) when a file cannot be written or would replace an input.
std::vector<std::string> write_tables(const std::string& dir, const std::string& stem,
                                      Format format, const std::vector<FeatureTable>& tables,
                                      const std::string& from_crs_wkt,
                                      const std::string& to_crs_wkt,
                                      const std::vector<std::string>& protect = {});

/// Writes a text file atomically (temporary name, then rename).
/// @throws Error(io_write) on failure or when `path` is listed in `protect`.
void write_text_file(const std::string& path, const std::string& contents,
                     const std::vector<std::string>& protect = {});

} // namespace libgrid
