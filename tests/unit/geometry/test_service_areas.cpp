// Spec of build_service_areas() (libgrid/service_areas.hpp).
#include <libgrid/error.hpp>
#include <libgrid/metrics.hpp>
#include <libgrid/service_areas.hpp>

#include "geometry/geometry.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <string>

using namespace libgrid;

namespace {

MultiPolygon rect(double x0, double y0, double x1, double y1)
{
    return {Polygon{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}, {}}};
}

// A territory with one admin level made of the given units (ids "U0", "U1", ...).
Territory with_units(const std::vector<MultiPolygon>& units)
{
    Territory t;
    AdminLevel level;
    level.name = "units";
    level.file = "units.gpkg";
    level.layer = "units";
    for (std::size_t i = 0; i < units.size(); ++i) {
        AdminUnit u;
        u.id = "U" + std::to_string(i);
        u.shape = units[i];
        level.units.push_back(u);
    }
    t.levels.push_back(level);
    return t;
}

// Adds a point transformer "T<i>" in the given unit (npos: no boundaries or outside).
void add_transformer(Territory& t, Point where, std::size_t unit = npos)
{
    TransformerArea tr;
    tr.id = "T" + std::to_string(t.transformers.size());
    tr.customers = 10;
    tr.location = where;
    t.transformers.push_back(tr);
    if (!t.levels.empty()) t.transformer_unit.push_back(unit);
}

double total_area(const std::vector<MultiPolygon>& shapes)
{
    return std::accumulate(shapes.begin(), shapes.end(), 0.0,
                           [](double s, const MultiPolygon& m) { return s + area(m); });
}

// The output tiles `study_area`: no two areas overlap and together they cover it exactly.
void check_tiling(const std::vector<MultiPolygon>& shapes, double study_area)
{
    CHECK(detail::find_overlaps(shapes, 1e-9 * study_area).empty());
    CHECK(total_area(shapes) == doctest::Approx(study_area).epsilon(1e-9));
}

// Every transformer lies in its own area (and in no other).
void check_points_in_own_area(const Territory& t, const ServiceAreas& sa)
{
    const detail::PolygonIndex index(sa.shapes);
    for (std::size_t i = 0; i < t.transformers.size(); ++i) {
        CAPTURE(i);
        CHECK(index.locate(t.transformers[i].location) == i);
    }
}

} // namespace

TEST_CASE("service areas of point transformers follow the admin units")
{
    // Two 10x10 units side by side; three transformers in the left one, one in the right.
    Territory t = with_units({rect(0, 0, 10, 10), rect(10, 0, 20, 10)});
    add_transformer(t, {2, 2}, 0);
    add_transformer(t, {8, 3}, 0);
    add_transformer(t, {5, 8}, 0);
    add_transformer(t, {15, 5}, 1);

    ValidationReport report;
    const ServiceAreas sa = build_service_areas(t, report);
    CHECK(sa.study_area == "boundaries");
    REQUIRE(sa.shapes.size() == 4);
    check_tiling(sa.shapes, 200.0);
    check_points_in_own_area(t, sa);
    // The only transformer of a unit gets all of it; the others share theirs.
    CHECK(area(sa.shapes[3]) == doctest::Approx(100.0));
    CHECK(area(sa.shapes[0]) + area(sa.shapes[1]) + area(sa.shapes[2]) ==
          doctest::Approx(100.0));
    CHECK(sa.attached_units.empty());
    CHECK(report.issues.empty());
}

TEST_CASE("an admin unit without transformer is attached to its longest neighbour")
{
    // U0 holds T0 (west half) and T1 (east half). U1 touches only U0 (along x = 10, all in
    // T1's half); U2 touches only U1, so it can be attached once U1 is.
    Territory t = with_units({rect(0, 0, 10, 10), rect(10, 0, 20, 10), rect(20, 0, 30, 10),
                              rect(100, 100, 101, 101)}); // U3 touches nothing
    add_transformer(t, {2, 5}, 0);
    add_transformer(t, {8, 5}, 0);

    ValidationReport report;
    const ServiceAreas sa = build_service_areas(t, report);
    REQUIRE(sa.attached_units.size() == 3);
    CHECK(sa.attached_units[0].unit == 1);
    CHECK(sa.attached_units[0].transformer == 1);
    CHECK(sa.attached_units[1].unit == 2);
    CHECK(sa.attached_units[1].transformer == 1);
    CHECK(sa.attached_units[2].unit == 3);
    CHECK(sa.attached_units[2].transformer == npos);
    CHECK(sa.attached_units[0].level == 0);

    REQUIRE(report.issues.size() == 3);
    const Issue& info = report.issues[0];
    CHECK(info.severity == Severity::info);
    CHECK(info.code == IssueCode::unit_without_transformer);
    CHECK(info.file == "units.gpkg");
    CHECK(info.layer == "units");
    CHECK(info.feature_id == "U1");
    CHECK(info.message == "admin unit has no transformer; attached to the area of transformer 'T1'");
    CHECK(report.issues[2].severity == Severity::warning);
    CHECK(report.issues[2].feature_id == "U3");

    check_tiling(sa.shapes, 300.0); // U3 is in no area
    CHECK(area(sa.shapes[1]) == doctest::Approx(250.0));
    check_points_in_own_area(t, sa);
}

TEST_CASE("transformers at one place share that place's area in equal-angle sectors")
{
    Territory t = with_units({rect(0, 0, 10, 10)});
    add_transformer(t, {2, 5}, 0);
    add_transformer(t, {8, 5}, 0);
    add_transformer(t, {2, 5}, 0); // same place as T0 (a bank on one pole)

    ValidationReport report;
    const ServiceAreas sa = build_service_areas(t, report);
    check_tiling(sa.shapes, 100.0);
    // T0's Voronoi cell is the left half (50); T0 and T2 split it at (2, 5): the sector from
    // 90 to 270 degrees (everything left of x = 2, 20) and the rest (30).
    CHECK(area(sa.shapes[0]) == doctest::Approx(20.0));
    CHECK(area(sa.shapes[2]) == doctest::Approx(30.0));
    CHECK(area(sa.shapes[1]) == doctest::Approx(50.0));
    CHECK(report.issues.empty());
    // The two sectors border each other, so the bank stays connected in the graph.
    const auto borders = detail::shared_borders(sa.shapes, 1e-6);
    CHECK(std::any_of(borders.begin(), borders.end(),
                      [](const detail::SharedBorder& b) { return b.a == 0 && b.b == 2; }));
}

TEST_CASE("transformers outside every unit get no area and no second report")
{
    Territory t = with_units({rect(0, 0, 10, 10)});
    add_transformer(t, {5, 5}, 0);
    add_transformer(t, {50, 50}, npos);
    ValidationReport report;
    const ServiceAreas sa = build_service_areas(t, report);
    CHECK(area(sa.shapes[0]) == doctest::Approx(100.0));
    CHECK(sa.shapes[1].empty());
    CHECK(report.issues.empty());
}

TEST_CASE("collinear transformers split a unit into strips")
{
    Territory t = with_units({rect(0, 0, 30, 10)});
    add_transformer(t, {5, 5}, 0);
    add_transformer(t, {15, 5}, 0);
    add_transformer(t, {25, 5}, 0);
    ValidationReport report;
    const ServiceAreas sa = build_service_areas(t, report);
    check_tiling(sa.shapes, 300.0);
    for (const MultiPolygon& s : sa.shapes) CHECK(area(s) == doctest::Approx(100.0));
    check_points_in_own_area(t, sa);
}

TEST_CASE("without boundaries the study area is the buffered convex hull")
{
    Territory t;
    for (double x : {0.0, 100.0, 200.0})
        for (double y : {0.0, 100.0}) add_transformer(t, {x, y});

    SUBCASE("given buffer")
    {
        ServiceAreaOptions options;
        options.hull_buffer_m = 10.0;
        ValidationReport report;
        const ServiceAreas sa = build_service_areas(t, report, options);
        CHECK(sa.study_area == "convex hull + 10 m");
        const double hull_area = area(detail::buffered_hull(
            {{0, 0}, {200, 0}, {200, 100}, {0, 100}}, 10.0));
        check_tiling(sa.shapes, hull_area);
        check_points_in_own_area(t, sa);
        CHECK(report.issues.empty());
    }
    SUBCASE("points on a line: the hull is a buffered segment")
    {
        Territory line;
        for (double x : {0.0, 10.0, 20.0}) add_transformer(line, {x, 0.0});
        ServiceAreaOptions options;
        options.hull_buffer_m = 5.0;
        ValidationReport report;
        const ServiceAreas sa = build_service_areas(line, report, options);
        check_tiling(sa.shapes, area(detail::buffered_hull({{0, 0}, {20, 0}}, 5.0)));
        check_points_in_own_area(line, sa);
    }
    SUBCASE("default buffer: twice the median nearest-neighbour distance")
    {
        ValidationReport report;
        const ServiceAreas sa = build_service_areas(t, report);
        CHECK(sa.study_area == "convex hull + 200 m");
        check_points_in_own_area(t, sa);
    }
}

TEST_CASE("customer points shape the areas, across units")
{
    // Left unit: T0 and T1, whose customers sit on the left and right edges; T1 also serves a
    // customer in the right unit, which it shares with T2 (no customer points: its own point).
    Territory t = with_units({rect(0, 0, 10, 10), rect(10, 0, 20, 10)});
    add_transformer(t, {4, 5}, 0);
    add_transformer(t, {6, 5}, 0);
    add_transformer(t, {18, 5}, 1);
    for (double y : {1.0, 5.0, 9.0}) {
        t.customers.push_back(CustomerPoint{0, {1, y}});
        t.customers.push_back(CustomerPoint{1, {9, y}});
    }
    t.customers.push_back(CustomerPoint{1, {12, 5}});
    t.customers.push_back(CustomerPoint{1, {12, 5}}); // same place, same transformer: fine

    ValidationReport report;
    const ServiceAreas sa = build_service_areas(t, report);
    check_tiling(sa.shapes, 200.0);
    // Cell border of the customers is x = 5 in the left unit, x = 15 in the right one.
    CHECK(area(sa.shapes[0]) == doctest::Approx(50.0));
    CHECK(area(sa.shapes[1]) == doctest::Approx(100.0));
    CHECK(area(sa.shapes[2]) == doctest::Approx(50.0));
    const detail::PolygonIndex index(sa.shapes);
    for (const CustomerPoint& c : t.customers) CHECK(index.locate(c.location) == c.transformer);
    CHECK(report.issues.empty());

    SUBCASE("ignored when use_customers is false")
    {
        ServiceAreaOptions options;
        options.use_customers = false;
        const ServiceAreas plain = build_service_areas(t, report, options);
        CHECK(area(plain.shapes[0]) == doctest::Approx(50.0));
        CHECK(area(plain.shapes[2]) == doctest::Approx(100.0));
    }
}

TEST_CASE("transformer polygons are used as given")
{
    Territory t;
    add_transformer(t, {0.5, 0.5});
    add_transformer(t, {1.5, 0.5});
    t.transformers[0].shape = rect(0, 0, 1, 1);
    t.transformers[1].shape = rect(1, 0, 2, 1);
    ValidationReport report;
    const ServiceAreas sa = build_service_areas(t, report);
    CHECK(sa.study_area == "given polygons");
    CHECK(area(sa.shapes[1]) == doctest::Approx(1.0));
}

TEST_CASE("progress reaches 1 and validate() is required")
{
    Territory t = with_units({rect(0, 0, 10, 10)});
    add_transformer(t, {5, 5}, 0);
    add_transformer(t, {6, 5}, 0);
    std::vector<double> seen;
    ServiceAreaOptions options;
    options.progress = [&](const Progress& p) {
        CHECK(p.stage == "service areas");
        seen.push_back(p.fraction);
    };
    ValidationReport report;
    build_service_areas(t, report, options);
    REQUIRE_FALSE(seen.empty());
    CHECK(seen.back() == 1.0);
    CHECK(std::is_sorted(seen.begin(), seen.end()));

    t.transformer_unit.clear();
    try {
        build_service_areas(t, report);
        FAIL("expected an Error");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::invalid_argument);
    }
}

namespace {

// Segments of every area that are not exactly a segment of another area too (either way
// round: rings come in either orientation), leaving out those on the outer edge of the box
// [0, w] x [0, h] (the study area's boundary).
std::size_t unmatched_border_segments(const std::vector<MultiPolygon>& shapes, double w, double h)
{
    struct Seg {
        Point a, b;
        std::size_t shape;
    };
    std::vector<Seg> segs;
    for (std::size_t s = 0; s < shapes.size(); ++s)
        for (const Polygon& poly : shapes[s]) {
            auto add = [&](const Ring& r) {
                for (std::size_t i = 0; i + 1 < r.size(); ++i) segs.push_back({r[i], r[i + 1], s});
            };
            add(poly.outer);
            for (const Ring& hole : poly.holes) add(hole);
        }
    std::size_t unmatched = 0;
    for (const Seg& s : segs) {
        auto on = [&](double v, double c) { return v == c; };
        if ((on(s.a.x, 0) && on(s.b.x, 0)) || (on(s.a.x, w) && on(s.b.x, w)) ||
            (on(s.a.y, 0) && on(s.b.y, 0)) || (on(s.a.y, h) && on(s.b.y, h)))
            continue;
        const bool matched = std::any_of(segs.begin(), segs.end(), [&](const Seg& o) {
            return o.shape != s.shape &&
                   ((o.a.x == s.b.x && o.a.y == s.b.y && o.b.x == s.a.x && o.b.y == s.a.y) ||
                    (o.a.x == s.a.x && o.a.y == s.a.y && o.b.x == s.b.x && o.b.y == s.b.y));
        });
        if (!matched) ++unmatched;
    }
    return unmatched;
}

// A cols x rows grid of 10 x 10 units with up to 4 transformers each at pseudo-random places
// (a fixed linear congruential sequence); every fifth unit has none.
Territory unit_grid(std::size_t cols, std::size_t rows)
{
    std::vector<MultiPolygon> units;
    for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t c = 0; c < cols; ++c)
            units.push_back(rect(10.0 * static_cast<double>(c), 10.0 * static_cast<double>(r),
                                 10.0 * static_cast<double>(c + 1), 10.0 * static_cast<double>(r + 1)));
    Territory t = with_units(units);
    std::uint64_t state = 12345;
    auto next = [&]() {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return static_cast<double>(state >> 11) / 9007199254740992.0; // [0, 1)
    };
    for (std::size_t u = 0; u < units.size(); ++u) {
        if (u % 5 == 4) continue;
        const std::size_t k = 1 + static_cast<std::size_t>(next() * 4.0);
        const double x0 = units[u][0].outer[0].x;
        const double y0 = units[u][0].outer[0].y;
        for (std::size_t i = 0; i < k; ++i)
            add_transformer(t, {x0 + 0.5 + 9.0 * next(), y0 + 0.5 + 9.0 * next()}, u);
    }
    return t;
}

bool same_shapes(const std::vector<MultiPolygon>& a, const std::vector<MultiPolygon>& b)
{
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i].size() != b[i].size()) return false;
        for (std::size_t k = 0; k < a[i].size(); ++k) {
            auto same_ring = [](const Ring& r, const Ring& q) {
                return r.size() == q.size() &&
                       std::equal(r.begin(), r.end(), q.begin(), [](const Point& p, const Point& o) {
                           return p.x == o.x && p.y == o.y;
                       });
            };
            if (!same_ring(a[i][k].outer, b[i][k].outer)) return false;
            if (a[i][k].holes.size() != b[i][k].holes.size()) return false;
            for (std::size_t j = 0; j < a[i][k].holes.size(); ++j)
                if (!same_ring(a[i][k].holes[j], b[i][k].holes[j])) return false;
        }
    }
    return true;
}

} // namespace

TEST_CASE("service areas of neighbouring units form a clean coverage")
{
    // Two units side by side, five transformers each: the Voronoi edges of the two units meet
    // the common border x = 10 at different places, and each side must carry the other's.
    Territory t = with_units({rect(0, 0, 10, 10), rect(10, 0, 20, 10)});
    for (Point p : {Point{1, 1}, Point{8, 2}, Point{3, 6}, Point{9, 9}, Point{5, 4}})
        add_transformer(t, p, 0);
    for (Point p : {Point{11, 3}, Point{18, 1}, Point{14, 8}, Point{12, 6.5}, Point{17, 5}})
        add_transformer(t, p, 1);
    ValidationReport report;
    const ServiceAreas sa = build_service_areas(t, report);
    check_tiling(sa.shapes, 200.0);
    check_points_in_own_area(t, sa);
    CHECK(unmatched_border_segments(sa.shapes, 20, 10) == 0);

    // So the areas dissolve into one rectangle without holes or slivers.
    const std::vector<MultiPolygon> whole = dissolve(sa.shapes, std::vector<std::uint32_t>(10, 0), 1);
    REQUIRE(whole[0].size() == 1);
    CHECK(whole[0][0].holes.empty());
    CHECK(area(whole[0]) == doctest::Approx(200.0));
    CHECK(perimeter(whole[0]) == doctest::Approx(60.0));
}

TEST_CASE("sectors of transformers at one place keep the coverage clean with the next unit")
{
    // Three transformers at (5, 5) share the left unit in sectors from 90, 210 and 330 degrees:
    // the 330-degree border meets the common border x = 10 at y = 5 - 5 tan 30, a point the
    // right unit's area must carry too.
    Territory t = with_units({rect(0, 0, 10, 10), rect(10, 0, 20, 10)});
    add_transformer(t, {5, 5}, 0);
    add_transformer(t, {15, 5}, 1);
    add_transformer(t, {5, 5}, 0);
    add_transformer(t, {5, 5}, 0);
    ValidationReport report;
    const ServiceAreas sa = build_service_areas(t, report);
    check_tiling(sa.shapes, 200.0);
    CHECK(area(sa.shapes[1]) == doctest::Approx(100.0));
    CHECK(unmatched_border_segments(sa.shapes, 20, 10) == 0);
}

TEST_CASE("service areas and their dissolve do not depend on the number of threads")
{
    // 144 units: more than one block of units per thread.
    const Territory t = unit_grid(12, 12);
    ServiceAreaOptions one;
    one.threads = 1;
    ServiceAreaOptions three;
    three.threads = 3;
    ValidationReport r1, r3;
    const ServiceAreas a1 = build_service_areas(t, r1, one);
    const ServiceAreas a3 = build_service_areas(t, r3, three);
    CHECK(same_shapes(a1.shapes, a3.shapes));
    REQUIRE(a1.attached_units.size() == a3.attached_units.size());
    for (std::size_t i = 0; i < a1.attached_units.size(); ++i) {
        CHECK(a1.attached_units[i].unit == a3.attached_units[i].unit);
        CHECK(a1.attached_units[i].transformer == a3.attached_units[i].transformer);
    }
    CHECK(r1.issues.size() == r3.issues.size());
    check_tiling(a1.shapes, 14400.0);
    CHECK(unmatched_border_segments(a1.shapes, 120, 120) == 0);

    // Groups: 3 x 3 blocks of units, by the unit of each transformer.
    std::vector<std::uint32_t> group_of(t.transformers.size());
    for (std::size_t i = 0; i < group_of.size(); ++i) {
        const std::size_t u = t.transformer_unit[i];
        group_of[i] = static_cast<std::uint32_t>((u / 12) / 3 * 4 + (u % 12) / 3);
    }
    const std::vector<MultiPolygon> g1 = dissolve(a1.shapes, group_of, 16, 1);
    const std::vector<MultiPolygon> g2 = dissolve(a1.shapes, group_of, 16, 2);
    CHECK(same_shapes(g1, g2));
    CHECK(total_area(g1) == doctest::Approx(14400.0));
    for (const MultiPolygon& g : g1) {
        CHECK(g.size() >= 1);
        for (const Polygon& poly : g) CHECK(poly.holes.empty());
    }
}

TEST_CASE("a part of a cell cut off by the unit's border goes to the neighbour with the longest border")
{
    // A U: 30 x 30 minus the notch [10, 20] x [10, 30]. T0 at the top of the left arm, T1
    // at the bottom left: the bisector y = 15 gives T0's cell the tops of both arms, and the
    // top of the right arm is cut off from T0 by the notch. It borders only T1's area (15 m
    // along y = 15), so it goes there: every area is one polygon, and the move is reported.
    Territory t = with_units({MultiPolygon{Polygon{
        {{0, 0}, {30, 0}, {30, 30}, {20, 30}, {20, 10}, {10, 10}, {10, 30}, {0, 30}, {0, 0}}, {}}}});
    add_transformer(t, {5, 28}, 0);
    add_transformer(t, {5, 2}, 0);
    ValidationReport report;
    const ServiceAreas sa = build_service_areas(t, report);
    check_tiling(sa.shapes, 700.0);
    check_points_in_own_area(t, sa);
    CHECK(sa.shapes[0].size() == 1);
    CHECK(sa.shapes[1].size() == 1);
    CHECK(area(sa.shapes[0]) == doctest::Approx(150.0));
    CHECK(area(sa.shapes[1]) == doctest::Approx(550.0));
    REQUIRE(sa.moved_parts.size() == 1);
    CHECK(sa.moved_parts[0].from == 0);
    CHECK(sa.moved_parts[0].to == 1);
    CHECK(sa.moved_parts[0].area_m2 == doctest::Approx(150.0));
    std::size_t moved_notes = 0;
    for (const Issue& i : report.issues)
        if (i.code == IssueCode::area_part_moved) {
            ++moved_notes;
            CHECK(i.feature_id == "T0");
            CHECK(i.message.find("'T1'") != std::string::npos);
        }
    CHECK(moved_notes == 1);
}

TEST_CASE("a cut-off part that touches no other area is an island and stays")
{
    // Two units: a 10 x 10 square holding T0 and T1, and an island far away that T0's unit
    // also owns (one unit, two polygons). The island touches nothing: it stays with its
    // transformer's area, which is then the only multi-part area.
    Territory t = with_units({MultiPolygon{Polygon{{{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}}, {}},
                                           Polygon{{{50, 50}, {52, 50}, {52, 52}, {50, 52}, {50, 50}}, {}}}});
    add_transformer(t, {2, 5}, 0);
    add_transformer(t, {8, 5}, 0);
    ValidationReport report;
    const ServiceAreas sa = build_service_areas(t, report);
    CHECK(sa.moved_parts.empty());
    CHECK(sa.shapes[0].size() + sa.shapes[1].size() == 3);
    CHECK(total_area(sa.shapes) == doctest::Approx(104.0));
}

namespace {

// A cols x rows grid of quadrilateral units about 100 m wide at projected coordinates of
// millions of metres, their shared corners moved pseudo-randomly, with up to 4 transformers in
// each unit and none in every fourth: the crossing points of the bisectors with the slanted
// unit borders carry rounding noise, and the empty units make service areas of several pieces.
Territory slanted_unit_grid(std::size_t cols, std::size_t rows, std::uint64_t seed)
{
    std::uint64_t state = seed;
    auto next = [&]() {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return static_cast<double>(state >> 11) / 9007199254740992.0; // [0, 1)
    };
    const double x0 = 694000.0;
    const double y0 = 3122000.0;
    std::vector<Point> corner((cols + 1) * (rows + 1));
    for (std::size_t r = 0; r <= rows; ++r)
        for (std::size_t c = 0; c <= cols; ++c)
            corner[r * (cols + 1) + c] = {x0 + 100.0 * static_cast<double>(c) + 30.0 * next() - 15.0,
                                          y0 + 100.0 * static_cast<double>(r) + 30.0 * next() - 15.0};
    std::vector<MultiPolygon> units;
    for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t c = 0; c < cols; ++c) {
            const Point a = corner[r * (cols + 1) + c];
            const Point b = corner[r * (cols + 1) + c + 1];
            const Point d = corner[(r + 1) * (cols + 1) + c + 1];
            const Point e = corner[(r + 1) * (cols + 1) + c];
            units.push_back(MultiPolygon{Polygon{{a, b, d, e, a}, {}}});
        }
    Territory t = with_units(units);
    for (std::size_t u = 0; u < units.size(); ++u) {
        if (u % 4 == 3) continue;
        const std::size_t k = 1 + static_cast<std::size_t>(next() * 4.0);
        const Ring& q = units[u][0].outer;
        for (std::size_t i = 0; i < k; ++i) {
            // A convex combination of the corners (weights kept off zero): inside the unit.
            double w[4];
            double sum = 0.0;
            for (double& wi : w) sum += (wi = 0.2 + next());
            Point p{0.0, 0.0};
            for (std::size_t j = 0; j < 4; ++j) {
                p.x += w[j] / sum * q[j].x;
                p.y += w[j] / sum * q[j].y;
            }
            add_transformer(t, p, u);
        }
    }
    return t;
}

} // namespace

TEST_CASE("service areas are valid polygons where pieces of one area meet at rounded crossing points")
{
    std::size_t invalid = 0;
    std::size_t areas = 0;
    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
        const Territory t = slanted_unit_grid(12, 12, seed);
        ValidationReport report;
        const ServiceAreas sa = build_service_areas(t, report);
        for (std::size_t i = 0; i < sa.shapes.size(); ++i) {
            MultiPolygon shape = sa.shapes[i];
            const detail::RepairResult check = detail::make_valid(shape);
            if (!check.was_valid) {
                CAPTURE(seed);
                CAPTURE(t.transformers[i].id);
                CAPTURE(check.reason);
                ++invalid;
            }
            areas += sa.shapes[i].empty() ? 0 : 1;
        }
    }
    CHECK(areas > 1000);
    CHECK(invalid == 0);
}
