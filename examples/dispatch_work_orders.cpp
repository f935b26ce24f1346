// Dispatch work orders to grid managers: build a Locator once, then look up each order.
//
// Without arguments the grids are built in memory: two grids of 1 km x 1 km side by side, the
// western one with a pond (a hole) that belongs to no grid; four orders: one in each grid, one
// in the pond, one on the shared border.
// With a plan folder written by `grid-partition plan` and lon/lat orders
// (`dispatch_work_orders DIR ID LON LAT [ID LON LAT ...]`), the Locator is loaded from the
// folder and the orders are moved into its metric CRS first; a folder that is not a plan is
// reported with libgrid's message and exit status 1.
#include <libgrid/error.hpp>
#include <libgrid/locate.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {
libgrid::Ring square(double x0, double y0, double x1, double y1)
{
    return {{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}};
}

/// "M07 Li Na (+86 ...)", leaving out what the plan does not know (slots have ids only).
std::string manager_text(const libgrid::GridContact& c)
{
    std::string text = c.manager_id.empty() ? "unassigned" : c.manager_id;
    if (!c.manager_name.empty()) text += " " + c.manager_name;
    if (!c.manager_phone.empty()) text += " (" + c.manager_phone + ")";
    return text;
}

void dispatch(const libgrid::Locator& locator, const char* order, const libgrid::Point& at)
{
    const libgrid::Location where = locator.locate(at);
    const libgrid::GridContact& c = locator.contact(where.grid);
    if (where.inside)
        std::printf("%s: grid %s, manager %s\n", order, c.grid_id.c_str(), manager_text(c).c_str());
    else
        std::printf("%s: outside every grid, %.0f m from grid %s (manager %s)\n", order, where.distance_m,
                    c.grid_id.c_str(), manager_text(c).c_str());
}

int from_plan(int argc, char** argv)
{
    try {
        const libgrid::Locator locator = libgrid::load_locator(argv[1]);
        std::vector<libgrid::Point> at;
        for (int i = 2; i + 2 < argc; i += 3) at.push_back({std::atof(argv[i + 1]), std::atof(argv[i + 2])});
        libgrid::transform_points(at, "EPSG:4326", locator.crs_wkt());
        for (std::size_t k = 0; k < at.size(); ++k) dispatch(locator, argv[2 + 3 * k], at[k]);
        std::printf("plan %s: %zu grids\n", argv[1], locator.size());
        return 0;
    } catch (const libgrid::Error& e) {
        std::fprintf(stderr, "dispatch_work_orders: %s\n", e.what());
        return 1;
    }
}

} // namespace

int main(int argc, char** argv)
{
    if (argc >= 2) return from_plan(argc, argv);
    std::vector<libgrid::LocatorGrid> grids(2);
    grids[0].contact = {"G1", "S1", "M07", "Li Na", "+86 731 0000 0007"};
    grids[0].shape = {libgrid::Polygon{square(0, 0, 1000, 1000), {square(200, 200, 400, 400)}}};
    grids[1].contact = {"G2", "S1", "M12", "Wang Wei", "+86 731 0000 0012"};
    grids[1].shape = {libgrid::Polygon{square(1000, 0, 2000, 1000), {}}};
    const libgrid::Locator locator(std::move(grids));

    const struct { const char* order; libgrid::Point at; } orders[] = {
        {"WO-1", {500, 700}}, {"WO-2", {1500, 100}}, {"WO-3", {300, 250}}, {"WO-4", {1000, 500}}};
    for (const auto& o : orders) dispatch(locator, o.order, o.at);
    const libgrid::LocatorStats s = locator.stats();
    std::printf("index: %zu edges, %zu cells, %zu border cells\n", s.edges, s.cells, s.border_cells);
    return 0;
}
