// Private RAII wrappers around the GEOS C API (geos_c.h, reentrant `_r` functions only).
//
// Only files in libgrid/src/geometry include this header. A Context owns one GEOS context handle
// and is meant to live for one call chain (one public geometry function, or one PolygonIndex):
// GEOS handles are not thread-safe, so a Context is never shared between threads.
//
// GEOS reports errors through a message callback and a null / 2 return value. The callback only
// records the message (throwing through C frames is undefined behaviour); the check() helpers
// then turn the failed return value into libgrid::Error(ErrorCode::geometry).
#pragma once

#include <libgrid/geometry_types.hpp>

#include <geos_c.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace libgrid::detail::geos {

/// One GEOS context handle with an error handler that records GEOS's last message.
class Context {
public:
    /// Creates the handle. @throws Error(geometry) if GEOS cannot allocate it.
    Context();
    ~Context();
    // The handle's error callback points at this object, so it must never move.
    Context(const Context&) = delete;
    Context& operator=(const Context&) = delete;

    /// The raw handle, for `_r` calls.
    GEOSContextHandle_t get() const noexcept { return m_handle; }

    /// Throws Error(geometry, "geometry: <what>: <GEOS message>").
    [[noreturn]] void fail(const char* what) const;

    /// Returns p, or throws (see fail()) when GEOS returned null.
    template <class T>
    T* check(T* p, const char* what) const
    {
        if (p == nullptr) fail(what);
        return p;
    }

    /// Returns r (0 or 1), or throws when GEOS returned its exception value 2.
    bool check_predicate(char r, const char* what) const
    {
        if (r == 2) fail(what);
        return r == 1;
    }

private:
    static void on_error(const char* message, void* userdata);

    GEOSContextHandle_t m_handle = nullptr;
    std::string m_last_error;
};

/// Deleter for GEOS geometries created in one context.
struct GeomDeleter {
    GEOSContextHandle_t handle = nullptr;
    void operator()(GEOSGeometry* g) const noexcept { GEOSGeom_destroy_r(handle, g); }
};
/// Deleter for prepared geometries.
struct PreparedDeleter {
    GEOSContextHandle_t handle = nullptr;
    void operator()(const GEOSPreparedGeometry* g) const noexcept
    {
        GEOSPreparedGeom_destroy_r(handle, g);
    }
};
/// Deleter for STR trees.
struct TreeDeleter {
    GEOSContextHandle_t handle = nullptr;
    void operator()(GEOSSTRtree* t) const noexcept { GEOSSTRtree_destroy_r(handle, t); }
};

using GeomPtr = std::unique_ptr<GEOSGeometry, GeomDeleter>;
using PreparedPtr = std::unique_ptr<const GEOSPreparedGeometry, PreparedDeleter>;
using TreePtr = std::unique_ptr<GEOSSTRtree, TreeDeleter>;

/// Takes ownership of a geometry GEOS returned; throws when it is null.
GeomPtr own(const Context& ctx, GEOSGeometry* g, const char* what);

/// Prepares g (which must outlive the result).
PreparedPtr prepare(const Context& ctx, const GEOSGeometry* g);

/// An empty STR tree with the given node capacity.
TreePtr make_tree(const Context& ctx, std::size_t node_capacity = 10);

/// Converts a multipolygon. Unclosed rings are closed; rings with fewer than 4 points (no area)
/// are dropped, and a polygon whose outer ring is dropped is dropped. Empty in, empty out.
GeomPtr to_geos(const Context& ctx, const MultiPolygon& shape);

/// A point geometry.
GeomPtr to_geos(const Context& ctx, const Point& p);

/// A multipoint geometry (empty when points is empty).
GeomPtr to_geos_points(const Context& ctx, const std::vector<Point>& points);

/// An axis-aligned rectangle polygon. box must not be empty.
GeomPtr to_geos(const Context& ctx, const Box& box);

/// A geometry collection of the given GEOS type (e.g. GEOS_MULTIPOLYGON) taking ownership of parts.
GeomPtr make_collection(const Context& ctx, int type, std::vector<GeomPtr> parts);

/// The polygonal parts of any geometry (collections are searched recursively; points and lines
/// are dropped). This is how MakeValid and overlay results are reduced to areas.
MultiPolygon from_geos(const Context& ctx, const GEOSGeometry* g);

/// Area of g.
double area(const Context& ctx, const GEOSGeometry* g);

/// Envelope of g (empty box when g is empty).
Box envelope(const Context& ctx, const GEOSGeometry* g);

/// Encodes an index as an STR tree item. Index i becomes i + 1 so that no item is null (GEOS
/// uses null to mean "nothing found").
inline void* index_item(std::size_t i) noexcept
{
    return reinterpret_cast<void*>(static_cast<std::uintptr_t>(i + 1));
}
/// Decodes an STR tree item made by index_item().
inline std::size_t item_index(const void* item) noexcept
{
    return static_cast<std::size_t>(reinterpret_cast<std::uintptr_t>(item)) - 1;
}

} // namespace libgrid::detail::geos
