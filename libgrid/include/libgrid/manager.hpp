// libgrid/manager.hpp: grid managers as planning input (the roster).
//
// A Manager is a person (or, without a roster, a numbered slot) who holds one or more grids of
// one business station, works from a base and can carry a limited load. Read from any OGR table
// or point layer by read_managers() (io.hpp); assigned to grids by assign_managers() (assign.hpp).
#pragma once

#include <libgrid/geometry_types.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

namespace libgrid {

/// One grid manager of the roster.
struct Manager {
    std::string id;         ///< Unique id, e.g. an employee number or "S01-M001" for a slot.
    std::string name;       ///< Display name (UTF-8), "" for an unfilled slot.
    std::string phone;      ///< Contact phone as given, "" when unknown.
    std::string station_id; ///< Business station whose grids the manager may hold.
    /// Base (office or home) in the working CRS. Only meaningful when has_base is true;
    /// otherwise assign_managers() uses the station's load-weighted centre.
    Point base;
    bool has_base = false;  ///< True when `base` was given.
    /// Maximum total load of the manager's grids (same unit as the plan's load). Must be > 0.
    double capacity = 0.0;
    /// Maximum number of grids; 0 = no limit.
    std::size_t max_grids = 0;
    std::int64_t source_fid = -1; ///< OGR feature id in the input layer (-1 when built in memory).
};

} // namespace libgrid
