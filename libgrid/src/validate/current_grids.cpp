// match_current_grids() and match_grid_table(): which of a utility's current grids each
// transformer is in. Nothing is lost: a transformer no grid holds leaves the territory into the
// rejected list with the reason, and every doubt (two grids, an unknown id) is a warning.
#include "validate/remove.hpp"

#include <libgrid/io.hpp>
#include <libgrid/locate.hpp>
#include <libgrid/validate.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <unordered_map>
#include <unordered_set>

namespace libgrid {
namespace {

/// Leaves the transformers without a grid out, each rejected with `reason_of(i)`.
void reject_unmatched(Territory& t, std::vector<std::string>& grid_of, ValidationReport& report,
                      const std::function<std::string(std::size_t)>& reason_of, const std::string& fix, bool keep)
{
    if (keep) { // re-planning: a transformer without a grid is new and joins one
        for (std::size_t i = 0; i < t.transformers.size(); ++i)
            if (grid_of[i].empty())
                report.add(Issue{Severity::info, IssueCode::outside_grids, t.transformers_file, t.transformers_layer,
                                 t.transformers[i].id, reason_of(i) + "; taken as new, it joins a neighbouring grid",
                                 ""});
        return;
    }
    std::vector<char> drop(t.transformers.size(), 0);
    for (std::size_t i = 0; i < t.transformers.size(); ++i) {
        if (!grid_of[i].empty()) continue;
        drop[i] = 1;
        const auto& tx = t.transformers[i];
        const std::string reason = reason_of(i);
        report.add(Issue{Severity::warning, IssueCode::outside_grids, t.transformers_file, t.transformers_layer, tx.id,
                         reason, fix});
        report.rejected.push_back(
            Rejected{t.transformers_file, t.transformers_layer, tx.source_fid, tx.id, IssueCode::outside_grids, reason});
    }
    if (std::find(drop.begin(), drop.end(), 1) == drop.end()) return;
    detail::remove_transformers(t, drop);
    std::size_t next = 0;
    for (std::size_t i = 0; i < drop.size(); ++i) {
        if (drop[i]) continue;
        if (next != i) grid_of[next] = std::move(grid_of[i]); // a self-move would empty it
        ++next;
    }
    grid_of.resize(next);
}

} // namespace

ValidationReport match_current_grids(Territory& t, const CurrentGrids& grids, std::vector<std::string>& grid_of,
                                     bool keep_unmatched)
{
    ValidationReport report;
    const std::size_t n = t.transformers.size();
    grid_of.assign(n, std::string());
    std::vector<Location> at(n);
    if (!grids.grids.empty()) {
        // Two look-ups, grids in layer order and reversed: a point in two grids answers
        // differently, which finds every transformer in an overlap without pairwise tests.
        std::vector<LocatorGrid> forward, backward;
        for (const auto& g : grids.grids) forward.push_back(LocatorGrid{GridContact{g.id, "", "", "", ""}, g.shape});
        backward.assign(forward.rbegin(), forward.rend());
        const Locator first(std::move(forward));
        const Locator last(std::move(backward));
        const std::size_t G = grids.grids.size();
        for (std::size_t i = 0; i < n; ++i) {
            const Point p = t.transformers[i].location;
            at[i] = first.locate(p);
            if (!at[i].inside) continue;
            grid_of[i] = grids.grids[at[i].grid].id;
            const Location other = last.locate(p);
            if (other.grid == Location::none || G - 1 - other.grid == at[i].grid) continue;
            const auto& tx = t.transformers[i];
            report.add(Issue{Severity::warning, IssueCode::grids_overlap, t.transformers_file, t.transformers_layer,
                             tx.id,
                             fmt::format("transformer lies in current grids '{}' and '{}' of '{}' (the polygons overlap, "
                                         "or it is on their shared border); it is evaluated in '{}'",
                                         grid_of[i], grids.grids[G - 1 - other.grid].id, grids.file, grid_of[i]),
                             "redraw the grids so that they do not overlap"});
        }
    }
    std::vector<char> used(grids.grids.size(), 0);
    for (std::size_t i = 0; i < n; ++i)
        if (!grid_of[i].empty()) used[at[i].grid] = 1;
    for (std::size_t g = 0; g < grids.grids.size(); ++g)
        if (!used[g])
            report.add(Issue{Severity::warning, IssueCode::grid_empty, grids.file, grids.layer, grids.grids[g].id,
                             "current grid holds no transformer; it is left out of the evaluation",
                             "check that it belongs to this territory, or that its transformers were read"});
    reject_unmatched(
        t, grid_of, report,
        [&](std::size_t i) {
            if (at[i].grid == Location::none || !std::isfinite(at[i].distance_m))
                return std::string("transformer lies in no current grid");
            return fmt::format("transformer lies in no current grid ({:.0f} m from grid '{}')", at[i].distance_m,
                               grids.grids[at[i].grid].id);
        },
        fmt::format("extend the grids of '{}' to cover it; it is listed in rejected.csv and left out of the measures",
                    grids.file),
        keep_unmatched);
    return report;
}

ValidationReport match_grid_table(Territory& t, const GridTable& table, std::vector<std::string>& grid_of,
                                  bool keep_unmatched, const std::vector<std::string>& removed)
{
    const std::unordered_set<std::string> gone(removed.begin(), removed.end());
    ValidationReport report;
    const std::size_t n = t.transformers.size();
    grid_of.assign(n, std::string());
    std::unordered_map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < n; ++i) index.emplace(t.transformers[i].id, i);
    std::vector<std::int64_t> row_of(n, -1);
    for (const auto& row : table.rows) {
        const auto it = index.find(row.transformer_id);
        if (it == index.end()) {
            if (gone.count(row.transformer_id)) continue; // removed on purpose (a changes table)
            report.add(Issue{Severity::warning, IssueCode::transformer_unknown, table.file, table.layer,
                             fmt::format("fid {}", row.fid),
                             fmt::format("row names transformer '{}', which the transformers input does not have "
                                         "(or which it rejected); the row is ignored",
                                         row.transformer_id),
                             "correct the id, or add the transformer to the transformers input"});
            continue;
        }
        std::string& grid = grid_of[it->second];
        if (row.grid_id.empty() || grid == row.grid_id) continue;
        if (!grid.empty()) {
            report.add(Issue{Severity::warning, IssueCode::grids_overlap, table.file, table.layer,
                             fmt::format("fid {}", row.fid),
                             fmt::format("transformer '{}' is given grid '{}' here and grid '{}' in row fid {}; it is "
                                         "evaluated in '{}'",
                                         row.transformer_id, row.grid_id, grid, row_of[it->second], grid),
                             "give each transformer one row"});
            continue;
        }
        grid = row.grid_id;
        row_of[it->second] = row.fid;
    }
    reject_unmatched(
        t, grid_of, report,
        [&](std::size_t) { return fmt::format("transformer has no grid in '{}'", table.file); },
        "give it a row with its grid; it is listed in rejected.csv and left out of the measures", keep_unmatched);
    return report;
}

} // namespace libgrid
