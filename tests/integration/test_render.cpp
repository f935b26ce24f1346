// `grid-partition render` (and `plan --maps`): the maps a planner gets for the bundled Malta
// sample and a synthetic city with three stations, checked from the SVG files themselves:
// one label per grid, no two neighbouring grids with the same fill, no two labels overlapping;
// PNG and PDF files are real PNG and PDF.
#include "cli_run.hpp"

#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <vector>

using namespace cli_test;

namespace {

const std::string malta = std::string(LIBGRID_DATA) + "/malta/malta.gpkg";

/// The sample's plan, as scripts/sample.sh runs it.
std::string malta_plan(const std::string& out)
{
    return "plan -q --transformers '" + malta + "':transformers --where 'is_atom = 1' --id-field atom_id "
           "--customers-field customers_proxy --boundaries '" + malta + "':admin_units_finest "
           "--unit-id-field osm_id --grids 10 --max-issues 3 --out '" + out + "'";
}

struct Box {
    double x, y, w, h;
};

/// What a map's SVG says about its grids and labels.
struct SvgMap {
    std::map<std::string, std::string> colour;           // grid id -> data-colour
    std::map<std::string, std::vector<std::string>> rings; // grid id -> path data
    std::map<std::string, int> labels;                   // grid id -> labels
    std::vector<Box> boxes;
    long dropped = -1;
    long declared_grids = -1;
};

std::string attr(const std::string& line, const std::string& name)
{
    const std::string key = " " + name + "=\"";
    const auto at = line.find(key);
    if (at == std::string::npos) return {};
    const auto start = at + key.size();
    return line.substr(start, line.find('"', start) - start);
}

SvgMap parse_svg(const std::string& text)
{
    SvgMap m;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("<svg ", 0) == 0) {
            m.dropped = std::stol(attr(line, "data-labels-dropped"));
            m.declared_grids = std::stol(attr(line, "data-grids"));
        } else if (line.rfind("<path class=\"grid\"", 0) == 0) {
            const auto id = attr(line, "data-grid");
            CHECK_MESSAGE(m.colour.count(id) == 0, "grid " << id << " drawn twice");
            m.colour[id] = attr(line, "data-colour");
            m.rings[id].push_back(attr(line, "d"));
        } else if (line.rfind("<g class=\"label\"", 0) == 0) {
            ++m.labels[attr(line, "data-grid")];
            std::istringstream b(attr(line, "data-box"));
            Box box{};
            b >> box.x >> box.y >> box.w >> box.h;
            m.boxes.push_back(box);
        }
    }
    return m;
}

/// Grids whose outlines share a segment, recovered from the path data: a shared border is the
/// same pair of points (printed alike) in both paths.
std::set<std::pair<std::string, std::string>> neighbours(const SvgMap& m)
{
    std::map<std::string, std::set<std::string>> by_segment;
    for (const auto& [id, paths] : m.rings)
        for (const auto& d : paths) {
            std::istringstream in(d);
            // "M12.34 56.78 L... Z": the command letter is glued to the x coordinate.
            std::string token, y, prev;
            while (in >> token) {
                if (token == "Z") {
                    prev.clear();
                    continue;
                }
                in >> y;
                const std::string p = token.substr(1) + " " + y;
                if (token[0] == 'L' && !prev.empty() && prev != p)
                    by_segment[prev < p ? prev + "|" + p : p + "|" + prev].insert(id);
                prev = p;
            }
        }
    std::set<std::pair<std::string, std::string>> out;
    for (const auto& [seg, ids] : by_segment)
        for (auto a = ids.begin(); a != ids.end(); ++a)
            for (auto b = std::next(a); b != ids.end(); ++b) out.emplace(*a, *b);
    return out;
}

/// The checks of the issue on one map; returns the number of grids drawn.
std::size_t check_map(const std::string& path, bool expect_all_labelled)
{
    INFO("map " << path);
    const std::string text = slurp(path);
    REQUIRE(text.rfind("<?xml", 0) == 0);
    const auto m = parse_svg(text);
    REQUIRE(!m.colour.empty());
    CHECK(static_cast<long>(m.colour.size()) == m.declared_grids);
    // One label per grid at most; every grid without one is counted in the legend.
    for (const auto& [id, n] : m.labels) {
        CHECK_MESSAGE(n == 1, "grid " << id << " has " << n << " labels");
        CHECK_MESSAGE(m.colour.count(id) == 1, "label for a grid not on the map: " << id);
    }
    CHECK(static_cast<long>(m.labels.size()) + m.dropped == static_cast<long>(m.colour.size()));
    if (expect_all_labelled) CHECK(m.dropped == 0);
    // Neighbours never share a fill.
    const auto adj = neighbours(m);
    CHECK(!adj.empty());
    for (const auto& [a, b] : adj) CHECK_MESSAGE(m.colour.at(a) != m.colour.at(b), a << " and " << b << " share a fill");
    // No two label boxes overlap.
    for (std::size_t i = 0; i < m.boxes.size(); ++i)
        for (std::size_t j = i + 1; j < m.boxes.size(); ++j) {
            const auto &p = m.boxes[i], &q = m.boxes[j];
            const bool overlap = p.x < q.x + q.w && q.x < p.x + p.w && p.y < q.y + q.h && q.y < p.y + p.h;
            CHECK_MESSAGE(!overlap, "label boxes " << i << " and " << j << " overlap");
        }
    return m.colour.size();
}

void check_magic(const std::string& path, const std::string& magic)
{
    INFO("file " << path);
    REQUIRE(fs::exists(path));
    CHECK(slurp(path).compare(0, magic.size(), magic) == 0);
}

std::string fmt_grid(int g)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "\"grid_id\":\"G%03d\"", g);
    return buf;
}

} // namespace

TEST_CASE("render draws the Malta sample: every grid labelled, neighbours in different colours")
{
    TempDir d;
    const std::string plan = d / "plan";
    REQUIRE(run(malta_plan(plan)).status == 0);
    const auto r = run("render -q --plan '" + plan + "' --date 2026-11-22");
    CHECK(r.status == 0);
    CHECK(contains(r.out, "result: 2 maps (6 files) written"));
    CHECK(contains(r.out, "10 grids, labels 10 inside"));
    for (const char* stem : {"station-unassigned", "overview"}) {
        const std::string base = plan + "/maps/" + stem;
        CHECK(check_map(base + ".svg", true) == 10);
        check_magic(base + ".png", "\x89PNG\r\n\x1a\n");
        check_magic(base + ".pdf", "%PDF-");
        CHECK(contains(slurp(base + ".svg"), "2026-11-22"));
    }
    // QGIS opens the plan in the map colours: grids.qml beside it, the same style in grids.gpkg.
    const std::string qml = slurp(plan + "/grids.qml");
    CHECK(contains(qml, "<renderer-v2 type=\"categorizedSymbol\" attr=\"grid_id\""));
    CHECK(contains(qml, "value=\"G001\""));
    CHECK(contains(qml, "value=\"G010\""));
    if (std::system("command -v ogrinfo >/dev/null 2>&1") == 0) {
        const std::string out = d / "styles.txt";
        REQUIRE(std::system(("ogrinfo -q '" + plan + "/grids.gpkg' -sql \"SELECT styleName, useAsDefault, "
                             "length(styleQML) AS n FROM layer_styles WHERE f_table_name = 'grids'\" >'" + out + "'")
                                .c_str()) == 0);
        const std::string rows = slurp(out);
        CHECK(contains(rows, "styleName (String) = grid-partition"));
        CHECK(contains(rows, "useAsDefault (Integer(Boolean)) = 1"));
        CHECK(contains(rows, "n (Integer) = " + std::to_string(qml.size())));
    }
    // The same plan and date give the same files, byte for byte.
    REQUIRE(run("render -q --plan '" + plan + "' --date 2026-11-22 --no-report --no-style --out '" + (d / "again") +
                "'")
                .status == 0);
    for (const char* ext : {".svg", ".png", ".pdf"})
        CHECK_MESSAGE(slurp(d / (std::string("again/overview") + ext)) == slurp(plan + "/maps/overview" + ext), ext);
}

TEST_CASE("render writes a self-contained report.html with the maps, the grids and the measures")
{
    TempDir d;
    const std::string plan = d / "plan";
    REQUIRE(run(malta_plan(plan)).status == 0);
    REQUIRE(run("render -q --plan '" + plan + "' --formats png").status == 0);
    const std::string html = slurp(plan + "/report.html");
    REQUIRE(!html.empty());
    CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
    // The overview and the station map inline (SVG drawn although only PNG files were asked for).
    CHECK(contains(html, "<h2>All grids</h2>"));
    CHECK(contains(html, "<h2>Grids without a station</h2>"));
    CHECK_FALSE(fs::exists(plan + "/maps/overview.svg"));
    for (int g = 1; g <= 10; ++g) CHECK(contains(html, fmt_grid(g)));
    CHECK(contains(html, "\"max_abs_deviation\"")); // report.json embedded for the measures
    // Nothing fetched from the network: no external scripts, styles, images or fonts.
    CHECK_FALSE(contains(html, "src=\"http"));
    CHECK_FALSE(contains(html, "href=\"http"));
    CHECK_FALSE(contains(html, "@import"));
    CHECK(run("render -q --plan '" + plan + "' --formats svg --no-report --out '" + (d / "m") + "'").status == 0);

    // In a browser: the script fills the table and the chart without console errors.
    if (std::system("command -v chromium >/dev/null 2>&1") != 0) {
        MESSAGE("skipped: chromium is not installed (Debian package chromium; .ci/run installs it)");
        return;
    }
    const std::string dom = d / "dom.html", log = d / "console.txt", shot = d / "shot.png";
    const std::string flags = "--headless --no-sandbox --disable-gpu --enable-logging=stderr --v=0 ";
    REQUIRE(std::system(("chromium " + flags + "--dump-dom 'file://" + plan + "/report.html' >'" + dom + "' 2>'" +
                         log + "'").c_str()) == 0);
    const std::string page = slurp(dom);
    CHECK(contains(page, "<tbody>"));
    CHECK(contains(page, "<td>G001</td>"));
    CHECK(contains(page, "Band: target"));
    CHECK_FALSE(contains(slurp(log), "Uncaught"));
    CHECK(std::system(("chromium " + flags + "--window-size=1400,2400 --screenshot='" + shot + "' 'file://" + plan +
                       "/report.html' >/dev/null 2>&1").c_str()) == 0);
    check_magic(shot, "\x89PNG\r\n\x1a\n");
}

TEST_CASE("plan --maps writes the maps with the plan, on A4 when asked to render again")
{
    TempDir d;
    const std::string plan = d / "plan";
    const auto r = run(malta_plan(plan) + " --maps");
    CHECK(r.status == 0);
    CHECK(contains(r.out, "result: 10 grids planned"));
    CHECK(contains(r.out, "grid-partition render"));
    check_magic(plan + "/maps/overview.pdf", "%PDF-");
    const auto a4 = run("render -q --plan '" + plan + "' --paper A4 --formats svg --out '" + (d / "a4") + "'");
    CHECK(a4.status == 0);
    CHECK(contains(slurp(d / "a4/overview.svg"), "width=\"297mm\" height=\"210mm\""));
    CHECK(contains(slurp(plan + "/maps/overview.svg"), "width=\"420mm\" height=\"297mm\""));
}

TEST_CASE("render draws a plan made in a local planar frame (no CRS) with a scale bar in metres")
{
    TempDir d;
    const std::string k1 = std::string(LIBGRID_DATA) + "/epri_k1/";
    REQUIRE(run("plan -q --transformers '" + k1 + "transformers.csv' --where \"kind = 'lv_area'\" --feeders '" + k1 +
                "feeder_edges.csv' --node-field hv_bus --assume-crs local --grids 6 --out '" + (d / "plan") + "'")
                .status == 0);
    const auto r = run("render -q --plan '" + (d / "plan") + "' --formats svg");
    CHECK(r.status == 0);
    CHECK(contains(r.out, "CRS local"));
    CHECK(check_map(d / "plan/maps/overview.svg", true) == 6);
    CHECK(contains(slurp(d / "plan/maps/overview.svg"), "· local</text>"));
}

TEST_CASE("render fails clearly on a folder without a plan and on branch maps without branch ids")
{
    TempDir d;
    const auto none = run("render -q --plan '" + d.path.string() + "'");
    CHECK(none.status == 3);
    CHECK(contains(none.err, "has no grids.gpkg"));
    CHECK(contains(none.err, "grid-partition plan"));
    CHECK(run("render -q --plan '" + (d / "missing") + "'").status == 2);
    CHECK(run("render -q --plan '" + d.path.string() + "' --formats gif").status == 2);

    const std::string plan = d / "plan";
    REQUIRE(run(malta_plan(plan)).status == 0);
    const auto branch = run("render -q --plan '" + plan + "' --by branch");
    CHECK(branch.status == 1);
    CHECK(contains(branch.err, "no branch maps to draw"));
}

#ifdef SYNTH_CITY
TEST_CASE("render draws one map per station and branch of a synthetic city plus an overview, each passing the checks")
{
    TempDir d;
    const std::string cmd = std::string("'") + SYNTH_CITY + "' --transformers 1500 --stations 3 --seed 5 --out '" +
                            (d / "city") + "' >/dev/null 2>&1";
    REQUIRE(std::system(cmd.c_str()) == 0);
    const std::string city = d / "city", plan = d / "plan";
    REQUIRE(run("plan -q --transformers '" + city + "/transformers.gpkg' --boundaries '" + city +
                "/boundaries.gpkg' --feeders '" + city + "/feeders.gpkg' --node-field hv_bus --grids 36 --out '" +
                plan + "'")
                .status == 0);
    const auto r = run("render -q --plan '" + plan + "' --by all --transformers --formats svg,png");
    CHECK(r.status == 0);
    std::size_t station_maps = 0, grids = 0;
    for (const auto& e : fs::directory_iterator(plan + "/maps")) {
        const std::string name = e.path().filename().string();
        if (e.path().extension() != ".svg") continue;
        if (name.rfind("station-", 0) == 0) {
            ++station_maps;
            grids += check_map(e.path().string(), false);
            check_magic(e.path().string().substr(0, e.path().string().size() - 4) + ".png", "\x89PNG\r\n\x1a\n");
        }
    }
    CHECK(station_maps == 3);
    CHECK(grids == 36);
    // synth-city puts every station in branch BR01; plan carries branch_id to its transformers.
    CHECK(check_map(plan + "/maps/branch-BR01.svg", false) == 36);
    CHECK(contains(r.out, "Branch BR01"));
    CHECK(check_map(plan + "/maps/overview.svg", false) == 36);
    CHECK(contains(slurp(plan + "/maps/overview.svg"), "class=\"transformers\""));
    CHECK_FALSE(fs::exists(plan + "/maps/overview.pdf"));
}
#endif
