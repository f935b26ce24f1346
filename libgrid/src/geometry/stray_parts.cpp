// Areas that must be one polygon each: empty admin units and cut-off parts of service areas
// given to the neighbour with the longest common border (see geometry.hpp).
#include "core/box_grid.hpp"
#include "geometry/geometry.hpp"
#include "geometry/geos_wrap.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <utility>

namespace libgrid::detail {

std::vector<std::size_t> boxes_near(const std::vector<Box>& markers, const std::vector<Box>& candidates,
                                    double grow, double cell)
{
    std::vector<std::size_t> out;
    Box all;
    for (const Box& b : markers)
        if (!b.empty()) {
            all.add({b.min_x - grow, b.min_y - grow});
            all.add({b.max_x + grow, b.max_y + grow});
        }
    if (all.empty()) return out;
    const double w = all.max_x - all.min_x;
    const double h = all.max_y - all.min_y;
    cell = std::max({cell, std::sqrt(w * h / 4e6), w / 65536.0, h / 65536.0, 1e-9});
    BoxGrid grid(all, cell);
    for (std::size_t m = 0; m < markers.size(); ++m) {
        const Box& b = markers[m];
        if (!b.empty())
            grid.add({b.min_x - grow, b.min_y - grow, b.max_x + grow, b.max_y + grow}, static_cast<std::uint32_t>(m));
    }
    for (std::size_t i = 0; i < candidates.size(); ++i) {
        const Box& b = candidates[i];
        if (b.empty() || b.max_x + grow < all.min_x || b.min_x - grow > all.max_x || b.max_y + grow < all.min_y ||
            b.min_y - grow > all.max_y)
            continue;
        // Cell-level: a marker in a cell the grown candidate meets (a cheap superset).
        if (grid.any({b.min_x - grow, b.min_y - grow, b.max_x + grow, b.max_y + grow}, [](std::uint32_t) { return true; }))
            out.push_back(i);
    }
    return out;
}


std::vector<std::size_t> attach_by_longest_border(std::size_t items, const std::vector<AttachLink>& links)
{
    std::vector<std::vector<const AttachLink*>> by_item(items);
    for (const AttachLink& l : links) by_item[l.item].push_back(&l);
    std::vector<std::size_t> attached(items, npos);
    std::vector<std::pair<std::size_t, double>> scores;
    for (bool changed = true; changed;) {
        changed = false;
        std::vector<std::size_t> next = attached;
        for (std::size_t e = 0; e < items; ++e) {
            if (attached[e] != npos) continue;
            scores.clear();
            for (const AttachLink* l : by_item[e]) {
                // Only attachments of earlier rounds count, so the result does not depend on
                // the order items are visited in.
                const std::size_t t = l->to_item ? attached[l->to] : l->to;
                if (t != npos) scores.emplace_back(t, l->length);
            }
            if (scores.empty()) continue;
            std::sort(scores.begin(), scores.end());
            std::size_t best = npos;
            double best_len = 0.0;
            for (std::size_t i = 0; i < scores.size();) {
                double len = 0.0;
                std::size_t j = i;
                for (; j < scores.size() && scores[j].first == scores[i].first; ++j) len += scores[j].second;
                if (len > best_len) { // strict: ties go to the lowest receiver
                    best_len = len;
                    best = scores[i].first;
                }
                i = j;
            }
            next[e] = best;
            changed = true;
        }
        attached = std::move(next);
    }
    return attached;
}

namespace {

/// Index of the part to keep: the one holding the anchor, else the largest.
std::size_t part_to_keep(const MultiPolygon& shape, const Point& anchor)
{
    for (std::size_t i = 0; i < shape.size(); ++i)
        if (contains(shape[i], anchor)) return i;
    std::size_t best = 0;
    double best_area = -1.0;
    for (std::size_t i = 0; i < shape.size(); ++i) {
        const double a = area(MultiPolygon{shape[i]});
        if (a > best_area) {
            best_area = a;
            best = i;
        }
    }
    return best;
}

} // namespace

std::vector<StrayPart> move_stray_parts(std::vector<MultiPolygon>& shapes, const std::vector<Point>& anchors,
                                        double tolerance)
{
    // The cut-off parts, taken out of their areas.
    std::vector<StrayPart> strays;
    std::vector<MultiPolygon> stray_shapes;
    std::vector<std::size_t> touched; // areas that lost a part
    for (std::size_t t = 0; t < shapes.size(); ++t) {
        if (shapes[t].size() < 2) continue;
        const std::size_t keep = part_to_keep(shapes[t], anchors[t]);
        MultiPolygon kept;
        for (std::size_t i = 0; i < shapes[t].size(); ++i) {
            if (i == keep) {
                kept.push_back(std::move(shapes[t][i]));
                continue;
            }
            const Point at = shapes[t][i].outer.empty() ? Point{} : shapes[t][i].outer.front();
            stray_shapes.push_back(MultiPolygon{std::move(shapes[t][i])});
            strays.push_back(StrayPart{t, npos, area(stray_shapes.back()), at});
        }
        shapes[t] = std::move(kept);
        touched.push_back(t);
    }
    if (strays.empty()) return strays;

    // Borders between the parts and the areas near them (and between parts).
    std::vector<Box> stray_boxes, shape_boxes(shapes.size());
    double size = 0.0;
    for (const MultiPolygon& s : stray_shapes) {
        stray_boxes.push_back(bounds(s));
        size += std::max(stray_boxes.back().max_x - stray_boxes.back().min_x,
                         stray_boxes.back().max_y - stray_boxes.back().min_y);
    }
    for (std::size_t t = 0; t < shapes.size(); ++t) shape_boxes[t] = bounds(shapes[t]);
    const std::vector<std::size_t> near =
        boxes_near(stray_boxes, shape_boxes, tolerance, std::max(size / static_cast<double>(strays.size()), 1e-6));
    std::vector<MultiPolygon> nearby;
    nearby.reserve(near.size() + strays.size());
    for (const std::size_t t : near) nearby.push_back(shapes[t]);
    for (const MultiPolygon& s : stray_shapes) nearby.push_back(s);
    std::vector<AttachLink> links;
    for (const SharedBorder& b : shared_borders(nearby, tolerance)) {
        const bool a_stray = b.a >= near.size(); // a < b, so b is a part too when a is
        const bool b_stray = b.b >= near.size();
        if (a_stray) {
            links.push_back({b.a - near.size(), b.b - near.size(), true, b.length});
            links.push_back({b.b - near.size(), b.a - near.size(), true, b.length});
        } else if (b_stray && near[b.a] != strays[b.b - near.size()].from) {
            links.push_back({b.b - near.size(), near[b.a], false, b.length});
        }
    }
    const std::vector<std::size_t> to = attach_by_longest_border(strays.size(), links);

    // Each receiving area dissolves with the parts it received; islands go back where they were.
    std::vector<std::vector<std::size_t>> received(shapes.size());
    for (std::size_t e = 0; e < strays.size(); ++e) {
        strays[e].to = to[e];
        received[to[e] == npos ? strays[e].from : to[e]].push_back(e);
    }
    const geos::Context ctx;
    for (std::size_t t = 0; t < shapes.size(); ++t) {
        if (received[t].empty()) continue;
        std::vector<geos::GeomPtr> parts;
        parts.push_back(geos::to_geos(ctx, shapes[t]));
        for (const std::size_t e : received[t]) parts.push_back(geos::to_geos(ctx, stray_shapes[e]));
        geos::GeomPtr all = geos::make_collection(ctx, GEOS_GEOMETRYCOLLECTION, std::move(parts));
        geos::GeomPtr merged =
            geos::own(ctx, GEOSUnaryUnion_r(ctx.get(), all.get()), "cannot merge a cut-off part into a service area");
        shapes[t] = geos::from_geos(ctx, merged.get());
    }
    return strays;
}

} // namespace libgrid::detail
