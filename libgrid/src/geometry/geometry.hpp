// Internal interface of the geometry module (the only module that sees GEOS).
// Plain libgrid types in and out; GEOS stays inside libgrid/src/geometry/*.cpp.
#pragma once

#include <libgrid/geometry_types.hpp>
#include <libgrid/model.hpp>

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace libgrid::detail {

/// Result of make_valid().
struct RepairResult {
    bool was_valid = true; ///< True when the input was already valid (nothing changed).
    std::string reason;    ///< GEOS's reason for invalidity ("" when valid).
};

/// Repairs an invalid polygon in place with GEOS MakeValid, keeping only polygonal parts.
/// Empty input stays empty. @throws Error(geometry) if GEOS fails.
RepairResult make_valid(MultiPolygon& shape);

/// Point-in-polygon look-up over a fixed set of polygons (STRtree + prepared geometries).
/// Owns its own GEOS context and prepares shapes lazily: use one index from one thread at a time.
class PolygonIndex {
public:
    /// Indexes the shapes; shapes[i] keeps index i. Empty shapes are skipped.
    explicit PolygonIndex(const std::vector<MultiPolygon>& shapes);
    ~PolygonIndex();
    PolygonIndex(const PolygonIndex&) = delete;
    PolygonIndex& operator=(const PolygonIndex&) = delete;
    /// Index of the lowest-numbered shape covering p (boundary counts), or npos. O(log n).
    std::size_t locate(const Point& p) const;
    /// Distance from p to the nearest shape and its index (npos when no shapes).
    std::pair<std::size_t, double> nearest(const Point& p) const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

/// Pairwise overlap of two shapes of one set.
struct Overlap {
    std::size_t a = 0;  ///< Lower index.
    std::size_t b = 0;  ///< Higher index.
    double area = 0.0;  ///< Overlap area.
};

/// Every pair (a < b) whose interiors overlap by more than min_area, sorted by (a, b).
/// O(n log n + pairs), on up to `threads` threads (0 = one per core; same result).
std::vector<Overlap> find_overlaps(const std::vector<MultiPolygon>& shapes, double min_area,
                                   std::size_t threads = 1);

/// a minus b (polygonal part only).
MultiPolygon difference(const MultiPolygon& a, const MultiPolygon& b);

/// For each child, the parent with the largest overlap area (npos when none overlaps).
/// O((children + parents) log n), on up to `threads` threads (0 = one per core; same result).
std::vector<std::size_t> nest_by_overlap(const std::vector<MultiPolygon>& children,
                                         const std::vector<MultiPolygon>& parents,
                                         std::size_t threads = 1);

/// Convex hull of the points buffered by distance d (d > 0).
MultiPolygon buffered_hull(const std::vector<Point>& points, double d);

/// A border shared by two shapes.
struct SharedBorder {
    std::size_t a = 0;    ///< Lower index.
    std::size_t b = 0;    ///< Higher index.
    double length = 0.0;  ///< Length of the shared border (> 0).
};

/// Every pair of shapes (a < b) sharing a border longer than `tolerance`: boundary segments (outer
/// rings and holes; rings must be closed) that are collinear within `tolerance` and overlap along
/// their length. Tolerant of borders split at different vertices on the two sides and of gaps up
/// to `tolerance`; lengths are exact up to about `tolerance` per segment. Sorted by (a, b).
/// Arithmetic only (no GEOS), near-linear in the number of boundary segments S: hashing, radix
/// sorts and a uniform grid for the segments that do not match exactly. Deterministic.
/// @throws Error(invalid_argument) if tolerance < 0 or there are 2^32 shapes or segments.
std::vector<SharedBorder> shared_borders(const std::vector<MultiPolygon>& shapes,
                                         double tolerance);

/// For each segment (from[i], to[i]), whether it crosses or touches any barrier line.
/// Arithmetic only (exact orientation signs on doubles; collinear overlaps count as crossing),
/// with a uniform grid over the barrier segments: near-linear in segments plus barrier
/// vertices when the segments are short next to the territory, as adjacency segments are.
/// Deterministic. @throws Error(invalid_argument) if from and to differ in size.
std::vector<char> crosses_barriers(const std::vector<Point>& from, const std::vector<Point>& to,
                                   const std::vector<LineFeature>& barriers);

/// Indices (ascending) of the `candidates` whose box, grown by `grow`, shares a cell of a coarse
/// grid with a `markers` box (grown likewise): a cheap, linear superset of the candidates that
/// can touch a marker. Cells are about `cell` wide, at most about 4 million in all. Empty boxes
/// never match.
std::vector<std::size_t> boxes_near(const std::vector<Box>& markers, const std::vector<Box>& candidates,
                                    double grow, double cell);

/// A border from an item being attached (an empty admin unit, a cut-off part of an area) to a
/// receiver (`to_item` false: `to` is a receiver) or to another such item (`to_item` true).
struct AttachLink {
    std::size_t item = 0;
    std::size_t to = 0;
    bool to_item = false;
    double length = 0.0;
};

/// Gives each of `items` items the receiver sharing the longest border with it, in rounds: an
/// item touching only other items waits until one of them is attached, and takes its receiver.
/// Only attachments of earlier rounds count, so the result does not depend on the order of the
/// links; ties go to the lowest receiver. Items reaching no receiver get npos. O(rounds x links).
std::vector<std::size_t> attach_by_longest_border(std::size_t items, const std::vector<AttachLink>& links);

/// A part of a service area cut off from the part holding its transformer.
struct StrayPart {
    std::size_t from = 0;  ///< Area it was cut from.
    std::size_t to = 0;    ///< Area it was given to; npos: it touches no other area (an island), stayed.
    double area = 0.0;     ///< Its area.
    Point at;              ///< A point of its outer ring, for the report.
};

/// Makes every area one polygon: the part holding anchors[i] (or, when no part holds it, the
/// largest) stays; every other part goes to the neighbouring area sharing the longest border
/// with it (borders found with shared_borders() at `tolerance`), and the two are dissolved.
/// A part touching no other area is an island of the study area and stays where it is. Expects
/// a clean coverage (node_coverage()). Deterministic. @throws Error(geometry) if GEOS fails.
std::vector<StrayPart> move_stray_parts(std::vector<MultiPolygon>& shapes, const std::vector<Point>& anchors,
                                        double tolerance);

/// What node_coverage() changed.
struct CoverageNoding {
    std::size_t snapped = 0;  ///< Vertices moved onto a vertex less than `snap` away.
    std::size_t inserted = 0; ///< Vertices inserted into another shape's segment.
};

/// Makes shapes that tile a region (service areas: Voronoi cells clipped per admin unit) a
/// clean polygonal coverage, in place: vertices closer than `snap` become one (the first in
/// shape, ring, vertex order), then every vertex lying within `snap` of a segment, strictly
/// between its ends, is inserted into that segment. Afterwards two shapes sharing a border
/// have the same vertices along it, which is what GEOS's coverage union and exact
/// shared-border matching need. Rings that collapse (fewer than 3 distinct points) are
/// dropped, and polygons whose outer ring collapses. No point moves by more than `snap`; no
/// new coordinates are created. Arithmetic only (no GEOS), near-linear in the number of
/// vertices (uniform grid), deterministic; the insertion pass runs on up to `threads` threads
/// (0 = one per core) without changing the result. Rings are noded one by one, so parts of ONE
/// shape that lie within `snap` of each other (a noise-wide crack or gap left by dissolving
/// pieces that did not meet exactly) are made to touch along a line, which is an invalid
/// polygon: node the pieces, then dissolve them.
/// @throws Error(invalid_argument) if snap < 0 or there are 2^32 vertices.
CoverageNoding node_coverage(std::vector<MultiPolygon>& shapes, double snap, std::size_t threads = 1);

} // namespace libgrid::detail
