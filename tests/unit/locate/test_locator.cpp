// The Locator on grids built in memory: interiors, shared borders, holes, multipolygons, the
// distance of outside points, and agreement with an independent brute force on random points
// over a tessellation, for index sizes from a few cells to many.
#include <libgrid/error.hpp>
#include <libgrid/locate.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <thread>

using namespace libgrid;

namespace {

Ring square(double x0, double y0, double x1, double y1)
{
    return {{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}};
}

LocatorGrid grid(const std::string& id, MultiPolygon shape)
{
    LocatorGrid g;
    g.contact.grid_id = id;
    g.contact.station_id = "S-" + id;
    g.shape = std::move(shape);
    return g;
}

// ---- independent brute force: closed polygons, even-odd over all rings, lowest index wins

bool on_edge(const Point& a, const Point& b, const Point& p)
{
    if (p.x < std::min(a.x, b.x) || p.x > std::max(a.x, b.x) || p.y < std::min(a.y, b.y) || p.y > std::max(a.y, b.y))
        return false;
    return (b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x) == 0.0;
}

double segment_distance(const Point& a, const Point& b, const Point& p)
{
    const double dx = b.x - a.x, dy = b.y - a.y, len2 = dx * dx + dy * dy;
    const double t = len2 > 0 ? ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2 : 0.0;
    if (t <= 0) return std::hypot(a.x - p.x, a.y - p.y);
    if (t >= 1) return std::hypot(b.x - p.x, b.y - p.y);
    return std::hypot(a.x + t * dx - p.x, a.y + t * dy - p.y);
}

template <class F>
void for_rings(const MultiPolygon& shape, F&& f)
{
    for (const auto& poly : shape) {
        f(poly.outer);
        for (const auto& h : poly.holes) f(h);
    }
}

bool brute_contains(const MultiPolygon& shape, const Point& p)
{
    bool border = false, odd = false;
    for_rings(shape, [&](const Ring& r) {
        for (std::size_t i = 0, j = r.size() - 1; i < r.size(); j = i++) {
            if (on_edge(r[j], r[i], p)) border = true;
            // Crossing number with a ray towards +x (W. R. Franklin's formulation).
            if ((r[i].y > p.y) != (r[j].y > p.y) &&
                p.x < (r[j].x - r[i].x) * (p.y - r[i].y) / (r[j].y - r[i].y) + r[i].x)
                odd = !odd;
        }
    });
    return border || odd;
}

Location brute(const std::vector<LocatorGrid>& grids, const Point& p)
{
    Location out;
    for (std::size_t g = 0; g < grids.size(); ++g)
        if (brute_contains(grids[g].shape, p)) {
            out.grid = static_cast<std::uint32_t>(g);
            out.inside = true;
            return out;
        }
    out.distance_m = std::numeric_limits<double>::infinity();
    for (std::size_t g = 0; g < grids.size(); ++g)
        for_rings(grids[g].shape, [&](const Ring& r) {
            for (std::size_t i = 1; i < r.size(); ++i) {
                const double d = segment_distance(r[i - 1], r[i], p);
                if (d < out.distance_m) {
                    out.distance_m = d;
                    out.grid = static_cast<std::uint32_t>(g);
                }
            }
        });
    return out;
}

/// A 6 x 6 tessellation of jittered quads (shared vertices, so shared borders match exactly),
/// where grid 7 owns two far-apart quads (a multipolygon), quad 14 has a hole left empty and
/// quad 21 a hole filled by its own small grid, and two quads are left out (gaps).
std::vector<LocatorGrid> tessellation(std::mt19937& rng)
{
    const int n = 6;
    std::uniform_real_distribution<double> jitter(-0.3, 0.3);
    std::vector<Point> v((n + 1) * (n + 1));
    for (int j = 0; j <= n; ++j)
        for (int i = 0; i <= n; ++i) {
            // Vertices on the outer frame and every other line stay on the integer lattice, so
            // some borders are axis-aligned (exact on-border points exist away from vertices).
            const bool fixed = i == 0 || j == 0 || i == n || j == n || (i % 2 == 0 && j % 2 == 0);
            v[static_cast<std::size_t>(j * (n + 1) + i)] =
                Point{100.0 * (i + (fixed ? 0.0 : jitter(rng))), 100.0 * (j + (fixed ? 0.0 : jitter(rng)))};
        }
    auto at = [&](int i, int j) { return v[static_cast<std::size_t>(j * (n + 1) + i)]; };
    std::vector<LocatorGrid> grids;
    std::vector<Polygon> quads;
    for (int j = 0; j < n; ++j)
        for (int i = 0; i < n; ++i)
            quads.push_back(Polygon{{at(i, j), at(i + 1, j), at(i + 1, j + 1), at(i, j + 1), at(i, j)}, {}});
    // Holes: small squares well inside quads 14 and 21 (their jitter is at most 30 of 100).
    auto centre = [&](std::size_t q) {
        Point c{0, 0};
        for (std::size_t k = 0; k < 4; ++k) {
            c.x += quads[q].outer[k].x / 4;
            c.y += quads[q].outer[k].y / 4;
        }
        return c;
    };
    const Point c14 = centre(14), c21 = centre(21);
    quads[14].holes.push_back(square(c14.x - 10, c14.y - 10, c14.x + 10, c14.y + 10));
    quads[21].holes.push_back(square(c21.x - 12, c21.y - 8, c21.x + 12, c21.y + 8));
    for (std::size_t q = 0; q < quads.size(); ++q) {
        if (q == 9 || q == 26) continue;              // gaps in the tessellation
        if (q == 30) continue;                        // part of grid 7's multipolygon below
        grids.push_back(grid("q" + std::to_string(q), {quads[q]}));
    }
    grids[7].shape.push_back(quads[30]);
    grids.push_back(grid("fill21", {Polygon{square(c21.x - 12, c21.y - 8, c21.x + 12, c21.y + 8), {}}}));
    return grids;
}

void check_against_brute(const std::vector<LocatorGrid>& grids, const Locator& locator,
                         const std::vector<Point>& points)
{
    std::size_t mismatches = 0;
    for (const auto& p : points) {
        const Location want = brute(grids, p);
        const Location got = locator.locate(p);
        const bool same = got.inside == want.inside && got.grid == want.grid &&
                          (want.inside ? got.distance_m == 0.0
                                       : std::abs(got.distance_m - want.distance_m) <= 1e-9 * (1 + want.distance_m));
        if (!same && ++mismatches <= 5)
            FAIL_CHECK("point (" << p.x << ", " << p.y << "): got grid " << got.grid << " inside " << got.inside
                                 << " distance " << got.distance_m << ", brute force grid " << want.grid
                                 << " inside " << want.inside << " distance " << want.distance_m);
    }
    CHECK(mismatches == 0);
}

} // namespace

TEST_CASE("a point inside a grid gets that grid, its station and distance 0")
{
    const Locator loc({grid("A", {Polygon{square(0, 0, 10, 10), {}}}), grid("B", {Polygon{square(10, 0, 20, 10), {}}})});
    REQUIRE(loc.size() == 2);
    const auto a = loc.locate({3, 4});
    CHECK(a.inside);
    CHECK(a.grid == 0);
    CHECK(a.distance_m == 0.0);
    CHECK(loc.contact(a.grid).grid_id == "A");
    CHECK(loc.contact(a.grid).station_id == "S-A");
    CHECK(loc.contact(a.grid).manager_id.empty());
    const auto b = loc.locate({15.5, 9.99});
    CHECK(b.inside);
    CHECK(loc.contact(b.grid).grid_id == "B");
    CHECK_THROWS_AS(loc.contact(2), Error);
}

TEST_CASE("points on a shared border go to the lowest grid index, whatever the order of the grids")
{
    for (const bool a_first : {true, false}) {
        std::vector<LocatorGrid> grids{grid("A", {Polygon{square(0, 0, 10, 10), {}}}),
                                       grid("B", {Polygon{square(10, 0, 20, 10), {}}})};
        if (!a_first) std::swap(grids[0], grids[1]);
        const Locator loc(grids);
        for (const Point p : {Point{10, 5}, Point{10, 0}, Point{10, 10}, Point{10, 3.25}}) {
            const auto r = loc.locate(p);
            CHECK(r.inside);
            CHECK(r.grid == 0);
            CHECK(r.distance_m == 0.0);
        }
        // The outer border belongs to the grid it bounds (grids are closed).
        const auto left = loc.locate({0, 5});
        CHECK(left.inside);
        CHECK(loc.contact(left.grid).grid_id == "A");
        const auto corner = loc.locate({20, 10});
        CHECK(corner.inside);
        CHECK(loc.contact(corner.grid).grid_id == "B");
    }
}

TEST_CASE("a hole belongs to no grid unless another grid fills it")
{
    Polygon ring_shape{square(0, 0, 30, 30), {square(10, 10, 20, 20)}};
    {
        const Locator loc({grid("ring", {ring_shape})});
        const auto in_hole = loc.locate({15, 12});
        CHECK_FALSE(in_hole.inside);
        CHECK(in_hole.grid == 0);
        CHECK(in_hole.distance_m == doctest::Approx(2.0));
        CHECK(loc.locate({5, 5}).inside);
        CHECK(loc.locate({10, 15}).inside); // on the hole's border: in the grid
    }
    const Locator loc({grid("ring", {ring_shape}), grid("core", {Polygon{square(10, 10, 20, 20), {}}})});
    const auto core = loc.locate({15, 12});
    CHECK(core.inside);
    CHECK(loc.contact(core.grid).grid_id == "core");
    const auto border = loc.locate({20, 15}); // shared by both: lowest index
    CHECK(border.inside);
    CHECK(loc.contact(border.grid).grid_id == "ring");
}

TEST_CASE("a multipolygon grid answers for each of its parts and not for the gap between them")
{
    const Locator loc({grid("islands", {Polygon{square(0, 0, 10, 10), {}}, Polygon{square(50, 0, 60, 10), {}}}),
                       grid("other", {Polygon{square(0, 40, 60, 50), {}}})});
    CHECK(loc.contact(loc.locate({5, 5}).grid).grid_id == "islands");
    CHECK(loc.contact(loc.locate({55, 5}).grid).grid_id == "islands");
    const auto gap = loc.locate({30, 5});
    CHECK_FALSE(gap.inside);
    CHECK(gap.distance_m == doctest::Approx(20.0)); // 20 m to either island, 35 m to "other"
    CHECK(loc.contact(gap.grid).grid_id == "islands");
    const auto below_other = loc.locate({30, 36});
    CHECK_FALSE(below_other.inside);
    CHECK(below_other.distance_m == doctest::Approx(4.0));
    CHECK(loc.contact(below_other.grid).grid_id == "other");
}

TEST_CASE("a point outside every grid gets the nearest grid and the distance to it, also far away")
{
    const Locator loc({grid("A", {Polygon{square(0, 0, 10, 10), {}}}), grid("B", {Polygon{square(10, 0, 20, 10), {}}})});
    const auto right = loc.locate({23, 14});
    CHECK_FALSE(right.inside);
    CHECK(loc.contact(right.grid).grid_id == "B");
    CHECK(right.distance_m == doctest::Approx(5.0)); // to the corner (20, 10)
    const auto far = loc.locate({-3000, 5});
    CHECK_FALSE(far.inside);
    CHECK(loc.contact(far.grid).grid_id == "A");
    CHECK(far.distance_m == doctest::Approx(3000.0));
    const auto below = loc.locate({10, -2}); // equally near A and B: the lowest index
    CHECK(below.grid == 0);
    CHECK(below.distance_m == doctest::Approx(2.0));
}

TEST_CASE("non-finite points and an empty Locator answer no grid")
{
    const Locator loc({grid("A", {Polygon{square(0, 0, 10, 10), {}}})});
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const auto r = loc.locate({nan, 1});
    CHECK(r.grid == Location::none);
    CHECK_FALSE(r.inside);
    CHECK(std::isnan(r.distance_m));
    const Locator empty;
    CHECK(empty.size() == 0);
    CHECK(empty.locate({1, 1}).grid == Location::none);
    const Locator no_edges(std::vector<LocatorGrid>{grid("E", {})});
    CHECK(no_edges.locate({1, 1}).grid == Location::none);
    CHECK_THROWS_AS(Locator({grid("bad", {Polygon{{{0, 0}, {1, 0}, {nan, 1}, {0, 0}}, {}}})}), Error);
}

TEST_CASE("unclosed rings and repeated vertices are accepted")
{
    const Locator loc({grid("A", {Polygon{{{0, 0}, {10, 0}, {10, 0}, {10, 10}, {0, 10}}, {}}})});
    CHECK(loc.locate({5, 5}).inside);
    CHECK(loc.locate({0, 5}).inside); // the closing edge exists
    CHECK(loc.stats().edges == 4);
}

TEST_CASE("random points over a tessellation with gaps, holes and a multipolygon agree with brute force")
{
    std::mt19937 rng(42);
    const auto grids = tessellation(rng);
    std::vector<Point> points;
    std::uniform_real_distribution<double> coord(-150.0, 750.0);
    for (int i = 0; i < 20000; ++i) points.push_back({coord(rng), coord(rng)});
    // Points exactly on borders: every vertex, and points on axis-aligned frame edges.
    for (const auto& g : grids)
        for (const auto& poly : g.shape) {
            for (const auto& p : poly.outer) points.push_back(p);
            for (const auto& h : poly.holes)
                for (const auto& p : h) points.push_back(p);
        }
    // Points level with a vertex or straight above it: rays and segments through vertices.
    std::uniform_int_distribution<std::size_t> pick(0, grids.size() - 1);
    for (int i = 0; i < 3000; ++i) {
        const Ring& r = grids[pick(rng)].shape.front().outer;
        const Point& v = r[static_cast<std::size_t>(i) % (r.size() - 1)];
        points.push_back({coord(rng), v.y});
        points.push_back({v.x, coord(rng)});
    }
    for (int k = 0; k <= 600; k += 7) {
        points.push_back({double(k), 0.0});
        points.push_back({0.0, double(k)});
        points.push_back({600.0, double(k)});
        points.push_back({double(k), 600.0});
        points.push_back({double(k), 200.0}); // on lattice lines only where both ends are fixed
    }
    for (const double cells_per_edge : {0.01, 0.5, 2.0, 40.0}) {
        CAPTURE(cells_per_edge);
        LocatorOptions o;
        o.cells_per_edge = cells_per_edge;
        const Locator loc(grids, o);
        const auto s = loc.stats();
        CHECK(s.grids == grids.size());
        CHECK(s.border_cells > 0);
        CHECK(s.border_cells <= s.cells);
        CHECK(s.memory_bytes > s.cells * 4);
        check_against_brute(grids, loc, points);
    }
}

TEST_CASE("forty grids meeting in one cell take the general path and still agree with brute force")
{
    // Wedges of a disc around the origin: the centre cell sees all forty grids.
    std::vector<LocatorGrid> grids;
    const double pi = 3.14159265358979323846;
    for (int k = 0; k < 40; ++k) {
        const double a0 = 2 * pi * k / 40, a1 = 2 * pi * (k + 1) / 40;
        grids.push_back(grid("w" + std::to_string(k),
                             {Polygon{{{0, 0}, {100 * std::cos(a0), 100 * std::sin(a0)},
                                       {100 * std::cos(a1), 100 * std::sin(a1)}, {0, 0}},
                                      {}}}));
    }
    LocatorOptions o;
    o.cells_per_edge = 0.01; // the 64-cell minimum
    const Locator loc(grids, o);
    std::mt19937 rng(5);
    std::uniform_real_distribution<double> coord(-3.0, 3.0);
    std::vector<Point> points{{0, 0}};
    for (int i = 0; i < 5000; ++i) points.push_back({coord(rng), coord(rng)});
    check_against_brute(grids, loc, points);
    CHECK(loc.locate({0, 0}).grid == 0); // the common vertex: lowest index
}

TEST_CASE("queries from several threads at once give the answers of one thread")
{
    std::mt19937 rng(9);
    const auto grids = tessellation(rng);
    const Locator loc(grids);
    std::vector<Point> points;
    std::uniform_real_distribution<double> coord(-100.0, 700.0);
    for (int i = 0; i < 20000; ++i) points.push_back({coord(rng), coord(rng)});
    std::vector<Location> single(points.size());
    for (std::size_t i = 0; i < points.size(); ++i) single[i] = loc.locate(points[i]);
    std::vector<Location> multi(points.size());
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            for (std::size_t i = t; i < points.size(); i += 4) multi[i] = loc.locate(points[i]);
        });
    for (auto& th : threads) th.join();
    std::size_t differ = 0;
    for (std::size_t i = 0; i < points.size(); ++i)
        differ += single[i].grid != multi[i].grid || single[i].inside != multi[i].inside ||
                  single[i].distance_m != multi[i].distance_m;
    CHECK(differ == 0);
}
