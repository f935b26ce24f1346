// libgrid/locate.hpp: which grid (station, manager) a point lies in, for dispatching work orders.
//
// A Locator is built once from the grids' polygons (in memory, or loaded from the folder that
// `grid-partition plan` wrote) and then answers point queries in constant time for most points:
// a uniform cell index marks every cell that no grid border crosses with the one grid that
// holds it (or none); only points in cells a border crosses test the few edges in their cell.
// Points outside every grid get the nearest grid and the distance to it (a bounding-volume
// hierarchy over the edges). Queries are const and never allocate on the heap for ordinary
// inputs; any number of threads may query one Locator at once.
#pragma once

#include <libgrid/geometry_types.hpp>
#include <libgrid/io.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace libgrid {

/// Who answers for a grid: the attributes a look-up returns besides the grid's index.
struct GridContact {
    std::string grid_id;       ///< Grid id, e.g. "S1-G007".
    std::string station_id;    ///< Business station the grid belongs to ("" when unknown).
    std::string manager_id;    ///< Grid manager's id ("" when no manager is assigned).
    std::string manager_name;  ///< Grid manager's name ("" when unknown).
    std::string manager_phone; ///< Grid manager's phone ("" when unknown).
};

/// One grid handed to the Locator: contact and shape.
struct LocatorGrid {
    GridContact contact; ///< Identity and manager.
    /// The grid's area in a planar CRS whose unit is the metre (distances are reported in
    /// this unit). Holes and several parts are allowed; rings need not be closed.
    MultiPolygon shape;
};

/// The answer to one point query.
struct Location {
    /// Grid index meaning "no grid" (only when the Locator holds no edge at all, or the point
    /// has a non-finite coordinate).
    static constexpr std::uint32_t none = 0xFFFFFFFFu;
    /// Index (into the grids the Locator was built from) of the grid holding the point; for a
    /// point outside every grid, the nearest grid.
    std::uint32_t grid = none;
    /// True when the point lies in a grid or on its border.
    bool inside = false;
    /// 0 inside; otherwise the distance to the nearest grid border. Units: metres (the CRS's
    /// unit). NaN when `grid == none`.
    double distance_m = 0.0;
};

/// Options of the Locator's index.
struct LocatorOptions {
    /// Cells of the uniform index per polygon edge: more cells make more points take the
    /// constant-time path at the price of 4 bytes per cell. Clamped so that the index holds
    /// between 64 and 2^26 cells. Default: 2.
    double cells_per_edge = 2.0;
    /// WKT of the CRS the shapes (and queries) are in, kept for crs_wkt(). Default: "" (a
    /// local planar frame in metres).
    std::string crs_wkt;
    /// WKT of the CRS the grids were stored in before being projected to `crs_wkt`, kept for
    /// source_crs_wkt() (load_locator() sets it to the plan's CRS). Default: "".
    std::string source_crs_wkt;
};

/// Size figures of a Locator's index (for reports and benchmarks).
struct LocatorStats {
    std::size_t grids = 0;          ///< Grids.
    std::size_t edges = 0;          ///< Polygon edges (all rings, zero-length edges dropped).
    std::size_t cells = 0;          ///< Cells of the uniform index (columns x rows).
    std::size_t columns = 0;        ///< Index columns.
    std::size_t rows = 0;           ///< Index rows.
    std::size_t border_cells = 0;   ///< Cells crossed by an edge (the other cells answer in O(1)).
    std::size_t cell_edge_refs = 0; ///< Edge references held by border cells.
    double cell_size_m = 0.0;       ///< Cell width (= height). Units: metres.
    std::size_t memory_bytes = 0;   ///< Heap memory held by the index and the contacts.
    Box extent;                     ///< Bounding box of every edge (empty without edges).
};

/// Answers "which grid is this point in" for a fixed set of grids.
///
/// Semantics: grids are closed sets. A point on a border belongs to the grid(s) whose border it
/// is on; a point in several grids (on a shared border, or where grids overlap) gets the lowest
/// grid index. A point in a hole belongs to no grid (unless another grid fills the hole). A
/// point covered by two parts of the same grid counts as outside that grid (even-odd rule over
/// all of a grid's rings, which valid polygons never meet).
///
/// Complexity: building is O(E log E) for E edges (the nearest-edge hierarchy) plus O(C + R)
/// for the C = cells_per_edge * E cells (clamped) and the R edge references of border cells
/// (about 2 per edge with the default sizing), plus one nearest-edge search per cell outside
/// every grid. A query is O(1) in a cell no border crosses and inside a grid; O(k) in a border
/// cell holding k edges (3 to 5 on a prefecture plan); a point outside every grid adds a
/// nearest-edge search seeded with an edge near its cell, typically O(log E).
/// Memory: 4 bytes per cell; about 70 bytes per edge (the edge, its grid and the hierarchy);
/// 24 bytes per border cell plus 4 per edge reference and 4 per grid holding its reference
/// point; the contacts' text. A prefecture plan (2,070 grids, 77,754 edges, 157,209 cells)
/// takes 7.8 MiB (see stats().memory_bytes).
///
/// Thread safety: every const member may be called from any number of threads at once.
class Locator {
public:
    /// An empty Locator: every query answers {none, false, NaN}.
    Locator();
    /// Builds the index over `grids` (their shapes are not kept, only their edges).
    /// @throws Error(invalid_argument) when a coordinate is not finite, when 2^30 grids or edges
    /// or more are given, or when options.cells_per_edge is not positive.
    explicit Locator(std::vector<LocatorGrid> grids, const LocatorOptions& options = {});
    ~Locator();
    /// Moves the index; `other` is left empty. O(1).
    Locator(Locator&& other) noexcept;
    /// Moves the index; `other` is left empty. O(1).
    Locator& operator=(Locator&& other) noexcept;
    Locator(const Locator&) = delete;
    Locator& operator=(const Locator&) = delete;

    /// The grid holding `p` (coordinates in the Locator's CRS), or the nearest grid with the
    /// distance to it. See the class comment for complexity and border rules. Never throws.
    Location locate(const Point& p) const noexcept;

    /// Number of grids.
    std::size_t size() const noexcept;
    /// Contact of grid `index` (index < size()).
    const GridContact& contact(std::size_t index) const;
    /// WKT of the CRS queries are answered in ("" = local planar frame in metres).
    const std::string& crs_wkt() const noexcept;
    /// WKT of the CRS the grids were stored in before being projected for the index (see
    /// LocatorOptions::source_crs_wkt).
    const std::string& source_crs_wkt() const noexcept;
    /// Size figures of the index. O(1).
    LocatorStats stats() const noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

// ---------------------------------------------------------------------------------------------
// Plans and point files (read through the io module)

/// Options for load_locator().
struct LoadLocatorOptions {
    /// Metric CRS the Locator works in (anything GDAL understands). Default: "" = the plan's
    /// own CRS when it is projected in metres, else the UTM zone of the grids' centre; a plan
    /// without CRS stays in its planar frame.
    std::string work_crs;
    /// Cells per edge of the index (see LocatorOptions). Default: 2.
    double cells_per_edge = 2.0;
};

/// Loads the grids of a plan folder written by `grid-partition plan` (layer `grids` of
/// `<plan_dir>/grids.gpkg`: `grid_id`, `station_id` and, when present, `manager_id`,
/// `manager_name`, `manager_phone`), projects them to a metric CRS and builds a Locator.
/// Complexity: O(vertices log vertices).
/// @throws Error(io_open) when the folder or grids.gpkg cannot be opened, Error(io_layer) when
/// there is no `grids` layer, Error(io_field) when `grid_id` is missing, Error(invalid_input)
/// when the layer holds no grid or a grid has no polygon, Error(crs) when the CRS cannot be
/// projected.
Locator load_locator(const std::string& plan_dir, const LoadLocatorOptions& options = {});

/// Where each point of a PointSet lies, in input order.
struct PointLocations {
    std::vector<Location> where; ///< Per point (a point with a problem keeps the default: no grid).
    std::size_t located = 0;     ///< Points without a problem, all looked up.
    std::size_t inside = 0;      ///< Of those, inside a grid.
    std::size_t outside = 0;     ///< Of those, outside every grid (nearest grid given).
    double max_distance_m = 0.0; ///< Largest distance of an outside point to its nearest grid.
};

/// The points' positions in the Locator's CRS (crs_wkt()), in input order. A point that cannot
/// be moved there gets its `problem` set (and a NaN position). O(points).
/// @throws Error(crs) as transform_points().
std::vector<Point> to_locator_crs(PointSet& points, const Locator& locator);

/// Looks up every point without a problem at its position `xy` (from to_locator_crs()).
/// O(points) look-ups. @throws Error(invalid_argument) when `xy` does not match `points`.
PointLocations locate_points(const Locator& locator, const PointSet& points, const std::vector<Point>& xy);

/// Writes one row per input point, in input order: id, x, y as read, grid, station, manager id,
/// name and phone, inside, distance (m), and with `with_status` a status column ("located" or
/// "rejected: <why>"). A GeoPackage when `path` ends in .gpkg (points in the input's CRS),
/// else CSV. Never over a path of `protect`. O(points).
/// @throws Error(io_write) when the file cannot be written or is protected.
void write_locations(const std::string& path, const PointSet& points, const PointLocations& at,
                     const Locator& locator, bool with_status, const std::vector<std::string>& protect);

} // namespace libgrid
