// PartitionState: assignment, loads, member lists, contiguity and cut-cost checks.
#include "partition/state.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

namespace libgrid::detail {

PartitionState::PartitionState(const RegionGraph& graph, std::size_t parts, double target, double cap)
    : m_g(graph), m_n(graph.size()), m_k(parts), m_target(target > 0.0 ? target : 1.0), m_cap(cap)
{
    m_part.assign(m_n, 0);
    m_stamp.assign(m_n, 0);
    m_flag.assign(m_n, 0);
    assign(m_part);
}

void PartitionState::assign(const std::vector<std::uint32_t>& part)
{
    if (&part != &m_part) m_part = part;
    m_changed.assign(m_k, ++m_clock);
    m_load.assign(m_k, 0.0);
    m_members.assign(m_k, {});
    m_slot.assign(m_n, 0);
    for (std::uint32_t v = 0; v < m_n; ++v) {
        m_load[m_part[v]] += m_g.weight[v];
        m_slot[v] = static_cast<std::uint32_t>(m_members[m_part[v]].size());
        m_members[m_part[v]].push_back(v);
    }
}

double PartitionState::max_deviation() const noexcept
{
    double m = 0.0;
    for (std::uint32_t p = 0; p < m_k; ++p) m = std::max(m, std::abs(dev(p)));
    return m;
}

double PartitionState::sum_sq_deviation() const noexcept
{
    double s = 0.0;
    for (std::uint32_t p = 0; p < m_k; ++p) s += dev(p) * dev(p);
    return s;
}

double PartitionState::cut_cost() const noexcept
{
    double c = 0.0;
    for (std::uint32_t v = 0; v < m_n; ++v)
        for (std::uint32_t k = m_g.xadj[v]; k < m_g.xadj[v + 1]; ++k)
            if (m_part[m_g.adj[k]] != m_part[v]) c += m_g.cost[k];
    return 0.5 * c;
}

void PartitionState::set_homes(std::vector<std::uint32_t> home, std::vector<double> price, double budget)
{
    m_home = std::move(home);
    m_price = std::move(price);
    m_budget = budget;
    m_spent = 0.0;
    for (std::uint32_t v = 0; v < m_n && !m_home.empty(); ++v)
        if (m_home[v] != no_part && m_part[v] != m_home[v]) m_spent += m_price[v];
}

double PartitionState::budget_left() const noexcept
{
    return m_home.empty() ? std::numeric_limits<double>::infinity() : m_budget - m_spent;
}

void PartitionState::move(std::uint32_t v, std::uint32_t to)
{
    m_spent += move_price(v, to);
    const std::uint32_t from = m_part[v];
    auto& src = m_members[from];
    const std::uint32_t last = src.back();
    src[m_slot[v]] = last;
    m_slot[last] = m_slot[v];
    src.pop_back();
    m_slot[v] = static_cast<std::uint32_t>(m_members[to].size());
    m_members[to].push_back(v);
    m_load[from] -= m_g.weight[v];
    m_load[to] += m_g.weight[v];
    m_part[v] = to;
    m_changed[from] = m_changed[to] = ++m_clock;
}

bool PartitionState::stays_connected(std::uint32_t v)
{
    const std::uint32_t p = m_part[v];
    if (m_members[p].size() <= 1) return false;
    m_nbr.clear();
    for (std::uint32_t k = m_g.xadj[v]; k < m_g.link_end[v]; ++k)
        if (m_part[m_g.adj[k]] == p) m_nbr.push_back(m_g.adj[k]);
    std::sort(m_nbr.begin(), m_nbr.end());
    m_nbr.erase(std::unique(m_nbr.begin(), m_nbr.end()), m_nbr.end());
    if (m_nbr.size() <= 1) return !m_nbr.empty();
    // Search from one neighbour through p without v until every other neighbour is found;
    // usually they are a few steps apart, so the search stays local.
    if (++m_generation == 0) {
        std::fill(m_stamp.begin(), m_stamp.end(), 0);
        m_generation = 1;
    }
    for (std::size_t i = 1; i < m_nbr.size(); ++i) m_flag[m_nbr[i]] = 1;
    std::size_t to_find = m_nbr.size() - 1;
    m_queue.clear();
    m_queue.push_back(m_nbr[0]);
    m_stamp[m_nbr[0]] = m_generation;
    m_stamp[v] = m_generation; // never enter v
    for (std::size_t qi = 0; qi < m_queue.size() && to_find > 0; ++qi) {
        const std::uint32_t u = m_queue[qi];
        for (std::uint32_t k = m_g.xadj[u]; k < m_g.link_end[u]; ++k) {
            const std::uint32_t w = m_g.adj[k];
            if (m_part[w] != p || m_stamp[w] == m_generation) continue;
            m_stamp[w] = m_generation;
            if (m_flag[w]) {
                m_flag[w] = 0;
                if (--to_find == 0) break;
            }
            m_queue.push_back(w);
        }
    }
    for (std::size_t i = 1; i < m_nbr.size(); ++i) m_flag[m_nbr[i]] = 0;
    return to_find == 0;
}

double PartitionState::move_cost(std::uint32_t v, std::uint32_t q) const noexcept
{
    const std::uint32_t p = m_part[v];
    double to_p = 0.0, to_q = 0.0;
    for (std::uint32_t k = m_g.xadj[v]; k < m_g.xadj[v + 1]; ++k) {
        const std::uint32_t w = m_part[m_g.adj[k]];
        if (w == p) to_p += m_g.cost[k];
        else if (w == q) to_q += m_g.cost[k];
    }
    return to_p - to_q;
}

bool PartitionState::touches(std::uint32_t v, std::uint32_t p) const noexcept
{
    for (std::uint32_t k = m_g.xadj[v]; k < m_g.link_end[v]; ++k)
        if (m_part[m_g.adj[k]] == p) return true;
    return false;
}

std::vector<std::uint32_t> PartitionState::neighbour_parts(std::uint32_t p) const
{
    std::vector<std::uint32_t> out;
    for (const std::uint32_t v : m_members[p])
        for (std::uint32_t k = m_g.xadj[v]; k < m_g.link_end[v]; ++k)
            if (m_part[m_g.adj[k]] != p) out.push_back(m_part[m_g.adj[k]]);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

void PartitionState::facing(std::uint32_t p, std::uint32_t q, std::vector<std::uint32_t>& bp,
                            std::vector<std::uint32_t>& bq) const
{
    bp.clear();
    bq.clear();
    for (const auto v : m_members[p])
        if (touches(v, q)) bp.push_back(v);
    for (const auto u : m_members[q])
        if (touches(u, p)) bq.push_back(u);
}

bool PartitionState::exchange(std::uint32_t v, std::uint32_t u)
{
    const std::uint32_t p = m_part[v], q = m_part[u];
    if (!stays_connected(v)) return false;
    move(v, q);
    if (stays_connected(u) && touches(u, p)) {
        move(u, p);
        return true;
    }
    move(v, p); // undo: p was connected with v
    return false;
}

double PartitionState::pair_cut(std::uint32_t p, std::uint32_t q) const noexcept
{
    double c = 0.0;
    for (const std::uint32_t v : m_members[p])
        for (std::uint32_t k = m_g.xadj[v]; k < m_g.xadj[v + 1]; ++k)
            if (m_part[m_g.adj[k]] == q) c += m_g.cost[k];
    return c;
}

double PartitionState::edge_cost(std::uint32_t v, std::uint32_t u) const noexcept
{
    for (std::uint32_t k = m_g.xadj[v]; k < m_g.xadj[v + 1]; ++k)
        if (m_g.adj[k] == u) return m_g.cost[k];
    return 0.0;
}

} // namespace libgrid::detail
