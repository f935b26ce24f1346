// Lower bounds on the achievable balance: what no plan can beat, reported next to what was
// achieved so that planners can tell a weak plan from coarse atoms.
#include "partition/internal.hpp"

#include <libgrid/partition.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>

namespace libgrid {
namespace detail {

double balance_lower_bound(const std::vector<double>& weights, std::size_t parts, double target)
{
    if (parts == 0 || weights.empty() || !(target > 0.0)) return 0.0;
    const double total = std::accumulate(weights.begin(), weights.end(), 0.0);
    // (1) Some part carries at least the average and some at most it.
    double bound = std::abs(total / static_cast<double>(parts) / target - 1.0);
    // (2) The heaviest atom lies whole in one part.
    const double heaviest = *std::max_element(weights.begin(), weights.end());
    bound = std::max(bound, heaviest / target - 1.0);
    if (parts == 1) return std::max(bound, std::abs(total / target - 1.0));
    // (3) Every part's load is a subset sum of the atoms: no part can come closer to the target
    //     than the nearest subset sum. Weights are scaled to integers so that the subset sums
    //     up to twice the target fit in a bitset of at most ~1M bits.
    const double limit = 2.0 * target;
    const double scale = std::min(1.0, 1048576.0 / limit);
    const std::size_t bits = static_cast<std::size_t>(std::ceil(limit * scale)) + 2;
    std::vector<std::uint64_t> reach((bits + 63) / 64, 0);
    reach[0] = 1;
    // Rounding each weight moves a subset sum by at most half a unit per atom; to stay a valid
    // bound the nearest sum is widened by the total rounding slack of the atoms it may use.
    double max_round_error = 0.0;
    for (double w : weights) {
        const double scaled = w * scale;
        const auto shift = static_cast<std::size_t>(std::llround(scaled));
        max_round_error = std::max(max_round_error, std::abs(scaled - static_cast<double>(shift)));
        if (shift == 0 || shift >= bits) continue;
        // reach |= reach << shift, from the top down so each atom is used at most once.
        const std::size_t word = shift / 64, bit = shift % 64;
        for (std::size_t i = reach.size(); i-- > word;) {
            std::uint64_t v = reach[i - word] << bit;
            if (bit && i - word >= 1) v |= reach[i - word - 1] >> (64 - bit);
            reach[i] |= v;
        }
    }
    const double goal = target * scale;
    double nearest = 1e300;
    for (std::size_t s = 1; s < bits; ++s)
        if (reach[s / 64] >> (s % 64) & 1ULL) nearest = std::min(nearest, std::abs(static_cast<double>(s) - goal));
    // Atoms in one part: at most all of them; the slack bounds the rounding effect.
    const double slack = max_round_error * static_cast<double>(weights.size());
    if (nearest < 1e300) {
        const double gap = std::max(0.0, nearest - slack) / scale;
        bound = std::max(bound, gap / target);
    }
    // (4) Some part carries at least the average, so at least the smallest subset sum that
    //     reaches it; and some part at most the average, so at most the largest subset sum not
    //     above it. With whole customers, 1,177 into 78 parts (15.09 each) puts some part at 16.
    const double average = total / static_cast<double>(parts) * scale;
    double up = 1e300, down = -1.0;
    for (std::size_t s = 0; s < bits; ++s) {
        if (!(reach[s / 64] >> (s % 64) & 1ULL)) continue;
        const auto sum = static_cast<double>(s);
        if (sum + slack >= average) up = std::min(up, sum - slack);
        if (sum - slack <= average) down = std::max(down, sum + slack);
    }
    if (up < 1e300) bound = std::max(bound, up / scale / target - 1.0);
    if (down >= 0.0) bound = std::max(bound, 1.0 - down / scale / target);
    return bound;
}

} // namespace detail

double balance_lower_bound(const std::vector<double>& weights, std::size_t parts)
{
    if (parts == 0 || weights.empty()) return 0.0;
    const double total = std::accumulate(weights.begin(), weights.end(), 0.0);
    return detail::balance_lower_bound(weights, parts, total / static_cast<double>(parts));
}

} // namespace libgrid
