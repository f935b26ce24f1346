// libgrid/assign.hpp: assigning grid managers to the grids of a plan.
//
// Every grid gets exactly one manager of its station; a manager may hold several grids,
// preferably adjacent ones, under a load capacity and an optional grid count. Among the
// assignments that respect these, the one minimising
//
//   sum over grids of  travel_km(manager's base, grid's load-weighted centre)
//                    + continuity_km x (best share - share), where share is the share of the
//                      grid's customers (with a current manager) whose current manager is the
//                      new one, and best share the largest any manager of the station reaches
//   + adjacency_km x sum over managers of (connected groups of their grids - 1)
//   + move_km x (grids taken from the manager in force, when an assignment is in force)
//
// Managers stay put: with an assignment in force (AssignOptions::in_force, e.g. the plan
// folder's), move_km outweighs every other term, so a grid changes manager only when its
// manager left the roster or capacities force it, and each change says why.
//
// is sought. Small stations are solved exactly (branch and bound); larger ones start from the
// rounded min-cost-flow (transportation) relaxation and are improved by moves and swaps. The
// relaxations give a lower bound, so the result says how far from optimal it can be at most.
#pragma once

#include <libgrid/graph.hpp>
#include <libgrid/manager.hpp>
#include <libgrid/model.hpp>
#include <libgrid/partition.hpp>
#include <libgrid/progress.hpp>
#include <libgrid/validation.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace libgrid {

/// Options for assign_managers().
struct AssignOptions {
    /// Price of continuity: a grid whose customers all get a new manager costs this many km of
    /// travel more than one whose customers all keep theirs (grids without current-manager
    /// data, or whose current managers are not on the roster, cost nothing here). Units: km.
    /// Default: 100 (continuity nearly always wins).
    double continuity_km = 100.0;
    /// Price of scattering: each connected group of a manager's grids beyond the first (grids
    /// are adjacent when their transformer areas share a border; a feeder link alone does not
    /// join them, as on the map) costs this many km. Units: km. Default: 5.
    double adjacency_km = 5.0;
    /// The assignment in force: per grid (plan order), the id of the manager holding it today,
    /// "" for a grid without one. Default: empty = no assignment in force (every grid is
    /// assigned afresh). Otherwise of size plan.num_grids().
    std::vector<std::string> in_force;
    /// Price of taking a grid from its manager in force while that manager is still on the
    /// station's roster. Units: km. Default: 1000, more than any travel, continuity or adjacency
    /// saving, so that a grid moves only when its manager left or capacities force it.
    double move_km = 1000.0;
    /// When a station's grids do not fit its managers' capacities and max_grids: assign anyway
    /// with every capacity raised by the smallest common factor that makes them fit (max_grids
    /// dropped), and report how far each manager is over (Assignment::over_capacity) instead of
    /// throwing. Default: false.
    bool allow_infeasible = false;
    /// Stations whose exact search space (managers ^ grids) is at most this are solved
    /// exactly by branch and bound. Default: 200000.
    double exact_limit = 200000.0;
    /// Improvement passes of the local search per station. Default: 50.
    std::size_t max_passes = 50;
    ProgressFn progress; ///< Progress callback. Default: none.
};

/// Figures of one manager in an Assignment.
struct ManagerFigures {
    std::size_t grids = 0;      ///< Grids held.
    double load = 0.0;          ///< Total load of those grids.
    double customers = 0.0;     ///< Total customers.
    double travel_km = 0.0;     ///< Sum over its grids of the km from base to grid centre (by road when roads are given).
    double kept_customers = 0.0;  ///< Customers whose current manager is this manager.
    double known_customers = 0.0; ///< Customers (of its grids) with a current manager at all.
    std::size_t groups = 0;     ///< Connected groups its grids form (0 without grids).
};

/// Figures of one station (or the whole plan) in an Assignment.
struct AssignSummary {
    std::size_t grids = 0;          ///< Grids.
    std::size_t managers = 0;       ///< Managers on the roster.
    std::size_t managers_used = 0;  ///< Managers holding at least one grid.
    double load = 0.0;              ///< Total load.
    double capacity = 0.0;          ///< Total capacity of the roster.
    double max_capacity_use = 0.0;  ///< Max over managers of load / capacity.
    double travel_km = 0.0;         ///< Total travel (one trip per grid).
    /// Share of customers with a current manager who keep theirs; -1 when none has one.
    double continuity = -1.0;
    /// Share of the pairs of grids held by one manager that are adjacent; -1 when no manager
    /// holds two grids.
    double adjacent_pair_share = -1.0;
    /// Share of managers holding two or more grids whose grids form one connected group; -1
    /// when none holds two.
    double one_group_share = -1.0;
    double objective = 0.0;   ///< The objective of the assignment (see the file comment).
    double lower_bound = 0.0; ///< No assignment can have a smaller objective.
    /// (objective - lower_bound) / objective (0 when the objective is 0): at most this far from
    /// optimal.
    double gap = 0.0;
    bool exact = false;       ///< Solved to proven optimality (every station, for the overall).
    std::size_t kept = 0;         ///< Grids keeping their manager in force.
    std::size_t moved = 0;        ///< Grids with a manager in force that got another one.
    std::size_t manager_left = 0; ///< Of `moved`: because their manager left the roster.
    std::size_t capacity_moves = 0; ///< Of `moved`: because capacities forced it.
    bool capacity_raised = false; ///< AssignOptions::allow_infeasible raised capacities here.
};

/// What happened to a grid's manager against the assignment in force (AssignOptions::in_force).
enum class ManagerChange : std::uint8_t {
    fresh,        ///< No manager in force for the grid (first assignment, or a new grid).
    kept,         ///< The grid keeps its manager in force.
    manager_left, ///< Its manager in force is not on the station's roster any more.
    capacity,     ///< Moved because its manager in force cannot carry all of their grids.
    cost,         ///< Moved because the saving outweighed AssignOptions::move_km.
};

/// Short name of a change, e.g. "manager_left". O(1), never throws.
const char* change_name(ManagerChange change) noexcept;

/// The result of assign_managers().
struct Assignment {
    /// The roster used, in input order; a manager without a base got its station's
    /// load-weighted centre (has_base stays false).
    std::vector<Manager> managers;
    std::vector<std::size_t> grid_manager; ///< Per grid (plan order): index into `managers`.
    std::vector<Point> grid_centre;        ///< Per grid: load-weighted centre of its transformers.
    /// Per grid: km from its manager's base to its centre, along Territory::roads when given
    /// (straight to and from the nearest road node), else in a straight line.
    std::vector<double> grid_travel_km;
    /// True when travel was measured along roads; grid pairs no road joins fall back to the
    /// straight line and are counted in `straight_fallbacks`.
    bool travel_by_road = false;
    std::size_t straight_fallbacks = 0; ///< (manager, grid) pairs priced by straight line although roads were given.
    std::vector<ManagerFigures> figures;   ///< Per manager.
    std::vector<AssignSummary> stations;   ///< Per station (plan.stations order).
    AssignSummary overall;                 ///< Whole plan.
    /// Per grid: the change against the assignment in force (all `fresh` without one).
    std::vector<ManagerChange> grid_change;
    /// Per manager: load over capacity (0 for all unless AssignOptions::allow_infeasible had
    /// to raise capacities).
    std::vector<double> over_capacity;
    /// Per grid: the id of the manager in force ("" for none), also when that manager left
    /// the roster, for tables of what changed.
    std::vector<std::string> grid_manager_before;
};

/// Checks a roster against a plan without assigning: a manager naming a station that holds no
/// grid (error station_unknown), a station without managers, capacity below load, a grid
/// heavier than every capacity of its station, max_grids too small, grids that do not pack
/// (errors naming the station, the numbers and the fix; code managers_infeasible but for the
/// unknown station). With `allow_infeasible` (AssignOptions::allow_infeasible) the capacity and
/// max_grids errors are warnings: assign_managers() then raises capacities and says so; a
/// station without managers stays an error. O(grids + managers).
ValidationReport check_roster(const Territory& territory, const Plan& plan, const std::vector<Manager>& managers,
                              bool allow_infeasible = false);

/// Numbered manager slots when no roster is given: per station, as many managers of this
/// capacity as first-fit decreasing needs to hold its grids (never fewer than load /
/// capacity rounded up), with ids `<station>-M001`, ... and no name, phone or base.
/// O(grids log grids + grids x slots).
/// @throws Error(invalid_input) naming the grid, station and numbers when a grid is heavier
///         than `capacity`; Error(invalid_option) when capacity is not a finite number > 0.
std::vector<Manager> make_manager_slots(const Plan& plan, double capacity);

/// The assignment in force as the transformers' current managers state it: per grid (plan
/// order), the current manager of most of its customers (ties: the smallest id), "" for a grid
/// none of whose transformers names one. Pass it as AssignOptions::in_force when the plan
/// folder holds no managers yet. O(n log n).
std::vector<std::string> managers_in_force(const Territory& territory, const Plan& plan);

/// Assigns one manager of its station to every grid (see the file comment for the objective).
/// Deterministic. Per station O(passes x grids x (managers + grids)) for the local search;
/// the exact search only runs where managers ^ grids <= exact_limit.
/// With an assignment in force, grids keep their managers except where a manager left or
/// capacities force a move (Assignment::grid_change says which).
/// @throws Error(invalid_input) with the first error of check_roster() when the roster
///         cannot hold the plan, or naming the station and numbers when no assignment fits
///         the capacities (bin packing), unless allow_infeasible (issue managers_infeasible).
/// @throws Error(invalid_argument) when in_force is neither empty nor of the plan's grid count.
Assignment assign_managers(const Territory& territory, const CsrGraph& graph, const Plan& plan,
                           const std::vector<Manager>& managers, const AssignOptions& options = {});

} // namespace libgrid
