/// @file
/// @brief The plan folder: the product's main output, written and read by one owner.
///
/// A plan folder holds `grids.gpkg` (layers `grids`, `transformers`, `service_areas`; their
/// Shapefile or GeoJSON twins on request), `assignments.csv` (every input transformer, rejected
/// ones included), `rejected.csv`, `report.json` (a PlanReport) and, once managers are
/// assigned, `managers.csv` and `contacts.csv`. `grid-partition plan` and `assign` write it
/// with write_plan_folder(); `assign`, `render` and any program linking libgrid read it with
/// read_plan_folder(). Every table is UTF-8; numbers are written locale-free.
#pragma once

#include <libgrid/assign.hpp>
#include <libgrid/graph.hpp>
#include <libgrid/io.hpp>
#include <libgrid/manager.hpp>
#include <libgrid/metrics.hpp>
#include <libgrid/model.hpp>
#include <libgrid/partition.hpp>
#include <libgrid/progress.hpp>
#include <libgrid/service_areas.hpp>
#include <libgrid/validation.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace libgrid {

/// What was read: counts of transformers and issues (report.json `inputs`).
struct ReportInputs {
    std::size_t transformers_read = 0;    ///< Planned + rejected.
    std::size_t transformers_planned = 0; ///< In the plan.
    std::size_t rejected = 0;             ///< Left out (listed in `rejected`).
    double customers = 0.0;               ///< Customers of the planned transformers.
    std::string work_crs;                 ///< Working CRS name ("" or "local" for planar metres).
    std::size_t errors = 0;               ///< Issues of severity error.
    std::size_t warnings = 0;             ///< Issues of severity warning.
    std::size_t notes = 0;                ///< Issues of severity info.
};

/// The options a plan was made with (report.json `options`). Only the partition options that
/// shape the plan are stored; callbacks and thread counts are not.
struct ReportOptions {
    PartitionOptions partition;       ///< Partition options as given.
    bool strict = false;              ///< A station outside the tolerance failed the run.
    bool skip_invalid = false;        ///< Invalid transformers were left out instead of refused.
    std::vector<std::string> formats; ///< Map formats written ("gpkg", "shp", "geojson").
};

/// The balance requirement at a glance (report.json `balance`).
struct ReportBalance {
    double tolerance = 0.0;                   ///< Asked (share, 0.01 = 1%).
    bool target_met = true;                   ///< Every station within it.
    std::vector<std::string> stations_missed; ///< Stations outside it.
    double max_deviation_vs_station_target = 0.0; ///< Max |load / station target - 1|.
    double max_deviation_vs_territory_mean = 0.0; ///< Max |load / territory mean - 1|.
    double lower_bound = 0.0;                 ///< Max over stations of the balance lower bound.
};

/// One station of the report: its plan facts and measures.
struct ReportStation {
    std::string station_id;   ///< Station ("" when transformers carry none).
    double tolerance = 0.0;   ///< Balance tolerance asked.
    bool target_met = true;   ///< Max deviation within the tolerance.
    std::string bound_reason; ///< Which lower bound binds.
    double target = 0.0;      ///< Target load per grid.
    double lower_bound = 0.0; ///< Balance lower bound.
    MetricsSummary measures;  ///< Every measure of its grids.
    std::vector<std::string> notes; ///< Relaxed constraints and other facts.
};

/// One grid of the report.
struct ReportGrid {
    std::string grid_id;     ///< Grid id.
    std::string station_id;  ///< Its station.
    double target = 0.0;     ///< Its target load.
    GridMetrics measures;    ///< Every measure (centre not stored: NaN when read back).
    std::vector<std::string> relaxed; ///< Constraints relaxed for it ("cap", "contiguity").
    /// Communities it serves, as "name" (or id when unnamed): units of the community level
    /// (the level named so, else the second finest, else the finest). Empty without boundaries.
    std::vector<std::string> communities;
};

/// One manager of the report: who, what they hold, and by how much they are over capacity.
struct ReportManager {
    Manager manager;        ///< Id, name, phone, station, capacity, max grids (base not stored).
    ManagerFigures figures; ///< Grids, load, customers, travel, continuity.
    double over_capacity = 0.0; ///< Load above capacity (0 unless the roster could not carry the plan).
};

/// A grid whose manager in force changed (report.json `managers.changes`).
struct ReportChange {
    std::string grid_id; ///< Grid.
    std::string from;    ///< Manager in force.
    std::string to;      ///< Manager now.
    std::string reason;  ///< change_name(): "manager_left", "capacity" or "cost".
};

/// The manager assignment (report.json `managers`).
struct ReportManagers {
    std::string roster;         ///< Roster file ("" for numbered slots).
    double slot_capacity = 0.0; ///< Capacity of each slot without a roster (0 with one).
    double continuity_km = 0.0; ///< AssignOptions::continuity_km used.
    double adjacency_km = 0.0;  ///< AssignOptions::adjacency_km used.
    double move_km = 0.0;       ///< AssignOptions::move_km used.
    bool in_force = false;      ///< An assignment in force was the starting point.
    bool allow_infeasible = false; ///< Capacities were allowed to be raised.
    bool travel_by_road = false;   ///< Travel measured along roads.
    std::size_t straight_fallbacks = 0; ///< Manager-grid pairs no road joins.
    AssignSummary overall;      ///< Whole plan.
    std::vector<std::pair<std::string, AssignSummary>> stations; ///< Per station id.
    std::vector<ReportManager> managers; ///< The roster, in input order.
    std::vector<ReportChange> changes;   ///< Grids whose manager in force changed.
};

/// A grid an evaluation flags, with why (report.json `findings`).
struct GridFinding {
    std::string grid_id;              ///< Grid.
    std::string station_id;           ///< Its station.
    double score = 0.0;               ///< How bad, for ordering (higher is worse; no unit).
    std::vector<std::string> reasons; ///< One sentence each, e.g. "over target by 12.3%".
};

/// A transformer a re-plan moved to another grid (changes.csv, report.json `replan.changes`).
struct ReportMove {
    std::string transformer_id; ///< Transformer.
    double customers = 0.0;     ///< Its customers.
    std::string from_grid;      ///< Grid it was in.
    std::string to_grid;        ///< Grid it is in now.
    std::string from_manager;   ///< Manager of the grid it was in ("" when unknown).
    std::string to_manager;     ///< Manager of the grid it is in now ("" when unknown).
};

/// What a re-plan changed for one manager (or one grid when managers are unknown).
struct ReportManagerChange {
    std::string manager_id;  ///< Manager ("" = the grids without a known manager).
    std::size_t gained = 0;  ///< Transformer areas gained.
    std::size_t lost = 0;    ///< Transformer areas lost.
    double customers_gained = 0.0; ///< Their customers.
    double customers_lost = 0.0;   ///< Their customers.
};

/// A re-plan against the grids in force (report.json `replan`).
struct ReportReplan {
    std::string current;         ///< Where the current grids came from (folder or file).
    std::string measure;         ///< "customers" or "transformers": what the budget counts.
    double max_moved = 0.0;      ///< Budget share asked (0.05 = 5%).
    double total = 0.0;          ///< The measure over transformers that had a grid.
    double moved = 0.0;          ///< Measure moved.
    std::size_t moved_transformers = 0; ///< Transformers now in another grid.
    std::size_t new_transformers = 0;   ///< Transformers that had no grid (attached, not counted).
    std::size_t new_grids = 0;          ///< Grids made for new transformers no grid borders.
    MetricsSummary before;                      ///< Every measure of the grids in force.
    std::vector<std::pair<std::string, double>> before_stations; ///< Max deviation per station before.
    std::vector<std::pair<std::string, bool>> before_met;        ///< Tolerance met per station before.
    std::vector<ReportMove> changes;                 ///< Every moved transformer.
    std::vector<ReportManagerChange> managers;       ///< Per manager: gained and lost.
};

/// Everything report.json says about a plan, typed. to_json() / plan_report_from_json() are
/// the one text form; `plan`, `assign`, `render` and report.html all use this type.
struct PlanReport {
    /// "plan" (made by partition()), "evaluation" (grids made elsewhere, scored by
    /// `grid-partition evaluate`) or "replan" (grids in force re-balanced by replan(); they may
    /// keep faults of the grids in force). Default: "plan".
    std::string kind = "plan";
    ReportInputs inputs;                  ///< What was read.
    ReportOptions options;                ///< How the plan was made.
    /// Independent verification: "passed", or for an evaluation or a re-plan "failed" with the
    /// problems (a plan that fails is never written).
    std::string verification = "passed";
    std::vector<std::string> verification_problems; ///< What verification found, one sentence each.
    /// Evaluations and re-plans: the grids with something wrong, worst first (empty for a plan).
    std::vector<GridFinding> findings;
    ReportBalance balance;                ///< The balance requirement.
    MetricsSummary overall;               ///< Every measure of the whole plan.
    double overall_target = 0.0;          ///< Territory load / grids.
    std::vector<std::string> notes;       ///< Station notes, prefixed "station: ".
    std::vector<ReportStation> stations;  ///< Per station, in plan order.
    std::vector<ReportGrid> grids;        ///< Per grid, in plan order.
    std::vector<std::pair<std::string, double>> timings_s; ///< Seconds per stage, in run order.
    std::vector<Issue> issues;            ///< Every issue found in the inputs.
    std::vector<Rejected> rejected;       ///< Every transformer left out, with its reason.
    std::optional<ReportManagers> managers; ///< Set once managers are assigned.
    std::optional<ReportReplan> replan;     ///< Set by a re-plan (`grid-partition replan`).
};

/// The report of a verified plan: inputs, balance, every measure per station and grid, issues
/// and rejections. `options` and `timings_s` are the caller's to fill. O(transformers + grids).
/// @throws Error(invalid_argument) when plan and metrics describe different grids.
PlanReport make_plan_report(const Territory& territory, const ValidationReport& report, const Plan& plan,
                            const PlanMetrics& metrics);

/// What is wrong with each grid of an evaluated plan, worst first: off target beyond the
/// tolerance (by how much), in pieces on the map (parts beyond the input islands it lies on),
/// over several stations, communities shared with other grids, feeders split with other grids.
/// Pieces are the grid's areas joined by shared borders (the graph's border edges, as
/// verify_plan() judges contiguity); the islands it lies on are the graph's border components.
/// `report` is the plan's report (grids, tolerance, communities). Grids with nothing wrong are
/// left out. O(n + edges + grids).
std::vector<GridFinding> find_weak_grids(const Territory& territory, const AdjacencyGraph& graph, const Plan& plan,
                                         const PlanReport& report);

/// The re-plan section of a report: budget and what was spent, every measure of the grids in
/// force (`before`, from compute_metrics() on result.before), every moved transformer with its
/// grid and manager before and after (`grid_managers`: manager id per grid id of the grids in
/// force; grids keep their manager), and what each manager gained and lost. O(n + grids).
ReportReplan make_replan_report(const Territory& territory, const ReplanResult& result, const PlanMetrics& before,
                                const std::vector<std::pair<std::string, std::string>>& grid_managers,
                                const std::string& current, const ReplanOptions& options);

/// The managers section of a report for an assignment of `plan`. `roster` is the roster file
/// ("" for slots of `slot_capacity`). O(grids + managers).
ReportManagers make_managers_report(const Plan& plan, const Assignment& assignment, const AssignOptions& options,
                                    const std::string& roster, double slot_capacity);

/// report.json text: UTF-8, two-space indented, keys in a fixed order, numbers in their
/// shortest exact form, NaN and infinities as null. O(size).
std::string to_json(const PlanReport& report);

/// The plan summary for people, as `grid-partition plan` prints it: grids, balance against the
/// bound and the tolerance, compactness, integrity, barriers, one line per station and the
/// notes. Plain text, English, lines indented by two spaces. O(stations + levels).
std::string summary_text(const PlanReport& report);

/// The managers summary, as `plan --managers` and `assign` print it: load against capacity,
/// adjacency, travel, continuity, optimality, the assignment in force and who is over capacity.
std::string managers_summary_text(const ReportManagers& managers);

/// One line per station left outside the balance tolerance: achieved, asked, lower bound and
/// whether any plan could meet it. Empty when every station met it. O(stations).
std::vector<std::string> tolerance_misses(const PlanReport& report);

/// Reads report.json text back. Keys it does not know are ignored; missing ones keep their
/// defaults (reports written by older versions read). O(size).
/// @throws Error(invalid_input) naming the problem when the text is not JSON, a value has the
///         wrong type (a count that is not a whole number >= 0), or an issue code is unknown.
PlanReport plan_report_from_json(const std::string& text);

/// Reads `<dir>/report.json` alone (no layers): what maps and report.html need. O(size).
/// @throws Error(io_open) when the file cannot be read; Error(invalid_input) as
///         plan_report_from_json().
PlanReport read_plan_report(const std::string& dir);

/// Issues as report.json writes them: a JSON array of objects with severity, code, file, layer,
/// feature, message and fix (also the `issues` of check_report.json). O(size).
std::string issues_json(const std::vector<Issue>& issues);

/// A plan folder in memory: what write_plan_folder() writes and read_plan_folder() returns.
struct PlanFolder {
    /// The planned transformers (territory order = the transformers layer's order), each with
    /// id, station, branch, customers, current manager, location and source_fid (the feature
    /// id in the input layer, for assignments.csv's order); CRS names and WKT. Admin levels,
    /// feeders and customer points are not part of a plan folder.
    Territory territory;
    std::vector<MultiPolygon> areas;       ///< Service area per transformer (working CRS).
    Plan plan;                             ///< The grids.
    std::vector<MultiPolygon> grid_shapes; ///< Dissolved grid per grid (working CRS).
    /// Manager id per grid ("" for none); empty when no managers are assigned. The managers'
    /// names, phones and figures are in report.managers.
    std::vector<std::string> grid_manager;
    PlanReport report;                     ///< report.json (grid measures feed the grids layer).
};

/// How write_plan_folder() writes.
struct PlanFolderWriteOptions {
    /// Map formats of the three layers. Default: GeoPackage only.
    std::vector<Format> formats{Format::gpkg};
    /// Paths that must never be replaced (the run's inputs). Default: none.
    std::vector<std::string> protect;
    /// Name in messages and of the staging folder `.<command>-tmp-<pid>`. Default: "plan".
    std::string command = "plan";
};

/// Writes a plan folder atomically: every file goes into a staging folder inside `dir`, then
/// is renamed into place, so that a reader never sees half a plan. When `dir` held a plan
/// before (a report.json this function wrote), the files of that plan that this one does not
/// have (managers.csv, contacts.csv, layers of another format, the report.html and grids.qml
/// render derived from it) are removed, so the folder is one plan; no other file is touched.
/// Shapefile columns get readable 10-character names (transf_id, mgr_name, ...).
/// @returns the files written, by name, in a fixed order (a Shapefile's sidecars left out).
/// @throws Error(io_write) when a target is protected or writing fails; Error(invalid_argument)
///         when the folder's parts disagree (sizes of plan, areas, shapes, report).
std::vector<std::string> write_plan_folder(const std::string& dir, const PlanFolder& folder,
                                           const PlanFolderWriteOptions& options = {});

/// Throws what write_plan_folder() would throw for a protected target, before any work: a run
/// that would replace an input stops at once rather than after the partition. O(files).
/// @throws Error(io_write) naming the first file of the folder that is an input.
void check_plan_folder_target(const std::string& dir, const PlanFolderWriteOptions& options);

/// rejected.csv text: every transformer left out, with file, layer, FID, id, code and reason;
/// text columns always quoted (ids such as 00123 stay text in a spreadsheet). O(rows).
std::string rejected_csv(const std::vector<Rejected>& rejected);

/// What read_plan_folder() reads besides the folder.
struct PlanFolderReadOptions {
    /// Admin boundaries (as given to `plan`): the territory gets their levels and the report's
    /// grid communities are taken from them. Default: none (the stored communities are kept).
    std::vector<LayerSource> boundaries;
    /// Road lines (Territory::roads) for travel along roads. Default: none.
    std::vector<LayerSource> roads;
    std::string unit_id_field = "id";     ///< Admin unit id field. Default: "id".
    std::string unit_name_field = "name"; ///< Admin unit name field. Default: "name".
    ProgressFn progress;                  ///< Progress callback. Default: none.
};

/// Reads a plan folder written by write_plan_folder(): grids.gpkg (its three layers) and
/// report.json. The transformers come in the working CRS chosen by the one rule of
/// read_inputs() (the file's own when projected in metres, else its UTM zone), named in
/// territory.work_crs_name; the grids in the grids layer's order (the plan's own), their
/// shapes dissolved from the service areas. The nest level is report.options.partition.nest_level;
/// plan.grid_nest_unit is npos (units are not stored). O(transformers log transformers).
/// @throws Error(invalid_input) naming the folder and the fix when it is not a plan folder
///         (missing files, layers or columns; a transformer in an unknown grid; a grid without
///         transformers or across stations; report.json not matching grids.gpkg);
///         Error(io_open) when a file cannot be read.
PlanFolder read_plan_folder(const std::string& dir, const PlanFolderReadOptions& options = {});

// ---------------------------------------------------------------------------------------------
// The check folder: what `grid-partition check --out` writes.

/// One admin level as check sees it.
struct CheckLevel {
    std::string name;                         ///< Level name.
    std::size_t units = 0;                    ///< Units read.
    std::size_t units_without_transformer = 0; ///< Of those, attached to a neighbour.
};

/// The figures of the inputs and every problem found (check_report.json).
struct CheckReport {
    std::string transformers_file;   ///< Source of the transformers.
    std::size_t transformers_read = 0; ///< In the model + rejected.
    std::size_t transformers = 0;    ///< In the model.
    std::size_t rejected = 0;        ///< Left out (listed in rejected.csv).
    double customers = 0.0;          ///< Customers in the model.
    std::vector<std::pair<std::string, double>> classes; ///< Customers per class, by class name.
    bool customer_layer = false;     ///< Customer points were given.
    std::size_t customer_points = 0; ///< Customer points matched to a transformer.
    std::size_t stations = 0;        ///< Distinct station ids.
    bool feeder_layer = false;       ///< A feeder layer was given.
    std::size_t feeders = 0;         ///< Feeders in the feeder layer (or named by transformers without one).
    std::size_t feeders_named = 0;   ///< Distinct feeder ids the transformers name.
    std::size_t feeder_links = 0;    ///< Transformer-to-transformer feeder links.
    std::vector<CheckLevel> levels;  ///< Admin levels, coarsest first.
    std::string work_crs;            ///< Working CRS name.
    bool areas_built = false;        ///< Service areas were built (some transformer entered the model).
    std::size_t service_areas = 0;   ///< Service areas.
    double study_area_km2 = 0.0;     ///< Their total area.
    std::string study_area;          ///< What bounds the study area (boundaries, hull, ...).
    std::size_t vertices = 0;        ///< Graph vertices.
    std::size_t border_edges = 0;    ///< Graph edges by shared border.
    std::size_t feeder_edges = 0;    ///< Graph edges by feeder link.
    std::size_t barrier_edges = 0;   ///< Graph edges across a barrier line.
    std::size_t barriers = 0;        ///< Barrier lines read.
    std::size_t components_by_border = 0; ///< Connected pieces by shared borders.
    std::size_t components = 0;      ///< Connected pieces with feeder links.
    std::size_t errors = 0;          ///< Issues of severity error.
    std::size_t warnings = 0;        ///< Issues of severity warning.
    std::size_t notes = 0;           ///< Issues of severity info.
    std::vector<Issue> issues;       ///< Every issue.
    std::vector<Rejected> rejected_features; ///< Every transformer left out.
};

/// The check report of inputs read and validated; `areas` and `graph` may be null (nothing
/// entered the model). `feeder_layer` and `customer_layer` say whether those inputs were given.
/// O(transformers + edges).
CheckReport make_check_report(const Territory& territory, const ValidationReport& report, const ServiceAreas* areas,
                              const AdjacencyGraph* graph, bool feeder_layer, bool customer_layer);

/// The figures as `grid-partition check` prints them, one line each, indented by two spaces.
std::string check_text(const CheckReport& report);

/// check_report.json text. O(size).
std::string to_json(const CheckReport& report);

/// Writes the check folder atomically: the layers `service_areas` (with area and component),
/// `transformers` and `adjacency` (one line per graph edge) in each format when service areas
/// were built, `check_report.json` and `rejected.csv`. Never over an input (`options.protect`).
/// @returns the paths written (a Shapefile's sidecars left out).
/// @throws Error(io_write) as write_plan_folder().
std::vector<std::string> write_check_folder(const std::string& dir, const Territory& territory,
                                            const ServiceAreas* areas, const AdjacencyGraph* graph,
                                            const CheckReport& report, const PlanFolderWriteOptions& options);

} // namespace libgrid
