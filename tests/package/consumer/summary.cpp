#include "summary.hpp"

#include <cstdio>

std::string summarise(const libgrid::Plan& plan)
{
    std::string text = std::to_string(plan.num_grids()) + " grids, loads";
    for (const double load : plan.grid_load) {
        char buffer[32];
        std::snprintf(buffer, sizeof buffer, " %.0f", load);
        text += buffer;
    }
    return text;
}
