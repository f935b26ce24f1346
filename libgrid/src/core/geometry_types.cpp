#include <libgrid/geometry_types.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

namespace libgrid {
namespace {
double ring_signed_area(const Ring& ring) noexcept
{
    double s = 0.0;
    for (std::size_t i = 0; i + 1 < ring.size(); ++i)
        s += ring[i].x * ring[i + 1].y - ring[i + 1].x * ring[i].y;
    return 0.5 * s;
}
// Crossing number: true when p is inside the closed ring.
bool ring_contains(const Ring& r, const Point& p) noexcept
{
    bool in = false;
    for (std::size_t i = 0; i + 1 < r.size(); ++i) {
        const Point& u = r[i];
        const Point& v = r[i + 1];
        if ((u.y > p.y) != (v.y > p.y) && p.x < u.x + (p.y - u.y) / (v.y - u.y) * (v.x - u.x)) in = !in;
    }
    return in;
}
double ring_distance(const Ring& r, const Point& p) noexcept
{
    double best = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i + 1 < r.size(); ++i) {
        const double dx = r[i + 1].x - r[i].x, dy = r[i + 1].y - r[i].y;
        const double len2 = dx * dx + dy * dy;
        const double t = len2 > 0.0 ? std::clamp(((p.x - r[i].x) * dx + (p.y - r[i].y) * dy) / len2, 0.0, 1.0) : 0.0;
        best = std::min(best, std::hypot(r[i].x + t * dx - p.x, r[i].y + t * dy - p.y));
    }
    return best;
}
double ring_length(const Ring& ring) noexcept
{
    double s = 0.0;
    for (std::size_t i = 0; i + 1 < ring.size(); ++i)
        s += std::hypot(ring[i + 1].x - ring[i].x, ring[i + 1].y - ring[i].y);
    return s;
}
} // namespace

Box bounds(const MultiPolygon& shape) noexcept
{
    Box b;
    for (const auto& poly : shape)
        for (const auto& p : poly.outer) b.add(p);
    return b;
}

double area(const MultiPolygon& shape) noexcept
{
    double a = 0.0;
    for (const auto& poly : shape) {
        a += std::abs(ring_signed_area(poly.outer));
        for (const auto& hole : poly.holes) a -= std::abs(ring_signed_area(hole));
    }
    return a;
}

double perimeter(const MultiPolygon& shape) noexcept
{
    double p = 0.0;
    for (const auto& poly : shape) {
        p += ring_length(poly.outer);
        for (const auto& hole : poly.holes) p += ring_length(hole);
    }
    return p;
}

bool contains(const Polygon& polygon, const Point& p) noexcept
{
    if (!ring_contains(polygon.outer, p)) return false;
    for (const auto& hole : polygon.holes)
        if (ring_contains(hole, p)) return false;
    return true;
}

bool contains(const MultiPolygon& shape, const Point& p) noexcept
{
    for (const auto& poly : shape)
        if (contains(poly, p)) return true;
    return false;
}

double distance_to_outline(const MultiPolygon& shape, const Point& p) noexcept
{
    double best = std::numeric_limits<double>::infinity();
    for (const auto& poly : shape) {
        best = std::min(best, ring_distance(poly.outer, p));
        for (const auto& hole : poly.holes) best = std::min(best, ring_distance(hole, p));
    }
    return best;
}

} // namespace libgrid
