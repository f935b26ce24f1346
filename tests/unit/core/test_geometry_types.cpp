// Spec of the plain geometry values (libgrid/geometry_types.hpp).
#include <libgrid/geometry_types.hpp>

#include <doctest/doctest.h>

using namespace libgrid;

namespace {

Ring square(double x0, double y0, double side)
{
    return {{x0, y0}, {x0 + side, y0}, {x0 + side, y0 + side}, {x0, y0 + side}, {x0, y0}};
}

Ring reversed(Ring ring) { return Ring(ring.rbegin(), ring.rend()); }

} // namespace

TEST_CASE("a 10 m square with a 2 m hole has area 96 m², perimeter 48 m and the outer bounds")
{
    const MultiPolygon shape{Polygon{square(0, 0, 10), {square(2, 2, 2)}}};
    CHECK(area(shape) == doctest::Approx(96.0));
    CHECK(perimeter(shape) == doctest::Approx(48.0)); // 40 outside + 8 around the hole
    const Box box = bounds(shape);
    CHECK_FALSE(box.empty());
    CHECK(box.min_x == 0.0);
    CHECK(box.min_y == 0.0);
    CHECK(box.max_x == 10.0);
    CHECK(box.max_y == 10.0);
}

TEST_CASE("area does not depend on ring orientation")
{
    const MultiPolygon ccw_outer_cw_hole{Polygon{square(0, 0, 10), {reversed(square(2, 2, 2))}}};
    const MultiPolygon cw_outer_ccw_hole{Polygon{reversed(square(0, 0, 10)), {square(2, 2, 2)}}};
    CHECK(area(ccw_outer_cw_hole) == doctest::Approx(96.0));
    CHECK(area(cw_outer_ccw_hole) == doctest::Approx(96.0));
}

TEST_CASE("area, perimeter and bounds of a multipolygon add up over its parts")
{
    const MultiPolygon two{Polygon{square(0, 0, 1), {}}, Polygon{square(5, -3, 2), {}}};
    CHECK(area(two) == doctest::Approx(5.0));
    CHECK(perimeter(two) == doctest::Approx(12.0));
    const Box box = bounds(two);
    CHECK(box.min_x == 0.0);
    CHECK(box.min_y == -3.0);
    CHECK(box.max_x == 7.0);
    CHECK(box.max_y == 1.0);
}

TEST_CASE("an empty multipolygon has zero area and perimeter and an empty box")
{
    const MultiPolygon none;
    CHECK(area(none) == 0.0);
    CHECK(perimeter(none) == 0.0);
    CHECK(bounds(none).empty());
}

TEST_CASE("a box grows to contain every point added")
{
    Box box;
    CHECK(box.empty());
    box.add({3, 4});
    CHECK_FALSE(box.empty());
    CHECK(box.min_x == 3.0);
    CHECK(box.max_x == 3.0);
    box.add({-1, 10});
    CHECK(box.min_x == -1.0);
    CHECK(box.min_y == 4.0);
    CHECK(box.max_x == 3.0);
    CHECK(box.max_y == 10.0);
}
