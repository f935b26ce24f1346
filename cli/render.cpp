// grid-partition render: print-ready grid maps (SVG, PNG, PDF) of a written plan, one per
// station, per branch and an overview. Only orchestration lives here; drawing is libgrid's.
#include "commands.hpp"
#include "common.hpp"

#include <libgrid/error.hpp>
#include <libgrid/io.hpp>
#include <libgrid/plan_folder.hpp>
#include <libgrid/plan_layers.hpp>
#include <libgrid/render.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>

namespace gp {
namespace {

namespace fs = std::filesystem;

struct RenderFlags {
    std::string plan;
    std::string by = "all";
    std::vector<std::string> formats{"svg", "png", "pdf"};
    std::string paper = "A3";
    std::string out;
    libgrid::RenderOptions options;
    bool no_report = false;
    bool no_style = false;
    bool quiet = false;
};

int run_render(RenderFlags& f)
{
    const auto start = std::chrono::steady_clock::now();
    ProgressPrinter progress(f.quiet);
    std::vector<libgrid::MapFormat> formats;
    for (const auto& name : f.formats)
        formats.push_back(name == "svg" ? libgrid::MapFormat::svg
                          : name == "png" ? libgrid::MapFormat::png
                                          : libgrid::MapFormat::pdf);
    f.options.paper = f.paper == "A4" || f.paper == "a4" ? libgrid::PaperSize::a4 : libgrid::PaperSize::a3;
    const auto level = f.by == "station" ? libgrid::MapLevel::station
                       : f.by == "branch" ? libgrid::MapLevel::branch
                                          : libgrid::MapLevel::all;
    const fs::path out_dir = f.out.empty() ? fs::path(f.plan) / "maps" : fs::path(f.out);
    const std::vector<std::string> protect{(fs::path(f.plan) / "grids.gpkg").string()};

    const auto cb = progress.callback();
    if (cb) cb(libgrid::Progress{"read plan", 0.0});
    const auto layers = libgrid::read_plan_layers(f.plan);
    progress.stage_done("read plan");
    if (layers.grids.empty())
        throw libgrid::Error(libgrid::ErrorCode::invalid_input,
                             fmt::format("render: the plan '{}' holds no grid", f.plan));
    std::vector<libgrid::MultiPolygon> shapes;
    shapes.reserve(layers.grids.size());
    for (const auto& g : layers.grids) shapes.push_back(g.shape);
    // One colouring of the whole plan: a grid keeps its colour on every map it appears in.
    const auto colours = libgrid::colour_graph(libgrid::grid_adjacency(shapes));
    const auto maps = libgrid::plan_maps(layers, level);
    if (maps.empty())
        throw libgrid::Error(libgrid::ErrorCode::invalid_input,
                             fmt::format("render: no {} maps to draw: no grid of '{}' has a {} id", f.by, f.plan, f.by));

    fmt::print("grid-partition render\n  plan           {} ({} grids, {} transformers, CRS {})\n", f.plan,
               with_commas(static_cast<double>(layers.grids.size())),
               with_commas(static_cast<double>(layers.transformers.size())), layers.crs_name);
    fmt::print("maps:\n");
    // Maps are drawn and written on every core, then reported in order.
    std::vector<libgrid::MapStats> stats(maps.size());
    std::vector<std::string> names(maps.size());
    // report.html shows the overview and the station maps inline: their SVG is drawn even when
    // SVG files were not asked for (it is the cheapest format).
    const bool html = level == libgrid::MapLevel::all && !f.no_report;
    auto draw_formats = formats;
    const bool svg_extra =
        html && std::find(formats.begin(), formats.end(), libgrid::MapFormat::svg) == formats.end();
    if (svg_extra) draw_formats.push_back(libgrid::MapFormat::svg);
    std::vector<std::string> svgs(maps.size());
    if (cb) cb(libgrid::Progress{"render", 0.0}); // its time runs from here
    libgrid::render_maps(layers, colours, maps, draw_formats, f.options, [&](std::size_t i, libgrid::RenderedMap&& drawn) {
        const auto& m = maps[i];
        for (std::size_t k = 0; k < formats.size(); ++k) {
            const fs::path target = out_dir / libgrid::map_file_name(m, formats[k]);
            libgrid::write_text_file(target.string(), drawn.files[k], protect);
            names[i] += (k ? ", " : "") + target.filename().string();
        }
        stats[i] = drawn.stats;
        if (html && m.level != "branch")
            for (std::size_t k = 0; k < draw_formats.size(); ++k)
                if (draw_formats[k] == libgrid::MapFormat::svg) svgs[i] = std::move(drawn.files[k]);
    });

    std::size_t dropped = 0, files = 0;
    for (std::size_t i = 0; i < maps.size(); ++i) {
        const auto& m = maps[i];
        files += formats.size();
        const auto& s = stats[i];
        dropped += s.labels_dropped;
        fmt::print("  {:<24} {:>5} grids, labels {} inside, {} with leader{}  {}\n", m.title, s.grids,
                   s.labels_inside, s.labels_leader,
                   s.labels_dropped ? fmt::format(", {} unlabelled (too small)", s.labels_dropped) : std::string(),
                   names[i]);
    }
    progress.stage_done("render");
    if (!f.no_style) {
        // QGIS shows the plan in the maps' colours: a .qml beside the layer files (QGIS loads
        // grids.qml with grids.shp) and the same style as the default in grids.gpkg.
        const auto qml = libgrid::qgis_style(layers, colours, f.options.font_family);
        const fs::path qml_path = fs::path(f.plan) / "grids.qml";
        libgrid::write_text_file(qml_path.string(), qml, protect);
        libgrid::write_layer_style((fs::path(f.plan) / "grids.gpkg").string(), "grids", "grid-partition", qml,
                                   "Grid map colours (neighbours differ) and labels, by grid-partition render");
        fmt::print("  QGIS style     {} (also the default style of layer grids in grids.gpkg)\n", qml_path.string());
    }
    if (html) {
        std::vector<libgrid::ReportMap> shown;
        for (std::size_t i = maps.size(); i-- > 0;) // the overview (last) first, then the stations
            if (!svgs[i].empty()) shown.push_back({maps[i].title, std::move(svgs[i])});
        std::reverse(shown.begin() + 1, shown.end());
        std::optional<libgrid::PlanReport> report;
        std::error_code ec;
        if (fs::exists(fs::path(f.plan) / "report.json", ec)) report = libgrid::read_plan_report(f.plan);
        const fs::path target = fs::path(f.plan) / "report.html";
        libgrid::write_text_file(
            target.string(),
            libgrid::report_html(layers, colours, shown, report ? &*report : nullptr,
                                 "Grid plan " + fs::path(f.plan).lexically_normal().filename().string()),
            protect);
        fmt::print("  report         {}\n", target.string());
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    fmt::print("result: {} maps ({} files) written to {} in {:.1f} s{}\n", maps.size(), files, out_dir.string(),
               seconds, dropped ? fmt::format("; {} grid labels left out where there was no room", dropped)
                                : std::string());
    return exit_ok;
}

} // namespace

int render_plan_maps(const std::string& plan_dir, bool quiet)
{
    RenderFlags f;
    f.plan = plan_dir;
    f.quiet = quiet;
    return run_render(f);
}

void register_render(CLI::App& root, std::function<int()>& action)
{
    auto flags = std::make_shared<RenderFlags>();
    auto& o = flags->options;
    CLI::App* app = root.add_subcommand(
        "render", "Draw print-ready grid maps (SVG, PNG, PDF) of a plan: one per station, per branch and an overview");
    app->add_option("--plan", flags->plan, "Folder written by grid-partition plan (holds grids.gpkg)")
        ->required()
        ->check(CLI::ExistingDirectory);
    app->add_option("--by", flags->by, "Maps per station, per branch, or all (both and an overview)")
        ->check(CLI::IsMember({"station", "branch", "all"}))
        ->capture_default_str();
    app->add_option("--formats", flags->formats, "Map formats: svg, png, pdf")
        ->delimiter(',')
        ->check(CLI::IsMember({"svg", "png", "pdf"}))
        ->capture_default_str();
    app->add_option("--paper", flags->paper, "Sheet size, landscape: A4 or A3")
        ->check(CLI::IsMember({"A4", "A3", "a4", "a3"}))
        ->capture_default_str();
    app->add_option("--dpi", o.dpi, "PNG resolution, dots per inch")->check(CLI::Range(10.0, 1200.0))->capture_default_str();
    app->add_option("--out", flags->out, "Folder for the maps (default: PLAN/maps)");
    app->add_flag("--transformers", o.transformers, "Draw a dot per transformer");
    app->add_flag("--no-context", [&o](std::int64_t) { o.context = false; },
                  "Leave out the grey grids of neighbouring stations");
    app->add_option("--date", o.date, "Date printed in the titles (default: today, UTC)");
    app->add_option("--font", o.font_family, "Font family for all text (fontconfig name)")->capture_default_str();
    app->add_flag("--no-style", flags->no_style,
                  "Do not write PLAN/grids.qml nor store the QGIS style in PLAN/grids.gpkg");
    app->add_flag("--no-report", flags->no_report, "With --by all: do not write PLAN/report.html");
    app->add_flag("--quiet,-q", flags->quiet, "No progress on stderr");
    app->callback([flags, &action] { action = [flags] { return run_render(*flags); }; });
}

} // namespace gp
