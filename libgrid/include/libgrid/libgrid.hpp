// libgrid/libgrid.hpp: the umbrella header; includes every public libgrid header.
#pragma once

#include <libgrid/error.hpp>
#include <libgrid/geometry_types.hpp>
#include <libgrid/graph.hpp>
#include <libgrid/io.hpp>
#include <libgrid/locate.hpp>
#include <libgrid/model.hpp>
#include <libgrid/progress.hpp>
#include <libgrid/service_areas.hpp>
#include <libgrid/validate.hpp>
#include <libgrid/validation.hpp>
