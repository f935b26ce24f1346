// write_plan_folder(): every file into a staging folder inside the target, then one atomic
// rename each (see libgrid/plan_folder.hpp).
#include "folder/staging.hpp"
#include "folder/tables.hpp"

#include <libgrid/error.hpp>
#include <libgrid/plan_folder.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <set>

namespace libgrid {
namespace {

namespace fs = std::filesystem;

/// Every file a plan folder of these formats can hold (managers or not): what an earlier plan
/// may have left that this one must replace or remove.
std::vector<std::string> folder_files(const std::vector<Format>& formats)
{
    std::vector<std::string> out{"assignments.csv", "report.json", "rejected.csv", "managers.csv", "contacts.csv"};
    const auto layers = folder::layer_file_names("grids", {"grids", "transformers", "service_areas", "moved_areas"}, formats);
    out.insert(out.end(), layers.begin(), layers.end());
    return out;
}

/// The files of the plan `dir` holds now, by name, from its report.json (its formats, and
/// managers.csv and contacts.csv when it had managers) with the files `render` derives from it
/// (report.html, grids.qml). None when `dir` holds no readable report.json: then it is not a
/// plan folder, and no file in it is ours to remove.
std::vector<std::string> earlier_plan_files(const std::string& dir)
{
    std::error_code ec;
    if (!fs::is_regular_file(fs::path(dir) / "report.json", ec)) return {};
    PlanReport earlier;
    try {
        earlier = read_plan_report(dir);
    } catch (const Error&) {
        return {}; // not a report.json we wrote
    }
    std::vector<Format> formats;
    for (const auto& name : earlier.options.formats)
        if (name == "gpkg") formats.push_back(Format::gpkg);
        else if (name == "shp") formats.push_back(Format::shp);
        else if (name == "geojson") formats.push_back(Format::geojson);
    if (formats.empty()) formats.push_back(Format::gpkg);
    auto files = folder::layer_file_names("grids", {"grids", "transformers", "service_areas", "moved_areas"}, formats);
    if (earlier.managers) files.insert(files.end(), {"managers.csv", "contacts.csv"});
    files.insert(files.end(), {"report.html", "grids.qml"});
    return files;
}

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
    folder::refuse_inputs(targets, options.protect, options.command);
}

std::vector<std::string> write_plan_folder(const std::string& dir, const PlanFolder& folder,
                                           const PlanFolderWriteOptions& options)
{
    check_sizes(folder);
    check_plan_folder_target(dir, options);
    const fs::path out_dir(dir);
    const folder::StagingFolder staging(out_dir, options.command);
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
    if (folder.report.replan) write("changes.csv", folder::changes_csv(*folder.report.replan));
    if (!folder.grid_manager.empty()) {
        if (!folder.report.managers)
            throw Error(ErrorCode::invalid_argument, "write_plan_folder: grids have managers but the report has none");
        write("managers.csv", folder::managers_csv(*folder.report.managers));
        write("contacts.csv", folder::contacts_csv(folder));
    }
    write("report.json", to_json(folder.report));

    // The plan this folder held before, if any: the files it wrote are known from its report.
    const auto stale = earlier_plan_files(dir);
    const auto targets = folder::move_into_place(staging, out_dir, options.protect, options.command);
    // What the earlier plan wrote and this one does not goes, so that the folder never mixes
    // two plans (managers of an old plan beside new grids). Nothing else is touched.
    std::set<std::string> now;
    for (const auto& p : targets) now.insert(p.filename().string());
    for (const auto& name : stale) {
        const fs::path p = out_dir / name;
        std::error_code ec;
        if (!now.count(name) && fs::is_regular_file(p, ec) && !is_input(p.string(), protect)) fs::remove(p, ec);
    }
    return written;
}

} // namespace libgrid
