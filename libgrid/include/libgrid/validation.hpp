/// @file
/// @brief Data problems as values.
///
/// Reading and validating inputs never stops at the first problem: every problem found is an
/// Issue in a ValidationReport, with the file, layer and feature it concerns, what is wrong and
/// how to fix it. Transformers that cannot enter the model are listed as Rejected with their
/// reason, so that nothing is silently dropped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace libgrid {

/// How serious an issue is.
enum class Severity : int {
    info = 0,    ///< A fact worth knowing (e.g. an empty admin unit was attached to a neighbour).
    warning = 1, ///< Data was repaired or is suspicious; the run can go on.
    error = 2,   ///< Data is wrong; `check` exits non-zero and `plan` refuses to run.
};

/// Kinds of issue. Append-only: existing values never change meaning or number.
enum class IssueCode : int {
    file_unreadable = 1,      ///< A file cannot be opened as a vector dataset.
    layer_not_found = 2,      ///< A named layer does not exist.
    field_missing = 3,        ///< A required (or mapped) field does not exist.
    crs_missing = 4,          ///< A layer has no CRS and no --assume-crs was given.
    id_missing = 5,           ///< A feature has a null or empty id.
    id_duplicate = 6,         ///< Two features of one layer share an id.
    customers_invalid = 7,    ///< Customer count missing, non-numeric or negative.
    geometry_empty = 8,       ///< Null or empty geometry.
    geometry_repaired = 9,    ///< An invalid polygon was repaired with MakeValid.
    geometry_wrong_type = 10, ///< Geometry of a type the layer's role cannot use.
    outside_boundaries = 11,  ///< A transformer lies outside every admin unit.
    units_overlap = 12,       ///< Two admin units of one level overlap.
    feeder_unknown_end = 13,  ///< A feeder edge names a transformer that does not exist.
    feeder_unknown = 14,      ///< A transformer names a feeder the feeder layer does not have.
    node_unknown = 15,        ///< A transformer names a network node the feeder layer lacks.
    unit_without_transformer = 16, ///< An admin unit holds no transformer; attached to a neighbour.
    islands = 17,             ///< The adjacency graph has more than one connected component.
    value_invalid = 18,       ///< A numeric attribute other than customers is not a number.
    unit_not_nested = 19,     ///< An admin unit lies in no unit of the next coarser level.
    customer_unknown_transformer = 20, ///< A customer point names an unknown transformer.
    excluded_by_filter = 21,  ///< Features left out by a --where filter (counted, informational).
    transformer_no_area = 22, ///< A transformer's service area came out empty.
    station_unknown = 23,     ///< A manager names a station that holds no grid.
    manager_field_invalid = 24, ///< A manager's capacity or max_grids is missing or not a valid number.
    area_part_moved = 25,     ///< A part of a transformer's area, cut off by an admin border, went to a neighbour.
    areas_overlap = 26,       ///< Two given transformer polygons overlap; the overlap stays with the first.
    managers_infeasible = 27, ///< A station's grids do not fit its managers (no manager, capacity or max_grids).
    outside_grids = 28,       ///< A transformer lies in no current grid (evaluate, replan); left out and listed.
    grids_overlap = 29,       ///< A transformer lies in two current grids, or a grid table gives it two grids.
    transformer_unknown = 30, ///< A grid table names a transformer the inputs do not have.
    crs_converted = 31,       ///< A layer was brought from its own CRS into the working CRS (informational).
    grid_empty = 32,          ///< A current grid holds no transformer (evaluate, replan); it is left out.
    change_invalid = 33,      ///< A row of a changes table (replan --changes) that cannot be applied.
};

/// Short name of an issue code, e.g. "id_duplicate". O(1), never throws.
/// @returns a static string, never null: "unknown" for a value outside the enum.
const char* issue_name(IssueCode code) noexcept;

/// The code whose issue_name() is `name`, e.g. "id_duplicate" (reading a written report back).
/// O(codes). @returns false, leaving `code` as it was, for a name no code has.
bool issue_code_from_name(const std::string& name, IssueCode& code) noexcept;

/// One problem found in the inputs.
struct Issue {
    Severity severity = Severity::error; ///< How serious.
    IssueCode code = IssueCode::file_unreadable; ///< What kind of problem.
    std::string file;       ///< Input file path ("" when not file-specific).
    std::string layer;      ///< Layer name ("" when not layer-specific).
    std::string feature_id; ///< Id attribute of the feature, or "fid N" when it has none.
    std::string message;    ///< What is wrong, one sentence.
    std::string fix;        ///< How to fix it ("" when nothing can be suggested).
};

/// A transformer that did not enter the model, with the reason.
struct Rejected {
    std::string file;        ///< Input file.
    std::string layer;       ///< Input layer.
    std::int64_t fid = -1;   ///< OGR feature id in that layer.
    std::string id;          ///< Id attribute as read ("" when missing).
    IssueCode code = IssueCode::id_missing; ///< Why.
    std::string reason;      ///< The same message as the matching Issue.
};

/// Every problem found by reading and validation, in the order found.
struct ValidationReport {
    std::vector<Issue> issues;       ///< All issues.
    std::vector<Rejected> rejected;  ///< Transformers left out of the model.

    /// Number of issues with the given severity. O(issues).
    std::size_t count(Severity severity) const noexcept;
    /// True when there is no error (warnings and infos allowed). O(issues).
    bool ok() const noexcept { return count(Severity::error) == 0; }
    /// Appends an issue. Amortised O(1).
    void add(Issue issue) { issues.push_back(std::move(issue)); }
    /// Appends all issues and rejections of another report, after this one's. O(other's size).
    void merge(const ValidationReport& other);
};

/// Formats one issue as a single line:
/// ``error [<code name>]: <file>, layer '<layer>', feature '<id>': <message> (fix: <fix>)``;
/// empty parts are left out with their labels. O(length of the line).
std::string format_issue(const Issue& issue);

} // namespace libgrid
