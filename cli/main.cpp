// grid-partition: the command line over libgrid. The one try/catch of the program lives here
// and maps errors to exit codes (see common.hpp).
#include "commands.hpp"
#include "common.hpp"

#include <libgrid/error.hpp>

#include <fmt/format.h>

#include <cstdio>
#include <exception>

int main(int argc, char** argv)
{
    CLI::App app{"grid-partition: balanced, contiguous service grids from GIS files\n"
                 "Exit status: 0 success, 1 the inputs hold errors, 2 bad command line,\n"
                 "3 an input or output failed, 4 internal error,\n"
                 "5 plan --strict: a station is outside the balance tolerance."};
    app.set_version_flag("--version", "grid-partition 0.1.0");
    app.set_config("--config", "", "Read options from a TOML or INI file (a [check], [plan], [evaluate] or [assign] section per subcommand)");
    app.require_subcommand(1);
    std::function<int()> action;
    gp::register_check(app, action);
    gp::register_plan(app, action);
    gp::register_evaluate(app, action);
    gp::register_replan(app, action);
    gp::register_assign(app, action);
    gp::register_locate(app, action);
    gp::register_render(app, action);
    try {
        app.parse(argc, argv);
        return action ? action() : gp::exit_usage;
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        return code == 0 ? gp::exit_ok : gp::exit_usage;
    } catch (const libgrid::Error& e) {
        std::fflush(stdout);
        fmt::print(stderr, "grid-partition: error: {}\n", e.what());
        // invalid_input means the data make the step impossible (e.g. an atom heavier than
        // --max-load): the planner's to fix, like a validation error, so it shares exit 1.
        // invalid_option means options that contradict the data (an unknown --nest-level, a
        // station in --grids-per-station that no transformer names): a command-line mistake.
        switch (e.code()) {
        case libgrid::ErrorCode::internal: return gp::exit_bug;
        case libgrid::ErrorCode::invalid_input: return gp::exit_data_errors;
        case libgrid::ErrorCode::invalid_option: return gp::exit_usage;
        default: return gp::exit_failure;
        }
    } catch (const std::exception& e) {
        std::fflush(stdout);
        fmt::print(stderr, "grid-partition: internal error: {} (please report this)\n", e.what());
        return gp::exit_bug;
    }
}
