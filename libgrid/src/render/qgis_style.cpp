// QGIS style (QML) for a plan's grids layer: the map colours as a categorised renderer on grid_id,
// and grid labels.
#include "render/canvas.hpp"
#include "render/palette.hpp"

#include <libgrid/render.hpp>

#include <fmt/format.h>

#include <cmath>

namespace libgrid {

std::string qgis_style(const PlanLayers& layers, const std::vector<std::size_t>& colours, const std::string& font_family)
{
    using detail::xml_escape;
    std::string categories, symbols;
    for (std::size_t g = 0; g < layers.grids.size(); ++g) {
        const std::string id = xml_escape(layers.grids[g].grid_id);
        categories += fmt::format("      <category render=\"true\" symbol=\"{}\" value=\"{}\" label=\"{}\"/>\n", g, id, id);
        const detail::Rgba c = detail::palette_colour(g < colours.size() ? colours[g] : 0);
        auto byte = [](double v) { return static_cast<int>(std::lround(v * 255.0)); };
        symbols += fmt::format(
            "      <symbol type=\"fill\" name=\"{}\" alpha=\"1\" clip_to_extent=\"1\" force_rhr=\"0\">\n"
            "        <layer class=\"SimpleFill\" enabled=\"1\" locked=\"0\" pass=\"0\">\n"
            "          <Option type=\"Map\">\n"
            "            <Option type=\"QString\" name=\"color\" value=\"{},{},{},255\"/>\n"
            "            <Option type=\"QString\" name=\"outline_color\" value=\"48,48,48,255\"/>\n"
            "            <Option type=\"QString\" name=\"outline_style\" value=\"solid\"/>\n"
            "            <Option type=\"QString\" name=\"outline_width\" value=\"0.5\"/>\n"
            "            <Option type=\"QString\" name=\"outline_width_unit\" value=\"MM\"/>\n"
            "            <Option type=\"QString\" name=\"style\" value=\"solid\"/>\n"
            "          </Option>\n"
            "        </layer>\n"
            "      </symbol>\n",
            g, byte(c.r), byte(c.g), byte(c.b));
    }
    // attribute() gives NULL for a column the layer lacks, so the label works before and after
    // managers are assigned.
    const std::string label_expr =
        xml_escape("\"grid_id\" || coalesce('\\n' || attribute(@feature, 'manager_name'), '')");
    return fmt::format(
        "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
        "<qgis version=\"3.22.0\" styleCategories=\"Symbology|Labeling\" labelsEnabled=\"1\">\n"
        "  <renderer-v2 type=\"categorizedSymbol\" attr=\"grid_id\" symbollevels=\"0\" enableorderby=\"0\" "
        "forceraster=\"0\">\n"
        "    <categories>\n{}    </categories>\n"
        "    <symbols>\n{}    </symbols>\n"
        "  </renderer-v2>\n"
        "  <labeling type=\"simple\">\n"
        "    <settings calloutType=\"simple\">\n"
        "      <text-style fieldName=\"{}\" isExpression=\"1\" fontFamily=\"{}\" fontSize=\"9\" fontSizeUnit=\"Point\" "
        "fontWeight=\"50\" textColor=\"34,34,34,255\" textOpacity=\"1\" multilineHeight=\"1\">\n"
        "        <text-buffer bufferDraw=\"1\" bufferSize=\"1\" bufferSizeUnits=\"MM\" bufferColor=\"255,255,255,255\" "
        "bufferOpacity=\"0.8\"/>\n"
        "      </text-style>\n"
        "      <text-format multilineAlign=\"1\" wrapChar=\"\"/>\n"
        "      <placement placement=\"1\" centroidInside=\"1\" fitInPolygonOnly=\"0\" priority=\"5\"/>\n"
        "      <rendering obstacle=\"1\" displayAll=\"0\" limitNumLabels=\"0\" scaleVisibility=\"0\"/>\n"
        "    </settings>\n"
        "  </labeling>\n"
        "  <layerGeometryType>2</layerGeometryType>\n"
        "</qgis>\n",
        categories, symbols, label_expr, xml_escape(font_family));
}

} // namespace libgrid
