// Pole of inaccessibility (the interior point farthest from the boundary) by a best-first
// quadtree search over square cells: a cell's distance at its centre plus its half diagonal
// bounds every distance inside it, so cells that cannot beat the best point by more than the
// precision are never split.
#include <libgrid/render.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <queue>

namespace libgrid {
namespace {

/// Squared distance from p to segment ab.
double segment_distance_sq(const Point& p, const Point& a, const Point& b)
{
    double x = a.x, y = a.y;
    const double dx = b.x - a.x, dy = b.y - a.y;
    if (dx != 0.0 || dy != 0.0) {
        const double t = ((p.x - a.x) * dx + (p.y - a.y) * dy) / (dx * dx + dy * dy);
        if (t > 1.0) {
            x = b.x;
            y = b.y;
        } else if (t > 0.0) {
            x += dx * t;
            y += dy * t;
        }
    }
    return (p.x - x) * (p.x - x) + (p.y - y) * (p.y - y);
}

/// Distance from p to the polygon's boundary, positive inside, negative outside (even-odd rule
/// over every ring, so holes are outside).
double signed_distance(const Point& p, const Polygon& poly)
{
    bool inside = false;
    double best = std::numeric_limits<double>::infinity();
    auto scan = [&](const Ring& ring) {
        for (std::size_t i = 0, j = ring.size() - 1; i < ring.size(); j = i++) {
            const Point& a = ring[i];
            const Point& b = ring[j];
            if ((a.y > p.y) != (b.y > p.y) && p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x) inside = !inside;
            best = std::min(best, segment_distance_sq(p, a, b));
        }
    };
    if (poly.outer.empty()) return -std::numeric_limits<double>::infinity();
    scan(poly.outer);
    for (const auto& hole : poly.holes)
        if (!hole.empty()) scan(hole);
    return (inside ? 1.0 : -1.0) * std::sqrt(best);
}

struct Cell {
    Point centre;
    double half = 0.0;  // half the side
    double d = 0.0;     // signed distance at the centre
    double bound = 0.0; // best distance possible inside the cell
};

Cell make_cell(const Point& c, double half, const Polygon& poly)
{
    Cell cell{c, half, signed_distance(c, poly), 0.0};
    cell.bound = cell.d + half * std::sqrt(2.0);
    return cell;
}

/// Area-weighted centroid of the outer ring; the bounding-box centre for a degenerate ring.
Point ring_centroid(const Ring& ring, const Box& box)
{
    double a = 0.0, x = 0.0, y = 0.0;
    for (std::size_t i = 0, j = ring.size() - 1; i < ring.size(); j = i++) {
        const double f = ring[j].x * ring[i].y - ring[i].x * ring[j].y;
        x += (ring[j].x + ring[i].x) * f;
        y += (ring[j].y + ring[i].y) * f;
        a += 3.0 * f;
    }
    if (a == 0.0) return {0.5 * (box.min_x + box.max_x), 0.5 * (box.min_y + box.max_y)};
    return {x / a, y / a};
}

} // namespace

Point pole_of_inaccessibility(const Polygon& polygon, double precision, double* distance)
{
    if (distance) *distance = 0.0;
    if (polygon.outer.empty()) return {};
    Box box;
    for (const auto& p : polygon.outer) box.add(p);
    const double w = box.max_x - box.min_x, h = box.max_y - box.min_y;
    const double side = std::min(w, h);
    if (!(side > 0.0)) return polygon.outer.front();
    precision = std::max(precision, side * 1e-6); // keeps the search finite for any input

    auto worse = [](const Cell& a, const Cell& b) { return a.bound < b.bound; };
    std::priority_queue<Cell, std::vector<Cell>, decltype(worse)> queue(worse);
    const double half = side / 2.0;
    for (double x = box.min_x; x < box.max_x; x += side)
        for (double y = box.min_y; y < box.max_y; y += side)
            queue.push(make_cell({x + half, y + half}, half, polygon));

    Cell best = make_cell(ring_centroid(polygon.outer, box), 0.0, polygon);
    const Cell centre = make_cell({box.min_x + w / 2.0, box.min_y + h / 2.0}, 0.0, polygon);
    if (centre.d > best.d) best = centre;
    // A bound on the work for pathological inputs; ordinary grids need a few hundred cells.
    for (std::size_t visited = 0; !queue.empty() && visited < 20000; ++visited) {
        const Cell cell = queue.top();
        queue.pop();
        if (cell.d > best.d) best = cell;
        // The queue is ordered by bound: no cell left can beat the best point by more.
        if (cell.bound - best.d <= precision) break;
        const double q = cell.half / 2.0;
        for (const double dx : {-q, q})
            for (const double dy : {-q, q})
                queue.push(make_cell({cell.centre.x + dx, cell.centre.y + dy}, q, polygon));
    }
    if (distance) *distance = std::max(0.0, best.d);
    return best.centre;
}

} // namespace libgrid
