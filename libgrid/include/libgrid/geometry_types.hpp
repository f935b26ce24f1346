/// @file
/// @brief Plain geometry values used across the public API.
///
/// Coordinates are in the territory's working CRS (metres) unless a function says otherwise.
/// These are plain data: no GEOS, no GDAL. Rings are closed (first point == last point).
#pragma once

#include <vector>

namespace libgrid {

/// A 2-D point. Units: the CRS's units (metres in the working CRS).
struct Point {
    double x = 0.0; ///< Easting (or longitude in a geographic CRS). Default: 0.
    double y = 0.0; ///< Northing (or latitude in a geographic CRS). Default: 0.
};

/// A closed ring of points: first == last, at least 4 points when valid.
using Ring = std::vector<Point>;

/// A polygon: one outer ring and zero or more holes.
struct Polygon {
    Ring outer;              ///< Outer boundary.
    std::vector<Ring> holes; ///< Interior rings.
};

/// A multipolygon: zero polygons means empty.
using MultiPolygon = std::vector<Polygon>;

/// A polyline.
using LineString = std::vector<Point>;

/// An axis-aligned bounding box. Empty when min_x > max_x.
struct Box {
    double min_x = 1e300;  ///< Smallest x.
    double min_y = 1e300;  ///< Smallest y.
    double max_x = -1e300; ///< Largest x.
    double max_y = -1e300; ///< Largest y.
    /// True when no point has been added. O(1).
    bool empty() const noexcept { return min_x > max_x; }
    /// Grows the box to contain p. O(1).
    void add(const Point& p) noexcept
    {
        if (p.x < min_x) min_x = p.x;
        if (p.y < min_y) min_y = p.y;
        if (p.x > max_x) max_x = p.x;
        if (p.y > max_y) max_y = p.y;
    }
};

/// Bounding box of every outer-ring point of a multipolygon. O(points).
Box bounds(const MultiPolygon& shape) noexcept;

/// Planar area of a multipolygon (outer rings minus holes), in CRS units squared. O(points).
double area(const MultiPolygon& shape) noexcept;

/// Planar perimeter (all rings), in CRS units. O(points).
double perimeter(const MultiPolygon& shape) noexcept;

/// True when p lies inside the polygon (in its outer ring, in none of its holes). A point on the
/// outline may go either way: use distance_to_outline() for a tolerance. O(points).
bool contains(const Polygon& polygon, const Point& p) noexcept;

/// True when p lies inside one of the shape's polygons (see contains(Polygon)). O(points).
bool contains(const MultiPolygon& shape, const Point& p) noexcept;

/// Distance from p to the nearest ring (outer or hole) of the shape; infinity when it has none.
/// O(points).
double distance_to_outline(const MultiPolygon& shape, const Point& p) noexcept;

} // namespace libgrid
