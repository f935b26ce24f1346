// Random spanning trees: the tree splitter behind the start, the pair re-splits and ReCom.
#include "partition/trees.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>

namespace libgrid::detail {

std::vector<Edge> region_edges(const RegionGraph& g)
{
    std::vector<Edge> out;
    for (std::uint32_t a = 0; a < g.size(); ++a)
        for (std::uint32_t k = g.xadj[a]; k < g.xadj[a + 1]; ++k)
            if (a < g.adj[k]) out.push_back(Edge{a, g.adj[k], g.cost[k], k < g.link_end[a]});
    return out;
}

void UnionFind::reset(std::size_t n)
{
    m_parent.resize(n);
    std::iota(m_parent.begin(), m_parent.end(), 0u);
}

std::uint32_t UnionFind::find(std::uint32_t x)
{
    while (m_parent[x] != x) x = m_parent[x] = m_parent[m_parent[x]];
    return x;
}

bool UnionFind::unite(std::uint32_t a, std::uint32_t b)
{
    a = find(a);
    b = find(b);
    if (a == b) return false;
    m_parent[b] = a;
    return true;
}

// An LSD radix sort on the keys' float bits, which order like the values for positive floats.
void order_edges(const std::vector<std::pair<double, Edge>>& keyed, std::vector<Edge>& out)
{
    const std::size_t m = keyed.size();
    thread_local std::vector<std::uint32_t> key, idx, tmp;
    key.resize(m);
    idx.resize(m);
    tmp.resize(m);
    for (std::size_t i = 0; i < m; ++i) {
        const float f = static_cast<float>(keyed[i].first);
        std::uint32_t bits;
        std::memcpy(&bits, &f, sizeof bits);
        key[i] = bits;
        idx[i] = static_cast<std::uint32_t>(i);
    }
    if (m < 4096) {
        // Small lists (the common case): a comparison sort of (key, index) packed in one word
        // beats the radix passes' fixed cost of clearing 65,536 counters.
        thread_local std::vector<std::uint64_t> packed;
        packed.resize(m);
        for (std::size_t i = 0; i < m; ++i) packed[i] = (std::uint64_t{key[i]} << 32) | i;
        std::sort(packed.begin(), packed.end());
        out.resize(m);
        for (std::size_t i = 0; i < m; ++i) out[i] = keyed[packed[i] & 0xFFFFFFFFu].second;
        return;
    }
    thread_local std::vector<std::uint32_t> count(65537);
    for (int pass = 0; pass < 2; ++pass) {
        const int shift = 16 * pass;
        std::fill(count.begin(), count.end(), 0u);
        for (std::size_t i = 0; i < m; ++i) ++count[((key[idx[i]] >> shift) & 0xFFFF) + 1];
        for (std::size_t b = 0; b < 65536; ++b) count[b + 1] += count[b];
        for (std::size_t i = 0; i < m; ++i) tmp[count[(key[idx[i]] >> shift) & 0xFFFF]++] = idx[i];
        idx.swap(tmp);
    }
    out.resize(m);
    for (std::size_t i = 0; i < m; ++i) out[i] = keyed[idx[i]].second;
}

bool spanning_tree(const std::vector<std::uint32_t>& set, const std::vector<Edge>& edges,
                   const std::vector<std::uint32_t>& local, const std::vector<double>& weight,
                   UnionFind& uf, Tree& tree)
{
    const std::size_t n = set.size();
    uf.reset(n);
    // Scratch reused across calls (this runs very often on small sets).
    thread_local std::vector<std::uint32_t> deg, nbr, fill, parent, stack;
    thread_local std::vector<Edge> chosen;
    deg.assign(n + 1, 0);
    chosen.clear();
    for (const Edge& e : edges) {
        if (!e.link) continue; // affinities (feeder links) price a cut, they never connect
        const std::uint32_t a = local[e.a], b = local[e.b];
        if (uf.unite(a, b)) {
            chosen.push_back({a, b, e.cost, true});
            if (chosen.size() + 1 == n) break;
        }
    }
    if (chosen.size() + 1 != n) return false;
    for (const Edge& e : chosen) {
        ++deg[e.a + 1];
        ++deg[e.b + 1];
    }
    for (std::size_t i = 0; i < n; ++i) deg[i + 1] += deg[i];
    nbr.resize(deg[n]);
    fill.assign(deg.begin(), deg.end() - 1);
    for (const Edge& e : chosen) {
        nbr[fill[e.a]++] = e.b;
        nbr[fill[e.b]++] = e.a;
    }
    tree.order.clear();
    tree.pre.assign(n, no_part);
    tree.size.assign(n, 1);
    tree.sum.assign(n, 0.0);
    parent.assign(n, no_part);
    stack.assign(1, 0);
    tree.pre[0] = 0;
    while (!stack.empty()) {
        const std::uint32_t u = stack.back();
        stack.pop_back();
        tree.pre[u] = static_cast<std::uint32_t>(tree.order.size());
        tree.order.push_back(u);
        for (std::uint32_t k = deg[u]; k < deg[u + 1]; ++k) {
            const std::uint32_t v = nbr[k];
            if (v == parent[u]) continue;
            parent[v] = u;
            stack.push_back(v);
        }
    }
    for (std::size_t i = n; i-- > 0;) {
        const std::uint32_t u = tree.order[i];
        tree.sum[u] += weight[set[u]];
        if (parent[u] != no_part) {
            tree.sum[parent[u]] += tree.sum[u];
            tree.size[parent[u]] += tree.size[u];
        }
    }
    return true;
}

TreeSplitter::TreeSplitter(const RegionGraph& graph, double balance_tolerance)
    : m_g(graph), m_tolerance(balance_tolerance)
{
    m_out.assign(graph.size(), 0);
    m_local.assign(graph.size(), no_part);
    m_in_group.assign(graph.size(), 0);
}

void TreeSplitter::split(std::vector<std::uint32_t> set, std::size_t k, std::vector<std::vector<Edge>> lists, Rng& rng,
                         std::size_t extra_trees, bool fixed_extra, std::uint32_t first_label)
{
    m_rng = &rng;
    m_extra_trees = extra_trees;
    m_fixed_extra = fixed_extra;
    m_next_label = first_label;
    bisect(std::move(set), k, std::move(lists));
}

void TreeSplitter::bisect(std::vector<std::uint32_t> set, std::size_t k, std::vector<std::vector<Edge>> lists)
{
    if (k == 1) {
        for (auto v : set) m_out[v] = m_next_label;
        ++m_next_label;
        return;
    }
    const std::size_t k1 = k / 2, k2 = k - k1;
    for (std::size_t i = 0; i < set.size(); ++i) m_local[set[i]] = static_cast<std::uint32_t>(i);
    double total = 0.0;
    for (auto v : set) total += m_g.weight[v];
    // Splitting k parts: the subtree takes ks parts, the rest k - ks; the error is measured
    // per part so that both sides head for the same per-part load.
    struct Cut {
        double err = std::numeric_limits<double>::infinity();
        double cut = std::numeric_limits<double>::infinity();
        std::size_t tree = 0;
        std::uint32_t root = no_part;
        std::size_t sub_parts = 0;
    } best;
    // Trees: the presorted orders handed down, plus fresh ones for small regions, where
    // trees are cheap and the last splits decide the balance.
    std::vector<const std::vector<Edge>*> orders;
    for (const auto& l : lists) orders.push_back(&l);
    std::vector<std::vector<Edge>> fresh;
    // Small sets (the last splits) get many trees: they are cheap there, and the last splits
    // decide the balance of the parts they make.
    const std::size_t extra =
        set.size() > 3000 ? 0
        : m_fixed_extra ? m_extra_trees
                           : std::clamp<std::size_t>(m_extra_trees * 500 / set.size(), m_extra_trees / 2, 6 * m_extra_trees);
    for (std::size_t x = 0; x < extra; ++x) {
        m_keyed.clear();
        for (const Edge& e : lists.front())
            m_keyed.push_back({-std::log(1.0 - m_rng->uniform()) / std::max(e.cost, 1e-9), e});
        fresh.emplace_back();
        order_edges(m_keyed, fresh.back());
    }
    for (const auto& f : fresh) orders.push_back(&f);
    const double per_part = total / static_cast<double>(k);
    const double loose = std::max(m_tolerance, 1e-9) * per_part;
    std::vector<Tree> trees(orders.size());
    std::vector<char> side(set.size());
    for (std::size_t t = 0; t < orders.size(); ++t) {
        if (!spanning_tree(set, *orders[t], m_local, m_g.weight, m_uf, trees[t]))
            continue; // cannot happen: regions are connected by construction
        const Tree& tree = trees[t];
        Cut mine;
        for (std::uint32_t u = 1; u < set.size(); ++u) {
            for (const std::size_t ks : {k1, k2}) {
                if (tree.size[u] < ks || set.size() - tree.size[u] < k - ks) continue;
                const double share = total * static_cast<double>(ks) / static_cast<double>(k);
                const double err = std::abs(tree.sum[u] - share) / static_cast<double>(std::min(ks, k - ks));
                if (err < mine.err) mine = {err, 0.0, t, u, ks};
            }
        }
        if (mine.root == no_part) continue;
        // Among splits balanced within the tolerance the cheapest cut wins; otherwise the
        // most balanced one.
        if (mine.err <= loose) {
            const std::uint32_t lo = tree.pre[mine.root], hi = lo + tree.size[mine.root];
            std::fill(side.begin(), side.end(), 0);
            for (std::uint32_t i = lo; i < hi; ++i) side[tree.order[i]] = 1;
        }
        const bool mine_ok = mine.err <= loose, best_ok = best.err <= loose;
        // The cut only decides between splits that are both balanced enough.
        mine.cut = 0.0;
        if (mine_ok)
            for (const Edge& e : lists.front())
                if (side[m_local[e.a]] != side[m_local[e.b]]) mine.cut += e.cost;
        if (best.root == no_part || (mine_ok && !best_ok) || (mine_ok && best_ok && mine.cut < best.cut) ||
            (!mine_ok && !best_ok && mine.err < best.err))
            best = mine;
    }
    std::vector<std::uint32_t> a, b;
    if (best.root == no_part) {
        // No tree edge splits the parts evenly in count (a star of 4 atoms for 4 parts has
        // no 2|2 edge): any count split the sizes allow will do, the most balanced one.
        for (std::size_t t = 0; t < trees.size(); ++t) {
            if (trees[t].order.size() != set.size()) continue;
            const Tree& tree = trees[t];
            for (std::uint32_t u = 1; u < set.size(); ++u)
                for (std::size_t ks = 1; ks < k; ++ks) {
                    if (tree.size[u] < ks || set.size() - tree.size[u] < k - ks) continue;
                    const double share = total * static_cast<double>(ks) / static_cast<double>(k);
                    const double err = std::abs(tree.sum[u] - share);
                    if (err < best.err) best = {err, 0.0, t, u, ks};
                }
        }
    }
    const Tree& tree = trees[best.tree];
    const std::uint32_t lo = tree.pre[best.root], hi = lo + tree.size[best.root];
    fresh.clear();
    std::vector<char> in_a(set.size(), 0);
    for (std::uint32_t i = lo; i < hi; ++i) in_a[tree.order[i]] = 1;
    for (std::size_t i = 0; i < set.size(); ++i) (in_a[i] ? a : b).push_back(set[i]);
    std::vector<std::vector<Edge>> la(lists.size()), lb(lists.size());
    for (std::size_t t = 0; t < lists.size(); ++t) {
        for (const Edge& e : lists[t]) {
            const bool ea = in_a[m_local[e.a]], eb = in_a[m_local[e.b]];
            if (ea && eb) la[t].push_back(e);
            else if (!ea && !eb) lb[t].push_back(e);
        }
        std::vector<Edge>().swap(lists[t]);
    }
    trees.clear();
    set.clear();
    set.shrink_to_fit();
    const std::size_t ka = best.sub_parts;
    bisect(std::move(a), ka, std::move(la));
    bisect(std::move(b), k - ka, std::move(lb));
}

bool TreeSplitter::repartition(PartitionState& state, const std::vector<std::uint32_t>& group, Rng& rng,
                               std::size_t attempts, double min_gain)
{
    std::vector<std::uint32_t> set;
    for (const auto q : group) set.insert(set.end(), state.members(q).begin(), state.members(q).end());
    if (set.size() > 6000) return false;
    std::sort(set.begin(), set.end());
    for (const auto v : set) m_in_group[v] = 1;
    std::vector<Edge> edges;
    std::vector<double> edge_costs;
    for (const auto v : set)
        for (std::uint32_t k = m_g.xadj[v]; k < m_g.xadj[v + 1]; ++k)
            if (v < m_g.adj[k] && m_in_group[m_g.adj[k]]) {
                edges.push_back({v, m_g.adj[k], m_g.cost[k], k < m_g.link_end[v]});
                edge_costs.push_back(m_g.cost[k]);
            }
    for (const auto v : set) m_in_group[v] = 0;
    double before = 0.0;
    for (const auto q : group) before = std::max(before, std::abs(state.dev(q)));
    double best_dev = before - min_gain, best_cut = std::numeric_limits<double>::infinity();
    std::vector<std::uint32_t> best_labels;
    std::vector<double> loads(group.size());
    for (std::size_t a = 0; a < attempts; ++a) {
        m_keyed.clear();
        for (std::size_t i = 0; i < edges.size(); ++i)
            m_keyed.push_back({-std::log(1.0 - rng.uniform()) / std::max(edge_costs[i], 1e-9), edges[i]});
        std::vector<std::vector<Edge>> lists(1);
        order_edges(m_keyed, lists[0]);
        // Fewer trees per split: the attempts add variety too.
        split(set, group.size(), std::move(lists), rng, 2, true);
        std::fill(loads.begin(), loads.end(), 0.0);
        for (const auto v : set) loads[m_out[v]] += m_g.weight[v];
        double d = 0.0;
        bool ok = true;
        for (const double l : loads) {
            d = std::max(d, std::abs(state.dev_of(l)));
            ok = ok && state.cap_ok(l);
        }
        if (!ok || d > best_dev + 1e-12) continue;
        double c = 0.0;
        for (std::size_t i = 0; i < edges.size(); ++i)
            if (m_out[edges[i].a] != m_out[edges[i].b]) c += edge_costs[i];
        if (d < best_dev - 1e-12 || c < best_cut) {
            best_dev = std::min(best_dev, d);
            best_cut = c;
            best_labels.clear();
            for (const auto v : set) best_labels.push_back(m_out[v]);
        }
    }
    if (best_labels.empty()) return false;
    // New label -> old part by largest overlap, so that as few atoms as possible move.
    const std::size_t g = group.size();
    std::vector<std::size_t> overlap(g * g, 0);
    for (std::size_t i = 0; i < set.size(); ++i) {
        const auto old = std::find(group.begin(), group.end(), state.part(set[i])) - group.begin();
        ++overlap[best_labels[i] * g + static_cast<std::size_t>(old)];
    }
    std::vector<std::uint32_t> to(g, no_part);
    std::vector<char> used(g, 0);
    for (std::size_t round = 0; round < g; ++round) {
        std::size_t bl = 0, bo = 0, bv = 0;
        bool found = false;
        for (std::size_t l = 0; l < g; ++l)
            for (std::size_t o = 0; o < g; ++o)
                if (to[l] == no_part && !used[o] && (!found || overlap[l * g + o] > bv)) {
                    found = true;
                    bl = l;
                    bo = o;
                    bv = overlap[l * g + o];
                }
        to[bl] = group[bo];
        used[bo] = 1;
    }
    for (std::size_t i = 0; i < set.size(); ++i)
        if (state.part(set[i]) != to[best_labels[i]]) state.move(set[i], to[best_labels[i]]);
    return true;
}

/// Merges parts p and q and splits the union again on random spanning trees. In balance
/// mode the split must lower the larger deviation of the two; in compactness mode it must
/// keep both within the tolerance and lower the cut between them.
bool TreeSplitter::resplit_pair(PartitionState& state, std::uint32_t p, std::uint32_t q, Rng& rng, ResplitGoal goal,
                                double min_gain)
{
    const bool compactness = goal == ResplitGoal::shape;
    std::vector<std::uint32_t> set = state.members(p);
    set.insert(set.end(), state.members(q).begin(), state.members(q).end());
    if (set.size() < 2 || set.size() > 4000) return false; // large pairs: single moves only
    std::sort(set.begin(), set.end());
    for (std::size_t i = 0; i < set.size(); ++i) m_local[set[i]] = static_cast<std::uint32_t>(i);
    std::vector<std::pair<std::uint64_t, Edge>> keyed;
    for (const std::uint32_t v : set)
        for (std::uint32_t k = m_g.xadj[v]; k < m_g.xadj[v + 1]; ++k) {
            const std::uint32_t u = m_g.adj[k];
            if (v < u && (state.part(u) == p || state.part(u) == q))
                keyed.push_back({0, Edge{v, u, m_g.cost[k], k < m_g.link_end[v]}});
        }
    const double total = state.load(p) + state.load(q);
    const double before_dev = std::max(std::abs(state.dev(p)), std::abs(state.dev(q)));
    const double before_cut = state.pair_cut(p, q);
    // Compactness mode: the pair may not end further from the target than the tolerance or
    // than it already is, whichever is larger.
    const double tol = std::max(m_tolerance, before_dev);
    const std::size_t tries = set.size() <= 200 ? 12 : 4;
    Tree tree, best_tree;
    std::uint32_t best_root = no_part;
    double best_dev = compactness ? tol + 1e-12 : before_dev - min_gain;
    double best_cut = compactness ? before_cut - 1e-9 : std::numeric_limits<double>::infinity();
    std::vector<Edge> edges;
    std::vector<char> side(set.size());
    for (std::size_t t = 0; t < tries; ++t) {
        for (auto& item : keyed) item.first = rng.next();
        std::sort(keyed.begin(), keyed.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
        edges.clear();
        for (const auto& item : keyed) edges.push_back(item.second);
        // p and q may have stopped touching since the caller listed them: nothing to do.
        if (!spanning_tree(set, edges, m_local, m_g.weight, m_uf, tree)) return false;
        // Cheapest split of this tree for the goal of the mode.
        std::uint32_t root = no_part;
        double root_dev = 0, root_cut = 0;
        for (std::uint32_t u = 1; u < set.size(); ++u) {
            const double s = tree.sum[u];
            if (!state.cap_ok(s) || !state.cap_ok(total - s)) continue;
            const double d = std::max(std::abs(state.dev_of(s)), std::abs(state.dev_of(total - s)));
            if (compactness ? d > tol + 1e-12 : d >= best_dev) continue;
            if (!compactness) {
                if (root == no_part || d < root_dev) {
                    root = u;
                    root_dev = d;
                }
                continue;
            }
            const double c = split_cut(tree, u, keyed, side);
            if (c < best_cut && (root == no_part || c < root_cut)) {
                root = u;
                root_dev = d;
                root_cut = c;
            }
        }
        if (root == no_part) continue;
        if (!compactness) {
            const double c = split_cut(tree, root, keyed, side);
            if (root_dev < best_dev - 1e-12 || (root_dev <= best_dev + 1e-12 && c < best_cut)) {
                best_dev = root_dev;
                best_cut = c;
                best_root = root;
                best_tree = tree;
            }
        } else if (root_cut < best_cut) {
            best_cut = root_cut;
            best_root = root;
            best_tree = tree;
        }
    }
    if (best_root == no_part) return false;
    const std::uint32_t lo = best_tree.pre[best_root], hi = lo + best_tree.size[best_root];
    std::fill(side.begin(), side.end(), 0);
    for (std::uint32_t i = lo; i < hi; ++i) side[best_tree.order[i]] = 1;
    // Keep the labels on the side that shares more atoms with them (fewer relabels).
    std::size_t keep = 0;
    for (std::size_t i = 0; i < set.size(); ++i) keep += (side[i] == 1) == (state.part(set[i]) == p);
    const bool flip = keep * 2 < set.size();
    for (std::size_t i = 0; i < set.size(); ++i) {
        const std::uint32_t to = ((side[i] == 1) != flip) ? p : q;
        if (state.part(set[i]) != to) state.move(set[i], to);
    }
    return true;
}

/// Cut cost between the two sides of a tree split (subtree of `root` vs the rest).
double TreeSplitter::split_cut(const Tree& tree, std::uint32_t root,
                               const std::vector<std::pair<std::uint64_t, Edge>>& keyed, std::vector<char>& side) const
{
    const std::uint32_t lo = tree.pre[root], hi = lo + tree.size[root];
    std::fill(side.begin(), side.end(), 0);
    for (std::uint32_t i = lo; i < hi; ++i) side[tree.order[i]] = 1;
    double c = 0.0;
    for (const auto& item : keyed) {
        const Edge& e = item.second;
        if (side[m_local[e.a]] != side[m_local[e.b]]) c += e.cost;
    }
    return c;
}


} // namespace libgrid::detail
