// Grid managers: `plan --managers` / `--manager-capacity` and `assign --plan` on synthetic
// cities: the files a planner gets, every infeasible roster with its message and exit status,
// and continuity when an unchanged territory is planned again with the managers it was given.
#include "cli_run.hpp"

#ifdef SYNTH_CITY
#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <vector>

using namespace cli_test;

namespace {

int synth(const std::string& args)
{
    const std::string cmd = std::string("'") + SYNTH_CITY + "' " + args + " >/dev/null 2>&1";
    const int raw = std::system(cmd.c_str());
    return WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
}

/// CSV rows as maps by header name (fields in these files hold no comma or quote).
std::vector<std::map<std::string, std::string>> rows_of(const std::string& path)
{
    std::istringstream in(slurp(path));
    std::vector<std::string> header;
    std::vector<std::map<std::string, std::string>> rows;
    for (std::string line; std::getline(in, line);) {
        std::vector<std::string> f(1);
        for (const char c : line) {
            if (c == ',') f.emplace_back();
            else f.back() += c;
        }
        if (header.empty()) {
            header = f;
            continue;
        }
        std::map<std::string, std::string> row;
        for (std::size_t j = 0; j < header.size() && j < f.size(); ++j) row[header[j]] = f[j];
        rows.push_back(std::move(row));
    }
    return rows;
}

/// A city of two stations and 20,000 customers (grids of about 250), planned into 80 grids.
struct City {
    TempDir d;
    std::string args;
    City()
    {
        REQUIRE(synth("--transformers 1500 --stations 2 --customers-total 20000 --seed 4 --out '" + (d / "city") + "'") == 0);
        const std::string c = d / "city";
        args = "plan -q --transformers '" + c + "/transformers.gpkg' --boundaries '" + c +
               "/boundaries.gpkg' --feeders '" + c + "/feeders.gpkg' --node-field hv_bus --grids 80 ";
    }
};

} // namespace

TEST_CASE("plan with manager slots writes managers.csv, contacts.csv and the manager columns")
{
    City city;
    const auto r = run(city.args + "--manager-capacity 1500 --out '" + (city.d / "out") + "'");
    REQUIRE(r.status == 0);
    CHECK(contains(r.out, "managers:"));
    CHECK(contains(r.out, "adjacent-grid share"));
    CHECK(contains(r.out, "from optimal"));
    const auto managers = rows_of(city.d / "out/managers.csv");
    const auto contacts = rows_of(city.d / "out/contacts.csv");
    const auto assignments = rows_of(city.d / "out/assignments.csv");
    REQUIRE(contacts.size() == 80);
    std::map<std::string, double> load;
    std::set<std::string> slots;
    for (const auto& m : managers) {
        CHECK(m.at("manager_id").find("-M0") != std::string::npos);
        CHECK(std::stod(m.at("load")) <= 1500);
        slots.insert(m.at("manager_id"));
    }
    for (const auto& c : contacts) {
        CHECK(slots.count(c.at("manager_id")) == 1);
        CHECK_FALSE(c.at("communities").empty());
    }
    for (const auto& a : assignments) {
        REQUIRE(slots.count(a.at("manager_id")) == 1);
        load[a.at("manager_id")] += std::stod(a.at("load"));
    }
    for (const auto& [id, l] : load) CHECK(l <= 1500); // recomputed from the transformers
    // Deterministic: the same run again gives the same files.
    REQUIRE(run(city.args + "--manager-capacity 1500 --out '" + (city.d / "again") + "'").status == 0);
    for (const char* f : {"managers.csv", "contacts.csv", "assignments.csv"})
        CHECK(slurp(city.d / (std::string("out/") + f)) == slurp(city.d / (std::string("again/") + f)));
    CHECK(contains(slurp(city.d / "out/report.json"), "\"adjacent_pair_share\""));
    // The report's managers section: per station, and every slot with its figures.
    const auto report = report_of(city.d / "out");
    REQUIRE(report.managers);
    CHECK(report.managers->stations.size() == 2);
    CHECK(report.managers->managers.size() == report.managers->overall.managers);
    CHECK(report.managers->slot_capacity == 1500.0);
}

TEST_CASE("plan with a roster names every grid's manager and phone")
{
    City city;
    std::string roster = "id,name,phone,station_id,capacity,max_grids\n";
    for (int k = 1; k <= 14; ++k)
        roster += "E" + std::to_string(k) + ",经理" + std::to_string(k) + ",1380000" + std::to_string(1000 + k) + "," +
                  (k <= 7 ? "ST0001" : "ST0002") + ",1800,6\n";
    const auto path = city.d.write("roster.csv", roster);
    const auto r = run(city.args + "--managers '" + path + "' --out '" + (city.d / "out") + "'");
    INFO(r.out, r.err);
    REQUIRE(r.status == 0);
    std::map<std::string, int> grids;
    for (const auto& c : rows_of(city.d / "out/contacts.csv")) {
        CHECK(c.at("manager").rfind("经理", 0) == 0);
        CHECK(c.at("phone").rfind("1380000", 0) == 0);
        ++grids[c.at("manager_id")];
    }
    for (const auto& [id, n] : grids) CHECK(n <= 6);
    for (const auto& m : rows_of(city.d / "out/managers.csv")) CHECK(std::stod(m.at("load")) <= 1800);
}

TEST_CASE("infeasible rosters exit 1 with the station, the numbers and the fix, and write nothing")
{
    City city;
    auto attempt = [&](const std::string& roster_lines) {
        const auto path = city.d.write("bad.csv", "id,name,phone,station_id,capacity,max_grids\n" + roster_lines);
        std::error_code ec;
        std::filesystem::remove_all(city.d / "bad-out", ec);
        const auto r = run(city.args + "--managers '" + path + "' --out '" + (city.d / "bad-out") + "'");
        CHECK(r.status == 1);
        CHECK_FALSE(std::filesystem::exists(city.d / "bad-out/assignments.csv"));
        return r.out + r.err;
    };
    auto many = [](const std::string& station, int n, const std::string& cap, const std::string& max_grids = "") {
        std::string s;
        for (int k = 1; k <= n; ++k) s += station + "-" + std::to_string(k) + ",,," + station + "," + cap + "," + max_grids + "\n";
        return s;
    };
    SUBCASE("total capacity below the load")
    {
        const auto text = attempt(many("ST0001", 2, "1000") + many("ST0002", 20, "2000"));
        CHECK(contains(text, "station 'ST0001' can carry 2000 in all"));
        CHECK(contains(text, "add managers or raise capacities by"));
    }
    SUBCASE("a grid heavier than every capacity")
    {
        const auto text = attempt(many("ST0001", 200, "100") + many("ST0002", 20, "2000"));
        CHECK(contains(text, "more than any of its managers can carry (largest capacity 100)"));
        CHECK(contains(text, "re-plan with --max-load 100"));
    }
    SUBCASE("max_grids too small")
    {
        const auto text = attempt(many("ST0001", 5, "5000", "2") + many("ST0002", 20, "2000"));
        CHECK(contains(text, "its 5 managers may hold at most 10 (sum of max_grids)"));
    }
    SUBCASE("a station no grid belongs to")
    {
        const auto text = attempt(many("ST0001", 20, "2000") + many("ST0002", 20, "2000") + "X1,,,ST0099,500,\n");
        CHECK(contains(text, "station 'ST0099', which holds no grid"));
    }
    SUBCASE("a station without managers")
    {
        const auto text = attempt(many("ST0001", 20, "2000"));
        CHECK(contains(text, "station 'ST0002' has"));
        CHECK(contains(text, "but no manager on the roster"));
    }
    SUBCASE("duplicate ids and a bad capacity")
    {
        const auto text = attempt(many("ST0001", 20, "2000") + many("ST0002", 20, "2000") + "ST0001-1,,,ST0001,900,\nQ,,,ST0001,lots,\n");
        CHECK(contains(text, "manager id 'ST0001-1' is also used by feature"));
        CHECK(contains(text, "capacity 'lots' (field 'capacity') is not a number > 0"));
    }
    SUBCASE("slots smaller than a grid")
    {
        std::error_code ec;
        std::filesystem::remove_all(city.d / "bad-out", ec);
        const auto r = run(city.args + "--manager-capacity 50 --out '" + (city.d / "bad-out") + "'");
        CHECK(r.status == 1);
        CHECK(contains(r.err, "more than the manager capacity 50 (raise --manager-capacity to"));
        CHECK_FALSE(std::filesystem::exists(city.d / "bad-out/assignments.csv"));
    }
}

TEST_CASE("re-planning an unchanged territory with the managers it was given keeps every customer's manager")
{
    TempDir d;
    REQUIRE(synth("--transformers 1200 --stations 2 --seed 5 --format csv --out '" + (d / "city") + "'") == 0);
    const std::string c = d / "city";
    // --weight-continuity 0: the grids do not depend on the current managers, so that the
    // second plan has the same grids and continuity is the assignment's alone.
    const std::string rest = " -q --feeders '" + c + "/feeder_edges.csv' --node-field hv_bus --grids 50 "
                             "--weight-continuity 0 --manager-capacity 9000 --out ";
    auto r1 = run("plan --transformers '" + c + "/transformers.csv'" + rest + "'" + (d / "p1") + "'");
    REQUIRE(r1.status == 0);
    std::map<std::string, std::string> given;
    for (const auto& a : rows_of(d / "p1/assignments.csv")) given[a.at("transformer_id")] = a.at("manager_id");
    // The territory again, its manager_id column now holding the managers just assigned.
    std::istringstream in(slurp(c + "/transformers.csv"));
    std::string out, line;
    std::size_t id_col = 0, mgr_col = 0;
    for (bool header = true; std::getline(in, line); header = false) {
        std::vector<std::string> f(1);
        for (const char ch : line) {
            if (ch == ',') f.emplace_back();
            else f.back() += ch;
        }
        if (header) {
            for (std::size_t j = 0; j < f.size(); ++j) {
                if (f[j] == "id") id_col = j;
                if (f[j] == "manager_id") mgr_col = j;
            }
        } else {
            f[mgr_col] = given.at(f[id_col]);
        }
        for (std::size_t j = 0; j < f.size(); ++j) out += (j ? "," : "") + f[j];
        out += "\n";
    }
    std::filesystem::create_directories(d / "again");
    d.write("again/transformers.csv", out);
    std::filesystem::copy_file(c + "/transformers.prj", d / "again/transformers.prj");
    std::filesystem::copy_file(c + "/transformers.csvt", d / "again/transformers.csvt");
    auto r2 = run("plan --transformers '" + (d / "again/transformers.csv") + "'" + rest + "'" + (d / "p2") + "'");
    REQUIRE(r2.status == 0);
    CHECK(contains(r2.out, "continuity     100.00% of customers keep their manager"));
    for (const auto& m : rows_of(d / "p2/managers.csv")) CHECK(m.at("continuity_share") == "1");
    for (const auto& a : rows_of(d / "p2/assignments.csv")) CHECK(a.at("manager_id") == given.at(a.at("transformer_id")));

    // assign on the second plan folder (its transformers carry current_manager) keeps them too.
    auto r3 = run("assign -q --plan '" + (d / "p2") + "' --manager-capacity 9000 --out '" + (d / "p3") + "'");
    INFO(r3.out, r3.err);
    REQUIRE(r3.status == 0);
    CHECK(contains(r3.out, "continuity     100.00% of customers keep their manager"));
    for (const auto& a : rows_of(d / "p3/assignments.csv")) CHECK(a.at("manager_id") == given.at(a.at("transformer_id")));
}

TEST_CASE("assign writes a complete new plan folder and never into the plan folder")
{
    City city;
    REQUIRE(run(city.args + "--out '" + (city.d / "plan") + "'").status == 0);
    const std::string before = slurp(city.d / "plan/assignments.csv");
    const auto same = run("assign -q --plan '" + (city.d / "plan") + "' --manager-capacity 1500 --out '" +
                          (city.d / "plan") + "'");
    CHECK(same.status == 3);
    CHECK(contains(same.err, "refusing to write into the plan folder"));
    const auto r = run("assign -q --plan '" + (city.d / "plan") + "' --manager-capacity 1500 --formats gpkg,shp --out '" +
                       (city.d / "assigned") + "' --boundaries '" + (city.d / "city/boundaries.gpkg") + "'");
    INFO(r.out, r.err);
    REQUIRE(r.status == 0);
    CHECK(slurp(city.d / "plan/assignments.csv") == before);
    for (const char* f : {"grids.gpkg", "grids.shp", "assignments.csv", "managers.csv", "contacts.csv", "report.json",
                          "rejected.csv"})
        CHECK(std::filesystem::exists(city.d / (std::string("assigned/") + f)));
    CHECK(contains(slurp(city.d / "assigned/grids.dbf"), "mgr_name"));
    const auto assigned = rows_of(city.d / "assigned/assignments.csv");
    REQUIRE_FALSE(assigned.empty());
    for (const auto& a : assigned) CHECK_FALSE(a.at("manager_id").empty());
    for (const auto& c : rows_of(city.d / "assigned/contacts.csv")) CHECK_FALSE(c.at("communities").empty());
    const auto missing = run("assign -q --plan '" + (city.d / "nowhere") + "' --manager-capacity 1500 --out '" +
                             (city.d / "x") + "'");
    CHECK(missing.status == 1);
    CHECK(contains(missing.err, "is not a usable plan folder"));
    const auto no_roster = run("assign -q --plan '" + (city.d / "plan") + "' --out '" + (city.d / "x") + "'");
    CHECK(no_roster.status == 2);
    CHECK(contains(no_roster.err, "give the roster with --managers FILE"));
}

TEST_CASE("managers stay put: assign keeps the managers in force, and a roster change moves only what it must")
{
    City city;
    // A roster of named managers, made from the slots one plan needs.
    REQUIRE(run(city.args + "--manager-capacity 1500 --out '" + (city.d / "slots") + "'").status == 0);
    std::string roster = "id,name,phone,station_id,capacity\n";
    std::string first_id;
    for (const auto& m : rows_of(city.d / "slots/managers.csv")) {
        if (first_id.empty()) first_id = m.at("manager_id");
        roster += m.at("manager_id") + ",Name " + m.at("manager_id") + ",555," + m.at("station_id") + ",1500\n";
    }
    city.d.write("roster.csv", roster);
    const std::string with_roster = " --managers '" + (city.d / "roster.csv") + "'";
    auto managers_of = [](const std::string& contacts) {
        std::map<std::string, std::string> by_grid;
        for (const auto& c : rows_of(contacts)) by_grid[c.at("grid_id")] = c.at("manager_id");
        return by_grid;
    };

    REQUIRE(run(city.args + with_roster + " --out '" + (city.d / "p1") + "'").status == 0);
    const auto planned = managers_of(city.d / "p1/contacts.csv");
    REQUIRE(planned.size() == 80);

    // assign on a plan without managers gives what plan --managers gives.
    REQUIRE(run(city.args + "--out '" + (city.d / "p0") + "'").status == 0);
    auto r0 = run("assign -q --plan '" + (city.d / "p0") + "'" + with_roster + " --out '" + (city.d / "a0") + "'");
    INFO(r0.out, r0.err);
    REQUIRE(r0.status == 0);
    CHECK(managers_of(city.d / "a0/contacts.csv") == planned);

    // The same roster again: not one grid changes, and the summary says so.
    auto r1 = run("assign -q --plan '" + (city.d / "p1") + "'" + with_roster + " --boundaries '" +
                  (city.d / "city/boundaries.gpkg") + "' --out '" + (city.d / "a1") + "'");
    INFO(r1.out, r1.err);
    REQUIRE(r1.status == 0);
    CHECK(slurp(city.d / "a1/contacts.csv") == slurp(city.d / "p1/contacts.csv"));
    CHECK(contains(r1.out, "80 of 80 grids keep their manager; 0 change"));

    // One manager replaced: only that manager's grids change, all to reason manager_left.
    std::string replaced = roster;
    replaced.replace(replaced.find(first_id + ",Name " + first_id), first_id.size() * 2 + 6, "NEW-1,Name New");
    city.d.write("roster2.csv", replaced);
    auto r2 = run("assign -q --plan '" + (city.d / "p1") + "' --managers '" + (city.d / "roster2.csv") + "' --out '" +
                  (city.d / "a2") + "'");
    INFO(r2.out, r2.err);
    REQUIRE(r2.status == 0);
    std::size_t held = 0, changed = 0;
    for (const auto& [grid, manager] : managers_of(city.d / "a2/contacts.csv")) {
        const bool was_first = planned.at(grid) == first_id;
        held += was_first;
        if (manager == planned.at(grid)) continue;
        ++changed;
        CHECK(was_first);
        CHECK(manager == "NEW-1");
    }
    REQUIRE(held > 0);
    CHECK(changed == held);
    CHECK(contains(r2.out, std::to_string(held) + " change: " + std::to_string(held) +
                              " because their manager left the roster, 0 for capacity"));
    CHECK(contains(slurp(city.d / "a2/report.json"), "\"reason\": \"manager_left\""));

    // --fresh ignores the managers in force (and on this unchanged roster finds the same).
    auto r3 = run("assign -q --fresh --plan '" + (city.d / "p1") + "'" + with_roster + " --out '" + (city.d / "a3") + "'");
    REQUIRE(r3.status == 0);
    CHECK_FALSE(contains(r3.out, "keep their manager;"));
    CHECK(managers_of(city.d / "a3/contacts.csv") == planned);
}

TEST_CASE("a roster that cannot carry the plan: managers_infeasible, exit 1, and --allow-infeasible says who is over")
{
    City city;
    REQUIRE(run(city.args + "--manager-capacity 1500 --out '" + (city.d / "slots") + "'").status == 0);
    std::string roster = "id,station_id,capacity\n";
    for (const auto& m : rows_of(city.d / "slots/managers.csv"))
        roster += m.at("manager_id") + "," + m.at("station_id") + ",400\n";
    city.d.write("roster.csv", roster);
    const std::string args = "assign -q --plan '" + (city.d / "slots") + "' --managers '" + (city.d / "roster.csv") + "'";
    auto r = run(args + " --out '" + (city.d / "a") + "'");
    CHECK(r.status == 1);
    CHECK(contains(r.out, "error [managers_infeasible]"));
    CHECK_FALSE(std::filesystem::exists(city.d / "a/contacts.csv"));
    auto relaxed = run(args + " --allow-infeasible --out '" + (city.d / "b") + "'");
    INFO(relaxed.out, relaxed.err);
    REQUIRE(relaxed.status == 0);
    CHECK(contains(relaxed.out, "OVER CAPACITY"));
    CHECK(contains(relaxed.out, "of capacity 400, over by"));
    // The managers in force all keep their grids: capacities were raised, nobody moved.
    CHECK(contains(relaxed.out, "80 of 80 grids keep their manager"));
    const auto managers = report_of(city.d / "b").managers;
    REQUIRE(managers);
    CHECK(std::any_of(managers->managers.begin(), managers->managers.end(),
                      [](const libgrid::ReportManager& m) { return m.over_capacity > 0; }));
    CHECK(contains(slurp(city.d / "b/report.json"), "\"over_capacity\": [\n      {\n        \"manager_id\""));
}
#endif

TEST_CASE("plan --roads measures the managers' travel along the roads")
{
    // The synthetic city's 10 kV lines run along its streets: use them as the road network.
    City city;
    const std::string roads = "--roads '" + (city.d / "city/feeders.gpkg") + "' ";
    const auto straight = run(city.args + "--manager-capacity 1500 --out '" + (city.d / "straight") + "'");
    const auto by_road = run(city.args + roads + "--manager-capacity 1500 --out '" + (city.d / "road") + "'");
    REQUIRE(straight.status == 0);
    REQUIRE(by_road.status == 0);
    CHECK(contains(straight.out, "(base to grid centre, straight line)"));
    CHECK(contains(by_road.out, "(base to grid centre, along the roads"));
    CHECK(contains(slurp(city.d / "road/report.json"), "\"travel\": \"road\""));
    // Roads are never shorter than the straight line: the total travel grows.
    double km_straight = 0, km_road = 0;
    for (const auto& m : rows_of(city.d / "straight/managers.csv")) km_straight += std::stod(m.at("travel_km"));
    for (const auto& m : rows_of(city.d / "road/managers.csv")) km_road += std::stod(m.at("travel_km"));
    CHECK(km_road > km_straight);
}
