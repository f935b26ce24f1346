// Private helper of the validate module.
#pragma once

#include <libgrid/model.hpp>

#include <vector>

namespace libgrid::detail {

/// Removes the transformers marked in `drop` (one entry per transformer) and renumbers feeder
/// links and customer points; links and points of removed transformers go. O(n + links + points).
void remove_transformers(Territory& territory, const std::vector<char>& drop);

} // namespace libgrid::detail
