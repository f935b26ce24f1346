// Pieces of the plan report that reading a plan folder needs too.
#pragma once

#include <libgrid/model.hpp>
#include <libgrid/partition.hpp>

#include <string>
#include <vector>

namespace libgrid::folder {

/// Per grid, the names (id when unnamed) of the community-level units its transformers lie in,
/// in unit order: the level named so, else the second finest, else the finest. Empty lists
/// without levels or before validate() filled Territory::transformer_unit.
std::vector<std::vector<std::string>> grid_communities(const Territory& territory, const Plan& plan);

} // namespace libgrid::folder
