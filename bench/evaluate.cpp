// bench::Evaluator: cut edges and Polsby-Popper from the polygons, with GEOS (see evaluate.hpp).
#include "evaluate.hpp"

#include <geos_c.h>

#include <libgrid/model.hpp>

#include <cmath>
#include <stdexcept>
#include <string>

namespace bench {

namespace {

void geos_message(const char* fmt, ...)
{
    (void)fmt; // errors surface as null results, checked where they matter
}

GEOSGeometry* to_geos(GEOSContextHandle_t ctx, const libgrid::MultiPolygon& shape)
{
    std::vector<GEOSGeometry*> polys;
    for (const auto& p : shape) {
        auto ring = [&](const libgrid::Ring& r) {
            GEOSCoordSequence* seq = GEOSCoordSeq_create_r(ctx, static_cast<unsigned>(r.size()), 2);
            for (std::size_t i = 0; i < r.size(); ++i) GEOSCoordSeq_setXY_r(ctx, seq, static_cast<unsigned>(i), r[i].x, r[i].y);
            return GEOSGeom_createLinearRing_r(ctx, seq);
        };
        std::vector<GEOSGeometry*> holes;
        for (const auto& h : p.holes) holes.push_back(ring(h));
        polys.push_back(GEOSGeom_createPolygon_r(ctx, ring(p.outer), holes.empty() ? nullptr : holes.data(),
                                                 static_cast<unsigned>(holes.size())));
    }
    return GEOSGeom_createCollection_r(ctx, GEOS_MULTIPOLYGON, polys.empty() ? nullptr : polys.data(),
                                       static_cast<unsigned>(polys.size()));
}

constexpr double gap_tolerance_m = 0.01;

} // namespace

struct Evaluator::Impl {
    GEOSContextHandle_t ctx = nullptr;
    std::vector<GEOSGeometry*> geoms;
    std::vector<std::size_t> parts; // polygons of each area as given
    // Islands of the study area: the polygons of the union of every area.
    std::vector<GEOSGeometry*> islands;
    std::vector<const GEOSPreparedGeometry*> prepared;
    ~Impl()
    {
        for (auto* p : prepared) GEOSPreparedGeom_destroy_r(ctx, p);
        for (auto* g : islands) GEOSGeom_destroy_r(ctx, g);
        for (auto* g : geoms) GEOSGeom_destroy_r(ctx, g);
        if (ctx) GEOS_finish_r(ctx);
    }
    // Index of the island holding p, or npos.
    std::size_t island_of(const GEOSGeometry* p) const
    {
        for (std::size_t k = 0; k < prepared.size(); ++k)
            if (GEOSPreparedIntersects_r(ctx, prepared[k], p) == 1) return k;
        return libgrid::npos;
    }
};

Evaluator::Evaluator(const std::vector<libgrid::MultiPolygon>& areas) : m_impl(std::make_unique<Impl>())
{
    Impl& im = *m_impl;
    im.ctx = GEOS_init_r();
    GEOSContext_setErrorHandler_r(im.ctx, geos_message);
    const std::size_t n = areas.size();
    im.geoms.reserve(n);
    for (const auto& a : areas) {
        im.geoms.push_back(to_geos(im.ctx, a));
        im.parts.push_back(a.size());
    }
    GEOSSTRtree* tree = GEOSSTRtree_create_r(im.ctx, 10);
    std::vector<std::size_t> ids(n);
    for (std::size_t i = 0; i < n; ++i) {
        ids[i] = i;
        if (!areas[i].empty()) GEOSSTRtree_insert_r(im.ctx, tree, im.geoms[i], &ids[i]);
    }
    struct Query {
        std::vector<std::size_t> hits;
    } q;
    for (std::size_t i = 0; i < n; ++i) {
        if (areas[i].empty()) continue;
        q.hits.clear();
        GEOSGeometry* env = GEOSEnvelope_r(im.ctx, im.geoms[i]);
        GEOSGeometry* grown = GEOSBuffer_r(im.ctx, env, gap_tolerance_m, 1);
        GEOSSTRtree_query_r(
            im.ctx, tree, grown,
            [](void* item, void* data) { static_cast<Query*>(data)->hits.push_back(*static_cast<std::size_t*>(item)); },
            &q);
        GEOSGeom_destroy_r(im.ctx, grown);
        GEOSGeom_destroy_r(im.ctx, env);
        for (const std::size_t j : q.hits) {
            if (j <= i) continue;
            char* matrix = GEOSRelate_r(im.ctx, im.geoms[i], im.geoms[j]);
            if (!matrix) continue;
            const std::string m(matrix);
            GEOSFree_r(im.ctx, matrix);
            const bool overlap = m[0] == '2';
            const bool line = m[4] == '1';
            const bool disjoint = m[0] == 'F' && m[1] == 'F' && m[3] == 'F' && m[4] == 'F';
            bool border = overlap || line;
            if (!border && disjoint) {
                // A sliver gap: the part of i's outline within the tolerance of j, if long enough.
                double d = 0.0;
                if (GEOSDistance_r(im.ctx, im.geoms[i], im.geoms[j], &d) && d <= gap_tolerance_m) {
                    GEOSGeometry* bi = GEOSBoundary_r(im.ctx, im.geoms[i]);
                    GEOSGeometry* near = GEOSBuffer_r(im.ctx, im.geoms[j], gap_tolerance_m, 4);
                    GEOSGeometry* shared = GEOSIntersection_r(im.ctx, bi, near);
                    double len = 0.0;
                    if (shared) GEOSLength_r(im.ctx, shared, &len);
                    border = len > gap_tolerance_m;
                    if (shared) GEOSGeom_destroy_r(im.ctx, shared);
                    GEOSGeom_destroy_r(im.ctx, near);
                    GEOSGeom_destroy_r(im.ctx, bi);
                }
            }
            if (border) m_pairs.emplace_back(static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(j));
        }
    }
    GEOSSTRtree_destroy_r(im.ctx, tree);

    // Islands: the union of every area, split into its polygons.
    std::vector<GEOSGeometry*> all;
    for (const auto* g : im.geoms) all.push_back(GEOSGeom_clone_r(im.ctx, g));
    GEOSGeometry* coll = GEOSGeom_createCollection_r(im.ctx, GEOS_GEOMETRYCOLLECTION, all.empty() ? nullptr : all.data(),
                                                     static_cast<unsigned>(all.size()));
    GEOSGeometry* study = GEOSUnaryUnion_r(im.ctx, coll);
    GEOSGeom_destroy_r(im.ctx, coll);
    if (!study) throw std::runtime_error("evaluator: GEOS could not dissolve the study area");
    const int count = GEOSGetNumGeometries_r(im.ctx, study);
    for (int k = 0; k < count; ++k) {
        im.islands.push_back(GEOSGeom_clone_r(im.ctx, GEOSGetGeometryN_r(im.ctx, study, k)));
        im.prepared.push_back(GEOSPrepare_r(im.ctx, im.islands.back()));
    }
    GEOSGeom_destroy_r(im.ctx, study);
}

Evaluator::~Evaluator() = default;

Evaluation Evaluator::evaluate(const std::vector<std::uint32_t>& grid_of, std::size_t grids) const
{
    const Impl& im = *m_impl;
    Evaluation e;
    for (const auto& [a, b] : m_pairs) e.cut_edges += grid_of[a] != grid_of[b];
    std::vector<std::vector<std::size_t>> members(grids);
    for (std::size_t i = 0; i < grid_of.size(); ++i) members[grid_of[i]].push_back(i);
    const double pi = std::acos(-1.0);
    double pp_sum = 0.0;
    for (std::size_t g = 0; g < grids; ++g) {
        std::vector<GEOSGeometry*> parts;
        for (const std::size_t i : members[g]) parts.push_back(GEOSGeom_clone_r(im.ctx, im.geoms[i]));
        GEOSGeometry* coll = GEOSGeom_createCollection_r(im.ctx, GEOS_GEOMETRYCOLLECTION,
                                                         parts.empty() ? nullptr : parts.data(),
                                                         static_cast<unsigned>(parts.size()));
        GEOSGeometry* u = GEOSUnaryUnion_r(im.ctx, coll);
        GEOSGeom_destroy_r(im.ctx, coll);
        if (!u) throw std::runtime_error("evaluator: GEOS could not dissolve a grid");
        double area = 0.0, length = 0.0;
        GEOSArea_r(im.ctx, u, &area);
        GEOSLength_r(im.ctx, u, &length);
        if (length > 0.0) pp_sum += 4.0 * pi * area / (length * length);
        // Parts of the union on one island of the study area: a grid in pieces that the input
        // does not explain.
        // An area given in several polygons (a county with its sea islands) explains as many.
        const int count = GEOSGetNumGeometries_r(im.ctx, u);
        if (count > 1) {
            std::vector<std::size_t> seen;
            std::size_t same_island = 0;
            for (int k = 0; k < count; ++k) {
                GEOSGeometry* p = GEOSPointOnSurface_r(im.ctx, GEOSGetGeometryN_r(im.ctx, u, k));
                const std::size_t isl = p ? im.island_of(p) : libgrid::npos;
                if (p) GEOSGeom_destroy_r(im.ctx, p);
                bool again = false;
                for (const std::size_t x : seen) again = again || x == isl;
                same_island += again;
                seen.push_back(isl);
            }
            std::size_t given_extra = 0;
            for (const std::size_t i : members[g]) given_extra += im.parts[i] > 1 ? im.parts[i] - 1 : 0;
            if (same_island > given_extra) ++e.multi_part;
        }
        GEOSGeom_destroy_r(im.ctx, u);
    }
    e.pp_mean = grids > 0 ? pp_sum / static_cast<double>(grids) : 0.0;
    return e;
}

} // namespace bench
