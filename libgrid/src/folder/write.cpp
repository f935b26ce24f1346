// write_plan_folder(): every file into a staging folder inside the target, then one atomic
// rename each (see libgrid/plan_folder.hpp).
#include "folder/tables.hpp"

#include <libgrid/error.hpp>
#include <libgrid/plan_folder.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <unistd.h>

namespace libgrid {
namespace {

namespace fs = std::filesystem;

const char* const layer_names[] = {"grids", "transformers", "service_areas"};

/// Every file a plan folder of these formats can hold (managers or not): what an earlier plan
/// may have left that this one must replace or remove.
std::vector<std::string> folder_files(const std::vector<Format>& formats)
{
    std::vector<std::string> out{"assignments.csv", "report.json", "rejected.csv", "managers.csv", "contacts.csv"};
    for (const auto f : formats) {
        if (f == Format::gpkg) out.emplace_back("grids.gpkg");
        for (const char* layer : layer_names) {
            if (f == Format::geojson) out.push_back(std::string(layer) + ".geojson");
            if (f == Format::shp)
                for (const char* ext : {".shp", ".shx", ".dbf", ".prj", ".cpg"}) out.push_back(std::string(layer) + ext);
        }
    }
    return out;
}

void refuse_inputs(const std::vector<fs::path>& targets, const PlanFolderWriteOptions& o)
{
    for (const auto& t : targets)
        if (is_input(t.string(), o.protect))
            throw Error(ErrorCode::io_write, fmt::format("{}: refusing to write '{}': it is an input of this run "
                                                         "(fix: choose another --out folder)",
                                                         o.command, t.string()));
}

/// The temporary folder `.<command>-tmp-<pid>` inside the output folder: removed with whatever
/// is left in it, on success or failure.
class StagingFolder {
public:
    StagingFolder(const fs::path& out_dir, const std::string& command)
        : m_path(out_dir / fmt::format(".{}-tmp-{}", command, ::getpid()))
    {
        std::error_code ec;
        fs::create_directories(out_dir, ec);
        if (!ec) {
            fs::remove_all(m_path, ec); // a leftover of a killed run with the same pid
            fs::create_directories(m_path, ec);
        }
        if (ec)
            throw Error(ErrorCode::io_write, fmt::format("{}: cannot create the output folder '{}': {}", command,
                                                         m_path.string(), ec.message()));
    }
    StagingFolder(const StagingFolder&) = delete;
    StagingFolder& operator=(const StagingFolder&) = delete;
    ~StagingFolder()
    {
        std::error_code ec;
        fs::remove_all(m_path, ec);
    }
    const fs::path& path() const { return m_path; }

private:
    fs::path m_path;
};

void check_sizes(const PlanFolder& f)
{
    const auto& p = f.plan;
    const std::size_t n = f.territory.transformers.size(), k = p.num_grids();
    if (p.grid_of.size() != n || p.load.size() != n || f.areas.size() != n || f.grid_shapes.size() != k ||
        p.grid_station.size() != k || f.report.grids.size() != k || (!f.grid_manager.empty() && f.grid_manager.size() != k))
        throw Error(ErrorCode::invalid_argument,
                    fmt::format("write_plan_folder: the folder's parts disagree ({} transformers, {} grid "
                                "assignments, {} areas; {} grids, {} shapes, {} grids in the report)",
                                n, p.grid_of.size(), f.areas.size(), k, f.grid_shapes.size(), f.report.grids.size()));
}

} // namespace

void check_plan_folder_target(const std::string& dir, const PlanFolderWriteOptions& options)
{
    std::vector<fs::path> targets;
    for (const auto& name : folder_files(options.formats)) targets.push_back(fs::path(dir) / name);
    refuse_inputs(targets, options);
}

std::vector<std::string> write_plan_folder(const std::string& dir, const PlanFolder& folder,
                                           const PlanFolderWriteOptions& options)
{
    check_sizes(folder);
    check_plan_folder_target(dir, options);
    const fs::path out_dir(dir);
    const StagingFolder staging(out_dir, options.command);
    const auto& protect = options.protect;
    auto tables = folder::layer_tables(folder);
    std::vector<std::string> written;
    for (const auto format : options.formats) {
        folder::use_short_names(tables, format == Format::shp);
        for (const auto& p : write_tables(staging.path().string(), "grids", format, tables,
                                          folder.territory.work_crs_wkt, folder.territory.output_crs_wkt, protect)) {
            // A Shapefile's sidecars (.shx .dbf .prj .cpg) go with it; the list names the .shp.
            const auto ext = fs::path(p).extension();
            if (ext == ".gpkg" || ext == ".shp" || ext == ".geojson") written.push_back(fs::path(p).filename().string());
        }
    }
    auto write = [&](const char* name, const std::string& text) {
        write_text_file((staging.path() / name).string(), text, protect);
        written.emplace_back(name);
    };
    write("assignments.csv", folder::assignments_csv(folder));
    write("rejected.csv", rejected_csv(folder.report.rejected));
    if (!folder.grid_manager.empty()) {
        if (!folder.report.managers)
            throw Error(ErrorCode::invalid_argument, "write_plan_folder: grids have managers but the report has none");
        write("managers.csv", folder::managers_csv(*folder.report.managers));
        write("contacts.csv", folder::contacts_csv(folder));
    }
    write("report.json", to_json(folder.report));

    // Into place: one atomic rename per file, after checking again that none replaces an input.
    std::vector<fs::path> staged, targets;
    for (const auto& entry : fs::directory_iterator(staging.path())) staged.push_back(entry.path());
    std::sort(staged.begin(), staged.end());
    for (const auto& p : staged) targets.push_back(out_dir / p.filename());
    refuse_inputs(targets, options);
    for (std::size_t i = 0; i < staged.size(); ++i) {
        std::error_code ec;
        fs::rename(staged[i], targets[i], ec);
        if (ec)
            throw Error(ErrorCode::io_write, fmt::format("{}: cannot move '{}' into place as '{}': {}", options.command,
                                                         staged[i].string(), targets[i].string(), ec.message()));
    }
    // What an earlier plan in this folder left and this one does not have goes, so that the
    // folder never mixes two plans (managers of an old plan beside new grids). Derived files
    // (report.html, grids.qml) describe the old plan too.
    std::set<std::string> now;
    for (const auto& p : targets) now.insert(p.filename().string());
    auto stale = folder_files({Format::gpkg, Format::shp, Format::geojson});
    stale.insert(stale.end(), {"report.html", "grids.qml"});
    for (const auto& name : stale) {
        const fs::path p = out_dir / name;
        std::error_code ec;
        if (!now.count(name) && fs::is_regular_file(p, ec) && !is_input(p.string(), protect)) fs::remove(p, ec);
    }
    return written;
}

} // namespace libgrid
