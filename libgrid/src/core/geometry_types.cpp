#include <libgrid/geometry_types.hpp>

#include <cmath>

namespace libgrid {
namespace {
double ring_signed_area(const Ring& ring) noexcept
{
    double s = 0.0;
    for (std::size_t i = 0; i + 1 < ring.size(); ++i)
        s += ring[i].x * ring[i + 1].y - ring[i + 1].x * ring[i].y;
    return 0.5 * s;
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

} // namespace libgrid
