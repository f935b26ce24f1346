// Dispatch work orders to grid managers: build a Locator once from the grids (here in memory;
// from a plan folder, libgrid::load_locator(dir) does the same), then look up each order.
//
// Two grids of 1 km x 1 km side by side, the western one with a pond (a hole) that belongs to
// no grid; four orders: one in each grid, one in the pond, one on the shared border.
#include <libgrid/locate.hpp>

#include <cstdio>

namespace {
libgrid::Ring square(double x0, double y0, double x1, double y1)
{
    return {{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}};
}
} // namespace

int main()
{
    std::vector<libgrid::LocatorGrid> grids(2);
    grids[0].contact = {"G1", "S1", "M07", "Li Na", "+86 731 0000 0007"};
    grids[0].shape = {libgrid::Polygon{square(0, 0, 1000, 1000), {square(200, 200, 400, 400)}}};
    grids[1].contact = {"G2", "S1", "M12", "Wang Wei", "+86 731 0000 0012"};
    grids[1].shape = {libgrid::Polygon{square(1000, 0, 2000, 1000), {}}};
    const libgrid::Locator locator(std::move(grids));

    const struct { const char* order; libgrid::Point at; } orders[] = {
        {"WO-1", {500, 700}}, {"WO-2", {1500, 100}}, {"WO-3", {300, 250}}, {"WO-4", {1000, 500}}};
    for (const auto& o : orders) {
        const libgrid::Location where = locator.locate(o.at);
        const libgrid::GridContact& c = locator.contact(where.grid);
        if (where.inside)
            std::printf("%s: grid %s, manager %s (%s)\n", o.order, c.grid_id.c_str(), c.manager_name.c_str(),
                        c.manager_phone.c_str());
        else
            std::printf("%s: outside every grid, %.0f m from grid %s (manager %s)\n", o.order, where.distance_m,
                        c.grid_id.c_str(), c.manager_name.c_str());
    }
    const libgrid::LocatorStats s = locator.stats();
    std::printf("index: %zu edges, %zu cells, %zu border cells\n", s.edges, s.cells, s.border_cells);
    return 0;
}
