// Private helper of the geometry module: independent GEOS jobs on several threads, each thread
// with its own GEOS context (contexts are not thread-safe). core/parallel.hpp does the rest.
#pragma once

#include "core/parallel.hpp"
#include "geometry/geos_wrap.hpp"

#include <cstddef>

namespace libgrid::detail {

/// Runs job(i, ctx) for every i in [0, jobs) as parallel_for_each_state() does, each thread
/// with its own geos::Context.
template <class Job, class Progress>
void parallel_jobs(std::size_t jobs, std::size_t threads, Job&& job, Progress&& progress)
{
    parallel_for_each_state<geos::Context>(jobs, threads, job, progress);
}

} // namespace libgrid::detail
