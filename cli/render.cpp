// grid-partition render: print-ready grid maps (SVG, PNG, PDF) of a written plan, one per
// station, per branch and an overview. Only orchestration lives here; drawing is libgrid's.
#include "commands.hpp"
#include "common.hpp"

#include <libgrid/render.hpp>

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <memory>

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
    libgrid::RenderFolderOptions o;
    o.formats.clear();
    for (const auto& name : f.formats)
        o.formats.push_back(name == "svg"   ? libgrid::MapFormat::svg
                            : name == "png" ? libgrid::MapFormat::png
                                            : libgrid::MapFormat::pdf);
    o.level = f.by == "station" ? libgrid::MapLevel::station
              : f.by == "branch" ? libgrid::MapLevel::branch
                                 : libgrid::MapLevel::all;
    o.out_dir = f.out;
    o.map = f.options;
    o.map.paper = f.paper == "A4" || f.paper == "a4" ? libgrid::PaperSize::a4 : libgrid::PaperSize::a3;
    o.report = !f.no_report;
    o.style = !f.no_style;
    o.progress = progress.callback();
    const auto r = libgrid::render_plan_folder(f.plan, o);

    fmt::print("grid-partition render\n  plan           {} ({} grids, {} transformers, CRS {})\nmaps:\n", f.plan,
               with_commas(double(r.grids)), with_commas(double(r.transformers)), r.crs_name);
    std::size_t dropped = 0, files = 0;
    for (const auto& m : r.maps) {
        files += m.files.size();
        dropped += m.stats.labels_dropped;
        std::string names;
        for (const auto& p : m.files) names += (names.empty() ? "" : ", ") + fs::path(p).filename().string();
        fmt::print("  {:<24} {:>5} grids, labels {} inside, {} with leader{}  {}\n", m.title, m.stats.grids,
                   m.stats.labels_inside, m.stats.labels_leader,
                   m.stats.labels_dropped ? fmt::format(", {} unlabelled (too small)", m.stats.labels_dropped)
                                          : std::string(),
                   names);
    }
    if (!r.style_path.empty())
        fmt::print("  QGIS style     {} (also the default style of layer grids in grids.gpkg)\n", r.style_path);
    if (!r.report_path.empty()) fmt::print("  report         {}\n", r.report_path);
    for (const auto& w : r.warnings) fmt::print("  WARNING        {}\n", w);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    fmt::print("result: {} maps ({} files) written to {} in {:.1f} s{}\n", r.maps.size(), files, r.out_dir, seconds,
               dropped ? fmt::format("; {} grid labels left out where there was no room", dropped) : std::string());
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
