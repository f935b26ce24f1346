// bench-partition: the partitioner against METIS, on the real districting instances and on
// synthetic territories, with every quality measure of DESIGN.md and per-stage time and memory.
//
//   bench-partition [--suite districting|synthetic|prefecture|all] [--runs 5] [--seed 1]
//                   [--sizes 1000,10000,100000] [--grids-per 15] [--prefecture-transformers 30000]
//                   [--metis-edge-weights none|border] [--cache DIR] [--json FILE]
//
// Suites (`all` = districting + synthetic + prefecture):
// - districting: ../shared/data/districting (Georgia's 159 counties into 10, NY8's 281 tracts
//   into 10 and 50; polygons are the atoms, population the load). libgrid::partition() and
//   METIS_PartGraphKway (CONTIG=1; UFACTOR=1 and 30) on the same CSR graph, side by side with
//   the public tools' figures of ../shared/data/peers.md.
// - synthetic: synth-city territories of --sizes transformers (seed 1, K = N / --grids-per),
//   the whole pipeline stage by stage (read, validate, service areas, graph, partition, verify,
//   dissolve, metrics: median time and peak resident memory of each), every measure of
//   DESIGN.md, and METIS per region with the same grid count per region as libgrid's plan.
// - prefecture: the prefecture: about 350,000 customers, 9 stations, 2,070 grids.
//
// METIS is run per region on the border edges (a feeder link does not connect a grid on the
// map): a station, or, when a station's induced graph falls apart into several connected pieces, each piece, with the number of grids libgrid's plan put there (every
// libgrid grid is contiguous, so it lies in one piece). METIS cannot make a disconnected graph
// contiguous (it refuses CONTIG), hence the split; the count of such stations is printed.
// Vertex weights are round(load); edge weights are none by default (as peers.md ran METIS) or
// max(1, round(shared border metres)) with --metis-edge-weights border. The METIS time is the
// sum of the METIS_PartGraphKway calls only (subgraph extraction is not timed), like the
// libgrid time is the partition() call only.
//
// METIS's plans are measured with the same code as libgrid's: they are put into a
// libgrid::Plan and go through verify_plan(), dissolve() and compute_metrics().
//
// Peak memory per stage: the kernel's high-water mark (VmHWM) is reset before each stage
// through /proc/self/clear_refs (after malloc_trim), so each figure is the stage's own peak
// resident size, including what earlier stages still hold.
//
// Deterministic apart from the times: same inputs and seeds give the same plans and measures.
#include <libgrid/error.hpp>
#include <libgrid/graph.hpp>
#include <libgrid/io.hpp>
#include <libgrid/metrics.hpp>
#include <libgrid/partition.hpp>
#include <libgrid/service_areas.hpp>
#include <libgrid/validate.hpp>
#include <libgrid/verify.hpp>

#include "evaluate.hpp"

#include <metis.h>

#include "bench_util.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <malloc.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace {

using clock_type = std::chrono::steady_clock;

// ---------------------------------------------------------------------------------------------
// A small JSON value, enough for the report (objects keep insertion order).

class Json {
public:
    Json() = default;
    Json(double v) : m_kind(Kind::number), m_num(v) {}
    Json(int v) : m_kind(Kind::integer), m_int(v) {}
    Json(long v) : m_kind(Kind::integer), m_int(v) {}
    Json(long long v) : m_kind(Kind::integer), m_int(v) {}
    Json(unsigned v) : m_kind(Kind::integer), m_int(static_cast<long long>(v)) {}
    Json(unsigned long v) : m_kind(Kind::integer), m_int(static_cast<long long>(v)) {}
    Json(unsigned long long v) : m_kind(Kind::integer), m_int(static_cast<long long>(v)) {}
    Json(bool v) : m_kind(Kind::boolean), m_bool(v) {}
    Json(const char* v) : m_kind(Kind::string), m_str(v) {}
    Json(std::string v) : m_kind(Kind::string), m_str(std::move(v)) {}

    static Json object() { Json j; j.m_kind = Kind::object; return j; }
    static Json array() { Json j; j.m_kind = Kind::array; return j; }

    Json& operator[](const std::string& key)
    {
        if (m_kind != Kind::object) *this = object();
        for (auto& [k, v] : m_obj)
            if (k == key) return v;
        m_obj.emplace_back(key, Json{});
        return m_obj.back().second;
    }
    void push(Json v)
    {
        if (m_kind != Kind::array) *this = array();
        m_arr.push_back(std::move(v));
    }

    void dump(std::string& out, int indent = 0) const
    {
        const std::string pad(static_cast<std::size_t>(indent) + 2, ' ');
        const std::string end_pad(static_cast<std::size_t>(indent), ' ');
        switch (m_kind) {
        case Kind::null: out += "null"; break;
        case Kind::number:
            out += std::isfinite(m_num) ? fmt::format("{}", m_num) : std::string("null");
            break;
        case Kind::integer: out += fmt::format("{}", m_int); break;
        case Kind::boolean: out += m_bool ? "true" : "false"; break;
        case Kind::string: quote(out, m_str); break;
        case Kind::array:
            if (m_arr.empty()) { out += "[]"; break; }
            out += "[\n";
            for (std::size_t i = 0; i < m_arr.size(); ++i) {
                out += pad;
                m_arr[i].dump(out, indent + 2);
                out += i + 1 < m_arr.size() ? ",\n" : "\n";
            }
            out += end_pad + "]";
            break;
        case Kind::object:
            if (m_obj.empty()) { out += "{}"; break; }
            out += "{\n";
            for (std::size_t i = 0; i < m_obj.size(); ++i) {
                out += pad;
                quote(out, m_obj[i].first);
                out += ": ";
                m_obj[i].second.dump(out, indent + 2);
                out += i + 1 < m_obj.size() ? ",\n" : "\n";
            }
            out += end_pad + "}";
            break;
        }
    }

private:
    enum class Kind { null, number, integer, boolean, string, array, object };
    static void quote(std::string& out, const std::string& s)
    {
        out += '"';
        for (unsigned char c : s) {
            if (c == '"' || c == '\\') { out += '\\'; out += static_cast<char>(c); }
            else if (c == '\n') out += "\\n";
            else if (c < 0x20) out += fmt::format("\\u{:04x}", c);
            else out += static_cast<char>(c);
        }
        out += '"';
    }
    Kind m_kind = Kind::null;
    double m_num = 0;
    long long m_int = 0;
    bool m_bool = false;
    std::string m_str;
    std::vector<Json> m_arr;
    std::vector<std::pair<std::string, Json>> m_obj;
};

// ---------------------------------------------------------------------------------------------
// Time and memory.

using bench::median;
using bench::peak_mib;
using bench::reset_peak;

double seconds_since(clock_type::time_point t0)
{
    return std::chrono::duration<double>(clock_type::now() - t0).count();
}

std::string loadavg()
{
    std::ifstream f("/proc/loadavg");
    std::string a, b, c;
    f >> a >> b >> c;
    return a + " " + b + " " + c;
}

std::string pct(double x) { return std::isfinite(x) ? fmt::format("{:.2f}%", 100.0 * x) : "inf"; }

// ---------------------------------------------------------------------------------------------
// The measures of one plan (libgrid's or METIS's), from verify_plan() and compute_metrics().

struct StationMeasures {
    std::string id;
    std::size_t transformers = 0;
    std::size_t grids = 0;
    double load = 0;
    double target = 0;
    double lower_bound = 0;
    double max_dev = 0;
    std::size_t non_contiguous = 0;
    double pp_mean = 0;
    std::size_t cut_edges = 0;
};

struct Measures {
    std::string tool;
    double time_s = 0;               // median of the partition call (METIS: sum of its calls)
    std::vector<double> time_samples;
    std::size_t grids = 0;
    double max_dev = 0;
    double lower_bound = 0;           // max over stations of the balance lower bound
    double max_over_min = 0;
    double min_load = 0;
    double max_load = 0;
    double pp_mean = 0;
    double pp_min = 0;
    std::size_t cut_edges = 0;
    double cut_km = 0;
    double mean_distance_m = 0;
    std::vector<std::pair<std::string, std::size_t>> admin_splits;
    std::size_t feeder_splits = 0;
    double continuity = -1;
    std::size_t non_contiguous = 0;
    std::size_t empty_grids = 0;
    bool verify_ok = false;
    std::size_t verify_problems = 0;
    std::string verify_first;
    std::vector<StationMeasures> stations;
    std::vector<std::string> notes;
    int deterministic = -1;           // 1/0 when checked across runs, -1 when not checked
    // The benchmark's own evaluator (evaluate.hpp): from the polygons, not libgrid's metrics.
    bool evaluated = false;
    std::size_t eval_cut = 0;
    double eval_pp = 0;
    std::size_t eval_multi = 0;
};

// Fills the evaluator's figures of a plan.
void evaluate_into(Measures& m, const bench::Evaluator& ev, const libgrid::Plan& plan)
{
    const bench::Evaluation e = ev.evaluate(plan.grid_of, plan.num_grids());
    m.evaluated = true;
    m.eval_cut = e.cut_edges;
    m.eval_pp = e.pp_mean;
    m.eval_multi = e.multi_part;
}

Measures measure(const std::string& tool, const libgrid::Territory& territory,
                 const libgrid::AdjacencyGraph& graph, const libgrid::Plan& plan,
                 const libgrid::PlanMetrics& pm, const libgrid::VerifyReport& vr)
{
    Measures m;
    m.tool = tool;
    const auto& o = pm.overall;
    m.grids = o.grids;
    m.max_dev = o.max_abs_deviation;
    m.lower_bound = o.lower_bound;
    m.max_over_min = o.max_over_min;
    m.min_load = o.min_load;
    m.max_load = o.max_load;
    m.pp_mean = o.polsby_popper_mean;
    m.pp_min = o.polsby_popper_min;
    m.cut_edges = o.cut_edges;
    m.cut_km = o.cut_border_km;
    m.mean_distance_m = o.mean_distance_m;
    m.admin_splits = o.admin_splits;
    m.feeder_splits = o.feeder_splits;
    m.continuity = o.continuity;
    m.non_contiguous = o.non_contiguous;
    for (const auto& g : pm.grids)
        if (g.transformers == 0) ++m.empty_grids;
    m.verify_ok = vr.ok();
    m.verify_problems = vr.problems.size();
    if (!vr.problems.empty()) m.verify_first = vr.problems.front();
    for (std::size_t s = 0; s < plan.stations.size() && s < pm.stations.size(); ++s) {
        StationMeasures sm;
        sm.id = plan.stations[s].station_id;
        sm.transformers = plan.stations[s].transformers;
        sm.grids = pm.stations[s].grids;
        sm.load = plan.stations[s].load;
        sm.target = plan.stations[s].target;
        sm.lower_bound = plan.stations[s].lower_bound;
        sm.max_dev = pm.stations[s].max_abs_deviation;
        sm.non_contiguous = pm.stations[s].non_contiguous;
        sm.pp_mean = pm.stations[s].polsby_popper_mean;
        sm.cut_edges = pm.stations[s].cut_edges;
        m.stations.push_back(sm);
    }
    (void)territory;
    (void)graph;
    return m;
}

Json to_json(const Measures& m, bool with_stations)
{
    Json j = Json::object();
    j["tool"] = m.tool;
    j["time_s"] = m.time_s;
    Json samples = Json::array();
    for (double t : m.time_samples) samples.push(t);
    j["time_samples_s"] = samples;
    j["grids"] = m.grids;
    j["max_deviation"] = m.max_dev;
    j["lower_bound"] = m.lower_bound;
    j["max_over_min"] = m.max_over_min;
    j["min_load"] = m.min_load;
    j["max_load"] = m.max_load;
    j["polsby_popper_mean"] = m.pp_mean;
    j["polsby_popper_min"] = m.pp_min;
    j["cut_edges"] = m.cut_edges;
    j["cut_border_km"] = m.cut_km;
    if (m.evaluated) {
        Json e = Json::object();
        e["cut_edges"] = m.eval_cut;
        e["polsby_popper_mean"] = m.eval_pp;
        e["multi_part_grids"] = m.eval_multi;
        j["evaluator"] = e;
    }
    j["mean_distance_m"] = m.mean_distance_m;
    Json admin = Json::object();
    for (const auto& [level, n] : m.admin_splits) admin[level] = n;
    j["admin_splits"] = admin;
    j["feeder_splits"] = m.feeder_splits;
    j["continuity"] = m.continuity;
    j["non_contiguous_grids"] = m.non_contiguous;
    j["empty_grids"] = m.empty_grids;
    j["verify_ok"] = m.verify_ok;
    j["verify_problems"] = m.verify_problems;
    if (!m.verify_first.empty()) j["verify_first_problem"] = m.verify_first;
    if (m.deterministic >= 0) j["deterministic_across_runs"] = m.deterministic == 1;
    Json notes = Json::array();
    for (const auto& n : m.notes) notes.push(n);
    j["notes"] = notes;
    if (with_stations) {
        Json st = Json::array();
        for (const auto& s : m.stations) {
            Json x = Json::object();
            x["station_id"] = s.id;
            x["transformers"] = s.transformers;
            x["grids"] = s.grids;
            x["load"] = s.load;
            x["target"] = s.target;
            x["lower_bound"] = s.lower_bound;
            x["max_deviation"] = s.max_dev;
            x["non_contiguous_grids"] = s.non_contiguous;
            x["polsby_popper_mean"] = s.pp_mean;
            x["cut_edges"] = s.cut_edges;
            st.push(x);
        }
        j["stations"] = st;
    }
    return j;
}

// ---------------------------------------------------------------------------------------------
// METIS per region, with libgrid's grid count per region.

struct MetisRegion {
    std::size_t station = 0;
    std::vector<std::uint32_t> vertices; // ascending
    std::size_t grids = 0;
    bool contig = true;                  // CONTIG requested (false: region is disconnected)
};

struct MetisSetup {
    std::vector<MetisRegion> regions;
    std::size_t split_stations = 0;      // stations whose induced graph has several pieces
    std::size_t uncontig_regions = 0;    // regions run without CONTIG
    std::vector<std::string> notes;
};

// Regions: each station's induced subgraph, split into its connected pieces; each piece gets
// the number of libgrid grids whose first transformer lies in it.
MetisSetup metis_regions(const libgrid::CsrGraph& g, const libgrid::Territory& territory,
                         const libgrid::Plan& plan)
{
    const std::size_t n = g.num_vertices();
    std::map<std::string, std::size_t> station_index;
    for (std::size_t s = 0; s < plan.stations.size(); ++s) station_index[plan.stations[s].station_id] = s;
    std::vector<std::size_t> station_of(n);
    for (std::size_t v = 0; v < n; ++v) station_of[v] = station_index.at(territory.transformers[v].station_id);

    // Pieces: BFS over edges inside one station.
    constexpr std::uint32_t none = std::numeric_limits<std::uint32_t>::max();
    std::vector<std::uint32_t> piece(n, none);
    std::vector<std::size_t> piece_station;
    std::vector<std::uint32_t> queue;
    for (std::size_t start = 0; start < n; ++start) {
        if (piece[start] != none) continue;
        const auto id = static_cast<std::uint32_t>(piece_station.size());
        piece_station.push_back(station_of[start]);
        piece[start] = id;
        queue.assign(1, static_cast<std::uint32_t>(start));
        for (std::size_t h = 0; h < queue.size(); ++h) {
            const std::uint32_t v = queue[h];
            for (std::size_t k = g.xadj[v]; k < g.xadj[v + 1]; ++k) {
                const std::uint32_t u = g.adjncy[k];
                if ((g.kind[k] & libgrid::edge_border) == 0) continue; // pieces of the map
                if (piece[u] != none || station_of[u] != station_of[v]) continue;
                piece[u] = id;
                queue.push_back(u);
            }
        }
    }
    const std::size_t pieces = piece_station.size();
    std::vector<std::size_t> piece_grids(pieces, 0);
    std::vector<char> grid_seen(plan.num_grids(), 0);
    for (std::size_t v = 0; v < n; ++v) {
        const std::uint32_t gr = plan.grid_of[v];
        if (gr < grid_seen.size() && !grid_seen[gr]) {
            grid_seen[gr] = 1;
            ++piece_grids[piece[v]];
        }
    }
    std::vector<std::size_t> pieces_of_station(plan.stations.size(), 0);
    std::vector<char> station_has_empty_piece(plan.stations.size(), 0);
    for (std::size_t p = 0; p < pieces; ++p) {
        ++pieces_of_station[piece_station[p]];
        if (piece_grids[p] == 0) station_has_empty_piece[piece_station[p]] = 1;
    }

    MetisSetup out;
    // Stations with a piece that libgrid gave no grid of its own (only possible when contiguity
    // was relaxed) run whole, without CONTIG.
    std::vector<std::size_t> region_of_piece(pieces, libgrid::npos);
    std::vector<std::size_t> region_of_station(plan.stations.size(), libgrid::npos);
    for (std::size_t p = 0; p < pieces; ++p) {
        const std::size_t s = piece_station[p];
        if (station_has_empty_piece[s]) {
            if (region_of_station[s] == libgrid::npos) {
                region_of_station[s] = out.regions.size();
                MetisRegion r;
                r.station = s;
                r.contig = false;
                r.grids = plan.stations[s].grids;
                out.regions.push_back(r);
                ++out.uncontig_regions;
                out.notes.push_back(fmt::format(
                    "station '{}': a connected piece holds no libgrid grid; METIS ran on the whole "
                    "station without CONTIG", plan.stations[s].station_id));
            }
            region_of_piece[p] = region_of_station[s];
        } else {
            region_of_piece[p] = out.regions.size();
            MetisRegion r;
            r.station = s;
            r.grids = piece_grids[p];
            out.regions.push_back(r);
        }
    }
    for (std::size_t v = 0; v < n; ++v) out.regions[region_of_piece[piece[v]]].vertices.push_back(static_cast<std::uint32_t>(v));
    for (std::size_t s = 0; s < plan.stations.size(); ++s)
        if (pieces_of_station[s] > 1) ++out.split_stations;
    if (out.split_stations > 0)
        out.notes.push_back(fmt::format(
            "{} station(s) fall apart into several connected pieces; METIS cannot make such a graph "
            "contiguous, so it ran per piece with libgrid's grid count per piece", out.split_stations));
    return out;
}

struct MetisResult {
    std::vector<std::uint32_t> part;        // global grid per vertex
    std::vector<std::size_t> grid_station;  // station per global grid
    double seconds = 0;                     // sum of METIS_PartGraphKway calls
    std::size_t failures = 0;
};

MetisResult run_metis(const libgrid::CsrGraph& g, const MetisSetup& setup, int ufactor,
                      bool border_weights, std::uint64_t seed)
{
    const std::size_t n = g.num_vertices();
    MetisResult out;
    out.part.assign(n, 0);
    std::vector<std::int64_t> local(n, -1);
    std::size_t offset = 0;
    for (const MetisRegion& r : setup.regions) {
        const std::size_t nv = r.vertices.size();
        for (std::size_t i = 0; i < nv; ++i) local[r.vertices[i]] = static_cast<std::int64_t>(i);
        std::vector<idx_t> xadj(1, 0), adjncy, vwgt, adjwgt, part(nv, 0);
        for (std::size_t i = 0; i < nv; ++i) {
            const std::uint32_t v = r.vertices[i];
            for (std::size_t k = g.xadj[v]; k < g.xadj[v + 1]; ++k) {
                const std::int64_t u = local[g.adjncy[k]];
                // METIS gets the border edges only: its CONTIG then means one piece on the map,
                // as libgrid's contiguity does (a feeder link connects nothing).
                if (u < 0 || (g.kind[k] & libgrid::edge_border) == 0) continue;
                adjncy.push_back(static_cast<idx_t>(u));
                if (border_weights)
                    adjwgt.push_back(static_cast<idx_t>(std::max(1.0, std::round(g.border_m[k]))));
            }
            xadj.push_back(static_cast<idx_t>(adjncy.size()));
            vwgt.push_back(static_cast<idx_t>(std::llround(g.vertex_weight[v])));
        }
        if (r.grids > 1 && nv > 0) {
            idx_t nvtxs = static_cast<idx_t>(nv), ncon = 1, nparts = static_cast<idx_t>(r.grids), objval = 0;
            idx_t options[METIS_NOPTIONS];
            METIS_SetDefaultOptions(options);
            options[METIS_OPTION_CONTIG] = r.contig ? 1 : 0;
            options[METIS_OPTION_UFACTOR] = ufactor;
            options[METIS_OPTION_SEED] = static_cast<idx_t>(seed);
            options[METIS_OPTION_NUMBERING] = 0;
            const auto t0 = clock_type::now();
            const int rc = METIS_PartGraphKway(&nvtxs, &ncon, xadj.data(), adjncy.data(), vwgt.data(), nullptr,
                                               border_weights ? adjwgt.data() : nullptr, &nparts, nullptr,
                                               nullptr, options, &objval, part.data());
            out.seconds += seconds_since(t0);
            if (rc != METIS_OK) {
                ++out.failures;
                // Keep a valid assignment: everything in the region's first part.
                std::fill(part.begin(), part.end(), 0);
            }
        }
        for (std::size_t i = 0; i < nv; ++i) {
            out.part[r.vertices[i]] = static_cast<std::uint32_t>(offset + static_cast<std::size_t>(part[i]));
            local[r.vertices[i]] = -1;
        }
        for (std::size_t j = 0; j < std::max<std::size_t>(r.grids, 1); ++j) out.grid_station.push_back(r.station);
        offset += std::max<std::size_t>(r.grids, 1);
    }
    return out;
}

// METIS's assignment as a libgrid::Plan, so verify_plan() and compute_metrics() measure it.
libgrid::Plan metis_plan(const libgrid::Plan& ref, const MetisResult& mr)
{
    libgrid::Plan p;
    p.grid_of = mr.part;
    p.load = ref.load;
    p.stations = ref.stations;
    for (auto& s : p.stations) s.notes.clear();
    p.max_load = 0.0;
    const std::size_t grids = mr.grid_station.size();
    p.grid_station = mr.grid_station;
    p.grid_id.resize(grids);
    p.grid_target.resize(grids);
    p.grid_nest_unit.assign(grids, libgrid::npos);
    p.grid_load.assign(grids, 0.0);
    p.grid_relaxed.assign(grids, 0);
    for (std::size_t g = 0; g < grids; ++g) {
        p.grid_id[g] = fmt::format("M{:06d}", g);
        p.grid_target[g] = ref.stations[p.grid_station[g]].target;
    }
    for (std::size_t v = 0; v < p.grid_of.size(); ++v) p.grid_load[p.grid_of[v]] += p.load[v];
    return p;
}

struct MetisConfig {
    bool border_weights = false;
    std::uint64_t seed = 1;
    int runs = 5;
};

// Runs METIS (ufactor) `runs` times and measures its plan with libgrid's code.
Measures metis_measures(const libgrid::Territory& territory, const libgrid::AdjacencyGraph& graph,
                        const std::vector<libgrid::MultiPolygon>& shapes, const libgrid::Plan& ref,
                        const MetisSetup& setup, int ufactor, const MetisConfig& mc, const bench::Evaluator& ev)
{
    MetisResult mr;
    std::vector<double> times;
    for (int r = 0; r < mc.runs; ++r) {
        mr = run_metis(graph.graph, setup, ufactor, mc.border_weights, mc.seed);
        times.push_back(mr.seconds);
    }
    const libgrid::Plan p = metis_plan(ref, mr);
    const libgrid::VerifyReport vr = libgrid::verify_plan(territory, graph.graph, p);
    const auto grid_shapes = libgrid::dissolve(shapes, p.grid_of, p.num_grids());
    const libgrid::PlanMetrics pm = libgrid::compute_metrics(territory, graph, p, grid_shapes);
    Measures m = measure(fmt::format("METIS uf{}", ufactor), territory, graph, p, pm, vr);
    evaluate_into(m, ev, p);
    m.time_s = median(times);
    m.time_samples = times;
    m.notes = setup.notes;
    if (mr.failures > 0) m.notes.push_back(fmt::format("{} METIS call(s) failed", mr.failures));
    return m;
}

// ---------------------------------------------------------------------------------------------
// Printing.

std::string verify_text(const Measures& m)
{
    return m.verify_ok ? "ok" : fmt::format("{} problem(s)", m.verify_problems);
}

void print_quality_table(const std::vector<Measures>& ms)
{
    fmt::print("{:<26}", "measure");
    for (const auto& m : ms) fmt::print(" {:>18}", m.tool);
    fmt::print("\n");
    auto row = [&](const std::string& name, auto&& cell) {
        fmt::print("{:<26}", name);
        for (const auto& m : ms) fmt::print(" {:>18}", cell(m));
        fmt::print("\n");
    };
    row("partition time s", [](const Measures& m) { return fmt::format("{:.3f}", m.time_s); });
    row("grids", [](const Measures& m) { return fmt::format("{}", m.grids); });
    row("max deviation", [](const Measures& m) { return pct(m.max_dev); });
    row("lower bound (max station)", [](const Measures& m) { return pct(m.lower_bound); });
    row("max/min load", [](const Measures& m) { return fmt::format("{:.3f}", m.max_over_min); });
    row("Polsby-Popper mean", [](const Measures& m) { return fmt::format("{:.3f}", m.pp_mean); });
    row("Polsby-Popper min", [](const Measures& m) { return fmt::format("{:.3f}", m.pp_min); });
    row("cut edges", [](const Measures& m) { return fmt::format("{}", m.cut_edges); });
    row("cut edges (evaluator)", [](const Measures& m) { return fmt::format("{}", m.eval_cut); });
    row("PP mean (evaluator)", [](const Measures& m) { return fmt::format("{:.3f}", m.eval_pp); });
    row("multi-part (evaluator)", [](const Measures& m) { return fmt::format("{}", m.eval_multi); });
    row("cut border km", [](const Measures& m) { return fmt::format("{:.1f}", m.cut_km); });
    row("mean distance m", [](const Measures& m) { return fmt::format("{:.0f}", m.mean_distance_m); });
    if (!ms.empty())
        for (std::size_t l = 0; l < ms.front().admin_splits.size(); ++l)
            row("admin splits " + ms.front().admin_splits[l].first, [l](const Measures& m) {
                return l < m.admin_splits.size() ? fmt::format("{}", m.admin_splits[l].second) : std::string("-");
            });
    row("feeder splits", [](const Measures& m) { return fmt::format("{}", m.feeder_splits); });
    row("continuity", [](const Measures& m) { return m.continuity < 0 ? std::string("-") : pct(m.continuity); });
    row("non-contiguous grids", [](const Measures& m) { return fmt::format("{}", m.non_contiguous); });
    row("empty grids", [](const Measures& m) { return fmt::format("{}", m.empty_grids); });
    row("verify_plan", [](const Measures& m) { return verify_text(m); });
    row("deterministic (runs)", [](const Measures& m) {
        return m.deterministic < 0 ? std::string("-") : std::string(m.deterministic ? "yes" : "NO");
    });
    for (const auto& m : ms) {
        if (!m.verify_ok) fmt::print("  {} verify_plan, first problem: {}\n", m.tool, m.verify_first);
        for (const auto& n : m.notes) fmt::print("  {} note: {}\n", m.tool, n);
    }
}

void print_station_table(const std::vector<Measures>& ms)
{
    if (ms.empty()) return;
    fmt::print("{:<10} {:>7} {:>6} {:>9} {:>8} {:>8}", "station", "atoms", "grids", "load", "target", "LB");
    for (const auto& m : ms) fmt::print(" {:>15}", m.tool + " dev");
    for (const auto& m : ms) fmt::print(" {:>14}", m.tool + " nc");
    fmt::print("\n");
    for (std::size_t s = 0; s < ms.front().stations.size(); ++s) {
        const auto& st = ms.front().stations[s];
        fmt::print("{:<10} {:>7} {:>6} {:>9.0f} {:>8.1f} {:>8}", st.id.empty() ? "(all)" : st.id, st.transformers,
                   st.grids, st.load, st.target, pct(st.lower_bound));
        for (const auto& m : ms) fmt::print(" {:>15}", s < m.stations.size() ? pct(m.stations[s].max_dev) : "-");
        for (const auto& m : ms)
            fmt::print(" {:>14}", s < m.stations.size() ? fmt::format("{}", m.stations[s].non_contiguous) : "-");
        fmt::print("\n");
    }
}

// ---------------------------------------------------------------------------------------------
// Districting suite.

// Reference figures from ../shared/data/peers.md (public tools on a 2-core machine like this
// one; each tool run as its authors document it). Hard-coded as the bar to compare against.
struct PeerRow {
    const char* instance;
    int k;
    const char* tool;
    const char* time;
    const char* max_dev;
    const char* contiguous;
    const char* cut;
    const char* pp;
};
const PeerRow kPeers[] = {
    {"georgia_counties", 10, "METIS 5.1 kway -contig uf1", "0.004", "22.7%", "yes", "93", "0.359"},
    {"georgia_counties", 10, "METIS 5.1 kway -contig uf30", "0.005", "21.4%", "yes", "123", "0.245"},
    {"georgia_counties", 10, "Scotch 7 balance 0.001", "0.009", "0.2%", "no", "150", "0.169"},
    {"georgia_counties", 10, "spopt max-p (floor=total/k)", "11.1", "43.0%", "yes", "125", "0.254"},
    {"georgia_counties", 10, "spopt AZP/SKATER/k-means", "0.2-1.4", "166-341%", "yes", "102-113", "0.34-0.39"},
    {"georgia_counties", 10, "GerryChain 1000 ReCom eps.01", "9.5", "2.0%", "yes", "120", "0.263"},
    {"ny8_tracts", 10, "METIS -contig uf30", "0.005", "2.9%", "yes", "151", "0.295"},
    {"ny8_tracts", 10, "Scotch balance 0.001", "0.027", "0.1%", "no", "193", "0.286"},
    {"ny8_tracts", 10, "spopt max-p", "418", "27.6%", "yes", "149", "0.310"},
    {"ny8_tracts", 10, "GerryChain 1000 ReCom eps.01", "0.25", "1.0%", "yes", "191", "0.271"},
    {"ny8_tracts", 50, "METIS -contig uf30", "0.011", "47.2%", "yes", "374", "0.385"},
    {"ny8_tracts", 50, "Scotch balance 0.001", "0.026", "1.4%", "no", "525", "0.265"},
    {"ny8_tracts", 50, "GerryChain 1000 ReCom eps.01", "248", "19.4%", "yes", "408", "0.340"},
};

// The plan-quality issue's bar per instance, judged on the evaluator's figures: max deviation at
// most max_dev; cut edges at most cut_max and mean PP at least pp_min (both, or either when
// either_shape); the reported lower bound above bound_above.
struct Bar {
    const char* instance;
    int k;
    double max_dev;
    std::size_t cut_max; // 0 = no bound
    double pp_min;       // 0 = no bound
    bool either_shape;
    double bound_above;  // 0 = no bound
};
const Bar kBars[] = {
    {"georgia_counties", 10, 0.01, 97, 0.33, false, 0.0},
    {"ny8_tracts", 10, 0.01, 137, 0.43, true, 0.0},
    {"ny8_tracts", 50, 0.027, 0, 0.0, false, 0.02},
};

struct Options {
    std::string suite = "all";
    int runs = 5;
    int large_runs = 1;
    std::uint64_t seed = 1;
    std::vector<std::size_t> sizes{1000, 10000, 100000};
    double grids_per = 15.0;
    std::size_t prefecture_transformers = 30000;
    std::size_t prefecture_grids = 2070;
    std::size_t prefecture_stations = 9;
    long long prefecture_customers = 350000;
    std::string metis_edge_weights = "none";
    std::string data_dir = SHARED_DATA;
    std::string cache;
    std::string json;
    bool per_station = false;
    std::size_t threads = 0;
    std::size_t effort = 1;               // libgrid's effort in the main runs
    std::vector<std::size_t> efforts;     // extra table: libgrid at each of these efforts
    std::vector<std::string> skip_phases; // phases switched off in every libgrid run
};

// libgrid's options for a run of the benchmark.
libgrid::PartitionOptions libgrid_options(const Options& opt, std::size_t grids, std::size_t effort)
{
    libgrid::PartitionOptions po;
    po.grids = grids;
    po.seed = opt.seed;
    po.threads = opt.threads;
    po.effort = effort;
    po.skip_phases = opt.skip_phases;
    return po;
}

// The effort table: libgrid alone at each effort (median time of `runs`), judged by the evaluator.
Json effort_table(const Options& opt, const libgrid::Territory& territory, const libgrid::AdjacencyGraph& graph,
                  std::size_t grids, const bench::Evaluator& ev, int runs)
{
    Json arr = Json::array();
    if (opt.efforts.empty()) return arr;
    fmt::print("  effort table (libgrid alone; median of {} runs):\n  {:>6} {:>9} {:>9} {:>9} {:>6} {:>8}\n", runs,
               "effort", "time s", "max dev", "bound", "cut", "PP mean");
    for (const std::size_t e : opt.efforts) {
        const libgrid::PartitionOptions po = libgrid_options(opt, grids, e);
        libgrid::Plan plan;
        std::vector<double> times;
        for (int r = 0; r < runs; ++r) {
            const auto t0 = clock_type::now();
            plan = libgrid::partition(territory, graph, po);
            times.push_back(seconds_since(t0));
        }
        const bench::Evaluation ve = ev.evaluate(plan.grid_of, plan.num_grids());
        double dev = 0, bound = 0;
        for (const auto& s : plan.stations) {
            dev = std::max(dev, s.max_deviation);
            bound = std::max(bound, s.lower_bound);
        }
        fmt::print("  {:>6} {:>9.3f} {:>9} {:>9} {:>6} {:>8.3f}\n", e, median(times), pct(dev), pct(bound), ve.cut_edges,
                   ve.pp_mean);
        Json j = Json::object();
        j["effort"] = e;
        j["time_s"] = median(times);
        j["max_deviation"] = dev;
        j["lower_bound"] = bound;
        j["cut_edges"] = ve.cut_edges;
        j["polsby_popper_mean"] = ve.pp_mean;
        arr.push(j);
    }
    return arr;
}

Json run_districting(const Options& opt, const MetisConfig& mc)
{
    struct Instance {
        std::string file;
        std::string name;
        std::size_t k;
    };
    const std::vector<Instance> instances{
        {"georgia_counties.gpkg", "georgia_counties", 10},
        {"ny8_tracts.gpkg", "ny8_tracts", 10},
        {"ny8_tracts.gpkg", "ny8_tracts", 50},
    };
    Json out = Json::array();
    fmt::print("\n=== districting: polygon atoms with population ({}; runs {}, seed {}, METIS edge weights: {}) ===\n",
               (fs::path(opt.data_dir) / "districting").string(), opt.runs, opt.seed,
               mc.border_weights ? "max(1, round(border m))" : "none");

    std::vector<std::string> table;
    for (const auto& inst : instances) {
        const fs::path path = fs::path(opt.data_dir) / "districting" / inst.file;
        if (!fs::exists(path))
            throw std::runtime_error(fmt::format("{} not found: give the shared data folder with --data", path.string()));
        libgrid::ReadOptions ro;
        ro.transformers = {path.string(), "", "", ""};
        ro.fields.id = "name";
        ro.fields.customers = "population";
        auto [territory, report] = libgrid::read_inputs(ro);
        if (!report.ok() || territory.transformers.empty())
            throw std::runtime_error(fmt::format("{}: {} read error(s), {} atoms read", path.string(),
                                                 report.count(libgrid::Severity::error), territory.transformers.size()));
        report.merge(libgrid::validate(territory));
        const libgrid::ServiceAreas areas = libgrid::build_service_areas(territory, report);
        const libgrid::AdjacencyGraph graph = libgrid::build_adjacency(territory, areas, report);
        const bench::Evaluator ev(areas.shapes);

        const libgrid::PartitionOptions po = libgrid_options(opt, inst.k, opt.effort);
        libgrid::Plan plan;
        std::vector<double> times;
        int deterministic = 1;
        std::vector<std::uint32_t> first;
        for (int r = 0; r < opt.runs; ++r) {
            const auto t0 = clock_type::now();
            plan = libgrid::partition(territory, graph, po);
            times.push_back(seconds_since(t0));
            if (r == 0) first = plan.grid_of;
            else if (plan.grid_of != first) deterministic = 0;
        }
        const libgrid::VerifyReport vr = libgrid::verify_plan(territory, graph.graph, plan);
        const auto shapes = libgrid::dissolve(areas.shapes, plan.grid_of, plan.num_grids());
        const libgrid::PlanMetrics pm = libgrid::compute_metrics(territory, graph, plan, shapes);
        Measures lg = measure("libgrid", territory, graph, plan, pm, vr);
        evaluate_into(lg, ev, plan);
        lg.time_s = median(times);
        lg.time_samples = times;
        lg.deterministic = deterministic;
        for (const auto& s : plan.stations)
            for (const auto& n : s.notes) lg.notes.push_back(n);
        const double lb = plan.stations.empty() ? 0.0 : plan.stations.front().lower_bound;

        const MetisSetup setup = metis_regions(graph.graph, territory, plan);
        const Measures m1 = metis_measures(territory, graph, areas.shapes, plan, setup, 1, mc, ev);
        const Measures m30 = metis_measures(territory, graph, areas.shapes, plan, setup, 30, mc, ev);

        fmt::print("\n{} k={}: {} atoms, {} edges, {} component(s), population {:.0f}; balance lower bound {}\n",
                   inst.name, inst.k, territory.transformers.size(), graph.graph.num_edges(),
                   graph.components.sizes.size(), territory.total_customers(), pct(lb));
        fmt::print("  (cut and PP: the benchmark's evaluator, from the polygons with GEOS)\n");
        fmt::print("  {:<36} {:>8} {:>8} {:>10} {:>5} {:>9} {:>6}\n", "tool", "time s", "max dev", "contiguous",
                   "cut", "PP mean", "verify");
        for (const Measures* m : std::initializer_list<const Measures*>{&lg, &m1, &m30})
            fmt::print("  {:<36} {:>8.4f} {:>8} {:>10} {:>5} {:>9.3f} {:>6}\n", m->tool + " (this run)", m->time_s,
                       pct(m->max_dev), m->eval_multi == 0 ? "yes" : fmt::format("no ({})", m->eval_multi),
                       m->eval_cut, m->eval_pp, m->verify_ok ? "ok" : "FAIL");
        for (const auto& p : kPeers)
            if (inst.name == p.instance && static_cast<int>(inst.k) == p.k)
                fmt::print("  {:<36} {:>8} {:>8} {:>10} {:>5} {:>9} {:>6}\n", std::string("ref: ") + p.tool, p.time,
                           p.max_dev, p.contiguous, p.cut, p.pp, "");
        for (const auto& b : kBars)
            if (inst.name == b.instance && static_cast<int>(inst.k) == b.k) {
                const bool dev_ok = lg.max_dev <= b.max_dev + 1e-12;
                const bool cut_ok = b.cut_max == 0 || lg.eval_cut <= b.cut_max;
                const bool pp_ok = b.pp_min <= 0 || lg.eval_pp >= b.pp_min;
                const bool shape_ok = b.either_shape ? (cut_ok || pp_ok) : (cut_ok && pp_ok);
                const bool bound_ok = b.bound_above <= 0 || lb > b.bound_above;
                const bool contig_ok = lg.eval_multi == 0 && lg.verify_ok;
                std::string bar = fmt::format("max dev <= {}", pct(b.max_dev));
                if (b.cut_max) bar += fmt::format(", cut <= {}", b.cut_max);
                if (b.pp_min > 0) bar += fmt::format(" {} PP >= {:.2f}", b.either_shape ? "or" : "and", b.pp_min);
                if (b.bound_above > 0) bar += fmt::format(", lower bound > {}", pct(b.bound_above));
                bar += ", contiguous";
                fmt::print("  issue bar ({}): {} [dev {}, shape {}, bound {}, contiguous {}]\n", bar,
                           dev_ok && shape_ok && bound_ok && contig_ok ? "MET" : "NOT MET", dev_ok ? "ok" : "no",
                           shape_ok ? "ok" : "no", bound_ok ? "ok" : "no", contig_ok ? "ok" : "no");
            }
        for (const Measures* m : std::initializer_list<const Measures*>{&lg, &m1, &m30}) {
            if (!m->verify_ok) fmt::print("  {} verify_plan: {}\n", m->tool, m->verify_first);
            for (const auto& n : m->notes) fmt::print("  {} note: {}\n", m->tool, n);
        }

        Json j = Json::object();
        j["instance"] = inst.name;
        j["file"] = path.string();
        j["k"] = inst.k;
        j["atoms"] = territory.transformers.size();
        j["edges"] = graph.graph.num_edges();
        j["components"] = graph.components.sizes.size();
        j["population"] = territory.total_customers();
        j["balance_lower_bound"] = lb;
        Json res = Json::array();
        res.push(to_json(lg, false));
        res.push(to_json(m1, false));
        res.push(to_json(m30, false));
        j["results"] = res;
        Json ref = Json::array();
        for (const auto& p : kPeers)
            if (inst.name == p.instance && static_cast<int>(inst.k) == p.k) {
                Json r = Json::object();
                r["tool"] = p.tool;
                r["time_s"] = p.time;
                r["max_deviation"] = p.max_dev;
                r["contiguous"] = p.contiguous;
                r["cut_edges"] = p.cut;
                r["polsby_popper_mean"] = p.pp;
                r["source"] = "../shared/data/peers.md";
                ref.push(r);
            }
        j["reference"] = ref;
        j["efforts"] = effort_table(opt, territory, graph, inst.k, ev, opt.runs);
        out.push(j);
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// Synthetic territories: the whole pipeline.

struct CitySpec {
    std::size_t transformers = 0;
    std::uint64_t seed = 1;
    std::size_t stations = 0;      // 0 = synth-city's default
    long long customers_total = -1; // < 0 = synth-city's default
};

// Generates (or reuses from --cache) a synth-city territory; returns its folder.
fs::path make_city(const CitySpec& c, const Options& opt, fs::path& to_remove)
{
    std::string tag = fmt::format("synth-n{}-s{}", c.transformers, c.seed);
    if (c.stations) tag += fmt::format("-st{}", c.stations);
    if (c.customers_total >= 0) tag += fmt::format("-c{}", c.customers_total);
    fs::path dir;
    if (!opt.cache.empty()) {
        dir = fs::path(opt.cache) / tag;
        if (fs::exists(dir / ".complete")) {
            fmt::print("using cached territory {}\n", dir.string());
            return dir;
        }
    } else {
        dir = fs::temp_directory_path() / fmt::format("bench-partition-{}-{}", ::getpid(), tag);
        to_remove = dir;
    }
    std::string cmd = fmt::format("'{}' --transformers {} --seed {}", SYNTH_CITY, c.transformers, c.seed);
    if (c.stations) cmd += fmt::format(" --stations {}", c.stations);
    if (c.customers_total >= 0) cmd += fmt::format(" --customers-total {}", c.customers_total);
    cmd += fmt::format(" --out '{}' >/dev/null", dir.string());
    fmt::print("generating: {}\n", cmd);
    std::fflush(stdout);
    const auto t0 = clock_type::now();
    if (std::system(cmd.c_str()) != 0) throw std::runtime_error("synth-city failed: " + cmd);
    fmt::print("generated in {:.1f} s\n", seconds_since(t0));
    if (!opt.cache.empty()) std::ofstream(dir / ".complete") << cmd << "\n";
    return dir;
}

struct StageStat {
    std::string name;
    std::vector<double> seconds;
    double peak = 0;
    std::vector<double> cpu;
};

Json run_pipeline(const std::string& title, const CitySpec& spec, std::size_t grids, const Options& opt,
                  const MetisConfig& mc_in, bool stations_table)
{
    fs::path to_remove;
    const fs::path data = make_city(spec, opt, to_remove);
    const int runs = spec.transformers >= 300000 ? std::min(opt.runs, opt.large_runs) : opt.runs;
    MetisConfig mc = mc_in;
    mc.runs = runs;

    libgrid::ReadOptions ro;
    ro.transformers = {(data / "transformers.gpkg").string(), "transformers", "", ""};
    ro.feeders = {{(data / "feeders.gpkg").string(), "feeder_edges", "", ""}};
    ro.boundaries = {{(data / "boundaries.gpkg").string(), "", "", ""}};
    ro.fields.node = "hv_bus";

    const libgrid::PartitionOptions po = libgrid_options(opt, grids, opt.effort);
    libgrid::ServiceAreaOptions so;
    so.threads = opt.threads;
    libgrid::ValidateOptions vo;
    vo.threads = opt.threads;

    const std::vector<std::string> names{"read", "validate", "service areas", "graph", "partition",
                                         "verify", "dissolve", "metrics"};
    std::vector<StageStat> stats;
    for (const auto& n : names) stats.push_back({n, {}, 0.0, {}});

    libgrid::Territory territory;
    libgrid::ValidationReport report;
    libgrid::ServiceAreas areas;
    libgrid::AdjacencyGraph graph;
    libgrid::Plan plan;
    libgrid::VerifyReport vr;
    std::vector<libgrid::MultiPolygon> shapes;
    libgrid::PlanMetrics pm;
    std::vector<std::uint32_t> first_plan;
    int deterministic = 1;
    std::size_t validation_errors = 0;
    for (int r = 0; r < runs; ++r) {
        // Drop the previous run's objects first so they do not count in this run's peaks.
        territory = {};
        report = {};
        areas = {};
        graph = {};
        plan = {};
        vr = {};
        shapes = {};
        pm = {};
        std::size_t si = 0;
        auto stage = [&](auto&& fn) {
            if (spec.transformers >= 300000)
                fmt::print(stderr, "[{} run {}/{}] {} ...\n", title, r + 1, runs, stats[si].name);
            reset_peak();
            const auto t0 = clock_type::now();
            const double c0 = bench::cpu_seconds();
            fn();
            stats[si].seconds.push_back(seconds_since(t0));
            stats[si].cpu.push_back(bench::cpu_seconds() - c0);
            stats[si].peak = std::max(stats[si].peak, peak_mib());
            ++si;
        };
        stage([&] { std::tie(territory, report) = libgrid::read_inputs(ro); });
        stage([&] { report.merge(libgrid::validate(territory, vo)); });
        stage([&] { areas = libgrid::build_service_areas(territory, report, so); });
        stage([&] { graph = libgrid::build_adjacency(territory, areas, report); });
        stage([&] { plan = libgrid::partition(territory, graph, po); });
        stage([&] { vr = libgrid::verify_plan(territory, graph.graph, plan); });
        stage([&] { shapes = libgrid::dissolve(areas.shapes, plan.grid_of, plan.num_grids(), opt.threads); });
        stage([&] { pm = libgrid::compute_metrics(territory, graph, plan, shapes); });
        if (r == 0) {
            first_plan = plan.grid_of;
            validation_errors = report.count(libgrid::Severity::error);
        } else if (plan.grid_of != first_plan) {
            deterministic = 0;
        }
    }
    first_plan = {};
    shapes = {};

    const bench::Evaluator ev(areas.shapes);
    Measures lg = measure("libgrid", territory, graph, plan, pm, vr);
    evaluate_into(lg, ev, plan);
    lg.time_samples = stats[4].seconds;
    lg.time_s = median(stats[4].seconds);
    lg.deterministic = runs > 1 ? deterministic : -1;
    for (const auto& s : plan.stations)
        for (const auto& n : s.notes) lg.notes.push_back(fmt::format("station '{}': {}", s.station_id, n));

    const MetisSetup setup = metis_regions(graph.graph, territory, plan);
    const Measures m1 = metis_measures(territory, graph, areas.shapes, plan, setup, 1, mc, ev);
    const Measures m30 = metis_measures(territory, graph, areas.shapes, plan, setup, 30, mc, ev);

    const std::size_t finest = territory.finest_level();
    fmt::print("\n{}: {} transformers, {} customers, {} stations, {} finest units, {} feeder links, {} graph edges, "
               "{} component(s); K = {} grids; {} run(s), seed {}; load average now {}\n",
               title, territory.transformers.size(), territory.total_customers(), plan.stations.size(),
               finest == libgrid::npos ? 0 : territory.levels[finest].units.size(), territory.feeder_links.size(),
               graph.graph.num_edges(), graph.components.sizes.size(), plan.num_grids(), runs, opt.seed, loadavg());
    if (validation_errors > 0) fmt::print("note: {} validation errors in the territory\n", validation_errors);
    fmt::print("{:<16} {:>10} {:>10} {:>12}   (median of {} runs; cpu = all threads; peak = max over runs)\n",
               "stage", "time s", "cpu s", "peak MiB", runs);
    double total = 0, total_cpu = 0, peak = 0;
    for (const auto& s : stats) {
        total += median(s.seconds);
        total_cpu += median(s.cpu);
        peak = std::max(peak, s.peak);
        fmt::print("{:<16} {:>10.3f} {:>10.3f} {:>12.1f}\n", s.name, median(s.seconds), median(s.cpu), s.peak);
    }
    fmt::print("{:<16} {:>10.3f} {:>10.3f} {:>12.1f}\n", "total", total, total_cpu, peak);
    fmt::print("\n");
    print_quality_table({lg, m1, m30});
    if (stations_table) {
        fmt::print("\nper station (LB = balance lower bound; nc = non-contiguous grids):\n");
        print_station_table({lg, m1, m30});
    }

    Json j = Json::object();
    j["title"] = title;
    j["transformers"] = territory.transformers.size();
    j["requested_transformers"] = spec.transformers;
    j["seed"] = spec.seed;
    j["customers"] = territory.total_customers();
    j["stations"] = plan.stations.size();
    j["grids"] = plan.num_grids();
    j["graph_edges"] = graph.graph.num_edges();
    j["components"] = graph.components.sizes.size();
    j["runs"] = runs;
    j["metis_regions"] = setup.regions.size();
    j["metis_split_stations"] = setup.split_stations;
    Json st = Json::array();
    for (const auto& s : stats) {
        Json x = Json::object();
        x["stage"] = s.name;
        x["median_s"] = median(s.seconds);
        x["median_cpu_s"] = median(s.cpu);
        x["peak_mib"] = s.peak;
        Json samples = Json::array();
        for (double t : s.seconds) samples.push(t);
        x["samples_s"] = samples;
        st.push(x);
    }
    j["stages"] = st;
    j["total_s"] = total;
    j["peak_mib"] = peak;
    j["libgrid"] = to_json(lg, true);
    j["metis_uf1"] = to_json(m1, true);
    j["metis_uf30"] = to_json(m30, true);

    if (title == "prefecture") {
        // The plan-quality issue's bar: every station within 1% (or its bound, where that is
        // higher); cut edges (evaluator) at most 33,000; partition under 1 s wall; contiguous.
        bool dev_ok = true;
        for (const auto& s : lg.stations)
            if (!(s.max_dev <= std::max(0.01, s.lower_bound) + 1e-12)) dev_ok = false;
        const bool cut_ok = lg.eval_cut <= 33000;
        const bool time_ok = lg.time_s < 1.0;
        const bool sound = lg.verify_ok && lg.eval_multi == 0;
        fmt::print("\nkey figures: libgrid max deviation {} (lower bound {}), cut {} (evaluator), PP {:.3f}, partition "
                   "{:.3f} s; METIS uf1 {} cut {} PP {:.3f}, uf30 {} cut {} PP {:.3f}\n",
                   pct(lg.max_dev), pct(lg.lower_bound), lg.eval_cut, lg.eval_pp, lg.time_s, pct(m1.max_dev),
                   m1.eval_cut, m1.eval_pp, pct(m30.max_dev), m30.eval_cut, m30.eval_pp);
        fmt::print("issue bar: every station within 1% (or its bound): {}; cut <= 33,000: {}; partition < 1 s: {}; "
                   "contiguous and verified: {} => {}\n",
                   dev_ok ? "yes" : "NO", cut_ok ? "yes" : "NO", time_ok ? "yes" : "NO", sound ? "yes" : "NO",
                   dev_ok && cut_ok && time_ok && sound ? "MET" : "NOT MET");
        Json k = Json::object();
        k["max_deviation"] = lg.max_dev;
        k["lower_bound"] = lg.lower_bound;
        k["partition_s"] = lg.time_s;
        k["cut_edges"] = lg.eval_cut;
        k["polsby_popper_mean"] = lg.eval_pp;
        k["metis_uf1_max_deviation"] = m1.max_dev;
        k["metis_uf30_max_deviation"] = m30.max_dev;
        k["bar_met"] = dev_ok && cut_ok && time_ok && sound;
        j["key"] = k;
        j["efforts"] = effort_table(opt, territory, graph, grids, ev, runs);
    }

    // Free before removing the folder and before the next size.
    territory = {};
    areas = {};
    graph = {};
    if (!to_remove.empty()) fs::remove_all(to_remove);
    return j;
}

} // namespace

int main(int argc, char** argv)
{
    CLI::App app{"libgrid's partitioner against METIS: districting instances and synthetic territories"};
    Options opt;
    app.add_option("--suite", opt.suite, "districting, synthetic, prefecture or all")
        ->check(CLI::IsMember({"districting", "synthetic", "prefecture", "all"}))
        ->capture_default_str();
    app.add_option("--runs", opt.runs, "Runs per measurement; medians are printed")->check(CLI::PositiveNumber)->capture_default_str();
    app.add_option("--large-runs", opt.large_runs, "Runs for territories of 300,000 transformers or more")
        ->check(CLI::PositiveNumber)->capture_default_str();
    app.add_option("--seed", opt.seed, "Seed of synth-city, libgrid and METIS")->capture_default_str();
    app.add_option("--threads", opt.threads,
                   "Synthetic and prefecture pipeline: threads of validate, service areas, partition and dissolve "
                   "(0 = one per core)")
        ->capture_default_str();
    app.add_option("--sizes", opt.sizes, "Synthetic suite: transformers per territory")->delimiter(',')->capture_default_str();
    app.add_option("--grids-per", opt.grids_per, "Synthetic suite: K = round(transformers / this)")
        ->check(CLI::PositiveNumber)->capture_default_str();
    app.add_option("--prefecture-transformers", opt.prefecture_transformers, "Prefecture: transformers")->capture_default_str();
    app.add_option("--prefecture-grids", opt.prefecture_grids, "Prefecture: grids K")->capture_default_str();
    app.add_option("--prefecture-stations", opt.prefecture_stations, "Prefecture: stations")->capture_default_str();
    app.add_option("--prefecture-customers", opt.prefecture_customers, "Prefecture: total customers")->capture_default_str();
    app.add_option("--metis-edge-weights", opt.metis_edge_weights,
                   "none (as peers.md) or border (max(1, round(shared border m)))")
        ->check(CLI::IsMember({"none", "border"}))
        ->capture_default_str();
    app.add_option("--data", opt.data_dir, "The shared data folder (holds districting/)")->capture_default_str();
    app.add_option("--cache", opt.cache, "Keep generated territories here and reuse them");
    app.add_option("--json", opt.json, "Also write every figure to this JSON file");
    app.add_flag("--per-station", opt.per_station, "Synthetic suite: also print the per-station table");
    app.add_option("--effort", opt.effort, "libgrid's effort (work budget) in the main runs")
        ->check(CLI::Range(std::size_t{1}, std::size_t{1024}))
        ->capture_default_str();
    app.add_option("--efforts", opt.efforts,
                   "Districting and prefecture: also print libgrid's quality at each of these efforts (e.g. 1,4,16)")
        ->delimiter(',');
    app.add_option("--skip", opt.skip_phases,
                   "Switch off these phases of libgrid's region partitioner, to measure what each buys: flows, local, "
                   "chains, greedy, anneal, recombine")
        ->delimiter(',');
    CLI11_PARSE(app, argc, argv);

    MetisConfig mc;
    mc.border_weights = opt.metis_edge_weights == "border";
    mc.seed = opt.seed;
    mc.runs = opt.runs;

    Json root = Json::object();
    root["benchmark"] = "bench-partition";
    root["cpus"] = static_cast<long>(::sysconf(_SC_NPROCESSORS_ONLN));
    root["load_average_start"] = loadavg();
    root["runs"] = opt.runs;
    root["seed"] = opt.seed;
    root["metis"] = fmt::format("METIS {}.{}.{} METIS_PartGraphKway, CONTIG=1, UFACTOR 1 and 30, vertex weights "
                                "round(load), edge weights {}",
                                METIS_VER_MAJOR, METIS_VER_MINOR, METIS_VER_SUBMINOR,
                                mc.border_weights ? "max(1, round(border m))" : "none");
    fmt::print("bench-partition: {} cpus, load average {}, runs {}, seed {}\n", ::sysconf(_SC_NPROCESSORS_ONLN), loadavg(),
               opt.runs, opt.seed);
    try {
        const bool all = opt.suite == "all";
        if (all || opt.suite == "districting") root["districting"] = run_districting(opt, mc);
        if (all || opt.suite == "synthetic") {
            Json arr = Json::array();
            for (std::size_t n : opt.sizes) {
                const auto k = static_cast<std::size_t>(std::max(1.0, std::round(static_cast<double>(n) / opt.grids_per)));
                CitySpec spec;
                spec.transformers = n;
                spec.seed = opt.seed;
                fmt::print("\n=== synthetic: {} transformers, K = {} ===\n", n, k);
                arr.push(run_pipeline(fmt::format("synthetic {}", n), spec, k, opt, mc, opt.per_station));
            }
            root["synthetic"] = arr;
        }
        if (all || opt.suite == "prefecture") {
            CitySpec spec;
            spec.transformers = opt.prefecture_transformers;
            spec.seed = opt.seed;
            spec.stations = opt.prefecture_stations;
            spec.customers_total = opt.prefecture_customers;
            fmt::print("\n=== prefecture: {} transformers, {} customers, {} stations, K = {} ===\n",
                       opt.prefecture_transformers, opt.prefecture_customers, opt.prefecture_stations,
                       opt.prefecture_grids);
            root["prefecture"] = run_pipeline("prefecture", spec, opt.prefecture_grids, opt, mc, true);
        }
    } catch (const std::exception& e) {
        fmt::print(stderr, "bench-partition: {}\n", e.what());
        return 1;
    }
    root["load_average_end"] = loadavg();
    fmt::print("\nload average at the end: {}\n", loadavg());
    if (!opt.json.empty()) {
        std::string text;
        root.dump(text);
        text += "\n";
        std::ofstream f(opt.json, std::ios::binary);
        f << text;
        if (!f) {
            fmt::print(stderr, "bench-partition: cannot write {}\n", opt.json);
            return 1;
        }
        fmt::print("wrote {}\n", opt.json);
    }
    return 0;
}
