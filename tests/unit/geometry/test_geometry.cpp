// Spec of the geometry module's internal interface (libgrid/src/geometry/geometry.hpp).
#include "geometry/geometry.hpp"

#include <libgrid/error.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <sstream>
#include <string>

using namespace libgrid;
using namespace libgrid::detail;

namespace {

// A small reader for "POLYGON((x y, ...), (...))" and "MULTIPOLYGON(((...)), ((...)))", so
// that cases read like WKT. Rings are taken as written (not closed or checked).
MultiPolygon wkt(const std::string& text)
{
    std::istringstream in(text);
    auto skip = [&](char c) {
        in >> std::ws;
        if (in.peek() == c) {
            in.get();
            return true;
        }
        return false;
    };
    auto read_ring = [&]() {
        Ring ring;
        REQUIRE(skip('('));
        do {
            Point p;
            in >> p.x >> p.y;
            ring.push_back(p);
        } while (skip(','));
        REQUIRE(skip(')'));
        return ring;
    };
    auto read_polygon = [&]() {
        Polygon poly;
        REQUIRE(skip('('));
        poly.outer = read_ring();
        while (skip(',')) poly.holes.push_back(read_ring());
        REQUIRE(skip(')'));
        return poly;
    };
    std::string tag;
    while (std::isalpha(in.peek()) != 0) tag += static_cast<char>(in.get());
    MultiPolygon out;
    if (tag == "POLYGON") {
        out.push_back(read_polygon());
    } else {
        REQUIRE(tag == "MULTIPOLYGON");
        REQUIRE(skip('('));
        do out.push_back(read_polygon());
        while (skip(','));
        REQUIRE(skip(')'));
    }
    return out;
}

// Axis-aligned rectangle, counter-clockwise.
MultiPolygon rect(double x0, double y0, double x1, double y1)
{
    return {Polygon{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}, {}}};
}

} // namespace

TEST_CASE("make_valid splits a bow-tie into its two triangles")
{
    MultiPolygon bow_tie = wkt("POLYGON((0 0, 2 2, 2 0, 0 2, 0 0))");
    const RepairResult r = make_valid(bow_tie);
    CHECK_FALSE(r.was_valid);
    CHECK(r.reason.find("Self-intersection") != std::string::npos);
    CHECK(bow_tie.size() == 2);
    CHECK(area(bow_tie) == doctest::Approx(2.0));
}

TEST_CASE("make_valid leaves a valid polygon and an empty one alone")
{
    MultiPolygon square = wkt("POLYGON((0 0, 1 0, 1 1, 0 1, 0 0))");
    const MultiPolygon before = square;
    const RepairResult r = make_valid(square);
    CHECK(r.was_valid);
    CHECK(r.reason.empty());
    REQUIRE(square.size() == 1);
    CHECK(square[0].outer.size() == before[0].outer.size());

    MultiPolygon empty;
    CHECK(make_valid(empty).was_valid);
    CHECK(empty.empty());
}

TEST_CASE("make_valid closes an open ring and drops a collapsed one")
{
    MultiPolygon open = wkt("POLYGON((0 0, 1 0, 1 1, 0 1))");
    CHECK_FALSE(make_valid(open).was_valid);
    CHECK(area(open) == doctest::Approx(1.0));

    MultiPolygon flat = wkt("POLYGON((0 0, 1 0, 2 0, 0 0))"); // zero area: nothing polygonal left
    CHECK_FALSE(make_valid(flat).was_valid);
    CHECK(flat.empty());
}

TEST_CASE("PolygonIndex locates points inside, outside, on a border and in a hole")
{
    const std::vector<MultiPolygon> shapes = {
        wkt("POLYGON((0 0, 1 0, 1 1, 0 1, 0 0))"),
        wkt("POLYGON((1 0, 3 0, 3 3, 1 3, 1 0), (2 1, 2.5 1, 2.5 2, 2 2, 2 1))"),
        {}, // empty shapes keep their index but are never found
    };
    const PolygonIndex index(shapes);
    CHECK(index.locate({0.5, 0.5}) == 0);
    CHECK(index.locate({1.5, 2.5}) == 1);
    CHECK(index.locate({5.0, 5.0}) == npos);
    CHECK(index.locate({1.0, 0.5}) == 0); // shared border: the lower index
    CHECK(index.locate({1.0, 2.0}) == 1); // on the boundary of shape 1 only
    CHECK(index.locate({2.25, 1.5}) == npos); // in the hole

    const auto [inside, d0] = index.nearest({0.5, 0.5});
    CHECK(inside == 0);
    CHECK(d0 == 0.0);
    const auto [near, d1] = index.nearest({5.0, 1.0});
    CHECK(near == 1);
    CHECK(d1 == doctest::Approx(2.0));
    const auto [in_hole, d2] = index.nearest({2.1, 1.5});
    CHECK(in_hole == 1);
    CHECK(d2 == doctest::Approx(0.1));

    const PolygonIndex none({});
    CHECK(none.locate({0, 0}) == npos);
    CHECK(none.nearest({0, 0}).first == npos);
}

TEST_CASE("find_overlaps reports interior overlaps, not shared borders")
{
    const std::vector<MultiPolygon> shapes = {
        wkt("POLYGON((0 0, 2 0, 2 2, 0 2, 0 0))"),
        wkt("POLYGON((1 1, 3 1, 3 3, 1 3, 1 1))"), // overlaps shape 0 by a 1x1 square
        wkt("POLYGON((2 0, 4 0, 4 1, 2 1, 2 0))"), // touches 0 along x = 2, overlaps nothing
        wkt("POLYGON((10 10, 11 10, 11 11, 10 10))"),
    };
    const std::vector<Overlap> overlaps = find_overlaps(shapes, 0.0);
    REQUIRE(overlaps.size() == 1);
    CHECK(overlaps[0].a == 0);
    CHECK(overlaps[0].b == 1);
    CHECK(overlaps[0].area == doctest::Approx(1.0));

    CHECK(find_overlaps(shapes, 1.5).empty()); // below the threshold
}

TEST_CASE("difference keeps the polygonal part of a minus b")
{
    const MultiPolygon d = difference(rect(0, 0, 2, 2), rect(1, 0, 3, 2));
    CHECK(area(d) == doctest::Approx(2.0));
    CHECK(area(difference(rect(0, 0, 1, 1), {})) == doctest::Approx(1.0));
    CHECK(difference(rect(0, 0, 1, 1), rect(-1, -1, 2, 2)).empty());
}

TEST_CASE("nest_by_overlap picks the parent with the largest overlap")
{
    const std::vector<MultiPolygon> parents = {rect(0, 0, 10, 10), rect(10, 0, 20, 10)};
    const std::vector<MultiPolygon> children = {
        rect(1, 1, 2, 2),   // wholly in parent 0
        rect(9, 0, 12, 1),  // 1 in parent 0, 2 in parent 1
        rect(30, 0, 31, 1), // in no parent
        {},
    };
    const std::vector<std::size_t> nest = nest_by_overlap(children, parents);
    CHECK(nest == std::vector<std::size_t>{0, 1, npos, npos});
}

TEST_CASE("buffered_hull is the convex hull grown by d")
{
    const MultiPolygon hull = buffered_hull({{0, 0}, {2, 0}, {2, 2}, {0, 2}, {1, 1}}, 1.0);
    // 2x2 square + four 2x1 strips + a full circle of radius 1 (approximated by 32 segments).
    CHECK(area(hull) == doctest::Approx(4.0 + 8.0 + M_PI).epsilon(0.01));
    CHECK(buffered_hull({}, 1.0).empty());
    CHECK_THROWS_AS(buffered_hull({{0, 0}}, 0.0), Error);
}

TEST_CASE("shared_borders on a 3x3 grid of unit squares finds the 12 interior borders")
{
    std::vector<MultiPolygon> grid;
    for (int row = 0; row < 3; ++row)
        for (int col = 0; col < 3; ++col) grid.push_back(rect(col, row, col + 1, row + 1));
    for (double tol : {0.0, 1e-6}) {
        CAPTURE(tol);
        const std::vector<SharedBorder> borders = shared_borders(grid, tol);
        REQUIRE(borders.size() == 12);
        for (const SharedBorder& b : borders) {
            CHECK(b.a < b.b);
            CHECK(b.length == doctest::Approx(1.0));
            // neighbours differ by one column (same row) or by one row
            CHECK(((b.b - b.a == 1 && b.a / 3 == b.b / 3) || b.b - b.a == 3));
        }
        CHECK(std::is_sorted(borders.begin(), borders.end(), [](const auto& x, const auto& y) {
            return x.a != y.a ? x.a < y.a : x.b < y.b;
        }));
    }
}

TEST_CASE("shared_borders measures a border split at different vertices on each side")
{
    // The common side x = 1 has a vertex at y = 0.3 on the left and at y = 0.7 on the right.
    const std::vector<MultiPolygon> shapes = {
        wkt("POLYGON((0 0, 1 0, 1 0.3, 1 1, 0 1, 0 0))"),
        wkt("POLYGON((1 0, 2 0, 2 1, 1 1, 1 0.7, 1 0))"),
    };
    const std::vector<SharedBorder> borders = shared_borders(shapes, 1e-9);
    REQUIRE(borders.size() == 1);
    CHECK(borders[0].length == doctest::Approx(1.0));
}

TEST_CASE("shared_borders counts only the overlapping part of two sides")
{
    const std::vector<MultiPolygon> shapes = {rect(0, 0, 1, 1), rect(1, 0.5, 2, 1.5),
                                              rect(1, -1, 2, 0)}; // corner contact only
    const std::vector<SharedBorder> borders = shared_borders(shapes, 0.0);
    REQUIRE(borders.size() == 1);
    CHECK(borders[0].a == 0);
    CHECK(borders[0].b == 1);
    CHECK(borders[0].length == doctest::Approx(0.5));
}

TEST_CASE("shared_borders along a diagonal and around a hole")
{
    const std::vector<MultiPolygon> shapes = {
        wkt("POLYGON((0 0, 2 0, 2 2, 0 0))"),
        wkt("POLYGON((0 0, 1 1, 2 2, 0 2, 0 0))"), // diagonal split at (1 1) on this side only
        wkt("POLYGON((10 10, 14 10, 14 14, 10 14, 10 10), (11 11, 11 13, 13 13, 13 11, 11 11))"),
        wkt("POLYGON((11 11, 13 11, 13 13, 11 13, 11 11))"), // fills the hole
    };
    const std::vector<SharedBorder> borders = shared_borders(shapes, 1e-9);
    REQUIRE(borders.size() == 2);
    CHECK(borders[0].a == 0);
    CHECK(borders[0].b == 1);
    CHECK(borders[0].length == doctest::Approx(2.0 * std::sqrt(2.0)));
    CHECK(borders[1].a == 2);
    CHECK(borders[1].b == 3);
    CHECK(borders[1].length == doctest::Approx(8.0));
}

TEST_CASE("shared_borders bridges gaps within the tolerance only")
{
    const std::vector<MultiPolygon> near = {rect(0, 0, 1, 1), rect(1.001, 0, 2, 1)};
    const std::vector<MultiPolygon> far = {rect(0, 0, 1, 1), rect(1.1, 0, 2, 1)};

    const std::vector<SharedBorder> bridged = shared_borders(near, 0.01);
    REQUIRE(bridged.size() == 1);
    CHECK(bridged[0].length == doctest::Approx(1.0));
    CHECK(shared_borders(near, 0.0001).empty());
    CHECK(shared_borders(far, 0.01).empty());
    CHECK_THROWS_AS(shared_borders(near, -1.0), Error);
}

TEST_CASE("shared_borders ignores a border shorter than the tolerance")
{
    // Two squares that share only 0.005 of a side.
    const std::vector<MultiPolygon> shapes = {rect(0, 0, 1, 1), rect(1, 0.995, 2, 1.995)};
    CHECK(shared_borders(shapes, 0.01).empty());
    REQUIRE(shared_borders(shapes, 0.001).size() == 1);
}

TEST_CASE("crosses_barriers marks the segments that cross or touch a barrier line")
{
    // A river along y = 5 from x = 0 to 10, with a bend up to (12, 8).
    const std::vector<LineFeature> river{{"river", {{0, 5}, {10, 5}, {12, 8}}}};
    const std::vector<Point> from{{1, 1}, {1, 1}, {3, 4}, {13, 5}, {20, 0}, {5, 5}, {-3, 5}};
    const std::vector<Point> to{{1, 9}, {9, 4}, {3, 6}, {10, 8}, {20, 9}, {6, 9}, {-1, 5}};
    const auto c = crosses_barriers(from, to, river);
    REQUIRE(c.size() == 7);
    CHECK(c[0] == 1); // straight across
    CHECK(c[1] == 0); // stays south
    CHECK(c[2] == 1); // short hop across
    CHECK(c[3] == 1); // across the bend
    CHECK(c[4] == 0); // beyond its end
    CHECK(c[5] == 1); // starts on the river: touching counts
    CHECK(c[6] == 0); // collinear but short of its end
    CHECK(crosses_barriers(from, to, {}) == std::vector<char>(7, 0));
    CHECK_THROWS_AS(crosses_barriers(from, {{0, 0}}, river), Error);
}

TEST_CASE("crosses_barriers agrees with a brute-force check on many random segments")
{
    // Many barrier segments make the grid index several cells wide.
    std::vector<LineFeature> lines;
    std::uint64_t state = 12345;
    auto next = [&] {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return static_cast<double>(state >> 11) / 9007199254740992.0 * 1000.0;
    };
    for (int i = 0; i < 200; ++i) {
        const Point a{next(), next()};
        lines.push_back({"b", {a, {a.x + next() / 20, a.y + next() / 20}}});
    }
    std::vector<Point> from, to;
    for (int i = 0; i < 2000; ++i) {
        const Point a{next(), next()};
        from.push_back(a);
        to.push_back({a.x + next() / 25 - 20, a.y + next() / 25 - 20});
    }
    const auto fast = crosses_barriers(from, to, lines);
    std::size_t hits = 0;
    for (std::size_t i = 0; i < from.size(); ++i) {
        bool any = false;
        for (const auto& l : lines) any = any || crosses_barriers({from[i]}, {to[i]}, {l})[0];
        CHECK(fast[i] == static_cast<char>(any));
        hits += any ? 1 : 0;
    }
    CHECK(hits > 20); // the case is not trivial
}

namespace {

// Directed boundary segments of a set of shapes, each with the shape it belongs to.
struct Segment {
    Point a, b;
    std::size_t shape;
};
std::vector<Segment> segments_of(const std::vector<MultiPolygon>& shapes)
{
    std::vector<Segment> out;
    for (std::size_t s = 0; s < shapes.size(); ++s)
        for (const Polygon& poly : shapes[s]) {
            auto add = [&](const Ring& r) {
                for (std::size_t i = 0; i + 1 < r.size(); ++i) out.push_back({r[i], r[i + 1], s});
            };
            add(poly.outer);
            for (const Ring& h : poly.holes) add(h);
        }
    return out;
}

// Number of segments with no exact reverse segment in another shape, leaving out those on the
// given lines x = c or y = c (the outer edge of the tiled area).
std::size_t unmatched_segments(const std::vector<MultiPolygon>& shapes,
                               const std::vector<double>& edge_x, const std::vector<double>& edge_y)
{
    const std::vector<Segment> segs = segments_of(shapes);
    std::size_t unmatched = 0;
    for (const Segment& s : segs) {
        const bool on_edge =
            std::any_of(edge_x.begin(), edge_x.end(), [&](double c) { return s.a.x == c && s.b.x == c; }) ||
            std::any_of(edge_y.begin(), edge_y.end(), [&](double c) { return s.a.y == c && s.b.y == c; });
        if (on_edge) continue;
        const bool matched = std::any_of(segs.begin(), segs.end(), [&](const Segment& o) {
            return o.shape != s.shape && o.a.x == s.b.x && o.a.y == s.b.y && o.b.x == s.a.x &&
                   o.b.y == s.a.y;
        });
        if (!matched) ++unmatched;
    }
    return unmatched;
}

} // namespace

TEST_CASE("node_coverage gives both sides of a border the same vertices")
{
    // The common side x = 1 has a vertex at y = 0.3 on the left and at y = 0.7 on the right.
    std::vector<MultiPolygon> shapes = {
        wkt("POLYGON((0 0, 1 0, 1 0.3, 1 1, 0 1, 0 0))"),
        wkt("POLYGON((1 0, 2 0, 2 1, 1 1, 1 0.7, 1 0))"),
    };
    REQUIRE(unmatched_segments(shapes, {0, 2}, {0, 1}) == 4);
    const CoverageNoding stats = node_coverage(shapes, 1e-6);
    CHECK(stats.inserted == 2);
    CHECK(stats.snapped == 0);
    CHECK(unmatched_segments(shapes, {0, 2}, {0, 1}) == 0);
    CHECK(area(shapes[0]) == doctest::Approx(1.0));
    CHECK(area(shapes[1]) == doctest::Approx(1.0));
    CHECK(shapes[0][0].outer.size() == 7);
    CHECK(shapes[0][0].outer.front().x == shapes[0][0].outer.back().x);
}

TEST_CASE("node_coverage merges a crossing point computed twice with rounding noise")
{
    // Both sides have a vertex near (1, 0.5), 1e-9 apart, and a third shape meets the border
    // at a T-junction (its corner (1, 0.25) lies on the left square's side).
    std::vector<MultiPolygon> shapes = {
        wkt("POLYGON((0 0, 1 0, 1 0.5, 1 1, 0 1, 0 0))"),
        wkt("POLYGON((1 0.25, 2 0.25, 2 1, 1 1, 1 0.500000001, 1 0.25))"),
        wkt("POLYGON((1 0, 2 0, 2 0.25, 1 0.25, 1 0))"),
    };
    const CoverageNoding stats = node_coverage(shapes, 1e-6);
    CHECK(stats.snapped == 1);
    CHECK(stats.inserted == 1); // (1, 0.25) into the left square's side
    CHECK(unmatched_segments(shapes, {0, 2}, {0, 1}) == 0);
    CHECK(shapes[1][0].outer[4].y == 0.5); // moved onto the first shape's vertex
}

TEST_CASE("node_coverage leaves a clean coverage alone and drops collapsed rings")
{
    std::vector<MultiPolygon> shapes = {rect(0, 0, 1, 1), rect(1, 0, 2, 1), rect(0, 1, 2, 2)};
    const std::vector<MultiPolygon> before = shapes;
    // The top rectangle's side y = 1 is one segment under two: the corner (1, 1) goes in.
    const CoverageNoding stats = node_coverage(shapes, 1e-6);
    CHECK(stats.snapped == 0);
    CHECK(stats.inserted == 1);
    CHECK(unmatched_segments(shapes, {0, 2}, {0, 2}) == 0);
    CHECK(node_coverage(shapes, 1e-6).inserted == 0); // a second pass finds nothing to do

    // A sliver narrower than the snap distance collapses and is dropped.
    std::vector<MultiPolygon> sliver = {wkt("POLYGON((0 0, 1 0, 1 1e-9, 0 0))"), rect(5, 5, 6, 6)};
    node_coverage(sliver, 1e-6);
    CHECK(sliver[0].empty());
    CHECK(area(sliver[1]) == doctest::Approx(1.0));
    CHECK_THROWS_AS(node_coverage(sliver, -1.0), Error);
}

TEST_CASE("find_overlaps and nest_by_overlap give the same answers on several threads")
{
    // 900 unit squares (several blocks of work), three of them shifted onto a neighbour.
    std::vector<MultiPolygon> squares;
    for (int y = 0; y < 30; ++y)
        for (int x = 0; x < 30; ++x) {
            const double dx = (x * 30 + y) % 301 == 0 ? 0.5 : 0.0;
            squares.push_back(rect(x + dx, y, x + 1 + dx, y + 1));
        }
    const std::vector<Overlap> one = find_overlaps(squares, 1e-9, 1);
    const std::vector<Overlap> three = find_overlaps(squares, 1e-9, 3);
    REQUIRE(one.size() == 3);
    REQUIRE(three.size() == one.size());
    for (std::size_t i = 0; i < one.size(); ++i) {
        CHECK(one[i].a == three[i].a);
        CHECK(one[i].b == three[i].b);
        CHECK(one[i].area == doctest::Approx(0.5));
    }

    // Parents: 3 x 3 blocks of the squares.
    std::vector<MultiPolygon> parents;
    for (int y = 0; y < 10; ++y)
        for (int x = 0; x < 10; ++x) parents.push_back(rect(3 * x, 3 * y, 3 * x + 3, 3 * y + 3));
    const std::vector<std::size_t> p1 = nest_by_overlap(squares, parents, 1);
    const std::vector<std::size_t> p2 = nest_by_overlap(squares, parents, 2);
    CHECK(p1 == p2);
    for (int y = 0; y < 30; ++y)
        for (int x = 0; x < 30; ++x)
            if ((x * 30 + y) % 301 != 0)
                CHECK(p1[static_cast<std::size_t>(y * 30 + x)] ==
                      static_cast<std::size_t>((y / 3) * 10 + x / 3));
}
