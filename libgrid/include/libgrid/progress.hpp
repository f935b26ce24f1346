/// @file
/// @brief How long-running steps report progress to the caller.
///
/// libgrid never prints. Steps that take more than a moment call the callback given in their
/// options; the CLI turns the calls into a progress line on stderr.
#pragma once

#include <functional>
#include <string_view>

namespace libgrid {

/// One progress event.
struct Progress {
    std::string_view stage; ///< Stage name, e.g. "service areas".
    double fraction = 0.0;  ///< Completed share of the stage, 0..1 (1 means the stage ended).
};

/// Progress callback. Called from the calling thread; must not throw. Empty means silent.
using ProgressFn = std::function<void(const Progress&)>;

} // namespace libgrid
