// bench-foundation: time and peak memory of each foundation stage (read, validate, service
// areas, adjacency graph) on a synthetic territory, median of several runs.
//
//   bench-foundation --transformers 100000 [--runs 3] [--seed 1] [--keep DIR]
//   bench-foundation --dir DIR            (use a territory synth-city already wrote)
//
// Peak memory per stage: the kernel's high-water mark (VmHWM) is reset before each stage
// through /proc/self/clear_refs, so each figure is that stage's own peak resident size.
#include <libgrid/graph.hpp>
#include <libgrid/io.hpp>
#include <libgrid/service_areas.hpp>
#include <libgrid/validate.hpp>

#include "bench_util.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <malloc.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace {

using bench::median;
using bench::peak_mib;
using bench::reset_peak;

struct Sample {
    double seconds = 0;
    double peak_mib = 0;
};

} // namespace

int main(int argc, char** argv)
{
    CLI::App app{"Time and peak memory of read, validate, service areas and graph"};
    std::size_t transformers = 100000;
    int runs = 3;
    std::uint64_t seed = 1;
    std::string dir, keep;
    app.add_option("--transformers", transformers, "Size of the synthetic territory")->capture_default_str();
    app.add_option("--runs", runs, "Runs; medians are printed")->capture_default_str();
    app.add_option("--seed", seed, "Generator seed")->capture_default_str();
    app.add_option("--dir", dir, "Use an existing synth-city output folder");
    app.add_option("--keep", keep, "Generate into this folder and keep it");
    CLI11_PARSE(app, argc, argv);

    fs::path data = dir;
    fs::path tmp;
    if (dir.empty()) {
        data = keep.empty() ? (tmp = fs::temp_directory_path() / fmt::format("bench-foundation-{}", ::getpid()))
                            : fs::path(keep);
        const std::string cmd = fmt::format("'{}' --transformers {} --seed {} --out '{}' >/dev/null",
                                            SYNTH_CITY, transformers, seed, data.string());
        fmt::print("generating: {}\n", cmd);
        if (std::system(cmd.c_str()) != 0) {
            fmt::print(stderr, "bench-foundation: synth-city failed\n");
            return 1;
        }
    }

    libgrid::ReadOptions ro;
    ro.transformers = {(data / "transformers.gpkg").string(), "transformers", "", ""};
    ro.feeders = {{(data / "feeders.gpkg").string(), "feeder_edges", "", ""}};
    ro.boundaries = {{(data / "boundaries.gpkg").string(), "", "", ""}};
    ro.fields.node = "hv_bus";

    std::map<std::string, std::vector<Sample>> samples;
    const std::vector<std::string> stages{"read", "validate", "service areas", "graph"};
    std::size_t n_tx = 0, n_units = 0, n_edges = 0, n_components = 0, n_links = 0;
    for (int r = 0; r < runs; ++r) {
        using clock = std::chrono::steady_clock;
        auto stage = [&](const std::string& name, auto&& fn) {
            reset_peak();
            const auto t0 = clock::now();
            fn();
            samples[name].push_back({std::chrono::duration<double>(clock::now() - t0).count(), peak_mib()});
        };
        libgrid::Territory territory;
        libgrid::ValidationReport report;
        libgrid::ServiceAreas areas;
        libgrid::AdjacencyGraph graph;
        stage("read", [&] { std::tie(territory, report) = libgrid::read_inputs(ro); });
        stage("validate", [&] { report.merge(libgrid::validate(territory)); });
        stage("service areas", [&] { areas = libgrid::build_service_areas(territory, report); });
        stage("graph", [&] { graph = libgrid::build_adjacency(territory, areas, report); });
        n_tx = territory.transformers.size();
        n_units = territory.levels.empty() ? 0 : territory.levels.back().units.size();
        n_edges = graph.graph.num_edges();
        n_components = graph.components.sizes.size();
        n_links = territory.feeder_links.size();
        if (r == 0 && !report.ok())
            fmt::print("note: the territory has {} validation errors\n", report.count(libgrid::Severity::error));
    }

    fmt::print("\nterritory: {} transformers, {} finest units, {} feeder links, {} graph edges, {} components\n",
               n_tx, n_units, n_links, n_edges, n_components);
    fmt::print("{:<16} {:>12} {:>14}   (median of {} runs; peak = max over runs)\n", "stage", "time s", "peak MiB", runs);
    double total = 0, peak = 0;
    for (const auto& s : stages) {
        std::vector<double> t;
        double p = 0;
        for (const auto& x : samples[s]) {
            t.push_back(x.seconds);
            p = std::max(p, x.peak_mib);
        }
        total += median(t);
        peak = std::max(peak, p);
        fmt::print("{:<16} {:>12.3f} {:>14.1f}\n", s, median(t), p);
    }
    fmt::print("{:<16} {:>12.3f} {:>14.1f}\n", "total", total, peak);
    if (!tmp.empty()) fs::remove_all(tmp);
    return 0;
}
