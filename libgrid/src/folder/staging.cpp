// Atomic folder writing (see folder/staging.hpp).
#include "folder/staging.hpp"

#include <libgrid/error.hpp>
#include <libgrid/io.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <unistd.h>

namespace libgrid::folder {

namespace fs = std::filesystem;

void refuse_inputs(const std::vector<fs::path>& targets, const std::vector<std::string>& protect,
                   const std::string& command)
{
    for (const auto& t : targets)
        if (is_input(t.string(), protect))
            throw Error(ErrorCode::io_write, fmt::format("{}: refusing to write '{}': it is an input of this run "
                                                         "(fix: choose another --out folder)",
                                                         command, t.string()));
}

StagingFolder::StagingFolder(const fs::path& out_dir, const std::string& command)
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

StagingFolder::~StagingFolder()
{
    std::error_code ec;
    fs::remove_all(m_path, ec);
}

std::vector<fs::path> move_into_place(const StagingFolder& staging, const fs::path& out_dir,
                                      const std::vector<std::string>& protect, const std::string& command)
{
    std::vector<fs::path> staged, targets;
    for (const auto& entry : fs::directory_iterator(staging.path())) staged.push_back(entry.path());
    std::sort(staged.begin(), staged.end());
    for (const auto& p : staged) targets.push_back(out_dir / p.filename());
    refuse_inputs(targets, protect, command);
    for (std::size_t i = 0; i < staged.size(); ++i) {
        std::error_code ec;
        fs::rename(staged[i], targets[i], ec);
        if (ec)
            throw Error(ErrorCode::io_write, fmt::format("{}: cannot move '{}' into place as '{}': {}", command,
                                                         staged[i].string(), targets[i].string(), ec.message()));
    }
    return targets;
}

std::vector<std::string> layer_file_names(const std::string& stem, const std::vector<std::string>& layers,
                                          const std::vector<Format>& formats)
{
    std::vector<std::string> out;
    for (const auto f : formats) {
        if (f == Format::gpkg) out.push_back(stem + ".gpkg");
        for (const auto& layer : layers) {
            if (f == Format::geojson) out.push_back(layer + ".geojson");
            if (f == Format::csv) out.push_back(layer + ".csv");
            if (f == Format::shp)
                for (const char* ext : {".shp", ".shx", ".dbf", ".prj", ".cpg"}) out.push_back(layer + ext);
        }
    }
    return out;
}

} // namespace libgrid::folder
