// Shared pieces of the grid-partition subcommands: input flags, progress on stderr, numbers.
#pragma once

#include <libgrid/csv.hpp>
#include <libgrid/graph.hpp>
#include <libgrid/io.hpp>
#include <libgrid/partition.hpp>
#include <libgrid/service_areas.hpp>
#include <libgrid/validate.hpp>
#include <libgrid/validation.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gp {

using libgrid::append_csv_field;
using libgrid::csv_field;
using libgrid::number_text;
using libgrid::with_commas;

/// Exit codes of grid-partition (documented in README and --help).
enum Exit : int {
    exit_ok = 0,          ///< Success.
    exit_data_errors = 1, ///< The inputs hold errors (listed).
    exit_usage = 2,       ///< Bad command line.
    exit_failure = 3,     ///< A libgrid error: unreadable input, unwritable output, bad CRS.
    exit_bug = 4,         ///< An internal error: please report it.
    exit_tolerance = 5,   ///< plan --strict: a station is outside the balance tolerance.
};

/// Input flags shared by `check` and `plan`.
struct InputFlags {
    std::string transformers;
    std::string where;
    std::vector<std::string> feeders;
    std::vector<std::string> boundaries;
    std::vector<std::string> customers;
    std::vector<std::string> barriers;
    std::vector<std::string> roads;
    std::vector<std::string> classes; // class=field
    libgrid::FieldMap fields;
    std::string encoding, work_crs, assume_crs, out_crs;
    std::string x_field, y_field, wkt_field;
    double feeder_attach_m = 50.0;
    // Options of the stages every subcommand runs, bound to flags so that their defaults are
    // the ones declared in libgrid's headers.
    libgrid::ValidateOptions validate;
    libgrid::ServiceAreaOptions areas;
    libgrid::GraphOptions graph;
};

/// Adds the input flags to a subcommand.
void add_input_flags(CLI::App& app, InputFlags& flags);

/// Turns the flags into read options.
libgrid::ReadOptions make_read_options(const InputFlags& flags);

/// Every input path named by the flags (outputs must never replace one).
std::vector<std::string> input_paths(const InputFlags& flags);

/// Splits `path[:layer]`: the whole text is a path when such a file exists.
libgrid::LayerSource parse_source(const std::string& text);

/// Progress on stderr: one line per stage with its time; a live percentage on a terminal.
class ProgressPrinter {
public:
    explicit ProgressPrinter(bool quiet);
    /// The callback to hand to libgrid options.
    libgrid::ProgressFn callback();
    /// Marks a stage done that libgrid does not report itself.
    void stage_done(const std::string& stage);

private:
    void on_progress(const libgrid::Progress& p);
    bool m_quiet;
    bool m_tty;
    std::string m_stage;
    int m_last_percent = -1;
    std::chrono::steady_clock::time_point m_start;
    std::chrono::steady_clock::time_point m_stage_start;
};

/// Prints issues grouped, at most `max_per_code` lines per issue code, to stdout.
void print_issues(const libgrid::ValidationReport& report, std::size_t max_per_code);

/// `--class-weight` items CLASS=W into pairs.
/// @throws CLI::ValidationError naming the item when it is not CLASS=W with a number W >= 0.
std::vector<std::pair<std::string, double>> parse_class_weights(const std::vector<std::string>& items);

/// Adds the workload flags (how a transformer's load is computed) of `plan` and `evaluate`.
void add_workload_flags(CLI::App& app, libgrid::PartitionOptions& options, std::vector<std::string>& class_weights);

/// Seconds per stage, in run order (report.json `timings_s`).
struct Timings {
    std::vector<std::pair<std::string, double>> stages;
    std::chrono::steady_clock::time_point last = std::chrono::steady_clock::now();
    /// Closes the stage running since the last lap.
    void lap(const std::string& stage);
};

/// Errors and warnings as check prints them; the info notes (e.g. empty units attached to a
/// neighbour) are only counted, since they do not change the plan (all are in the report).
void print_input_issues(const libgrid::ValidationReport& report, std::size_t max_issues);

/// Index of the admin level named `name` (--nest-level), npos for "" or an unknown name.
std::size_t level_index(const libgrid::Territory& territory, const std::string& name);

/// Output format from its name (gpkg, shp, geojson).
/// @throws CLI::ValidationError naming --formats for any other name.
libgrid::Format parse_output_format(const std::string& name);

} // namespace gp
