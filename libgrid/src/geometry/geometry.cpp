// GEOS-backed geometry operations (make_valid, PolygonIndex, overlaps, nesting, hulls) and the
// arithmetic shared-border finder. See geometry.hpp for the contracts.
#include "geometry/geometry.hpp"

#include "geometry/geos_wrap.hpp"
#include "geometry/parallel.hpp"

#include <libgrid/error.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <utility>

namespace libgrid::detail {

using geos::GeomPtr;
using geos::PreparedPtr;

namespace {

// Collects STR tree hits as indices (items are made by geos::index_item).
void collect_item(void* item, void* userdata)
{
    static_cast<std::vector<std::size_t>*>(userdata)->push_back(geos::item_index(item));
}

// Geometries of a set of shapes (null for empty ones) and an STR tree over them.
struct IndexedShapes {
    std::vector<GeomPtr> geoms;
    geos::TreePtr tree;
    std::size_t count = 0; // non-empty shapes

    IndexedShapes(const geos::Context& ctx, const std::vector<MultiPolygon>& shapes)
        : tree(geos::make_tree(ctx))
    {
        geoms.reserve(shapes.size());
        for (std::size_t i = 0; i < shapes.size(); ++i) {
            GeomPtr g = geos::to_geos(ctx, shapes[i]);
            if (ctx.check_predicate(GEOSisEmpty_r(ctx.get(), g.get()), "cannot test emptiness"))
                g.reset();
            if (g) {
                GEOSSTRtree_insert_r(ctx.get(), tree.get(), g.get(), geos::index_item(i));
                ++count;
            }
            geoms.push_back(std::move(g));
        }
    }

    // Builds the tree now (GEOS builds it on the first query), so that threads may then query
    // it at once: a built tree is only read.
    void build(const geos::Context& ctx) const
    {
        for (const GeomPtr& g : geoms)
            if (g) {
                candidates(ctx, g.get());
                return;
            }
    }

    // Indices of shapes whose envelope intersects g's, ascending.
    std::vector<std::size_t> candidates(const geos::Context& ctx, const GEOSGeometry* g) const
    {
        std::vector<std::size_t> out;
        if (count == 0) return out;
        GEOSSTRtree_query_r(ctx.get(), tree.get(), g, &collect_item, &out);
        std::sort(out.begin(), out.end());
        return out;
    }
};

double intersection_area(const geos::Context& ctx, const GEOSGeometry* a, const GEOSGeometry* b)
{
    GeomPtr inter = geos::own(ctx, GEOSIntersection_r(ctx.get(), a, b), "cannot intersect");
    return geos::area(ctx, inter.get());
}

// Why a ring cannot enter GEOS as given (to_geos closes or drops such rings), or "".
std::string ring_problem(const Ring& ring)
{
    if (ring.size() < 4) return "Too few points in ring";
    if (ring.front().x != ring.back().x || ring.front().y != ring.back().y)
        return "Ring is not closed";
    return {};
}

} // namespace

// ---------------------------------------------------------------------------------------------
// make_valid, difference, buffered_hull

RepairResult make_valid(MultiPolygon& shape)
{
    RepairResult result;
    if (shape.empty()) return result;

    // GEOS cannot even build rings that are open or too short, so they are reported here.
    for (const Polygon& poly : shape) {
        result.reason = ring_problem(poly.outer);
        for (std::size_t h = 0; result.reason.empty() && h < poly.holes.size(); ++h)
            result.reason = ring_problem(poly.holes[h]);
        if (!result.reason.empty()) break;
    }

    geos::Context ctx;
    GeomPtr g = geos::to_geos(ctx, shape);
    if (result.reason.empty()) {
        char* reason = nullptr;
        GEOSGeometry* location = nullptr;
        const char valid = GEOSisValidDetail_r(ctx.get(), g.get(), 0, &reason, &location);
        if (location != nullptr) GEOSGeom_destroy_r(ctx.get(), location);
        if (reason != nullptr) {
            result.reason = reason;
            GEOSFree_r(ctx.get(), reason);
        }
        if (ctx.check_predicate(valid, "cannot test validity")) {
            result.reason.clear();
            return result;
        }
        if (result.reason.empty()) result.reason = "invalid geometry";
    }
    result.was_valid = false;
    GeomPtr fixed = geos::own(ctx, GEOSMakeValid_r(ctx.get(), g.get()), "cannot repair a polygon");
    shape = geos::from_geos(ctx, fixed.get());
    return result;
}

MultiPolygon difference(const MultiPolygon& a, const MultiPolygon& b)
{
    if (a.empty() || b.empty()) return a;
    geos::Context ctx;
    GeomPtr ga = geos::to_geos(ctx, a);
    GeomPtr gb = geos::to_geos(ctx, b);
    GeomPtr d = geos::own(ctx, GEOSDifference_r(ctx.get(), ga.get(), gb.get()),
                          "cannot compute a difference");
    return geos::from_geos(ctx, d.get());
}

MultiPolygon buffered_hull(const std::vector<Point>& points, double d)
{
    if (!(d > 0.0))
        throw Error(ErrorCode::invalid_argument,
                    "geometry: hull buffer distance must be positive");
    if (points.empty()) return {};
    geos::Context ctx;
    GeomPtr pts = geos::to_geos_points(ctx, points);
    GeomPtr hull =
        geos::own(ctx, GEOSConvexHull_r(ctx.get(), pts.get()), "cannot compute a convex hull");
    // 8 segments per quarter circle: GEOS's default, smooth enough for a study-area margin.
    GeomPtr buffered =
        geos::own(ctx, GEOSBuffer_r(ctx.get(), hull.get(), d, 8), "cannot buffer a hull");
    return geos::from_geos(ctx, buffered.get());
}

// ---------------------------------------------------------------------------------------------
// PolygonIndex

struct PolygonIndex::Impl {
    geos::Context ctx; // declared first: destroyed after everything made with it
    IndexedShapes shapes;
    // Prepared on first use: preparing is cheap, but most shapes of a large set are never hit.
    std::vector<PreparedPtr> prepared;

    explicit Impl(const std::vector<MultiPolygon>& input) : shapes(ctx, input)
    {
        prepared.resize(shapes.geoms.size());
    }

    const GEOSPreparedGeometry* prepared_at(std::size_t i)
    {
        if (!prepared[i]) prepared[i] = geos::prepare(ctx, shapes.geoms[i].get());
        return prepared[i].get();
    }
};

PolygonIndex::PolygonIndex(const std::vector<MultiPolygon>& shapes)
    : m_impl(std::make_unique<Impl>(shapes))
{
}

PolygonIndex::~PolygonIndex() = default;

std::size_t PolygonIndex::locate(const Point& p) const
{
    Impl& impl = *m_impl;
    if (impl.shapes.count == 0) return npos;
    GeomPtr pt = geos::to_geos(impl.ctx, p);
    for (std::size_t i : impl.shapes.candidates(impl.ctx, pt.get()))
        if (impl.ctx.check_predicate(
                GEOSPreparedIntersects_r(impl.ctx.get(), impl.prepared_at(i), pt.get()),
                "cannot test point in polygon"))
            return i;
    return npos;
}

namespace {

struct NearestQuery {
    const geos::Context* ctx;
    const IndexedShapes* shapes;
    const GEOSGeometry* point;
};

// The query item: any address that cannot be an index_item() value.
const char k_query_item = 0;

// Distance between two STR tree items, one of which is the query point. Returns 1 on success
// (GEOS throws inside nearest_generic when the callback returns 0).
int item_distance(const void* item1, const void* item2, double* distance, void* userdata)
{
    const auto& q = *static_cast<const NearestQuery*>(userdata);
    auto geom_of = [&](const void* item) -> const GEOSGeometry* {
        if (item == &k_query_item) return q.point;
        return q.shapes->geoms[geos::item_index(item)].get();
    };
    return GEOSDistance_r(q.ctx->get(), geom_of(item1), geom_of(item2), distance) == 1 ? 1 : 0;
}

} // namespace

std::pair<std::size_t, double> PolygonIndex::nearest(const Point& p) const
{
    Impl& impl = *m_impl;
    if (impl.shapes.count == 0) return {npos, std::numeric_limits<double>::infinity()};
    const std::size_t inside = locate(p);
    if (inside != npos) return {inside, 0.0};
    GeomPtr pt = geos::to_geos(impl.ctx, p);
    NearestQuery q{&impl.ctx, &impl.shapes, pt.get()};
    const void* item = GEOSSTRtree_nearest_generic_r(impl.ctx.get(), impl.shapes.tree.get(),
                                                     &k_query_item, pt.get(), &item_distance, &q);
    if (item == nullptr) impl.ctx.fail("cannot find the nearest polygon");
    const std::size_t i = geos::item_index(item);
    double d = 0.0;
    if (GEOSDistance_r(impl.ctx.get(), impl.shapes.geoms[i].get(), pt.get(), &d) == 0)
        impl.ctx.fail("cannot compute a distance");
    return {i, d};
}

// ---------------------------------------------------------------------------------------------
// find_overlaps, nest_by_overlap

std::vector<Overlap> find_overlaps(const std::vector<MultiPolygon>& shapes, double min_area,
                                   std::size_t threads)
{
    geos::Context ctx;
    IndexedShapes set(ctx, shapes);
    set.build(ctx);
    // Blocks of shapes on several threads, each with its own context and prepared geometries;
    // the shared shapes and tree are only read. Results are joined in block order.
    constexpr std::size_t per_block = 256;
    const std::size_t nblocks = (set.geoms.size() + per_block - 1) / per_block;
    std::vector<std::vector<Overlap>> found(nblocks);
    parallel_jobs(
        nblocks, threads,
        [&](std::size_t b, const geos::Context& local) {
            const std::size_t end = std::min(set.geoms.size(), (b + 1) * per_block);
            for (std::size_t i = b * per_block; i < end; ++i) {
                if (!set.geoms[i]) continue;
                const GEOSGeometry* gi = set.geoms[i].get();
                PreparedPtr prep; // only when a candidate exists
                for (std::size_t j : set.candidates(local, gi)) {
                    if (j <= i) continue;
                    if (!prep) prep = geos::prepare(local, gi);
                    const GEOSGeometry* gj = set.geoms[j].get();
                    if (!local.check_predicate(GEOSPreparedIntersects_r(local.get(), prep.get(), gj),
                                               "cannot test intersection"))
                        continue;
                    // Neighbours in a tiling touch along their border: no interior overlap, and
                    // skipping them avoids computing an intersection for every adjacent pair.
                    if (local.check_predicate(GEOSPreparedTouches_r(local.get(), prep.get(), gj),
                                              "cannot test touching"))
                        continue;
                    const double a = intersection_area(local, gi, gj);
                    if (a > min_area) found[b].push_back(Overlap{i, j, a});
                }
            }
        },
        [](std::size_t) {});
    std::vector<Overlap> out;
    for (const auto& f : found) out.insert(out.end(), f.begin(), f.end());
    return out;
}

std::vector<std::size_t> nest_by_overlap(const std::vector<MultiPolygon>& children,
                                         const std::vector<MultiPolygon>& parents,
                                         std::size_t threads)
{
    std::vector<std::size_t> out(children.size(), npos);
    geos::Context ctx;
    IndexedShapes set(ctx, parents);
    set.build(ctx);
    // Blocks of children on several threads; each block prepares the parents it meets (the
    // children of a block are usually neighbours, so they share parents).
    constexpr std::size_t per_block = 512;
    const std::size_t nblocks = (children.size() + per_block - 1) / per_block;
    parallel_jobs(
        nblocks, threads,
        [&](std::size_t b, const geos::Context& local) {
            std::vector<std::pair<std::size_t, PreparedPtr>> prepared; // by parent, unsorted
            auto prepared_parent = [&](std::size_t p) -> const GEOSPreparedGeometry* {
                for (const auto& [q, ptr] : prepared)
                    if (q == p) return ptr.get();
                prepared.emplace_back(p, geos::prepare(local, set.geoms[p].get()));
                return prepared.back().second.get();
            };
            const std::size_t end = std::min(children.size(), (b + 1) * per_block);
            for (std::size_t c = b * per_block; c < end; ++c) {
                if (children[c].empty()) continue;
                GeomPtr child = geos::to_geos(local, children[c]);
                double best = 0.0;
                for (std::size_t p : set.candidates(local, child.get())) {
                    const GEOSPreparedGeometry* pp = prepared_parent(p);
                    // The usual case: the child lies wholly in one parent. No parent can beat
                    // that and candidates are ascending, so the lowest such parent wins ties.
                    if (local.check_predicate(GEOSPreparedContains_r(local.get(), pp, child.get()),
                                              "cannot test containment")) {
                        out[c] = p;
                        break;
                    }
                    if (!local.check_predicate(GEOSPreparedIntersects_r(local.get(), pp, child.get()),
                                               "cannot test intersection"))
                        continue;
                    const double a = intersection_area(local, set.geoms[p].get(), child.get());
                    if (a > best) {
                        best = a;
                        out[c] = p;
                    }
                }
            }
        },
        [](std::size_t) {});
    return out;
}

// ---------------------------------------------------------------------------------------------
// shared_borders
//
// Works on raw boundary segments, no GEOS: with a million shapes a GEOS intersection per
// neighbour pair would take minutes. Two passes:
//  1. Fast path. In a tiling almost every border segment appears exactly twice, once in each
//     neighbour's ring (possibly reversed). Segments are keyed by their endpoints snapped to a
//     grid of cell `tolerance`, direction-normalised; a key held by exactly two segments of
//     different owners is a match. Keys are 128-bit hashes (a false match is as likely as a
//     random 128-bit collision) carried in the record itself, so grouping never chases
//     pointers back into the rings: with 10^7 segments those cache misses cost more than the
//     rest of the pass.
//  2. Slow path, only for unmatched segments (borders split at different vertices on the two
//     sides, near-misses across a snapping-cell edge, gaps within tolerance): a uniform grid
//     gives candidate pairs; a pair counts when the shorter segment lies within `tolerance` of
//     the longer one's supporting line, and adds the length of the overlap of their projections.
// Each segment is in exactly one of the two passes and, in a tiling, each stretch of border is
// covered by one segment chain per side, so nothing is counted twice.

namespace {

std::uint64_t mix64(std::uint64_t h) noexcept
{
    // splitmix64 finaliser: spreads nearby grid coordinates over the whole range
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebULL;
    h ^= h >> 31;
    return h;
}

std::uint64_t mix(std::uint64_t h, double v) noexcept
{
    std::uint64_t bits = 0;
    std::memcpy(&bits, &v, sizeof bits);
    return mix64(h ^ (bits + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2)));
}

// Sorts v by `less`, where records are ordered first by `key(x)`, a uniformly distributed
// 64-bit hash. Two stable radix passes (11 bits each, so each pass's 2048 write streams stay in
// cache and TLB) order the records by the top 22 bits of the key; the short runs left are then
// finished with std::sort. Several times faster than one std::sort over 10^7 records, at the
// cost of one temporary copy. Deterministic: same input, same output.
template <class T, class Key, class Less>
void hash_sort(std::vector<T>& v, Key key, Less less)
{
    constexpr int digit_bits = 11;
    constexpr std::size_t radix = std::size_t{1} << digit_bits;
    if (v.size() < 4 * radix) {
        std::sort(v.begin(), v.end(), less);
        return;
    }
    std::vector<T> tmp(v.size());
    for (int shift : {64 - 2 * digit_bits, 64 - digit_bits}) { // least significant digit first
        auto digit = [&](const T& x) { return static_cast<std::size_t>(key(x) >> shift) & (radix - 1); };
        std::vector<std::size_t> next(radix + 1, 0);
        for (const T& x : v) ++next[digit(x) + 1];
        for (std::size_t d = 0; d < radix; ++d) next[d + 1] += next[d];
        for (const T& x : v) tmp[next[digit(x)]++] = x;
        v.swap(tmp);
    }
    const int top_shift = 64 - 2 * digit_bits;
    for (std::size_t lo = 0; lo < v.size();) {
        const std::uint64_t top = key(v[lo]) >> top_shift;
        std::size_t hi = lo + 1;
        while (hi < v.size() && (key(v[hi]) >> top_shift) == top) ++hi;
        if (hi - lo > 1)
            std::sort(v.begin() + static_cast<std::ptrdiff_t>(lo),
                      v.begin() + static_cast<std::ptrdiff_t>(hi), less);
        lo = hi;
    }
}

// A boundary segment in the fast path: its snapped-key hashes, length and owner.
struct SegKey {
    std::uint64_t h1 = 0;
    std::uint64_t h2 = 0;
    double length = 0.0;
    std::uint32_t owner = 0;
    std::uint32_t seq = 0; // index into the segment start pointers
};

// A segment for the slow path: endpoints start[0] and start[1] (rings are contiguous).
struct RestSeg {
    const Point* start = nullptr;
    std::uint32_t owner = 0;
};

double seg_length(const Point* s) noexcept { return std::hypot(s[1].x - s[0].x, s[1].y - s[0].y); }

// Sums contributions per owner pair and returns them sorted by (a, b).
class PairLengths {
public:
    explicit PairLengths(std::size_t owners) : m_owners(owners) {}

    void add(std::uint32_t a, std::uint32_t b, double length)
    {
        if (a > b) std::swap(a, b);
        // Consecutive slow-path hits often concern the same pair: merge them right away.
        if (!m_items.empty() && m_items.back().a == a && m_items.back().b == b)
            m_items.back().length += length;
        else
            m_items.push_back(Item{a, b, length});
    }

    std::vector<SharedBorder> finish(double min_length)
    {
        // Counting sort by a (linear), then each a's few items by b.
        std::vector<std::size_t> start(m_owners + 1, 0);
        for (const Item& it : m_items) ++start[it.a + 1];
        for (std::size_t a = 0; a < m_owners; ++a) start[a + 1] += start[a];
        std::vector<Item> sorted(m_items.size());
        {
            std::vector<std::size_t> fill(start.begin(), start.end() - 1);
            for (const Item& it : m_items) sorted[fill[it.a]++] = it;
        }
        std::vector<Item>().swap(m_items);
        std::vector<SharedBorder> out;
        for (std::size_t a = 0; a < m_owners; ++a) {
            const auto first = sorted.begin() + static_cast<std::ptrdiff_t>(start[a]);
            const auto last = sorted.begin() + static_cast<std::ptrdiff_t>(start[a + 1]);
            std::sort(first, last, [](const Item& x, const Item& y) { return x.b < y.b; });
            for (auto it = first; it != last;) {
                SharedBorder sb{a, it->b, 0.0};
                for (; it != last && it->b == sb.b; ++it) sb.length += it->length;
                if (sb.length > min_length) out.push_back(sb);
            }
        }
        return out;
    }

private:
    struct Item {
        std::uint32_t a, b;
        double length;
    };
    std::size_t m_owners;
    std::vector<Item> m_items;
};

// Length over which segments a and b run together: the shorter must lie within tol of the
// longer's supporting line; the result is the overlap of their projections on that line, and
// `mid` the middle of that overlap on the longer segment.
double collinear_overlap(const Point* a, const Point* b, double tol, Point& mid) noexcept
{
    double la = seg_length(a);
    double lb = seg_length(b);
    if (la < lb) {
        std::swap(a, b);
        std::swap(la, lb);
    }
    if (la == 0.0) return 0.0;
    // Rounding in the cross product: exactly collinear diagonal segments must pass tol = 0.
    const double eps = tol + 1e-12 * la;
    const double ux = (a[1].x - a[0].x) / la;
    const double uy = (a[1].y - a[0].y) / la;
    double t[2];
    for (int k = 0; k < 2; ++k) {
        const double dx = b[k].x - a[0].x;
        const double dy = b[k].y - a[0].y;
        if (std::abs(ux * dy - uy * dx) > eps) return 0.0;
        t[k] = ux * dx + uy * dy;
    }
    const double lo = std::max(0.0, std::min(t[0], t[1]));
    const double hi = std::min(la, std::max(t[0], t[1]));
    if (!(hi > lo)) return 0.0;
    const double tm = 0.5 * (lo + hi);
    mid = Point{a[0].x + tm * ux, a[0].y + tm * uy};
    return hi - lo;
}

// Spreads the low 16 bits of v to the even bit positions (for Morton codes).
std::uint64_t spread_bits(std::uint64_t v) noexcept
{
    v &= 0xffffULL;
    v = (v | (v << 8)) & 0x00ff00ffULL;
    v = (v | (v << 4)) & 0x0f0f0f0fULL;
    v = (v | (v << 2)) & 0x33333333ULL;
    v = (v | (v << 1)) & 0x55555555ULL;
    return v;
}

// Stable LSD radix sort of v by bits [32, 32 + key_bits) (11 bits per pass).
void radix_sort_high(std::vector<std::uint64_t>& v, int key_bits)
{
    constexpr int digit_bits = 11;
    constexpr std::size_t radix = std::size_t{1} << digit_bits;
    std::vector<std::uint64_t> tmp(v.size());
    for (int shift = 32; shift < 32 + key_bits; shift += digit_bits) {
        std::vector<std::size_t> next(radix + 1, 0);
        for (std::uint64_t x : v) ++next[((x >> shift) & (radix - 1)) + 1];
        for (std::size_t d = 0; d < radix; ++d) next[d + 1] += next[d];
        for (std::uint64_t x : v) tmp[next[(x >> shift) & (radix - 1)]++] = x;
        v.swap(tmp);
    }
}

// Slow path over the unmatched segments: uniform grid, candidate pairs, collinear overlap.
// `rest` should come in input order: shapes of a tiling are usually listed region by region,
// so segments that share a cell then sit close together in memory.
void match_leftovers(const std::vector<RestSeg>& rest, double tol, PairLengths& sums)
{
    if (rest.size() < 2) return;
    Box box;
    double total_length = 0.0;
    for (const RestSeg& s : rest) {
        box.add(s.start[0]);
        box.add(s.start[1]);
        total_length += seg_length(s.start);
    }
    // Cells about one segment long keep both the cells per segment and the segments per cell
    // small; never below a few tolerances so that the margin spans few cells, and never more
    // than 2^16 per axis so that a cell's Morton code fits in 32 bits.
    const double extent = std::max(box.max_x - box.min_x, box.max_y - box.min_y);
    double cell = total_length / static_cast<double>(rest.size());
    cell = std::max({cell, 4.0 * tol, (extent + 8.0 * tol) / 60000.0});
    if (!(cell > 0.0)) cell = 1.0; // every segment has zero length: nothing to find anyway
    // A pair is evaluated only in the cell holding the middle of its overlap (so it is counted
    // once). That point lies within tol of both segments; registering each segment in every
    // cell within a wider margin guarantees both are found there despite rounding.
    const double margin = 2.0 * tol + 1e-6 * cell;
    const double ox = box.min_x - 2.0 * margin;
    const double oy = box.min_y - 2.0 * margin;
    auto col = [&](double x) { return static_cast<std::uint64_t>(std::floor((x - ox) / cell)); };
    auto row = [&](double y) { return static_cast<std::uint64_t>(std::floor((y - oy) / cell)); };
    // Cells in Morton order: neighbouring cells, and so the segments they hold, stay close.
    auto cell_code = [](std::uint64_t ix, std::uint64_t iy) {
        return spread_bits(ix) | (spread_bits(iy) << 1);
    };
    int key_bits = 2;
    while ((std::uint64_t{1} << (key_bits / 2)) <= std::max(col(box.max_x + 2.0 * margin),
                                                          row(box.max_y + 2.0 * margin)))
        key_bits += 2;

    // key = Morton code of the cell (high 32 bits) | index into rest (low 32 bits)
    std::vector<std::uint64_t> entries;
    entries.reserve(rest.size() * 4);
    for (std::size_t si = 0; si < rest.size(); ++si) {
        const Point* s = rest[si].start;
        const double x0 = std::min(s[0].x, s[1].x);
        const double x1 = std::max(s[0].x, s[1].x);
        const double dx = s[1].x - s[0].x;
        const double dy = s[1].y - s[0].y;
        // Register the segment, widened by the margin, in each column strip it crosses, over
        // the rows its y-range within that strip spans: O(cells touched), also for diagonals.
        for (std::uint64_t ix = col(x0 - margin), ix_end = col(x1 + margin); ix <= ix_end; ++ix) {
            double ya = std::min(s[0].y, s[1].y);
            double yb = std::max(s[0].y, s[1].y);
            if (dx != 0.0) {
                const double sx0 = ox + static_cast<double>(ix) * cell - margin;
                const double sx1 = ox + static_cast<double>(ix + 1) * cell + margin;
                const double t0 = std::clamp((std::max(sx0, x0) - s[0].x) / dx, 0.0, 1.0);
                const double t1 = std::clamp((std::min(sx1, x1) - s[0].x) / dx, 0.0, 1.0);
                ya = std::min(s[0].y + t0 * dy, s[0].y + t1 * dy);
                yb = std::max(s[0].y + t0 * dy, s[0].y + t1 * dy);
            }
            for (std::uint64_t iy = row(ya - margin), iy_end = row(yb + margin); iy <= iy_end; ++iy)
                entries.push_back((cell_code(ix, iy) << 32) | si);
        }
    }
    // Stable: within a cell, segments stay in ascending index order (entries were made so).
    radix_sort_high(entries, key_bits);

    Point mid;
    for (std::size_t lo = 0; lo < entries.size();) {
        const std::uint64_t code = entries[lo] >> 32;
        std::size_t hi = lo + 1;
        while (hi < entries.size() && (entries[hi] >> 32) == code) ++hi;
        for (std::size_t i = lo; i < hi; ++i) {
            const RestSeg& a = rest[entries[i] & 0xffffffffULL];
            for (std::size_t j = i + 1; j < hi; ++j) {
                const RestSeg& b = rest[entries[j] & 0xffffffffULL];
                if (a.owner == b.owner) continue;
                const double len = collinear_overlap(a.start, b.start, tol, mid);
                if (len > 0.0 && cell_code(col(mid.x), row(mid.y)) == code)
                    sums.add(a.owner, b.owner, len);
            }
        }
        lo = hi;
    }
}

} // namespace

std::vector<SharedBorder> shared_borders(const std::vector<MultiPolygon>& shapes,
                                         double tolerance)
{
    if (!(tolerance >= 0.0))
        throw Error(ErrorCode::invalid_argument,
                    "geometry: shared-border tolerance must be zero or positive");
    if (shapes.size() >= std::numeric_limits<std::uint32_t>::max())
        throw Error(ErrorCode::invalid_argument, "geometry: too many shapes for shared_borders");

    std::size_t nsegs = 0;
    for (const MultiPolygon& mp : shapes)
        for (const Polygon& poly : mp) {
            nsegs += poly.outer.size();
            for (const Ring& h : poly.holes) nsegs += h.size();
        }
    if (nsegs >= std::numeric_limits<std::uint32_t>::max())
        throw Error(ErrorCode::invalid_argument,
                    "geometry: too many boundary segments for shared_borders");

    std::vector<SegKey> keys;
    std::vector<const Point*> starts; // by SegKey::seq
    std::vector<RestSeg> rest;
    keys.reserve(nsegs);
    starts.reserve(nsegs);

    // Snapping by floor(x / tolerance); kept as a double so tiny tolerances cannot overflow.
    // "+ 0.0" turns -0.0 into +0.0 so both hash alike. Tolerance 0: exact coordinates.
    const double inv_cell = tolerance > 0.0 ? 1.0 / tolerance : 0.0;
    auto snap = [inv_cell](double v) { return (inv_cell > 0.0 ? std::floor(v * inv_cell) : v) + 0.0; };
    auto add_ring = [&](const Ring& ring, std::uint32_t owner) {
        for (std::size_t i = 0; i + 1 < ring.size(); ++i) {
            const Point* s = ring.data() + i;
            if (s[0].x == s[1].x && s[0].y == s[1].y) continue; // repeated vertex
            double k[4] = {snap(s[0].x), snap(s[0].y), snap(s[1].x), snap(s[1].y)};
            if (k[0] == k[2] && k[1] == k[3]) { // shorter than the snapping cell
                rest.push_back(RestSeg{s, owner});
                continue;
            }
            if (k[2] < k[0] || (k[2] == k[0] && k[3] < k[1])) { // direction-normalise
                std::swap(k[0], k[2]);
                std::swap(k[1], k[3]);
            }
            std::uint64_t h1 = 0x243f6a8885a308d3ULL; // two independent seeds
            std::uint64_t h2 = 0x13198a2e03707344ULL;
            for (double v : k) {
                h1 = mix(h1, v);
                h2 = mix(h2, v);
            }
            keys.push_back(SegKey{h1, h2, seg_length(s), owner,
                                  static_cast<std::uint32_t>(starts.size())});
            starts.push_back(s);
        }
    };
    for (std::size_t i = 0; i < shapes.size(); ++i)
        for (const Polygon& poly : shapes[i]) {
            add_ring(poly.outer, static_cast<std::uint32_t>(i));
            for (const Ring& h : poly.holes) add_ring(h, static_cast<std::uint32_t>(i));
        }

    hash_sort(
        keys, [](const SegKey& k) { return k.h1; },
        [](const SegKey& a, const SegKey& b) {
            if (a.h1 != b.h1) return a.h1 < b.h1;
            if (a.h2 != b.h2) return a.h2 < b.h2;
            return a.seq < b.seq;
        });

    // Owner of each unmatched segment by seq, so that the slow path gets them in input order.
    constexpr std::uint32_t k_matched = std::numeric_limits<std::uint32_t>::max();
    std::vector<std::uint32_t> unmatched(starts.size(), k_matched);
    PairLengths sums(shapes.size());
    for (std::size_t lo = 0; lo < keys.size();) {
        std::size_t hi = lo + 1;
        while (hi < keys.size() && keys[hi].h1 == keys[lo].h1 && keys[hi].h2 == keys[lo].h2) ++hi;
        if (hi - lo == 2 && keys[lo].owner != keys[lo + 1].owner) {
            sums.add(keys[lo].owner, keys[lo + 1].owner,
                     0.5 * (keys[lo].length + keys[lo + 1].length));
        } else {
            // Unshared (outer edge or split differently), or shared by more than two segments
            // (overlapping shapes): the slow path sorts it out.
            for (std::size_t k = lo; k < hi; ++k) unmatched[keys[k].seq] = keys[k].owner;
        }
        lo = hi;
    }
    std::vector<SegKey>().swap(keys);
    for (std::size_t seq = 0; seq < starts.size(); ++seq)
        if (unmatched[seq] != k_matched) rest.push_back(RestSeg{starts[seq], unmatched[seq]});
    std::vector<const Point*>().swap(starts);
    std::vector<std::uint32_t>().swap(unmatched);
    match_leftovers(rest, tolerance, sums);
    return sums.finish(tolerance);
}

} // namespace libgrid::detail
