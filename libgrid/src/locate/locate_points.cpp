// Points looked up in bulk: moved into the Locator's CRS, located, and written one row per
// input point (see libgrid/locate.hpp).
#include <libgrid/csv.hpp>
#include <libgrid/error.hpp>
#include <libgrid/locate.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <iterator>

namespace libgrid {
std::vector<Point> to_locator_crs(PointSet& points, const Locator& locator)
{
    std::vector<Point> xy;
    xy.reserve(points.points.size());
    for (const auto& p : points.points) xy.push_back(p.xy);
    const auto moved = transform_points(xy, points.crs_wkt, locator.crs_wkt());
    for (std::size_t i = 0; i < xy.size(); ++i)
        if (!moved[i] && points.points[i].problem.empty())
            points.points[i].problem = fmt::format("coordinates {}, {} cannot be transformed from {} to the plan's "
                                                   "CRS (wrong --points-crs?)",
                                                   points.points[i].xy.x, points.points[i].xy.y,
                                                   crs_name(points.crs_wkt));
    return xy;
}

PointLocations locate_points(const Locator& locator, const PointSet& points, const std::vector<Point>& xy)
{
    if (xy.size() != points.points.size())
        throw Error(ErrorCode::invalid_argument, "locate_points: one position per point expected");
    PointLocations at;
    at.where.resize(xy.size());
    for (std::size_t i = 0; i < xy.size(); ++i) {
        if (!points.points[i].problem.empty()) continue;
        at.where[i] = locator.locate(xy[i]);
        ++at.located;
        if (at.where[i].inside) {
            ++at.inside;
        } else {
            ++at.outside;
            at.max_distance_m = std::max(at.max_distance_m, at.where[i].distance_m);
        }
    }
    return at;
}

void write_locations(const std::string& path, const PointSet& points, const PointLocations& at, const Locator& locator,
                     bool with_status, const std::vector<std::string>& protect)
{
    // One row per input point, in input order; outside points carry their nearest grid.
    const std::filesystem::path out(path);
    const bool gpkg = out.extension() == ".gpkg";
    const std::size_t n = points.points.size();
    auto contact = [&](std::size_t i) -> const GridContact* {
        if (!points.points[i].problem.empty() || at.where[i].grid == Location::none) return nullptr;
        return &locator.contact(at.where[i].grid);
    };
    if (gpkg) {
        FeatureTable t;
        t.name = out.stem().string();
        t.kind = GeometryKind::point;
        t.fields = {{"id", FieldType::text},           {"x", FieldType::real},
                    {"y", FieldType::real},            {"grid_id", FieldType::text},
                    {"station_id", FieldType::text},   {"manager_id", FieldType::text},
                    {"manager_name", FieldType::text}, {"manager_phone", FieldType::text},
                    {"inside", FieldType::text},       {"distance_m", FieldType::real}};
        if (with_status) t.fields.push_back({"status", FieldType::text});
        t.rows.reserve(n);
        t.points.reserve(n);
        for (std::size_t i = 0; i < n; ++i) {
            const auto& p = points.points[i];
            std::vector<FieldValue> row{p.id};
            const bool ok = p.problem.empty();
            if (ok) {
                row.emplace_back(p.xy.x);
                row.emplace_back(p.xy.y);
            } else {
                row.emplace_back(std::monostate{});
                row.emplace_back(std::monostate{});
            }
            const auto* c = contact(i);
            for (const std::string* s : {c ? &c->grid_id : nullptr, c ? &c->station_id : nullptr,
                                          c ? &c->manager_id : nullptr, c ? &c->manager_name : nullptr,
                                          c ? &c->manager_phone : nullptr})
                row.emplace_back(s ? FieldValue(*s) : FieldValue());
            if (ok) {
                row.emplace_back(std::string(at.where[i].inside ? "true" : "false"));
                row.emplace_back(at.where[i].distance_m);
            } else {
                row.emplace_back(std::monostate{});
                row.emplace_back(std::monostate{});
            }
            if (with_status) row.emplace_back(ok ? std::string("located") : "rejected: " + p.problem);
            t.rows.push_back(std::move(row));
            t.points.push_back(p.xy); // NaN for a rejected point: written without geometry
        }
        const std::string dir = out.has_parent_path() ? out.parent_path().string() : ".";
        write_tables(dir, out.stem().string(), Format::gpkg, {t}, points.crs_wkt,
                              points.crs_wkt, protect);
    } else {
        std::string buf;
        auto field = [&buf](const std::string& s) { append_csv_field(buf, s); };
        fmt::format_to(std::back_inserter(buf), "id,x,y,grid_id,station_id,manager_id,manager_name,"
                                                "manager_phone,inside,distance_m{}\n",
                       with_status ? ",status" : "");
        for (std::size_t i = 0; i < n; ++i) {
            const auto& p = points.points[i];
            const auto* c = contact(i);
            const bool ok = p.problem.empty();
            field(p.id);
            if (ok && c) {
                // x, y as read (shortest text that reads back as the same number); 1 cm for distances.
                fmt::format_to(std::back_inserter(buf), ",{},{},", p.xy.x, p.xy.y);
                for (const std::string* s : {&c->grid_id, &c->station_id, &c->manager_id, &c->manager_name}) {
                    field(*s);
                    buf.push_back(',');
                }
                field(c->manager_phone);
                if (at.where[i].inside) {
                    const char tail[] = ",true,0";
                    buf += tail;
                } else {
                    fmt::format_to(std::back_inserter(buf), ",false,{:.2f}", at.where[i].distance_m);
                }
            } else if (ok) { // no grid at all (a Locator without edges): nothing to name
                fmt::format_to(std::back_inserter(buf), ",{},{},,,,,,false,", p.xy.x, p.xy.y);
            } else {
                const char tail[] = ",,,,,,,,,";
                buf += tail;
            }
            if (with_status) {
                buf.push_back(',');
                field(ok ? std::string("located") : "rejected: " + p.problem);
            }
            buf.push_back('\n');
        }
        write_text_file(path, buf, protect);
    }
}

} // namespace libgrid
