// node_coverage(): turns shapes that tile a region, but meet at different vertices on the two
// sides of a border, into a clean polygonal coverage (see geometry.hpp for the contract).
//
// Two passes over a uniform grid of the vertices, both arithmetic only:
//  1. vertices closer than `snap` are merged into the first of them (in shape, ring, vertex
//     order), so that a crossing point computed twice, once per side, becomes one point;
//  2. every vertex lying on another segment (within `snap`, strictly between its ends) is
//     inserted into that segment, so that both sides of a border carry the same vertices.
// Inserted vertices are existing ones, so one pass 2 is enough: afterwards each border has, on
// both sides, every vertex either side had on it.
#include "core/point_grid.hpp"
#include "geometry/geometry.hpp"
#include "geometry/parallel.hpp"

#include <libgrid/error.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>

namespace libgrid::detail {
namespace {

template <class F>
void for_each_ring(std::vector<MultiPolygon>& shapes, F&& f)
{
    for (MultiPolygon& mp : shapes)
        for (Polygon& poly : mp) {
            f(poly.outer);
            for (Ring& h : poly.holes) f(h);
        }
}

template <class F>
void for_each_ring_in(std::vector<MultiPolygon>& shapes, std::size_t begin, std::size_t end, F&& f)
{
    for (std::size_t s = begin; s < end; ++s)
        for (Polygon& poly : shapes[s]) {
            f(poly.outer);
            for (Ring& h : poly.holes) f(h);
        }
}

/// Closes the ring again after its first point moved, drops repeated points, and empties it
/// when fewer than 4 points (3 distinct) remain.
void tidy_ring(Ring& ring)
{
    if (ring.empty()) return;
    ring.back() = ring.front();
    std::size_t kept = 1;
    for (std::size_t i = 1; i < ring.size(); ++i) {
        if (ring[i].x == ring[kept - 1].x && ring[i].y == ring[kept - 1].y) continue;
        ring[kept++] = ring[i];
    }
    // The last point kept equals the first either way (the closing point, or the point it was
    // merged into), so the ring stays closed.
    ring.resize(kept);
    if (ring.size() < 4) ring.clear();
}

bool same(const Point& a, const Point& b) noexcept { return a.x == b.x && a.y == b.y; }

} // namespace

CoverageNoding node_coverage(std::vector<MultiPolygon>& shapes, double snap, std::size_t threads)
{
    if (!(snap >= 0.0))
        throw Error(ErrorCode::invalid_argument, "geometry: coverage snap distance must be zero or positive");
    CoverageNoding stats;

    // Every vertex once per ring (the closing point is the first point again).
    std::vector<Point> pts;
    {
        std::size_t total = 0;
        for_each_ring(shapes, [&](Ring& r) { total += r.empty() ? 0 : r.size() - 1; });
        if (total >= std::numeric_limits<std::uint32_t>::max())
            throw Error(ErrorCode::invalid_argument, "geometry: too many vertices for node_coverage");
        pts.reserve(total);
        for_each_ring(shapes, [&](Ring& r) {
            for (std::size_t i = 0; i + 1 < r.size(); ++i) pts.push_back(r[i]);
        });
    }
    if (pts.empty()) return stats;

    // Pass 1: snap. Cells at least 2 snap wide, so a point's snap-neighbours are in its 3 x 3
    // block of cells.
    if (snap > 0.0) {
        const PointGrid grid(pts, 2.0 * snap);
        const double snap2 = snap * snap;
        std::vector<std::uint32_t> rep(pts.size(), std::numeric_limits<std::uint32_t>::max());
        const std::uint32_t none = std::numeric_limits<std::uint32_t>::max();
        for (std::size_t i = 0; i < pts.size(); ++i) {
            if (rep[i] != none) continue;
            rep[i] = static_cast<std::uint32_t>(i);
            const Point p = pts[i];
            const std::size_t cx = grid.col(p.x);
            const std::size_t cy = grid.row(p.y);
            for (std::size_t iy = cy > 0 ? cy - 1 : 0; iy <= std::min(cy + 1, grid.ny() - 1); ++iy)
                for (std::size_t ix = cx > 0 ? cx - 1 : 0; ix <= std::min(cx + 1, grid.nx() - 1); ++ix)
                    grid.visit(ix, iy, [&](std::uint32_t j) {
                        if (rep[j] != none) return;
                        const double dx = pts[j].x - p.x;
                        const double dy = pts[j].y - p.y;
                        if (dx * dx + dy * dy <= snap2) rep[j] = static_cast<std::uint32_t>(i);
                    });
        }
        // Write back in the order the points were collected.
        std::size_t k = 0;
        bool moved_any = false;
        for_each_ring(shapes, [&](Ring& r) {
            bool moved = false;
            for (std::size_t i = 0; i + 1 < r.size(); ++i, ++k) {
                const Point& q = pts[rep[k]];
                if (!same(q, r[i])) {
                    r[i] = q;
                    moved = true;
                    ++stats.snapped;
                }
            }
            if (moved) {
                tidy_ring(r);
                moved_any = true;
            }
        });
        if (moved_any) {
            // Drop polygons whose outer ring collapsed, and collapsed holes.
            for (MultiPolygon& mp : shapes) {
                for (Polygon& poly : mp)
                    poly.holes.erase(std::remove_if(poly.holes.begin(), poly.holes.end(),
                                                    [](const Ring& h) { return h.empty(); }),
                                     poly.holes.end());
                mp.erase(std::remove_if(mp.begin(), mp.end(),
                                        [](const Polygon& poly) { return poly.outer.empty(); }),
                         mp.end());
            }
            pts.clear();
            for_each_ring(shapes, [&](Ring& r) {
                for (std::size_t i = 0; i + 1 < r.size(); ++i) pts.push_back(r[i]);
            });
        }
    }

    // Pass 2: distinct vertices in a grid; each segment looks at the cells along it.
    PointGrid grid(pts, 2.0 * snap);
    grid.make_distinct();
    std::vector<Point>().swap(pts); // the grid keeps its own copy of the distinct points
    const double snap2 = snap * snap;
    const double cell = grid.cell();
    const Box& box = grid.box();
    struct Hit {
        double t;
        Point p;
    };
    // Rings are independent now (the grid is only read): blocks of shapes on several threads,
    // each counting its own insertions.
    constexpr std::size_t shapes_per_block = 2048;
    const std::size_t nblocks = (shapes.size() + shapes_per_block - 1) / shapes_per_block;
    std::vector<std::size_t> inserted(nblocks, 0);
    parallel_jobs(
        nblocks, threads,
        [&](std::size_t blk, const geos::Context&) {
            std::vector<Hit> hits;
            Ring out;
            const std::size_t end = std::min(shapes.size(), (blk + 1) * shapes_per_block);
            for_each_ring_in(shapes, blk * shapes_per_block, end, [&](Ring& r) {
                if (r.size() < 2) return;
                out.clear();
                bool changed = false;
                for (std::size_t s = 0; s + 1 < r.size(); ++s) {
                    const Point a = r[s];
                    const Point b = r[s + 1];
                    out.push_back(a);
                    const double dx = b.x - a.x;
                    const double dy = b.y - a.y;
                    const double len2 = dx * dx + dy * dy;
                    // Nothing fits strictly between the ends of a segment this short.
                    if (!(len2 > 4.0 * snap2)) continue;
                    const double len = std::sqrt(len2);
                    hits.clear();
                    auto test = [&](const Point& v) {
                        if (same(v, a) || same(v, b)) return;
                        const double vx = v.x - a.x;
                        const double vy = v.y - a.y;
                        // Distance from a along the segment, and signed distance from its line.
                        const double along = (vx * dx + vy * dy) / len;
                        if (!(along > snap && along < len - snap)) return;
                        const double cross = (vx * dy - vy * dx) / len;
                        if (cross * cross > snap2) return;
                        hits.push_back(Hit{along, v});
                    };
                    // Columns spanned by the segment (plus snap); in each, the rows of its y-range.
                    const double x0 = std::min(a.x, b.x) - snap;
                    const double x1 = std::max(a.x, b.x) + snap;
                    const std::size_t c0 = grid.col(x0);
                    const std::size_t c1 = grid.col(x1);
                    for (std::size_t ix = c0; ix <= c1; ++ix) {
                        // The segment's y-range over this column's x-slab.
                        const double sx0 = std::max(x0, box.min_x + static_cast<double>(ix) * cell);
                        const double sx1 =
                            std::min(x1, box.min_x + static_cast<double>(ix + 1) * cell);
                        double ya = a.y;
                        double yb = b.y;
                        if (dx != 0.0) {
                            ya = a.y + std::clamp((sx0 - a.x) / dx, 0.0, 1.0) * dy;
                            yb = a.y + std::clamp((sx1 - a.x) / dx, 0.0, 1.0) * dy;
                        }
                        const std::size_t r0 = grid.row(std::min(ya, yb) - snap - 1e-9 * cell);
                        const std::size_t r1 = grid.row(std::max(ya, yb) + snap + 1e-9 * cell);
                        for (std::size_t iy = r0; iy <= r1; ++iy) grid.visit_distinct(ix, iy, test);
                    }
                    if (hits.empty()) continue;
                    std::sort(hits.begin(), hits.end(), [](const Hit& h1, const Hit& h2) {
                        if (h1.t != h2.t) return h1.t < h2.t;
                        if (h1.p.x != h2.p.x) return h1.p.x < h2.p.x;
                        return h1.p.y < h2.p.y;
                    });
                    for (const Hit& h : hits) {
                        if (same(h.p, out.back())) continue;
                        out.push_back(h.p);
                        ++inserted[blk];
                        changed = true;
                    }
                }
                if (!changed) return;
                out.push_back(r.back());
                r.swap(out);
            });
        },
        [](std::size_t) {});
    for (std::size_t n : inserted) stats.inserted += n;
    return stats;
}

} // namespace libgrid::detail
