// The plan folder written and read through the library alone: what `plan` writes, a C++ program
// can write, and what is written reads back equal.
#include "../io/fixtures.hpp"

#include <libgrid/assign.hpp>
#include <libgrid/error.hpp>
#include <libgrid/graph.hpp>
#include <libgrid/metrics.hpp>
#include <libgrid/plan_folder.hpp>
#include <libgrid/service_areas.hpp>
#include <libgrid/validate.hpp>

#include <doctest/doctest.h>

#include <fstream>
#include <string>
#include <vector>

namespace {

using namespace libgrid;
using libgrid::test::TempDir;

std::string slurp(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// 6 x 4 squares of 100 m in a local frame, stations A (west half) and B, one input feature
/// (fid 2) rejected, communities of 2 x 2 squares.
struct Folder {
    PlanFolder folder;
    ValidationReport report;
};

Folder planned_folder(bool with_managers)
{
    Territory t;
    t.work_crs_name = "local";
    AdminLevel communities{"community", "", "", {}};
    for (int cy = 0; cy < 2; ++cy)
        for (int cx = 0; cx < 3; ++cx) {
            const double x0 = 200.0 * cx, y0 = 200.0 * cy;
            communities.units.push_back({"C" + std::to_string(3 * cy + cx), "社区" + std::to_string(3 * cy + cx),
                                         MultiPolygon{Polygon{{{x0, y0}, {x0 + 200, y0}, {x0 + 200, y0 + 200},
                                                               {x0, y0 + 200}, {x0, y0}},
                                                              {}}},
                                         -1, npos});
        }
    t.levels.push_back(communities);
    std::int64_t fid = 0;
    for (int y = 0; y < 4; ++y)
        for (int x = 0; x < 6; ++x) {
            TransformerArea a;
            a.id = "T" + std::to_string(6 * y + x);
            a.customers = 10 + (5 * x + 3 * y) % 7;
            a.station_id = x < 3 ? "A" : "B";
            a.branch_id = "BR1";
            a.current_manager = x < 3 ? "M-A" : "";
            a.location = {100.0 * x + 50, 100.0 * y + 50};
            const double x0 = 100.0 * x, y0 = 100.0 * y;
            a.shape = MultiPolygon{Polygon{{{x0, y0}, {x0 + 100, y0}, {x0 + 100, y0 + 100}, {x0, y0 + 100}, {x0, y0}}, {}}};
            if (fid == 2) ++fid; // the rejected feature
            a.source_fid = fid++;
            t.transformers.push_back(a);
        }
    Folder out;
    out.report.rejected.push_back({"in.gpkg", "transformers", 2, "X2", IssueCode::customers_invalid, "customers 'abc'"});
    out.report.add({Severity::error, IssueCode::customers_invalid, "in.gpkg", "transformers", "X2", "customers 'abc'",
                    "give a whole number"});
    out.report.merge(validate(t, {}));
    const auto areas = build_service_areas(t, out.report, {});
    const auto graph = build_adjacency(t, areas, out.report, {});
    PartitionOptions po;
    po.grids = 4;
    auto plan = partition(t, graph, po);
    auto shapes = dissolve(areas.shapes, plan.grid_of, plan.num_grids());
    const auto metrics = compute_metrics(t, graph, plan, shapes);
    auto& f = out.folder;
    f.report = make_plan_report(t, out.report, plan, metrics);
    f.report.options = {po, false, true, {"gpkg"}};
    f.report.timings_s = {{"read", 0.125}, {"partition", 1.5}};
    if (with_managers) {
        const auto slots = make_manager_slots(plan, 1000.0);
        AssignOptions ao;
        const auto a = assign_managers(t, graph.graph, plan, slots, ao);
        for (const std::size_t k : a.grid_manager) f.grid_manager.push_back(a.managers[k].id);
        f.report.managers = make_managers_report(plan, a, ao, "", 1000.0);
    }
    f.territory = std::move(t);
    f.areas = areas.shapes;
    f.plan = std::move(plan);
    f.grid_shapes = std::move(shapes);
    return out;
}

} // namespace

TEST_CASE("a plan folder written through the library reads back equal")
{
    for (const bool with_managers : {false, true}) {
        CAPTURE(with_managers);
        const auto made = planned_folder(with_managers);
        const auto& f = made.folder;
        TempDir dir("folder");
        const auto written = write_plan_folder(dir.file("plan"), f);
        std::vector<std::string> expected{"grids.gpkg", "assignments.csv", "rejected.csv"};
        if (with_managers) expected.insert(expected.end(), {"managers.csv", "contacts.csv"});
        expected.emplace_back("report.json");
        CHECK(written == expected);

        const auto back = read_plan_folder(dir.file("plan"));
        CHECK(back.plan.grid_id == f.plan.grid_id);
        CHECK(back.plan.grid_of == f.plan.grid_of);
        CHECK(back.plan.load == f.plan.load);
        CHECK(back.plan.grid_station == f.plan.grid_station);
        CHECK(back.plan.grid_target == f.plan.grid_target);
        REQUIRE(back.plan.stations.size() == f.plan.stations.size());
        for (std::size_t s = 0; s < f.plan.stations.size(); ++s) {
            CHECK(back.plan.stations[s].station_id == f.plan.stations[s].station_id);
            CHECK(back.plan.stations[s].grids == f.plan.stations[s].grids);
            CHECK(back.plan.stations[s].transformers == f.plan.stations[s].transformers);
            CHECK(back.plan.stations[s].target == f.plan.stations[s].target);
        }
        CHECK(back.grid_manager == f.grid_manager);
        REQUIRE(back.territory.transformers.size() == f.territory.transformers.size());
        for (std::size_t i = 0; i < f.territory.transformers.size(); ++i) {
            const auto& a = f.territory.transformers[i];
            const auto& b = back.territory.transformers[i];
            CHECK(b.id == a.id);
            CHECK(b.customers == a.customers);
            CHECK(b.station_id == a.station_id);
            CHECK(b.branch_id == a.branch_id);
            CHECK(b.current_manager == a.current_manager);
            CHECK(b.source_fid == a.source_fid);
            CHECK(b.location.x == a.location.x);
            CHECK(b.location.y == a.location.y);
            CHECK(area(back.areas[i]) == doctest::Approx(area(f.areas[i])));
        }
        REQUIRE(back.grid_shapes.size() == f.grid_shapes.size());
        for (std::size_t g = 0; g < f.grid_shapes.size(); ++g)
            CHECK(area(back.grid_shapes[g]) == doctest::Approx(area(f.grid_shapes[g])));
        // The report, every measure included, reads back to the same text.
        CHECK(to_json(back.report) == to_json(f.report));
        CHECK(back.report.grids[0].communities == f.report.grids[0].communities);
        CHECK_FALSE(f.report.grids[0].communities.empty());

        // The tables a planner opens: every input feature in input order, the rejected one
        // included with its reason; the contact list with the community names.
        const auto assignments = slurp(dir.file("plan/assignments.csv"));
        CHECK(assignments.find("T0,") < assignments.find("X2,,,,,rejected: customers 'abc'"));
        CHECK(assignments.find("X2,") < assignments.find("T2,"));
        CHECK(slurp(dir.file("plan/rejected.csv")).find("\"X2\",customers_invalid") != std::string::npos);
        if (with_managers) CHECK(slurp(dir.file("plan/contacts.csv")).find("社区0") != std::string::npos);

        // A report.json of an earlier version, which did not list the rejected transformers:
        // they come back from rejected.csv.
        {
            auto older = f.report;
            older.rejected.clear();
            std::ofstream(dir.file("plan/report.json"), std::ios::binary | std::ios::trunc) << to_json(older);
            const auto again = read_plan_folder(dir.file("plan"));
            REQUIRE(again.report.rejected.size() == 1);
            CHECK(again.report.rejected[0].id == "X2");
            CHECK(again.report.rejected[0].fid == 2);
            CHECK(again.report.rejected[0].code == IssueCode::customers_invalid);
            CHECK(again.report.rejected[0].reason == "customers 'abc'");
            std::ofstream(dir.file("plan/report.json"), std::ios::binary | std::ios::trunc) << to_json(f.report);
        }

        // Written again: a folder is one plan, so managers of the earlier plan do not stay.
        if (with_managers) {
            auto without = f;
            without.grid_manager.clear();
            without.report.managers.reset();
            write_plan_folder(dir.file("plan"), without);
            CHECK_FALSE(std::filesystem::exists(dir.file("plan/contacts.csv")));
            CHECK_FALSE(std::filesystem::exists(dir.file("plan/managers.csv")));
        }
    }
}

TEST_CASE("write_plan_folder into a folder that holds no plan touches none of its files")
{
    const auto made = planned_folder(true);
    TempDir dir("foreign");
    // Files a user keeps there, named like files a plan can have.
    for (const char* name : {"transformers.geojson", "managers.csv", "report.html", "grids.qml"})
        std::ofstream(dir.file(name)) << "mine";
    auto without = made.folder;
    without.grid_manager.clear();
    without.report.managers.reset();
    write_plan_folder(dir.path().string(), without);
    for (const char* name : {"transformers.geojson", "managers.csv", "report.html", "grids.qml"}) {
        CAPTURE(name);
        CHECK(slurp(dir.file(name)) == "mine");
    }
    // A report.json that is not ours (it does not read as a plan report) protects them too.
    TempDir other("foreign-report");
    std::ofstream(other.file("report.json")) << "not json";
    std::ofstream(other.file("contacts.csv")) << "mine";
    write_plan_folder(other.path().string(), without);
    CHECK(slurp(other.file("contacts.csv")) == "mine");
}

TEST_CASE("plan_report_from_json refuses counts that are not whole numbers")
{
    CHECK_THROWS_WITH_AS(plan_report_from_json(R"({"overall": {"grids": 1e300}})"),
                         doctest::Contains("'grids' must be a whole number >= 0, found 1e+300"), Error);
    CHECK_THROWS_WITH_AS(plan_report_from_json(R"({"rejected": [{"fid": 2.5, "code": "id_missing"}]})"),
                         doctest::Contains("'fid' must be a whole number"), Error);
    CHECK(plan_report_from_json(R"({"overall": {"grids": 3}})").overall.grids == 3);
}

TEST_CASE("write_plan_folder never replaces an input and leaves nothing behind when it refuses")
{
    const auto made = planned_folder(false);
    TempDir dir("protect");
    std::ofstream(dir.file("report.json")) << "{}";
    PlanFolderWriteOptions o;
    o.protect = {dir.file("report.json")};
    CHECK_THROWS_AS(write_plan_folder(dir.path().string(), made.folder, o), Error);
    CHECK(slurp(dir.file("report.json")) == "{}");
    CHECK(dir.entries() == std::vector<std::string>{"report.json"});
}

TEST_CASE("read_plan_folder names what is missing and the fix")
{
    TempDir dir("notaplan");
    try {
        read_plan_folder(dir.path().string());
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::invalid_input);
        CHECK(std::string(e.what()).find("is not a usable plan folder: it has no grids.gpkg") != std::string::npos);
        CHECK(std::string(e.what()).find("give the --out folder of a grid-partition plan run") != std::string::npos);
    }
    std::ofstream(dir.file("report.json")) << "{\"grids\": 3";
    CHECK_THROWS_WITH_AS(read_plan_report(dir.path().string()), doctest::Contains("report.json is not JSON"), Error);
}
