// The Locator: a uniform cell index over the grids' edges for point-in-grid look-ups, and a
// bounding-volume hierarchy over the same edges for the distance of points outside every grid.
//
// How a query is answered. Every cell of the index is either free of edges (the whole cell lies
// in one grid, and the cell stores it; or in none, and the cell stores an edge near it, which
// bounds the nearest-edge search from the start), or a border cell holding the edges
// that touch it (registered conservatively, with a small margin) and one reference point inside
// it, away from every edge, whose containing grids were computed when the index was built. A
// point q in a border cell belongs to grid g when it is on an edge of g, or when the segment from
// the reference point to q crosses g's edges an odd number of times and the reference point was
// in g (or an even number and it was not). That segment stays inside the cell, so only the
// cell's edges can cross it. Vertices lying exactly on the segment's line are counted on one side
// only (half-open rule), which keeps the parity right where the segment passes through a vertex.
//
// How the reference states are built without testing each one against whole polygons: along
// each row of cells, from the padding column on the left (left of every edge, so outside every
// grid), the state is
// carried from one cell's reference point to the next one's by the same crossing rule; the
// segment between two neighbouring reference points stays inside the two cells, so only their
// edges can cross it. Building is therefore linear in cells plus edge references.
#include <libgrid/error.hpp>
#include <libgrid/locate.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numeric>

namespace libgrid {
namespace {

// A cell's value: a grid index (the cell lies in that grid), or outside_flag | an edge near the
// cell (the cell lies outside every grid; the edge bounds the nearest-edge search), or
// border_flag | a border cell index.
constexpr std::uint32_t border_flag = 0x80000000u;
constexpr std::uint32_t outside_flag = 0x40000000u;
constexpr std::uint32_t value_mask = 0x3FFFFFFFu;
constexpr std::uint32_t max_items = value_mask; ///< Grids and edges must stay below this.
constexpr std::size_t max_cells = std::size_t{1} << 26;
constexpr std::size_t leaf_size = 4;

struct Segment {
    double ax, ay, bx, by;
};

/// Twice the signed area of (a, b, c): > 0 when c is left of a->b.
inline double orient(double ax, double ay, double bx, double by, double cx, double cy) noexcept
{
    return (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
}

/// True when p lies exactly on the closed segment (floating-point orientation 0).
inline bool on_segment(const Segment& s, double px, double py) noexcept
{
    if (px < std::min(s.ax, s.bx) || px > std::max(s.ax, s.bx) || py < std::min(s.ay, s.by) ||
        py > std::max(s.ay, s.by))
        return false;
    return orient(s.ax, s.ay, s.bx, s.by, px, py) == 0.0;
}

/// True when the segment r->q crosses edge s. r and q must not lie on s. The half-open rule
/// (a vertex on the line r-q counts as lying to its right) makes the count's parity exact when
/// the segment passes through a vertex shared by two edges.
inline bool crosses(double rx, double ry, double qx, double qy, const Segment& s) noexcept
{
    const bool sa = orient(rx, ry, qx, qy, s.ax, s.ay) > 0.0;
    const bool sb = orient(rx, ry, qx, qy, s.bx, s.by) > 0.0;
    if (sa == sb) return false;
    const double o1 = orient(s.ax, s.ay, s.bx, s.by, rx, ry);
    const double o2 = orient(s.ax, s.ay, s.bx, s.by, qx, qy);
    return (o1 > 0.0) != (o2 > 0.0);
}

/// Squared distance from p to segment s.
inline double distance2(const Segment& s, double px, double py) noexcept
{
    const double dx = s.bx - s.ax, dy = s.by - s.ay;
    const double len2 = dx * dx + dy * dy;
    const double t = len2 > 0.0 ? ((px - s.ax) * dx + (py - s.ay) * dy) / len2 : 0.0;
    // The end points themselves beyond the ends (not a + 1 * (b - a), which may round), so that
    // two grids sharing a vertex are exactly equally near a point nearest to that vertex.
    double ex, ey;
    if (t <= 0.0) {
        ex = s.ax - px;
        ey = s.ay - py;
    } else if (t >= 1.0) {
        ex = s.bx - px;
        ey = s.by - py;
    } else {
        ex = s.ax + t * dx - px;
        ey = s.ay + t * dy - py;
    }
    return ex * ex + ey * ey;
}

/// Node of the nearest-edge hierarchy: a leaf holds `count` > 0 edges from `first` in the
/// permuted edge list; an inner node (count == 0) has its children at `first` and `first + 1`.
struct Node {
    double min_x, min_y, max_x, max_y;
    std::uint32_t first;
    std::uint32_t count;
};

inline double box_distance2(const Node& n, double px, double py) noexcept
{
    const double dx = px < n.min_x ? n.min_x - px : (px > n.max_x ? px - n.max_x : 0.0);
    const double dy = py < n.min_y ? n.min_y - py : (py > n.max_y ? py - n.max_y : 0.0);
    return dx * dx + dy * dy;
}

template <class T>
std::size_t bytes(const std::vector<T>& v) noexcept
{
    return v.capacity() * sizeof(T);
}

} // namespace

struct Locator::Impl {
    std::vector<GridContact> contacts;
    std::string crs_wkt, source_crs_wkt;
    // edges
    std::vector<Segment> segments;
    std::vector<std::uint32_t> segment_grid;
    // uniform index
    Box extent; ///< Of every edge.
    double x0 = 0.0, y0 = 0.0, cell = 1.0, inv_cell = 1.0;
    std::size_t nx = 0, ny = 0;
    std::vector<std::uint32_t> cells;          ///< See border_flag and outside_flag.
    std::vector<std::uint32_t> border_first;   ///< Border cell b's edges: [first[b], first[b+1]).
    std::vector<std::uint32_t> border_edges;   ///< Edge ids, ascending within a cell.
    std::vector<Point> border_ref;             ///< Reference point of each border cell.
    std::vector<std::uint32_t> ref_first;      ///< Grids holding border cell b's reference point.
    std::vector<std::uint32_t> ref_grids;      ///< Ascending within a cell.
    // nearest-edge hierarchy
    std::vector<Node> nodes;
    std::vector<std::uint32_t> node_edges;

    void add_edges(const std::vector<LocatorGrid>& grids);
    void build_cells(double cells_per_edge);
    void build_hierarchy();
    /// The nearest edge so far: squared distance, its grid, the edge.
    struct Hit {
        double d2 = std::numeric_limits<double>::infinity();
        std::uint32_t grid = Location::none;
        std::uint32_t edge = Location::none;
    };
    Hit hit(std::uint32_t e, double px, double py) const noexcept
    {
        return {distance2(segments[e], px, py), segment_grid[e], e};
    }
    Hit search(double px, double py, Hit best) const noexcept;
    Location nearest(double px, double py, Hit seed) const noexcept;
    Location in_border_cell(std::uint32_t b, double px, double py) const noexcept;
};

void Locator::Impl::add_edges(const std::vector<LocatorGrid>& grids)
{
    auto add_ring = [&](const Ring& ring, std::uint32_t g, const std::string& id) {
        if (ring.size() < 2) return;
        for (const auto& p : ring)
            if (!std::isfinite(p.x) || !std::isfinite(p.y))
                throw Error(ErrorCode::invalid_argument,
                            fmt::format("locate: grid '{}' has a coordinate that is not a finite "
                                        "number (fix: repair the grid's geometry)",
                                        id));
        const std::size_t n = ring.size();
        const bool closed = ring.front().x == ring.back().x && ring.front().y == ring.back().y;
        const std::size_t m = closed ? n - 1 : n;
        for (std::size_t i = 0; i < m; ++i) {
            const Point& a = ring[i];
            const Point& b = ring[(i + 1) % n];
            if (a.x == b.x && a.y == b.y) continue;
            segments.push_back({a.x, a.y, b.x, b.y});
            segment_grid.push_back(g);
        }
    };
    for (std::size_t g = 0; g < grids.size(); ++g)
        for (const auto& poly : grids[g].shape) {
            add_ring(poly.outer, static_cast<std::uint32_t>(g), grids[g].contact.grid_id);
            for (const auto& hole : poly.holes)
                add_ring(hole, static_cast<std::uint32_t>(g), grids[g].contact.grid_id);
        }
    if (segments.size() >= max_items)
        throw Error(ErrorCode::invalid_argument,
                    fmt::format("locate: {} polygon edges are more than the Locator holds (2^30) "
                                "(fix: split the territory)",
                                segments.size()));
}

void Locator::Impl::build_cells(double cells_per_edge)
{
    Box box;
    for (const auto& s : segments) {
        box.add({s.ax, s.ay});
        box.add({s.bx, s.by});
    }
    extent = box;
    const double w = std::max(box.max_x - box.min_x, 1e-9);
    const double h = std::max(box.max_y - box.min_y, 1e-9);
    const double wanted = std::clamp(cells_per_edge * static_cast<double>(segments.size()), 64.0,
                                     static_cast<double>(max_cells) / 2.0);
    // Square cells; a very elongated extent gets at least one row and at most `wanted` columns.
    cell = std::max(std::sqrt(w * h / wanted), std::max(w, h) / wanted);
    inv_cell = 1.0 / cell;
    nx = static_cast<std::size_t>(std::ceil(w * inv_cell)) + 2; // one padding column each side
    ny = static_cast<std::size_t>(std::ceil(h * inv_cell)) + 2;
    x0 = box.min_x - cell;
    y0 = box.min_y - cell;
    // Margin for registering edges: covers rounding between registration and query, and
    // keeps every edge-free cell clear of edges by at least this much.
    const double magnitude = std::max({std::abs(box.min_x), std::abs(box.max_x),
                                       std::abs(box.min_y), std::abs(box.max_y), 1.0});
    const double eps = std::max(cell * 1e-6, magnitude * 1e-12);

    auto clamp_index = [](double f, std::size_t n) {
        if (!(f > 0.0)) return std::size_t{0};
        const double top = static_cast<double>(n - 1);
        return f >= top ? n - 1 : static_cast<std::size_t>(f);
    };
    // Calls visit(cell) for every cell within `eps` of edge s (a cell may be visited once).
    auto for_cells = [&](const Segment& s, auto&& visit) {
        const double lo_y = std::min(s.ay, s.by), hi_y = std::max(s.ay, s.by);
        const std::size_t r0 = clamp_index(std::floor((lo_y - eps - y0) * inv_cell), ny);
        const std::size_t r1 = clamp_index(std::floor((hi_y + eps - y0) * inv_cell), ny);
        for (std::size_t r = r0; r <= r1; ++r) {
            const double band_lo = std::max(y0 + static_cast<double>(r) * cell - eps, lo_y);
            const double band_hi = std::min(y0 + static_cast<double>(r + 1) * cell + eps, hi_y);
            double xa, xb;
            if (s.ay == s.by) {
                xa = s.ax;
                xb = s.bx;
            } else {
                const double ta = std::clamp((band_lo - s.ay) / (s.by - s.ay), 0.0, 1.0);
                const double tb = std::clamp((band_hi - s.ay) / (s.by - s.ay), 0.0, 1.0);
                xa = s.ax + ta * (s.bx - s.ax);
                xb = s.ax + tb * (s.bx - s.ax);
            }
            const std::size_t c0 = clamp_index(std::floor((std::min(xa, xb) - eps - x0) * inv_cell), nx);
            const std::size_t c1 = clamp_index(std::floor((std::max(xa, xb) + eps - x0) * inv_cell), nx);
            for (std::size_t c = c0; c <= c1; ++c) visit(r * nx + c);
        }
    };

    // Two passes: count the edges of each cell, then fill the border cells' lists.
    std::vector<std::uint32_t> count(nx * ny, 0);
    for (const auto& s : segments) for_cells(s, [&](std::size_t c) { ++count[c]; });
    cells.assign(nx * ny, 0);
    border_first.assign(1, 0);
    std::size_t refs = 0;
    for (std::size_t c = 0; c < cells.size(); ++c) {
        if (count[c] == 0) continue;
        cells[c] = border_flag | static_cast<std::uint32_t>(border_first.size() - 1);
        refs += count[c];
        if (refs >= 0xFFFFFFFFu)
            throw Error(ErrorCode::invalid_argument,
                        "locate: the cell index would hold more than 2^32 edge references "
                        "(fix: lower cells_per_edge)");
        border_first.push_back(static_cast<std::uint32_t>(refs));
    }
    std::vector<std::uint32_t>().swap(count);
    const std::size_t borders = border_first.size() - 1;
    border_edges.assign(refs, 0);
    {
        std::vector<std::uint32_t> fill(border_first.begin(), border_first.end() - 1);
        for (std::uint32_t e = 0; e < segments.size(); ++e)
            for_cells(segments[e], [&](std::size_t c) {
                border_edges[fill[cells[c] & value_mask]++] = e;
            });
    }

    // Reference points: the first candidate of a fixed sequence that is clear of the cell's
    // edges by a margin (else the clearest candidate); never on an edge.
    border_ref.resize(borders);
    const double margin2 = (cell * 1e-4) * (cell * 1e-4);
    for (std::size_t r = 0; r < ny; ++r)
        for (std::size_t c = 0; c < nx; ++c) {
            const std::uint32_t v = cells[r * nx + c];
            if (!(v & border_flag)) continue;
            const std::uint32_t b = v & value_mask;
            const double cx0 = x0 + static_cast<double>(c) * cell, cy0 = y0 + static_cast<double>(r) * cell;
            Point best{cx0 + 0.5 * cell, cy0 + 0.5 * cell};
            double best_d2 = -1.0;
            for (int k = 0; k < 40; ++k) {
                // k = 0 is the centre; then a low-discrepancy sequence inside the cell.
                const double fx = k == 0 ? 0.5 : std::fmod(0.5 + k * 0.6180339887498949, 1.0) * 0.9 + 0.05;
                const double fy = k == 0 ? 0.5 : std::fmod(0.5 + k * 0.7548776662466927, 1.0) * 0.9 + 0.05;
                const Point p{cx0 + fx * cell, cy0 + fy * cell};
                double d2 = std::numeric_limits<double>::infinity();
                for (std::uint32_t i = border_first[b]; i < border_first[b + 1]; ++i) {
                    const Segment& s = segments[border_edges[i]];
                    d2 = on_segment(s, p.x, p.y) ? 0.0 : std::min(d2, distance2(s, p.x, p.y));
                }
                if (d2 > best_d2) {
                    best_d2 = d2;
                    best = p;
                }
                if (best_d2 > margin2) break;
            }
            border_ref[b] = best;
        }

    // States: carried along each row from the padding column (outside every grid).
    ref_first.assign(1, 0);
    ref_grids.clear();
    std::vector<std::uint32_t> state; // grids holding the current point, ascending
    auto toggle = [&](std::uint32_t g) {
        auto it = std::lower_bound(state.begin(), state.end(), g);
        if (it != state.end() && *it == g) state.erase(it);
        else state.insert(it, g);
    };
    const std::uint32_t* empty = nullptr;
    std::uint32_t hint = Location::none;
    for (std::size_t r = 0; r < ny; ++r) {
        state.clear();
        Point prev{};
        const std::uint32_t *prev_begin = empty, *prev_end = empty;
        for (std::size_t c = 0; c < nx; ++c) {
            const std::size_t id = r * nx + c;
            const std::uint32_t v = cells[id];
            const bool border = (v & border_flag) != 0;
            const std::uint32_t b = v & value_mask;
            const Point here = border ? border_ref[b]
                                      : Point{x0 + (static_cast<double>(c) + 0.5) * cell,
                                              y0 + (static_cast<double>(r) + 0.5) * cell};
            const std::uint32_t* begin = border ? border_edges.data() + border_first[b] : empty;
            const std::uint32_t* end = border ? border_edges.data() + border_first[b + 1] : empty;
            if (c > 0) {
                // Edges of both cells, each once (both lists ascend).
                const std::uint32_t *i = prev_begin, *j = begin;
                while (i != prev_end || j != end) {
                    std::uint32_t e;
                    if (j == end || (i != prev_end && *i < *j)) e = *i++;
                    else if (i == prev_end || *j < *i) e = *j++;
                    else {
                        e = *i++;
                        ++j;
                    }
                    if (crosses(prev.x, prev.y, here.x, here.y, segments[e])) toggle(segment_grid[e]);
                }
            }
            if (border) {
                ref_grids.insert(ref_grids.end(), state.begin(), state.end());
                ref_first.push_back(static_cast<std::uint32_t>(ref_grids.size()));
            } else if (!state.empty()) {
                cells[id] = state.front();
            } else {
                // The edge nearest to the cell's centre; the previous hint seeds the search.
                const Hit seed = hint == Location::none ? Hit{} : hit(hint, here.x, here.y);
                hint = search(here.x, here.y, seed).edge;
                cells[id] = outside_flag | hint;
            }
            prev = here;
            prev_begin = begin;
            prev_end = end;
        }
    }
}

void Locator::Impl::build_hierarchy()
{
    const std::size_t n = segments.size();
    node_edges.resize(n);
    std::iota(node_edges.begin(), node_edges.end(), 0u);
    nodes.clear();
    if (n == 0) return;
    nodes.reserve(2 * (n / leaf_size + 1));
    std::vector<double> mid_x(n), mid_y(n);
    for (std::size_t e = 0; e < n; ++e) {
        mid_x[e] = 0.5 * (segments[e].ax + segments[e].bx);
        mid_y[e] = 0.5 * (segments[e].ay + segments[e].by);
    }
    struct Task {
        std::size_t node, lo, hi;
    };
    std::vector<Task> tasks;
    nodes.push_back({});
    tasks.push_back({0, 0, n});
    while (!tasks.empty()) {
        const Task t = tasks.back();
        tasks.pop_back();
        Node node{std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity(),
                  -std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(),
                  0, 0};
        double cx0 = node.min_x, cy0 = node.min_y, cx1 = node.max_x, cy1 = node.max_y;
        for (std::size_t i = t.lo; i < t.hi; ++i) {
            const Segment& s = segments[node_edges[i]];
            node.min_x = std::min({node.min_x, s.ax, s.bx});
            node.min_y = std::min({node.min_y, s.ay, s.by});
            node.max_x = std::max({node.max_x, s.ax, s.bx});
            node.max_y = std::max({node.max_y, s.ay, s.by});
            cx0 = std::min(cx0, mid_x[node_edges[i]]);
            cx1 = std::max(cx1, mid_x[node_edges[i]]);
            cy0 = std::min(cy0, mid_y[node_edges[i]]);
            cy1 = std::max(cy1, mid_y[node_edges[i]]);
        }
        if (t.hi - t.lo <= leaf_size) {
            node.first = static_cast<std::uint32_t>(t.lo);
            node.count = static_cast<std::uint32_t>(t.hi - t.lo);
            nodes[t.node] = node;
            continue;
        }
        // Median split on the wider axis of the edge midpoints; ties broken by edge id so that
        // the hierarchy (and with it every tie between equally near edges) is deterministic.
        const bool by_x = cx1 - cx0 >= cy1 - cy0;
        const std::vector<double>& key = by_x ? mid_x : mid_y;
        const std::size_t mid = t.lo + (t.hi - t.lo) / 2;
        std::nth_element(node_edges.begin() + static_cast<std::ptrdiff_t>(t.lo),
                         node_edges.begin() + static_cast<std::ptrdiff_t>(mid),
                         node_edges.begin() + static_cast<std::ptrdiff_t>(t.hi),
                         [&](std::uint32_t a, std::uint32_t b) {
                             return key[a] < key[b] || (key[a] == key[b] && a < b);
                         });
        node.first = static_cast<std::uint32_t>(nodes.size());
        node.count = 0;
        nodes[t.node] = node;
        nodes.push_back({});
        nodes.push_back({});
        tasks.push_back({node.first, t.lo, mid});
        tasks.push_back({node.first + 1u, mid, t.hi});
    }
}

/// The nearest edge to p: the least (squared distance, grid) over every edge, so that equally
/// near edges of two grids give the lower grid. `best`: an edge already known to be near (or
/// none), which lets the search prune most of the hierarchy at once.
Locator::Impl::Hit Locator::Impl::search(double px, double py, Hit best) const noexcept
{
    if (nodes.empty()) return best;
    std::array<std::uint32_t, 128> stack;
    std::size_t top = 0;
    stack[top++] = 0;
    while (top > 0) {
        const Node& n = nodes[stack[--top]];
        if (box_distance2(n, px, py) > best.d2) continue;
        if (n.count > 0) {
            for (std::uint32_t i = n.first; i < n.first + n.count; ++i) {
                const std::uint32_t e = node_edges[i];
                const double d2 = distance2(segments[e], px, py);
                if (d2 < best.d2 || (d2 == best.d2 && segment_grid[e] < best.grid)) best = {d2, segment_grid[e], e};
            }
            continue;
        }
        const double d_left = box_distance2(nodes[n.first], px, py);
        const double d_right = box_distance2(nodes[n.first + 1], px, py);
        // Nearer child on top of the stack; the depth is at most log2(edges) + 1 < 64, so two
        // entries per level fit.
        if (d_left <= d_right) {
            stack[top++] = n.first + 1;
            stack[top++] = n.first;
        } else {
            stack[top++] = n.first;
            stack[top++] = n.first + 1;
        }
    }
    return best;
}

Location Locator::Impl::nearest(double px, double py, Hit seed) const noexcept
{
    const Hit best = search(px, py, seed);
    Location out;
    if (best.grid == Location::none) {
        out.distance_m = std::numeric_limits<double>::quiet_NaN();
        return out;
    }
    out.grid = best.grid;
    out.inside = false;
    out.distance_m = std::sqrt(best.d2);
    return out;
}

Location Locator::Impl::in_border_cell(std::uint32_t b, double px, double py) const noexcept
{
    // Parity per grid seen in this cell; a cell seldom sees more than three grids.
    constexpr std::size_t small = 32;
    std::array<std::uint32_t, small> grid;
    std::array<bool, small> odd;
    std::size_t n = 0;
    bool overflow = false;
    for (std::uint32_t i = ref_first[b]; i < ref_first[b + 1]; ++i) {
        if (n == small) {
            overflow = true;
            break;
        }
        grid[n] = ref_grids[i];
        odd[n++] = true;
    }
    std::uint32_t on_border = Location::none;
    const Point ref = border_ref[b];
    if (!overflow)
        for (std::uint32_t i = border_first[b]; i < border_first[b + 1]; ++i) {
            const std::uint32_t e = border_edges[i];
            const Segment& s = segments[e];
            const std::uint32_t g = segment_grid[e];
            if (on_segment(s, px, py)) {
                on_border = std::min(on_border, g);
                continue;
            }
            if (!crosses(ref.x, ref.y, px, py, s)) continue;
            std::size_t k = 0;
            while (k < n && grid[k] != g) ++k;
            if (k == n) {
                if (n == small) {
                    overflow = true;
                    break;
                }
                grid[n] = g;
                odd[n++] = false;
            }
            odd[k] = !odd[k];
        }
    std::uint32_t best = on_border;
    if (!overflow) {
        for (std::size_t k = 0; k < n; ++k)
            if (odd[k]) best = std::min(best, grid[k]);
    } else {
        // More than `small` grids meet in one cell: the same test with a heap-backed list.
        std::vector<std::pair<std::uint32_t, bool>> parity;
        for (std::uint32_t i = ref_first[b]; i < ref_first[b + 1]; ++i) parity.emplace_back(ref_grids[i], true);
        on_border = Location::none;
        for (std::uint32_t i = border_first[b]; i < border_first[b + 1]; ++i) {
            const std::uint32_t e = border_edges[i];
            const std::uint32_t g = segment_grid[e];
            if (on_segment(segments[e], px, py)) {
                on_border = std::min(on_border, g);
                continue;
            }
            if (!crosses(ref.x, ref.y, px, py, segments[e])) continue;
            auto it = std::find_if(parity.begin(), parity.end(), [&](const auto& q) { return q.first == g; });
            if (it == parity.end()) parity.emplace_back(g, true);
            else it->second = !it->second;
        }
        best = on_border;
        for (const auto& [g, is_odd] : parity)
            if (is_odd) best = std::min(best, g);
    }
    if (best == Location::none) {
        // Outside: the cell's own edges give a first bound for the nearest-edge search. Equal
        // distances are settled there by the lowest grid, as in the search itself.
        Hit seed;
        for (std::uint32_t i = border_first[b]; i < border_first[b + 1]; ++i) {
            const Hit h = hit(border_edges[i], px, py);
            if (h.d2 < seed.d2 || (h.d2 == seed.d2 && h.grid < seed.grid)) seed = h;
        }
        return nearest(px, py, seed);
    }
    Location out;
    out.grid = best;
    out.inside = true;
    out.distance_m = 0.0;
    return out;
}

Locator::Locator() : m_impl(std::make_unique<Impl>()) {}

Locator::Locator(std::vector<LocatorGrid> grids, const LocatorOptions& options)
    : m_impl(std::make_unique<Impl>())
{
    if (grids.size() >= max_items)
        throw Error(ErrorCode::invalid_argument,
                    fmt::format("locate: {} grids are more than the Locator holds (2^30)", grids.size()));
    if (!(options.cells_per_edge > 0.0))
        throw Error(ErrorCode::invalid_argument,
                    fmt::format("locate: cells_per_edge {} must be positive", options.cells_per_edge));
    Impl& d = *m_impl;
    d.crs_wkt = options.crs_wkt;
    d.source_crs_wkt = options.source_crs_wkt;
    d.add_edges(grids);
    d.contacts.reserve(grids.size());
    for (auto& g : grids) d.contacts.push_back(std::move(g.contact));
    grids.clear();
    grids.shrink_to_fit();
    if (!d.segments.empty()) {
        d.build_hierarchy(); // first: the cells outside every grid keep a nearby edge
        d.build_cells(options.cells_per_edge);
    }
    // Grown by push_back: give back the spare capacity the Locator would otherwise hold for life.
    for (auto* v : {&d.segment_grid, &d.border_first, &d.ref_first, &d.ref_grids}) v->shrink_to_fit();
    d.segments.shrink_to_fit();
    d.nodes.shrink_to_fit();
}

Locator::~Locator() = default;
Locator::Locator(Locator&&) noexcept = default;
Locator& Locator::operator=(Locator&&) noexcept = default;

Location Locator::locate(const Point& p) const noexcept
{
    const Impl& d = *m_impl;
    if (!std::isfinite(p.x) || !std::isfinite(p.y) || d.cells.empty()) {
        Location out;
        out.distance_m = std::numeric_limits<double>::quiet_NaN();
        return out;
    }
    const double fx = (p.x - d.x0) * d.inv_cell, fy = (p.y - d.y0) * d.inv_cell;
    // Beyond the padded extent the point is outside every grid: the nearest cell (one of the
    // padding cells, all outside) still gives a nearby edge.
    const double top_x = static_cast<double>(d.nx - 1), top_y = static_cast<double>(d.ny - 1);
    const std::size_t cx = fx > 0.0 ? (fx < top_x ? static_cast<std::size_t>(fx) : d.nx - 1) : 0;
    const std::size_t cy = fy > 0.0 ? (fy < top_y ? static_cast<std::size_t>(fy) : d.ny - 1) : 0;
    const std::uint32_t v = d.cells[cy * d.nx + cx];
    const bool beyond = !(fx >= 0.0 && fy >= 0.0 && fx < static_cast<double>(d.nx) && fy < static_cast<double>(d.ny));
    if (beyond) {
        // Padding cells are never inside a grid: a border cell's first edge seeds the search.
        const Impl::Hit seed = (v & border_flag)   ? d.hit(d.border_edges[d.border_first[v & value_mask]], p.x, p.y)
                               : (v & outside_flag) ? d.hit(v & value_mask, p.x, p.y)
                                                    : Impl::Hit{};
        return d.nearest(p.x, p.y, seed);
    }
    if (v & border_flag) return d.in_border_cell(v & value_mask, p.x, p.y);
    if (v & outside_flag) return d.nearest(p.x, p.y, d.hit(v & value_mask, p.x, p.y));
    Location out;
    out.grid = v;
    out.inside = true;
    out.distance_m = 0.0;
    return out;
}

std::size_t Locator::size() const noexcept { return m_impl->contacts.size(); }

const GridContact& Locator::contact(std::size_t index) const
{
    if (index >= m_impl->contacts.size())
        throw Error(ErrorCode::invalid_argument,
                    fmt::format("locate: grid index {} out of range (the Locator holds {} grids)",
                                index, m_impl->contacts.size()));
    return m_impl->contacts[index];
}

const std::string& Locator::crs_wkt() const noexcept { return m_impl->crs_wkt; }
const std::string& Locator::source_crs_wkt() const noexcept { return m_impl->source_crs_wkt; }

LocatorStats Locator::stats() const noexcept
{
    const Impl& d = *m_impl;
    LocatorStats s;
    s.grids = d.contacts.size();
    s.edges = d.segments.size();
    s.columns = d.nx;
    s.rows = d.ny;
    s.cells = d.cells.size();
    s.border_cells = d.border_ref.size();
    s.cell_edge_refs = d.border_edges.size();
    s.cell_size_m = d.cells.empty() ? 0.0 : d.cell;
    s.extent = d.extent;
    std::size_t contact_bytes = bytes(d.contacts);
    for (const auto& c : d.contacts)
        for (const auto* text : {&c.grid_id, &c.station_id, &c.manager_id, &c.manager_name, &c.manager_phone})
            if (text->capacity() > 15) contact_bytes += text->capacity() + 1; // beyond the small-string buffer
    s.memory_bytes = sizeof(Impl) + contact_bytes + bytes(d.segments) + bytes(d.segment_grid) +
                     bytes(d.cells) + bytes(d.border_first) + bytes(d.border_edges) +
                     bytes(d.border_ref) + bytes(d.ref_first) + bytes(d.ref_grids) +
                     bytes(d.nodes) + bytes(d.node_edges);
    return s;
}

} // namespace libgrid
