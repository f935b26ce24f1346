#include "managers.hpp"

#include "common.hpp"

#include <libgrid/error.hpp>
#include <libgrid/verify.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <unordered_map>

namespace gp {

void add_manager_flags(CLI::App& app, ManagerFlags& f)
{
    const char* g = "Managers";
    auto* roster = app.add_option("--managers", f.managers,
                                  "Roster of grid managers (any OGR table or point layer, FILE or FILE:LAYER): id, "
                                  "name, phone, station_id, capacity, optional max_grids and base point or x/y")
                       ->group(g);
    auto* slots = app.add_option("--manager-capacity", f.capacity,
                                 "No roster: numbered manager slots of this capacity (load), as many per station "
                                 "as its grids need")
                      ->check(CLI::PositiveNumber)
                      ->group(g);
    roster->excludes(slots);
    auto& fm = f.fields;
    app.add_option("--manager-id-field", fm.id, "Roster: manager id field")->capture_default_str()->group(g);
    app.add_option("--manager-name-field", fm.name, "Roster: name field")->capture_default_str()->group(g);
    app.add_option("--manager-phone-field", fm.phone, "Roster: phone field")->capture_default_str()->group(g);
    app.add_option("--manager-station-field", fm.station, "Roster: station id field")->capture_default_str()->group(g);
    app.add_option("--manager-capacity-field", fm.capacity, "Roster: capacity (max load) field")
        ->capture_default_str()
        ->group(g);
    app.add_option("--manager-max-grids-field", fm.max_grids, "Roster: max grids field (optional)")
        ->capture_default_str()
        ->group(g);
    app.add_option("--manager-x-field", fm.base_x, "Roster: base x / longitude column (when no point geometry)")
        ->capture_default_str()
        ->group(g);
    app.add_option("--manager-y-field", fm.base_y, "Roster: base y / latitude column")->capture_default_str()->group(g);
    app.add_option("--managers-crs", f.crs,
                   "CRS of the roster's base coordinates when it has none (default: lon/lat when they look like it)")
        ->group(g);
    app.add_flag("--fresh", f.fresh,
                 "Assign every grid afresh, ignoring the managers in force (by default a grid keeps the manager "
                 "the plan folder, or most of its customers' current manager field, names, unless that manager "
                 "left the roster or capacities force a move)")
        ->group(g);
    app.add_option("--continuity-km", f.options.continuity_km,
                   "Price (km of travel) of a grid whose customers all change manager")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber)
        ->group(g);
    app.add_option("--adjacency-km", f.options.adjacency_km,
                   "Price (km) of each group of a manager's grids beyond the first")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber)
        ->group(g);
}

std::optional<libgrid::Assignment> run_assignment(const ManagerFlags& f, const libgrid::Territory& territory,
                                                  const libgrid::CsrGraph& graph, const libgrid::Plan& plan,
                                                  const std::string& encoding, const libgrid::ProgressFn& progress,
                                                  std::size_t max_issues, int& exit_code)
{
    std::vector<libgrid::Manager> roster;
    if (!f.managers.empty()) {
        libgrid::ManagerReadOptions ro;
        ro.source = parse_source(f.managers);
        ro.fields = f.fields;
        ro.assume_crs = f.crs;
        ro.encoding = encoding;
        ro.work_crs_wkt = territory.work_crs_wkt;
        auto [read, report] = libgrid::read_managers(ro);
        report.merge(libgrid::check_roster(territory, plan, read, f.options.allow_infeasible));
        if (!report.ok()) {
            std::fflush(stdout);
            fmt::print("managers: the roster '{}' cannot hold this plan ({} errors); nothing was written\n", f.managers,
                       report.count(libgrid::Severity::error));
            print_issues(report, max_issues);
            exit_code = exit_data_errors;
            return std::nullopt;
        }
        roster = std::move(read);
    } else {
        roster = libgrid::make_manager_slots(plan, f.capacity);
    }
    auto opt = f.options;
    opt.progress = progress;
    // The assignment in force: the plan folder's managers (set by the caller), else the
    // transformers' current managers, grid by grid; none with --fresh.
    const auto named = [](const std::vector<std::string>& ids) {
        return std::any_of(ids.begin(), ids.end(), [](const std::string& id) { return !id.empty(); });
    };
    if (f.fresh) opt.in_force.clear();
    else if (!named(opt.in_force)) opt.in_force = libgrid::managers_in_force(territory, plan);
    if (!named(opt.in_force)) opt.in_force.clear();
    auto a = libgrid::assign_managers(territory, graph, plan, roster, opt);
    const auto verdict = libgrid::verify_assignment(territory, plan, a.managers, a.grid_manager, a.over_capacity);
    if (!verdict.ok()) {
        std::fflush(stdout);
        fmt::print(stderr, "grid-partition: internal error: the manager assignment failed independent verification; "
                           "nothing was written; please report this\n");
        for (const auto& p : verdict.problems) fmt::print(stderr, "  - {}\n", p);
        exit_code = exit_bug;
        return std::nullopt;
    }
    exit_code = exit_ok;
    return a;
}

void add_manager_fields(libgrid::FeatureTable& grids, const libgrid::Plan& plan, const libgrid::Assignment& a)
{
    std::unordered_map<std::string, std::size_t> by_id;
    for (std::size_t g = 0; g < plan.num_grids(); ++g) by_id.emplace(plan.grid_id[g], g);
    // The columns are reused when the table has them (a plan assigned before), else added.
    auto column = [&](const char* name, const char* shp) {
        for (std::size_t j = 0; j < grids.fields.size(); ++j)
            if (grids.fields[j].name == name || grids.fields[j].name == shp) return j;
        grids.fields.push_back({name, libgrid::FieldType::text});
        return grids.fields.size() - 1;
    };
    const std::size_t c_id = column("manager_id", "manager_id"), c_name = column("manager_name", "mgr_name"),
                      c_phone = column("manager_phone", "mgr_phone");
    auto text = [](const std::string& v) { return v.empty() ? libgrid::FieldValue{} : libgrid::FieldValue{v}; };
    for (auto& row : grids.rows) {
        row.resize(grids.fields.size());
        const auto* id = std::get_if<std::string>(&row[0]);
        auto it = id ? by_id.find(*id) : by_id.end();
        if (it == by_id.end()) continue;
        const auto& m = a.managers[a.grid_manager[it->second]];
        row[c_id] = m.id;
        row[c_name] = text(m.name);
        row[c_phone] = text(m.phone);
    }
}

std::string add_manager_columns(const std::string& csv, const libgrid::Plan& plan, const libgrid::Assignment& a)
{
    std::unordered_map<std::string, std::size_t> by_id;
    for (std::size_t g = 0; g < plan.num_grids(); ++g) by_id.emplace(plan.grid_id[g], g);
    std::string out;
    std::size_t grid_col = std::string::npos, keep = std::string::npos, pos = 0;
    std::vector<std::string> f;
    bool header = true;
    auto join = [](const std::vector<std::string>& fields, std::size_t n) {
        std::string line;
        for (std::size_t j = 0; j < n && j < fields.size(); ++j) line += (j ? "," : "") + csv_field(fields[j]);
        return line;
    };
    while (pos < csv.size()) {
        auto end = csv.find('\n', pos);
        if (end == std::string::npos) end = csv.size();
        std::string line = csv.substr(pos, end - pos);
        pos = end + 1;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty()) continue;
        const bool parsed = split_csv_line(line, f);
        if (header) {
            // Manager columns of an earlier assignment are replaced (they are always the last three).
            keep = f.size();
            if (f.size() >= 3 && f[f.size() - 3] == "manager_id") keep = f.size() - 3;
            for (std::size_t j = 0; j < keep; ++j)
                if (f[j] == "grid_id") grid_col = j;
            out += join(f, keep) + ",manager_id,manager_name,manager_phone\n";
            header = false;
            continue;
        }
        std::string extra = ",,,";
        if (parsed && grid_col < f.size()) {
            auto it = by_id.find(f[grid_col]);
            if (it != by_id.end()) {
                const auto& m = a.managers[a.grid_manager[it->second]];
                extra = fmt::format(",{},{},{}", csv_field(m.id), csv_field(m.name), csv_field(m.phone));
            }
        }
        out += (parsed ? join(f, keep) : line) + extra + "\n";
    }
    return out;
}

namespace {

std::string share_text(double share) { return share < 0 ? std::string() : number_text(std::round(share * 1e6) / 1e6); }

std::string share_json(double share) { return share < 0 ? std::string("null") : json_number(share); }

std::string percent_text(double share)
{
    return share < 0 ? std::string("n/a") : fmt::format("{:.2f}%", share * 100.0);
}

} // namespace

std::string managers_csv(const libgrid::Assignment& a)
{
    std::string out = "manager_id,name,phone,station_id,grids,customers,load,capacity,travel_km,continuity_share\n";
    for (std::size_t k = 0; k < a.managers.size(); ++k) {
        const auto& m = a.managers[k];
        const auto& f = a.figures[k];
        out += fmt::format("{},{},{},{},{},{},{},{},{},{}\n", csv_field(m.id), csv_field(m.name), csv_field(m.phone),
                           csv_field(m.station_id), f.grids, number_text(f.customers), number_text(f.load),
                           number_text(m.capacity), number_text(std::round(f.travel_km * 1000) / 1000),
                           f.known_customers > 0 ? share_text(f.kept_customers / f.known_customers) : std::string());
    }
    return out;
}

std::string contacts_csv(const libgrid::Territory& t, const libgrid::Plan& plan, const libgrid::Assignment& a)
{
    // Communities: the level whose name says so, else the second finest, else the finest.
    std::size_t level = libgrid::npos;
    for (std::size_t l = 0; l < t.levels.size(); ++l) {
        std::string n = t.levels[l].name;
        std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return char(std::tolower(c)); });
        if (n.find("communit") != std::string::npos) level = l;
    }
    if (level == libgrid::npos && !t.levels.empty()) level = t.levels.size() >= 2 ? t.levels.size() - 2 : 0;
    std::vector<std::set<std::size_t>> units(plan.num_grids());
    if (level != libgrid::npos && t.transformer_unit.size() == t.transformers.size()) {
        for (std::size_t i = 0; i < t.transformers.size(); ++i) {
            std::size_t u = t.transformer_unit[i];
            for (std::size_t l = t.levels.size() - 1; l > level && u != libgrid::npos; --l) u = t.levels[l].units[u].parent;
            if (u != libgrid::npos) units[plan.grid_of[i]].insert(u);
        }
    }
    std::string out = "grid_id,station_id,manager_id,manager,phone,communities\n";
    for (std::size_t g = 0; g < plan.num_grids(); ++g) { // the plan's order is reading order
        const auto& m = a.managers[a.grid_manager[g]];
        std::string names;
        for (const std::size_t u : units[g]) {
            const auto& unit = t.levels[level].units[u];
            names += (names.empty() ? "" : "; ") + (unit.name.empty() ? unit.id : unit.name);
        }
        out += fmt::format("{},{},{},{},{},{}\n", csv_field(plan.grid_id[g]),
                           csv_field(plan.stations[plan.grid_station[g]].station_id), csv_field(m.id),
                           csv_field(m.name.empty() ? m.id : m.name), csv_field(m.phone), csv_field(names));
    }
    return out;
}

namespace {

std::string summary_json(const libgrid::AssignSummary& s, const std::string& pad)
{
    return fmt::format(
        "{p}\"grids\": {},\n{p}\"managers\": {},\n{p}\"managers_used\": {},\n{p}\"load\": {},\n{p}\"capacity\": {},\n"
        "{p}\"capacity_use\": {},\n{p}\"max_capacity_use\": {},\n{p}\"travel_km\": {},\n{p}\"continuity\": {},\n"
        "{p}\"adjacent_pair_share\": {},\n{p}\"one_group_share\": {},\n{p}\"objective\": {},\n"
        "{p}\"lower_bound\": {},\n{p}\"gap\": {},\n{p}\"exact\": {},\n{p}\"kept\": {},\n{p}\"moved\": {},\n"
        "{p}\"moved_manager_left\": {},\n{p}\"moved_for_capacity\": {},\n{p}\"capacity_raised\": {}",
        s.grids, s.managers, s.managers_used, json_number(s.load), json_number(s.capacity),
        json_number(s.capacity > 0 ? s.load / s.capacity : 0.0), json_number(s.max_capacity_use),
        json_number(s.travel_km), share_json(s.continuity), share_json(s.adjacent_pair_share),
        share_json(s.one_group_share), json_number(s.objective), json_number(s.lower_bound), json_number(s.gap),
        s.exact, s.kept, s.moved, s.manager_left, s.capacity_moves, s.capacity_raised, fmt::arg("p", pad));
}

} // namespace

std::string add_managers_json(const std::string& report, const libgrid::Plan& plan, const libgrid::Assignment& a,
                              const ManagerFlags& flags)
{
    std::string stations;
    for (std::size_t s = 0; s < plan.stations.size(); ++s)
        stations += fmt::format("{}\n      {{\n        \"station_id\": {},\n{}\n      }}", s ? "," : "",
                                json_string(plan.stations[s].station_id), summary_json(a.stations[s], "        "));
    // What changed against the managers in force, grid by grid, and who is over capacity.
    std::string changes, over;
    for (std::size_t g = 0; g < plan.num_grids(); ++g) {
        const auto change = a.grid_change[g];
        if (change == libgrid::ManagerChange::fresh || change == libgrid::ManagerChange::kept) continue;
        changes += fmt::format("{}\n      {{\"grid_id\": {}, \"from\": {}, \"to\": {}, \"reason\": {}}}",
                               changes.empty() ? "" : ",", json_string(plan.grid_id[g]),
                               json_string(a.grid_manager_before[g]),
                               json_string(a.managers[a.grid_manager[g]].id),
                               json_string(libgrid::change_name(change)));
    }
    for (std::size_t k = 0; k < a.managers.size(); ++k)
        if (a.over_capacity[k] > 0)
            over += fmt::format("{}\n      {{\"manager_id\": {}, \"load\": {}, \"capacity\": {}, \"over\": {}}}",
                                over.empty() ? "" : ",", json_string(a.managers[k].id), json_number(a.figures[k].load),
                                json_number(a.managers[k].capacity), json_number(a.over_capacity[k]));
    const std::string section = fmt::format(
        "  \"managers\": {{\n    \"roster\": {},\n    \"slot_capacity\": {},\n"
        "    \"options\": {{\"continuity_km\": {}, \"adjacency_km\": {}, \"move_km\": {}, \"in_force\": {}, "
        "\"allow_infeasible\": {}}},\n    \"travel\": {},\n"
        "    \"straight_fallbacks\": {},\n    \"overall\": {{\n{}\n    }},\n"
        "    \"stations\": [{}\n    ],\n    \"changes\": [{}\n    ],\n    \"over_capacity\": [{}\n    ]\n  }}\n}}\n",
        flags.managers.empty() ? std::string("null") : json_string(flags.managers),
        flags.managers.empty() ? json_number(flags.capacity) : std::string("null"),
        json_number(flags.options.continuity_km), json_number(flags.options.adjacency_km),
        json_number(flags.options.move_km), a.overall.kept + a.overall.moved > 0, flags.options.allow_infeasible,
        json_string(a.travel_by_road ? "road" : "straight line"), a.straight_fallbacks,
        summary_json(a.overall, "      "), stations, changes, over);
    // A managers section of an earlier assignment is replaced (it is always the last one).
    const auto earlier = report.find("\n  \"managers\": {");
    const auto close = earlier != std::string::npos ? earlier : report.rfind('}');
    if (close == std::string::npos) return report;
    std::string head = report.substr(0, close);
    while (!head.empty() && (head.back() == ',' || head.back() == '\n' || head.back() == ' ')) head.pop_back();
    return head + (!head.empty() && head.back() == '{' ? "\n" : ",\n") + section;
}

void print_managers_summary(const libgrid::Plan& plan, const libgrid::Assignment& a)
{
    const auto& o = a.overall;
    fmt::print("managers:\n");
    fmt::print("  assigned       {} grids to {} managers ({} on the roster); load {} of capacity {} ({}), "
               "max use {}\n",
               o.grids, o.managers_used, o.managers, with_commas(o.load), with_commas(o.capacity),
               percent_text(o.capacity > 0 ? o.load / o.capacity : 0.0), percent_text(o.max_capacity_use));
    fmt::print("  adjacency      adjacent-grid share {} of a manager's grid pairs; one connected group for {} of "
               "managers holding 2+ grids\n",
               percent_text(o.adjacent_pair_share), percent_text(o.one_group_share));
    fmt::print("  travel         {:.1f} km in all, {:.2f} km per grid (base to grid centre, {})\n", o.travel_km,
               o.grids ? o.travel_km / double(o.grids) : 0.0,
               !a.travel_by_road ? std::string("straight line")
               : a.straight_fallbacks == 0
                   ? std::string("along the roads")
                   : fmt::format("along the roads; {} manager-grid pairs no road joins priced in a straight line",
                                 a.straight_fallbacks));
    fmt::print("  continuity     {}\n", o.continuity < 0 ? std::string("n/a (no current manager field)")
                                                           : percent_text(o.continuity) + " of customers keep their manager");
    std::size_t exact = 0, used = 0;
    for (const auto& s : a.stations)
        if (s.grids) {
            ++used;
            if (s.exact) ++exact;
        }
    fmt::print("  optimality     objective {:.2f}, lower bound {:.2f}: at most {} from optimal ({} of {} stations "
               "solved exactly)\n",
               o.objective, o.lower_bound, percent_text(o.gap), exact, used);
    if (o.kept + o.moved > 0)
        fmt::print("  in force       {} of {} grids keep their manager; {} change: {} because their manager left the "
                   "roster, {} for capacity, {} for cost (listed in report.json managers.changes)\n",
                   o.kept, o.kept + o.moved, o.moved, o.manager_left, o.capacity_moves,
                   o.moved - o.manager_left - o.capacity_moves);
    if (o.capacity_raised) {
        fmt::print("  OVER CAPACITY  --allow-infeasible: the roster cannot carry the plan; managers over capacity:\n");
        for (std::size_t k = 0; k < a.managers.size(); ++k)
            if (a.over_capacity[k] > 0)
                fmt::print("                 {} ({}): load {} of capacity {}, over by {} ({})\n", a.managers[k].id,
                           a.managers[k].station_id, with_commas(a.figures[k].load), with_commas(a.managers[k].capacity),
                           with_commas(a.over_capacity[k]), percent_text(a.over_capacity[k] / a.managers[k].capacity));
    }
    (void)plan;
}

} // namespace gp
