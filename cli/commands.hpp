// Subcommand registration: each subcommand adds its flags and sets the action to run.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>

namespace gp {

/// `grid-partition check`.
void register_check(CLI::App& root, std::function<int()>& action);

/// `grid-partition plan`.
void register_plan(CLI::App& root, std::function<int()>& action);

/// `grid-partition assign` (managers for an existing plan folder).
void register_assign(CLI::App& root, std::function<int()>& action);
/// `grid-partition locate`.
void register_locate(CLI::App& root, std::function<int()>& action);

} // namespace gp
