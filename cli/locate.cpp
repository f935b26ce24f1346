// grid-partition locate: the grid, station and manager of each point (a day's work orders),
// from a plan folder. Only reading, formatting and writing live here; the look-up is libgrid's
// Locator.
#include "commands.hpp"
#include "common.hpp"

#include <libgrid/error.hpp>
#include <libgrid/io.hpp>
#include <libgrid/locate.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iterator>
#include <memory>

namespace gp {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct LocateFlags {
    std::string plan;
    std::string points;
    std::string where;
    std::string x_field, y_field;
    std::string id_field = libgrid::PointReadOptions{}.id_field;
    std::string points_crs;
    std::string out;
    std::size_t max_issues = 20;
    bool skip_invalid = false;
    bool quiet = false;
};

double seconds_since(Clock::time_point& t)
{
    const auto now = Clock::now();
    const double s = std::chrono::duration<double>(now - t).count();
    t = now;
    return s;
}


int run_locate(const LocateFlags& f)
{
    const auto start = Clock::now();
    auto lap = start;
    ProgressPrinter progress(f.quiet);
    auto stage = [&](const char* name) {
        if (auto cb = progress.callback()) cb(libgrid::Progress{name, 0.0});
    };

    const libgrid::LayerSource source = parse_source(f.points);
    const std::string grids_file = (fs::path(f.plan) / "grids.gpkg").string();
    const std::vector<std::string> protect{source.path, grids_file};
    // Checked before the work, so that a run that would replace an input stops at once.
    if (libgrid::is_input(f.out, protect))
        throw libgrid::Error(libgrid::ErrorCode::io_write,
                                 fmt::format("locate: refusing to write '{}': it is an input of this run "
                                             "(fix: choose another --out file)",
                                             f.out));

    stage("load plan");
    const libgrid::Locator locator = libgrid::load_locator(f.plan);
    progress.stage_done("load plan");
    const double t_load = seconds_since(lap);

    stage("read points");
    libgrid::PointReadOptions ro;
    ro.source = source;
    ro.source.where = f.where;
    ro.id_field = f.id_field;
    ro.x_field = f.x_field;
    ro.y_field = f.y_field;
    ro.crs = f.points_crs;
    ro.fallback_crs_wkt = locator.source_crs_wkt();
    libgrid::PointSet points = libgrid::read_points(ro);
    progress.stage_done("read points");
    const double t_read = seconds_since(lap);

    stage("transform");
    const auto xy = libgrid::to_locator_crs(points, locator);
    progress.stage_done("transform");
    const double t_transform = seconds_since(lap);

    const std::size_t n = points.points.size();
    std::size_t invalid = 0;
    for (const auto& p : points.points) invalid += p.problem.empty() ? 0 : 1;
    const auto stats = locator.stats();
    fmt::print("grid-partition locate\n");
    fmt::print("  plan           {}: {} grids, {} edges, in {} (located in {})\n", f.plan,
               with_commas(double(stats.grids)), with_commas(double(stats.edges)),
               libgrid::crs_name(locator.source_crs_wkt()), libgrid::crs_name(locator.crs_wkt()));
    fmt::print("  index          {} x {} cells of {:.1f} m, {:.1f}% crossed by a border, {:.1f} MiB\n",
               stats.columns, stats.rows, stats.cell_size_m,
               stats.cells ? 100.0 * double(stats.border_cells) / double(stats.cells) : 0.0,
               double(stats.memory_bytes) / 1048576.0);
    fmt::print("  points         {} read from '{}' (layer '{}', {}, ids from {}) in {}{}\n", with_commas(double(n)),
               points.file, points.layer, points.coordinates,
               points.id_field.empty() ? std::string("the feature ids") : "field '" + points.id_field + "'",
               libgrid::crs_name(points.crs_wkt),
               points.crs_assumed ? " (assumed: the file has no CRS; give --points-crs if it is another)" : "");
    auto print_invalid = [&] {
        fmt::print("  invalid        {} points cannot be located:\n", with_commas(double(invalid)));
        std::size_t shown = 0;
        for (const auto& p : points.points) {
            if (p.problem.empty()) continue;
            if (shown++ == f.max_issues) {
                fmt::print("    ... and {} more\n", with_commas(double(invalid - f.max_issues)));
                break;
            }
            fmt::print("    fid {}{}: {}\n", p.fid, p.id.empty() || p.id == std::to_string(p.fid) ? "" : " (id " + p.id + ")",
                       p.problem);
        }
    };
    if (invalid > 0 && !f.skip_invalid) {
        print_invalid();
        fmt::print("result: {} points cannot be located; nothing was written (fix them, or give --skip-invalid "
                   "to write every point with the reason for those left out)\n",
                   with_commas(double(invalid)));
        return exit_data_errors;
    }

    stage("locate");
    const auto at = libgrid::locate_points(locator, points, xy);
    progress.stage_done("locate");
    const double t_locate = seconds_since(lap);
    const auto inside = at.inside, outside = at.outside;
    const double max_distance = at.max_distance_m;

    stage("write");
    libgrid::write_locations(f.out, points, at, locator, f.skip_invalid, protect);
    progress.stage_done("write");
    const double t_write = seconds_since(lap);
    const double total = std::chrono::duration<double>(Clock::now() - start).count();

    fmt::print("  located        {} inside a grid, {} outside every grid (nearest grid given; max distance {:.1f} m)\n",
               with_commas(double(inside)), with_commas(double(outside)), max_distance);
    if (invalid) print_invalid();
    if (outside) {
        fmt::print("  outside        id, nearest grid, distance:\n");
        std::size_t shown = 0;
        for (std::size_t i = 0; i < n && shown <= f.max_issues; ++i) {
            if (!points.points[i].problem.empty() || at.where[i].inside) continue;
            if (shown++ == f.max_issues) {
                fmt::print("    ... and {} more\n", with_commas(double(outside - f.max_issues)));
                break;
            }
            const auto grid = at.where[i].grid;
            fmt::print("    {}: {} at {:.1f} m\n", points.points[i].id,
                       grid == libgrid::Location::none ? std::string("-") : locator.contact(grid).grid_id,
                       at.where[i].distance_m);
        }
    }
    const std::size_t located = n - invalid;
    fmt::print("  time           load {:.2f} s, read {:.2f} s, transform {:.2f} s, locate {:.3f} s ({} look-ups/s), "
               "write {:.2f} s; {:.2f} s in all\n",
               t_load, t_read, t_transform, t_locate,
               t_locate > 0 ? with_commas(std::round(double(located) / t_locate)) : std::string("-"), t_write, total);
    fmt::print("outputs:\n  {}\n", f.out);
    fmt::print("result: {} points located ({} inside, {} outside{})\n", with_commas(double(located)),
               with_commas(double(inside)), with_commas(double(outside)),
               invalid ? fmt::format(", {} rejected", with_commas(double(invalid))) : std::string());
    return exit_ok;
}

} // namespace

void register_locate(CLI::App& root, std::function<int()>& action)
{
    auto flags = std::make_shared<LocateFlags>();
    CLI::App* app = root.add_subcommand(
        "locate", "Find the grid, station and manager of each point (e.g. a day's work orders) in a plan");
    const char* in = "Inputs";
    app->add_option("--plan", flags->plan, "Folder written by grid-partition plan (reads its grids.gpkg)")
        ->required()
        ->group(in);
    app->add_option("--points", flags->points, "Points: any OGR point layer, or CSV with x/y columns (FILE or FILE:LAYER)")
        ->required()
        ->group(in);
    app->add_option("--where", flags->where, "OGR SQL filter on the points")->group(in);
    app->add_option("--x-field", flags->x_field, "X (or longitude) column; default: the geometry, or for CSV "
                                                  "a column named x, lon, lng, longitude or easting")
        ->group(in);
    app->add_option("--y-field", flags->y_field, "Y (or latitude) column; default: as --x-field with y, lat, "
                                                  "latitude or northing")
        ->group(in);
    app->add_option("--id-field", flags->id_field, "Point id field (the feature id when the default is absent)")
        ->capture_default_str()
        ->group(in);
    app->add_option("--points-crs", flags->points_crs,
                    "CRS of points whose layer has none, e.g. EPSG:4326 (default: the plan's CRS)")
        ->group(in);
    const char* o = "Outputs";
    app->add_option("--out", flags->out, "Result table: FILE.csv or FILE.gpkg")->required()->group(o);
    app->add_flag("--skip-invalid", flags->skip_invalid,
                  "Locate the valid points and list the others with the reason (a status column) instead of "
                  "refusing")
        ->group(o);
    app->add_option("--max-issues", flags->max_issues, "Invalid and outside points listed on stdout")
        ->capture_default_str()
        ->group(o);
    app->add_flag("--quiet,-q", flags->quiet, "No progress on stderr")->group(o);
    app->callback([flags, &action] {
        const fs::path out(flags->out);
        if (out.extension() != ".csv" && out.extension() != ".gpkg")
            throw CLI::ValidationError("--out", "locate writes FILE.csv or FILE.gpkg, got '" + flags->out + "'");
        if (flags->x_field.empty() != flags->y_field.empty())
            throw CLI::ValidationError("--x-field", "give both --x-field and --y-field, or neither");
        action = [flags] { return run_locate(*flags); };
    });
}

} // namespace gp
