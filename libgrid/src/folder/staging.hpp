// Writing a folder atomically: files go into a staging folder inside the target, then are
// renamed into place one by one, never over an input. Used by the plan and the check folders.
#pragma once

#include <libgrid/io.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace libgrid::folder {

/// @throws Error(io_write) naming the first target that is one of `protect`, with the fix.
void refuse_inputs(const std::vector<std::filesystem::path>& targets, const std::vector<std::string>& protect,
                   const std::string& command);

/// The temporary folder `.<command>-tmp-<pid>` inside the output folder: removed with whatever
/// is left in it, on success or failure.
class StagingFolder {
public:
    StagingFolder(const std::filesystem::path& out_dir, const std::string& command);
    StagingFolder(const StagingFolder&) = delete;
    StagingFolder& operator=(const StagingFolder&) = delete;
    ~StagingFolder();
    const std::filesystem::path& path() const { return m_path; }

private:
    std::filesystem::path m_path;
};

/// Moves every file of the staging folder into `out_dir` (one atomic rename each), after
/// checking again that none replaces an input. @returns the targets, sorted.
/// @throws Error(io_write) on failure.
std::vector<std::filesystem::path> move_into_place(const StagingFolder& staging, const std::filesystem::path& out_dir,
                                                   const std::vector<std::string>& protect, const std::string& command);

/// The files write_tables() makes for `layers` under `stem` in each format: `<stem>.gpkg`, each
/// layer's Shapefile with its sidecars, each layer's `.geojson`.
std::vector<std::string> layer_file_names(const std::string& stem, const std::vector<std::string>& layers,
                                          const std::vector<Format>& formats);

} // namespace libgrid::folder
