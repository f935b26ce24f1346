/// @file
/// @brief The one exception family libgrid throws.
///
/// Expected data problems (bad ids, missing customers, invalid polygons) are never thrown: they
/// are collected as values in a ValidationReport (see validation.hpp). libgrid::Error is thrown
/// only when a step cannot produce a result at all (an output cannot be written, an argument is
/// out of range, a CRS string is not understood) or when an internal invariant fails.
#pragma once

#include <stdexcept>
#include <string>

namespace libgrid {

/// Error codes carried by Error. Append-only: existing values never change meaning or number,
/// new codes go at the end, each with its describe() text.
enum class ErrorCode : int {
    ok = 0,               ///< Not an error; never thrown.
    invalid_argument = 1, ///< An option or argument is out of range or inconsistent.
    io_open = 2,          ///< A file or dataset could not be opened.
    io_layer = 3,         ///< A named layer does not exist in a dataset.
    io_field = 4,         ///< A required field does not exist in a layer.
    io_write = 5,         ///< An output could not be written or renamed into place.
    crs = 6,              ///< A CRS is missing, not understood, or cannot be transformed.
    geometry = 7,         ///< A geometry operation failed (GEOS reported an error).
    invalid_input = 8,    ///< The inputs hold errors that block this step (see the report).
    internal = 9,         ///< A libgrid bug: an invariant did not hold.
    unsupported = 10,     ///< A format, driver or feature combination is not supported.
    /// An option names what the inputs lack (an admin level, a station, a phase) or leaves out
    /// what must be given (how many grids): the caller's options contradict the data.
    invalid_option = 11,
};

/// One-line description of an error code, e.g. "cannot open input". O(1), never throws.
/// @returns a static string, never null: "unknown error code" for a value outside the enum.
const char* describe(ErrorCode code) noexcept;

/// The exception type thrown by every libgrid function.
///
/// what() reads ``<module>: <what failed> '<object>': <why>`` followed by the fix when one is
/// known, e.g. ``io: cannot open 'tx.gpkg': No such file or directory``.
class Error : public std::runtime_error {
public:
    /// Builds an error with a code and a complete message (the format above); what() returns it.
    Error(ErrorCode code, const std::string& message);
    /// The error's code. O(1).
    ErrorCode code() const noexcept { return m_code; }

private:
    ErrorCode m_code;
};

} // namespace libgrid
