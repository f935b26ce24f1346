// Reading the managers roster (read_managers, see libgrid/io.hpp). Data problems become issues.
#include "io/gdal_util.hpp"

#include <libgrid/error.hpp>
#include <libgrid/io.hpp>

#include <fmt/format.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <unordered_map>

namespace libgrid {
namespace {

using detail::field_names;
using detail::field_text;
using detail::parse_number;
using detail::trim;

} // namespace

std::pair<std::vector<Manager>, ValidationReport> read_managers(const ManagerReadOptions& o)
{
    detail::ensure_gdal_registered();
    std::vector<Manager> managers;
    ValidationReport report;
    const ManagerFields& fm = o.fields;
    const LayerSource& src = o.source;
    std::string layer_name = src.layer;
    auto issue = [&](Severity sev, IssueCode code, std::string feature, std::string message, std::string fix) {
        report.add(Issue{sev, code, src.path, layer_name, std::move(feature), std::move(message), std::move(fix)});
    };

    detail::GdalErrorCapture capture;
    CPLStringList open_options;
    if (detail::has_extension(src.path, ".csv")) {
        std::vector<std::string> xs{"x", "lon", "lng", "longitude", "easting"};
        std::vector<std::string> ys{"y", "lat", "latitude", "northing"};
        if (!fm.base_x.empty()) xs.push_back(fm.base_x);
        if (!fm.base_y.empty()) ys.push_back(fm.base_y);
        const auto columns =
            detail::choose_csv_columns(src.path, xs, ys, {"wkt", "geometry", "geom", "the_geom"});
        if (!columns.error.empty()) {
            issue(Severity::error, IssueCode::field_missing, "", columns.error,
                  "name the base columns with --manager-x-field and --manager-y-field, or rename the others");
            return {std::move(managers), std::move(report)};
        }
        columns.set_open_options(open_options);
        open_options.SetNameValue("EMPTY_STRING_AS_NULL", "YES");
    }
    if (!o.encoding.empty() && (detail::has_extension(src.path, ".shp") || detail::has_extension(src.path, ".dbf")))
        open_options.SetNameValue("ENCODING", o.encoding.c_str());
    GDALDatasetUniquePtr ds(GDALDataset::Open(src.path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr,
                                              open_options.List(), nullptr));
    if (!ds) {
        std::error_code ec;
        const bool exists = std::filesystem::exists(src.path, ec);
        issue(Severity::error, IssueCode::file_unreadable, "",
              fmt::format("cannot open managers input '{}': {}", src.path,
                          !exists ? "no such file"
                          : capture.last_error().empty() ? "not a table GDAL can read"
                                                         : capture.last_error()),
              exists ? "give the roster as CSV, GeoPackage, Shapefile or GeoJSON" : "check the path");
        return {std::move(managers), std::move(report)};
    }
    OGRLayer* layer = src.layer.empty() ? (ds->GetLayerCount() > 0 ? ds->GetLayer(0) : nullptr)
                                        : ds->GetLayerByName(src.layer.c_str());
    if (!layer) {
        const std::string names = detail::layer_names(*ds);
        issue(Severity::error, IssueCode::layer_not_found, "",
              fmt::format("managers input '{}' has no layer '{}'; its layers are: {}", src.path, src.layer, names),
              "name one of these layers after the file, as FILE:LAYER");
        return {std::move(managers), std::move(report)};
    }
    layer_name = layer->GetName();
    auto* defn = layer->GetLayerDefn();
    auto index = [&](const std::string& name) { return name.empty() ? -1 : defn->GetFieldIndex(name.c_str()); };
    bool fields_ok = true;
    for (const auto& [name, flag] : std::vector<std::pair<std::string, const char*>>{
             {fm.id, "--manager-id-field"}, {fm.station, "--manager-station-field"},
             {fm.capacity, "--manager-capacity-field"}}) {
        if (index(name) >= 0) continue;
        fields_ok = false;
        issue(Severity::error, IssueCode::field_missing, "",
              fmt::format("managers layer has no field '{}'; its fields are: {}", name, field_names(*layer)),
              fmt::format("map the right field with {}", flag));
    }
    const ManagerFields defaults;
    for (const auto& [name, def, flag] : std::vector<std::tuple<std::string, std::string, const char*>>{
             {fm.name, defaults.name, "--manager-name-field"},
             {fm.phone, defaults.phone, "--manager-phone-field"},
             {fm.max_grids, defaults.max_grids, "--manager-max-grids-field"}}) {
        if (name.empty() || name == def || index(name) >= 0) continue;
        fields_ok = false;
        issue(Severity::error, IssueCode::field_missing, "",
              fmt::format("managers layer has no field '{}' (given with {}); its fields are: {}", name, flag,
                          field_names(*layer)),
              fmt::format("correct {}", flag));
    }
    if (!fields_ok) return {std::move(managers), std::move(report)};

    const int i_id = index(fm.id), i_name = index(fm.name), i_phone = index(fm.phone), i_station = index(fm.station),
              i_cap = index(fm.capacity), i_max = index(fm.max_grids), i_x = index(fm.base_x), i_y = index(fm.base_y);
    std::unordered_map<std::string, GIntBig> seen;
    std::vector<Point> bases;
    layer->ResetReading();
    for (auto& feature : *layer) {
        OGRFeature& f = *feature;
        const GIntBig fid = f.GetFID();
        Manager m;
        m.id = field_text(f, i_id);
        m.source_fid = fid;
        const std::string label = m.id.empty() ? fmt::format("fid {}", fid) : m.id;
        bool bad = false;
        auto fail = [&](IssueCode code, std::string why, std::string fix) {
            issue(Severity::error, code, label, std::move(why), std::move(fix));
            bad = true;
        };
        if (m.id.empty())
            fail(IssueCode::id_missing, fmt::format("manager has no id (field '{}' is empty)", fm.id),
                 fmt::format("give every manager an id in field '{}'", fm.id));
        else if (auto [it, inserted] = seen.try_emplace(m.id, fid); !inserted)
            fail(IssueCode::id_duplicate, fmt::format("manager id '{}' is also used by feature fid {}", m.id, it->second),
                 "give each manager a unique id (one line per person)");
        m.name = field_text(f, i_name);
        m.phone = field_text(f, i_phone);
        m.station_id = field_text(f, i_station);
        if (m.station_id.empty())
            fail(IssueCode::station_unknown, fmt::format("manager has no station (field '{}' is empty)", fm.station),
                 "fill in the business station whose grids the manager may hold");
        const std::string cap = field_text(f, i_cap);
        if (!parse_number(cap, m.capacity) || !(m.capacity > 0))
            fail(IssueCode::manager_field_invalid,
                 cap.empty() ? fmt::format("capacity (field '{}') is missing", fm.capacity)
                             : fmt::format("capacity '{}' (field '{}') is not a number > 0", cap, fm.capacity),
                 "give the largest load (customers by default) the manager can carry");
        const std::string maxg = field_text(f, i_max);
        double mg = 0.0;
        if (!maxg.empty()) {
            if (!parse_number(maxg, mg) || mg < 1 || mg != std::floor(mg) || mg > 1e9)
                fail(IssueCode::manager_field_invalid,
                     fmt::format("max_grids '{}' (field '{}') is not a whole number >= 1", maxg, fm.max_grids),
                     "give the most grids the manager may hold, or leave it empty for no limit");
            else
                m.max_grids = static_cast<std::size_t>(mg);
        }
        if (const OGRGeometry* g = f.GetGeometryRef(); g && !g->IsEmpty()) {
            const auto type = wkbFlatten(g->getGeometryType());
            if (type == wkbPoint) {
                m.base = {g->toPoint()->getX(), g->toPoint()->getY()};
                m.has_base = true;
            } else {
                issue(Severity::warning, IssueCode::geometry_wrong_type, label,
                      fmt::format("base geometry is a {}, not a point; the station's centre is used",
                                  OGRGeometryTypeToName(g->getGeometryType())),
                      "give the base as a point");
            }
        }
        if (!m.has_base && i_x >= 0 && i_y >= 0) {
            const std::string xt = field_text(f, i_x), yt = field_text(f, i_y);
            if (!xt.empty() || !yt.empty()) {
                if (parse_number(xt, m.base.x) && parse_number(yt, m.base.y))
                    m.has_base = true;
                else
                    issue(Severity::warning, IssueCode::value_invalid, label,
                          fmt::format("base '{}', '{}' (fields '{}', '{}') is not a pair of numbers; the station's "
                                      "centre is used",
                                      xt, yt, fm.base_x, fm.base_y),
                          "write plain numbers or leave both empty");
            }
        }
        if (!bad) managers.push_back(std::move(m));
    }
    if (seen.empty() && managers.empty() && report.ok())
        issue(Severity::error, IssueCode::geometry_empty, "", "managers layer holds no features",
              "list one manager per line");

    // Bases into the working CRS: the layer's CRS, else the assumed one, else a guess.
    detail::SrsPtr work;
    if (!o.work_crs_wkt.empty()) {
        work.reset(new OGRSpatialReference());
        if (work->importFromWkt(o.work_crs_wkt.c_str()) != OGRERR_NONE)
            throw Error(ErrorCode::crs, "io: cannot read the working CRS given to read_managers");
        work->SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    }
    detail::SrsPtr from;
    if (const OGRSpatialReference* srs = detail::layer_srs(*layer)) {
        from = detail::clone_srs(srs);
    } else if (!o.assume_crs.empty()) {
        if (detail::lower(o.assume_crs) != "local") from = detail::parse_srs(o.assume_crs, "--managers-crs");
    } else if (work) {
        bool lonlat = true;
        for (const auto& m : managers)
            if (m.has_base && (std::abs(m.base.x) > 180 || std::abs(m.base.y) > 90)) lonlat = false;
        if (lonlat) from = detail::parse_srs("EPSG:4326", "--managers-crs");
    }
    if (from && work) {
        if (auto ct = detail::make_transform(from.get(), work.get())) {
            for (auto& m : managers) {
                if (!m.has_base) continue;
                double x = m.base.x, y = m.base.y;
                if (!ct->Transform(1, &x, &y)) {
                    issue(Severity::warning, IssueCode::crs_missing, m.id,
                          "base could not be transformed to the working CRS; the station's centre is used",
                          "check the managers layer's CRS");
                    m.has_base = false;
                    continue;
                }
                m.base = {x, y};
            }
        }
    }
    return {std::move(managers), std::move(report)};
}

} // namespace libgrid
