// build_service_areas(): one polygon per transformer, tiling the study area.
//
// Point transformers are turned into areas with Voronoi diagrams computed per admin unit of the
// finest level (so area borders follow admin borders and every diagram stays small), then
// dissolved by transformer. Units with no transformer are merged into the neighbouring area
// with the longest common border. Without boundaries, one diagram over all transformers is
// clipped to their buffered convex hull.
#include "core/point_grid.hpp"
#include <libgrid/service_areas.hpp>

#include "geometry/geometry.hpp"
#include "geometry/geos_wrap.hpp"
#include "geometry/parallel.hpp"

#include <libgrid/error.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <utility>

namespace libgrid {
namespace {

using detail::geos::GeomPtr;
namespace geos = detail::geos;

/// Vertices of neighbouring service areas this close (CRS units: metres) are one vertex: far
/// above the rounding noise of a crossing point computed once per side (about 1e-9 m at
/// projected coordinates of millions of metres), far below any real feature.
constexpr double coverage_snap_m = 1e-6;

/// Borders closer than this (metres) are shared when a cut-off part looks for its neighbours:
/// the graph's default snap tolerance.
constexpr double stray_border_tolerance_m = 0.01;

/// Given transformer polygons overlapping by more than this (m²) are made not to overlap.
constexpr double given_overlap_m2 = 1.0;

/// A Voronoi site: a transformer position or one of its customers.
struct Site {
    Point p;
    std::size_t transformer = npos;
};


/// A transformer whose site coincides with a site of another (the winner, which keeps it).
struct Shadow {
    std::size_t transformer = npos;
    std::size_t winner = npos;
};

/// Pieces of service areas, dissolved by transformer at the end.
struct Pieces {
    std::vector<MultiPolygon> shapes;
    std::vector<std::size_t> owner; ///< Transformer of each piece.
    void add(std::size_t transformer, MultiPolygon shape)
    {
        if (shape.empty()) return;
        shapes.push_back(std::move(shape));
        owner.push_back(transformer);
    }
};

/// Splits a region (an admin unit or the hull) among the transformers of its sites.
class RegionSplitter {
public:
    /// `shadows` receives (transformer, winner) for every transformer whose site coincides
    /// with a site of a lower-indexed one (see drop_coincident()).
    RegionSplitter(const geos::Context& ctx, std::vector<Shadow>& shadows)
        : m_ctx(ctx), m_shadows(shadows)
    {
    }

    /// Appends the pieces of `region` to `out`. Reorders `sites`.
    void split(const MultiPolygon& region, std::vector<Site>& sites, Pieces& out)
    {
        if (sites.empty() || region.empty()) return;
        drop_coincident(sites);
        if (std::all_of(sites.begin(), sites.end(), [&](const Site& s) {
                return s.transformer == sites.front().transformer;
            })) {
            // A single transformer takes the whole region: no diagram needed.
            out.add(sites.front().transformer, region);
            return;
        }

        if (split_direct(region, sites, out)) return;

        const GEOSContextHandle_t h = m_ctx.get();
        GeomPtr region_g = geos::to_geos(m_ctx, region);
        geos::PreparedPtr region_prep = geos::prepare(m_ctx, region_g.get());

        std::vector<Point> points(sites.size());
        for (std::size_t i = 0; i < sites.size(); ++i) points[i] = sites[i].p;
        GeomPtr multipoint = geos::to_geos_points(m_ctx, points);
        // The diagram must cover the whole region; a margin keeps the outer cells' clipping
        // edges well away from it.
        Box env = bounds(region);
        for (const Point& p : points) env.add(p);
        const double margin = std::max({env.max_x - env.min_x, env.max_y - env.min_y, 1.0});
        env = Box{env.min_x - margin, env.min_y - margin, env.max_x + margin, env.max_y + margin};
        GeomPtr env_g = geos::to_geos(m_ctx, env);
        GeomPtr cells = geos::own(
            m_ctx, GEOSVoronoiDiagram_r(h, multipoint.get(), env_g.get(), 0.0, 0),
            "cannot compute a Voronoi diagram");

        // GEOS 3.11 does not keep the input order of cells. Any interior point of a cell is
        // nearest to that cell's site, and the centroid of a (convex) cell is interior, so the
        // site nearest to the centroid identifies the cell.
        detail::PointGrid grid(points);
        const int ncells = GEOSGetNumGeometries_r(h, cells.get());
        if (ncells < 0) m_ctx.fail("cannot read a Voronoi diagram");
        // Cells grouped by transformer: sites are sorted by position, so key on transformer.
        std::vector<std::pair<std::size_t, const GEOSGeometry*>> owned;
        owned.reserve(static_cast<std::size_t>(ncells));
        for (int c = 0; c < ncells; ++c) {
            const GEOSGeometry* cell = m_ctx.check(GEOSGetGeometryN_r(h, cells.get(), c),
                                                   "cannot read a Voronoi cell");
            GeomPtr centroid =
                geos::own(m_ctx, GEOSGetCentroid_r(h, cell), "cannot compute a centroid");
            Point q;
            if (GEOSGeomGetX_r(h, centroid.get(), &q.x) == 0 ||
                GEOSGeomGetY_r(h, centroid.get(), &q.y) == 0)
                m_ctx.fail("cannot read a centroid");
            const std::size_t s = grid.nearest(q);
            if (s != npos) owned.emplace_back(sites[s].transformer, cell);
        }
        std::stable_sort(owned.begin(), owned.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });

        for (std::size_t lo = 0; lo < owned.size();) {
            std::size_t hi = lo + 1;
            while (hi < owned.size() && owned[hi].first == owned[lo].first) ++hi;
            GeomPtr merged(nullptr, geos::GeomDeleter{h});
            const GEOSGeometry* area = owned[lo].second;
            if (hi - lo > 1) {
                // Several sites (customers) of one transformer: dissolve their cells first so
                // that the region is intersected once per transformer.
                std::vector<GeomPtr> parts;
                for (std::size_t k = lo; k < hi; ++k)
                    parts.push_back(geos::own(m_ctx, GEOSGeom_clone_r(h, owned[k].second),
                                              "cannot copy a Voronoi cell"));
                GeomPtr coll = geos::make_collection(m_ctx, GEOS_MULTIPOLYGON, std::move(parts));
                // Cells of one diagram share their edges exactly, which is what the (much
                // faster) coverage union needs; the general union is the fallback should
                // GEOS find them not to be a clean coverage.
                merged.reset(GEOSCoverageUnion_r(h, coll.get()));
                if (!merged)
                    merged = geos::own(m_ctx, GEOSUnaryUnion_r(h, coll.get()),
                                       "cannot dissolve Voronoi cells");
                area = merged.get();
            }
            out.add(owned[lo].first, clip(region_g.get(), region_prep.get(), area));
            lo = hi;
        }
    }

private:
    /// The direct path for a unit with few sites, one per transformer (no customers): each
    /// site's cell is the region clipped by the bisector half-planes towards the other sites,
    /// nearest first, stopping once the next site is more than twice as far as the cell reaches
    /// (no farther bisector can cut it). Arithmetic only; several times faster than a GEOS
    /// Voronoi diagram (which overlays every outer cell with its frame) plus an overlay per
    /// cell. A cell is clipped by GEOS after all when a bisector would cut the region into
    /// several pieces (the half-plane clip of a non-convex ring cannot separate them).
    /// Returns false (nothing added) when the unit does not qualify.
    bool split_direct(const MultiPolygon& region, const std::vector<Site>& sites, Pieces& out)
    {
        constexpr std::size_t max_sites = 256; // the method is O(k^2 log k) per unit
        const std::size_t k = sites.size();
        if (k > max_sites) return false;
        for (const Polygon& poly : region) {
            const Ring& r = poly.outer;
            if (!poly.holes.empty() || r.size() < 4 || r.front().x != r.back().x ||
                r.front().y != r.back().y)
                return false; // holes, or a ring not closed: GEOS handles them
        }
        // Sites are sorted by position; one site per transformer is what this path handles.
        m_order.resize(k);
        for (std::size_t i = 0; i < k; ++i) m_order[i] = i;
        std::sort(m_order.begin(), m_order.end(), [&](std::size_t a, std::size_t b) {
            return sites[a].transformer < sites[b].transformer;
        });
        for (std::size_t i = 1; i < k; ++i)
            if (sites[m_order[i]].transformer == sites[m_order[i - 1]].transformer) return false;

        GeomPtr region_g(nullptr, geos::GeomDeleter{m_ctx.get()}); // made when first needed
        geos::PreparedPtr region_prep(nullptr, geos::PreparedDeleter{m_ctx.get()});
        std::vector<std::pair<double, std::size_t>> by_distance;
        by_distance.reserve(k);
        for (std::size_t i : m_order) { // pieces in transformer order
            const Point& pi = sites[i].p;
            by_distance.clear();
            for (std::size_t j = 0; j < k; ++j) {
                if (j == i) continue;
                const double dx = sites[j].p.x - pi.x;
                const double dy = sites[j].p.y - pi.y;
                by_distance.emplace_back(dx * dx + dy * dy, j);
            }
            std::sort(by_distance.begin(), by_distance.end());
            MultiPolygon piece;
            bool fallback = false;
            for (const Polygon& poly : region) {
                m_ring = poly.outer;
                for (const auto& [d2, j] : by_distance) {
                    if (m_ring.empty()) break;
                    // Every point of the ring is within `reach` of pi; the bisector towards a
                    // site at distance d lies d / 2 away, so it cannot cut when d > 2 reach.
                    double reach2 = 0.0;
                    for (const Point& q : m_ring)
                        reach2 = std::max(reach2, (q.x - pi.x) * (q.x - pi.x) +
                                                      (q.y - pi.y) * (q.y - pi.y));
                    if (d2 > 4.0 * reach2) break;
                    if (!clip_ring(m_ring, Bisector(pi, sites[j].p), m_next)) {
                        fallback = true;
                        break;
                    }
                    m_ring.swap(m_next);
                }
                if (fallback) break;
                if (!m_ring.empty()) piece.push_back(Polygon{m_ring, {}});
            }
            if (fallback) {
                if (!region_g) {
                    region_g = geos::to_geos(m_ctx, region);
                    region_prep = geos::prepare(m_ctx, region_g.get());
                }
                GeomPtr cell = geos::to_geos(
                    m_ctx, MultiPolygon{Polygon{voronoi_cell(region, sites, i), {}}});
                piece = clip(region_g.get(), region_prep.get(), cell.get());
            }
            out.add(sites[i].transformer, std::move(piece));
        }
        return true;
    }

    /// The points closer to p than to q: n . (x - m) <= 0 with n = q - p and m the midpoint.
    /// Seen from q, n is exactly negated and m is the same, so the two sides of a bisector
    /// classify every point exactly oppositely, and working relative to m keeps the test
    /// accurate at projected coordinates of millions of metres (the expanded form
    /// n . x <= (|q|^2 - |p|^2) / 2 would shift the line by micrometres there).
    struct Bisector {
        double nx, ny, mx, my;
        Bisector(const Point& p, const Point& q)
            : nx(q.x - p.x), ny(q.y - p.y), mx(0.5 * (p.x + q.x)), my(0.5 * (p.y + q.y))
        {
        }
        double side(const Point& x) const noexcept { return nx * (x.x - mx) + ny * (x.y - my); }
    };

    /// Clips a closed ring to the half-plane of `h` (Sutherland-Hodgman) into `out`.
    /// Returns false when the ring leaves the half-plane more than once: the part inside may
    /// then be several pieces, which this clip would join by zero-width bridges.
    static bool clip_ring(const Ring& in, const Bisector& h, Ring& out)
    {
        out.clear();
        if (in.size() < 4) return true;
        int exits = 0;
        const std::size_t n = in.size() - 1; // in.back() == in.front()
        double da = h.side(in[0]);
        for (std::size_t i = 0; i < n; ++i) {
            const Point& a = in[i];
            const Point& b = in[i + 1];
            const double db = h.side(b);
            const bool a_in = da <= 0.0;
            const bool b_in = db <= 0.0;
            if (a_in) push_distinct(out, a);
            if (a_in != b_in) {
                const double t = da / (da - db);
                push_distinct(out, Point{a.x + t * (b.x - a.x), a.y + t * (b.y - a.y)});
                if (a_in) ++exits;
            }
            da = db;
        }
        if (exits > 1) return false;
        while (out.size() > 1 && out.back().x == out.front().x && out.back().y == out.front().y)
            out.pop_back();
        if (out.size() < 3) {
            out.clear();
            return true;
        }
        out.push_back(out.front());
        return true;
    }

    static void push_distinct(Ring& r, const Point& p)
    {
        if (r.empty() || r.back().x != p.x || r.back().y != p.y) r.push_back(p);
    }

    /// The Voronoi cell of site i among the sites, bounded by a box around the region (for the
    /// GEOS fallback of split_direct()).
    Ring voronoi_cell(const MultiPolygon& region, const std::vector<Site>& sites, std::size_t i)
    {
        Box env = bounds(region);
        for (const Site& s : sites) env.add(s.p);
        const double margin = std::max({env.max_x - env.min_x, env.max_y - env.min_y, 1.0});
        Ring cell{{env.min_x - margin, env.min_y - margin}, {env.max_x + margin, env.min_y - margin},
                  {env.max_x + margin, env.max_y + margin}, {env.min_x - margin, env.max_y + margin},
                  {env.min_x - margin, env.min_y - margin}};
        Ring next;
        const Point& pi = sites[i].p;
        for (std::size_t j = 0; j < sites.size() && !cell.empty(); ++j) {
            if (j == i) continue;
            clip_ring(cell, Bisector(pi, sites[j].p), next); // convex: leaves it at most once
            cell.swap(next);
        }
        return cell;
    }

    // Keeps one site per position. Sites of one transformer at one place are harmless
    // duplicates; coincident sites of different transformers go to the lowest index.
    void drop_coincident(std::vector<Site>& sites)
    {
        std::sort(sites.begin(), sites.end(), [](const Site& a, const Site& b) {
            if (a.p.x != b.p.x) return a.p.x < b.p.x;
            if (a.p.y != b.p.y) return a.p.y < b.p.y;
            return a.transformer < b.transformer;
        });
        std::size_t kept = 0;
        for (std::size_t i = 0; i < sites.size(); ++i) {
            if (kept > 0 && sites[kept - 1].p.x == sites[i].p.x &&
                sites[kept - 1].p.y == sites[i].p.y) {
                const std::size_t winner = sites[kept - 1].transformer;
                if (sites[i].transformer != winner)
                    m_shadows.push_back(Shadow{sites[i].transformer, winner});
                continue;
            }
            sites[kept++] = sites[i];
        }
        sites.resize(kept);
    }

    MultiPolygon clip(const GEOSGeometry* region, const GEOSPreparedGeometry* region_prep,
                      const GEOSGeometry* area)
    {
        const GEOSContextHandle_t h = m_ctx.get();
        // Cells inside the region need no overlay; cells beyond it (the diagram extends past
        // the region) are dropped without one.
        if (m_ctx.check_predicate(GEOSPreparedContains_r(h, region_prep, area),
                                  "cannot test containment"))
            return geos::from_geos(m_ctx, area);
        if (!m_ctx.check_predicate(GEOSPreparedIntersects_r(h, region_prep, area),
                                   "cannot test intersection"))
            return {};
        GeomPtr inter = geos::own(m_ctx, GEOSIntersection_r(h, region, area),
                                  "cannot clip a Voronoi cell to its admin unit");
        return geos::from_geos(m_ctx, inter.get());
    }

    const geos::Context& m_ctx;
    std::vector<Shadow>& m_shadows;
    // Scratch buffers of split_direct(), kept between units.
    std::vector<std::size_t> m_order;
    Ring m_ring;
    Ring m_next;
};

/// Records the shadows in order; a transformer keeps the first transformer it was found under.
void apply_shadows(const std::vector<Shadow>& shadows, std::vector<std::size_t>& shadowed_by)
{
    for (const Shadow& s : shadows)
        if (shadowed_by[s.transformer] == npos) shadowed_by[s.transformer] = s.winner;
}

/// Calls the progress callback, if any.
void report_progress(const ServiceAreaOptions& options, double fraction)
{
    if (options.progress) options.progress(Progress{"service areas", fraction});
}

/// Twice the median distance from each distinct position to its nearest other one (min 1 m).
double default_hull_buffer(const std::vector<Point>& locations)
{
    std::vector<Point> pts = locations;
    std::sort(pts.begin(), pts.end(),
              [](const Point& a, const Point& b) { return a.x != b.x ? a.x < b.x : a.y < b.y; });
    pts.erase(std::unique(pts.begin(), pts.end(),
                          [](const Point& a, const Point& b) { return a.x == b.x && a.y == b.y; }),
              pts.end());
    if (pts.size() < 2) return 1.0;
    detail::PointGrid grid(pts);
    std::vector<double> nn(pts.size());
    for (std::size_t i = 0; i < pts.size(); ++i) {
        const Point& q = pts[grid.nearest(pts[i], i)];
        nn[i] = std::hypot(q.x - pts[i].x, q.y - pts[i].y);
    }
    auto mid = nn.begin() + static_cast<std::ptrdiff_t>(nn.size() / 2);
    std::nth_element(nn.begin(), mid, nn.end());
    return std::max(1.0, 2.0 * *mid);
}

/// Tolerance for "these units share a border": admin layers often have slivers and gaps of
/// up to a metre between neighbours, but a metre would swallow whole units in small or
/// synthetic data, so it is capped at 1/1000 of the typical unit size.
double unit_border_tolerance(const AdminLevel& level)
{
    double total = 0.0;
    std::size_t n = 0;
    for (const AdminUnit& u : level.units)
        if (!u.shape.empty()) {
            total += area(u.shape);
            ++n;
        }
    if (n == 0) return 0.0;
    return std::min(1.0, 1e-3 * std::sqrt(total / static_cast<double>(n)));
}

/// Pieces whose bounding box, grown by `tolerance`, meets the box of one of the units (grown
/// likewise), ascending: the only pieces that can share a border with those units. A coarse
/// grid over the units' boxes keeps it linear.
std::vector<std::size_t> pieces_near_units(const Pieces& pieces, const AdminLevel& level,
                                           const std::vector<std::size_t>& units,
                                           double tolerance)
{
    std::vector<Box> boxes, candidates;
    double box_area = 0.0;
    for (std::size_t u : units) {
        const Box b = bounds(level.units[u].shape);
        if (b.empty()) continue;
        boxes.push_back(b);
        box_area += (b.max_x - b.min_x + 2 * tolerance) * (b.max_y - b.min_y + 2 * tolerance);
    }
    if (boxes.empty()) return {};
    for (const auto& shape : pieces.shapes) candidates.push_back(bounds(shape));
    // Cells about the size of a unit, so that a unit marks only the cells around it.
    return detail::boxes_near(boxes, candidates, tolerance, std::sqrt(box_area / static_cast<double>(boxes.size())));
}

/// Merges every empty unit into the neighbouring transformer area with the longest common
/// border, in rounds: an empty unit touching only other empty units waits until one of them
/// has been attached. Appends the units to `pieces`.
void attach_empty_units(const Territory& territory, const std::vector<std::size_t>& empty_units,
                        Pieces& pieces, ServiceAreas& result, ValidationReport& report)
{
    const std::size_t level_index = territory.levels.size() - 1;
    const AdminLevel& level = territory.levels.back();
    const std::size_t npieces = pieces.shapes.size();
    const std::size_t nempty = empty_units.size();

    // Borders between empty units and pieces (and between empty units), in one pass over the
    // empty units and the pieces near them (near[k] is piece k of the pass).
    const double tolerance = unit_border_tolerance(level);
    const std::vector<std::size_t> near = pieces_near_units(pieces, level, empty_units, tolerance);
    std::vector<MultiPolygon> nearby;
    nearby.reserve(near.size() + nempty);
    for (std::size_t i : near) nearby.push_back(pieces.shapes[i]);
    for (std::size_t u : empty_units) nearby.push_back(level.units[u].shape);
    std::vector<detail::SharedBorder> borders = detail::shared_borders(nearby, tolerance);
    std::vector<MultiPolygon>().swap(nearby);
    // Back to piece indices (empty units follow the pieces, as before): near is ascending, so
    // the order of the borders is kept.
    for (detail::SharedBorder& b : borders) {
        b.a = b.a < near.size() ? near[b.a] : npieces + (b.a - near.size());
        b.b = b.b < near.size() ? near[b.b] : npieces + (b.b - near.size());
    }

    std::vector<detail::AttachLink> links;
    for (const detail::SharedBorder& b : borders) {
        const bool a_empty = b.a >= npieces; // a < b, so b is empty too when a is
        const bool b_empty = b.b >= npieces;
        if (a_empty) {
            links.push_back({b.a - npieces, b.b - npieces, true, b.length});
            links.push_back({b.b - npieces, b.a - npieces, true, b.length});
        } else if (b_empty) {
            links.push_back({b.b - npieces, pieces.owner[b.a], false, b.length});
        }
    }
    const std::vector<std::size_t> attached = detail::attach_by_longest_border(nempty, links);

    for (std::size_t e = 0; e < nempty; ++e) {
        const std::size_t u = empty_units[e];
        const AdminUnit& unit = level.units[u];
        const std::size_t t = attached[e];
        result.attached_units.push_back(AttachedUnit{level_index, u, t});
        if (t != npos) {
            pieces.add(t, unit.shape);
            report.add(Issue{Severity::info, IssueCode::unit_without_transformer, level.file,
                             level.layer, unit.id,
                             fmt::format("admin unit has no transformer; attached to the area "
                                         "of transformer '{}'",
                                         territory.transformers[t].id),
                             ""});
        } else {
            report.add(Issue{Severity::warning, IssueCode::unit_without_transformer, level.file,
                             level.layer, unit.id,
                             "admin unit has no transformer and touches no unit that has one; "
                             "it is left out of every service area",
                             "check the boundary layer for an isolated unit, or add the "
                             "transformers that serve it"});
        }
    }
}

/// Dissolves the pieces into one shape per transformer.
void dissolve(const geos::Context& ctx, Pieces& pieces, std::vector<MultiPolygon>& shapes)
{
    std::vector<std::vector<std::size_t>> by_owner(shapes.size());
    for (std::size_t i = 0; i < pieces.shapes.size(); ++i)
        by_owner[pieces.owner[i]].push_back(i);
    for (std::size_t t = 0; t < shapes.size(); ++t) {
        const std::vector<std::size_t>& mine = by_owner[t];
        if (mine.empty()) continue;
        if (mine.size() == 1) {
            shapes[t] = std::move(pieces.shapes[mine[0]]);
            continue;
        }
        std::vector<GeomPtr> parts;
        for (std::size_t i : mine) {
            GeomPtr g = geos::to_geos(ctx, pieces.shapes[i]);
            // Each piece is a multipolygon: flatten into polygons for one multipolygon input.
            const int n = GEOSGetNumGeometries_r(ctx.get(), g.get());
            for (int k = 0; k < n; ++k)
                parts.push_back(geos::own(ctx,
                                          GEOSGeom_clone_r(ctx.get(),
                                                           GEOSGetGeometryN_r(ctx.get(), g.get(), k)),
                                          "cannot copy a polygon"));
        }
        GeomPtr coll = geos::make_collection(ctx, GEOS_GEOMETRYCOLLECTION, std::move(parts));
        GeomPtr merged = geos::own(ctx, GEOSUnaryUnion_r(ctx.get(), coll.get()),
                                   "cannot dissolve the pieces of a service area");
        shapes[t] = geos::from_geos(ctx, merged.get());
    }
}

/// Splits `area` into k sectors around `center` (sector j from angle 90° + j*360°/k), so
/// that transformers standing at one place (banks of single-phase units on one pole, common in
/// utility exports) each get a contiguous piece and border each other at the shared point.
std::vector<MultiPolygon> split_into_sectors(const geos::Context& ctx, const MultiPolygon& area,
                                             const Point& center, std::size_t k)
{
    const Box b = bounds(area);
    const double reach = 2.0 * (std::hypot(b.max_x - b.min_x, b.max_y - b.min_y) +
                                std::hypot(center.x - b.min_x, center.y - b.min_y)) + 1.0;
    const double pi = std::acos(-1.0);
    GeomPtr whole = geos::to_geos(ctx, area);
    std::vector<MultiPolygon> out;
    for (std::size_t j = 0; j < k; ++j) {
        const double a0 = pi / 2 + 2 * pi * static_cast<double>(j) / static_cast<double>(k);
        const double a1 = pi / 2 + 2 * pi * static_cast<double>(j + 1) / static_cast<double>(k);
        // The arc is drawn in steps of at most 30 degrees so that the wedge stays a simple
        // polygon that really contains the sector (a chord would cut it short).
        const int steps = std::max(1, static_cast<int>(std::ceil((a1 - a0) / (pi / 6))));
        Ring ring{center};
        for (int s = 0; s <= steps; ++s) {
            const double a = a0 + (a1 - a0) * s / steps;
            ring.push_back({center.x + reach * std::cos(a), center.y + reach * std::sin(a)});
        }
        ring.push_back(center);
        GeomPtr wedge = geos::to_geos(ctx, MultiPolygon{Polygon{ring, {}}});
        GeomPtr piece = geos::own(ctx, GEOSIntersection_r(ctx.get(), whole.get(), wedge.get()),
                                  "cannot split a shared service area into sectors");
        out.push_back(geos::from_geos(ctx, piece.get()));
    }
    return out;
}

/// Transformers at the same place as another share that place's area in equal-angle sectors.
/// Returns the transformers whose areas were replaced by sectors, ascending.
std::vector<std::size_t> share_colocated(const geos::Context& ctx, const Territory& territory,
                                         const std::vector<std::size_t>& shadowed_by,
                                         std::vector<MultiPolygon>& shapes)
{
    std::vector<std::size_t> split;
    std::vector<std::vector<std::size_t>> group(shapes.size());
    for (std::size_t t = 0; t < shapes.size(); ++t)
        if (shadowed_by[t] != npos && shapes[t].empty()) group[shadowed_by[t]].push_back(t);
    for (std::size_t w = 0; w < shapes.size(); ++w) {
        if (group[w].empty() || shapes[w].empty()) continue;
        std::vector<std::size_t> members{w};
        members.insert(members.end(), group[w].begin(), group[w].end());
        auto sectors = split_into_sectors(ctx, shapes[w], territory.transformers[w].location, members.size());
        for (std::size_t j = 0; j < members.size(); ++j) shapes[members[j]] = std::move(sectors[j]);
        split.insert(split.end(), members.begin(), members.end());
    }
    std::sort(split.begin(), split.end());
    return split;
}

/// Nodes the shapes `changed` with the shapes near them (their bounding boxes meet in a coarse
/// grid of cells about one changed shape wide), leaving the others alone: the rest of the areas
/// are a clean coverage already. See detail::node_coverage().
void node_around(std::vector<MultiPolygon>& shapes, const std::vector<std::size_t>& changed)
{
    std::vector<Box> shape_box(shapes.size()), boxes;
    Box all;
    for (std::size_t t = 0; t < shapes.size(); ++t) {
        shape_box[t] = bounds(shapes[t]);
        if (shape_box[t].empty()) continue;
        all.add({shape_box[t].min_x, shape_box[t].min_y});
        all.add({shape_box[t].max_x, shape_box[t].max_y});
    }
    double size = 0.0;
    for (std::size_t t : changed) {
        const Box& b = shape_box[t];
        if (b.empty()) continue;
        boxes.push_back(b);
        size += std::max(b.max_x - b.min_x, b.max_y - b.min_y);
    }
    if (boxes.empty()) return;
    // Cells about one changed shape wide, at most 2048 across the whole territory.
    const double cell = std::max({size / static_cast<double>(boxes.size()), (all.max_x - all.min_x) / 2048.0,
                                  (all.max_y - all.min_y) / 2048.0});
    const std::vector<std::size_t> near = detail::boxes_near(boxes, shape_box, coverage_snap_m, cell);
    std::vector<MultiPolygon> subset;
    subset.reserve(near.size());
    for (std::size_t t : near) subset.push_back(std::move(shapes[t]));
    detail::node_coverage(subset, coverage_snap_m);
    for (std::size_t k = 0; k < near.size(); ++k) shapes[near[k]] = std::move(subset[k]);
}

/// Case (b): Voronoi per unit of the finest level, empty units attached to neighbours.
void build_with_boundaries(const Territory& territory, const ServiceAreaOptions& options,
                           std::vector<std::size_t>& shadowed_by,
                           Pieces& pieces, ServiceAreas& result, ValidationReport& report)
{
    const std::size_t n = territory.transformers.size();
    if (territory.transformer_unit.size() != n)
        throw Error(ErrorCode::invalid_argument,
                    fmt::format("service areas: the territory locates {} of {} transformers in "
                                "admin units (run validate() first)",
                                territory.transformer_unit.size(), n));
    const AdminLevel& level = territory.levels.back();
    const std::size_t nunits = level.units.size();
    auto unit_of = [&](std::size_t t) {
        const std::size_t u = territory.transformer_unit[t];
        return u < nunits ? u : npos; // npos: outside every unit, already rejected by validate()
    };

    std::vector<std::vector<Site>> unit_sites(nunits);
    std::vector<char> has_site(n, 0);
    if (options.use_customers && !territory.customers.empty()) {
        std::vector<MultiPolygon> unit_shapes;
        unit_shapes.reserve(nunits);
        for (const AdminUnit& u : level.units) unit_shapes.push_back(u.shape);
        const detail::PolygonIndex index(unit_shapes);
        for (const CustomerPoint& c : territory.customers) {
            if (c.transformer >= n || unit_of(c.transformer) == npos) continue;
            const std::size_t u = index.locate(c.location);
            if (u == npos) continue; // a customer outside the boundaries shapes nothing
            unit_sites[u].push_back(Site{c.location, c.transformer});
            has_site[c.transformer] = 1;
        }
    }
    // Transformers without (located) customers stand for themselves.
    for (std::size_t t = 0; t < n; ++t)
        if (!has_site[t] && unit_of(t) != npos)
            unit_sites[unit_of(t)].push_back(Site{territory.transformers[t].location, t});

    std::vector<std::size_t> empty_units;
    for (std::size_t u = 0; u < nunits; ++u)
        if (unit_sites[u].empty() && !level.units[u].shape.empty()) empty_units.push_back(u);

    // Units are split in blocks on several threads; each block keeps its pieces and shadows,
    // and the blocks are joined in unit order, so the result does not depend on the threads.
    struct Block {
        Pieces pieces;
        std::vector<Shadow> shadows;
    };
    constexpr std::size_t units_per_block = 64;
    const std::size_t nblocks = (nunits + units_per_block - 1) / units_per_block;
    std::vector<Block> blocks(nblocks);
    detail::parallel_jobs(
        nblocks, options.threads,
        [&](std::size_t b, const geos::Context& local) {
            Block& block = blocks[b];
            RegionSplitter splitter(local, block.shadows);
            const std::size_t end = std::min(nunits, (b + 1) * units_per_block);
            for (std::size_t u = b * units_per_block; u < end; ++u) {
                if (unit_sites[u].empty()) continue;
                splitter.split(level.units[u].shape, unit_sites[u], block.pieces);
                std::vector<Site>().swap(unit_sites[u]); // free as we go
            }
        },
        [&](std::size_t done) {
            report_progress(options, 0.9 * static_cast<double>(done) / static_cast<double>(nblocks));
        });
    for (Block& block : blocks) {
        pieces.shapes.insert(pieces.shapes.end(), std::make_move_iterator(block.pieces.shapes.begin()),
                             std::make_move_iterator(block.pieces.shapes.end()));
        pieces.owner.insert(pieces.owner.end(), block.pieces.owner.begin(), block.pieces.owner.end());
        apply_shadows(block.shadows, shadowed_by);
        block = Block{};
    }
    report_progress(options, 0.9);
    if (!empty_units.empty()) attach_empty_units(territory, empty_units, pieces, result, report);
}

/// Given polygons that overlap: the later one (in input order) loses the overlap, with a warning.
void remove_overlaps(const Territory& territory, ServiceAreas& result, ValidationReport& report, std::size_t threads)
{
    for (const detail::Overlap& o : detail::find_overlaps(result.shapes, given_overlap_m2, threads)) {
        result.shapes[o.b] = detail::difference(result.shapes[o.b], result.shapes[o.a]);
        report.add(Issue{Severity::warning, IssueCode::areas_overlap, territory.transformers_file,
                         territory.transformers_layer, territory.transformers[o.b].id,
                         fmt::format("transformer polygon overlaps the polygon of transformer '{}' by {:.1f} m²; the "
                                     "overlap stays with '{}' (the first of the two)",
                                     territory.transformers[o.a].id, o.area, territory.transformers[o.a].id),
                         "correct the polygons so that no two overlap"});
    }
}

/// Every area one polygon: parts cut off from the part holding the transformer go to the
/// neighbour with the longest common border (an info issue each).
void move_stray_parts(const Territory& territory, ServiceAreas& result, ValidationReport& report)
{
    std::vector<Point> anchors(territory.transformers.size());
    for (std::size_t t = 0; t < anchors.size(); ++t) anchors[t] = territory.transformers[t].location;
    for (const detail::StrayPart& p : detail::move_stray_parts(result.shapes, anchors, stray_border_tolerance_m)) {
        if (p.to == npos) continue; // an island of the study area: the graph names those
        result.moved_parts.push_back(MovedPart{p.from, p.to, p.area});
        report.add(Issue{Severity::info, IssueCode::area_part_moved, territory.transformers_file,
                         territory.transformers_layer,
                         territory.transformers[p.from].id,
                         fmt::format("a {:.0f} m² part of the transformer's area near ({:.1f}, {:.1f}) does not touch "
                                     "the part holding the transformer (cut off by an admin border, or a separate "
                                     "polygon of the input); it was given to the area of transformer '{}', which "
                                     "shares the longest border with it",
                                     p.area, p.at.x, p.at.y, territory.transformers[p.to].id),
                         ""});
    }
}

} // namespace

ServiceAreas build_service_areas(const Territory& territory, ValidationReport& report,
                                 const ServiceAreaOptions& options)
{
    ServiceAreas result;
    const std::size_t n = territory.transformers.size();
    result.shapes.resize(n);
    report_progress(options, 0.0);

    const bool given_polygons =
        n > 0 && std::all_of(territory.transformers.begin(), territory.transformers.end(),
                             [](const TransformerArea& t) { return !t.shape.empty(); });
    if (given_polygons) {
        for (std::size_t t = 0; t < n; ++t) result.shapes[t] = territory.transformers[t].shape;
        result.study_area = "given polygons";
        // Areas must tile: an overlap stays with the first polygon (a repaired self-crossing
        // polygon often spills over its neighbours), and a part cut off from the rest of its
        // polygon goes to its longest neighbour, as for built areas.
        remove_overlaps(territory, result, report, options.threads);
        move_stray_parts(territory, result, report);
        report_progress(options, 1.0);
        return result;
    }

    geos::Context ctx;
    Pieces pieces;
    std::vector<std::size_t> shadowed_by(n, npos);
    if (!territory.levels.empty()) {
        result.study_area = "boundaries";
        build_with_boundaries(territory, options, shadowed_by, pieces, result, report);
    } else {
        std::vector<Point> locations(n);
        for (std::size_t t = 0; t < n; ++t) locations[t] = territory.transformers[t].location;
        const double d =
            options.hull_buffer_m > 0.0 ? options.hull_buffer_m : default_hull_buffer(locations);
        result.study_area = fmt::format("convex hull + {:.0f} m", d);
        if (n > 0) {
            const MultiPolygon hull = detail::buffered_hull(locations, d);
            std::vector<Site> sites(n);
            for (std::size_t t = 0; t < n; ++t) sites[t] = Site{locations[t], t};
            std::vector<Shadow> shadows;
            RegionSplitter(ctx, shadows).split(hull, sites, pieces);
            apply_shadows(shadows, shadowed_by);
        }
        report_progress(options, 0.9);
    }

    // Neighbouring pieces were clipped separately (per admin unit), so a border between them
    // may carry a vertex on one side only, and a crossing point computed on one side lies up to
    // about 1e-10 m off the border. The pieces are made a true coverage before they are
    // dissolved: the pieces of one transformer then share their borders exactly and merge.
    // (Noded after the dissolve instead, those noise-wide gaps between pieces of one area,
    // which the dissolve keeps, are closed to zero width: parts of one area sharing an edge,
    // rings touching themselves, i.e. invalid polygons.)
    detail::node_coverage(pieces.shapes, coverage_snap_m, options.threads);
    dissolve(ctx, pieces, result.shapes);
    const std::vector<std::size_t> split = share_colocated(ctx, territory, shadowed_by, result.shapes);
    // The sector borders meet the area's outline at new points, which its neighbours must carry.
    if (!split.empty()) node_around(result.shapes, split);
    move_stray_parts(territory, result, report);

    for (std::size_t t = 0; t < n; ++t) {
        if (!result.shapes[t].empty()) continue;
        // Transformers outside every unit were rejected by validate(); not reported twice.
        const bool located = territory.levels.empty() ||
                             (t < territory.transformer_unit.size() &&
                              territory.transformer_unit[t] != npos);
        if (!located) continue;
        std::string message = "transformer's service area is empty";
        if (shadowed_by[t] != npos)
            message = fmt::format("transformer stands at the same place as transformer '{}' "
                                  "and its share of the area there came out empty",
                                  territory.transformers[shadowed_by[t]].id);
        report.add(Issue{Severity::warning, IssueCode::transformer_no_area, "", "",
                         territory.transformers[t].id, message,
                         "check the transformer's position"});
    }
    report_progress(options, 1.0);
    return result;
}

} // namespace libgrid
