// The one uniform grid over a point set in libgrid: nearest-point queries (Voronoi site
// ownership, hull spacing, road nodes) and cell visits (coverage snapping). Cells are sized for
// about two points each, never below a minimum; items are stored cell by cell (CSR, built by a
// counting sort). Private to the library.
#pragma once

#include <libgrid/geometry_types.hpp>
#include <libgrid/model.hpp>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace libgrid::detail {

class PointGrid {
public:
    /// Indexes `points` (not copied: their storage must outlive the grid and not move; a
    /// std::vector that is itself moved keeps its storage). Cells are at least `min_cell` wide.
    /// O(n + cells).
    explicit PointGrid(const std::vector<Point>& points, double min_cell = 0.0);

    /// Index of the point nearest to q other than `skip` (npos when there is none). Ties go to
    /// the lowest index, so answers do not depend on the cell size. Searches growing square
    /// rings of cells until no unseen point can be nearer.
    std::size_t nearest(const Point& q, std::size_t skip = npos) const;

    std::size_t col(double x) const noexcept { return clamp((x - m_box.min_x) / m_cell, m_nx); }
    std::size_t row(double y) const noexcept { return clamp((y - m_box.min_y) / m_cell, m_ny); }
    std::size_t nx() const noexcept { return m_nx; }
    std::size_t ny() const noexcept { return m_ny; }
    double cell() const noexcept { return m_cell; }
    const Box& box() const noexcept { return m_box; }

    /// Calls f(index) for every point in cell (ix, iy). Not after make_distinct().
    template <class F>
    void visit(std::size_t ix, std::size_t iy, F&& f) const
    {
        const std::size_t c = iy * m_nx + ix;
        for (std::uint32_t k = m_start[c]; k < m_start[c + 1]; ++k) f(m_items[k]);
    }

    /// Keeps one copy of each distinct point per cell, as coordinates in cell order, so that
    /// visit_distinct() reads contiguous memory and tests a shared vertex once. Afterwards only
    /// visit_distinct() works (nearest() and visit() do not).
    void make_distinct();

    /// Calls f(point) for every distinct point in cell (ix, iy); after make_distinct() only.
    template <class F>
    void visit_distinct(std::size_t ix, std::size_t iy, F&& f) const
    {
        const std::size_t c = iy * m_nx + ix;
        for (std::uint32_t k = m_start[c]; k < m_start[c + 1]; ++k) f(m_distinct[k]);
    }

private:
    static std::size_t clamp(double v, std::size_t n) noexcept
    {
        if (!(v > 0.0)) return 0;
        const double top = static_cast<double>(n - 1);
        return v >= top ? n - 1 : static_cast<std::size_t>(v);
    }

    const Point* m_points = nullptr;
    std::size_t m_n = 0;
    Box m_box;
    double m_cell = 1.0;
    std::size_t m_nx = 1;
    std::size_t m_ny = 1;
    std::vector<std::uint32_t> m_start; ///< Cell c holds m_items[m_start[c] .. m_start[c + 1]).
    std::vector<std::uint32_t> m_items;
    std::vector<Point> m_distinct;
};

} // namespace libgrid::detail
