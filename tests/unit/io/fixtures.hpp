// Test fixtures of the io module: a temporary folder that cleans up after itself, and small
// GIS files written with GDAL directly (so that the reader is tested against files it did not
// write itself).
#pragma once

#include <doctest/doctest.h>

#include <cpl_conv.h>
#include <gdal_priv.h>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <unistd.h>
#include <vector>

namespace libgrid::test {

namespace fs = std::filesystem;

/// A fresh folder under the system temp folder, removed (with everything in it) on destruction.
class TempDir {
public:
    explicit TempDir(const std::string& tag)
    {
        static std::atomic<int> counter{0};
        m_path = fs::temp_directory_path() /
                 ("libgrid-unit-" + std::to_string(::getpid()) + "-" + std::to_string(++counter) +
                  "-" + tag);
        fs::remove_all(m_path);
        fs::create_directories(m_path);
    }
    ~TempDir()
    {
        std::error_code ec;
        fs::remove_all(m_path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const fs::path& path() const noexcept { return m_path; }
    /// Path of a file in the folder, as a string (what the libgrid API takes).
    std::string file(const std::string& name) const { return (m_path / name).string(); }
    /// Names of the entries in the folder, sorted.
    std::vector<std::string> entries() const
    {
        std::vector<std::string> names;
        for (const auto& e : fs::directory_iterator(m_path)) names.push_back(e.path().filename().string());
        std::sort(names.begin(), names.end());
        return names;
    }

private:
    fs::path m_path;
};

/// Writes `text` to `path` as is (bytes, no newline translation).
inline void write_file(const std::string& path, const std::string& text)
{
    std::ofstream out(path, std::ios::binary);
    out << text;
    REQUIRE(out.good());
}

/// Reads a whole file as bytes.
inline std::string read_file(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// WKT of an EPSG CRS, for the write_tables() CRS arguments.
inline std::string crs_wkt(int epsg)
{
    OGRSpatialReference srs;
    REQUIRE(srs.importFromEPSG(epsg) == OGRERR_NONE);
    char* wkt = nullptr;
    srs.exportToWkt(&wkt);
    std::string out = wkt ? wkt : "";
    CPLFree(wkt);
    return out;
}

/// One attribute column of a fixture layer.
struct Column {
    std::string name;
    OGRFieldType type = OFTString;
};

/// One feature of a fixture layer: values as text ("" = null, converted by OGR to the column
/// type) and the geometry as WKT ("" = no geometry).
struct Row {
    std::vector<std::string> values;
    std::string wkt;
};

/// Writes one layer with GDAL: `driver` ("GPKG", "ESRI Shapefile", ...), `epsg` 0 = no CRS.
/// A GeoPackage file may receive several layers (calls append to an existing file).
inline void write_layer(const std::string& path, const char* driver, const std::string& layer_name,
                        int epsg, OGRwkbGeometryType geometry_type, const std::vector<Column>& columns,
                        const std::vector<Row>& rows, const std::vector<std::string>& layer_options = {})
{
    GDALAllRegister();
    GDALDatasetUniquePtr ds;
    if (std::string(driver) == "GPKG" && fs::exists(path))
        ds.reset(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE));
    else {
        GDALDriver* drv = GetGDALDriverManager()->GetDriverByName(driver);
        REQUIRE(drv != nullptr);
        ds.reset(drv->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    }
    REQUIRE(ds != nullptr);
    OGRSpatialReference srs;
    if (epsg != 0) {
        REQUIRE(srs.importFromEPSG(epsg) == OGRERR_NONE);
        srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    }
    CPLStringList options;
    for (const auto& o : layer_options) options.AddString(o.c_str());
    OGRLayer* layer = ds->CreateLayer(layer_name.c_str(), epsg != 0 ? &srs : nullptr, geometry_type,
                                      options.List());
    REQUIRE(layer != nullptr);
    for (const auto& c : columns) {
        OGRFieldDefn defn(c.name.c_str(), c.type);
        REQUIRE(layer->CreateField(&defn) == OGRERR_NONE);
    }
    for (const auto& row : rows) {
        REQUIRE(row.values.size() == columns.size());
        OGRFeatureUniquePtr f(OGRFeature::CreateFeature(layer->GetLayerDefn()));
        for (std::size_t j = 0; j < columns.size(); ++j)
            if (!row.values[j].empty()) f->SetField(static_cast<int>(j), row.values[j].c_str());
        if (!row.wkt.empty()) {
            OGRGeometry* geom = nullptr;
            REQUIRE(OGRGeometryFactory::createFromWkt(row.wkt.c_str(), epsg != 0 ? &srs : nullptr,
                                                      &geom) == OGRERR_NONE);
            f->SetGeometryDirectly(geom);
        }
        REQUIRE(layer->CreateFeature(f.get()) == OGRERR_NONE);
    }
}

} // namespace libgrid::test
