// Shared by the benchmarks: per-stage peak memory and medians.
#pragma once

#include <malloc.h>
#include <sys/resource.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

namespace bench {

/// Resets the kernel's resident high-water mark (VmHWM) so that the next peak_mib() is the
/// peak of what runs in between.
inline void reset_peak()
{
    // Give freed heap back to the kernel first, or the retained pages of earlier stages and
    // runs would count as this stage's peak.
    malloc_trim(0);
    std::ofstream("/proc/self/clear_refs") << "5";
}

/// Peak resident memory since the last reset_peak(), MiB.
inline double peak_mib()
{
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
    return 0.0;
}

/// CPU time of the whole process so far (user + system, all threads), seconds. On a machine
/// shared with other work a stage's CPU time moves much less than its wall time.
inline double cpu_seconds()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    auto sec = [](const timeval& t) { return static_cast<double>(t.tv_sec) + 1e-6 * static_cast<double>(t.tv_usec); };
    return sec(u.ru_utime) + sec(u.ru_stime);
}

/// Median (mean of the middle two for an even count; 0 for none).
inline double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    if (v.empty()) return 0.0;
    return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
}

} // namespace bench
