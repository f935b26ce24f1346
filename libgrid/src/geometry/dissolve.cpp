// libgrid::dissolve (declared in libgrid/metrics.hpp): service areas merged into one polygon per
// group, e.g. per grid for the grid maps and the compactness measures.
//
// Service areas tile their study area, so each group is a polygonal coverage: GEOS's coverage
// union cancels the shared edges instead of running a full overlay, which is what makes a
// million areas affordable. Coverage union trusts its input, though: where two neighbours split a
// shared border at different vertices it may fail, return an invalid polygon, or keep a
// zero-width sliver along the border as a hole. Each result is therefore checked and the group
// is redone with the robust (slower) unary union when the check fails. build_service_areas()
// nodes its areas into a clean coverage, so with its output the fallback does not happen.
#include "geometry/geos_wrap.hpp"
#include "geometry/parallel.hpp"

#include <libgrid/error.hpp>
#include <libgrid/metrics.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

namespace libgrid {

namespace geos = detail::geos;
using geos::GeomPtr;

namespace {

// A hole this thin (Polsby-Popper 4 pi A / P^2 below it) is taken as a sliver left where two
// borders did not match exactly, not as a real enclave. A square scores 0.785; a 1 km by 1 mm
// strip scores 3e-6. Real enclaves (another grid's areas) are nowhere near that thin, and a
// false alarm only sends the group down the slower robust path: it costs time, not correctness.
constexpr double sliver_thinness = 1e-4;

// The result must cover what the inputs cover: this much relative area difference means
// coverage union dropped or doubled something.
constexpr double area_tolerance = 1e-9;

constexpr double pi = 3.14159265358979323846;

// True when coverage union's polygon is valid and covers what its inputs cover (see the file
// comment for what goes wrong otherwise).
bool valid_cover(const geos::Context& ctx, const GEOSGeometry* merged, double input_area)
{
    if (GEOSisValid_r(ctx.get(), merged) != 1) return false;
    const double out_area = geos::area(ctx, merged);
    return std::abs(out_area - input_area) <= area_tolerance * std::max(out_area, input_area);
}

// True when some hole is a sliver rather than an enclave.
bool has_sliver_hole(const MultiPolygon& shape)
{
    for (const Polygon& poly : shape) {
        for (const Ring& hole : poly.holes) {
            const MultiPolygon ring_shape{Polygon{hole, {}}};
            const double a = area(ring_shape);
            const double p = perimeter(ring_shape);
            if (p > 0.0 && 4.0 * pi * a / (p * p) < sliver_thinness) return true;
        }
    }
    return false;
}

// The union of the given shapes.
MultiPolygon union_of(const geos::Context& ctx, const std::vector<MultiPolygon>& shapes,
                      const std::vector<std::size_t>& members)
{
    const GEOSContextHandle_t h = ctx.get();
    // A collection of multipolygons: both unions read nested collections, so each shape goes in
    // as converted, without copying its polygons out.
    std::vector<GeomPtr> parts;
    parts.reserve(members.size());
    double input_area = 0.0;
    for (std::size_t i : members) {
        parts.push_back(geos::to_geos(ctx, shapes[i]));
        input_area += geos::area(ctx, parts.back().get());
    }
    GeomPtr coll = geos::make_collection(ctx, GEOS_GEOMETRYCOLLECTION, std::move(parts));

    // Coverage union reports bad input by throwing inside GEOS, which the C API turns into a
    // null result and an error message; that is a reason to fall back, not to fail.
    GeomPtr merged(GEOSCoverageUnion_r(h, coll.get()), geos::GeomDeleter{h});
    if (merged && valid_cover(ctx, merged.get(), input_area)) {
        MultiPolygon out = geos::from_geos(ctx, merged.get());
        if (!has_sliver_hole(out)) return out;
    }
    merged = geos::own(ctx, GEOSUnaryUnion_r(h, coll.get()), "cannot dissolve service areas");
    return geos::from_geos(ctx, merged.get());
}

} // namespace

std::vector<MultiPolygon> dissolve(const std::vector<MultiPolygon>& shapes,
                                   const std::vector<std::uint32_t>& group_of, std::size_t groups,
                                   std::size_t threads)
{
    if (group_of.size() != shapes.size())
        throw Error(ErrorCode::invalid_argument,
                    fmt::format("geometry: cannot dissolve {} shapes: {} group indices given",
                                shapes.size(), group_of.size()));

    // Members of each group in shape order (a counting sort: O(n), and the union input order
    // is fixed, so the output is deterministic).
    std::vector<std::size_t> start(groups + 1, 0);
    for (std::size_t i = 0; i < shapes.size(); ++i) {
        if (group_of[i] >= groups)
            throw Error(ErrorCode::invalid_argument,
                        fmt::format("geometry: cannot dissolve shape {}: group {} is not below the "
                                    "number of groups {}",
                                    i, group_of[i], groups));
        ++start[group_of[i] + 1];
    }
    for (std::size_t g = 0; g < groups; ++g) start[g + 1] += start[g];
    std::vector<std::size_t> order(shapes.size());
    {
        std::vector<std::size_t> next(start.begin(), start.end() - 1);
        for (std::size_t i = 0; i < shapes.size(); ++i) order[next[group_of[i]]++] = i;
    }

    std::vector<MultiPolygon> out(groups);
    // Each group is one job writing its own slot, so the threads do not change the result.
    detail::parallel_jobs(
        groups, threads,
        [&](std::size_t g, const geos::Context& ctx) {
            std::vector<std::size_t> members;
            for (std::size_t k = start[g]; k < start[g + 1]; ++k)
                if (!shapes[order[k]].empty()) members.push_back(order[k]);
            if (members.empty()) return;
            // One shape needs no union; GEOS would only renormalise its rings.
            if (members.size() == 1) {
                out[g] = shapes[members[0]];
                return;
            }
            out[g] = union_of(ctx, shapes, members);
        },
        [](std::size_t) {});
    return out;
}

} // namespace libgrid
