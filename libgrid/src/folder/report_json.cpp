// report.json: the one text form of PlanReport (see libgrid/plan_folder.hpp). nlohmann::json
// builds and parses it, so no JSON is escaped or parsed by hand anywhere in libgrid.
#include <libgrid/error.hpp>
#include <libgrid/plan_folder.hpp>

#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include <cmath>
#include <limits>

namespace libgrid {
namespace {

using Json = nlohmann::ordered_json;

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

/// A share that is -1 when it does not apply: null in JSON.
Json share(double v) { return v < 0 ? Json(nullptr) : Json(v); }

/// An option that is 0 when not given: null in JSON.
template <class T>
Json given(T v)
{
    return v > 0 ? Json(v) : Json(nullptr);
}

// ---------------------------------------------------------------------------------------------
// Writing

Json to_json(const MetricsSummary& s, double target, double lower_bound)
{
    Json splits = Json::object(), bounds = Json::object();
    for (const auto& [level, n] : s.admin_splits) splits[level] = n;
    for (const auto& [level, n] : s.admin_splits_bound) bounds[level] = n;
    return Json{{"grids", s.grids},
                {"transformers", s.transformers},
                {"customers", s.customers},
                {"load", s.load},
                {"target", target},
                {"lower_bound", lower_bound},
                {"max_abs_deviation", s.max_abs_deviation},
                {"min_load", s.min_load},
                {"max_load", s.max_load},
                {"max_over_min", s.max_over_min},
                {"polsby_popper_mean", s.polsby_popper_mean},
                {"polsby_popper_min", s.polsby_popper_min},
                {"cut_edges", s.cut_edges},
                {"cut_border_km", s.cut_border_km},
                {"mean_distance_m", s.mean_distance_m},
                {"admin_splits", splits},
                {"admin_splits_bound", bounds},
                {"feeder_splits", s.feeder_splits},
                {"feeder_splits_bound", s.feeder_splits_bound},
                {"continuity", share(s.continuity)},
                {"non_contiguous", s.non_contiguous},
                {"barrier_edges", s.barrier_edges},
                {"barrier_edges_inside", s.barrier_edges_inside},
                {"grids_across_barriers", s.grids_across_barriers}};
}

Json to_json(const ReportOptions& ro)
{
    const auto& o = ro.partition;
    Json per_station = Json::object(), classes = Json::object();
    for (const auto& [id, k] : o.grids_per_station) per_station[id] = k;
    for (const auto& [cls, w] : o.workload.class_weights) classes[cls] = w;
    return Json{{"grids", given(o.grids)},
                {"grids_per_station", per_station},
                {"target_load", given(o.target_load)},
                {"max_load", given(o.max_load)},
                {"nest_level", o.nest_level.empty() ? Json(nullptr) : Json(o.nest_level)},
                {"allow_infeasible", o.allow_infeasible},
                {"seed", o.seed},
                {"restarts", o.restarts},
                {"effort", o.effort},
                {"balance_tolerance", o.balance_tolerance},
                {"strict", ro.strict},
                {"weights",
                 {{"compactness", o.weights.compactness},
                  {"admin", o.weights.admin},
                  {"feeder", o.weights.feeder},
                  {"continuity", o.weights.continuity},
                  {"barrier", o.weights.barrier}}},
                {"workload",
                 {{"class_weights", classes},
                  {"default_class_weight", o.workload.default_class_weight},
                  {"per_transformer", o.workload.per_transformer},
                  {"per_km_feeder", o.workload.per_km_feeder},
                  {"workload_weight", o.workload.workload_weight}}},
                {"skip_invalid", ro.skip_invalid},
                {"formats", ro.formats}};
}

const char* severity_name(Severity s)
{
    return s == Severity::error ? "error" : s == Severity::warning ? "warning" : "info";
}

Json to_json(const Issue& i)
{
    return Json{{"severity", severity_name(i.severity)},
                {"code", issue_name(i.code)},
                {"file", i.file},
                {"layer", i.layer},
                {"feature", i.feature_id},
                {"message", i.message},
                {"fix", i.fix}};
}

std::string dump(const Json& j)
{
    // Invalid UTF-8 in an input's text (a mis-declared encoding) becomes U+FFFD, not an error.
    return j.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

Json to_json(const AssignSummary& s)
{
    return Json{{"grids", s.grids},
                {"managers", s.managers},
                {"managers_used", s.managers_used},
                {"load", s.load},
                {"capacity", s.capacity},
                {"capacity_use", s.capacity > 0 ? s.load / s.capacity : 0.0},
                {"max_capacity_use", s.max_capacity_use},
                {"travel_km", s.travel_km},
                {"continuity", share(s.continuity)},
                {"adjacent_pair_share", share(s.adjacent_pair_share)},
                {"one_group_share", share(s.one_group_share)},
                {"objective", s.objective},
                {"lower_bound", s.lower_bound},
                {"gap", s.gap},
                {"exact", s.exact},
                {"kept", s.kept},
                {"moved", s.moved},
                {"moved_manager_left", s.manager_left},
                {"moved_for_capacity", s.capacity_moves},
                {"capacity_raised", s.capacity_raised}};
}

Json to_json(const ReportManagers& m)
{
    Json stations = Json::array(), changes = Json::array(), over = Json::array(), roster = Json::array();
    for (const auto& [id, s] : m.stations) {
        Json j{{"station_id", id}};
        j.update(to_json(s));
        stations.push_back(std::move(j));
    }
    for (const auto& c : m.changes)
        changes.push_back({{"grid_id", c.grid_id}, {"from", c.from}, {"to", c.to}, {"reason", c.reason}});
    for (const auto& r : m.managers) {
        const auto& p = r.manager;
        const auto& f = r.figures;
        roster.push_back({{"manager_id", p.id},
                          {"name", p.name},
                          {"phone", p.phone},
                          {"station_id", p.station_id},
                          {"capacity", p.capacity},
                          {"max_grids", p.max_grids},
                          {"grids", f.grids},
                          {"load", f.load},
                          {"customers", f.customers},
                          {"travel_km", f.travel_km},
                          {"kept_customers", f.kept_customers},
                          {"known_customers", f.known_customers},
                          {"groups", f.groups},
                          {"over_capacity", r.over_capacity}});
        if (r.over_capacity > 0)
            over.push_back(
                {{"manager_id", p.id}, {"load", f.load}, {"capacity", p.capacity}, {"over", r.over_capacity}});
    }
    return Json{{"roster", m.roster.empty() ? Json(nullptr) : Json(m.roster)},
                {"slot_capacity", m.roster.empty() ? Json(m.slot_capacity) : Json(nullptr)},
                {"options",
                 {{"continuity_km", m.continuity_km},
                  {"adjacency_km", m.adjacency_km},
                  {"move_km", m.move_km},
                  {"in_force", m.in_force},
                  {"allow_infeasible", m.allow_infeasible}}},
                {"travel", m.travel_by_road ? "road" : "straight line"},
                {"straight_fallbacks", m.straight_fallbacks},
                {"overall", to_json(m.overall)},
                {"stations", stations},
                {"changes", changes},
                {"over_capacity", over},
                {"managers", roster}};
}

// ---------------------------------------------------------------------------------------------
// Reading: lenient about what is missing (older reports), strict about types.

double number(const Json& j, const char* key, double missing = 0.0, double null = nan)
{
    const auto it = j.find(key);
    if (it == j.end()) return missing;
    if (it->is_null()) return null;
    return it->get<double>();
}

/// A whole number of type T: a JSON integer in T's range (a float such as 1e300 would be an
/// undefined conversion, so it is refused).
template <class T>
T whole_value(const Json& v, const std::string& key)
{
    const bool fits = v.is_number_unsigned()  ? v.get<std::uint64_t>() <= std::uint64_t(std::numeric_limits<T>::max())
                      : v.is_number_integer() ? std::numeric_limits<T>::is_signed || v.get<std::int64_t>() >= 0
                                              : false;
    if (!fits)
        throw Error(ErrorCode::invalid_input, fmt::format("report.json: '{}' must be a whole number{}, found {}", key,
                                                          std::numeric_limits<T>::is_signed ? "" : " >= 0", v.dump()));
    return v.get<T>();
}

template <class T>
T whole(const Json& j, const char* key)
{
    const auto it = j.find(key);
    return it == j.end() || it->is_null() ? T{} : whole_value<T>(*it, key);
}

std::string text(const Json& j, const char* key)
{
    const auto it = j.find(key);
    return it == j.end() || it->is_null() ? std::string() : it->get<std::string>();
}

bool flag(const Json& j, const char* key, bool missing = false)
{
    const auto it = j.find(key);
    return it == j.end() || it->is_null() ? missing : it->get<bool>();
}

const Json& member(const Json& j, const char* key)
{
    static const Json none = Json::object();
    const auto it = j.find(key);
    return it == j.end() || it->is_null() ? none : *it;
}

std::vector<std::string> strings(const Json& j, const char* key)
{
    const auto it = j.find(key);
    return it == j.end() || it->is_null() ? std::vector<std::string>{} : it->get<std::vector<std::string>>();
}

MetricsSummary summary_from(const Json& j)
{
    MetricsSummary s;
    s.grids = whole<std::size_t>(j, "grids");
    s.transformers = whole<std::size_t>(j, "transformers");
    s.customers = number(j, "customers");
    s.load = number(j, "load");
    s.lower_bound = number(j, "lower_bound");
    s.max_abs_deviation = number(j, "max_abs_deviation");
    s.min_load = number(j, "min_load");
    s.max_load = number(j, "max_load");
    s.max_over_min = number(j, "max_over_min", 0.0, std::numeric_limits<double>::infinity());
    s.polsby_popper_mean = number(j, "polsby_popper_mean");
    s.polsby_popper_min = number(j, "polsby_popper_min");
    s.cut_edges = whole<std::size_t>(j, "cut_edges");
    s.cut_border_km = number(j, "cut_border_km");
    s.mean_distance_m = number(j, "mean_distance_m");
    for (const auto& [level, n] : member(j, "admin_splits").items()) s.admin_splits.emplace_back(level, whole_value<std::size_t>(n, level));
    for (const auto& [level, n] : member(j, "admin_splits_bound").items())
        s.admin_splits_bound.emplace_back(level, whole_value<std::size_t>(n, level));
    s.feeder_splits = whole<std::size_t>(j, "feeder_splits");
    s.feeder_splits_bound = whole<std::size_t>(j, "feeder_splits_bound");
    s.continuity = number(j, "continuity", -1.0, -1.0);
    s.non_contiguous = whole<std::size_t>(j, "non_contiguous");
    s.barrier_edges = whole<std::size_t>(j, "barrier_edges");
    s.barrier_edges_inside = whole<std::size_t>(j, "barrier_edges_inside");
    s.grids_across_barriers = whole<std::size_t>(j, "grids_across_barriers");
    return s;
}

ReportOptions options_from(const Json& j)
{
    ReportOptions ro;
    auto& o = ro.partition;
    o.grids = whole<std::size_t>(j, "grids");
    for (const auto& [id, k] : member(j, "grids_per_station").items()) o.grids_per_station.emplace_back(id, whole_value<std::size_t>(k, id));
    o.target_load = number(j, "target_load", 0.0, 0.0);
    o.max_load = number(j, "max_load", 0.0, 0.0);
    o.nest_level = text(j, "nest_level");
    o.allow_infeasible = flag(j, "allow_infeasible");
    o.seed = j.contains("seed") ? whole<std::uint64_t>(j, "seed") : o.seed;
    o.restarts = whole<std::size_t>(j, "restarts");
    o.effort = j.contains("effort") ? whole<std::size_t>(j, "effort") : o.effort;
    o.balance_tolerance = number(j, "balance_tolerance", o.balance_tolerance);
    ro.strict = flag(j, "strict");
    const auto& w = member(j, "weights");
    o.weights.compactness = number(w, "compactness", o.weights.compactness);
    o.weights.admin = number(w, "admin", o.weights.admin);
    o.weights.feeder = number(w, "feeder", o.weights.feeder);
    o.weights.continuity = number(w, "continuity", o.weights.continuity);
    o.weights.barrier = number(w, "barrier", o.weights.barrier);
    const auto& wl = member(j, "workload");
    for (const auto& [cls, v] : member(wl, "class_weights").items()) o.workload.class_weights.emplace_back(cls, v.get<double>());
    o.workload.default_class_weight = number(wl, "default_class_weight", o.workload.default_class_weight);
    o.workload.per_transformer = number(wl, "per_transformer", o.workload.per_transformer);
    o.workload.per_km_feeder = number(wl, "per_km_feeder", o.workload.per_km_feeder);
    o.workload.workload_weight = number(wl, "workload_weight", o.workload.workload_weight);
    ro.skip_invalid = flag(j, "skip_invalid");
    ro.formats = strings(j, "formats");
    return ro;
}

IssueCode issue_code(const std::string& name)
{
    IssueCode code{};
    if (issue_code_from_name(name, code)) return code;
    throw Error(ErrorCode::invalid_input, fmt::format("report.json: unknown issue code '{}'", name));
}

Severity severity(const std::string& name)
{
    return name == "error" ? Severity::error : name == "warning" ? Severity::warning : Severity::info;
}

AssignSummary assign_summary_from(const Json& j)
{
    AssignSummary s;
    s.grids = whole<std::size_t>(j, "grids");
    s.managers = whole<std::size_t>(j, "managers");
    s.managers_used = whole<std::size_t>(j, "managers_used");
    s.load = number(j, "load");
    s.capacity = number(j, "capacity");
    s.max_capacity_use = number(j, "max_capacity_use");
    s.travel_km = number(j, "travel_km");
    s.continuity = number(j, "continuity", -1.0, -1.0);
    s.adjacent_pair_share = number(j, "adjacent_pair_share", -1.0, -1.0);
    s.one_group_share = number(j, "one_group_share", -1.0, -1.0);
    s.objective = number(j, "objective");
    s.lower_bound = number(j, "lower_bound");
    s.gap = number(j, "gap");
    s.exact = flag(j, "exact");
    s.kept = whole<std::size_t>(j, "kept");
    s.moved = whole<std::size_t>(j, "moved");
    s.manager_left = whole<std::size_t>(j, "moved_manager_left");
    s.capacity_moves = whole<std::size_t>(j, "moved_for_capacity");
    s.capacity_raised = flag(j, "capacity_raised");
    return s;
}

ReportManagers managers_from(const Json& j)
{
    ReportManagers m;
    m.roster = text(j, "roster");
    m.slot_capacity = number(j, "slot_capacity", 0.0, 0.0);
    const auto& o = member(j, "options");
    m.continuity_km = number(o, "continuity_km");
    m.adjacency_km = number(o, "adjacency_km");
    m.move_km = number(o, "move_km");
    m.in_force = flag(o, "in_force");
    m.allow_infeasible = flag(o, "allow_infeasible");
    m.travel_by_road = text(j, "travel") == "road";
    m.straight_fallbacks = whole<std::size_t>(j, "straight_fallbacks");
    m.overall = assign_summary_from(member(j, "overall"));
    for (const auto& s : member(j, "stations")) m.stations.emplace_back(text(s, "station_id"), assign_summary_from(s));
    for (const auto& c : member(j, "changes"))
        m.changes.push_back({text(c, "grid_id"), text(c, "from"), text(c, "to"), text(c, "reason")});
    for (const auto& r : member(j, "managers")) {
        ReportManager rm;
        rm.manager.id = text(r, "manager_id");
        rm.manager.name = text(r, "name");
        rm.manager.phone = text(r, "phone");
        rm.manager.station_id = text(r, "station_id");
        rm.manager.capacity = number(r, "capacity");
        rm.manager.max_grids = whole<std::size_t>(r, "max_grids");
        rm.figures.grids = whole<std::size_t>(r, "grids");
        rm.figures.load = number(r, "load");
        rm.figures.customers = number(r, "customers");
        rm.figures.travel_km = number(r, "travel_km");
        rm.figures.kept_customers = number(r, "kept_customers");
        rm.figures.known_customers = number(r, "known_customers");
        rm.figures.groups = whole<std::size_t>(r, "groups");
        rm.over_capacity = number(r, "over_capacity");
        m.managers.push_back(std::move(rm));
    }
    return m;
}

} // namespace

std::string to_json(const PlanReport& r)
{
    Json stations = Json::array(), grids = Json::array(), issues = Json::array(), rejected = Json::array();
    for (const auto& s : r.stations) {
        Json j{{"station_id", s.station_id},
               {"tolerance", s.tolerance},
               {"target_met", s.target_met},
               {"bound_reason", s.bound_reason}};
        j.update(to_json(s.measures, s.target, s.lower_bound));
        j["notes"] = s.notes;
        stations.push_back(std::move(j));
    }
    for (const auto& g : r.grids) {
        const auto& m = g.measures;
        grids.push_back({{"grid_id", g.grid_id},
                         {"station_id", g.station_id},
                         {"load", m.load},
                         {"target", g.target},
                         {"deviation", m.deviation},
                         {"customers", m.customers},
                         {"transformers", m.transformers},
                         {"feeders", m.feeders},
                         {"admin_units", m.admin_units},
                         {"area_km2", m.area_km2},
                         {"perimeter_km", m.perimeter_km},
                         {"polsby_popper", m.polsby_popper},
                         {"mean_distance_m", m.mean_distance_m},
                         {"relaxed", g.relaxed},
                         {"communities", g.communities}});
    }
    Json timings = Json::object();
    double total = 0.0;
    for (const auto& [stage, s] : r.timings_s) {
        timings[stage] = std::round(s * 1000.0) / 1000.0;
        total += s;
    }
    timings["total"] = std::round(total * 1000.0) / 1000.0;
    for (const auto& i : r.issues) issues.push_back(to_json(i));
    for (const auto& x : r.rejected)
        rejected.push_back({{"file", x.file},
                            {"layer", x.layer},
                            {"fid", x.fid},
                            {"transformer_id", x.id},
                            {"code", issue_name(x.code)},
                            {"reason", x.reason}});
    const auto& in = r.inputs;
    const auto& b = r.balance;
    Json findings = Json::array();
    for (const auto& f : r.findings)
        findings.push_back(
            {{"grid_id", f.grid_id}, {"station_id", f.station_id}, {"score", f.score}, {"reasons", f.reasons}});
    Json j{{"kind", r.kind},
           {"inputs",
            {{"transformers_read", in.transformers_read},
             {"transformers_planned", in.transformers_planned},
             {"rejected", in.rejected},
             {"customers", in.customers},
             {"work_crs", in.work_crs},
             {"errors", in.errors},
             {"warnings", in.warnings},
             {"notes", in.notes}}},
           {"options", to_json(r.options)},
           {"verification", r.verification},
           {"verification_problems", r.verification_problems},
           {"balance",
            {{"tolerance", b.tolerance},
             {"target_met", b.target_met},
             {"stations_missed", b.stations_missed},
             {"max_deviation_vs_station_target", b.max_deviation_vs_station_target},
             {"max_deviation_vs_territory_mean", b.max_deviation_vs_territory_mean},
             {"lower_bound", b.lower_bound}}},
           {"overall", to_json(r.overall, r.overall_target, r.overall.lower_bound)},
           {"notes", r.notes},
           {"stations", stations},
           {"grids", grids},
           {"timings_s", timings},
           {"issues", issues},
           {"rejected", rejected},
           {"findings", findings}};
    if (r.managers) j["managers"] = to_json(*r.managers);
    if (r.replan) {
        const auto& p = *r.replan;
        Json before_stations = Json::array(), changes = Json::array(), managers = Json::array();
        for (std::size_t k = 0; k < p.before_stations.size(); ++k)
            before_stations.push_back({{"station_id", p.before_stations[k].first},
                                       {"max_abs_deviation", p.before_stations[k].second},
                                       {"target_met", k < p.before_met.size() && p.before_met[k].second}});
        for (const auto& c : p.changes)
            changes.push_back({{"transformer_id", c.transformer_id}, {"customers", c.customers}, {"from_grid", c.from_grid},
                               {"to_grid", c.to_grid}, {"from_manager", c.from_manager}, {"to_manager", c.to_manager}});
        for (const auto& m : p.managers)
            managers.push_back({{"manager_id", m.manager_id}, {"gained", m.gained}, {"lost", m.lost},
                                {"customers_gained", m.customers_gained}, {"customers_lost", m.customers_lost}});
        j["replan"] = {{"current", p.current},
                       {"measure", p.measure},
                       {"max_moved", p.max_moved},
                       {"total", p.total},
                       {"moved", p.moved},
                       {"moved_share", p.total > 0 ? p.moved / p.total : 0.0},
                       {"moved_transformers", p.moved_transformers},
                       {"new_transformers", p.new_transformers},
                       {"new_grids", p.new_grids},
                       {"before", to_json(p.before, 0.0, p.before.lower_bound)},
                       {"before_stations", before_stations},
                       {"changes", changes},
                       {"managers", managers}};
    }
    return dump(j);
}

std::string issues_json(const std::vector<Issue>& issues)
{
    Json j = Json::array();
    for (const auto& i : issues) j.push_back(to_json(i));
    return dump(j);
}

PlanReport plan_report_from_json(const std::string& text_in)
{
    Json j;
    try {
        j = Json::parse(text_in);
    } catch (const Json::exception& e) {
        throw Error(ErrorCode::invalid_input, fmt::format("report.json is not JSON: {}", e.what()));
    }
    if (!j.is_object()) throw Error(ErrorCode::invalid_input, "report.json does not hold a JSON object");
    PlanReport r;
    try {
        const auto& in = member(j, "inputs");
        r.inputs.transformers_read = whole<std::size_t>(in, "transformers_read");
        r.inputs.transformers_planned = whole<std::size_t>(in, "transformers_planned");
        r.inputs.rejected = whole<std::size_t>(in, "rejected");
        r.inputs.customers = number(in, "customers");
        r.inputs.work_crs = text(in, "work_crs");
        r.inputs.errors = whole<std::size_t>(in, "errors");
        r.inputs.warnings = whole<std::size_t>(in, "warnings");
        r.inputs.notes = whole<std::size_t>(in, "notes");
        r.options = options_from(member(j, "options"));
        r.verification = text(j, "verification");
        if (j.contains("kind")) r.kind = text(j, "kind");
        if (j.contains("verification_problems")) r.verification_problems = strings(j, "verification_problems");
        if (j.contains("findings"))
            for (const auto& f : j["findings"])
                r.findings.push_back({text(f, "grid_id"), text(f, "station_id"), number(f, "score"), strings(f, "reasons")});
        const auto& b = member(j, "balance");
        r.balance.tolerance = number(b, "tolerance");
        r.balance.target_met = flag(b, "target_met", true);
        r.balance.stations_missed = strings(b, "stations_missed");
        r.balance.max_deviation_vs_station_target = number(b, "max_deviation_vs_station_target");
        r.balance.max_deviation_vs_territory_mean = number(b, "max_deviation_vs_territory_mean");
        r.balance.lower_bound = number(b, "lower_bound");
        const auto& o = member(j, "overall");
        r.overall = summary_from(o);
        r.overall_target = number(o, "target");
        r.notes = strings(j, "notes");
        for (const auto& s : member(j, "stations"))
            r.stations.push_back({text(s, "station_id"), number(s, "tolerance"), flag(s, "target_met", true),
                                  text(s, "bound_reason"), number(s, "target"), number(s, "lower_bound"),
                                  summary_from(s), strings(s, "notes")});
        for (const auto& g : member(j, "grids")) {
            ReportGrid rg;
            rg.grid_id = text(g, "grid_id");
            rg.station_id = text(g, "station_id");
            rg.target = number(g, "target");
            auto& m = rg.measures;
            m.load = number(g, "load");
            m.deviation = number(g, "deviation");
            m.customers = number(g, "customers");
            m.transformers = whole<std::size_t>(g, "transformers");
            m.feeders = whole<std::size_t>(g, "feeders");
            m.admin_units = whole<std::size_t>(g, "admin_units");
            m.area_km2 = number(g, "area_km2");
            m.perimeter_km = number(g, "perimeter_km");
            m.polsby_popper = number(g, "polsby_popper");
            m.mean_distance_m = number(g, "mean_distance_m");
            m.centre = {nan, nan};
            rg.relaxed = strings(g, "relaxed");
            rg.communities = strings(g, "communities");
            r.grids.push_back(std::move(rg));
        }
        for (const auto& [stage, s] : member(j, "timings_s").items())
            if (stage != "total") r.timings_s.emplace_back(stage, s.get<double>());
        for (const auto& i : member(j, "issues"))
            r.issues.push_back({severity(text(i, "severity")), issue_code(text(i, "code")), text(i, "file"),
                                text(i, "layer"), text(i, "feature"), text(i, "message"), text(i, "fix")});
        for (const auto& x : member(j, "rejected"))
            r.rejected.push_back({text(x, "file"), text(x, "layer"), whole<std::int64_t>(x, "fid"),
                                  text(x, "transformer_id"), issue_code(text(x, "code")), text(x, "reason")});
        if (j.contains("managers") && !j["managers"].is_null()) r.managers = managers_from(j["managers"]);
        if (j.contains("replan") && !j["replan"].is_null()) {
            const auto& x = j["replan"];
            ReportReplan p;
            p.current = text(x, "current");
            p.measure = text(x, "measure");
            p.max_moved = number(x, "max_moved");
            p.total = number(x, "total");
            p.moved = number(x, "moved");
            p.moved_transformers = whole<std::size_t>(x, "moved_transformers");
            p.new_transformers = whole<std::size_t>(x, "new_transformers");
            p.new_grids = whole<std::size_t>(x, "new_grids");
            p.before = summary_from(member(x, "before"));
            for (const auto& s : member(x, "before_stations")) {
                p.before_stations.emplace_back(text(s, "station_id"), number(s, "max_abs_deviation"));
                p.before_met.emplace_back(text(s, "station_id"), flag(s, "target_met"));
            }
            for (const auto& c : member(x, "changes"))
                p.changes.push_back({text(c, "transformer_id"), number(c, "customers"), text(c, "from_grid"),
                                     text(c, "to_grid"), text(c, "from_manager"), text(c, "to_manager")});
            for (const auto& m : member(x, "managers"))
                p.managers.push_back({text(m, "manager_id"), whole<std::size_t>(m, "gained"), whole<std::size_t>(m, "lost"),
                                      number(m, "customers_gained"), number(m, "customers_lost")});
            r.replan = std::move(p);
        }
    } catch (const Json::exception& e) {
        throw Error(ErrorCode::invalid_input, fmt::format("report.json: a value has the wrong type: {}", e.what()));
    }
    return r;
}

} // namespace libgrid
