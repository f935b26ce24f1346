// render_plan_folder(): every map of a plan folder, its QGIS style and report.html (see
// libgrid/render.hpp).
#include <libgrid/error.hpp>
#include <libgrid/io.hpp>
#include <libgrid/plan_folder.hpp>
#include <libgrid/plan_layers.hpp>
#include <libgrid/render.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <optional>

namespace libgrid {

RenderFolderResult render_plan_folder(const std::string& plan_dir, const RenderFolderOptions& o)
{
    namespace fs = std::filesystem;
    auto stage = [&](const char* name, double fraction) {
        if (o.progress) o.progress(Progress{name, fraction});
    };
    RenderFolderResult result;
    result.out_dir = o.out_dir.empty() ? (fs::path(plan_dir) / "maps").string() : o.out_dir;
    const std::vector<std::string> protect{(fs::path(plan_dir) / "grids.gpkg").string()};

    stage("read plan", 0.0);
    const auto layers = read_plan_layers(plan_dir);
    stage("read plan", 1.0);
    if (layers.grids.empty())
        throw Error(ErrorCode::invalid_input, fmt::format("render: the plan '{}' holds no grid", plan_dir));
    result.grids = layers.grids.size();
    result.transformers = layers.transformers.size();
    result.crs_name = layers.crs_name;
    std::vector<MultiPolygon> shapes;
    shapes.reserve(layers.grids.size());
    for (const auto& g : layers.grids) shapes.push_back(g.shape);
    // One colouring of the whole plan: a grid keeps its colour on every map it appears in.
    const auto colours = colour_graph(grid_adjacency(shapes));
    const auto maps = plan_maps(layers, o.level);
    if (maps.empty()) {
        const char* by = o.level == MapLevel::branch ? "branch" : "station";
        throw Error(ErrorCode::invalid_input,
                    fmt::format("render: no {} maps to draw: no grid of '{}' has a {} id", by, plan_dir, by));
    }

    // report.html shows the overview and the station maps inline: their SVG is drawn even when
    // SVG files were not asked for (it is the cheapest format).
    const bool html = o.level == MapLevel::all && o.report;
    auto draw_formats = o.formats;
    if (html && std::find(o.formats.begin(), o.formats.end(), MapFormat::svg) == o.formats.end())
        draw_formats.push_back(MapFormat::svg);
    std::vector<std::string> svgs(maps.size());
    result.maps.resize(maps.size());
    stage("render", 0.0);
    render_maps(
        layers, colours, maps, draw_formats, o.map,
        [&](std::size_t i, RenderedMap&& drawn) {
            const auto& m = maps[i];
            auto& out = result.maps[i];
            out.title = m.title;
            out.stats = drawn.stats;
            for (std::size_t k = 0; k < o.formats.size(); ++k) {
                const fs::path target = fs::path(result.out_dir) / map_file_name(m, o.formats[k]);
                write_text_file(target.string(), drawn.files[k], protect);
                out.files.push_back(target.string());
            }
            if (html && m.level != "branch")
                for (std::size_t k = 0; k < draw_formats.size(); ++k)
                    if (draw_formats[k] == MapFormat::svg) svgs[i] = std::move(drawn.files[k]);
        },
        o.threads);
    stage("render", 1.0);

    if (o.style) {
        // QGIS shows the plan in the maps' colours: a .qml beside the layer files (QGIS loads
        // grids.qml with grids.shp) and the same style as the default in grids.gpkg.
        const auto qml = qgis_style(layers, colours, o.map.font_family);
        result.style_path = (fs::path(plan_dir) / "grids.qml").string();
        write_text_file(result.style_path, qml, protect);
        write_layer_style(protect.front(), "grids", "grid-partition", qml,
                          "Grid map colours (neighbours differ) and labels, by grid-partition render");
    }
    if (html) {
        std::vector<ReportMap> shown;
        for (std::size_t i = maps.size(); i-- > 0;) // the overview (last) first, then the stations
            if (!svgs[i].empty()) shown.push_back({maps[i].title, std::move(svgs[i])});
        if (shown.size() > 1) std::reverse(shown.begin() + 1, shown.end());
        // The maps do not depend on report.json: one that does not read (hand-edited, or from
        // another version) leaves report.html without measures, and says so.
        std::optional<PlanReport> report;
        std::error_code ec;
        if (fs::exists(fs::path(plan_dir) / "report.json", ec)) {
            try {
                report = read_plan_report(plan_dir);
            } catch (const Error& e) {
                result.warnings.push_back(fmt::format("report.html lists the grids without their measures: {}", e.what()));
            }
        }
        result.report_path = (fs::path(plan_dir) / "report.html").string();
        write_text_file(result.report_path,
                        report_html(layers, colours, shown, report ? &*report : nullptr,
                                    "Grid plan " + fs::path(plan_dir).lexically_normal().filename().string()),
                        protect);
    }
    return result;
}

} // namespace libgrid
