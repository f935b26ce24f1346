// Private: the fill palette shared by maps and the QGIS style.
#pragma once

#include "render/canvas.hpp"

#include <cstddef>

namespace libgrid::detail {

/// Fill colour of a colour index (taken modulo the palette size).
Rgba palette_colour(std::size_t index) noexcept;

} // namespace libgrid::detail
