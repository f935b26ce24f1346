// The one parallel_for of libgrid: independent jobs on several threads, results by index.
//
// Jobs write their results into slots chosen by job index, never in completion order, so that
// results do not depend on the number of threads. Every module that runs work in parallel
// (geometry, partition, render) uses this and starts no thread of its own.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace libgrid::detail {

/// Threads to use for `requested` (0 = one per core), never more than `jobs`, at least 1.
inline std::size_t thread_count(std::size_t requested, std::size_t jobs)
{
    std::size_t t = requested;
    if (t == 0) t = std::max(1u, std::thread::hardware_concurrency());
    return std::max<std::size_t>(1, std::min(t, jobs));
}

/// Runs job(i, state) for every i in [0, jobs) on up to `threads` threads (0 = one per core),
/// the calling thread included, each thread with its own default-constructed `State` (e.g. a
/// GEOS context, which is not thread-safe); jobs are handed out in index order. After every job
/// the calling thread calls progress(jobs done so far) (only the calling thread, so the
/// callback need not be thread-safe). When jobs throw, the remaining jobs are skipped and the
/// exception of the lowest-numbered failed job is rethrown once every thread has stopped.
template <class State, class Job, class Progress>
void parallel_for_each_state(std::size_t jobs, std::size_t threads, Job&& job, Progress&& progress)
{
    const std::size_t nthreads = thread_count(threads, jobs);
    std::atomic<std::size_t> next{0};
    std::atomic<std::size_t> done{0};
    std::atomic<bool> failed{false};
    std::mutex error_mutex;
    std::size_t error_job = jobs;
    std::exception_ptr error;
    auto run = [&](bool caller) {
        try {
            State state;
            for (;;) {
                if (failed.load(std::memory_order_relaxed)) return;
                const std::size_t i = next.fetch_add(1);
                if (i >= jobs) return;
                try {
                    job(i, state);
                } catch (...) {
                    const std::lock_guard<std::mutex> lock(error_mutex);
                    if (i < error_job) {
                        error_job = i;
                        error = std::current_exception();
                    }
                    failed = true;
                    return;
                }
                const std::size_t d = done.fetch_add(1) + 1;
                if (caller) progress(d);
            }
        } catch (...) { // the state itself could not be made
            const std::lock_guard<std::mutex> lock(error_mutex);
            if (!error) error = std::current_exception();
            failed = true;
        }
    };
    std::vector<std::thread> pool;
    pool.reserve(nthreads - 1);
    try {
        for (std::size_t t = 1; t < nthreads; ++t) pool.emplace_back(run, false);
    } catch (...) {
        // No thread to spare: the threads started and the caller do the work.
    }
    run(true);
    for (std::thread& th : pool) th.join();
    if (error) std::rethrow_exception(error);
}

/// parallel_for_each_state() without per-thread state: job(i).
template <class Job, class Progress>
void parallel_for(std::size_t jobs, std::size_t threads, Job&& job, Progress&& progress)
{
    struct NoState {};
    parallel_for_each_state<NoState>(
        jobs, threads, [&job](std::size_t i, NoState&) { job(i); }, progress);
}

} // namespace libgrid::detail
