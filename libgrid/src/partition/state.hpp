// The partition state every phase works on (as Mt-KaHyPar's partitioned hypergraph): which part
// each atom is in, the parts' loads and member lists, and the checks every move needs
// (contiguity, cut cost). Phases change the plan only through move(), so loads and member lists
// can never drift from the assignment.
#pragma once

#include "partition/internal.hpp"

#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace libgrid::detail {

inline constexpr std::uint32_t no_part = std::numeric_limits<std::uint32_t>::max();

class PartitionState {
public:
    /// A state over `graph` with `parts` parts of the given target load and cap (0 = none).
    /// Every atom starts in part 0; assign() sets a real plan.
    PartitionState(const RegionGraph& graph, std::size_t parts, double target, double cap);

    /// Replaces the whole assignment (part per atom, each < parts()) and rebuilds loads and
    /// member lists. O(n).
    void assign(const std::vector<std::uint32_t>& part);

    const RegionGraph& graph() const noexcept { return m_g; }
    std::size_t size() const noexcept { return m_n; }
    std::size_t parts() const noexcept { return m_k; }
    double target() const noexcept { return m_target; }
    const std::vector<std::uint32_t>& assignment() const noexcept { return m_part; }
    std::uint32_t part(std::uint32_t v) const noexcept { return m_part[v]; }
    double load(std::uint32_t p) const noexcept { return m_load[p]; }
    double weight(std::uint32_t v) const noexcept { return m_g.weight[v]; }
    const std::vector<std::uint32_t>& members(std::uint32_t p) const noexcept { return m_members[p]; }

    /// Signed deviation of part p from the target, and of a hypothetical load.
    double dev(std::uint32_t p) const noexcept { return m_load[p] / m_target - 1.0; }
    double dev_of(double load) const noexcept { return load / m_target - 1.0; }
    /// True when `load` respects the cap.
    bool cap_ok(double load) const noexcept { return m_cap <= 0.0 || load <= m_cap * (1.0 + 1e-12); }
    /// max over parts of |dev|. O(K).
    double max_deviation() const noexcept;
    /// Sum over parts of dev^2. O(K).
    double sum_sq_deviation() const noexcept;
    /// Sum of the cost of every entry (links and affinities) between different parts. O(m).
    double cut_cost() const noexcept;

    /// Moves atom v to part `to`, updating loads, member lists and the change clock. O(1).
    void move(std::uint32_t v, std::uint32_t to);
    /// True when v's part stays connected (by links) and non-empty without v. Local search
    /// from one linked neighbour until the others are found: usually a few steps.
    bool stays_connected(std::uint32_t v);
    /// Cut-cost change of moving v to part q (negative = better), over every entry. O(deg v).
    double move_cost(std::uint32_t v, std::uint32_t q) const noexcept;
    /// True when v has a link to an atom of part p: moving v there keeps p connected.
    bool touches(std::uint32_t v, std::uint32_t p) const noexcept;
    /// Parts linked to part p, ascending. O(sum of its members' degrees).
    std::vector<std::uint32_t> neighbour_parts(std::uint32_t p) const;
    /// Atoms of p linked to q (into bp) and of q linked to p (into bq).
    void facing(std::uint32_t p, std::uint32_t q, std::vector<std::uint32_t>& bp,
                std::vector<std::uint32_t>& bq) const;
    /// Exchanges v (in p) with u (in q) when both parts stay connected; undone otherwise.
    bool exchange(std::uint32_t v, std::uint32_t u);
    /// Cost of the entries between parts p and q.
    double pair_cut(std::uint32_t p, std::uint32_t q) const noexcept;
    /// Cost of the entry v-u, 0 when they are not adjacent.
    double edge_cost(std::uint32_t v, std::uint32_t u) const noexcept;

    /// A budget on what moves (replan()): atom v costs `price[v]` while it is outside its
    /// `home[v]` part (no_part: it costs nothing anywhere), and the phases that respect it (the
    /// chains) keep the summed price of the atoms away from home within `budget`. Call after
    /// assign().
    void set_homes(std::vector<std::uint32_t> home, std::vector<double> price, double budget);
    /// Budget spent by moving v to part `to` (negative when it goes back home; 0 with no homes).
    double move_price(std::uint32_t v, std::uint32_t to) const noexcept
    {
        if (m_home.empty() || m_home[v] == no_part) return 0.0;
        return m_price[v] * (static_cast<double>(to != m_home[v]) - static_cast<double>(m_part[v] != m_home[v]));
    }
    /// Budget left: +infinity with no homes.
    double budget_left() const noexcept;
    bool has_homes() const noexcept { return !m_home.empty(); }

    /// Change clock: every move stamps both parts (assign() stamps all); phases use it to skip
    /// parts whose surroundings have not changed since they last found nothing to do. It
    /// never goes back, so a stamp taken before assign() is never mistaken for a current one.
    std::uint64_t changed(std::uint32_t p) const noexcept { return m_changed[p]; }
    std::uint64_t clock() const noexcept { return m_clock; }

private:
    const RegionGraph& m_g;
    std::size_t m_n;
    std::size_t m_k;
    double m_target;
    double m_cap;
    std::vector<std::uint32_t> m_part;
    std::vector<double> m_load;
    std::vector<std::vector<std::uint32_t>> m_members;
    std::vector<std::uint32_t> m_slot; ///< Position of each atom in its part's member list.
    std::vector<std::uint64_t> m_changed;
    std::uint64_t m_clock = 1;
    // Budget on moves (set_homes()).
    std::vector<std::uint32_t> m_home;
    std::vector<double> m_price;
    double m_budget = 0.0, m_spent = 0.0;
    // Scratch of stays_connected().
    std::vector<std::uint32_t> m_stamp, m_nbr, m_queue;
    std::vector<char> m_flag;
    std::uint32_t m_generation = 0;
};

/// Per part, the clock at which a search found nothing for it: the search is skipped while
/// neither the part nor a part linked to it has changed since.
class StuckMemo {
public:
    explicit StuckMemo(std::size_t parts) : m_stamp(parts, 0) {}
    bool stuck(const PartitionState& state, std::uint32_t p, const std::vector<std::uint32_t>& around) const noexcept
    {
        if (m_stamp[p] == 0) return false;
        std::uint64_t latest = state.changed(p);
        for (const auto q : around) latest = latest > state.changed(q) ? latest : state.changed(q);
        return m_stamp[p] >= latest;
    }
    void mark(const PartitionState& state, std::uint32_t p) noexcept { m_stamp[p] = state.clock(); }

private:
    std::vector<std::uint64_t> m_stamp;
};

} // namespace libgrid::detail
