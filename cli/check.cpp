// grid-partition check: read and validate the inputs, build service areas and the adjacency
// graph, print the figures and every problem; optionally write the service areas.
#include "commands.hpp"
#include "common.hpp"

#include <libgrid/graph.hpp>
#include <libgrid/io.hpp>
#include <libgrid/plan_folder.hpp>
#include <libgrid/service_areas.hpp>
#include <libgrid/validate.hpp>

#include <fmt/format.h>

#include <memory>

namespace gp {
namespace {

struct CheckFlags {
    InputFlags in;
    std::string out;
    std::vector<std::string> formats{"gpkg"};
    std::size_t max_issues = 20;
    bool quiet = false;
};

int run_check(const CheckFlags& flags)
{
    ProgressPrinter progress(flags.quiet);
    auto options = make_read_options(flags.in);
    options.progress = progress.callback();
    auto [territory, report] = libgrid::read_inputs(options);

    libgrid::ValidateOptions vopt = flags.in.validate;
    vopt.progress = progress.callback();
    report.merge(libgrid::validate(territory, vopt));

    // Service areas and the graph are built from whatever entered the model, so that one run
    // shows every problem, including islands.
    std::unique_ptr<libgrid::ServiceAreas> areas;
    std::unique_ptr<libgrid::AdjacencyGraph> graph;
    const bool has_geometry_basis = !territory.transformers.empty();
    if (has_geometry_basis) {
        libgrid::ServiceAreaOptions sopt = flags.in.areas;
        sopt.progress = progress.callback();
        areas = std::make_unique<libgrid::ServiceAreas>(libgrid::build_service_areas(territory, report, sopt));
        libgrid::GraphOptions gopt = flags.in.graph;
        gopt.progress = progress.callback();
        graph = std::make_unique<libgrid::AdjacencyGraph>(libgrid::build_adjacency(territory, *areas, report, gopt));
    }

    auto figures = libgrid::make_check_report(territory, report, areas.get(), graph.get(), !flags.in.feeders.empty(),
                                              !flags.in.customers.empty());
    if (figures.transformers_file.empty()) figures.transformers_file = flags.in.transformers;
    fmt::print("grid-partition check\n{}", libgrid::check_text(figures));
    const std::size_t errors = report.count(libgrid::Severity::error);
    const std::size_t warnings = report.count(libgrid::Severity::warning);
    fmt::print("issues: {} errors, {} warnings, {} notes\n", errors, warnings,
               report.count(libgrid::Severity::info));
    print_issues(report, flags.max_issues);

    if (!flags.out.empty()) {
        libgrid::PlanFolderWriteOptions wopt;
        wopt.protect = input_paths(flags.in);
        wopt.command = "check";
        wopt.formats.clear();
        for (const auto& f : flags.formats) wopt.formats.push_back(parse_output_format(f));
        const auto written = libgrid::write_check_folder(flags.out, territory, areas.get(), graph.get(), figures, wopt);
        fmt::print("outputs:\n");
        for (const auto& p : written) fmt::print("  {}\n", p);
    }
    fmt::print("result: {}\n", errors ? fmt::format("{} errors found (exit status 1)", errors) : std::string("inputs OK"));
    return errors ? exit_data_errors : exit_ok;
}

} // namespace

void register_check(CLI::App& root, std::function<int()>& action)
{
    auto flags = std::make_shared<CheckFlags>();
    CLI::App* app = root.add_subcommand(
        "check", "Read and validate the inputs, build service areas and the adjacency graph, "
                 "report every problem (exit 1 when any error is found)");
    add_input_flags(*app, flags->in);
    app->add_option("--out", flags->out, "Write service areas, the graph and the report to this folder");
    app->add_option("--formats", flags->formats, "Output formats: gpkg, shp, geojson")
        ->delimiter(',')
        ->capture_default_str();
    app->add_option("--max-issues", flags->max_issues, "Issues printed per kind (all go to the report)")
        ->capture_default_str();
    app->add_flag("--quiet,-q", flags->quiet, "No progress on stderr");
    app->callback([flags, &action] { action = [flags] { return run_check(*flags); }; });
}

} // namespace gp
