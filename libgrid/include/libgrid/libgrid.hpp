/// @file
/// @brief The umbrella header; includes every public libgrid header.
#pragma once

#include <libgrid/assign.hpp>
#include <libgrid/csv.hpp>
#include <libgrid/error.hpp>
#include <libgrid/geometry_types.hpp>
#include <libgrid/graph.hpp>
#include <libgrid/io.hpp>
#include <libgrid/locate.hpp>
#include <libgrid/manager.hpp>
#include <libgrid/metrics.hpp>
#include <libgrid/model.hpp>
#include <libgrid/partition.hpp>
#include <libgrid/plan_folder.hpp>
#include <libgrid/plan_layers.hpp>
#include <libgrid/progress.hpp>
#include <libgrid/render.hpp>
#include <libgrid/service_areas.hpp>
#include <libgrid/validate.hpp>
#include <libgrid/validation.hpp>
#include <libgrid/verify.hpp>

/// @namespace libgrid
/// @brief Every public type and function of libgrid: the territory model (model.hpp) and one
/// function per pipeline step, from read_inputs() to verify_plan(), assign_managers() and
/// write_tables().
