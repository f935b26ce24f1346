#include "io/gdal_util.hpp"

#include <libgrid/csv.hpp>
#include <libgrid/error.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace libgrid::detail {

GdalErrorCapture::GdalErrorCapture()
{
    CPLPushErrorHandlerEx(&GdalErrorCapture::handler, this);
}

GdalErrorCapture::~GdalErrorCapture()
{
    CPLPopErrorHandler();
}

void CPL_STDCALL GdalErrorCapture::handler(CPLErr level, CPLErrorNum, const char* msg)
{
    // Warnings (e.g. "driver does not support open option") are not failures; only keep the
    // last real failure so that the libgrid message carries GDAL's reason.
    if (level < CE_Failure) return;
    auto* self = static_cast<GdalErrorCapture*>(CPLGetErrorHandlerUserData());
    if (self && msg) self->m_last_error = msg;
}

void ensure_gdal_registered()
{
    static std::once_flag once;
    std::call_once(once, [] { GDALAllRegister(); });
}

SrsPtr parse_srs(const std::string& text, const std::string& what)
{
    SrsPtr srs(new OGRSpatialReference());
    srs->SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    GdalErrorCapture capture;
    if (srs->SetFromUserInput(text.c_str()) != OGRERR_NONE)
        throw Error(ErrorCode::crs,
                    fmt::format("io: {} '{}' is not a CRS GDAL understands{}{} (fix: give an "
                                "EPSG code such as EPSG:32650, a WKT file or a PROJ string)",
                                what, text, capture.last_error().empty() ? "" : ": ",
                                capture.last_error()));
    return srs;
}

SrsPtr clone_srs(const OGRSpatialReference* srs)
{
    if (!srs) return nullptr;
    SrsPtr copy(srs->Clone());
    copy->SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    return copy;
}

const OGRSpatialReference* layer_srs(OGRLayer& layer)
{
    const OGRSpatialReference* srs = layer.GetSpatialRef();
    if (!srs) return nullptr;
    const char* name = srs->GetName();
    if (name && (EQUAL(name, "Undefined geographic SRS") || EQUAL(name, "Undefined Cartesian SRS"))) return nullptr;
    return srs;
}

std::string srs_to_wkt(const OGRSpatialReference* srs)
{
    if (!srs) return {};
    char* wkt = nullptr;
    const char* options[] = {"FORMAT=WKT2_2018", nullptr};
    srs->exportToWkt(&wkt, options);
    std::string out = wkt ? wkt : "";
    CPLFree(wkt);
    return out;
}

TransformPtr make_transform(const OGRSpatialReference* from, const OGRSpatialReference* to)
{
    if (!from || !to) return nullptr;
    if (from->IsSame(to)) return nullptr;
    GdalErrorCapture capture;
    TransformPtr ct(OGRCreateCoordinateTransformation(from, to));
    if (!ct)
        throw Error(ErrorCode::crs, fmt::format("io: cannot transform from '{}' to '{}': {}",
                                                from->GetName() ? from->GetName() : "?",
                                                to->GetName() ? to->GetName() : "?",
                                                capture.last_error()));
    return ct;
}

SrsPtr metric_crs(const OGRSpatialReference* src, const Box& extent)
{
    if (!src) return nullptr;
    if (src->IsProjected() && std::abs(src->GetLinearUnits() - 1.0) < 1e-9) return clone_srs(src);
    if (extent.empty()) return nullptr;
    return utm_zone_srs(src, extent);
}

SrsPtr utm_zone_srs(const OGRSpatialReference* src, const Box& box)
{
    SrsPtr wgs84(new OGRSpatialReference());
    wgs84->SetWellKnownGeogCS("WGS84");
    wgs84->SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    double x = 0.5 * (box.min_x + box.max_x), y = 0.5 * (box.min_y + box.max_y);
    if (auto ct = make_transform(src, wgs84.get())) ct->Transform(1, &x, &y);
    const int zone = std::clamp(static_cast<int>(std::floor((x + 180.0) / 6.0)) + 1, 1, 60);
    SrsPtr utm(new OGRSpatialReference());
    utm->importFromEPSG((y >= 0 ? 32600 : 32700) + zone);
    utm->SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    return utm;
}

namespace {
Ring to_ring(const OGRLinearRing& ring)
{
    Ring out;
    const int n = ring.getNumPoints();
    out.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) out.push_back({ring.getX(i), ring.getY(i)});
    if (!out.empty() && (out.front().x != out.back().x || out.front().y != out.back().y))
        out.push_back(out.front());
    return out;
}

void append_polygon(const OGRPolygon& poly, MultiPolygon& out)
{
    if (poly.IsEmpty()) return;
    Polygon p;
    p.outer = to_ring(*poly.getExteriorRing());
    for (int i = 0; i < poly.getNumInteriorRings(); ++i)
        p.holes.push_back(to_ring(*poly.getInteriorRing(i)));
    out.push_back(std::move(p));
}

void append_any(const OGRGeometry& geom, MultiPolygon& out)
{
    const auto type = wkbFlatten(geom.getGeometryType());
    if (type == wkbPolygon) {
        append_polygon(*geom.toPolygon(), out);
    } else if (type == wkbMultiPolygon || type == wkbGeometryCollection) {
        for (const auto* part : *geom.toGeometryCollection()) append_any(*part, out);
    } else if (type == wkbCurvePolygon || type == wkbMultiSurface) {
        std::unique_ptr<OGRGeometry> linear(geom.getLinearGeometry());
        if (linear) append_any(*linear, out);
    }
}
} // namespace

MultiPolygon to_multipolygon(const OGRGeometry& geom)
{
    MultiPolygon out;
    append_any(geom, out);
    return out;
}

std::unique_ptr<OGRMultiPolygon> to_ogr(const MultiPolygon& shape)
{
    auto out = std::make_unique<OGRMultiPolygon>();
    auto make_ring = [](const Ring& ring) {
        auto r = std::make_unique<OGRLinearRing>();
        r->setNumPoints(static_cast<int>(ring.size()), FALSE);
        for (std::size_t i = 0; i < ring.size(); ++i)
            r->setPoint(static_cast<int>(i), ring[i].x, ring[i].y);
        return r;
    };
    for (const auto& poly : shape) {
        OGRPolygon p;
        p.addRingDirectly(make_ring(poly.outer).release());
        for (const auto& hole : poly.holes) p.addRingDirectly(make_ring(hole).release());
        out->addGeometry(&p);
    }
    return out;
}

std::string trim(std::string s)
{
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return {};
    const auto last = s.find_last_not_of(" \t\r\n");
    return s.substr(first, last - first + 1);
}

bool parse_number(std::string_view text, double& value)
{
    while (!text.empty() && std::strchr(" \t\r\n", text.front())) text.remove_prefix(1);
    while (!text.empty() && std::strchr(" \t\r\n", text.back())) text.remove_suffix(1);
    // Plain decimal notation only: strtod would also take hex ("0x10" as 16), "inf" and "nan".
    if (text.empty() || text.find_first_not_of("0123456789+-.eE") != std::string_view::npos)
        return false;
    const std::string t(text); // NUL-terminated, so strtod stops at the end of the field
    errno = 0;
    char* end = nullptr;
    value = std::strtod(t.c_str(), &end);
    return errno == 0 && end == t.c_str() + t.size() && std::isfinite(value);
}

std::string lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

std::string field_text(const OGRFeature& feature, int idx)
{
    if (idx < 0 || !feature.IsFieldSetAndNotNull(idx)) return {};
    return trim(feature.GetFieldAsString(idx));
}

std::string field_names(const OGRFeatureDefn& defn)
{
    std::string out;
    for (int i = 0; i < defn.GetFieldCount(); ++i) out += (i ? ", " : "") + std::string(defn.GetFieldDefn(i)->GetNameRef());
    return out.empty() ? "(none)" : out;
}

std::string layer_names(GDALDataset& dataset)
{
    std::string out;
    for (auto* l : dataset.GetLayers()) out += (out.empty() ? "" : ", ") + std::string(l->GetName());
    return out.empty() ? "(none)" : out;
}

bool has_extension(const std::string& path, const char* ext)
{
    const std::string e = lower(ext);
    return path.size() >= e.size() && lower(path.substr(path.size() - e.size())) == e;
}

void CsvGeometryColumns::set_open_options(CPLStringList& options) const
{
    if (!x.empty() && !y.empty()) {
        options.SetNameValue("X_POSSIBLE_NAMES", x.c_str());
        options.SetNameValue("Y_POSSIBLE_NAMES", y.c_str());
    }
    if (!wkt.empty()) options.SetNameValue("GEOM_POSSIBLE_NAMES", wkt.c_str());
}

CsvGeometryColumns choose_csv_columns(const std::string& path,
                                      const std::vector<std::string>& x_names,
                                      const std::vector<std::string>& y_names,
                                      const std::vector<std::string>& wkt_names)
{
    CsvGeometryColumns out;
    ensure_gdal_registered();
    GdalErrorCapture capture; // a file that does not open is reported by the caller's open
    const GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
    if (!ds || ds->GetLayerCount() < 1) return out;
    OGRFeatureDefn* defn = ds->GetLayer(0)->GetLayerDefn();
    const auto pick = [&](const std::vector<std::string>& names, const char* role,
                          const char* flag, std::string& chosen) {
        std::vector<std::string> found;
        for (int i = 0; i < defn->GetFieldCount(); ++i) {
            const std::string field = defn->GetFieldDefn(i)->GetNameRef();
            for (const auto& name : names)
                if (lower(field) == lower(name)) {
                    found.push_back(field);
                    break;
                }
        }
        if (found.size() == 1) chosen = found.front();
        if (found.size() < 2 || !out.error.empty()) return;
        std::string list;
        for (const auto& f : found) list += (list.empty() ? "'" : ", '") + f + "'";
        out.error = std::string("CSV '") + path + "' has " + std::to_string(found.size()) + " " +
                    role + " columns (" + list + ") and libgrid will not guess which one holds it";
        out.fix = std::string("name the column with ") + flag + ", or rename the others";
    };
    pick(x_names, "x-coordinate", "--x-field and --y-field", out.x);
    pick(y_names, "y-coordinate", "--x-field and --y-field", out.y);
    pick(wkt_names, "geometry (WKT)", "--wkt-field", out.wkt);
    return out;
}

bool customer_count(const std::string& text, const std::string& field, double& value, std::string& what,
                    std::string& fix)
{
    value = 0.0;
    if (text.empty()) {
        what = fmt::format("customer count (field '{}') is missing", field);
        fix = "fill in the number of customers (0 when none)";
    } else if (!parse_number(text, value)) {
        what = fmt::format("customer count '{}' (field '{}') is not a number", text, field);
        fix = "write the count as a plain number";
    } else if (value < 0) {
        what = fmt::format("customer count {} (field '{}') is negative", text, field);
        fix = "customer counts must be 0 or more";
    } else if (value != std::floor(value)) {
        what = fmt::format("customer count {} (field '{}') is not a whole number", text, field);
        fix = "count customers, not a share or an average: write a whole number";
    } else if (value > max_customers) {
        what = fmt::format("customer count {} (field '{}') is above {}: no transformer area has that many customers",
                           text, field, with_commas(max_customers));
        fix = "check the column, which may hold another quantity; map the count with --customers-field";
    } else {
        return true;
    }
    return false;
}

} // namespace libgrid::detail
