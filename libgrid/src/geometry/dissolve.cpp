// libgrid::dissolve (declared in libgrid/service_areas.hpp): service areas merged into one polygon per
// group, e.g. per grid for the grid maps and the compactness measures.
//
// Service areas tile their study area, so each group is a polygonal coverage: GEOS's coverage
// union cancels the shared edges instead of running a full overlay, which is what makes a
// million areas affordable. Coverage union trusts its input, though: where two neighbours split a
// shared border at different vertices it may fail, return an invalid polygon, or keep a
// zero-width sliver along the border as a hole. Each result is therefore checked and the group
// is redone with the robust (slower) unary union when the check fails. build_service_areas()
// nodes its areas into a clean coverage, so with its output the fallback does not happen.
#include "geometry/geos_wrap.hpp"
#include "geometry/parallel.hpp"

#include <libgrid/error.hpp>
#include <libgrid/service_areas.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

namespace libgrid {

namespace geos = detail::geos;
using geos::GeomPtr;

namespace {

// A hole this thin (Polsby-Popper 4 pi A / P^2 below it) is taken as a sliver left where two
// borders did not match exactly, not as a real enclave. A square scores 0.785; a 1 km by 1 mm
// strip scores 3e-6. Real enclaves (another grid's areas) are nowhere near that thin, and a
// false alarm only sends the group down the slower robust path: it costs time, not correctness.
constexpr double sliver_thinness = 1e-4;

// The result must cover what the inputs cover: this much relative area difference means
// coverage union dropped or doubled something.
constexpr double area_tolerance = 1e-9;

constexpr double pi = 3.14159265358979323846;

// True when coverage union's polygon is valid and covers what its inputs cover (see the file
// comment for what goes wrong otherwise).
bool valid_cover(const geos::Context& ctx, const GEOSGeometry* merged, double input_area)
{
    if (GEOSisValid_r(ctx.get(), merged) != 1) return false;
    const double out_area = geos::area(ctx, merged);
    return std::abs(out_area - input_area) <= area_tolerance * std::max(out_area, input_area);
}

// True when some hole is a sliver rather than an enclave.
bool has_sliver_hole(const MultiPolygon& shape)
{
    for (const Polygon& poly : shape) {
        for (const Ring& hole : poly.holes) {
            const MultiPolygon ring_shape{Polygon{hole, {}}};
            const double a = area(ring_shape);
            const double p = perimeter(ring_shape);
            if (p > 0.0 && 4.0 * pi * a / (p * p) < sliver_thinness) return true;
        }
    }
    return false;
}

// ---- Exact dissolve of a clean coverage --------------------------------------------------
//
// When neighbours have the same vertices along their borders (build_service_areas() makes them
// so), a border inside the group is the same segment twice, once in each direction. Cancelling
// those pairs leaves the group's boundary, which is chained into rings: arithmetic only, and
// several times faster than GEOS 3.11's coverage union (which polygonizes one line per segment).

// A ring segment, oriented with the shape's interior on its left.
struct Edge {
    Point a;
    Point b;
};

bool less_point(const Point& p, const Point& q) noexcept
{
    return p.x != q.x ? p.x < q.x : p.y < q.y;
}
bool same_point(const Point& p, const Point& q) noexcept { return p.x == q.x && p.y == q.y; }

// Twice the signed area (positive: counter-clockwise).
double signed_area2(const Ring& r) noexcept
{
    double s = 0.0;
    for (std::size_t i = 0; i + 1 < r.size(); ++i) s += r[i].x * r[i + 1].y - r[i + 1].x * r[i].y;
    return s;
}

// Appends the segments of r, outer rings counter-clockwise and holes clockwise.
void add_edges(const Ring& r, bool outer, std::vector<Edge>& edges)
{
    const double a2 = signed_area2(r);
    if (a2 == 0.0) return;
    const bool forward = (a2 > 0.0) == outer;
    for (std::size_t i = 0; i + 1 < r.size(); ++i) {
        const Point& p = r[i];
        const Point& q = r[i + 1];
        if (same_point(p, q)) continue;
        edges.push_back(forward ? Edge{p, q} : Edge{q, p});
    }
}

// True when (x, y) lies inside ring r (crossing number; boundary points either way).
bool ring_contains(const Ring& r, const Point& p) noexcept
{
    bool inside = false;
    for (std::size_t i = 0; i + 1 < r.size(); ++i) {
        const Point& u = r[i];
        const Point& v = r[i + 1];
        if ((u.y > p.y) != (v.y > p.y) && p.x < u.x + (p.y - u.y) / (v.y - u.y) * (v.x - u.x))
            inside = !inside;
    }
    return inside;
}

// The union of the members when they form a clean coverage; false when they do not (a border
// split differently on its two sides, overlapping shapes), and the caller falls back to GEOS.
bool union_exact(const std::vector<MultiPolygon>& shapes, const std::vector<std::size_t>& members,
                 MultiPolygon& out)
{
    std::vector<Edge> edges;
    for (std::size_t i : members)
        for (const Polygon& poly : shapes[i]) {
            add_edges(poly.outer, true, edges);
            for (const Ring& h : poly.holes) add_edges(h, false, edges);
        }

    // Cancel each segment against its reverse: sort by undirected key, then per key keep the
    // surplus direction. Two equal segments in one direction mean an overlap: not a coverage.
    auto lo = [](const Edge& e) -> const Point& { return less_point(e.a, e.b) ? e.a : e.b; };
    auto hi = [](const Edge& e) -> const Point& { return less_point(e.a, e.b) ? e.b : e.a; };
    std::sort(edges.begin(), edges.end(), [&](const Edge& e, const Edge& f) {
        if (!same_point(lo(e), lo(f))) return less_point(lo(e), lo(f));
        if (!same_point(hi(e), hi(f))) return less_point(hi(e), hi(f));
        return less_point(e.a, f.a); // forward (a < b) first
    });
    std::vector<Edge> rest;
    for (std::size_t i = 0; i < edges.size();) {
        std::size_t j = i;
        long balance = 0; // forward minus backward
        for (; j < edges.size() && same_point(lo(edges[j]), lo(edges[i])) &&
               same_point(hi(edges[j]), hi(edges[i]));
             ++j)
            balance += less_point(edges[j].a, edges[j].b) ? 1 : -1;
        if (balance > 1 || balance < -1) return false;
        if (balance != 0) {
            const Point& p = lo(edges[i]);
            const Point& q = hi(edges[i]);
            rest.push_back(balance > 0 ? Edge{p, q} : Edge{q, p});
        }
        i = j;
    }
    if (rest.empty()) return false;

    // Chain: edges by start point. At a vertex with several ways on (shapes touching at a
    // point), take the first clockwise from the way back, so each ring closes around one face.
    std::sort(rest.begin(), rest.end(), [](const Edge& e, const Edge& f) {
        if (!same_point(e.a, f.a)) return less_point(e.a, f.a);
        return less_point(e.b, f.b);
    });
    auto first_from = [&](const Point& p) {
        return static_cast<std::size_t>(
            std::lower_bound(rest.begin(), rest.end(), p,
                             [](const Edge& e, const Point& q) { return less_point(e.a, q); }) -
            rest.begin());
    };
    std::vector<char> used(rest.size(), 0);
    std::vector<Ring> shells, holes;
    std::vector<double> shell_area2;
    for (std::size_t start = 0; start < rest.size(); ++start) {
        if (used[start]) continue;
        Ring ring{rest[start].a};
        std::size_t cur = start;
        used[cur] = 1;
        for (std::size_t steps = 0;; ++steps) {
            if (steps > rest.size()) return false;
            const Edge& e = rest[cur];
            ring.push_back(e.b);
            const double bx = e.a.x - e.b.x; // the way back
            const double by = e.a.y - e.b.y;
            std::size_t best = rest.size();
            double best_angle = 0.0;
            for (std::size_t k = first_from(e.b); k < rest.size() && same_point(rest[k].a, e.b); ++k) {
                if (used[k] && k != start) continue;
                const double ox = rest[k].b.x - e.b.x;
                const double oy = rest[k].b.y - e.b.y;
                // Clockwise angle from the way back to this way, in (0, 2 pi].
                double angle = -std::atan2(bx * oy - by * ox, bx * ox + by * oy);
                if (angle <= 0.0) angle += 2.0 * pi;
                if (best == rest.size() || angle < best_angle) {
                    best = k;
                    best_angle = angle;
                }
            }
            if (best == rest.size()) return false; // an open chain: not a coverage
            if (best == start) break;
            used[best] = 1;
            cur = best;
        }
        const double a2 = signed_area2(ring);
        if (a2 > 0.0) {
            shells.push_back(std::move(ring));
            shell_area2.push_back(a2);
        } else if (a2 < 0.0) {
            holes.push_back(std::move(ring));
        } else {
            return false;
        }
    }
    if (shells.empty()) return false;

    out.clear();
    for (Ring& r : shells) out.push_back(Polygon{std::move(r), {}});
    for (Ring& h : holes) {
        std::size_t owner = 0;
        if (out.size() > 1) {
            // Midpoint of the hole's first segment: not on any other ring of a clean coverage.
            const Point m{0.5 * (h[0].x + h[1].x), 0.5 * (h[0].y + h[1].y)};
            owner = out.size();
            for (std::size_t k = 0; k < out.size(); ++k)
                if ((owner == out.size() || shell_area2[k] < shell_area2[owner]) &&
                    ring_contains(out[k].outer, m))
                    owner = k;
            if (owner == out.size()) return false;
        }
        out[owner].holes.push_back(std::move(h));
    }
    return true;
}

// The union of the given shapes.
MultiPolygon union_of(const geos::Context& ctx, const std::vector<MultiPolygon>& shapes,
                      const std::vector<std::size_t>& members)
{
    const GEOSContextHandle_t h = ctx.get();
    {
        MultiPolygon exact;
        if (union_exact(shapes, members, exact)) {
            GeomPtr g = geos::to_geos(ctx, exact);
            if (GEOSisValid_r(h, g.get()) == 1 && !has_sliver_hole(exact)) return exact;
        }
    }
    // A collection of multipolygons: both unions read nested collections, so each shape goes in
    // as converted, without copying its polygons out.
    std::vector<GeomPtr> parts;
    parts.reserve(members.size());
    double input_area = 0.0;
    for (std::size_t i : members) {
        parts.push_back(geos::to_geos(ctx, shapes[i]));
        input_area += geos::area(ctx, parts.back().get());
    }
    GeomPtr coll = geos::make_collection(ctx, GEOS_GEOMETRYCOLLECTION, std::move(parts));

    // Coverage union reports bad input by throwing inside GEOS, which the C API turns into a
    // null result and an error message; that is a reason to fall back, not to fail.
    GeomPtr merged(GEOSCoverageUnion_r(h, coll.get()), geos::GeomDeleter{h});
    if (merged && valid_cover(ctx, merged.get(), input_area)) {
        MultiPolygon out = geos::from_geos(ctx, merged.get());
        if (!has_sliver_hole(out)) return out;
    }
    merged = geos::own(ctx, GEOSUnaryUnion_r(h, coll.get()), "cannot dissolve service areas");
    return geos::from_geos(ctx, merged.get());
}

} // namespace

std::vector<MultiPolygon> dissolve(const std::vector<MultiPolygon>& shapes,
                                   const std::vector<std::uint32_t>& group_of, std::size_t groups,
                                   std::size_t threads)
{
    if (group_of.size() != shapes.size())
        throw Error(ErrorCode::invalid_argument,
                    fmt::format("geometry: cannot dissolve {} shapes: {} group indices given",
                                shapes.size(), group_of.size()));

    // Members of each group in shape order (a counting sort: O(n), and the union input order
    // is fixed, so the output is deterministic).
    std::vector<std::size_t> start(groups + 1, 0);
    for (std::size_t i = 0; i < shapes.size(); ++i) {
        if (group_of[i] >= groups)
            throw Error(ErrorCode::invalid_argument,
                        fmt::format("geometry: cannot dissolve shape {}: group {} is not below the "
                                    "number of groups {}",
                                    i, group_of[i], groups));
        ++start[group_of[i] + 1];
    }
    for (std::size_t g = 0; g < groups; ++g) start[g + 1] += start[g];
    std::vector<std::size_t> order(shapes.size());
    {
        std::vector<std::size_t> next(start.begin(), start.end() - 1);
        for (std::size_t i = 0; i < shapes.size(); ++i) order[next[group_of[i]]++] = i;
    }

    std::vector<MultiPolygon> out(groups);
    // Each group is one job writing its own slot, so the threads do not change the result.
    detail::parallel_jobs(
        groups, threads,
        [&](std::size_t g, const geos::Context& ctx) {
            std::vector<std::size_t> members;
            for (std::size_t k = start[g]; k < start[g + 1]; ++k)
                if (!shapes[order[k]].empty()) members.push_back(order[k]);
            if (members.empty()) return;
            // One shape needs no union; GEOS would only renormalise its rings.
            if (members.size() == 1) {
                out[g] = shapes[members[0]];
                return;
            }
            out[g] = union_of(ctx, shapes, members);
        },
        [](std::size_t) {});
    return out;
}

} // namespace libgrid
