// Manager assignment on small hand-made plans: capacity, max_grids, adjacency preference,
// continuity, exactness against brute force, and every infeasible roster with its message.
#include <libgrid/assign.hpp>
#include <libgrid/error.hpp>
#include <libgrid/io.hpp>
#include <libgrid/verify.hpp>

#include <doctest/doctest.h>
#include <ogr_spatialref.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <string>
#include <vector>

using namespace libgrid;

namespace {

/// One transformer per grid: grid g sits at (x_km, y_km) with `load` customers.
struct GridSpec {
    double x_km = 0, y_km = 0, load = 100;
    std::string station = "S1";
    std::string current = {}; ///< current manager of its customers
};

struct Case {
    Territory t;
    Plan plan;
    CsrGraph graph;
};

Case make_case(const std::vector<GridSpec>& grids, const std::vector<std::pair<std::uint32_t, std::uint32_t>>& edges)
{
    Case c;
    std::vector<std::string> stations;
    for (const auto& g : grids)
        if (std::find(stations.begin(), stations.end(), g.station) == stations.end()) stations.push_back(g.station);
    std::sort(stations.begin(), stations.end());
    for (const auto& s : stations) {
        StationPlan sp;
        sp.station_id = s;
        c.plan.stations.push_back(sp);
    }
    for (std::size_t i = 0; i < grids.size(); ++i) {
        TransformerArea a;
        a.id = "T" + std::to_string(i);
        a.customers = grids[i].load;
        a.station_id = grids[i].station;
        a.current_manager = grids[i].current;
        a.location = {grids[i].x_km * 1000, grids[i].y_km * 1000};
        c.t.transformers.push_back(a);
        const auto s = static_cast<std::size_t>(std::find(stations.begin(), stations.end(), grids[i].station) - stations.begin());
        c.plan.grid_of.push_back(static_cast<std::uint32_t>(i));
        c.plan.grid_id.push_back(grids[i].station + "-" + std::to_string(i + 1));
        c.plan.grid_station.push_back(s);
        c.plan.grid_nest_unit.push_back(npos);
        c.plan.grid_load.push_back(grids[i].load);
        c.plan.grid_target.push_back(grids[i].load);
        c.plan.load.push_back(grids[i].load);
        c.plan.stations[s].grids++;
        c.plan.stations[s].load += grids[i].load;
    }
    std::vector<GraphEdge> e;
    for (const auto& [a, b] : edges) e.push_back({a, b, 100.0, edge_border});
    c.graph = make_csr(grids.size(), e, c.plan.load);
    return c;
}

Manager man(const std::string& id, double cap, double x_km, double y_km, const std::string& station = "S1",
            std::size_t max_grids = 0)
{
    Manager m;
    m.id = id;
    m.station_id = station;
    m.capacity = cap;
    m.base = {x_km * 1000, y_km * 1000};
    m.has_base = true;
    m.max_grids = max_grids;
    return m;
}

/// The documented objective, recomputed here from scratch.
double objective(const Case& c, const std::vector<Manager>& ms, const std::vector<std::size_t>& of,
                 const AssignOptions& o)
{
    const std::size_t G = of.size();
    double total = 0;
    for (std::size_t g = 0; g < G; ++g) {
        const auto& t = c.t.transformers[g];
        total += std::hypot(ms[of[g]].base.x - t.location.x, ms[of[g]].base.y - t.location.y) / 1000.0;
        if (!t.current_manager.empty()) {
            bool on_roster = false;
            for (const auto& m : ms)
                if (m.id == t.current_manager && m.station_id == t.station_id) on_roster = true;
            if (on_roster && ms[of[g]].id != t.current_manager) total += o.continuity_km;
        }
    }
    for (std::size_t m = 0; m < ms.size(); ++m) {
        // connected groups of m's grids
        std::vector<int> comp(G, -1);
        int groups = 0;
        for (std::size_t g = 0; g < G; ++g) {
            if (of[g] != m || comp[g] >= 0) continue;
            std::vector<std::size_t> stack{g};
            comp[g] = groups;
            while (!stack.empty()) {
                const auto v = stack.back();
                stack.pop_back();
                for (std::size_t e = c.graph.xadj[v]; e < c.graph.xadj[v + 1]; ++e) {
                    const auto u = c.graph.adjncy[e];
                    if (of[u] == m && comp[u] < 0) {
                        comp[u] = groups;
                        stack.push_back(u);
                    }
                }
            }
            ++groups;
        }
        if (groups > 1) total += o.adjacency_km * (groups - 1);
    }
    return total;
}

std::string error_of(const Case& c, const std::vector<Manager>& ms)
{
    try {
        assign_managers(c.t, c.graph, c.plan, ms);
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::invalid_input);
        return e.what();
    }
    return "";
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

} // namespace

TEST_CASE("assign: capacity is respected even when one manager is nearest to every grid")
{
    const auto c = make_case({{0, 0}, {1, 0}, {2, 0}, {3, 0}}, {{0, 1}, {1, 2}, {2, 3}});
    const std::vector<Manager> ms{man("A", 200, 1.5, 0), man("B", 200, 30, 0)};
    for (const double limit : {1e9, 0.0}) { // exact, then the heuristic
        AssignOptions o;
        o.exact_limit = limit;
        const auto a = assign_managers(c.t, c.graph, c.plan, ms, o);
        CHECK(a.figures[0].grids == 2);
        CHECK(a.figures[1].grids == 2);
        CHECK(a.figures[0].load <= 200);
        CHECK(verify_assignment(c.t, c.plan, a.managers, a.grid_manager).ok());
        // A keeps the two grids where it saves most travel over B (the two farthest from B).
        CHECK(a.grid_manager[0] == 0);
        CHECK(a.grid_manager[1] == 0);
    }
}

TEST_CASE("assign: max_grids limits the grids a manager holds")
{
    const auto c = make_case({{0, 0}, {1, 0}, {2, 0}}, {{0, 1}, {1, 2}});
    const std::vector<Manager> ms{man("A", 1e6, 1, 0, "S1", 1), man("B", 1e6, 1, 50)};
    AssignOptions travel_only;
    travel_only.adjacency_km = 0;
    const auto a = assign_managers(c.t, c.graph, c.plan, ms, travel_only);
    CHECK(a.figures[0].grids == 1);
    CHECK(a.grid_manager[1] == 0); // where A saves most travel over B
    CHECK(a.figures[1].grids == 2);
    // With the default price of scattering, A takes an end grid so that B's two stay adjacent
    // (0.99 km more travel against 5 km for a second group).
    const auto b = assign_managers(c.t, c.graph, c.plan, ms);
    CHECK(b.figures[0].grids == 1);
    CHECK(b.grid_manager[1] == 1);
    CHECK(b.figures[1].groups == 1);
}

TEST_CASE("assign: with equal travel a manager's grids are adjacent")
{
    // A line of four grids; both managers at the same base, two grids each: only the split
    // {0,1} {2,3} keeps each manager's grids together.
    const auto c = make_case({{0, 0}, {1, 0}, {2, 0}, {3, 0}}, {{0, 1}, {1, 2}, {2, 3}});
    const std::vector<Manager> ms{man("A", 200, 1.5, 1), man("B", 200, 1.5, 1)};
    for (const double limit : {1e9, 0.0}) {
        AssignOptions o;
        o.exact_limit = limit;
        const auto a = assign_managers(c.t, c.graph, c.plan, ms, o);
        CHECK(a.grid_manager[0] == a.grid_manager[1]);
        CHECK(a.grid_manager[2] == a.grid_manager[3]);
        CHECK(a.grid_manager[0] != a.grid_manager[2]);
        CHECK(a.overall.adjacent_pair_share == doctest::Approx(1.0));
        CHECK(a.overall.one_group_share == doctest::Approx(1.0));
    }
}

TEST_CASE("assign: customers keep their current manager when capacity allows")
{
    auto c = make_case({{0, 0, 100, "S1", "B"}, {1, 0, 100, "S1", "B"}, {2, 0, 100, "S1", "A"}, {3, 0, 100, "S1", "A"}},
                       {{0, 1}, {1, 2}, {2, 3}});
    // A's base is next to B's grids: travel alone would swap them.
    const std::vector<Manager> ms{man("A", 200, 0.5, 0), man("B", 200, 2.5, 0)};
    const auto a = assign_managers(c.t, c.graph, c.plan, ms);
    CHECK(a.overall.continuity == doctest::Approx(1.0));
    CHECK(a.grid_manager[0] == 1);
    CHECK(a.grid_manager[3] == 0);
    AssignOptions travel_only;
    travel_only.continuity_km = 0;
    const auto b = assign_managers(c.t, c.graph, c.plan, ms, travel_only);
    CHECK(b.overall.continuity == doctest::Approx(0.0));
}

TEST_CASE("assign: the result is optimal on tiny instances (brute force) and the bound holds")
{
    std::mt19937 rng(11);
    std::uniform_real_distribution<double> pos(0, 10), load(50, 150), cap(250, 400);
    for (int round = 0; round < 12; ++round) {
        std::vector<GridSpec> gs;
        const std::size_t G = 6, M = 3;
        for (std::size_t g = 0; g < G; ++g)
            gs.push_back({pos(rng), pos(rng), std::round(load(rng)), "S1", round % 2 ? "M" + std::to_string(g % M) : ""});
        std::vector<std::pair<std::uint32_t, std::uint32_t>> edges;
        for (std::uint32_t g = 0; g + 1 < G; ++g) edges.push_back({g, g + 1});
        edges.push_back({0, 3});
        const auto c = make_case(gs, edges);
        std::vector<Manager> ms;
        for (std::size_t m = 0; m < M; ++m) ms.push_back(man("M" + std::to_string(m), std::round(cap(rng)), pos(rng), pos(rng)));
        AssignOptions o;
        // brute force
        double best = std::numeric_limits<double>::infinity();
        std::vector<std::size_t> of(G, 0);
        for (std::size_t code = 0; code < 729; ++code) {
            std::size_t x = code;
            std::vector<double> l(M, 0);
            for (std::size_t g = 0; g < G; ++g, x /= M) {
                of[g] = x % M;
                l[of[g]] += gs[g].load;
            }
            bool ok = true;
            for (std::size_t m = 0; m < M; ++m) ok = ok && l[m] <= ms[m].capacity;
            if (ok) best = std::min(best, objective(c, ms, of, o));
        }
        if (!std::isfinite(best)) continue;
        CAPTURE(round);
        const auto exact = assign_managers(c.t, c.graph, c.plan, ms, o);
        CHECK(exact.overall.exact);
        CHECK(objective(c, ms, exact.grid_manager, o) == doctest::Approx(best));
        CHECK(exact.overall.objective == doctest::Approx(best));
        o.exact_limit = 0; // the heuristic: never better than optimal, bound never above it
        const auto heur = assign_managers(c.t, c.graph, c.plan, ms, o);
        CHECK_FALSE(heur.overall.exact);
        CHECK(verify_assignment(c.t, c.plan, heur.managers, heur.grid_manager).ok());
        CHECK(objective(c, ms, heur.grid_manager, o) >= best - 1e-6);
        CHECK(heur.overall.lower_bound <= best + 1e-6);
        CHECK(heur.overall.gap >= 0);
    }
}

TEST_CASE("assign: infeasible rosters fail naming the station, the numbers and the fix")
{
    const auto c = make_case({{0, 0, 300}, {1, 0, 100}, {2, 0, 100}, {3, 0, 100, "S2"}}, {{0, 1}, {1, 2}});
    const std::vector<Manager> s2{man("Z", 500, 0, 0, "S2")};
    SUBCASE("total capacity below load")
    {
        const auto e = error_of(c, {man("A", 300, 0, 0), man("B", 150, 0, 0), s2[0]});
        CHECK(has(e, "station 'S1'"));
        CHECK(has(e, "can carry 450 in all, but its 3 grids hold 500"));
        CHECK(has(e, "raise capacities by 50"));
    }
    SUBCASE("a grid heavier than every capacity")
    {
        const auto e = error_of(c, {man("A", 250, 0, 0), man("B", 250, 0, 0), s2[0]});
        CHECK(has(e, "grid 'S1-1' of station 'S1' has load 300"));
        CHECK(has(e, "largest capacity 250"));
    }
    SUBCASE("max_grids too small")
    {
        const auto e = error_of(c, {man("A", 1000, 0, 0, "S1", 1), man("B", 1000, 0, 0, "S1", 1), s2[0]});
        CHECK(has(e, "station 'S1' has 3 grids but its 2 managers may hold at most 2"));
    }
    SUBCASE("a station without managers")
    {
        const auto e = error_of(c, {man("A", 1000, 0, 0)});
        CHECK(has(e, "station 'S2' has 1 grids (load 100) but no manager"));
    }
    SUBCASE("grids that do not pack although the totals agree")
    {
        // 300 + 100 + 100 into capacities 320 and 190: 500 <= 510, yet the 300 grid leaves 20.
        const auto e = error_of(c, {man("A", 320, 0, 0), man("B", 190, 0, 0), s2[0]});
        CHECK(has(e, "do not pack"));
        CHECK(has(e, "station 'S1'"));
    }
    SUBCASE("a manager of an unknown station is a roster issue")
    {
        const auto r = check_roster(c.t, c.plan, {man("A", 1000, 0, 0), s2[0], man("Q", 100, 0, 0, "S9")});
        REQUIRE(r.count(Severity::error) == 1);
        CHECK(r.issues[0].code == IssueCode::station_unknown);
        CHECK(r.issues[0].feature_id == "Q");
        CHECK(has(r.issues[0].message, "station 'S9', which holds no grid"));
    }
}

TEST_CASE("assign: slots without a roster are numbered per station and hold the plan")
{
    const auto c = make_case({{0, 0, 300}, {1, 0, 100}, {2, 0, 100}, {3, 0, 100, "S2"}}, {{0, 1}, {1, 2}});
    const auto slots = make_manager_slots(c.plan, 300);
    REQUIRE(slots.size() == 3);
    CHECK(slots[0].id == "S1-M001");
    CHECK(slots[1].id == "S1-M002");
    CHECK(slots[2].id == "S2-M001");
    const auto a = assign_managers(c.t, c.graph, c.plan, slots);
    CHECK(verify_assignment(c.t, c.plan, a.managers, a.grid_manager).ok());
    CHECK_THROWS_AS(make_manager_slots(c.plan, 200), Error);
    for (const double bad : {0.0, -1.0, std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity()}) {
        CAPTURE(bad);
        try {
            make_manager_slots(c.plan, bad);
            FAIL("no error");
        } catch (const Error& e) {
            CHECK(e.code() == ErrorCode::invalid_option);
        }
    }
}

TEST_CASE("verify_assignment finds a manager over capacity and one of another station")
{
    const auto c = make_case({{0, 0, 300}, {1, 0, 100}, {3, 0, 100, "S2"}}, {{0, 1}});
    const std::vector<Manager> ms{man("A", 350, 0, 0), man("Z", 500, 0, 0, "S2")};
    const auto r = verify_assignment(c.t, c.plan, ms, {0, 0, 0});
    REQUIRE(r.problems.size() == 2);
    CHECK(has(r.problems[0], "grid 'S2-3' of station 'S2' is held by manager 'A' of station 'S1'"));
    CHECK(has(r.problems[1], "manager 'A' holds load 500, over the capacity 350"));
}

TEST_CASE("read_managers reads a CSV roster and reports every bad line")
{
    const auto dir = std::filesystem::temp_directory_path() / "libgrid-test-managers";
    std::filesystem::create_directories(dir);
    const auto path = (dir / "roster.csv").string();
    std::ofstream(path) << "id,name,phone,station_id,capacity,max_grids,x,y\n"
                           "E1,王芳,13800000001,S1,900,3,500,600\n"
                           "E2,李娜,13800000002,S1,abc,,,\n"
                           "E1,张伟,13800000003,S1,800,,,\n"
                           "E4,,,,800,,,\n"
                           "E5,,,S2,800,2.5,,\n"
                           "E6,,,S2,700,,,\n";
    ManagerReadOptions o;
    o.source.path = path;
    o.assume_crs = "local";
    const auto [ms, report] = read_managers(o);
    REQUIRE(ms.size() == 2);
    CHECK(ms[0].id == "E1");
    CHECK(ms[0].name == "王芳");
    CHECK(ms[0].max_grids == 3);
    CHECK(ms[0].has_base);
    CHECK(ms[0].base.x == doctest::Approx(500));
    CHECK(ms[1].id == "E6");
    CHECK_FALSE(ms[1].has_base);
    REQUIRE(report.count(Severity::error) == 4);
    CHECK(report.issues[0].feature_id == "E2");
    CHECK(has(report.issues[0].message, "capacity 'abc'"));
    CHECK(report.issues[1].code == IssueCode::id_duplicate);
    CHECK(report.issues[2].code == IssueCode::station_unknown);
    CHECK(has(report.issues[3].message, "max_grids '2.5'"));
    for (const auto& i : report.issues) CHECK(i.file == path);

    ManagerReadOptions missing = o;
    missing.fields.capacity = "cap";
    const auto [none, r2] = read_managers(missing);
    CHECK(none.empty());
    REQUIRE(r2.count(Severity::error) == 1);
    CHECK(has(r2.issues[0].fix, "--manager-capacity-field"));
    std::filesystem::remove_all(dir);
}

TEST_CASE("read_managers moves lon/lat bases into the working CRS")
{
    const auto dir = std::filesystem::temp_directory_path() / "libgrid-test-managers-crs";
    std::filesystem::create_directories(dir);
    const auto geojson = (dir / "roster.geojson").string();
    std::ofstream(geojson) << R"({"type":"FeatureCollection","features":[{"type":"Feature","properties":)"
                              R"({"id":"E1","station_id":"S1","capacity":900},"geometry":{"type":"Point",)"
                              R"("coordinates":[111.0,28.0]}}]})";
    const auto csv = (dir / "roster.csv").string();
    std::ofstream(csv) << "id,station_id,capacity,lon,lat\nE2,S1,900,111.0,28.0\n";
    OGRSpatialReference utm;
    utm.importFromEPSG(32649); // UTM zone 49N: central meridian 111 E
    char* wkt = nullptr;
    utm.exportToWkt(&wkt);
    for (const auto& path : {geojson, csv}) {
        CAPTURE(path);
        ManagerReadOptions o;
        o.source.path = path;
        o.work_crs_wkt = wkt;
        const auto [ms, report] = read_managers(o);
        CHECK(report.ok());
        REQUIRE(ms.size() == 1);
        REQUIRE(ms[0].has_base);
        // On the zone's central meridian: easting 500 km; 28 N is about 3,098 km north.
        CHECK(ms[0].base.x == doctest::Approx(500000).epsilon(1e-6));
        CHECK(ms[0].base.y == doctest::Approx(3098000).epsilon(1e-3));
    }
    CPLFree(wkt);
    std::filesystem::remove_all(dir);
}

TEST_CASE("assign: travel along the roads when the territory has them")
{
    // One grid at the origin. Manager A lives 1 km north across a river whose only bridge is
    // 10 km east; manager B lives 3 km south on a straight road to the grid.
    auto c = make_case({{0, 0, 100}}, {});
    const std::vector<Manager> ms{man("A", 500, 0, 1), man("B", 500, 0, -3)};
    auto straight = assign_managers(c.t, c.graph, c.plan, ms);
    CHECK(straight.grid_manager[0] == 0);
    CHECK_FALSE(straight.travel_by_road);
    CHECK(straight.grid_travel_km[0] == doctest::Approx(1.0));

    c.t.roads = {{"north bank", {{0, 1000}, {10000, 1000}}},
                 {"bridge", {{10000, 1000.4}, {10000, 0}}}, // joins the bank within 1 m
                 {"south bank", {{10000, 0}, {0, 0}, {0, -3000}}}};
    auto by_road = assign_managers(c.t, c.graph, c.plan, ms);
    CHECK(by_road.travel_by_road);
    CHECK(by_road.straight_fallbacks == 0);
    CHECK(by_road.grid_manager[0] == 1);
    CHECK(by_road.grid_travel_km[0] == doctest::Approx(3.0));
    CHECK(by_road.figures[1].travel_km == doctest::Approx(3.0));

    // A road network that does not reach the grid: straight lines, counted.
    c.t.roads = {{"elsewhere", {{50000, 50000}, {60000, 50000}}}};
    auto cut_off = assign_managers(c.t, c.graph, c.plan, ms);
    CHECK(cut_off.travel_by_road);
    CHECK(cut_off.grid_manager[0] == 0);
}

TEST_CASE("assign: packing failures have their own issue code, and allow_infeasible assigns and says who is over")
{
    const auto c = make_case({{0, 0, 300}, {1, 0, 100}, {2, 0, 100}}, {{0, 1}, {1, 2}});
    const std::vector<Manager> roster{man("A", 200, 0, 0), man("B", 200, 2, 0)};
    const auto r = check_roster(c.t, c.plan, roster);
    REQUIRE(r.count(Severity::error) >= 1);
    for (const auto& i : r.issues) CHECK(i.code == IssueCode::managers_infeasible);
    CHECK_THROWS_AS(assign_managers(c.t, c.graph, c.plan, roster), Error);

    AssignOptions o;
    o.allow_infeasible = true;
    const auto a = assign_managers(c.t, c.graph, c.plan, roster, o);
    CHECK(a.overall.capacity_raised);
    double over = 0.0;
    for (std::size_t k = 0; k < roster.size(); ++k) over += a.over_capacity[k];
    // 500 of load into 400 of capacity: at least 100 over, said per manager, and true.
    CHECK(over >= 100.0 - 1e-9);
    CHECK(verify_assignment(c.t, c.plan, a.managers, a.grid_manager, a.over_capacity).ok());
    // The verifier refuses an overload that is not declared, or declared wrongly.
    CHECK_FALSE(verify_assignment(c.t, c.plan, a.managers, a.grid_manager).ok());
    auto wrong = a.over_capacity;
    for (auto& w : wrong) w = w > 0 ? w / 2 : 0.0;
    CHECK_FALSE(verify_assignment(c.t, c.plan, a.managers, a.grid_manager, wrong).ok());
    // ... or an overload declared for a manager who is not over.
    auto invented = a.over_capacity;
    for (std::size_t k = 0; k < invented.size(); ++k)
        if (invented[k] == 0.0) invented[k] = 50.0;
    if (invented != a.over_capacity) CHECK_FALSE(verify_assignment(c.t, c.plan, a.managers, a.grid_manager, invented).ok());
}

TEST_CASE("assign: managers stay put, and a roster change moves only what it must, and says why")
{
    // Twelve grids in a row of one station, six managers of capacity 250 (two grids each).
    std::vector<GridSpec> grids;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> edges;
    for (std::uint32_t i = 0; i < 12; ++i) {
        grids.push_back({double(i), 0, 100});
        if (i) edges.emplace_back(i - 1, i);
    }
    const auto c = make_case(grids, edges);
    std::vector<Manager> roster;
    for (int k = 0; k < 6; ++k) roster.push_back(man("M" + std::to_string(k), 250, 2.0 * k + 0.5, 0));
    AssignOptions fresh;
    fresh.exact_limit = 0; // the heuristic path, as on a real station
    const auto first = assign_managers(c.t, c.graph, c.plan, roster, fresh);
    std::vector<std::string> in_force;
    for (const auto k : first.grid_manager) in_force.push_back(roster[k].id);

    AssignOptions keep = fresh;
    keep.in_force = in_force;
    // Bases moved so that a fresh assignment would differ: the assignment in force still holds.
    auto moved_bases = roster;
    std::reverse(moved_bases.begin(), moved_bases.end());
    for (std::size_t k = 0; k < moved_bases.size(); ++k) moved_bases[k].base = roster[k].base;
    const auto fresh_again = assign_managers(c.t, c.graph, c.plan, moved_bases, fresh);
    std::size_t differ = 0;
    for (std::size_t g = 0; g < 12; ++g)
        differ += moved_bases[fresh_again.grid_manager[g]].id != in_force[g];
    REQUIRE(differ > 0); // the test can fail: without in_force the grids would move

    SUBCASE("the same roster: no grid changes")
    {
        const auto a = assign_managers(c.t, c.graph, c.plan, moved_bases, keep);
        for (std::size_t g = 0; g < 12; ++g) {
            CHECK(moved_bases[a.grid_manager[g]].id == in_force[g]);
            CHECK(a.grid_change[g] == ManagerChange::kept);
        }
        CHECK(a.overall.kept == 12);
        CHECK(a.overall.moved == 0);
    }
    SUBCASE("one manager replaced: only that manager's grids change, for that reason")
    {
        auto roster2 = roster;
        roster2[3].id = "NEW";
        const auto a = assign_managers(c.t, c.graph, c.plan, roster2, keep);
        std::size_t changed = 0;
        for (std::size_t g = 0; g < 12; ++g) {
            const bool was_m3 = in_force[g] == "M3";
            CHECK((roster2[a.grid_manager[g]].id != in_force[g]) == was_m3);
            CHECK(a.grid_change[g] == (was_m3 ? ManagerChange::manager_left : ManagerChange::kept));
            if (was_m3) {
                CHECK(roster2[a.grid_manager[g]].id == "NEW");
                CHECK(a.grid_manager_before[g] == "M3");
            }
            changed += roster2[a.grid_manager[g]].id != in_force[g];
        }
        CHECK(changed == 2);
        CHECK(a.overall.manager_left == 2);
        CHECK(a.overall.moved == 2);
    }
    SUBCASE("a manager's capacity cut: the fewest grids move, reported as capacity moves")
    {
        auto roster2 = roster;
        roster2[2].capacity = 150;                     // holds one grid now
        roster2.push_back(man("EXTRA", 250, 5.0, 0));  // room for it elsewhere
        const auto a = assign_managers(c.t, c.graph, c.plan, roster2, keep);
        std::size_t changed = 0;
        for (std::size_t g = 0; g < 12; ++g) {
            if (roster2[a.grid_manager[g]].id == in_force[g]) continue;
            ++changed;
            CHECK(in_force[g] == "M2");
            CHECK(a.grid_change[g] == ManagerChange::capacity);
        }
        CHECK(changed == 1);
        CHECK(a.overall.capacity_moves == 1);
        CHECK(verify_assignment(c.t, c.plan, a.managers, a.grid_manager).ok());
    }
    SUBCASE("an in-force list of the wrong size is refused")
    {
        AssignOptions bad = keep;
        bad.in_force.pop_back();
        CHECK_THROWS_AS(assign_managers(c.t, c.graph, c.plan, roster, bad), Error);
    }
}

TEST_CASE("managers_in_force: per grid, the current manager of most of its customers")
{
    // Grids of one transformer each; then two transformers merged into one grid.
    auto c = make_case({{0, 0, 100, "S1", "B"}, {1, 0, 300, "S1", "A"}, {2, 0, 50, "S1", ""}}, {{0, 1}, {1, 2}});
    CHECK(managers_in_force(c.t, c.plan) == std::vector<std::string>{"B", "A", ""});
    c.plan.grid_of = {0, 0, 1}; // grid 0 holds B's 100 and A's 300 customers
    c.plan.grid_id.pop_back();
    c.plan.grid_station.pop_back();
    CHECK(managers_in_force(c.t, c.plan) == std::vector<std::string>{"A", ""});
    c.t.transformers[0].customers = 300; // a tie goes to the smallest id
    CHECK(managers_in_force(c.t, c.plan) == std::vector<std::string>{"A", ""});
}
