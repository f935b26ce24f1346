// A minimal PNG writer (IHDR, pHYs, IDAT, IEND) over zlib.
#include "render/png.hpp"

#include <libgrid/error.hpp>

#include <zlib.h>

#include <cmath>
#include <cstring>
#include <vector>

namespace libgrid::detail {
namespace {

void put32(std::string& out, std::uint32_t v)
{
    out += static_cast<char>((v >> 24) & 0xff);
    out += static_cast<char>((v >> 16) & 0xff);
    out += static_cast<char>((v >> 8) & 0xff);
    out += static_cast<char>(v & 0xff);
}

void chunk(std::string& out, const char* type, const std::string& body)
{
    put32(out, static_cast<std::uint32_t>(body.size()));
    const std::string typed = std::string(type, 4) + body;
    out += typed;
    put32(out, static_cast<std::uint32_t>(
                   crc32(0L, reinterpret_cast<const Bytef*>(typed.data()), static_cast<uInt>(typed.size()))));
}

} // namespace

std::string encode_png(const unsigned char* data, int width, int height, int stride, double dpi)
{
    const auto w = static_cast<std::size_t>(width), h = static_cast<std::size_t>(height);
    // Filtered scanlines: a filter byte (1 = Sub) then RGB bytes minus the pixel to the left.
    std::vector<unsigned char> raw(h * (1 + 3 * w));
    for (std::size_t y = 0; y < h; ++y) {
        const auto* row = reinterpret_cast<const std::uint32_t*>(data + y * static_cast<std::size_t>(stride));
        unsigned char* o = &raw[y * (1 + 3 * w)];
        *o++ = 1;
        std::uint32_t left = 0;
        for (std::size_t x = 0; x < w; ++x) {
            const std::uint32_t p = row[x];
            *o++ = static_cast<unsigned char>(((p >> 16) & 0xff) - ((left >> 16) & 0xff));
            *o++ = static_cast<unsigned char>(((p >> 8) & 0xff) - ((left >> 8) & 0xff));
            *o++ = static_cast<unsigned char>((p & 0xff) - (left & 0xff));
            left = p;
        }
    }
    uLongf packed_size = compressBound(static_cast<uLong>(raw.size()));
    std::string packed(packed_size, '\0');
    if (compress2(reinterpret_cast<Bytef*>(&packed[0]), &packed_size, raw.data(), static_cast<uLong>(raw.size()),
                  Z_BEST_SPEED) != Z_OK)
        throw Error(ErrorCode::internal, "render: zlib failed to compress a PNG image");
    packed.resize(packed_size);

    std::string out("\x89PNG\r\n\x1a\n", 8);
    std::string ihdr;
    put32(ihdr, static_cast<std::uint32_t>(width));
    put32(ihdr, static_cast<std::uint32_t>(height));
    ihdr += std::string("\x08\x02\x00\x00\x00", 5); // 8 bits, RGB, deflate, adaptive filters, no interlace
    chunk(out, "IHDR", ihdr);
    std::string phys; // pixels per metre, so that viewers and printers know the print size
    const auto ppm = static_cast<std::uint32_t>(std::lround(dpi / 0.0254));
    put32(phys, ppm);
    put32(phys, ppm);
    phys += '\x01';
    chunk(out, "pHYs", phys);
    chunk(out, "IDAT", packed);
    chunk(out, "IEND", "");
    return out;
}

} // namespace libgrid::detail
