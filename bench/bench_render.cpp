// bench-render: time to draw every map of a plan (issue 6's bar: the synthetic prefecture's
// maps in under 10 s), median of several runs.
//
//   bench-render [--cache DIR] [--runs 3]       (synthetic prefecture: 30,000 transformers,
//                                                9 stations, 350,000 customers, 2,070 grids)
//   bench-render --plan DIR                     (any folder written by grid-partition plan)
//
// Prints the time of reading the plan, colouring it, and drawing every map in each format on
// one thread (CPU cost), then the wall time of `grid-partition render` (all formats, maps drawn
// on every core, files written).
#include <libgrid/plan_layers.hpp>
#include <libgrid/render.hpp>

#include "bench_util.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

int shell(const std::string& cmd) { return std::system(cmd.c_str()); }

} // namespace

int main(int argc, char** argv)
{
    CLI::App app{"Time to draw every map of a plan (SVG, PNG, PDF)"};
    std::string cache = "/tmp/bench-render", plan;
    int runs = 3;
    app.add_option("--cache", cache, "Folder for the synthetic prefecture and its plan (reused)")->capture_default_str();
    app.add_option("--plan", plan, "Use this plan folder instead of the synthetic prefecture");
    app.add_option("--runs", runs, "Runs; medians are printed")->capture_default_str()->check(CLI::PositiveNumber);
    CLI11_PARSE(app, argc, argv);

    if (plan.empty()) {
        plan = cache + "/plan";
        if (!fs::exists(plan + "/grids.gpkg")) {
            fmt::print("generating the synthetic prefecture and its plan in {} ...\n", cache);
            const std::string city = cache + "/city";
            if (shell(fmt::format("'{}' --transformers 30000 --stations 9 --customers-total 350000 --seed 1 "
                                  "--out '{}' >/dev/null",
                                  SYNTH_CITY, city)) != 0 ||
                shell(fmt::format("'{}' plan -q --transformers '{c}/transformers.gpkg' --boundaries "
                                  "'{c}/boundaries.gpkg' --feeders '{c}/feeders.gpkg' --node-field hv_bus --grids 2070 "
                                  "--out '{p}' >/dev/null",
                                  GRID_PARTITION, fmt::arg("c", city), fmt::arg("p", plan))) != 0) {
                fmt::print(stderr, "bench-render: generating or planning failed\n");
                return 1;
            }
        }
    }

    std::vector<double> t_read, t_colour, t_svg, t_png, t_pdf, t_cli;
    std::size_t maps_n = 0, grids_n = 0;
    const libgrid::MapFormat formats[] = {libgrid::MapFormat::svg, libgrid::MapFormat::png, libgrid::MapFormat::pdf};
    for (int r = 0; r < runs; ++r) {
        auto t = Clock::now();
        const auto layers = libgrid::read_plan_layers(plan);
        t_read.push_back(since(t));
        t = Clock::now();
        std::vector<libgrid::MultiPolygon> shapes;
        for (const auto& g : layers.grids) shapes.push_back(g.shape);
        const auto colours = libgrid::colour_graph(libgrid::grid_adjacency(shapes));
        t_colour.push_back(since(t));
        const auto maps = libgrid::plan_maps(layers, libgrid::MapLevel::all);
        maps_n = maps.size();
        grids_n = layers.grids.size();
        libgrid::RenderOptions opt;
        opt.date = "2026-01-01";
        for (const auto f : formats) {
            t = Clock::now();
            for (const auto& m : maps) (void)libgrid::render_map(layers, colours, m, {f}, opt);
            (f == libgrid::MapFormat::svg ? t_svg : f == libgrid::MapFormat::png ? t_png : t_pdf).push_back(since(t));
        }
        t = Clock::now();
        if (shell(fmt::format("'{}' render -q --plan '{}' --out '{}/bench-maps' --date 2026-01-01 >/dev/null",
                              GRID_PARTITION, plan, cache)) != 0) {
            fmt::print(stderr, "bench-render: grid-partition render failed\n");
            return 1;
        }
        t_cli.push_back(since(t));
    }
    using bench::median;
    fmt::print("bench-render: {} ({} grids, {} maps), median of {} runs\n", plan, grids_n, maps_n, runs);
    fmt::print("  read plan        {:7.3f} s\n", median(t_read));
    fmt::print("  colouring        {:7.3f} s\n", median(t_colour));
    fmt::print("  all maps, SVG    {:7.3f} s  (one thread)\n", median(t_svg));
    fmt::print("  all maps, PNG    {:7.3f} s  (one thread, 150 dpi A3)\n", median(t_png));
    fmt::print("  all maps, PDF    {:7.3f} s  (one thread)\n", median(t_pdf));
    const double cli = median(t_cli);
    fmt::print("  grid-partition render, SVG+PNG+PDF, files written: {:.3f} s wall  [bar < 10 s: {}]\n", cli,
               cli < 10.0 ? "met" : "NOT met");
    return 0;
}
