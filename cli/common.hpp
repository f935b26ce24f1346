// Shared pieces of the grid-partition subcommands: input flags, progress on stderr, JSON text.
#pragma once

#include <libgrid/graph.hpp>
#include <libgrid/io.hpp>
#include <libgrid/service_areas.hpp>
#include <libgrid/validate.hpp>
#include <libgrid/validation.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace gp {

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

/// JSON string literal (quoted, escaped).
std::string json_string(const std::string& s);

/// Issues and rejections as a JSON array text.
std::string issues_json(const libgrid::ValidationReport& report);

/// Thousands separators: 12345 -> "12,345".
std::string with_commas(double value);

/// Output format from its name (gpkg, shp, geojson).
/// @throws CLI::ValidationError naming --formats for any other name.
libgrid::Format parse_output_format(const std::string& name);

/// `rejected.csv`: every transformer left out of the model, with file, layer, FID and reason.
std::string rejected_csv_text(const libgrid::ValidationReport& report);

/// A number as text that depends on the value only (files compared byte for byte across runs
/// must not vary with locale or printf defaults): integral values without decimals, others
/// with up to 6 decimals and no trailing zeros.
std::string number_text(double value);

/// A JSON number: the shortest text that reads back as the same double; "null" for NaN and
/// infinities, which JSON lacks.
std::string json_number(double value);

/// One CSV field (RFC 4180): quoted only when it holds a comma, quote or line break.
std::string csv_field(const std::string& s);

/// csv_field() appended in place (no temporary string: for tables of a million rows).
void append_csv_field(fmt::memory_buffer& out, std::string_view s);

/// Splits one CSV line into fields: double quotes group, "" is a quote. Strict: text after a
/// closing quote or an unclosed quote is an error (returns false).
bool split_csv_line(const std::string& line, std::vector<std::string>& fields);

// ---------------------------------------------------------------------------------------------
// Writing a plan folder (shared by plan and assign)

/// @throws libgrid::Error(io_write) naming the first target that is an input.
void refuse_inputs(const std::vector<std::filesystem::path>& targets, const std::vector<std::string>& protect,
                   const char* command = "plan");

/// The temporary output folder `.<command>-tmp-<pid>` inside the output folder: removed with
/// whatever is left in it, on success or failure.
class StagingFolder {
public:
    explicit StagingFolder(const std::filesystem::path& out_dir, const char* command = "plan");
    StagingFolder(const StagingFolder&) = delete;
    StagingFolder& operator=(const StagingFolder&) = delete;
    ~StagingFolder();
    const std::filesystem::path& path() const { return m_path; }

private:
    std::filesystem::path m_path;
};

/// Moves every file of the staging folder into `out_dir` (one atomic rename each), after
/// checking again that none replaces an input.
/// @throws libgrid::Error(io_write) on failure.
void move_into_place(const StagingFolder& staging, const std::filesystem::path& out_dir,
                     const std::vector<std::string>& protect, const char* command);

/// Renames long column names to readable 10-character Shapefile names (shp) or back.
void use_short_names(std::vector<libgrid::FeatureTable>& tables, bool shp);

} // namespace gp
