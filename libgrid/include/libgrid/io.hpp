/// @file
/// @brief Reading GIS inputs into a Territory and writing GIS outputs.
///
/// Any vector format GDAL/OGR reads is accepted: GeoPackage, Shapefile, GeoJSON, FlatGeobuf,
/// CSV with x/y or WKT columns. Every layer is brought to one metric working CRS. Data problems
/// are returned in a ValidationReport; only failures that leave nothing to return throw.
#pragma once

#include <libgrid/geometry_types.hpp>
#include <libgrid/manager.hpp>
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
    std::string path;  ///< File or dataset path (anything GDAL opens). Required.
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
    std::string customer_transformer = "transformer_id"; ///< Customer point's transformer id. Default: "transformer_id".
};

/// Options for read_inputs().
struct ReadOptions {
    LayerSource transformers;              ///< Required: points or transformer-area polygons.
    std::vector<LayerSource> feeders;      ///< Optional: edge tables or line layers.
    std::vector<LayerSource> boundaries;   ///< Optional: one source per admin level, any order.
    std::vector<LayerSource> customers;    ///< Optional: customer points.
    /// Optional: barrier lines (main roads, rivers, railways) that grid borders should follow;
    /// polygons (e.g. a river's area) count by their rings. Default: none.
    std::vector<LayerSource> barriers;
    /// Optional: road lines; manager travel is then measured along them (vertices closer than
    /// 1 m join, so roads must meet at shared vertices). Default: none.
    std::vector<LayerSource> roads;
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
/// @returns the territory in the working CRS and every problem found (check ValidationReport::ok()).
/// @throws Error(crs) when work_crs, assume_crs or out_crs cannot be understood, or a layer
///         cannot be transformed into the working CRS.
std::pair<Territory, ValidationReport> read_inputs(const ReadOptions& options);

// ---------------------------------------------------------------------------------------------
// Writing

/// Type of an attribute column.
enum class FieldType {
    integer, ///< 64-bit integer.
    real,    ///< Double.
    text,    ///< UTF-8 string.
};

/// One attribute column definition. Names longer than 10 characters are shortened for Shapefile.
struct FieldDef {
    std::string name; ///< Column name.
    FieldType type = FieldType::text; ///< Column type.
};

/// One attribute value: std::monostate is NULL, then integer, real and text values.
using FieldValue = std::variant<std::monostate, std::int64_t, double, std::string>;

/// Geometry kind of an output layer.
enum class GeometryKind {
    none,    ///< No geometry (an attribute table).
    point,   ///< FeatureTable::points.
    line,    ///< FeatureTable::lines.
    polygon, ///< FeatureTable::polygons (written as multipolygons).
};

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
enum class Format {
    gpkg,    ///< GeoPackage: one file, one layer per table.
    shp,     ///< ESRI Shapefile: one per table, with .prj and a UTF-8 .cpg.
    geojson, ///< GeoJSON (RFC 7946): one per table, in EPSG:4326 when georeferenced.
    csv,     ///< CSV: one per table, attributes only.
};

/// Writes tables into `dir` in one format, atomically: everything is written under a temporary
/// name in `dir` and renamed into place only when complete. Geometries are taken as being in
/// `from_crs_wkt` and written in `to_crs_wkt` ("" for either = local planar, no transform).
/// gpkg: one file `<stem>.gpkg` holding every table as a layer; shp: `<name>.shp` per table
/// with `.prj` and a UTF-8 `.cpg`; geojson: `<name>.geojson` per table (always EPSG:4326 when
/// georeferenced, per RFC 7946); csv: `<name>.csv` per table, UTF-8, geometry omitted.
/// Refuses to overwrite any path listed in `protect` (the inputs).
/// Complexity: O(rows x fields + vertices).
/// @returns the paths written.
/// @throws Error(invalid_argument) when a table's rows, fields and geometries disagree in number.
/// @throws Error(crs) when a CRS cannot be understood or transformed.
/// @throws Error(unsupported) when GDAL lacks the format's driver.
/// @throws Error(io_write) when a file cannot be written or would replace an input.
std::vector<std::string> write_tables(const std::string& dir, const std::string& stem,
                                      Format format, const std::vector<FeatureTable>& tables,
                                      const std::string& from_crs_wkt,
                                      const std::string& to_crs_wkt,
                                      const std::vector<std::string>& protect = {});

/// True when writing `target` would replace one of the `protect` paths (the inputs): the same
/// file (by inode when both exist, else by normalised path), or a file with a Shapefile input's
/// stem in its folder (a Shapefile is several files). Every writer and every command checks its
/// outputs with this one rule. O(protect).
bool is_input(const std::string& target, const std::vector<std::string>& protect);

/// Writes `contents` to `path` byte for byte, atomically (temporary name, then rename). O(size).
/// @throws Error(io_write) on failure or when `path` is listed in `protect`.
void write_text_file(const std::string& path, const std::string& contents,
                     const std::vector<std::string>& protect = {});

/// Reads layers of a dataset back as tables (e.g. a plan's grids.gpkg, to rewrite it with more
/// columns): integer, real and text columns; point, line or (multi)polygon geometry, kept in
/// the layer's CRS, whose WKT is stored in `crs_wkt` ("" without one). O(features).
/// @throws Error(io_open) when the dataset cannot be opened, Error(io_layer) when a layer is
///         missing.
std::vector<FeatureTable> read_tables(const std::string& path, const std::vector<std::string>& layers,
                                      std::string& crs_wkt);

// ---------------------------------------------------------------------------------------------
// Managers (the roster)

/// Reads a table of grids per station (CSV with the header `station_id,grids`, or any table
/// GDAL reads with exactly these two columns): one positive whole number of grids per station,
/// no station twice. Strict, because a typo would silently give a station the wrong number of
/// grids; every message names the file and the line (CSV) or row. O(rows).
/// @throws Error(io_open) when the file cannot be read; Error(invalid_input) naming the line
///         and what is wrong otherwise.
std::vector<std::pair<std::string, std::size_t>> read_grids_per_station(const std::string& path);

/// Field names of a managers layer. Every default can be changed by a CLI flag or config key.
struct ManagerFields {
    std::string id = "id";                 ///< Manager id (required). Default: "id".
    std::string name = "name";             ///< Name (optional). Default: "name".
    std::string phone = "phone";           ///< Phone (optional). Default: "phone".
    std::string station = "station_id";    ///< Station id (required). Default: "station_id".
    std::string capacity = "capacity";     ///< Maximum load (required, > 0). Default: "capacity".
    std::string max_grids = "max_grids";   ///< Maximum grids (optional, whole number >= 1). Default: "max_grids".
    /// Base x / y columns (optional; used when the feature has no point geometry). Default:
    /// "base_x" / "base_y"; the CSV reader also takes x/y or lon/lat columns as point geometry.
    std::string base_x = "base_x";
    std::string base_y = "base_y"; ///< See base_x.
};

/// Options for read_managers().
struct ManagerReadOptions {
    LayerSource source;     ///< The roster: any OGR table or point layer.
    ManagerFields fields;   ///< Field names.
    /// CRS of the base coordinates when the layer has none (e.g. a CSV with x/y columns):
    /// "EPSG:4326", WKT, or "local" for planar metres. Default: "" = EPSG:4326 for a layer
    /// whose coordinates look like lon/lat, otherwise the working CRS.
    std::string assume_crs;
    std::string encoding;   ///< Shapefile .dbf encoding. Default: "" = honour the .cpg file.
    std::string work_crs_wkt; ///< Working CRS the bases are moved into (Territory::work_crs_wkt).
};

/// Reads a roster of managers. Bases come from point geometry, else from the base_x/base_y
/// columns, else stay unset (assign_managers() then uses the station's load-weighted centre).
/// Problems (unreadable file, missing required field, empty or duplicate id, empty station,
/// capacity not a number > 0, max_grids not a whole number >= 1) are issues naming the file,
/// layer and feature; a manager with an error is left out. Complexity: O(features).
/// @throws Error(crs) when assume_crs cannot be understood.
std::pair<std::vector<Manager>, ValidationReport> read_managers(const ManagerReadOptions& options);

// ---------------------------------------------------------------------------------------------
// Points to look up (locate) and moving points between CRS

/// Where points to look up come from and how to read them.
struct PointReadOptions {
    LayerSource source; ///< File and layer (any OGR point layer, or CSV with x/y columns).
    /// Id field. Default: "id"; when the layer has no such field and the name is the default,
    /// the feature id (FID) is used.
    std::string id_field = "id";
    /// X field (any table with coordinate columns). Default: "" = the layer's geometry, or for
    /// CSV the first column named like ReadOptions::x_names.
    std::string x_field;
    /// Y field; see x_field. Default: "" (ReadOptions::y_names for CSV).
    std::string y_field;
    /// CRS of layers that carry none (CSV). Default: "" = use `fallback_crs_wkt`.
    std::string crs;
    /// CRS assumed when the layer has none and `crs` is empty (the plan's CRS). Default: "".
    std::string fallback_crs_wkt;
    /// Column names tried for x and y in CSV files, in order. Defaults as in ReadOptions.
    std::vector<std::string> x_names{"x", "lon", "lng", "longitude", "easting"};
    std::vector<std::string> y_names{"y", "lat", "latitude", "northing"}; ///< See x_names.
};

/// One input point, valid or not (nothing is dropped).
struct InputPoint {
    std::string id;          ///< Id (text of the id field, or the FID).
    std::int64_t fid = -1;   ///< Feature id in the source.
    Point xy;                ///< Coordinates as read (source CRS); NaN when missing.
    std::string problem;     ///< "" when valid; else why the point cannot be located.
};

/// Points read by read_points(), in input order.
struct PointSet {
    std::vector<InputPoint> points; ///< Every feature of the layer, in order.
    std::string crs_wkt;            ///< CRS of `xy` ("" = local planar frame).
    std::string file;               ///< Source file.
    std::string layer;              ///< Source layer name.
    std::string id_field;           ///< Field the ids came from ("" = FIDs).
    std::string coordinates;        ///< How coordinates were read, e.g. "geometry" or "columns x, y".
    /// True when the layer has no CRS and none was given: `crs_wkt` is the fallback.
    bool crs_assumed = false;
};

/// Reads every feature of a point layer (or a table with x/y columns) keeping input order;
/// a feature without usable coordinates or id is kept with its `problem` set. O(features).
/// @throws Error(io_open) when the file cannot be opened, Error(io_layer) when the layer does
/// not exist, Error(io_field) when a named field does not exist or no coordinates can be found,
/// Error(crs) when a CRS is not understood.
PointSet read_points(const PointReadOptions& options);

/// Transforms points in place from one CRS to another (WKT or any GDAL CRS text; "" on both
/// sides = no change). Points that cannot be transformed (or are NaN) are set to NaN and get
/// `false` in the result. O(points).
/// @throws Error(crs) when either CRS is not understood or no transformation exists, or when
/// exactly one side is "" (a local frame cannot be related to a georeferenced one).
std::vector<bool> transform_points(std::vector<Point>& points, const std::string& from_crs,
                                   const std::string& to_crs);

/// A CRS's short name for people (e.g. "WGS 84 / UTM zone 50N") from its WKT or any CRS text
/// GDAL reads; "local planar frame" for "" and "unnamed CRS" when it has no name. O(length).
std::string crs_name(const std::string& crs);

} // namespace libgrid

namespace libgrid {

/// One polygon feature of a utility's current grids (`grid-partition evaluate`, `replan`).
struct CurrentGridFeature {
    std::string id;        ///< Grid id.
    std::int64_t fid = -1; ///< Feature id in the layer (the first, when several rows share the id).
    MultiPolygon shape;    ///< In the working CRS; rows sharing an id are parts of one grid.
};

/// The current grids as polygons, in layer order (first row of each id).
struct CurrentGrids {
    std::vector<CurrentGridFeature> grids; ///< One per grid id.
    std::string file;  ///< Source file.
    std::string layer; ///< Source layer.
};

/// What read_current_grids() reads.
struct CurrentGridsReadOptions {
    LayerSource source; ///< Polygon layer of the current grids. Required.
    std::string id_field = "grid_id"; ///< Grid id field. Default: "grid_id".
    /// The working CRS to bring the polygons to (Territory::work_crs_wkt; "" = a local planar
    /// frame, polygons taken as they are). Default: "".
    std::string work_crs_wkt;
    /// CRS of a layer that has none: any CRS text GDAL reads, or "local" for planar metres as
    /// the working frame. Default: "" = an error for a layer without CRS when the working CRS
    /// is georeferenced.
    std::string assume_crs;
    std::string encoding; ///< Shapefile text encoding when it has no .cpg. Default: "" = GDAL's.
};

/// Reads a utility's current grids: polygons with an id, brought into the working CRS (a
/// layer in another CRS is transformed, and said with an info issue). Rows with the same id
/// are parts of one grid (info). Problems are issues, not exceptions: a missing file, layer or
/// id field, or a layer without CRS (errors); a row with no id or no polygon (error naming its
/// fid; the row is left out). O(vertices).
/// @throws Error(crs) when the layer's CRS cannot be related to the working CRS.
std::pair<CurrentGrids, ValidationReport> read_current_grids(const CurrentGridsReadOptions& options);

/// One row of a transformer -> grid table.
struct GridTableRow {
    std::string transformer_id; ///< Transformer id.
    std::string grid_id;        ///< Its grid ("" when the row leaves it without one).
    std::int64_t fid = -1;      ///< Feature id (a CSV's data rows count from 1).
    std::string manager_id;     ///< Its grid's manager ("" when the table has no manager field).
};

/// A transformer -> grid table as read.
struct GridTable {
    std::vector<GridTableRow> rows; ///< In file order.
    std::string file;  ///< Source file.
    std::string layer; ///< Source layer.
};

/// What read_grid_table() reads.
struct GridTableReadOptions {
    LayerSource source; ///< CSV or any OGR table (a plan folder's assignments.csv reads as is).
    std::string transformer_field = "transformer_id"; ///< Default: "transformer_id".
    std::string grid_field = "grid_id";               ///< Default: "grid_id".
    /// Manager field, read when the table has it (a plan folder's assignments.csv has
    /// manager_id). Default: "manager_id".
    std::string manager_field = "manager_id";
    std::string encoding; ///< Shapefile text encoding when it has no .cpg. Default: "" = GDAL's.
};

/// Reads a transformer -> grid table. A missing file, layer or field is an error issue naming
/// the fields the table has; a row without a transformer id is an error naming its fid. O(rows).
std::pair<GridTable, ValidationReport> read_grid_table(const GridTableReadOptions& options);

/// One row of a changes table (`replan --changes`) that names a transformer already there.
struct TransformerChange {
    bool removed = false;            ///< Row `removed`: the transformer is gone; else row `customers`.
    std::string transformer_id;      ///< Transformer.
    std::int64_t fid = -1;           ///< Feature id (a CSV's data rows count from 1).
    double customers = 0.0;          ///< `customers` rows: the new customer count.
    std::vector<ClassCount> classes; ///< `customers` rows: new class counts, when the table has them.
};

/// A changes table as read: new transformers, removed ones and new customer counts.
struct TransformerChanges {
    std::vector<TransformerArea> added;     ///< `new` rows, read as the transformers are, in the working CRS.
    std::vector<TransformerChange> changes; ///< `removed` and `customers` rows, in table order.
    std::string file;  ///< Source file.
    std::string layer; ///< Source layer.
};

/// What read_transformer_changes() reads.
struct TransformerChangeReadOptions {
    LayerSource source;                ///< CSV or any OGR layer.
    std::string change_field = "change"; ///< `new`, `removed` or `customers` (any case). Default: "change".
    /// How today's transformers are read: `new` rows are read with the same fields, encoding,
    /// CSV columns and CRS rules, into `read.work_crs` (give the territory's working CRS).
    ReadOptions read;
};

/// Reads a changes table: each row is `new` (a transformer to add: id, customers, position and
/// the other fields as in the transformers layer), `removed` (its id) or `customers` (its id and
/// customer count; class counts when the table has `customers_<class>` columns). A missing
/// file, layer or field is an error issue naming the fields; a row with another change, no id
/// or a bad count is an error (`change_invalid`, `id_missing`, `customers_invalid`) naming its
/// fid; `new` rows get every check of read_inputs() and go to `rejected` when they fail.
/// O(rows).
std::pair<TransformerChanges, ValidationReport> read_transformer_changes(const TransformerChangeReadOptions& options);

} // namespace libgrid
