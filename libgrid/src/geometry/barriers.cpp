// Which straight segments cross barrier lines (roads, rivers, railways).
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
    // A grid of about one cell per barrier segment (at most 4096 a side), each cell listing the
    // segments whose bounding box meets it.
    const double w = std::max(box.max_x - box.min_x, 1e-9), h = std::max(box.max_y - box.min_y, 1e-9);
    const double side = std::clamp(std::sqrt(static_cast<double>(segs.size()) * w / h), 1.0, 4096.0);
    const auto nx = static_cast<std::size_t>(side);
    const auto ny = static_cast<std::size_t>(std::clamp(static_cast<double>(segs.size()) / side, 1.0, 4096.0));
    const double cw = w / static_cast<double>(nx), ch = h / static_cast<double>(ny);
    auto cell_x = [&](double x) {
        return static_cast<std::size_t>(std::clamp((x - box.min_x) / cw, 0.0, static_cast<double>(nx - 1)));
    };
    auto cell_y = [&](double y) {
        return static_cast<std::size_t>(std::clamp((y - box.min_y) / ch, 0.0, static_cast<double>(ny - 1)));
    };
    // Counting sort of (cell, segment) pairs into CSR form.
    std::vector<std::uint32_t> start(nx * ny + 1, 0), items;
    for (int pass = 0; pass < 2; ++pass) {
        std::vector<std::uint32_t> fill;
        if (pass == 1) {
            for (std::size_t c = 0; c < nx * ny; ++c) start[c + 1] += start[c];
            items.resize(start.back());
            fill.assign(start.begin(), start.end() - 1);
        }
        for (std::size_t s = 0; s < segs.size(); ++s) {
            const auto x0 = cell_x(std::min(segs[s].a.x, segs[s].b.x)), x1 = cell_x(std::max(segs[s].a.x, segs[s].b.x));
            const auto y0 = cell_y(std::min(segs[s].a.y, segs[s].b.y)), y1 = cell_y(std::max(segs[s].a.y, segs[s].b.y));
            for (std::size_t y = y0; y <= y1; ++y)
                for (std::size_t x = x0; x <= x1; ++x) {
                    if (pass == 0) ++start[y * nx + x + 1];
                    else items[fill[y * nx + x]++] = static_cast<std::uint32_t>(s);
                }
        }
    }
    for (std::size_t i = 0; i < from.size(); ++i) {
        const Point& a = from[i];
        const Point& b = to[i];
        if (std::max(a.x, b.x) < box.min_x || std::min(a.x, b.x) > box.max_x || std::max(a.y, b.y) < box.min_y ||
            std::min(a.y, b.y) > box.max_y)
            continue;
        const auto x0 = cell_x(std::min(a.x, b.x)), x1 = cell_x(std::max(a.x, b.x));
        const auto y0 = cell_y(std::min(a.y, b.y)), y1 = cell_y(std::max(a.y, b.y));
        for (std::size_t y = y0; y <= y1 && !out[i]; ++y)
            for (std::size_t x = x0; x <= x1 && !out[i]; ++x)
                for (std::uint32_t k = start[y * nx + x]; k < start[y * nx + x + 1]; ++k)
                    if (intersects(a, b, segs[items[k]].a, segs[items[k]].b)) {
                        out[i] = 1;
                        break;
                    }
    }
    return out;
}

} // namespace libgrid::detail
