// Private GDAL helpers of the io module: RAII handles, per-scope error capture, SRS handling.
// Nothing outside libgrid/src/io includes this file.
#pragma once

#include <libgrid/geometry_types.hpp>

#include <cpl_error.h>
#include <cpl_string.h>
#include <gdal_priv.h>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace libgrid::detail {

/// Captures GDAL/CPL errors raised in its scope (per thread, never process-global) so that
/// they can be attached to libgrid messages instead of being printed by GDAL.
class GdalErrorCapture {
public:
    GdalErrorCapture();
    ~GdalErrorCapture();
    GdalErrorCapture(const GdalErrorCapture&) = delete;
    GdalErrorCapture& operator=(const GdalErrorCapture&) = delete;
    /// Last failure message (CE_Failure or worse), "" when none.
    const std::string& last_error() const noexcept { return m_last_error; }
    /// Clears the recorded message.
    void clear() noexcept { m_last_error.clear(); }

private:
    static void CPL_STDCALL handler(CPLErr level, CPLErrorNum num, const char* msg);
    std::string m_last_error;
};

/// Registers GDAL drivers once (thread-safe).
void ensure_gdal_registered();

/// Owning SRS pointer (OGRSpatialReference is reference counted; Release() frees it).
struct SrsDeleter {
    void operator()(OGRSpatialReference* srs) const noexcept
    {
        if (srs) srs->Release();
    }
};
using SrsPtr = std::unique_ptr<OGRSpatialReference, SrsDeleter>;

/// Owning coordinate transformation.
struct TransformDeleter {
    void operator()(OGRCoordinateTransformation* ct) const noexcept
    {
        OGRCoordinateTransformation::DestroyCT(ct);
    }
};
using TransformPtr = std::unique_ptr<OGRCoordinateTransformation, TransformDeleter>;

/// Parses a user CRS string (EPSG:n, WKT, PROJ) with GIS (x=lon/easting) axis order.
/// @throws Error(crs) naming `what` (e.g. "--work-crs") when GDAL does not understand it.
SrsPtr parse_srs(const std::string& text, const std::string& what);

/// Clones an SRS and sets GIS axis order. Null in, null out.
SrsPtr clone_srs(const OGRSpatialReference* srs);

/// The CRS of a layer, null when it has none. GeoPackage layers whose srs_id is 0 or -1 (GDAL
/// reports them as "Undefined geographic SRS" / "Undefined Cartesian SRS") have none either:
/// they are not lon/lat, and --assume-crs applies to them as to any layer without a CRS. Every
/// reader takes a layer's CRS from here. O(1).
const OGRSpatialReference* layer_srs(OGRLayer& layer);

/// WKT2 of an SRS ("" for null).
std::string srs_to_wkt(const OGRSpatialReference* srs);

/// Transformation between two SRS; null when both are null (local frame) or equal.
/// @throws Error(crs) when GDAL/PROJ cannot build it.
TransformPtr make_transform(const OGRSpatialReference* from, const OGRSpatialReference* to);

/// The one rule by which every reader picks its metric working CRS: none for a layer without
/// one (a local planar frame stays as it is); the layer's own when it is projected in metres
/// (re-projecting would only add distortion); else the UTM zone of the extent's centre (null
/// when the extent is empty). O(1).
SrsPtr metric_crs(const OGRSpatialReference* src, const Box& extent);

/// The UTM zone (WGS 84) of the centre of `box`, a box in `src` coordinates (GIS axis order):
/// the metric working CRS of georeferenced data that is not projected in metres.
/// @throws Error(crs) when `src` cannot be related to WGS 84.
SrsPtr utm_zone_srs(const OGRSpatialReference* src, const Box& box);

/// Converts an OGR (multi)polygon (curves linearised) into a MultiPolygon; other types give
/// an empty result.
MultiPolygon to_multipolygon(const OGRGeometry& geom);

/// Converts a MultiPolygon into an OGR multipolygon (caller owns).
std::unique_ptr<OGRMultiPolygon> to_ogr(const MultiPolygon& shape);

/// Unique temporary sibling `.<name>.tmp-<pid>-<n>` of `target` in the same folder (same file
/// system: rename is atomic); unique per process, also across threads.
std::filesystem::path temp_sibling(const std::filesystem::path& target);

/// Renames a finished temporary into place (atomic). @throws Error(io_write) naming both.
void rename_into_place(const std::filesystem::path& from, const std::filesystem::path& to);

/// Lower-cased ASCII copy.
std::string lower(std::string s);

/// Copy without leading and trailing blanks (space, tab, CR, LF).
std::string trim(std::string s);

/// Strict number parsing of an attribute: the whole trimmed text must be one finite number in
/// plain decimal notation (no hex, "inf" or "nan"). O(length).
bool parse_number(std::string_view text, double& value);

/// A field's text, trimmed; "" for a null field or idx < 0. O(length).
std::string field_text(const OGRFeature& feature, int idx);

/// The largest customer count of one transformer area: well above any real area (Georgia's
/// largest county as one unit holds about 1M people), and low enough that sums of counts stay
/// exact in a double.
inline constexpr double max_customers = 1e9;

/// Reads a customer count: a whole plain number from 0 to max_customers. On failure returns false and
/// fills `what` (naming `field` and the text) and `fix`, one sentence each.
bool customer_count(const std::string& text, const std::string& field, double& value, std::string& what,
                    std::string& fix);

/// The field names of a layer definition, ", "-separated; "(none)" without fields. O(fields).
std::string field_names(const OGRFeatureDefn& defn);
/// The field names of a layer, as field_names(defn).
inline std::string field_names(OGRLayer& layer) { return field_names(*layer.GetLayerDefn()); }

/// The layer names of a dataset, ", "-separated; "(none)" without layers. O(layers).
std::string layer_names(GDALDataset& dataset);

/// Case-insensitive ".ext" check.
bool has_extension(const std::string& path, const char* ext);

/// The geometry columns of a CSV file, chosen by libgrid rather than by GDAL's CSV driver
/// (GDAL 3.6 crashes when two columns match its X_POSSIBLE_NAMES, e.g. `lon,x,y`).
struct CsvGeometryColumns {
    std::string x, y, wkt; ///< Exact column names; "" when the file has none.
    std::string error;     ///< Why the columns are ambiguous ("" when they are not).
    std::string fix;       ///< How to resolve it.
    /// Sets X_/Y_/GEOM_POSSIBLE_NAMES to the exact chosen columns (nothing when none).
    void set_open_options(CPLStringList& options) const;
};

/// Reads the header of the CSV at `path` and picks its x, y and WKT columns: the one column
/// whose name (case-insensitive) is in each list. Several matches for one role is an error
/// (`error` set): the user names the column instead. An unreadable file gives no columns (the
/// caller's open then reports it). O(fields).
CsvGeometryColumns choose_csv_columns(const std::string& path,
                                      const std::vector<std::string>& x_names,
                                      const std::vector<std::string>& y_names,
                                      const std::vector<std::string>& wkt_names);

} // namespace libgrid::detail
