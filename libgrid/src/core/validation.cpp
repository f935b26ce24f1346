#include <libgrid/model.hpp>
#include <libgrid/validation.hpp>

#include <string_view>

#include <fmt/format.h>

namespace libgrid {

const char* issue_name(IssueCode code) noexcept
{
    switch (code) {
    case IssueCode::file_unreadable: return "file_unreadable";
    case IssueCode::layer_not_found: return "layer_not_found";
    case IssueCode::field_missing: return "field_missing";
    case IssueCode::crs_missing: return "crs_missing";
    case IssueCode::id_missing: return "id_missing";
    case IssueCode::id_duplicate: return "id_duplicate";
    case IssueCode::customers_invalid: return "customers_invalid";
    case IssueCode::geometry_empty: return "geometry_empty";
    case IssueCode::geometry_repaired: return "geometry_repaired";
    case IssueCode::geometry_wrong_type: return "geometry_wrong_type";
    case IssueCode::outside_boundaries: return "outside_boundaries";
    case IssueCode::units_overlap: return "units_overlap";
    case IssueCode::feeder_unknown_end: return "feeder_unknown_end";
    case IssueCode::feeder_unknown: return "feeder_unknown";
    case IssueCode::node_unknown: return "node_unknown";
    case IssueCode::unit_without_transformer: return "unit_without_transformer";
    case IssueCode::islands: return "islands";
    case IssueCode::value_invalid: return "value_invalid";
    case IssueCode::unit_not_nested: return "unit_not_nested";
    case IssueCode::customer_unknown_transformer: return "customer_unknown_transformer";
    case IssueCode::excluded_by_filter: return "excluded_by_filter";
    case IssueCode::transformer_no_area: return "transformer_no_area";
    case IssueCode::station_unknown: return "station_unknown";
    case IssueCode::manager_field_invalid: return "manager_field_invalid";
    case IssueCode::area_part_moved: return "area_part_moved";
    case IssueCode::areas_overlap: return "areas_overlap";
    case IssueCode::managers_infeasible: return "managers_infeasible";
    case IssueCode::outside_grids: return "outside_grids";
    case IssueCode::grids_overlap: return "grids_overlap";
    case IssueCode::transformer_unknown: return "transformer_unknown";
    case IssueCode::crs_converted: return "crs_converted";
    case IssueCode::grid_empty: return "grid_empty";
    case IssueCode::change_invalid: return "change_invalid";
    }
    return "unknown";
}

std::size_t ValidationReport::count(Severity severity) const noexcept
{
    std::size_t n = 0;
    for (const auto& issue : issues)
        if (issue.severity == severity) ++n;
    return n;
}

void ValidationReport::merge(const ValidationReport& other)
{
    issues.insert(issues.end(), other.issues.begin(), other.issues.end());
    rejected.insert(rejected.end(), other.rejected.begin(), other.rejected.end());
}

bool issue_code_from_name(const std::string& name, IssueCode& code) noexcept
{
    for (int c = 1;; ++c) {
        const char* n = issue_name(static_cast<IssueCode>(c));
        if (name == n) {
            code = static_cast<IssueCode>(c);
            return true;
        }
        if (std::string_view(n) == "unknown") return false;
    }
}

std::string format_issue(const Issue& issue)
{
    const char* sev = issue.severity == Severity::error     ? "error"
                      : issue.severity == Severity::warning ? "warning"
                                                            : "info";
    std::string where;
    if (!issue.file.empty()) where += issue.file;
    if (!issue.layer.empty()) where += fmt::format("{}layer '{}'", where.empty() ? "" : ", ", issue.layer);
    if (!issue.feature_id.empty())
        where += fmt::format("{}feature '{}'", where.empty() ? "" : ", ", issue.feature_id);
    std::string line = fmt::format("{} [{}]: {}{}{}", sev, issue_name(issue.code), where,
                                   where.empty() ? "" : ": ", issue.message);
    if (!issue.fix.empty()) line += fmt::format(" (fix: {})", issue.fix);
    return line;
}

double Territory::total_customers() const noexcept
{
    double s = 0.0;
    for (const auto& t : transformers) s += t.customers;
    return s;
}

} // namespace libgrid
