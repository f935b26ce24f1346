// Every map of a plan drawn on all cores, and the maps' file names (see libgrid/render.hpp).
#include "core/parallel.hpp"

#include <libgrid/render.hpp>

namespace libgrid {

void render_maps(const PlanLayers& layers, const std::vector<std::size_t>& colours, const std::vector<MapSpec>& maps,
                 const std::vector<MapFormat>& formats, const RenderOptions& options,
                 const std::function<void(std::size_t, RenderedMap&&)>& sink, std::size_t threads)
{
    // Each map has its own cairo surfaces: maps are independent.
    detail::parallel_for(
        maps.size(), threads, [&](std::size_t i) { sink(i, render_map(layers, colours, maps[i], formats, options)); },
        [](std::size_t) {});
}

std::string map_file_name(const MapSpec& map, MapFormat format)
{
    std::string stem = "overview";
    if (map.level != "overview") {
        std::string id;
        for (const char c : map.id) {
            const auto u = static_cast<unsigned char>(c);
            id += (u < 0x20 || c == '/' || c == '\\' || c == ':' || c == ' ' || c == '*' || c == '?' || c == '"' ||
                   c == '<' || c == '>' || c == '|')
                      ? '_'
                      : c;
        }
        if (map.id.empty()) id = "unassigned";
        if (id == "." || id == "..") id = "_";
        stem = map.level + "-" + id;
    }
    switch (format) {
    case MapFormat::svg: return stem + ".svg";
    case MapFormat::png: return stem + ".png";
    case MapFormat::pdf: return stem + ".pdf";
    }
    return stem;
}

} // namespace libgrid
