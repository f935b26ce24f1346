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
