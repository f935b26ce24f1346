// The consumer's own helper, in a second translation unit: both include the umbrella header,
// so a non-inline definition in a public header would fail to link.
#pragma once

#include <libgrid/libgrid.hpp>

#include <string>

std::string summarise(const libgrid::Plan& plan);
