/// @file
/// @brief Cross-layer validation and repair of a Territory.
#pragma once

#include <libgrid/model.hpp>
#include <libgrid/progress.hpp>
#include <libgrid/validation.hpp>

#include <cstddef>

namespace libgrid {

/// Options for validate().
struct ValidateOptions {
    /// Overlap between two units of one level larger than this is an error. Units: m^2.
    /// Default: 1.0 (slivers below a square metre are digitising noise and are ignored).
    double overlap_tolerance_m2 = 1.0;
    /// Threads testing units for overlaps and nesting at once; the report does not depend on
    /// it. Default: 0 = one per core.
    std::size_t threads = 0;
    ProgressFn progress; ///< Progress callback. Default: none.
};

/// Validates and repairs a territory in place; returns the issues found.
///
/// Repairs invalid unit and transformer polygons with MakeValid (warning); finds overlapping
/// units within a level (error, overlap removed from the later unit so that later stages see a
/// clean tiling); derives each level's nesting in the next coarser one by containment (largest
/// overlap); locates each transformer in the finest level and rejects (error) those outside
/// every unit, removing them from `territory.transformers`; checks that every transformer's
/// feeder exists when feeders were given (error). Fills `territory.transformer_unit`.
/// Complexity: O(n log n) in transformers and units (STRtree look-ups).
/// @throws Error(geometry) when GEOS fails on a polygon it was expected to handle.
ValidationReport validate(Territory& territory, const ValidateOptions& options = {});

} // namespace libgrid

namespace libgrid {

struct CurrentGrids;
struct GridTable;
struct TransformerChanges;

/// Puts each transformer of a validated territory into the current grid whose polygon holds
/// its location (`grid_of`, one id per transformer after the call). A transformer in no grid
/// is left out of the territory (warning `outside_grids`, listed in `rejected`, with the
/// nearest grid and its distance); one in two or more grids (overlapping polygons, or a point
/// on a shared border) goes to the first in layer order (warning `grids_overlap` naming them);
/// a grid holding no transformer is a warning (`grid_empty`) and is not in `grid_of`.
/// Both polygons and transformers are in the working CRS. O(n log E) for E polygon edges.
/// With `keep_unmatched` (re-planning), a transformer in no grid stays, with grid id "" and an
/// info issue (`outside_grids`): it is new, and joins a grid when re-planned.
ValidationReport match_current_grids(Territory& territory, const CurrentGrids& grids,
                                     std::vector<std::string>& grid_of, bool keep_unmatched = false);

/// The same from a transformer -> grid table: a transformer the table does not give a grid is
/// left out (warning `outside_grids`, rejected); a row naming a transformer the inputs do not
/// have is a warning (`transformer_unknown`, naming the row); a transformer given two
/// different grids keeps the first (warning `grids_overlap`). O(n + rows).
/// `keep_unmatched` as for match_current_grids(). Rows naming a transformer in `removed` (taken
/// out on purpose: ChangesApplied::removed_ids) are skipped without a word.
ValidationReport match_grid_table(Territory& territory, const GridTable& table, std::vector<std::string>& grid_of,
                                  bool keep_unmatched = false, const std::vector<std::string>& removed = {});

/// What apply_transformer_changes() did.
struct ChangesApplied {
    std::size_t added = 0;   ///< New transformers added.
    std::size_t removed = 0; ///< Transformers removed.
    std::vector<std::string> removed_ids; ///< Their ids.
    std::size_t changed = 0; ///< Customer counts set.
    ValidationReport report; ///< Rows that could not be applied.
};

/// Applies a changes table (read_transformer_changes()) to the transformers read, before
/// validate(): `new` rows are added, `removed` ones taken out (with their feeder links and
/// customer points), `customers` rows set the count (and the class counts given; classes the
/// row leaves empty keep theirs). A new id the transformers already have (`id_duplicate`), a
/// row naming a transformer they lack (`transformer_unknown`) or one both removed and changed
/// (`change_invalid`) is an error naming the table's row; that row is not applied.
/// O(n + rows).
ChangesApplied apply_transformer_changes(Territory& territory, const TransformerChanges& changes);

} // namespace libgrid
