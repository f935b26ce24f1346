#include "geometry/geos_wrap.hpp"

#include <libgrid/error.hpp>

#include <limits>

namespace libgrid::detail::geos {

Context::Context()
{
    m_handle = GEOS_init_r();
    if (m_handle == nullptr)
        throw Error(ErrorCode::geometry, "geometry: cannot create a GEOS context");
    GEOSContext_setErrorMessageHandler_r(m_handle, &Context::on_error, this);
    // Notices (e.g. "Self-intersection at ...") come with a result we inspect anyway.
    GEOSContext_setNoticeMessageHandler_r(m_handle, nullptr, nullptr);
}

Context::~Context() { GEOS_finish_r(m_handle); }

void Context::on_error(const char* message, void* userdata)
{
    // Called from inside GEOS: record only, never throw across the C boundary.
    static_cast<Context*>(userdata)->m_last_error = message != nullptr ? message : "";
}

void Context::fail(const char* what) const
{
    std::string msg = std::string("geometry: ") + what;
    if (!m_last_error.empty()) msg += ": " + m_last_error;
    throw Error(ErrorCode::geometry, msg);
}

GeomPtr own(const Context& ctx, GEOSGeometry* g, const char* what)
{
    return GeomPtr(ctx.check(g, what), GeomDeleter{ctx.get()});
}

PreparedPtr prepare(const Context& ctx, const GEOSGeometry* g)
{
    return PreparedPtr(ctx.check(GEOSPrepare_r(ctx.get(), g), "cannot prepare a geometry"),
                       PreparedDeleter{ctx.get()});
}

TreePtr make_tree(const Context& ctx, std::size_t node_capacity)
{
    return TreePtr(ctx.check(GEOSSTRtree_create_r(ctx.get(), node_capacity),
                             "cannot create a spatial index"),
                   TreeDeleter{ctx.get()});
}

namespace {

// GEOS counts coordinates in unsigned int.
unsigned int checked_size(const Context& ctx, std::size_t n)
{
    if (n > std::numeric_limits<unsigned int>::max()) ctx.fail("ring has too many points");
    return static_cast<unsigned int>(n);
}

// A linear ring from a libgrid ring, or null when the ring cannot enclose an area.
// Goes through an interleaved buffer: GEOSCoordSeq_copyFromBuffer_r is one call per ring
// instead of one per coordinate.
GeomPtr make_ring(const Context& ctx, const Ring& ring, std::vector<double>& buf)
{
    buf.clear();
    for (const Point& p : ring) {
        buf.push_back(p.x);
        buf.push_back(p.y);
    }
    if (!ring.empty() && (ring.front().x != ring.back().x || ring.front().y != ring.back().y)) {
        buf.push_back(ring.front().x);
        buf.push_back(ring.front().y);
    }
    const std::size_t n = buf.size() / 2;
    if (n < 4) return GeomPtr(nullptr, GeomDeleter{ctx.get()});
    GEOSCoordSequence* seq = ctx.check(
        GEOSCoordSeq_copyFromBuffer_r(ctx.get(), buf.data(), checked_size(ctx, n), 0, 0),
        "cannot create a coordinate sequence");
    // createLinearRing takes ownership of seq even when it fails.
    return own(ctx, GEOSGeom_createLinearRing_r(ctx.get(), seq), "cannot create a ring");
}

GeomPtr make_polygon(const Context& ctx, const Polygon& poly, std::vector<double>& buf)
{
    GeomPtr shell = make_ring(ctx, poly.outer, buf);
    if (!shell) return shell;
    std::vector<GeomPtr> holes;
    holes.reserve(poly.holes.size());
    for (const Ring& h : poly.holes)
        if (GeomPtr r = make_ring(ctx, h, buf)) holes.push_back(std::move(r));
    std::vector<GEOSGeometry*> raw;
    raw.reserve(holes.size());
    for (GeomPtr& h : holes) raw.push_back(h.get());
    GEOSGeometry* g = GEOSGeom_createPolygon_r(ctx.get(), shell.get(), raw.data(),
                                               checked_size(ctx, raw.size()));
    if (g == nullptr) ctx.fail("cannot create a polygon");
    // The polygon now owns shell and holes.
    shell.release();
    for (GeomPtr& h : holes) h.release();
    return GeomPtr(g, GeomDeleter{ctx.get()});
}

Ring ring_from_geos(const Context& ctx, const GEOSGeometry* ring, std::vector<double>& buf)
{
    const GEOSCoordSequence* seq =
        ctx.check(GEOSGeom_getCoordSeq_r(ctx.get(), ring), "cannot read a ring");
    unsigned int n = 0;
    if (GEOSCoordSeq_getSize_r(ctx.get(), seq, &n) == 0) ctx.fail("cannot read a ring");
    buf.resize(2 * std::size_t{n});
    if (n > 0 && GEOSCoordSeq_copyToBuffer_r(ctx.get(), seq, buf.data(), 0, 0) == 0)
        ctx.fail("cannot read a ring");
    Ring out(n);
    for (std::size_t i = 0; i < n; ++i) out[i] = Point{buf[2 * i], buf[2 * i + 1]};
    return out;
}

void collect_polygons(const Context& ctx, const GEOSGeometry* g, MultiPolygon& out,
                      std::vector<double>& buf)
{
    const GEOSContextHandle_t h = ctx.get();
    const int type = GEOSGeomTypeId_r(h, g);
    if (type == GEOS_POLYGON) {
        if (ctx.check_predicate(GEOSisEmpty_r(h, g), "cannot test emptiness")) return;
        Polygon poly;
        poly.outer = ring_from_geos(
            ctx, ctx.check(GEOSGetExteriorRing_r(h, g), "cannot read a polygon"), buf);
        const int holes = GEOSGetNumInteriorRings_r(h, g);
        if (holes < 0) ctx.fail("cannot read a polygon");
        for (int i = 0; i < holes; ++i)
            poly.holes.push_back(ring_from_geos(
                ctx, ctx.check(GEOSGetInteriorRingN_r(h, g, i), "cannot read a polygon"), buf));
        out.push_back(std::move(poly));
    } else if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
        const int n = GEOSGetNumGeometries_r(h, g);
        if (n < 0) ctx.fail("cannot read a collection");
        for (int i = 0; i < n; ++i)
            collect_polygons(
                ctx, ctx.check(GEOSGetGeometryN_r(h, g, i), "cannot read a collection"), out,
                buf);
    } else if (type < 0) {
        ctx.fail("cannot read a geometry type");
    }
    // Points and lines (e.g. collapsed parts of MakeValid or of an intersection along a
    // border) have no area: dropped on purpose.
}

} // namespace

GeomPtr to_geos(const Context& ctx, const MultiPolygon& shape)
{
    std::vector<double> buf;
    std::vector<GeomPtr> parts;
    parts.reserve(shape.size());
    for (const Polygon& poly : shape)
        if (GeomPtr p = make_polygon(ctx, poly, buf)) parts.push_back(std::move(p));
    return make_collection(ctx, GEOS_MULTIPOLYGON, std::move(parts));
}

GeomPtr to_geos(const Context& ctx, const Point& p)
{
    return own(ctx, GEOSGeom_createPointFromXY_r(ctx.get(), p.x, p.y), "cannot create a point");
}

GeomPtr to_geos_points(const Context& ctx, const std::vector<Point>& points)
{
    std::vector<GeomPtr> parts;
    parts.reserve(points.size());
    for (const Point& p : points) parts.push_back(to_geos(ctx, p));
    return make_collection(ctx, GEOS_MULTIPOINT, std::move(parts));
}

GeomPtr to_geos(const Context& ctx, const Box& box)
{
    if (box.empty()) ctx.fail("cannot make a rectangle from an empty box");
    return own(ctx,
               GEOSGeom_createRectangle_r(ctx.get(), box.min_x, box.min_y, box.max_x, box.max_y),
               "cannot create a rectangle");
}

GeomPtr make_collection(const Context& ctx, int type, std::vector<GeomPtr> parts)
{
    std::vector<GEOSGeometry*> raw;
    raw.reserve(parts.size());
    for (GeomPtr& p : parts) raw.push_back(p.get());
    GEOSGeometry* g = GEOSGeom_createCollection_r(ctx.get(), type, raw.data(),
                                                  checked_size(ctx, raw.size()));
    if (g == nullptr) ctx.fail("cannot create a collection");
    for (GeomPtr& p : parts) p.release(); // now owned by the collection
    return GeomPtr(g, GeomDeleter{ctx.get()});
}

MultiPolygon from_geos(const Context& ctx, const GEOSGeometry* g)
{
    MultiPolygon out;
    std::vector<double> buf;
    if (g != nullptr) collect_polygons(ctx, g, out, buf);
    return out;
}

double area(const Context& ctx, const GEOSGeometry* g)
{
    double a = 0.0;
    if (GEOSArea_r(ctx.get(), g, &a) == 0) ctx.fail("cannot compute an area");
    return a;
}

Box envelope(const Context& ctx, const GEOSGeometry* g)
{
    Box b;
    if (ctx.check_predicate(GEOSisEmpty_r(ctx.get(), g), "cannot test emptiness")) return b;
    if (GEOSGeom_getXMin_r(ctx.get(), g, &b.min_x) == 0 ||
        GEOSGeom_getYMin_r(ctx.get(), g, &b.min_y) == 0 ||
        GEOSGeom_getXMax_r(ctx.get(), g, &b.max_x) == 0 ||
        GEOSGeom_getYMax_r(ctx.get(), g, &b.max_y) == 0)
        ctx.fail("cannot compute an envelope");
    return b;
}

} // namespace libgrid::detail::geos
