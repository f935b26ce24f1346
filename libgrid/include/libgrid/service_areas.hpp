/// @file
/// @brief One polygon per transformer area, tiling the study area.
#pragma once

#include <libgrid/geometry_types.hpp>
#include <libgrid/model.hpp>
#include <libgrid/progress.hpp>
#include <libgrid/validation.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace libgrid {

/// Options for build_service_areas().
struct ServiceAreaOptions {
    /// Shape areas from customer points (Voronoi of the customers, dissolved by transformer)
    /// when the territory has them. Default: true.
    bool use_customers = true;
    /// Without boundaries, the study area is the convex hull of the transformers buffered by this
    /// distance. Units: metres. Default: 0 = twice the median nearest-neighbour spacing.
    double hull_buffer_m = 0.0;
    /// Threads splitting admin units into Voronoi cells at once; the areas do not depend on
    /// it. Default: 0 = one per core.
    std::size_t threads = 0;
    ProgressFn progress; ///< Progress callback. Default: none.
};

/// An admin unit with no transformer, merged into a neighbouring transformer's area.
struct AttachedUnit {
    std::size_t level = 0;       ///< Level index (always the finest level).
    std::size_t unit = 0;        ///< Unit index in that level.
    std::size_t transformer = npos; ///< Transformer whose area received it (npos: no neighbour).
};

/// A part of a transformer's area cut off from the part holding the transformer (a Voronoi cell
/// split by a bend of an admin border), given to the neighbour sharing the longest border with it.
struct MovedPart {
    std::size_t from = npos; ///< Transformer whose cell it was cut from.
    std::size_t to = npos;   ///< Transformer whose area received it.
    double area_m2 = 0.0;    ///< Its area.
};

/// The service areas of a territory.
struct ServiceAreas {
    /// shapes[i] is the area of territory.transformers[i]. Together they tile the study area:
    /// no gaps, no overlaps (up to floating-point noise).
    std::vector<MultiPolygon> shapes;
    std::vector<AttachedUnit> attached_units; ///< Empty admin units and where they went.
    std::vector<MovedPart> moved_parts;       ///< Cut-off parts of areas and where they went.
    /// How the study area was defined: "boundaries", "convex hull + <d> m" or "given polygons".
    std::string study_area;
};

/// Builds the service area of every transformer.
///
/// Point transformers: Voronoi cells of the transformers (or of their customers), computed
/// inside each unit of the finest admin level so that cell borders follow admin borders; units
/// without a transformer are merged into the neighbour sharing the longest border (an info
/// issue each), and so is every part of a cell cut off from the part holding its transformer,
/// so that each area is one polygon (a part touching no other area, an island, stays). The areas then form a clean coverage: neighbours have the same vertices along
/// their common border (vertices less than 1e-6 m apart are merged, and each vertex lying on
/// a neighbour's edge is inserted there). Polygon transformers: the given polygons, except that
/// where two overlap (by more than 1 m²) the later one loses the overlap (a warning each), and
/// parts not touching the part holding the transformer go to their longest neighbour as above.
/// Requires validate() to have run.
/// Complexity: O(n log n) (Voronoi per unit, STRtree look-ups).
/// @throws Error(invalid_argument) when the territory has admin levels but validate() has not
///         located its transformers in them.
/// @throws Error(geometry) when GEOS fails on an input it was expected to handle.
ServiceAreas build_service_areas(const Territory& territory, ValidationReport& report,
                                 const ServiceAreaOptions& options = {});

/// Dissolves service areas into one (multi)polygon per group: shapes[i] goes to group_of[i].
/// O(n log n): coverage union per group when the shapes form a clean coverage (as
/// build_service_areas() makes them), the slower general union for a group where they do not.
/// Groups are dissolved on up to `threads` threads at once (0 = one per core); the result does
/// not depend on it. Default: 0.
/// @throws Error(invalid_argument) when group_of does not match shapes or names a group
/// >= groups; Error(geometry) when GEOS fails.
std::vector<MultiPolygon> dissolve(const std::vector<MultiPolygon>& shapes,
                                   const std::vector<std::uint32_t>& group_of, std::size_t groups,
                                   std::size_t threads = 0);

} // namespace libgrid
