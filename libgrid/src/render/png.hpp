// Private PNG encoder of the render module.
#pragma once

#include <cstdint>
#include <string>

namespace libgrid::detail {

/// Encodes 8-bit RGB pixels given as 32-bit native-endian xRGB words (cairo's CAIRO_FORMAT_RGB24
/// layout, `stride` bytes per row) as a PNG file. Fast settings (the Sub filter and zlib level 1)
/// because maps are large flat areas: cairo's own writer spends most of a map's time compressing.
/// @throws Error(internal) when zlib fails.
std::string encode_png(const unsigned char* data, int width, int height, int stride, double dpi);

} // namespace libgrid::detail
