// Spec of the render module (libgrid/render.hpp): graph colouring, grid adjacency, the pole of
// inaccessibility, the list of maps of a plan, and maps drawn from a small plan in memory.
#include <libgrid/error.hpp>
#include <libgrid/plan_folder.hpp>
#include <libgrid/render.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <string>

using namespace libgrid;

namespace {

Ring rect(double x0, double y0, double x1, double y1) { return {{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}; }

MultiPolygon square(double x0, double y0, double side) { return {Polygon{rect(x0, y0, x0 + side, y0 + side), {}}}; }

bool proper(const std::vector<std::vector<std::size_t>>& adj, const std::vector<std::size_t>& colour)
{
    for (std::size_t v = 0; v < adj.size(); ++v)
        for (const std::size_t u : adj[v])
            if (u != v && colour[u] == colour[v]) return false;
    return true;
}

std::size_t colours_used(const std::vector<std::size_t>& colour)
{
    return std::set<std::size_t>(colour.begin(), colour.end()).size();
}

/// An n x n checkerboard of 100 m squares as one plan: grid "G<r>-<c>", station by column half.
PlanLayers board(int n)
{
    PlanLayers p;
    p.crs_name = "local";
    for (int r = 0; r < n; ++r)
        for (int c = 0; c < n; ++c) {
            PlanGridFeature g;
            g.grid_id = "G" + std::to_string(r) + "-" + std::to_string(c);
            g.station_id = c < n / 2 ? "S1" : "S2";
            g.customers = 100.0 + r * n + c;
            g.load = g.customers;
            g.shape = square(c * 100.0, r * 100.0, 100.0);
            p.grids.push_back(g);
        }
    return p;
}

std::vector<std::size_t> plan_colours(const PlanLayers& p)
{
    std::vector<MultiPolygon> shapes;
    for (const auto& g : p.grids) shapes.push_back(g.shape);
    return colour_graph(grid_adjacency(shapes));
}

std::size_t count(const std::string& text, const std::string& part)
{
    std::size_t n = 0;
    for (auto pos = text.find(part); pos != std::string::npos; pos = text.find(part, pos + part.size())) ++n;
    return n;
}

} // namespace

TEST_CASE("DSATUR colours an odd cycle with 3 colours, a complete graph K4 with 4, a tree with 2")
{
    const std::vector<std::vector<std::size_t>> cycle{{1, 4}, {0, 2}, {1, 3}, {2, 4}, {3, 0}};
    const auto c5 = colour_graph(cycle);
    CHECK(proper(cycle, c5));
    CHECK(colours_used(c5) == 3);

    const std::vector<std::vector<std::size_t>> k4{{1, 2, 3}, {0, 2, 3}, {0, 1, 3}, {0, 1, 2}};
    const auto c4 = colour_graph(k4);
    CHECK(proper(k4, c4));
    CHECK(colours_used(c4) == 4);

    const std::vector<std::vector<std::size_t>> star{{1, 2, 3, 4}, {0, 5}, {0}, {0}, {0}, {1}};
    const auto c2 = colour_graph(star);
    CHECK(proper(star, c2));
    CHECK(colours_used(c2) == 2);
    CHECK(colour_graph(star) == c2); // deterministic
}

TEST_CASE("DSATUR ignores self loops and handles isolated vertices and the empty graph")
{
    CHECK(colour_graph({}).empty());
    const std::vector<std::vector<std::size_t>> g{{0}, {}, {}};
    CHECK(colour_graph(g) == std::vector<std::size_t>{0, 0, 0});
}

TEST_CASE("squares sharing an edge or a corner are neighbours, separate squares are not")
{
    // 2 x 2 block plus one square 50 m away from the block.
    const std::vector<MultiPolygon> shapes{square(0, 0, 10), square(10, 0, 10), square(0, 10, 10),
                                           square(10, 10, 10), square(70, 0, 10)};
    const auto adj = grid_adjacency(shapes);
    CHECK(adj[0] == std::vector<std::size_t>{1, 2, 3}); // 3 by the corner at (10,10)
    CHECK(adj[1] == std::vector<std::size_t>{0, 2, 3});
    CHECK(adj[4].empty());
    // A shared vertex off by 0.2 mm (coordinates printed by different tools) still counts.
    const std::vector<MultiPolygon> near{square(0, 0, 10), {Polygon{rect(10.0002, 0, 20, 10), {}}}};
    CHECK(grid_adjacency(near)[0] == std::vector<std::size_t>{1});
}

TEST_CASE("a checkerboard plan gets a proper colouring within the palette")
{
    const auto p = board(6);
    std::vector<MultiPolygon> shapes;
    for (const auto& g : p.grids) shapes.push_back(g.shape);
    const auto adj = grid_adjacency(shapes);
    const auto colour = colour_graph(adj);
    CHECK(proper(adj, colour));
    // With corners counted every 2 x 2 block is a K4, so 4 colours are needed; 4 suffice here.
    CHECK(colours_used(colour) == 4);
    CHECK(colours_used(colour) <= palette_size());
}

TEST_CASE("the pole of a square is its centre, half a side from the border")
{
    double d = 0.0;
    const Point p = pole_of_inaccessibility(Polygon{rect(0, 0, 100, 100), {}}, 0.01, &d);
    CHECK(p.x == doctest::Approx(50.0).epsilon(0.001));
    CHECK(p.y == doctest::Approx(50.0).epsilon(0.001));
    CHECK(d == doctest::Approx(50.0).epsilon(0.001));
}

TEST_CASE("the pole of a U shape lies where an arm meets the base, never in the gap")
{
    // U: 300 wide, 300 high, a 100 wide gap from y=100 up. The farthest points from the border
    // are in the two inner corners: (x, x) with x = sqrt(2) (100 - x), i.e. x = 58.58.
    const Polygon u{{{0, 0}, {300, 0}, {300, 300}, {200, 300}, {200, 100}, {100, 100}, {100, 300}, {0, 300}, {0, 0}},
                    {}};
    double d = 0.0;
    const Point p = pole_of_inaccessibility(u, 0.1, &d);
    CHECK(d == doctest::Approx(100.0 * std::sqrt(2.0) / (1.0 + std::sqrt(2.0))).epsilon(0.01));
    const bool in_base = p.y <= 100.0, in_arm = p.x <= 100.0 || p.x >= 200.0;
    CHECK((in_base || in_arm));
    CHECK_FALSE((p.x > 100.0 && p.x < 200.0 && p.y > 100.0)); // never in the gap
}

TEST_CASE("the pole of a square with a central hole is in the ring around it, not in the hole")
{
    const Polygon ring{rect(0, 0, 100, 100), {rect(30, 30, 70, 70)}};
    double d = 0.0;
    const Point p = pole_of_inaccessibility(ring, 0.01, &d);
    const bool in_hole = p.x > 30 && p.x < 70 && p.y > 30 && p.y < 70;
    CHECK_FALSE(in_hole);
    // The ring is 30 wide; its corners give more room: (x, x) with x = sqrt(2) (30 - x) = 17.57.
    CHECK(d == doctest::Approx(30.0 * std::sqrt(2.0) / (1.0 + std::sqrt(2.0))).epsilon(0.01));
}

TEST_CASE("degenerate polygons give a point on them and distance 0")
{
    double d = 5.0;
    const Point p = pole_of_inaccessibility(Polygon{{{1, 1}, {2, 1}, {3, 1}, {1, 1}}, {}}, 0.1, &d);
    CHECK(p.x == 1.0);
    CHECK(d == 0.0);
    CHECK(pole_of_inaccessibility(Polygon{}, 0.1, &d).x == 0.0);
}

TEST_CASE("a plan gets one map per station, per branch and an overview, stations in id order")
{
    auto p = board(4);
    auto maps = plan_maps(p, MapLevel::all);
    REQUIRE(maps.size() == 3); // S1, S2, overview: no branch ids
    CHECK(maps[0].level == "station");
    CHECK(maps[0].id == "S1");
    CHECK(maps[0].grids.size() == 8);
    CHECK(maps[2].level == "overview");
    CHECK(maps[2].grids.size() == 16);
    CHECK(plan_maps(p, MapLevel::branch).empty());
    for (auto& g : p.grids) g.branch_id = "B1";
    maps = plan_maps(p, MapLevel::branch);
    REQUIRE(maps.size() == 1);
    CHECK(maps[0].title == "Branch B1");
    CHECK(maps[0].grids.size() == 16);
}

TEST_CASE("a station map in SVG names every grid with its colour and labels it once, in all formats")
{
    auto p = board(4);
    p.grids[0].manager_name = "张伟";
    const auto colours = plan_colours(p);
    const auto maps = plan_maps(p, MapLevel::station);
    RenderOptions opt;
    opt.date = "2026-01-02";
    opt.paper = PaperSize::a4;
    const auto r = render_map(p, colours, maps[0], {MapFormat::svg, MapFormat::png, MapFormat::pdf}, opt);
    REQUIRE(r.files.size() == 3);
    const std::string& svg = r.files[0];
    CHECK(count(svg, "class=\"grid\"") == 8);
    CHECK(count(svg, "class=\"context-grid\"") == 8); // station S2 drawn in grey beside
    CHECK(count(svg, "class=\"label\"") == 8);
    CHECK(r.stats.labels_inside == 8);
    CHECK(r.stats.labels_dropped == 0);
    CHECK(svg.find("data-grid=\"G0-0\" data-colour=\"" + std::to_string(colours[0]) + "\"") != std::string::npos);
    CHECK(svg.find(">张伟</text>") != std::string::npos);
    CHECK(svg.find("Station S1") != std::string::npos);
    CHECK(svg.find("2026-01-02") != std::string::npos);
    CHECK(r.files[1].compare(0, 8, "\x89PNG\r\n\x1a\n") == 0);
    CHECK(r.files[2].compare(0, 5, "%PDF-") == 0);
    // Same inputs, same SVG.
    CHECK(render_map(p, colours, maps[0], {MapFormat::svg}, opt).files[0] == svg);
}

TEST_CASE("render_map refuses a colour list of the wrong size, a bad dpi and a map without polygons")
{
    const auto p = board(2);
    const auto maps = plan_maps(p, MapLevel::all);
    CHECK_THROWS_AS(render_map(p, {0, 1}, maps[0], {MapFormat::svg}), Error);
    RenderOptions bad;
    bad.dpi = 5;
    CHECK_THROWS_AS(render_map(p, plan_colours(p), maps[0], {MapFormat::png}, bad), Error);
    auto empty = p;
    for (auto& g : empty.grids) g.shape.clear();
    try {
        render_map(empty, plan_colours(empty), maps[0], {MapFormat::svg});
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::invalid_argument);
        CHECK(std::string(e.what()).find("no grid with a polygon") != std::string::npos);
    }
}

TEST_CASE("grids too small for their label get a leader line or are counted as dropped, never overlapping")
{
    // 40 x 40 tiny squares (1 m each) in a 10 km frame: none can hold a label inside.
    PlanLayers p;
    for (int r = 0; r < 40; ++r)
        for (int c = 0; c < 40; ++c) {
            PlanGridFeature g;
            g.grid_id = "T" + std::to_string(r * 40 + c);
            g.shape = square(c * 1.0, r * 1.0, 1.0);
            p.grids.push_back(g);
        }
    PlanGridFeature big;
    big.grid_id = "BIG";
    big.shape = square(-10000, -10000, 100);
    p.grids.push_back(big);
    auto maps = plan_maps(p, MapLevel::station);
    CHECK_FALSE(maps[0].leader_lines); // 1,601 grids on one sheet: plan_maps leaves leader lines out
    maps[0].leader_lines = true;
    const auto r = render_map(p, plan_colours(p), maps[0], {MapFormat::svg});
    CHECK(r.stats.labels_inside + r.stats.labels_leader + r.stats.labels_dropped == p.grids.size());
    CHECK(r.stats.labels_leader > 0);
    CHECK(r.stats.labels_dropped > 0);
    CHECK(r.files[0].find("data-labels-dropped=\"" + std::to_string(r.stats.labels_dropped) + "\"") !=
          std::string::npos);
}

TEST_CASE("report_html embeds the maps, the grids and report.json so that no script block can be closed early")
{
    auto p = board(2);
    p.grids[0].manager_name = "李</script>娜";
    const auto colours = plan_colours(p);
    PlanReport report;
    report.overall.grids = 4;
    report.notes = {"a </script> note"};
    const auto html = report_html(p, colours, {{"Overview", "<?xml version=\"1.0\"?>\n<svg id=\"x\"></svg>\n"}}, &report,
                                  "Plan <A>");
    CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
    CHECK(html.find("<title>Plan &lt;A&gt;</title>") != std::string::npos);
    CHECK(html.find("<h2>Overview</h2>\n<svg id=\"x\">") != std::string::npos); // inline, no XML declaration
    CHECK(html.find("<?xml") == std::string::npos);
    CHECK(count(html, "</script>") == 3); // the two JSON blocks and the page script, nothing else
    CHECK(html.find("\"grid_id\":\"G0-1\"") != std::string::npos);
    CHECK(html.find("a <\\/script> note") != std::string::npos);
}

TEST_CASE("the QGIS style gives each grid its map colour and escapes ids")
{
    auto p = board(2);
    p.grids[1].grid_id = "A&B";
    const auto colours = plan_colours(p);
    const auto qml = qgis_style(p, colours);
    CHECK(qml.find("<renderer-v2 type=\"categorizedSymbol\" attr=\"grid_id\"") != std::string::npos);
    CHECK(qml.find("value=\"A&amp;B\"") != std::string::npos);
    CHECK(count(qml, "<category ") == 4);
    CHECK(count(qml, "<symbol ") == 4);
    // Palette colour 0 is Paul Tol's light blue #77AADD.
    const std::size_t first0 = static_cast<std::size_t>(std::find(colours.begin(), colours.end(), 0u) - colours.begin());
    CHECK(qml.find("name=\"" + std::to_string(first0) + "\" alpha=\"1\" clip_to_extent=\"1\" force_rhr=\"0\">\n"
                   "        <layer class=\"SimpleFill\" enabled=\"1\" locked=\"0\" pass=\"0\">\n"
                   "          <Option type=\"Map\">\n"
                   "            <Option type=\"QString\" name=\"color\" value=\"119,170,221,255\"/>") != std::string::npos);
}

TEST_CASE("the border between two stations is drawn once as a station border, nothing else is")
{
    // 4 x 4 board: columns 0-1 are S1, 2-3 are S2; the station border is the line x = 200, made
    // of 4 square sides.
    const auto p = board(4);
    const auto maps = plan_maps(p, MapLevel::all);
    const auto svg = render_map(p, plan_colours(p), maps.back(), {MapFormat::svg}).files[0];
    const auto at = svg.find("<g class=\"station-borders\">\n<path");
    REQUIRE(at != std::string::npos);
    const auto line = svg.substr(at, svg.find('\n', svg.find("<path", at)) - at);
    CHECK(count(line, "M") == 4);
    CHECK(count(line, " L") == 4);
}
