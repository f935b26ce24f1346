// bench-locate: point look-ups on a prefecture-size plan.
//
//   bench-locate [--cache DIR] [--transformers 30000] [--stations 9] [--customers 350000]
//                [--grids 2070] [--seed 1] [--queries 1000000] [--baseline-queries 200000]
//                [--runs 5] [--e2e-points 1000000] [--e2e-runs 3] [--cells-per-edge 2]
//
// 1. Makes (or reuses from --cache) the prefecture: synth-city --transformers 30000
//    --stations 9 --customers-total 350000, planned by `grid-partition plan --grids 2070`.
// 2. Loads the plan into libgrid's Locator (time, index size, memory) and times look-ups of
//    random points spread uniformly over the grids' extent, on one core (median of --runs).
// 3. Times the usual alternative in the same run on the same points: a GEOS STRtree over the
//    grids' envelopes with prepared geometries (intersects: closed grids, lowest index wins) and
//    the tree's nearest-neighbour search for points outside every grid; and counts the points
//    where both answers differ (only where a grid polygon is invalid, where GEOS's predicates
//    are undefined, is a difference expected; those are counted apart).
// 4. Runs `grid-partition locate` end to end on --e2e-points random points written as a
//    lon/lat CSV (a dispatcher's file): median wall time of --e2e-runs.
// The bars of the issue: at least 1,000,000 look-ups per second on one core; locate on 1M
// points under 5 s end to end. The load average is printed: the times depend on it.
#include "bench_util.hpp"

#include <libgrid/locate.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <gdal_priv.h>
#include <geos_c.h>
#include <ogrsf_frmts.h>

#include <chrono>
#include <sys/resource.h>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using clock_type = std::chrono::steady_clock;

namespace {

struct Options {
    std::string cache = "/tmp/bench-locate";
    std::size_t transformers = 30000;
    std::size_t stations = 9;
    long long customers = 350000;
    std::size_t grids = 2070;
    std::uint64_t seed = 1;
    std::size_t queries = 1000000;
    std::size_t baseline_queries = 200000;
    int runs = 5;
    std::size_t e2e_points = 1000000;
    int e2e_runs = 3;
    double cells_per_edge = libgrid::LoadLocatorOptions{}.cells_per_edge;
};

double seconds_since(clock_type::time_point t0)
{
    return std::chrono::duration<double>(clock_type::now() - t0).count();
}

/// Resident memory now (VmRSS), MiB.
double rss_mib()
{
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
    return 0.0;
}

std::string load_average()
{
    std::ifstream in("/proc/loadavg");
    std::string a, b, c;
    in >> a >> b >> c;
    return a + " " + b + " " + c;
}

void run_or_throw(const std::string& cmd)
{
    fmt::print("running: {}\n", cmd);
    std::fflush(stdout);
    if (std::system(cmd.c_str()) != 0) throw std::runtime_error("failed: " + cmd);
}

/// The prefecture plan folder, made once and kept in the cache.
fs::path prefecture_plan(const Options& o)
{
    const fs::path dir = fs::path(o.cache) / fmt::format("prefecture-n{}-st{}-c{}-k{}-s{}", o.transformers, o.stations,
                                                         o.customers, o.grids, o.seed);
    if (fs::exists(dir / ".complete")) {
        fmt::print("using cached plan {}\n", (dir / "plan").string());
        return dir / "plan";
    }
    fs::create_directories(dir);
    const auto t0 = clock_type::now();
    run_or_throw(fmt::format("'{}' --transformers {} --stations {} --customers-total {} --seed {} --out '{}' >/dev/null",
                             SYNTH_CITY, o.transformers, o.stations, o.customers, o.seed, (dir / "city").string()));
    run_or_throw(fmt::format("'{}' plan -q --transformers '{}/transformers.gpkg' --boundaries '{}/boundaries.gpkg' "
                             "--feeders '{}/feeders.gpkg' --node-field hv_bus --grids {} --seed {} --out '{}' >/dev/null",
                             GRID_PARTITION, (dir / "city").string(), (dir / "city").string(),
                             (dir / "city").string(), o.grids, o.seed, (dir / "plan").string()));
    fmt::print("territory and plan made in {:.1f} s\n", seconds_since(t0));
    std::ofstream(dir / ".complete") << "ok\n";
    return dir / "plan";
}

// ---------------------------------------------------------------------------------------------
// The baseline: GEOS STRtree + prepared geometries, behind a tiny private wrapper.

class GeosBaseline {
public:
    GeosBaseline(const std::string& grids_gpkg, const std::string& work_crs_wkt)
        : m_ctx(GEOS_init_r())
    {
        GDALAllRegister();
        GDALDatasetUniquePtr ds(GDALDataset::Open(grids_gpkg.c_str(), GDAL_OF_VECTOR));
        if (!ds) throw std::runtime_error("cannot open " + grids_gpkg);
        OGRLayer* layer = ds->GetLayerByName("grids");
        if (!layer) throw std::runtime_error("no grids layer in " + grids_gpkg);
        OGRSpatialReference work;
        work.importFromWkt(work_crs_wkt.c_str());
        work.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
        std::unique_ptr<OGRCoordinateTransformation> ct(
            OGRCreateCoordinateTransformation(layer->GetSpatialRef(), &work));
        if (!ct) throw std::runtime_error("cannot transform the grids");
        GEOSWKBReader* reader = GEOSWKBReader_create_r(m_ctx);
        std::vector<unsigned char> wkb;
        for (auto& f : *layer) {
            std::unique_ptr<OGRGeometry> g(f->GetGeometryRef()->clone());
            g->transform(ct.get());
            wkb.resize(static_cast<std::size_t>(g->WkbSize()));
            g->exportToWkb(wkbNDR, wkb.data());
            GEOSGeometry* geos = GEOSWKBReader_read_r(m_ctx, reader, wkb.data(), wkb.size());
            if (!geos) throw std::runtime_error("GEOS cannot read a grid");
            m_valid.push_back(GEOSisValid_r(m_ctx, geos) == 1);
            m_geoms.push_back(geos);
        }
        GEOSWKBReader_destroy_r(m_ctx, reader);
        m_index.resize(m_geoms.size());
        m_tree = GEOSSTRtree_create_r(m_ctx, 10);
        for (std::size_t i = 0; i < m_geoms.size(); ++i) {
            m_index[i] = i;
            m_prepared.push_back(GEOSPrepare_r(m_ctx, m_geoms[i]));
            GEOSSTRtree_insert_r(m_ctx, m_tree, m_geoms[i], &m_index[i]);
        }
    }
    ~GeosBaseline()
    {
        for (auto* p : m_prepared) GEOSPreparedGeom_destroy_r(m_ctx, p);
        GEOSSTRtree_destroy_r(m_ctx, m_tree);
        for (auto* g : m_geoms) GEOSGeom_destroy_r(m_ctx, g);
        GEOS_finish_r(m_ctx);
    }
    GeosBaseline(const GeosBaseline&) = delete;
    GeosBaseline& operator=(const GeosBaseline&) = delete;

    bool valid(std::size_t grid) const { return m_valid[grid]; }
    std::size_t invalid_count() const
    {
        std::size_t n = 0;
        for (const bool v : m_valid) n += v ? 0 : 1;
        return n;
    }

    /// Same contract as Locator::locate: lowest grid intersecting the point, else the nearest.
    libgrid::Location locate(double x, double y)
    {
        GEOSGeometry* point = GEOSGeom_createPointFromXY_r(m_ctx, x, y);
        Query q{this, point, libgrid::Location::none};
        GEOSSTRtree_query_r(m_ctx, m_tree, point, &GeosBaseline::on_candidate, &q);
        libgrid::Location out;
        if (q.best != libgrid::Location::none) {
            out.grid = static_cast<std::uint32_t>(q.best);
            out.inside = true;
        } else {
            const void* hit = GEOSSTRtree_nearest_generic_r(m_ctx, m_tree, point, point, &GeosBaseline::distance, &q);
            if (hit) {
                out.grid = static_cast<std::uint32_t>(*static_cast<const std::size_t*>(hit));
                GEOSDistance_r(m_ctx, m_geoms[out.grid], point, &out.distance_m);
            }
        }
        GEOSGeom_destroy_r(m_ctx, point);
        return out;
    }

private:
    struct Query {
        GeosBaseline* self;
        const GEOSGeometry* point;
        std::size_t best;
    };
    static void on_candidate(void* item, void* data)
    {
        auto* q = static_cast<Query*>(data);
        const std::size_t g = *static_cast<const std::size_t*>(item);
        if (g < q->best && GEOSPreparedIntersects_r(q->self->m_ctx, q->self->m_prepared[g], q->point) == 1) q->best = g;
    }
    static int distance(const void* a, const void* b, double* d, void* data)
    {
        // One item is the query point, the other a grid of the tree (GEOS does not fix the order).
        auto* q = static_cast<Query*>(data);
        const void* item = a == q->point ? b : a;
        const std::size_t g = *static_cast<const std::size_t*>(item);
        return GEOSDistance_r(q->self->m_ctx, q->self->m_geoms[g], q->point, d);
    }

    GEOSContextHandle_t m_ctx;
    std::vector<GEOSGeometry*> m_geoms;
    std::vector<const GEOSPreparedGeometry*> m_prepared;
    std::vector<std::size_t> m_index;
    std::vector<bool> m_valid;
    GEOSSTRtree* m_tree = nullptr;
};

} // namespace

int main(int argc, char** argv)
{
    Options o;
    CLI::App app{"bench-locate: point look-ups on a prefecture-size plan (libgrid's Locator against GEOS)"};
    app.add_option("--cache", o.cache, "Folder keeping the generated territory and plan")->capture_default_str();
    app.add_option("--transformers", o.transformers, "Transformers of the territory")->capture_default_str();
    app.add_option("--stations", o.stations, "Stations")->capture_default_str();
    app.add_option("--customers", o.customers, "Total customers")->capture_default_str();
    app.add_option("--grids", o.grids, "Grids K of the plan")->capture_default_str();
    app.add_option("--seed", o.seed, "Seed of the territory, the plan and the points")->capture_default_str();
    app.add_option("--queries", o.queries, "Random points looked up by the Locator per run")->capture_default_str();
    app.add_option("--baseline-queries", o.baseline_queries, "Of those, looked up by the GEOS baseline per run")
        ->capture_default_str();
    app.add_option("--runs", o.runs, "Runs (medians are printed)")->capture_default_str()->check(CLI::PositiveNumber);
    app.add_option("--e2e-points", o.e2e_points, "Points of the end-to-end grid-partition locate run (0 = skip)")
        ->capture_default_str();
    app.add_option("--e2e-runs", o.e2e_runs, "End-to-end runs")->capture_default_str()->check(CLI::PositiveNumber);
    app.add_option("--cells-per-edge", o.cells_per_edge, "Index cells per polygon edge (LoadLocatorOptions)")
        ->capture_default_str();
    CLI11_PARSE(app, argc, argv);

    try {
        fmt::print("bench-locate: load average {}\n", load_average());
        const fs::path plan = prefecture_plan(o);

        // -- the Locator
        std::vector<double> load_s;
        libgrid::Locator locator;
        double locator_mib = 0.0;
        for (int r = 0; r < o.runs; ++r) {
            locator = libgrid::Locator();
            bench::reset_peak();
            const double before = rss_mib();
            const auto t0 = clock_type::now();
            libgrid::LoadLocatorOptions lo;
            lo.cells_per_edge = o.cells_per_edge;
            locator = libgrid::load_locator(plan.string(), lo);
            load_s.push_back(seconds_since(t0));
            locator_mib = rss_mib() - before;
        }
        const auto st = locator.stats();
        fmt::print("\nplan: {} grids, {} edges; Locator index {} x {} cells of {:.1f} m, {:.1f}% border cells, "
                   "{:.2f} edge references per border cell\n",
                   st.grids, st.edges, st.columns, st.rows, st.cell_size_m,
                   100.0 * double(st.border_cells) / double(st.cells),
                   double(st.cell_edge_refs) / double(std::max<std::size_t>(1, st.border_cells)));
        fmt::print("Locator memory: {:.1f} MiB held by the index (stats().memory_bytes), {:.1f} MiB resident "
                   "growth while loading; load + build {:.3f} s (median)\n",
                   double(st.memory_bytes) / 1048576.0, locator_mib, bench::median(load_s));

        // -- random points over the grids' extent, in the Locator's (metric) CRS
        std::mt19937_64 rng(o.seed);
        std::uniform_real_distribution<double> ux(st.extent.min_x, st.extent.max_x);
        std::uniform_real_distribution<double> uy(st.extent.min_y, st.extent.max_y);
        std::vector<libgrid::Point> pts(o.queries);
        for (auto& p : pts) p = {ux(rng), uy(rng)};

        std::vector<double> rate;
        std::vector<libgrid::Location> answers(pts.size());
        for (int r = 0; r < o.runs; ++r) {
            const auto t0 = clock_type::now();
            for (std::size_t i = 0; i < pts.size(); ++i) answers[i] = locator.locate(pts[i]);
            rate.push_back(double(pts.size()) / seconds_since(t0));
        }
        std::size_t inside = 0;
        for (const auto& a : answers) inside += a.inside ? 1 : 0;
        // Inside points alone (the common case of a work order): the same points, filtered.
        std::vector<libgrid::Point> in_pts;
        for (std::size_t i = 0; i < pts.size(); ++i)
            if (answers[i].inside) in_pts.push_back(pts[i]);
        std::vector<double> in_rate;
        double sink = 0.0;
        for (int r = 0; r < o.runs; ++r) {
            const auto t0 = clock_type::now();
            for (const auto& p : in_pts) sink += locator.locate(p).grid;
            in_rate.push_back(double(in_pts.size()) / seconds_since(t0));
        }

        // -- the GEOS baseline on the first points
        bench::reset_peak();
        const double before = rss_mib();
        const auto tb = clock_type::now();
        GeosBaseline geos((plan / "grids.gpkg").string(), locator.crs_wkt());
        const double geos_build = seconds_since(tb);
        const double geos_mib = rss_mib() - before;
        const std::size_t nb = std::min(o.baseline_queries, pts.size());
        std::vector<double> geos_rate;
        std::vector<libgrid::Location> geos_answers(nb);
        for (int r = 0; r < o.runs; ++r) {
            const auto t0 = clock_type::now();
            for (std::size_t i = 0; i < nb; ++i) geos_answers[i] = geos.locate(pts[i].x, pts[i].y);
            geos_rate.push_back(double(nb) / seconds_since(t0));
        }
        std::size_t differ = 0, differ_invalid = 0;
        for (std::size_t i = 0; i < nb; ++i) {
            const auto &a = answers[i], &b = geos_answers[i];
            const bool same = a.inside == b.inside && a.grid == b.grid &&
                              std::abs(a.distance_m - b.distance_m) <= 1e-6 * (1.0 + b.distance_m);
            if (same) continue;
            const bool invalid_involved = (a.grid != libgrid::Location::none && !geos.valid(a.grid)) ||
                                          (b.grid != libgrid::Location::none && !geos.valid(b.grid));
            (invalid_involved ? differ_invalid : differ) += 1;
        }

        const double loc_rate = bench::median(rate);
        fmt::print("\nlook-ups on one core, {} random points over the extent ({:.1f}% inside a grid), median of {} runs:\n",
                   pts.size(), 100.0 * double(inside) / double(pts.size()), o.runs);
        fmt::print("  {:<44} {:>14} {:>12}\n", "", "look-ups/s", "ns/look-up");
        fmt::print("  {:<44} {:>14.0f} {:>12.1f}\n", "libgrid Locator, all points", loc_rate, 1e9 / loc_rate);
        fmt::print("  {:<44} {:>14.0f} {:>12.1f}\n", "libgrid Locator, inside points only", bench::median(in_rate),
                   1e9 / bench::median(in_rate));
        fmt::print("  {:<44} {:>14.0f} {:>12.1f}\n",
                   fmt::format("GEOS STRtree + prepared ({} points)", nb), bench::median(geos_rate),
                   1e9 / bench::median(geos_rate));
        fmt::print("  speed-up of the Locator over GEOS: {:.1f}x; GEOS build {:.3f} s, {:.1f} MiB resident growth\n",
                   loc_rate / bench::median(geos_rate), geos_build, geos_mib);
        fmt::print("  answers differing from GEOS: {} of {} ({} more where a grid polygon is invalid: {} of {} grids "
                   "are, where GEOS's predicates are undefined)\n",
                   differ, nb, differ_invalid, geos.invalid_count(), st.grids);
        if (sink < 0) fmt::print("{}\n", sink); // keeps the inside-only loop from being optimised away

        // -- end to end: grid-partition locate on a lon/lat CSV
        double e2e = 0.0;
        if (o.e2e_points > 0) {
            const fs::path csv = plan.parent_path() / fmt::format("points-{}.csv", o.e2e_points);
            if (!fs::exists(csv)) {
                std::vector<libgrid::Point> lonlat(o.e2e_points);
                for (auto& p : lonlat) p = {ux(rng), uy(rng)};
                libgrid::transform_points(lonlat, locator.crs_wkt(), locator.source_crs_wkt());
                std::string text = "id,lon,lat\n";
                for (std::size_t i = 0; i < lonlat.size(); ++i)
                    text += fmt::format("wo{},{:.7f},{:.7f}\n", i + 1, lonlat[i].x, lonlat[i].y);
                std::ofstream(csv, std::ios::binary) << text;
            }
            const fs::path out = plan.parent_path() / "located.csv";
            std::vector<double> wall, cpu;
            // CPU time of the child (user + system): unlike the wall time, it does not grow when
            // other work shares the cores.
            auto child_cpu = [] {
                rusage u{};
                getrusage(RUSAGE_CHILDREN, &u);
                return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
                       1e-6 * double(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
            };
            for (int r = 0; r < o.e2e_runs; ++r) {
                const std::string cmd = fmt::format("'{}' locate -q --plan '{}' --points '{}' --out '{}' --max-issues 0 > '{}'",
                                                    GRID_PARTITION, plan.string(), csv.string(), out.string(),
                                                    (plan.parent_path() / "locate.txt").string());
                const double c0 = child_cpu();
                const auto t0 = clock_type::now();
                if (std::system(cmd.c_str()) != 0) throw std::runtime_error("failed: " + cmd);
                wall.push_back(seconds_since(t0));
                cpu.push_back(child_cpu() - c0);
            }
            e2e = bench::median(wall);
            std::ifstream summary(plan.parent_path() / "locate.txt");
            fmt::print("\nend to end: grid-partition locate on {} lon/lat points (CSV in, CSV out), median of {} runs: "
                       "{:.2f} s wall, {:.2f} s CPU\n",
                       o.e2e_points, o.e2e_runs, e2e, bench::median(cpu));
            for (std::string line; std::getline(summary, line);)
                if (line.find("time ") != std::string::npos || line.find("located ") != std::string::npos)
                    fmt::print("  last run: {}\n", line.substr(line.find_first_not_of(' ')));
        }

        fmt::print("\nbars of issue 5:\n");
        fmt::print("  >= 1,000,000 look-ups/s on one core: {:.0f} -> {}\n", loc_rate, loc_rate >= 1e6 ? "met" : "NOT met");
        if (o.e2e_points >= 1000000)
            fmt::print("  locate on 1M points < 5 s end to end: {:.2f} s -> {}\n", e2e, e2e < 5.0 ? "met" : "NOT met");
        fmt::print("load average at the end: {}\n", load_average());
    } catch (const std::exception& e) {
        fmt::print(stderr, "bench-locate: {}\n", e.what());
        return 1;
    }
    return 0;
}
