// Cross-layer validation and repair. Geometry work goes through the geometry module's
// internal interface; nothing here sees GEOS or GDAL.
#include "geometry/geometry.hpp"
#include "validate/remove.hpp"

#include <libgrid/validate.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <unordered_set>

namespace libgrid {

void detail::remove_transformers(Territory& t, const std::vector<char>& drop)
{
    const bool units = t.transformer_unit.size() == t.transformers.size();
    std::vector<std::size_t> new_index(t.transformers.size(), npos);
    std::size_t next = 0;
    for (std::size_t i = 0; i < t.transformers.size(); ++i)
        if (!drop[i]) {
            new_index[i] = next;
            if (next != i) {
                t.transformers[next] = std::move(t.transformers[i]);
                if (units) t.transformer_unit[next] = t.transformer_unit[i];
            }
            ++next;
        }
    t.transformers.resize(next);
    if (units) t.transformer_unit.resize(next);
    std::vector<FeederLink> links;
    for (auto link : t.feeder_links) {
        if (new_index[link.a] == npos || new_index[link.b] == npos) continue;
        link.a = new_index[link.a];
        link.b = new_index[link.b];
        links.push_back(std::move(link));
    }
    t.feeder_links = std::move(links);
    std::vector<CustomerPoint> customers;
    for (auto c : t.customers) {
        if (c.transformer >= new_index.size() || new_index[c.transformer] == npos) continue;
        c.transformer = new_index[c.transformer];
        customers.push_back(c);
    }
    t.customers = std::move(customers);
}

ValidationReport validate(Territory& t, const ValidateOptions& options)
{
    ValidationReport report;
    auto progress = [&](double f) {
        if (options.progress) options.progress(Progress{"validate", f});
    };
    progress(0.0);

    // 1. Repair invalid polygons (units and transformer areas).
    for (auto& level : t.levels) {
        for (auto& unit : level.units) {
            const auto r = detail::make_valid(unit.shape);
            if (r.was_valid) continue;
            report.add(Issue{Severity::warning, IssueCode::geometry_repaired, level.file, level.layer,
                             unit.id,
                             fmt::format("admin unit polygon is invalid ({}); repaired with MakeValid",
                                         r.reason),
                             "correct the polygon in the source data"});
            if (unit.shape.empty())
                report.add(Issue{Severity::error, IssueCode::geometry_empty, level.file, level.layer,
                                 unit.id, "admin unit polygon is empty after repair",
                                 "redraw the polygon"});
        }
    }
    std::vector<char> drop(t.transformers.size(), 0);
    auto reject = [&](std::size_t i, IssueCode code, const std::string& why, const std::string& fix) {
        const auto& tx = t.transformers[i];
        report.add(Issue{Severity::error, code, t.transformers_file, t.transformers_layer, tx.id,
                         why, fix});
        report.rejected.push_back(
            Rejected{t.transformers_file, t.transformers_layer, tx.source_fid, tx.id, code, why});
        drop[i] = 1;
    };
    for (std::size_t i = 0; i < t.transformers.size(); ++i) {
        auto& tx = t.transformers[i];
        if (tx.shape.empty()) continue;
        const auto r = detail::make_valid(tx.shape);
        if (r.was_valid) continue;
        if (tx.shape.empty())
            reject(i, IssueCode::geometry_empty,
                   fmt::format("transformer-area polygon is invalid ({}) and empty after repair",
                               r.reason),
                   "redraw the polygon");
        else
            report.add(Issue{Severity::warning, IssueCode::geometry_repaired, t.transformers_file,
                             t.transformers_layer, tx.id,
                             fmt::format("transformer-area polygon is invalid ({}); repaired with "
                                         "MakeValid",
                                         r.reason),
                             "correct the polygon in the source data"});
    }
    progress(0.2);

    // 2. Overlaps within a level: an error, and removed from the later unit so that the later
    //    stages still see a tiling.
    for (auto& level : t.levels) {
        std::vector<MultiPolygon> shapes;
        shapes.reserve(level.units.size());
        for (const auto& u : level.units) shapes.push_back(u.shape);
        for (const auto& o : detail::find_overlaps(shapes, options.overlap_tolerance_m2, options.threads)) {
            report.add(Issue{Severity::error, IssueCode::units_overlap, level.file, level.layer,
                             level.units[o.a].id,
                             fmt::format("admin unit overlaps unit '{}' of the same level by {:.1f} m²",
                                         level.units[o.b].id, o.area),
                             "correct the boundaries so that units of one level do not overlap"});
            level.units[o.b].shape = detail::difference(level.units[o.b].shape, level.units[o.a].shape);
        }
    }
    progress(0.5);

    // 3. Nesting of each level in the next coarser one, by largest overlap.
    for (std::size_t k = 1; k < t.levels.size(); ++k) {
        std::vector<MultiPolygon> children, parents;
        for (const auto& u : t.levels[k].units) children.push_back(u.shape);
        for (const auto& u : t.levels[k - 1].units) parents.push_back(u.shape);
        const auto parent = detail::nest_by_overlap(children, parents, options.threads);
        for (std::size_t i = 0; i < parent.size(); ++i) {
            t.levels[k].units[i].parent = parent[i];
            if (parent[i] == npos)
                report.add(Issue{Severity::warning, IssueCode::unit_not_nested, t.levels[k].file,
                                 t.levels[k].layer, t.levels[k].units[i].id,
                                 fmt::format("admin unit lies in no unit of the coarser level '{}'",
                                             t.levels[k - 1].name),
                                 "check that the levels cover the same territory"});
        }
    }
    progress(0.7);

    // 4. Every transformer inside a unit of the finest level.
    std::vector<std::size_t> unit_of(t.transformers.size(), npos);
    if (!t.levels.empty()) {
        const auto& finest = t.levels.back();
        std::vector<MultiPolygon> shapes;
        for (const auto& u : finest.units) shapes.push_back(u.shape);
        detail::PolygonIndex index(shapes);
        for (std::size_t i = 0; i < t.transformers.size(); ++i) {
            if (drop[i]) continue;
            unit_of[i] = index.locate(t.transformers[i].location);
            if (unit_of[i] != npos) continue;
            const auto [nearest, distance] = index.nearest(t.transformers[i].location);
            reject(i, IssueCode::outside_boundaries,
                   nearest == npos
                       ? fmt::format("transformer lies outside every unit of level '{}'", finest.name)
                       : fmt::format("transformer lies outside every unit of level '{}' (nearest: "
                                     "unit '{}', {:.0f} m away)",
                                     finest.name, finest.units[nearest].id, distance),
                   "correct its coordinates (or their CRS), or extend the boundary layer");
        }
    }

    // 5. Feeders named by transformers must exist in the feeder layer.
    if (!t.feeders.empty()) {
        const std::unordered_set<std::string> known(t.feeders.begin(), t.feeders.end());
        for (std::size_t i = 0; i < t.transformers.size(); ++i) {
            const auto& tx = t.transformers[i];
            if (drop[i] || tx.feeder_id.empty() || known.count(tx.feeder_id)) continue;
            report.add(Issue{Severity::error, IssueCode::feeder_unknown, t.transformers_file,
                             t.transformers_layer, tx.id,
                             fmt::format("transformer names feeder '{}', which the feeder layer does "
                                         "not have",
                                         tx.feeder_id),
                             "correct the feeder id or add the feeder's edges"});
        }
    }

    // Drop rejected transformers; keep unit_of aligned with the survivors.
    if (std::find(drop.begin(), drop.end(), 1) != drop.end()) {
        std::vector<std::size_t> kept;
        for (std::size_t i = 0; i < drop.size(); ++i)
            if (!drop[i]) kept.push_back(unit_of[i]);
        detail::remove_transformers(t, drop);
        unit_of = std::move(kept);
    }
    t.transformer_unit = std::move(unit_of);
    progress(1.0);
    return report;
}

} // namespace libgrid
