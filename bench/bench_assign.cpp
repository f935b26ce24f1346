// Manager assignment benchmark: the synthetic prefecture (synth-city --transformers 30000
// --stations 9 --customers-total 350000, K = 2070 grids) with a roster of 386 managers spread
// over the stations by load (capacity = station load / managers x (1 + headroom), bases at the
// centres of grids spread through each station). Prints the time of assign_managers (median of
// --runs), the independent verification, and every figure of the assignment; then the same
// territory with each transformer's current manager set to the assigned one, re-assigned
// (continuity must come out at 100%). --roster-out writes the roster as a GeoPackage point layer
// for `grid-partition plan --managers`.
#include "bench_util.hpp"
#include "synth_territory.hpp"

#include <libgrid/assign.hpp>
#include <libgrid/graph.hpp>
#include <libgrid/io.hpp>
#include <libgrid/partition.hpp>
#include <libgrid/service_areas.hpp>
#include <libgrid/validate.hpp>
#include <libgrid/verify.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <numeric>

#include <unistd.h>

namespace fs = std::filesystem;
using clock_type = std::chrono::steady_clock;

namespace {

double seconds_since(clock_type::time_point t0)
{
    return std::chrono::duration<double>(clock_type::now() - t0).count();
}

std::string pct(double share) { return share < 0 ? std::string("n/a") : fmt::format("{:.2f}%", share * 100.0); }

/// A roster of `total` managers: per station by largest remainder of its load share.
std::vector<libgrid::Manager> make_roster(const libgrid::Territory& t, const libgrid::Plan& plan, std::size_t total,
                                          double headroom)
{
    const std::size_t S = plan.stations.size();
    double load = 0;
    for (const auto& s : plan.stations) load += s.load;
    std::vector<std::size_t> n(S);
    std::vector<std::pair<double, std::size_t>> rest;
    std::size_t given = 0;
    for (std::size_t s = 0; s < S; ++s) {
        const double exact = double(total) * plan.stations[s].load / load;
        n[s] = std::max<std::size_t>(1, static_cast<std::size_t>(std::floor(exact)));
        given += n[s];
        rest.emplace_back(-(exact - std::floor(exact)), s);
    }
    std::sort(rest.begin(), rest.end());
    for (std::size_t k = 0; given < total && k < rest.size(); ++k, ++given) ++n[rest[k].second];
    // Grid centres (load-weighted) for the bases.
    std::vector<double> wx(plan.num_grids()), wy(plan.num_grids()), w(plan.num_grids());
    for (std::size_t i = 0; i < t.transformers.size(); ++i) {
        const auto g = plan.grid_of[i];
        wx[g] += plan.load[i] * t.transformers[i].location.x;
        wy[g] += plan.load[i] * t.transformers[i].location.y;
        w[g] += plan.load[i];
    }
    std::vector<libgrid::Manager> roster;
    for (std::size_t s = 0; s < S; ++s) {
        std::vector<std::size_t> grids;
        double heaviest = 0;
        for (std::size_t g = 0; g < plan.num_grids(); ++g)
            if (plan.grid_station[g] == s) {
                grids.push_back(g);
                heaviest = std::max(heaviest, plan.grid_load[g]);
            }
        const double cap = std::max(heaviest, std::ceil(plan.stations[s].load / double(n[s]) * (1 + headroom)));
        for (std::size_t k = 0; k < n[s]; ++k) {
            libgrid::Manager m;
            m.id = fmt::format("{}-E{:03}", plan.stations[s].station_id, k + 1);
            m.name = fmt::format("经理{:03}", roster.size() + 1);
            m.phone = fmt::format("1380000{:04}", roster.size() + 1);
            m.station_id = plan.stations[s].station_id;
            m.capacity = cap;
            const std::size_t g = grids[std::min(grids.size() - 1, (2 * k + 1) * grids.size() / (2 * n[s]))];
            if (w[g] > 0) {
                m.base = {wx[g] / w[g], wy[g] / w[g]};
                m.has_base = true;
            }
            roster.push_back(std::move(m));
        }
    }
    return roster;
}

void print_assignment(const libgrid::Plan& plan, const libgrid::Assignment& a)
{
    fmt::print("{:<10} {:>6} {:>8} {:>9} {:>9} {:>9} {:>9} {:>10} {:>9} {:>8} {:>6}\n", "station", "grids",
               "managers", "cap use", "max use", "adj pairs", "one group", "travel km", "contin.", "gap", "exact");
    auto row = [&](const std::string& name, const libgrid::AssignSummary& s) {
        fmt::print("{:<10} {:>6} {:>8} {:>9} {:>9} {:>9} {:>9} {:>10.1f} {:>9} {:>8} {:>6}\n", name, s.grids,
                   s.managers, pct(s.capacity > 0 ? s.load / s.capacity : 0), pct(s.max_capacity_use),
                   pct(s.adjacent_pair_share), pct(s.one_group_share), s.travel_km, pct(s.continuity),
                   fmt::format("{:.3f}%", s.gap * 100), s.exact ? "yes" : "no");
    };
    for (std::size_t s = 0; s < plan.stations.size(); ++s) row(plan.stations[s].station_id, a.stations[s]);
    row("overall", a.overall);
    std::size_t over = 0, unassigned = 0;
    std::vector<double> load(a.managers.size(), 0.0);
    for (std::size_t g = 0; g < plan.num_grids(); ++g) {
        if (a.grid_manager[g] >= a.managers.size()) ++unassigned;
        else load[a.grid_manager[g]] += plan.grid_load[g];
    }
    for (std::size_t k = 0; k < a.managers.size(); ++k)
        if (load[k] > a.managers[k].capacity) ++over;
    fmt::print("grids without a manager: {}; managers over capacity: {}; objective {:.2f}, lower bound {:.2f}\n",
               unassigned, over, a.overall.objective, a.overall.lower_bound);
}

} // namespace

int main(int argc, char** argv)
{
    CLI::App app{"bench-assign: manager assignment on the synthetic prefecture"};
    std::size_t transformers = 30000, stations = 9, grids = 2070, managers = 386;
    long customers = 350000;
    int runs = 3;
    double headroom = 0.10;
    std::uint64_t seed = 1;
    std::string cache, roster_out;
    app.add_option("--transformers", transformers)->capture_default_str();
    app.add_option("--stations", stations)->capture_default_str();
    app.add_option("--customers-total", customers)->capture_default_str();
    app.add_option("--grids", grids)->capture_default_str();
    app.add_option("--managers", managers, "Roster size")->capture_default_str();
    app.add_option("--headroom", headroom, "Capacity above the station's mean load per manager")->capture_default_str();
    app.add_option("--runs", runs, "Timed runs (median)")->capture_default_str();
    app.add_option("--seed", seed)->capture_default_str();
    app.add_option("--cache", cache, "Keep the generated territory in this folder");
    app.add_option("--roster-out", roster_out, "Write the roster as a GeoPackage (layer 'managers')");
    CLI11_PARSE(app, argc, argv);

    fs::path dir = cache.empty() ? fs::temp_directory_path() / fmt::format("bench-assign-{}", ::getpid()) : fs::path(cache);
    auto synth = bench::synth_territory(dir, transformers, stations, customers, seed);
    auto& territory = synth.territory;
    const auto& graph = synth.graph;
    libgrid::PartitionOptions po;
    po.grids = grids;
    po.seed = seed;
    const auto t0 = clock_type::now();
    const auto plan = libgrid::partition(territory, graph, po);
    fmt::print("territory: {} transformers, {} customers, {} stations; {} grids planned in {:.2f} s\n",
               territory.transformers.size(), territory.total_customers(), plan.stations.size(), plan.num_grids(),
               seconds_since(t0));

    const auto roster = make_roster(territory, plan, managers, headroom);
    fmt::print("roster: {} managers (capacity = station load / managers x {:.2f}; bases at spread grid centres)\n",
               roster.size(), 1 + headroom);
    if (!roster_out.empty()) {
        libgrid::FeatureTable t{"managers", libgrid::GeometryKind::point,
                                {{"id", libgrid::FieldType::text},
                                 {"name", libgrid::FieldType::text},
                                 {"phone", libgrid::FieldType::text},
                                 {"station_id", libgrid::FieldType::text},
                                 {"capacity", libgrid::FieldType::real}},
                                {}, {}, {}, {}};
        for (const auto& m : roster) {
            t.rows.push_back({m.id, m.name, m.phone, m.station_id, m.capacity});
            t.points.push_back(m.base);
        }
        const fs::path out(roster_out);
        for (const auto& p : libgrid::write_tables(out.parent_path().empty() ? "." : out.parent_path().string(),
                                                   out.stem().string(), libgrid::Format::gpkg, {t},
                                                   territory.work_crs_wkt, territory.output_crs_wkt))
            fmt::print("roster written: {}\n", p);
    }

    libgrid::Assignment a;
    std::vector<double> times;
    for (int r = 0; r < runs; ++r) {
        const auto t1 = clock_type::now();
        a = libgrid::assign_managers(territory, graph.graph, plan, roster);
        times.push_back(seconds_since(t1));
    }
    const auto verdict = libgrid::verify_assignment(territory, plan, a.managers, a.grid_manager);
    fmt::print("\nassign_managers: {:.3f} s (median of {} runs); verify_assignment: {}\n", bench::median(times), runs,
               verdict.ok() ? "passed" : "FAILED: " + verdict.problems.front());
    print_assignment(plan, a);

    // Re-plan an unchanged territory whose transformers carry the assigned managers.
    auto again = territory;
    for (std::size_t i = 0; i < again.transformers.size(); ++i)
        again.transformers[i].current_manager = a.managers[a.grid_manager[plan.grid_of[i]]].id;
    const auto t2 = clock_type::now();
    const auto b = libgrid::assign_managers(again, graph.graph, plan, roster);
    fmt::print("\nre-assigned with current managers = the assignment above ({:.3f} s): continuity {}, {} grids "
               "changed manager\n",
               seconds_since(t2), pct(b.overall.continuity), [&] {
                   std::size_t n = 0;
                   for (std::size_t g = 0; g < plan.num_grids(); ++g) n += a.grid_manager[g] != b.grid_manager[g];
                   return n;
               }());
    if (cache.empty()) fs::remove_all(dir);
    return verdict.ok() ? 0 : 1;
}
