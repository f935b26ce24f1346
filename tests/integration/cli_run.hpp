// Helpers for CLI tests: run grid-partition, capture its output and exit status, and make
// small input files in a fresh temporary folder.
#pragma once

#include <libgrid/plan_folder.hpp>

#include <doctest/doctest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <sys/wait.h>

namespace cli_test {

namespace fs = std::filesystem;

struct Result {
    int status = -1;     ///< Exit status.
    std::string out;     ///< stdout.
    std::string err;     ///< stderr.
};

/// A temporary folder removed at the end of the test.
struct TempDir {
    fs::path path;
    TempDir()
    {
        std::random_device rd;
        path = fs::temp_directory_path() / ("gp-test-" + std::to_string(rd()) + std::to_string(rd()));
        fs::create_directories(path);
    }
    ~TempDir()
    {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    /// Writes a text file and returns its path.
    std::string write(const std::string& name, const std::string& text) const
    {
        std::ofstream(path / name, std::ios::binary) << text;
        return (path / name).string();
    }
    std::string operator/(const std::string& name) const { return (path / name).string(); }
};

inline std::string slurp(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// Runs `grid-partition <args>` with no standard input; args are passed through the shell.
inline Result run(const std::string& args)
{
    TempDir tmp;
    const std::string out = tmp / "stdout", err = tmp / "stderr";
    const std::string cmd = std::string("'") + GRID_PARTITION + "' " + args + " </dev/null >'" + out +
                            "' 2>'" + err + "'";
    const int raw = std::system(cmd.c_str());
    Result r;
    r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    r.out = slurp(out);
    r.err = slurp(err);
    return r;
}

/// Runs a shell command (another tool: ogrinfo, a browser) and returns its standard output.
inline std::string run_shell(const std::string& command)
{
    TempDir tmp;
    const std::string out = tmp / "stdout";
    const std::string cmd = command + " </dev/null >'" + out + "' 2>&1";
    (void)std::system(cmd.c_str());
    return slurp(out);
}

/// report.json of a plan folder, read with libgrid's reader (its one text form).
inline libgrid::PlanReport report_of(const std::string& plan_dir) { return libgrid::plan_report_from_json(slurp(plan_dir + "/report.json")); }

inline bool contains(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

/// A GeoJSON FeatureCollection (EPSG:4326 by definition) from feature texts.
inline std::string geojson(const std::vector<std::string>& features)
{
    std::string s = R"({"type":"FeatureCollection","features":[)";
    for (std::size_t i = 0; i < features.size(); ++i) s += (i ? "," : "") + features[i];
    return s + "]}";
}

/// A point feature with the given properties JSON (without braces).
inline std::string point(double lon, double lat, const std::string& props)
{
    return R"({"type":"Feature","properties":{)" + props +
           R"(},"geometry":{"type":"Point","coordinates":[)" + std::to_string(lon) + "," +
           std::to_string(lat) + "]}}";
}

/// A rectangle polygon feature.
inline std::string box(double x0, double y0, double x1, double y1, const std::string& props)
{
    auto c = [](double x, double y) { return "[" + std::to_string(x) + "," + std::to_string(y) + "]"; };
    return R"({"type":"Feature","properties":{)" + props +
           R"(},"geometry":{"type":"Polygon","coordinates":[[)" + c(x0, y0) + "," + c(x1, y0) + "," +
           c(x1, y1) + "," + c(x0, y1) + "," + c(x0, y0) + "]]}}";
}

} // namespace cli_test
