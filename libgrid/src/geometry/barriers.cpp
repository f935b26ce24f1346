// Which straight segments cross barrier lines (roads, rivers, railways).
#include "core/box_grid.hpp"
#include "geometry/geometry.hpp"

#include <libgrid/error.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace libgrid::detail {
namespace {

/// Sign of the turn p -> q -> r: +1 left, -1 right, 0 collinear.
int orientation(const Point& p, const Point& q, const Point& r)
{
    const double v = (q.x - p.x) * (r.y - p.y) - (q.y - p.y) * (r.x - p.x);
    return v > 0 ? 1 : v < 0 ? -1 : 0;
}

bool within_box(const Point& p, const Point& q, const Point& r)
{
    return std::min(p.x, q.x) <= r.x && r.x <= std::max(p.x, q.x) && std::min(p.y, q.y) <= r.y &&
           r.y <= std::max(p.y, q.y);
}

/// True when segments ab and cd share a point.
bool intersects(const Point& a, const Point& b, const Point& c, const Point& d)
{
    const int o1 = orientation(a, b, c), o2 = orientation(a, b, d);
    const int o3 = orientation(c, d, a), o4 = orientation(c, d, b);
    if (o1 != o2 && o3 != o4) return true;
    return (o1 == 0 && within_box(a, b, c)) || (o2 == 0 && within_box(a, b, d)) ||
           (o3 == 0 && within_box(c, d, a)) || (o4 == 0 && within_box(c, d, b));
}

} // namespace

std::vector<char> crosses_barriers(const std::vector<Point>& from, const std::vector<Point>& to,
                                   const std::vector<LineFeature>& barriers)
{
    if (from.size() != to.size())
        throw Error(ErrorCode::invalid_argument,
                    fmt::format("geometry: {} segment starts for {} ends", from.size(), to.size()));
    std::vector<char> out(from.size(), 0);
    struct Seg {
        Point a, b;
    };
    std::vector<Seg> segs;
    Box box;
    for (const auto& barrier : barriers)
        for (std::size_t i = 1; i < barrier.line.size(); ++i) {
            segs.push_back({barrier.line[i - 1], barrier.line[i]});
            box.add(barrier.line[i - 1]);
            box.add(barrier.line[i]);
        }
    if (segs.empty() || from.empty()) return out;
    // About one cell per barrier segment, at most 4096 a side.
    const double w = box.max_x - box.min_x, h = box.max_y - box.min_y;
    const double cell = std::max({std::sqrt(w * h / static_cast<double>(segs.size())), w / 4096.0, h / 4096.0, 1e-9});
    BoxGrid grid(box, cell);
    for (std::size_t s = 0; s < segs.size(); ++s) {
        Box sb;
        sb.add(segs[s].a);
        sb.add(segs[s].b);
        grid.add(sb, static_cast<std::uint32_t>(s));
    }
    for (std::size_t i = 0; i < from.size(); ++i) {
        const Point& a = from[i];
        const Point& b = to[i];
        if (std::max(a.x, b.x) < box.min_x || std::min(a.x, b.x) > box.max_x || std::max(a.y, b.y) < box.min_y ||
            std::min(a.y, b.y) > box.max_y)
            continue;
        Box q;
        q.add(a);
        q.add(b);
        out[i] = grid.any(q, [&](std::uint32_t s) { return intersects(a, b, segs[s].a, segs[s].b); }) ? 1 : 0;
    }
    return out;
}

} // namespace libgrid::detail
