// The tables of a plan folder (see folder/tables.hpp).
#include "folder/tables.hpp"

#include <libgrid/csv.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <unordered_map>
#include <utility>

namespace libgrid::folder {
namespace {

/// Readable 10-character names for Shapefile columns whose plain truncation would read badly
/// (the writer would turn `transformers` into `transforme`).
const std::vector<std::pair<std::string, std::string>> shp_names{
    {"transformer_id", "transf_id"}, {"transformers", "n_transf"},  {"feeders", "n_feeders"},
    {"admin_units", "n_units"},      {"polsby_popper", "polsbypop"}, {"mean_distance_m", "mean_dist"},
    {"manager_name", "mgr_name"},    {"manager_phone", "mgr_phone"}, {"current_manager", "cur_mgr"},
    {"from_manager", "from_mgr"},    {"to_manager", "to_mgr"},
};

FieldValue text_or_null(const std::string& v) { return v.empty() ? FieldValue{} : FieldValue{v}; }

/// The report's managers by id (the grids' names and phones come from there).
std::unordered_map<std::string, const Manager*> managers_by_id(const PlanFolder& f)
{
    std::unordered_map<std::string, const Manager*> out;
    if (f.report.managers)
        for (const auto& m : f.report.managers->managers) out.emplace(m.manager.id, &m.manager);
    return out;
}

std::string share_text(double kept, double known)
{
    return known > 0 ? number_text(std::round(kept / known * 1e6) / 1e6) : std::string();
}

/// Layer `moved_areas`: the service area of every transformer a re-plan moved, with where it
/// went and who had it, to see on the map what changes for whom.
FeatureTable moved_areas_table(const PlanFolder& f)
{
    FeatureTable out{"moved_areas",
                     GeometryKind::polygon,
                     {{"transformer_id", FieldType::text},
                      {"customers", FieldType::real},
                      {"from_grid", FieldType::text},
                      {"to_grid", FieldType::text},
                      {"from_manager", FieldType::text},
                      {"to_manager", FieldType::text}},
                     {},
                     {},
                     {},
                     {}};
    std::unordered_map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < f.territory.transformers.size(); ++i) index.emplace(f.territory.transformers[i].id, i);
    for (const auto& m : f.report.replan->changes) {
        const auto it = index.find(m.transformer_id);
        if (it == index.end()) continue; // not in the territory: nothing to draw
        out.rows.push_back({m.transformer_id, m.customers, m.from_grid, m.to_grid, text_or_null(m.from_manager),
                            text_or_null(m.to_manager)});
        out.polygons.push_back(f.areas[it->second]);
    }
    return out;
}

} // namespace

std::vector<FeatureTable> layer_tables(const PlanFolder& f)
{
    const auto& plan = f.plan;
    const auto& t = f.territory;
    const bool with_managers = !f.grid_manager.empty();
    std::vector<FieldDef> grid_fields{{"grid_id", FieldType::text},     {"station_id", FieldType::text},
                                      {"load", FieldType::real},        {"customers", FieldType::real},
                                      {"transformers", FieldType::integer}, {"feeders", FieldType::integer},
                                      {"admin_units", FieldType::integer}, {"area_km2", FieldType::real},
                                      {"polsby_popper", FieldType::real}, {"deviation", FieldType::real},
                                      // NULL until managers are assigned: maps and joins made
                                      // today keep working then.
                                      {"manager_id", FieldType::text}};
    if (with_managers) grid_fields.insert(grid_fields.end(), {{"manager_name", FieldType::text}, {"manager_phone", FieldType::text}});
    FeatureTable grids{"grids", GeometryKind::polygon, grid_fields, {}, {}, {}, {}};
    const auto by_id = managers_by_id(f);
    for (std::size_t g = 0; g < plan.num_grids(); ++g) {
        const auto& gm = f.report.grids[g].measures;
        grids.polygons.push_back(f.grid_shapes[g]);
        std::vector<FieldValue> row{plan.grid_id[g],
                                    plan.stations[plan.grid_station[g]].station_id,
                                    gm.load,
                                    gm.customers,
                                    static_cast<std::int64_t>(gm.transformers),
                                    static_cast<std::int64_t>(gm.feeders),
                                    static_cast<std::int64_t>(gm.admin_units),
                                    gm.area_km2,
                                    gm.polsby_popper,
                                    gm.deviation,
                                    with_managers ? text_or_null(f.grid_manager[g]) : FieldValue{}};
        if (with_managers) {
            const auto it = by_id.find(f.grid_manager[g]);
            row.push_back(it == by_id.end() ? FieldValue{} : text_or_null(it->second->name));
            row.push_back(it == by_id.end() ? FieldValue{} : text_or_null(it->second->phone));
        }
        grids.rows.push_back(std::move(row));
    }
    std::vector<FieldDef> fields{{"transformer_id", FieldType::text}, {"grid_id", FieldType::text},
                                 {"station_id", FieldType::text},     {"customers", FieldType::real},
                                 {"load", FieldType::real},           {"branch_id", FieldType::text}, // for maps by branch
                                 {"input_fid", FieldType::integer}};  // feature id in the input layer
    // The current manager goes with the transformers when the input has one, so that `assign`
    // on this folder can keep customers with their manager.
    const bool with_current = std::any_of(t.transformers.begin(), t.transformers.end(),
                                          [](const auto& x) { return !x.current_manager.empty(); });
    if (with_current) fields.push_back({"current_manager", FieldType::text});
    FeatureTable tx{"transformers", GeometryKind::point, fields, {}, {}, {}, {}};
    FeatureTable sa{"service_areas", GeometryKind::polygon, fields, {}, {}, {}, {}};
    for (std::size_t i = 0; i < t.transformers.size(); ++i) {
        const auto& x = t.transformers[i];
        std::vector<FieldValue> row{x.id,         plan.grid_id[plan.grid_of[i]], x.station_id,
                                    x.customers,  plan.load[i],                  x.branch_id,
                                    static_cast<std::int64_t>(x.source_fid)};
        if (with_current) row.push_back(text_or_null(x.current_manager));
        tx.rows.push_back(row);
        tx.points.push_back(x.location);
        sa.rows.push_back(std::move(row));
        sa.polygons.push_back(f.areas[i]);
    }
    std::vector<FeatureTable> out{std::move(grids), std::move(tx), std::move(sa)};
    if (f.report.replan) out.push_back(moved_areas_table(f));
    return out;
}

void use_short_names(std::vector<FeatureTable>& tables, bool shp)
{
    for (auto& t : tables)
        for (auto& fd : t.fields)
            for (const auto& [full, brief] : shp_names) {
                if (shp && fd.name == full) fd.name = brief;
                else if (!shp && fd.name == brief) fd.name = full;
            }
}

std::string assignments_csv(const PlanFolder& f)
{
    const auto& t = f.territory;
    const auto& plan = f.plan;
    const auto& rejected = f.report.rejected;
    struct Row {
        std::int64_t fid;
        bool rejected;
        std::size_t index;
    };
    std::vector<Row> rows;
    rows.reserve(t.transformers.size() + rejected.size());
    for (std::size_t i = 0; i < t.transformers.size(); ++i) rows.push_back({t.transformers[i].source_fid, false, i});
    for (std::size_t i = 0; i < rejected.size(); ++i) rows.push_back({rejected[i].fid, true, i});
    std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.fid < b.fid; });
    const bool with_status = f.report.options.skip_invalid || !rejected.empty();
    const bool with_managers = !f.grid_manager.empty();
    const auto by_id = managers_by_id(f);
    std::string out = "transformer_id,grid_id,station_id,customers,load";
    if (with_status) out += ",status";
    if (with_managers) out += ",manager_id,manager_name,manager_phone";
    out += '\n';
    for (const auto& r : rows) {
        if (r.rejected) {
            const auto& x = rejected[r.index];
            append_csv_field(out, x.id);
            out += ",,,,,";
            append_csv_field(out, "rejected: " + x.reason);
            if (with_managers) out += ",,,";
            out += '\n';
            continue;
        }
        const auto& x = t.transformers[r.index];
        const std::size_t g = plan.grid_of[r.index];
        append_csv_field(out, x.id);
        out += ',';
        append_csv_field(out, plan.grid_id[g]);
        out += ',';
        append_csv_field(out, x.station_id);
        out += fmt::format(",{},{}", number_text(x.customers), number_text(plan.load[r.index]));
        if (with_status) out += ",planned";
        if (with_managers) {
            const auto it = by_id.find(f.grid_manager[g]);
            out += ',';
            append_csv_field(out, f.grid_manager[g]);
            out += ',';
            if (it != by_id.end()) append_csv_field(out, it->second->name);
            out += ',';
            if (it != by_id.end()) append_csv_field(out, it->second->phone);
        }
        out += '\n';
    }
    return out;
}

std::string managers_csv(const ReportManagers& managers)
{
    std::string out = "manager_id,name,phone,station_id,grids,customers,load,capacity,travel_km,continuity_share\n";
    for (const auto& r : managers.managers) {
        const auto& m = r.manager;
        const auto& fg = r.figures;
        out += fmt::format("{},{},{},{},{},{},{},{},{},{}\n", csv_field(m.id), csv_field(m.name), csv_field(m.phone),
                           csv_field(m.station_id), fg.grids, number_text(fg.customers), number_text(fg.load),
                           number_text(m.capacity), number_text(std::round(fg.travel_km * 1000) / 1000),
                           share_text(fg.kept_customers, fg.known_customers));
    }
    return out;
}

std::string contacts_csv(const PlanFolder& f)
{
    const auto& plan = f.plan;
    const auto by_id = managers_by_id(f);
    std::string out = "grid_id,station_id,manager_id,manager,phone,communities\n";
    for (std::size_t g = 0; g < plan.num_grids(); ++g) { // the plan's order is reading order
        const auto& id = f.grid_manager[g];
        const auto it = by_id.find(id);
        const std::string name = it == by_id.end() || it->second->name.empty() ? id : it->second->name;
        std::string names;
        for (const auto& c : f.report.grids[g].communities) names += (names.empty() ? "" : "; ") + c;
        out += fmt::format("{},{},{},{},{},{}\n", csv_field(plan.grid_id[g]),
                           csv_field(plan.stations[plan.grid_station[g]].station_id), csv_field(id), csv_field(name),
                           csv_field(it == by_id.end() ? std::string() : it->second->phone), csv_field(names));
    }
    return out;
}

std::string changes_csv(const ReportReplan& r)
{
    std::string out = "transformer_id,customers,from_grid,to_grid,from_manager,to_manager\n";
    for (const auto& c : r.changes)
        out += fmt::format("{},{},{},{},{},{}\n", csv_text(c.transformer_id), number_text(c.customers),
                           csv_text(c.from_grid), csv_text(c.to_grid), csv_text(c.from_manager), csv_text(c.to_manager));
    return out;
}

} // namespace libgrid::folder

namespace libgrid {

std::string rejected_csv(const std::vector<Rejected>& rejected)
{
    // Every text column is quoted so that spreadsheet tools never read an id such as 00123 as
    // a number.
    std::string out = "file,layer,fid,transformer_id,code,reason\n";
    for (const auto& r : rejected)
        out += fmt::format("{},{},{},{},{},{}\n", csv_text(r.file), csv_text(r.layer), r.fid, csv_text(r.id),
                           issue_name(r.code), csv_text(r.reason));
    return out;
}

} // namespace libgrid
