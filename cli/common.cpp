#include "common.hpp"

#include <libgrid/error.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <unistd.h>

namespace gp {

void add_input_flags(CLI::App& app, InputFlags& f)
{
    auto& fm = f.fields;
    app.add_option("--transformers", f.transformers,
                   "Transformers: points or transformer-area polygons (FILE or FILE:LAYER)")
        ->required()
        ->group("Inputs");
    app.add_option("--feeders", f.feeders,
                   "Feeder network: edge table from_id,to_id,feeder_id between network nodes or "
                   "transformer ids (repeatable)")
        ->group("Inputs");
    app.add_option("--boundaries", f.boundaries,
                   "Admin boundary polygons, one admin level per layer; a file with several "
                   "polygon layers gives one level each (repeatable)")
        ->group("Inputs");
    app.add_option("--customers", f.customers, "Customer points with a transformer id (repeatable)")
        ->group("Inputs");
    app.add_option("--roads", f.roads,
                   "Road lines: managers' travel is measured along them instead of in straight lines (repeatable)")
        ->group("Inputs");
    app.add_option("--barriers", f.barriers,
                   "Lines grid borders should follow: main roads, rivers, railways (repeatable)")
        ->group("Inputs");
    app.add_option("--feeder-attach-distance", f.feeder_attach_m,
                   "Feeder lines without node ids: attach each transformer to the nearest line "
                   "vertex within this distance (m)")
        ->capture_default_str()
        ->group("Inputs");
    app.add_option("--where", f.where,
                   "OGR SQL filter on the transformers, e.g. \"kind = 'lv_area'\"")
        ->group("Inputs");

    const char* g = "Field mapping";
    app.add_option("--id-field", fm.id, "Transformer id field")->capture_default_str()->group(g);
    app.add_option("--customers-field", fm.customers, "Customer count field")->capture_default_str()->group(g);
    app.add_option("--feeder-field", fm.feeder, "Transformer's feeder id field")->capture_default_str()->group(g);
    app.add_option("--station-field", fm.station, "Business station id field")->capture_default_str()->group(g);
    app.add_option("--branch-field", fm.branch, "Branch office id field")->capture_default_str()->group(g);
    app.add_option("--kva-field", fm.kva, "Transformer rating field")->capture_default_str()->group(g);
    app.add_option("--workload-field", fm.workload, "Workload field")->capture_default_str()->group(g);
    app.add_option("--manager-field", fm.manager, "Current manager field")->capture_default_str()->group(g);
    app.add_option("--node-field", fm.node,
                   "Transformer's network node (bus) in the feeder edge table, e.g. hv_bus")
        ->group(g);
    app.add_option("--class-field", f.classes,
                   "Customer class field as CLASS=FIELD (repeatable; default: every customers_<class> field)")
        ->group(g);
    app.add_option("--from-field", fm.from, "Feeder edge start node field")->capture_default_str()->group(g);
    app.add_option("--to-field", fm.to, "Feeder edge end node field")->capture_default_str()->group(g);
    app.add_option("--edge-feeder-field", fm.edge_feeder, "Feeder edge feeder id field")->capture_default_str()->group(g);
    app.add_option("--open-field", fm.open, "Normally-open switch flag field")->capture_default_str()->group(g);
    app.add_option("--length-field", fm.length, "Feeder edge length field (m)")->capture_default_str()->group(g);
    app.add_option("--unit-id-field", fm.unit_id, "Admin unit id field")->capture_default_str()->group(g);
    app.add_option("--unit-name-field", fm.unit_name, "Admin unit name field")->capture_default_str()->group(g);
    app.add_option("--customer-transformer-field", fm.customer_transformer,
                   "Customer point's transformer id field")
        ->capture_default_str()
        ->group(g);
    app.add_option("--x-field", f.x_field, "CSV x / longitude column (default: x, lon, ...)")->group(g);
    app.add_option("--y-field", f.y_field, "CSV y / latitude column (default: y, lat, ...)")->group(g);
    app.add_option("--wkt-field", f.wkt_field, "CSV WKT geometry column (default: wkt, geometry, ...)")->group(g);

    const char* geo = "Service areas and graph";
    app.add_option("--snap-tolerance", f.graph.snap_tolerance_m, "Borders closer than this (m) count as shared")
        ->capture_default_str()
        ->group(geo);
    app.add_option("--overlap-tolerance", f.validate.overlap_tolerance_m2,
                   "Overlaps between units of one level above this area (m²) are errors")
        ->capture_default_str()
        ->group(geo);
    app.add_option("--hull-buffer", f.areas.hull_buffer_m,
                   "Without boundaries: buffer (m) of the transformers' hull (0 = automatic)")
        ->capture_default_str()
        ->group(geo);

    const char* c = "Encoding and CRS";
    app.add_option("--encoding", f.encoding, "Shapefile .dbf encoding, e.g. GBK (default: from .cpg)")->group(c);
    app.add_option("--work-crs", f.work_crs,
                   "Metric working CRS (default: the input's if projected in metres, else its UTM zone)")
        ->group(c);
    app.add_option("--assume-crs", f.assume_crs,
                   "CRS of layers that have none (e.g. EPSG:4326), or 'local' for planar metres")
        ->group(c);
    app.add_option("--out-crs", f.out_crs, "CRS of the outputs (default: the transformers' CRS)")->group(c);
}

libgrid::LayerSource parse_source(const std::string& text)
{
    libgrid::LayerSource src;
    src.path = text;
    std::error_code ec;
    if (std::filesystem::exists(text, ec)) return src;
    const auto colon = text.rfind(':');
    if (colon != std::string::npos && colon > 0 &&
        std::filesystem::exists(text.substr(0, colon), ec)) {
        src.path = text.substr(0, colon);
        src.layer = text.substr(colon + 1);
    }
    return src;
}

libgrid::ReadOptions make_read_options(const InputFlags& f)
{
    libgrid::ReadOptions o;
    o.transformers = parse_source(f.transformers);
    o.transformers.where = f.where;
    for (const auto& s : f.feeders) o.feeders.push_back(parse_source(s));
    for (const auto& s : f.boundaries) o.boundaries.push_back(parse_source(s));
    for (const auto& s : f.customers) o.customers.push_back(parse_source(s));
    for (const auto& s : f.barriers) o.barriers.push_back(parse_source(s));
    for (const auto& s : f.roads) o.roads.push_back(parse_source(s));
    o.fields = f.fields;
    for (const auto& cf : f.classes) {
        const auto eq = cf.find('=');
        if (eq == std::string::npos || eq == 0 || eq + 1 == cf.size())
            throw CLI::ValidationError("--class-field", "expected CLASS=FIELD, got '" + cf + "'");
        o.fields.classes.emplace_back(cf.substr(0, eq), cf.substr(eq + 1));
    }
    o.feeder_attach_m = f.feeder_attach_m;
    o.encoding = f.encoding;
    o.work_crs = f.work_crs;
    o.assume_crs = f.assume_crs;
    o.out_crs = f.out_crs;
    if (!f.x_field.empty()) o.x_names = {f.x_field};
    if (!f.y_field.empty()) o.y_names = {f.y_field};
    if (!f.wkt_field.empty()) o.wkt_names = {f.wkt_field};
    return o;
}

std::vector<std::string> input_paths(const InputFlags& f)
{
    std::vector<std::string> paths{parse_source(f.transformers).path};
    for (const auto* list : {&f.feeders, &f.boundaries, &f.customers, &f.barriers, &f.roads})
        for (const auto& s : *list) paths.push_back(parse_source(s).path);
    return paths;
}

ProgressPrinter::ProgressPrinter(bool quiet)
    : m_quiet(quiet), m_tty(isatty(fileno(stderr)) != 0), m_start(std::chrono::steady_clock::now()),
      m_stage_start(m_start)
{
}

libgrid::ProgressFn ProgressPrinter::callback()
{
    if (m_quiet) return {};
    return [this](const libgrid::Progress& p) { on_progress(p); };
}

void ProgressPrinter::on_progress(const libgrid::Progress& p)
{
    const auto now = std::chrono::steady_clock::now();
    if (p.stage != m_stage) {
        m_stage = std::string(p.stage);
        m_stage_start = now;
        m_last_percent = -1;
    }
    const int percent = static_cast<int>(std::lround(p.fraction * 100.0));
    const double elapsed = std::chrono::duration<double>(now - m_stage_start).count();
    if (p.fraction >= 1.0) {
        std::fprintf(stderr, "%s[%s] done in %.2f s\n", m_tty ? "\r\033[K" : "", m_stage.c_str(), elapsed);
        m_stage.clear();
    } else if (m_tty && percent != m_last_percent) {
        std::fprintf(stderr, "\r\033[K[%s] %d%% %.1f s", m_stage.c_str(), percent, elapsed);
    }
    m_last_percent = percent;
    std::fflush(stderr);
}

void ProgressPrinter::stage_done(const std::string& stage)
{
    if (m_quiet) return;
    on_progress(libgrid::Progress{stage, 1.0});
}

void print_issues(const libgrid::ValidationReport& report, std::size_t max_per_code)
{
    std::map<int, std::size_t> shown;
    std::map<int, std::size_t> total;
    for (const auto& i : report.issues) ++total[static_cast<int>(i.code)];
    for (const auto& i : report.issues) {
        auto& n = shown[static_cast<int>(i.code)];
        if (n++ < max_per_code) fmt::print("  {}\n", libgrid::format_issue(i));
        else if (n == max_per_code + 1)
            fmt::print("  ... and {} more [{}] issues (all are in the report file)\n",
                       total[static_cast<int>(i.code)] - max_per_code, libgrid::issue_name(i.code));
    }
}

libgrid::Format parse_output_format(const std::string& name)
{
    if (name == "gpkg") return libgrid::Format::gpkg;
    if (name == "shp") return libgrid::Format::shp;
    if (name == "geojson") return libgrid::Format::geojson;
    throw CLI::ValidationError("--formats", "unknown format '" + name + "' (use gpkg, shp, geojson)");
}

std::vector<std::pair<std::string, double>> parse_class_weights(const std::vector<std::string>& items)
{
    std::vector<std::pair<std::string, double>> out;
    for (const auto& item : items) {
        const auto eq = item.find('=');
        double w = -1.0;
        std::size_t used = 0;
        if (eq != std::string::npos && eq > 0 && eq + 1 < item.size()) {
            const char* text = item.c_str() + eq + 1;
            char* end = nullptr;
            w = std::strtod(text, &end);
            used = static_cast<std::size_t>(end - text);
        }
        if (eq == std::string::npos || eq == 0 || used != item.size() - eq - 1 || !(w >= 0.0))
            throw CLI::ValidationError("--class-weight", "expected CLASS=WEIGHT with a weight >= 0, got '" + item + "'");
        out.emplace_back(item.substr(0, eq), w);
    }
    return out;
}

void add_workload_flags(CLI::App& app, libgrid::PartitionOptions& o, std::vector<std::string>& class_weights)
{
    const char* l = "Workload (load = customers unless set)";
    app.add_option("--class-weight", class_weights, "Load per customer of a class as CLASS=W, e.g. commercial=3 (repeatable)")
        ->group(l);
    app.add_option("--default-class-weight", o.workload.default_class_weight, "Load per customer of classes without a weight")
        ->capture_default_str()->check(CLI::NonNegativeNumber)->group(l);
    app.add_option("--per-transformer-weight", o.workload.per_transformer, "Load added per transformer area")
        ->capture_default_str()->check(CLI::NonNegativeNumber)->group(l);
    app.add_option("--per-km-feeder-weight", o.workload.per_km_feeder, "Load per km of feeder line")
        ->capture_default_str()->check(CLI::NonNegativeNumber)->group(l);
    app.add_option("--workload-weight", o.workload.workload_weight, "Load per unit of the workload field")
        ->capture_default_str()->check(CLI::NonNegativeNumber)->group(l);
}

std::size_t level_index(const libgrid::Territory& territory, const std::string& name)
{
    for (std::size_t l = 0; l < territory.levels.size(); ++l)
        if (!name.empty() && territory.levels[l].name == name) return l;
    return libgrid::npos;
}

void Timings::lap(const std::string& stage)
{
    const auto now = std::chrono::steady_clock::now();
    stages.emplace_back(stage, std::chrono::duration<double>(now - last).count());
    last = now;
}

void print_input_issues(const libgrid::ValidationReport& report, std::size_t max_issues)
{
    libgrid::ValidationReport serious;
    for (const auto& i : report.issues)
        if (i.severity != libgrid::Severity::info) serious.add(i);
    print_issues(serious, max_issues);
}

} // namespace gp
