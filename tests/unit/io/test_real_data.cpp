// read_inputs() on real public networks (../shared/data and data/, see their README.md): the
// counts below are those the data's documentation gives.
#include "common/shared_data.hpp"
#include <libgrid/graph.hpp>
#include <libgrid/io.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

using namespace libgrid;

namespace {

const std::string shared = LIBGRID_SHARED_DATA;
const std::string bundled = LIBGRID_DATA;

bool contains(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

// Connected components of the transformers joined by their feeder links.
Components feeder_components(const Territory& t)
{
    std::vector<GraphEdge> edges;
    for (const auto& l : t.feeder_links)
        edges.push_back({static_cast<std::uint32_t>(l.a), static_cast<std::uint32_t>(l.b), 0.0, edge_feeder});
    return connected_components(make_csr(t.transformers.size(), edges), edge_feeder);
}

} // namespace

TEST_CASE("IEEE 8500-node feeder: 1,177 transformers contracted to a tree of 1,176 feeder links")
{
    if (!test_data::shared_data_available()) return;
    ReadOptions options;
    options.transformers.path = shared + "/ieee8500/transformers.csv";
    options.feeders.push_back({shared + "/ieee8500/feeder_edges.csv", "", "", ""});
    options.assume_crs = "local";
    options.fields.node = "hv_bus";
    const auto [territory, report] = read_inputs(options);

    CHECK(report.ok());
    CHECK(report.rejected.empty());
    CHECK(territory.transformers.size() == 1177);
    CHECK(territory.feeder_links.size() == 1176);
    CHECK(territory.feeders == std::vector<std::string>{"ieee8500"});
    // n - 1 links joining all n transformers: a tree, as a radial feeder should be.
    const Components c = feeder_components(territory);
    CHECK(c.sizes.size() == 1);
    CHECK(territory.work_crs_wkt.empty());
}

TEST_CASE("EPRI K1 without its equivalent load: 320 service areas, 570 customers")
{
    if (!test_data::shared_data_available()) return;
    ReadOptions options;
    options.transformers = {shared + "/epri_k1/transformers.csv", "", "kind = 'lv_area'", ""};
    options.feeders.push_back({shared + "/epri_k1/feeder_edges.csv", "", "", ""});
    options.assume_crs = "local";
    options.fields.node = "hv_bus";
    const auto [territory, report] = read_inputs(options);

    CHECK(report.ok());
    CHECK(territory.transformers.size() == 320);
    CHECK(territory.total_customers() == 570.0);
    CHECK(report.count(Severity::info) == 1); // the one equivalent load left out by the filter
    CHECK(territory.feeders == std::vector<std::string>{"epri_k1"});
    CHECK(feeder_components(territory).sizes.size() == 1);
}

TEST_CASE("MV Oberrhein in lon/lat: 147 stations, 18,558 customers, worked in UTM zone 32N")
{
    if (!test_data::shared_data_available()) return;
    ReadOptions options;
    options.transformers.path = shared + "/oberrhein/mv_transformers.csv";
    options.assume_crs = "EPSG:4326";
    const auto [territory, report] = read_inputs(options);

    // The one note says that `customers_method` is not taken as a class.
    REQUIRE(report.issues.size() == 1);
    CHECK(contains(report.issues[0].message, "'customers_method' is not taken as a customer class"));
    CHECK(contains(territory.work_crs_name, "UTM zone 32N"));
    CHECK(territory.transformers.size() == 147);
    CHECK(territory.total_customers() == 18558.0);
    // `customers_method` is a note ("estimated: ..."), not a customer class.
    for (const auto& t : territory.transformers) CHECK(t.classes.empty());
    // Offenburg lies near the 32N central meridian (9° E): eastings about 400 km.
    for (const auto& t : territory.transformers) {
        CHECK(t.location.x > 350000.0);
        CHECK(t.location.x < 500000.0);
    }
}

TEST_CASE("Malta: 98 transformer stations and 68 local councils")
{
    const std::string gpkg = bundled + "/malta/malta.gpkg";
    ReadOptions options;
    options.transformers = {gpkg, "transformers", "is_atom = 1", ""};
    options.boundaries.push_back({gpkg, "admin_units_finest", "", ""});
    options.fields.id = "atom_id";
    options.fields.customers = "customers_proxy";
    options.fields.unit_id = "osm_id";
    const auto [territory, report] = read_inputs(options);

    CHECK(report.ok());
    CHECK(territory.transformers.size() == 98);
    CHECK(territory.total_customers() == 13281.0); // one building per customer proxy
    REQUIRE(territory.levels.size() == 1);
    CHECK(territory.levels[0].units.size() == 68);
    CHECK(territory.levels[0].name == "admin_units_finest");
    CHECK(contains(territory.work_crs_name, "UTM zone 33N"));
}
