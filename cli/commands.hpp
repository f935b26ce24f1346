// Subcommand registration: each subcommand adds its flags and sets the action to run.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>

namespace gp {

/// `grid-partition check`.
void register_check(CLI::App& root, std::function<int()>& action);

/// `grid-partition plan`.
void register_plan(CLI::App& root, std::function<int()>& action);

/// `grid-partition evaluate` (the grids a utility already has).
void register_evaluate(CLI::App& root, std::function<int()>& action);
/// `grid-partition replan` (the grids in force, rebalanced under a budget on what moves).
void register_replan(CLI::App& root, std::function<int()>& action);

/// `grid-partition assign` (managers for an existing plan folder).
void register_assign(CLI::App& root, std::function<int()>& action);
/// `grid-partition locate`.
void register_locate(CLI::App& root, std::function<int()>& action);
/// `grid-partition render`.
void register_render(CLI::App& root, std::function<int()>& action);

/// Draws every map of the plan in `plan_dir` into `plan_dir/maps` with render's defaults (used by
/// `plan --maps`). Returns the exit code.
int render_plan_maps(const std::string& plan_dir, bool quiet);

} // namespace gp
