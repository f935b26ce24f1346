// Balance along paths of parts: ejection chains.
//
// A part outside the band passes load to a neighbour, which passes load on to the next part,
// and so on until a part can keep what it receives. Each hop between two neighbouring parts is
// one boundary atom moving either way, or two atoms trading places (a swap shifts the
// difference of their weights, a much finer step). Every part on the way passes on about what
// it received, so it stays inside the band while the load travels from where there is too much
// to where there is too little. Single moves cannot do this when every neighbour of the worst
// part is itself near the edge of the band, which is the common case once the flows and local
// moves are done (with atoms of 7% of a grid and a band of +-1%, almost no single move fits).
//
// The search is breadth-first over (part, load in transit) states, so the shortest chains are
// found first (up to 24 of them, one layer deeper if fewer); the ones leaving the least excess
// over the band, then the cheapest cut, are tried. A chain is accepted only when the part it
// starts from gets closer to the target, no part in the middle ends further outside the band
// than it was, the last part ends closer to the target than the start was (the largest
// deviation never rises), and the summed excess over the band of the parts on it strictly
// falls, so the phase ends. With a budget on moves (replan()), chains over it are not taken and
// the cheapest of equal excess wins. Hops are applied from the far end (or else from the start), each
// checked for contiguity at the moment it is made; a chain that would break a part is undone
// whole.
#include "partition/phase.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <unordered_map>
#include <vector>

namespace libgrid::detail {
namespace {

/// One state of the search: `part` after the hop from its parent's part.
struct Node {
    std::uint32_t part;
    std::uint32_t parent; ///< Index of the parent node (no_part for the root).
    std::uint32_t give;   ///< Atom moving from the parent's part into `part` (no_part: none).
    std::uint32_t take;   ///< Atom moving from `part` into the parent's part (no_part: none).
    double delta;         ///< Net load the hop brings into `part`.
    double cut;           ///< Sum of the hops' cut-cost changes (approximate: on today's state).
    double price;         ///< Sum of the hops' move prices (PartitionState::set_homes()).
};

/// A candidate chain, by its last node.
struct Candidate {
    std::uint32_t end;
    double excess; ///< Sum over its parts of the excess over the band after the chain.
    double price;  ///< Budget it spends (0 without a budget).
    double cut;
};

class ChainBalancer {
public:
    ChainBalancer(PartitionState& state, PhaseEnv& env)
        : m_state(state), m_env(env), m_g(state.graph()), m_tol(env.params.balance_tolerance), m_stuck(state.parts())
    {
    }

    void run()
    {
        const std::size_t k = m_state.parts();
        if (k < 2) return;
        // Work budget (atom pairs looked at), linear in the region, scaled by the effort.
        m_budget = (400.0 * static_cast<double>(m_state.size()) + 2e4) * m_env.effort;
        m_max_depth = static_cast<std::uint32_t>(std::min(12.0, 6.0 + 2.0 * std::log2(m_env.effort)));
        std::vector<std::uint32_t> order;
        while (m_budget > 0) {
            // The parts furthest outside the band first.
            order.clear();
            for (std::uint32_t p = 0; p < k; ++p)
                if (excess(m_state.load(p)) > 0) order.push_back(p);
            if (order.empty()) break;
            std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
                const double da = std::abs(m_state.dev(a)), db = std::abs(m_state.dev(b));
                return da != db ? da > db : a < b;
            });
            bool applied = false;
            for (const std::uint32_t s : order) {
                if (m_stuck.stuck(m_state, s, m_state.neighbour_parts(s))) continue;
                if (search(s) && apply_best()) {
                    applied = true;
                    break;
                }
                m_stuck.mark(m_state, s);
                if (m_budget <= 0) break;
            }
            if (!applied) break;
        }
        m_env.achieved = m_state.max_deviation();
    }

private:
    /// How far a load lies outside the band, as a fraction of the target (0 inside).
    double excess(double load) const { return std::max(0.0, std::abs(m_state.dev_of(load)) - m_tol); }
    /// A part whose load goes from `before` to `after` may not end further outside the band.
    bool allowed(double before, double after) const
    {
        return m_state.cap_ok(after) &&
               std::abs(m_state.dev_of(after)) <= std::max(m_tol, std::abs(m_state.dev_of(before))) + 1e-12;
    }
    bool on_path(std::uint32_t node, std::uint32_t part) const
    {
        for (std::uint32_t i = node; i != no_part; i = m_nodes[i].parent)
            if (m_nodes[i].part == part) return true;
        return false;
    }
    /// True when atom a already moves on the path to node i (a chain moves each atom once).
    bool atom_used(std::uint32_t node, std::uint32_t a) const
    {
        for (std::uint32_t i = node; i != no_part && m_nodes[i].parent != no_part; i = m_nodes[i].parent)
            if (m_nodes[i].give == a || m_nodes[i].take == a) return true;
        return false;
    }
    static std::uint64_t key_of(std::uint32_t part, double delta)
    {
        std::uint64_t bits = 0;
        std::memcpy(&bits, &delta, sizeof bits);
        return (std::uint64_t{part} << 32) ^ (bits * 0x9E3779B97F4A7C15ULL >> 32);
    }

    /// Breadth-first search for the shortest chains from part s. Fills m_found (best first);
    /// true when there is at least one.
    bool search(std::uint32_t s)
    {
        m_nodes.clear();
        m_seen.clear();
        m_found.clear();
        m_nodes.push_back(Node{s, no_part, no_part, no_part, 0.0, 0.0, 0.0});
        std::size_t layer_begin = 0;
        for (std::uint32_t depth = 0; depth < m_max_depth && layer_begin < m_nodes.size() && m_budget > 0; ++depth) {
            const std::size_t layer_end = m_nodes.size();
            for (std::size_t i = layer_begin; i < layer_end && m_budget > 0; ++i)
                expand(static_cast<std::uint32_t>(i), s);
            // Enough chains to choose from (a chain can fail when it is made: the hops change
            // the parts they pass through), or go one layer deeper.
            if (m_found.size() >= wanted_chains) break;
            layer_begin = layer_end;
        }
        std::sort(m_found.begin(), m_found.end(), [](const Candidate& a, const Candidate& b) {
            if (a.excess != b.excess) return a.excess < b.excess;
            if (a.price != b.price) return a.price < b.price;
            if (a.cut != b.cut) return a.cut < b.cut;
            return a.end < b.end;
        });
        return !m_found.empty();
    }

    /// Expands node i: its part passes on what the hop into it brought (the root: its excess)
    /// to a neighbouring part h, by one atom either way or a swap.
    void expand(std::uint32_t i, std::uint32_t s)
    {
        const Node node = m_nodes[i];
        const std::uint32_t g = node.part;
        const double through = m_state.load(g) + node.delta; // g's load once the hop into it is made
        const double start_dev = std::abs(m_state.dev(s));
        // Neighbouring parts and the boundary atoms on either side.
        m_bg.clear();
        for (const std::uint32_t v : m_state.members(g))
            for (std::uint32_t k = m_g.xadj[v]; k < m_g.link_end[v]; ++k) {
                const std::uint32_t h = m_state.part(m_g.adj[k]);
                if (h != g) m_bg.push_back({h, v});
            }
        std::sort(m_bg.begin(), m_bg.end());
        m_bg.erase(std::unique(m_bg.begin(), m_bg.end()), m_bg.end());
        for (std::size_t a = 0; a < m_bg.size();) {
            const std::uint32_t h = m_bg[a].first;
            std::size_t b = a;
            while (b < m_bg.size() && m_bg[b].first == h) ++b;
            if (!on_path(i, h)) {
                // Atoms of h facing g.
                m_bh.clear();
                for (std::size_t x = a; x < b; ++x)
                    for (std::uint32_t k = m_g.xadj[m_bg[x].second]; k < m_g.link_end[m_bg[x].second]; ++k)
                        if (m_state.part(m_g.adj[k]) == h) m_bh.push_back(m_g.adj[k]);
                std::sort(m_bh.begin(), m_bh.end());
                m_bh.erase(std::unique(m_bh.begin(), m_bh.end()), m_bh.end());
                // Hops g -> h: v alone, u alone (h -> g), or v for u.
                for (std::size_t x = a; x <= b; ++x) {
                    const std::uint32_t v = x < b ? m_bg[x].second : no_part;
                    for (std::size_t y = 0; y <= m_bh.size(); ++y) {
                        const std::uint32_t u = y < m_bh.size() ? m_bh[y] : no_part;
                        if (v == no_part && u == no_part) continue;
                        m_budget -= 1.0;
                        hop(i, s, start_dev, through, h, v, u);
                    }
                }
            }
            a = b;
        }
    }

    /// Considers the hop from node i's part g to h moving v (g -> h) and u (h -> g).
    void hop(std::uint32_t i, std::uint32_t s, double start_dev, double through, std::uint32_t h, std::uint32_t v,
             std::uint32_t u)
    {
        const Node& node = m_nodes[i];
        const std::uint32_t g = node.part;
        const double delta = (v != no_part ? m_state.weight(v) : 0.0) - (u != no_part ? m_state.weight(u) : 0.0);
        if (delta == 0.0) return;
        if ((v != no_part && atom_used(i, v)) || (u != no_part && atom_used(i, u))) return;
        // Within the budget on moves, when there is one (each atom moves once per chain, so
        // the prices on today's state add up exactly).
        const double price = node.price + (v != no_part ? m_state.move_price(v, h) : 0.0) +
                             (u != no_part ? m_state.move_price(u, g) : 0.0);
        if (price > m_state.budget_left() + 1e-9) return;
        const double after_g = through - delta;
        if (g == s) {
            // The start must get closer to the target.
            if (std::abs(m_state.dev_of(after_g)) > start_dev - min_gain || !m_state.cap_ok(after_g)) return;
        } else if (!allowed(m_state.load(g), after_g)) {
            return;
        }
        // Each (part, load in transit) state is kept twice: a second way there may succeed when
        // the first fails as the chain is made.
        const std::uint64_t key = key_of(h, delta);
        if (m_seen[key] >= 2) return;
        // Contiguity on today's state; apply() checks again as the moves are made.
        if (v != no_part && !m_state.stays_connected(v)) return;
        if (u != no_part && !m_state.stays_connected(u)) return;
        // The atom that came into g on the hop before must stay attached to g once v leaves.
        const std::uint32_t came = node.give;
        if (v != no_part && came != no_part && !touches_besides(came, g, v)) return;
        // A swap of two atoms that face each other's part only through each other would leave
        // both cut off once made.
        if (v != no_part && u != no_part && (!touches_besides(v, h, u) || !touches_besides(u, g, v))) return;
        ++m_seen[key];
        double cut = node.cut;
        if (v != no_part) cut += m_state.move_cost(v, h);
        if (u != no_part) cut += m_state.move_cost(u, g);
        if (v != no_part && u != no_part) cut += 2.0 * m_state.edge_cost(v, u); // their edge stays cut
        const auto child = static_cast<std::uint32_t>(m_nodes.size());
        m_nodes.push_back(Node{h, i, v, u, delta, cut, price});
        // h as the end of the chain: it keeps what the hop brings. It may end outside the band
        // when the chain still lowers the parts' summed excess over the band and h stays
        // closer to the target than the start was (so the largest deviation never rises).
        const double after_h = m_state.load(h) + delta;
        if (!m_state.cap_ok(after_h) || std::abs(m_state.dev_of(after_h)) > start_dev - min_gain) return;
        double sum = excess(after_h) + excess(after_g);
        double before = excess(m_state.load(h)) + excess(m_state.load(g));
        // Every part on the path, after and before the chain.
        for (std::uint32_t j = i; m_nodes[j].parent != no_part;) {
            const std::uint32_t parent = m_nodes[j].parent;
            // Parent's part: receives the hop into it (from its own parent), passes on j's.
            const Node& pj = m_nodes[parent];
            sum += excess(m_state.load(pj.part) + pj.delta - m_nodes[j].delta);
            before += excess(m_state.load(pj.part));
            j = parent;
        }
        if (sum < before - min_gain) m_found.push_back(Candidate{child, sum, price, cut});
    }

    /// True when v has a link to an atom of part p other than `besides`.
    bool touches_besides(std::uint32_t v, std::uint32_t p, std::uint32_t besides) const
    {
        for (std::uint32_t k = m_g.xadj[v]; k < m_g.link_end[v]; ++k)
            if (m_g.adj[k] != besides && m_state.part(m_g.adj[k]) == p) return true;
        return false;
    }

    /// Tries the found chains best first; true when one was applied.
    bool apply_best()
    {
        std::size_t tried = 0;
        for (const Candidate& c : m_found) {
            if (++tried > wanted_chains) break;
            if (apply(c.end, true) || apply(c.end, false)) return true;
        }
        return false;
    }

    /// Applies the chain ending at node `end`, hop by hop from the far end (or from the start);
    /// undoes it whole when a move would break a part or lose its contact with the receiver
    /// (a later hop may take away the atom an earlier one leaned on, so both orders are tried).
    bool apply(std::uint32_t end, bool from_far_end)
    {
        m_path.clear();
        for (std::uint32_t j = end; m_nodes[j].parent != no_part; j = m_nodes[j].parent) m_path.push_back(j);
        if (!from_far_end) std::reverse(m_path.begin(), m_path.end());
        struct Move {
            std::uint32_t atom, from, to;
        };
        std::vector<Move> done;
        auto undo = [&] {
            for (std::size_t x = done.size(); x-- > 0;) m_state.move(done[x].atom, done[x].from);
            return false;
        };
        for (const std::uint32_t j : m_path) {
            const Node& n = m_nodes[j];
            const std::uint32_t g = m_nodes[n.parent].part, h = n.part;
            if (n.give != no_part) {
                if (m_state.part(n.give) != g || !m_state.touches(n.give, h) || !m_state.stays_connected(n.give))
                    return undo();
                m_state.move(n.give, h);
                done.push_back({n.give, g, h});
            }
            if (n.take != no_part) {
                if (m_state.part(n.take) != h || !m_state.touches(n.take, g) || !m_state.stays_connected(n.take))
                    return undo();
                m_state.move(n.take, g);
                done.push_back({n.take, h, g});
            }
        }
        return true;
    }

    PartitionState& m_state;
    PhaseEnv& m_env;
    const RegionGraph& m_g;
    double m_tol;
    StuckMemo m_stuck;
    double m_budget = 0.0;
    std::uint32_t m_max_depth = 4;
    std::vector<Node> m_nodes;
    std::unordered_map<std::uint64_t, std::uint8_t> m_seen;
    static constexpr std::size_t wanted_chains = 24;
    std::vector<Candidate> m_found;
    std::vector<std::uint32_t> m_path;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> m_bg; ///< (neighbour part, atom of g facing it)
    std::vector<std::uint32_t> m_bh;
};

} // namespace

void balance_chains(PartitionState& state, PhaseEnv& env)
{
    ChainBalancer(state, env).run();
}

} // namespace libgrid::detail
