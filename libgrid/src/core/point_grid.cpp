// The uniform point grid (see core/point_grid.hpp).
#include "core/point_grid.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>

namespace libgrid::detail {

PointGrid::PointGrid(const std::vector<Point>& points, double min_cell) : m_points(points.data()), m_n(points.size())
{
    for (const Point& p : points) m_box.add(p);
    const std::size_t n = points.size();
    m_start.assign(2, 0);
    if (n == 0) return;
    const double w = m_box.max_x - m_box.min_x;
    const double h = m_box.max_y - m_box.min_y;
    const double target = std::max(1.0, 0.5 * static_cast<double>(n));
    double cell = (w > 0.0 && h > 0.0) ? std::sqrt(w * h / target)
                                       : std::max(w, h) / target; // points on an axis-parallel line
    // Very elongated sets: cap the cell count at a few per point.
    cell = std::max({cell, std::max(w, h) / (4.0 * target), min_cell});
    if (!(cell > 0.0)) cell = 1.0; // all points coincide
    m_cell = cell;
    m_nx = static_cast<std::size_t>(w / m_cell) + 1;
    m_ny = static_cast<std::size_t>(h / m_cell) + 1;
    m_start.assign(m_nx * m_ny + 1, 0);
    std::vector<std::uint32_t> cell_of(n);
    for (std::size_t i = 0; i < n; ++i) {
        cell_of[i] = static_cast<std::uint32_t>(col(points[i].x) + m_nx * row(points[i].y));
        ++m_start[cell_of[i] + 1];
    }
    for (std::size_t c = 0; c + 1 < m_start.size(); ++c) m_start[c + 1] += m_start[c];
    m_items.resize(n);
    std::vector<std::uint32_t> fill(m_start.begin(), m_start.end() - 1);
    for (std::size_t i = 0; i < n; ++i) m_items[fill[cell_of[i]]++] = static_cast<std::uint32_t>(i);
}

std::size_t PointGrid::nearest(const Point& q, std::size_t skip) const
{
    std::size_t best = npos;
    double best_d2 = std::numeric_limits<double>::infinity();
    if (m_n == 0 || m_items.empty()) return best;
    const auto cx = static_cast<std::ptrdiff_t>(col(q.x));
    const auto cy = static_cast<std::ptrdiff_t>(row(q.y));
    const auto nx = static_cast<std::ptrdiff_t>(m_nx);
    const auto ny = static_cast<std::ptrdiff_t>(m_ny);
    auto visit_cell = [&](std::ptrdiff_t ix, std::ptrdiff_t iy) {
        if (ix < 0 || iy < 0 || ix >= nx || iy >= ny) return;
        const auto c = static_cast<std::size_t>(iy * nx + ix);
        for (std::uint32_t k = m_start[c]; k < m_start[c + 1]; ++k) {
            const std::size_t i = m_items[k];
            if (i == skip) continue;
            const double dx = m_points[i].x - q.x;
            const double dy = m_points[i].y - q.y;
            const double d2 = dx * dx + dy * dy;
            if (d2 < best_d2 || (d2 == best_d2 && i < best)) {
                best_d2 = d2;
                best = i;
            }
        }
    };
    for (std::ptrdiff_t r = 0;; ++r) {
        if (r == 0) {
            visit_cell(cx, cy);
        } else {
            for (std::ptrdiff_t ix = cx - r; ix <= cx + r; ++ix) {
                visit_cell(ix, cy - r);
                visit_cell(ix, cy + r);
            }
            for (std::ptrdiff_t iy = cy - r + 1; iy <= cy + r - 1; ++iy) {
                visit_cell(cx - r, iy);
                visit_cell(cx + r, iy);
            }
        }
        // Any point not yet seen lies outside the ring-r square; its distance is at least q's
        // distance to the nearest side of that square that still has cells beyond it.
        double bound = std::numeric_limits<double>::infinity();
        if (cx - r > 0) bound = std::min(bound, q.x - (m_box.min_x + static_cast<double>(cx - r) * m_cell));
        if (cx + r < nx - 1) bound = std::min(bound, m_box.min_x + static_cast<double>(cx + r + 1) * m_cell - q.x);
        if (cy - r > 0) bound = std::min(bound, q.y - (m_box.min_y + static_cast<double>(cy - r) * m_cell));
        if (cy + r < ny - 1) bound = std::min(bound, m_box.min_y + static_cast<double>(cy + r + 1) * m_cell - q.y);
        if (bound == std::numeric_limits<double>::infinity()) break; // whole grid seen
        // Strict: a point at exactly `bound` may still have a lower index.
        if (best != npos && best_d2 < bound * bound) break;
    }
    return best;
}

void PointGrid::make_distinct()
{
    m_distinct.clear();
    m_distinct.reserve(m_items.size());
    std::vector<Point> cell_points;
    std::vector<std::uint32_t> dstart(m_start.size(), 0);
    for (std::size_t c = 0; c + 1 < m_start.size(); ++c) {
        cell_points.clear();
        for (std::uint32_t k = m_start[c]; k < m_start[c + 1]; ++k) cell_points.push_back(m_points[m_items[k]]);
        std::sort(cell_points.begin(), cell_points.end(),
                  [](const Point& a, const Point& b) { return a.x != b.x ? a.x < b.x : a.y < b.y; });
        for (std::size_t k = 0; k < cell_points.size(); ++k)
            if (k == 0 || cell_points[k].x != cell_points[k - 1].x || cell_points[k].y != cell_points[k - 1].y)
                m_distinct.push_back(cell_points[k]);
        dstart[c + 1] = static_cast<std::uint32_t>(m_distinct.size());
    }
    m_start = std::move(dstart);
    std::vector<std::uint32_t>().swap(m_items);
}

} // namespace libgrid::detail
