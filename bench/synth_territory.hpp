// Shared by the prefecture benchmarks (bench-assign, bench-replan): a synth-city territory,
// generated into a folder once, then read, validated, with its service areas and graph.
// Needs SYNTH_CITY (the generator's path) defined by the target.
#pragma once

#include <libgrid/graph.hpp>
#include <libgrid/io.hpp>
#include <libgrid/service_areas.hpp>
#include <libgrid/validate.hpp>

#include <fmt/format.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace bench {

struct SynthTerritory {
    libgrid::Territory territory;
    libgrid::ValidationReport report;
    libgrid::ServiceAreas areas;
    libgrid::AdjacencyGraph graph;
};

/// `synth-city --transformers N --stations S --customers-total C --seed SEED` in `dir` (made
/// there when it holds no complete one), read with its feeders and boundaries, validated, with
/// service areas and the adjacency graph.
inline SynthTerritory synth_territory(const std::filesystem::path& dir, std::size_t transformers, std::size_t stations,
                                      long customers, std::uint64_t seed)
{
    if (!std::filesystem::exists(dir / ".complete")) {
        const std::string cmd = fmt::format("'{}' --transformers {} --stations {} --customers-total {} --seed {} --out '{}' >/dev/null",
                                            SYNTH_CITY, transformers, stations, customers, seed, dir.string());
        fmt::print("generating: {}\n", cmd);
        std::fflush(stdout);
        if (std::system(cmd.c_str()) != 0) throw std::runtime_error("synth-city failed: " + cmd);
        std::ofstream(dir / ".complete") << cmd << "\n";
    }
    libgrid::ReadOptions ro;
    ro.transformers = {(dir / "transformers.gpkg").string(), "transformers", "", ""};
    ro.feeders = {{(dir / "feeders.gpkg").string(), "feeder_edges", "", ""}};
    ro.boundaries = {{(dir / "boundaries.gpkg").string(), "", "", ""}};
    ro.fields.node = "hv_bus";
    SynthTerritory out;
    std::tie(out.territory, out.report) = libgrid::read_inputs(ro);
    out.report.merge(libgrid::validate(out.territory));
    out.areas = libgrid::build_service_areas(out.territory, out.report);
    out.graph = libgrid::build_adjacency(out.territory, out.areas, out.report);
    return out;
}

} // namespace bench
