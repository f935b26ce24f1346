// The real datasets live in ../shared/data beside the repository (CI always has them). A clone
// elsewhere skips the tests that need them, with a message; under CI (CI=true) their absence
// is a failure, so a broken CI layout cannot pass silently.
#pragma once

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace test_data {

inline bool shared_data_available()
{
    if (std::filesystem::exists(LIBGRID_SHARED_DATA)) return true;
    const char* ci = std::getenv("CI");
    if (ci && std::string(ci) == "true") {
        FAIL("the shared datasets are missing under CI: " << LIBGRID_SHARED_DATA);
        return false;
    }
    MESSAGE("skipped: the shared datasets are not beside this clone (" << LIBGRID_SHARED_DATA << ")");
    return false;
}

} // namespace test_data
