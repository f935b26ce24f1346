// The one uniform grid of boxes in libgrid: items (boxes) registered in every cell their box
// meets, queried by box. Used where boxes are looked up by overlap: barrier segments crossed by
// adjacency edges, markers near candidate areas, label boxes on a map. (Nearest-point queries
// use core/point_grid.hpp; the Locator keeps its own cell index, tuned for point-in-polygon.)
// Items can be added between queries; each cell keeps a singly linked list, so an empty cell
// costs 4 bytes. Private to the library.
#pragma once

#include <libgrid/geometry_types.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace libgrid::detail {

class BoxGrid {
public:
    /// A grid over `extent` with square cells `cell` wide: floor(width / cell) + 1 columns and
    /// as many rows likewise. Boxes outside the extent are clamped to its border cells. The
    /// caller bounds the cell count (4 bytes per cell).
    BoxGrid(const Box& extent, double cell)
        : m_extent(extent), m_cell(cell > 0.0 ? cell : 1.0),
          m_nx(static_cast<std::size_t>(std::max(0.0, extent.max_x - extent.min_x) / m_cell) + 1),
          m_ny(static_cast<std::size_t>(std::max(0.0, extent.max_y - extent.min_y) / m_cell) + 1),
          m_head(m_nx * m_ny, none)
    {
    }

    std::size_t col(double x) const noexcept { return clamp((x - m_extent.min_x) / m_cell, m_nx); }
    std::size_t row(double y) const noexcept { return clamp((y - m_extent.min_y) / m_cell, m_ny); }

    /// Registers item `item` in every cell `b` meets. O(cells of b).
    void add(const Box& b, std::uint32_t item)
    {
        for (std::size_t iy = row(b.min_y); iy <= row(b.max_y); ++iy)
            for (std::size_t ix = col(b.min_x); ix <= col(b.max_x); ++ix) {
                auto& head = m_head[iy * m_nx + ix];
                m_entries.push_back({item, head});
                head = static_cast<std::uint32_t>(m_entries.size() - 1);
            }
    }

    /// True when pred(item) holds for an item registered in a cell `q` meets (an item can be
    /// offered more than once when it spans several of those cells). Stops at the first.
    template <class Pred>
    bool any(const Box& q, Pred&& pred) const
    {
        for (std::size_t iy = row(q.min_y); iy <= row(q.max_y); ++iy)
            for (std::size_t ix = col(q.min_x); ix <= col(q.max_x); ++ix)
                for (std::uint32_t e = m_head[iy * m_nx + ix]; e != none; e = m_entries[e].next)
                    if (pred(m_entries[e].item)) return true;
        return false;
    }

private:
    static constexpr std::uint32_t none = std::numeric_limits<std::uint32_t>::max();
    struct Entry {
        std::uint32_t item;
        std::uint32_t next;
    };
    static std::size_t clamp(double v, std::size_t n) noexcept
    {
        if (!(v > 0.0)) return 0;
        return v >= static_cast<double>(n - 1) ? n - 1 : static_cast<std::size_t>(v);
    }

    Box m_extent;
    double m_cell;
    std::size_t m_nx, m_ny;
    std::vector<std::uint32_t> m_head;
    std::vector<Entry> m_entries;
};

} // namespace libgrid::detail
